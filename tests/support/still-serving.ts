// Checks, after some bad input, that a process still serves its normal clients:
//
//   const check = await stillServing(server.url);      // signs Ana in once
//   await check.health();      // the process is up and /api/health answers 200
//   await check.full();        // and a visitor joins and is heard, and Ana's device syncs
//   await ipcStillServes(client);   // the headless host answers /ipc and its UI port
import { randomBytes, randomUUID } from 'node:crypto';
import { Paths } from '../../src-shared/http';
import type { ClientProcess } from './client-process';
import { login, SyncPeer } from './sync-peer';
import { WebchatCustomer, type VisitorIdentity } from './webchat-customer';

const HEALTH_WAIT_MS = 5000;

export interface StillServing {
  /** Throws unless /api/health answers 200 in time. */
  health(): Promise<void>;
  /** health(), then a visitor joins the demo webchat and sends a message, and Ana's device says hello and syncs. */
  full(): Promise<void>;
}

export async function stillServing(serverUrl: string, opts: { slug?: string; email?: string } = {}): Promise<StillServing> {
  const slug = opts.slug ?? 'demo';
  const { token } = await login(serverUrl, opts.email ?? 'ana@demo.test');
  // One visitor and one device for every check, so checks do not add a contact each time.
  const visitor: VisitorIdentity = { visitorId: randomUUID(), secret: randomBytes(24).toString('hex') };
  const clientId = randomUUID();
  const health = async () => {
    const res = await fetch(serverUrl + Paths.health, { signal: AbortSignal.timeout(HEALTH_WAIT_MS) }).catch((e: unknown) => {
      throw new Error(`The server does not answer ${Paths.health}: ${e instanceof Error ? e.message : String(e)}`);
    });
    if (res.status !== 200) throw new Error(`${Paths.health} answered ${res.status}`);
    await res.body?.cancel();
  };
  return {
    health,
    async full() {
      await health();
      const customer = await WebchatCustomer.join(serverUrl, slug, 'Still here', visitor);
      try {
        await customer.say('Are you still there?');
      } finally {
        customer.close();
      }
      const device = await SyncPeer.connect(serverUrl, { token, clientId });
      device.close();
      if (device.welcome?.user.email !== (opts.email ?? 'ana@demo.test')) throw new Error('The sync hello was not welcomed as Ana.');
    },
  };
}

/** Throws unless the headless host still answers a call on /ipc and serves its UI port. */
export async function ipcStillServes(client: ClientProcess): Promise<void> {
  const info = await client.ipc.call('app.info', {});
  if (!info.ok) throw new Error(`app.info over /ipc failed: ${JSON.stringify(info.error)}`);
  const res = await fetch(client.url, { signal: AbortSignal.timeout(HEALTH_WAIT_MS) });
  // 503 is the page saying the renderer is not built (a checkout without `npm run build:renderer`).
  if (res.status !== 200 && res.status !== 503) throw new Error(`The headless UI answered ${res.status}`);
  await res.body?.cancel();
}
