// The change log is trimmed after its retention window (src-server/store/changeLogTrim.ts, a periodic
// job); a desktop client offline for longer, with replies in its outbox, comes back below the log's floor:
// it re-bootstraps, keeps its outbox, and each reply reaches the customer exactly once.
// Real server process (PostgreSQL with BANDEJA_TEST_DATABASE_URL, else PGlite; a 3-second window, trimmed every half second), real headless client behind a
// fault proxy (refusing connections is going offline), a real webchat customer.
import Database from 'better-sqlite3';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readCursor } from '../../src-main/core/mirror/meta';
import { startClientProcess, type ClientProcess } from '../support/client-process';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy';
import type { ServerProcess } from '../support/server-process';
import { startDemoServerOnTestDatabase } from '../support/test-store';
import { login, SyncPeer } from '../support/sync-peer';
import { WebchatCustomer } from '../support/webchat-customer';
import { signIn, waitForConversation } from './sync-helpers';

const RETENTION_SECONDS = 3;
let server: ServerProcess | undefined;
let proxy: FaultProxy | undefined;
let ana: ClientProcess | undefined;

afterAll(async () => {
  await ana?.stop();
  await proxy?.close();
  await server?.stop();
});

function mirrorCursor(client: ClientProcess): { epoch: string | null; version: number | null } {
  const dir = join(client.dataDir, 'client', 'mirrors');
  const file = readdirSync(dir).find((f) => f.endsWith('.sqlite'))!;
  const db = new Database(join(dir, file), { readonly: true });
  try {
    return readCursor(db as never);
  } finally {
    db.close();
  }
}

describe('change-log retention', () => {
  it('re-bootstraps a client whose cursor the log no longer holds, and sends its outbox once', async () => {
    server = await startDemoServerOnTestDatabase({
      BANDEJA_CHANGE_LOG_RETENTION_DAYS: String(RETENTION_SECONDS / 86_400),
      BANDEJA_CHANGE_LOG_TRIM_EVERY_MS: '500',
    });
    proxy = await startFaultProxy(server.url);
    ana = await startClientProcess({ serverUrl: proxy.url });
    await signIn(ana, proxy.url, 'ana@demo.test');
    const customer = await WebchatCustomer.join(server.url, 'demo', 'Lucía');
    await customer.say('¿Siguen abiertos?');
    const conversation = await waitForConversation(ana, 'unassigned', 'Lucía');

    // Ana goes offline and answers twice; the replies wait in her outbox.
    proxy.refuse();
    await ana.ipc.until('sync.status', {}, (s) => s.state === 'offline');
    await ana.ipc.ok('message.send', { conversationId: conversation.id, body: 'Sí, hasta las 8' });
    await ana.ipc.ok('message.send', { conversationId: conversation.id, body: '¿En qué te ayudo?' });
    expect(await ana.ipc.ok('sync.status', {})).toMatchObject({ state: 'offline', pending: 2 });
    const cursor = mirrorCursor(ana);
    expect(cursor.version).not.toBeNull();

    // Meanwhile the customer writes again, and the window passes: the log no longer holds what follows
    // Ana's cursor (a hello from it is told to bootstrap).
    await customer.say('¿Hola?');
    const anaToken = (await login(server.url, 'ana@demo.test')).token;
    const deadline = Date.now() + 30_000;
    for (;;) {
      const probe = await SyncPeer.connect(server.url, { token: anaToken, epoch: cursor.epoch, cursor: cursor.version });
      probe.close();
      if (probe.welcome!.bootstrap) break;
      if (Date.now() > deadline) throw new Error(`The log still holds version ${cursor.version} after 30 s.`);
      await new Promise((r) => setTimeout(r, 500));
    }

    // Back online: a snapshot (the proxy sees it), then the outbox, each reply once.
    const snapshot = proxy.waitForServerFrame((f) => f.type === 'snapshotBegin', 30_000);
    proxy.pass();
    await snapshot;
    await ana.ipc.until('sync.status', {}, (s) => s.state === 'online' && s.pending === 0);
    const messages = await ana.ipc.until('conversation.messages', { conversationId: conversation.id }, (ms) =>
      ms.filter((m) => m.direction === 'out').every((m) => m.delivery !== 'pending'),
    );
    expect(messages.filter((m) => m.direction !== 'system').map((m) => [m.direction, m.body])).toEqual([
      ['in', '¿Siguen abiertos?'],
      ['in', '¿Hola?'],
      ['out', 'Sí, hasta las 8'],
      ['out', '¿En qué te ayudo?'],
    ]);
    // The customer's page (the server's own record) holds each reply once.
    const again = await WebchatCustomer.join(server.url, 'demo', 'Lucía', customer.identity);
    again.close();
    customer.close();
    expect(again.history.filter((m) => m.from === 'agent').map((m) => m.body)).toEqual(['Sí, hasta las 8', '¿En qué te ayudo?']);
    // Her mirror holds what a fresh bootstrap of hers holds.
    const fresh = await SyncPeer.connect(server.url, { token: anaToken });
    fresh.close();
    const inbox = await ana.ipc.ok('inbox.list', { view: { kind: 'mine' }, status: 'open' });
    expect(inbox.map((c) => c.id).sort()).toEqual(
      [...fresh.conversations.values()]
        .filter((c) => c.assigneeId === 'user-ana' && c.status === 'open')
        .map((c) => c.id)
        .sort(),
    );
    expect(inbox.map((c) => c.id)).toContain(conversation.id);
  });
});
