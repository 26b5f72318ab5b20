// Which server an app start uses, from its flags and the server remembered at the last sign-in: --server
// as given; --demo, or a demo chosen before, runs the local demo server; otherwise nothing starts and the
// sign-in screen asks (and offers the demo). The demo, with its published passwords, never starts unasked.
import type { LocalDemoState } from '../../src-shared/ipc';
import type { RememberedServer } from './settings';

export interface StartPlan {
  /** Start the local demo server at launch, on this port; null: not now. */
  demoPort: number | null;
  /** --server, or the server remembered: the sign-in screen's address. Null: the demo's, or ask. */
  serverUrl: string | null;
  localDemo: LocalDemoState;
}

export function planStart(
  flags: { demo: boolean; server: string | null; serverPort: number },
  remembered: RememberedServer | null,
): StartPlan {
  if (flags.server) return { demoPort: null, serverUrl: flags.server, localDemo: 'unavailable' };
  if (flags.demo) return { demoPort: flags.serverPort, serverUrl: null, localDemo: 'running' };
  if (remembered?.demo) {
    // The same address as before, or the session's mirror and token would not match it.
    const port = Number(new URL(remembered.url).port) || flags.serverPort;
    return { demoPort: port, serverUrl: null, localDemo: 'running' };
  }
  return { demoPort: null, serverUrl: remembered?.url ?? null, localDemo: 'available' };
}
