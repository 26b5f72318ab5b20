// What the main thread and the core's worker (worker.ts) say to each other: one union each way. Calls
// and events carry the IPC contract's ops and events as they are, so nothing here names an op.
import type { DesktopNotification, IpcEventName, IpcOp, IpcReply } from '../../src-shared/ipc';
import type { Host } from '../core/host';
import type { LaunchFlags } from '../launch';

/** The worker's `workerData`: what launch() needs that is not in its environment. */
export interface WorkerStart {
  argv: string[];
  kind: Host['kind'];
  /** The main-side Host reports wake-ups (Electron's powerMonitor), so the worker's Host has onWake. */
  wake: boolean;
  /** A TypeScript module to run (tests and `tsx`): tsx-bootstrap.mjs registers tsx, then imports it. */
  module?: string;
}

/** One call of the main thread's SecretStore, by method. */
export type SecretCall = { method: 'get'; key: string } | { method: 'set'; key: string; value: string } | { method: 'delete'; key: string };

export type ToWorker =
  | { t: 'call'; id: number; op: string; args: unknown }
  | { t: 'secretReply'; id: number; ok: true; value: string | null }
  | { t: 'secretReply'; id: number; ok: false; message: string }
  | { t: 'wake' }
  | { t: 'close' };

export type FromWorker =
  | { t: 'log'; line: string }
  | { t: 'serverReady'; url: string }
  | { t: 'ready'; flags: LaunchFlags; defaultServerUrl: string | null }
  | { t: 'failed'; message: string; flagError: boolean }
  | { t: 'reply'; id: number; reply: IpcReply<IpcOp> }
  | { t: 'event'; event: IpcEventName; payload: unknown }
  | { t: 'notify'; notification: DesktopNotification }
  | { t: 'badge'; count: number }
  | { t: 'secret'; id: number; call: SecretCall }
  | { t: 'closed'; error: string | null };
