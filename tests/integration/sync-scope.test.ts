// Scope changes made by an admin reach live connections: the server re-bootstraps the user's mirror
// and whatever left their scope is purged from the SQLite file itself.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startClientProcess, type ClientProcess } from '../support/client-process';
import { startServerProcess, type ServerProcess } from '../support/server-process';
import { WebchatCustomer } from '../support/webchat-customer';
import { readMirrorFile, signIn, waitForConversation } from './sync-helpers';

let server: ServerProcess;
let admin: ClientProcess;
let ana: ClientProcess;
let sofia: ClientProcess;
const customers: WebchatCustomer[] = [];

beforeAll(async () => {
  server = await startServerProcess({ demo: true });
  [admin, ana, sofia] = await Promise.all([
    startClientProcess({ serverUrl: server.url }),
    startClientProcess({ serverUrl: server.url }),
    startClientProcess({ serverUrl: server.url }),
  ]);
  await Promise.all([
    signIn(admin, server.url, 'admin@demo.test'),
    signIn(ana, server.url, 'ana@demo.test'),
    signIn(sofia, server.url, 'sofia@demo.test'),
  ]);
});

afterAll(async () => {
  for (const c of customers) c.close();
  await Promise.all([admin?.stop(), ana?.stop(), sofia?.stop()]);
  await server?.stop();
});

function stored(client: ClientProcess, text: string): { conversations: number; messages: number } {
  return readMirrorFile(client, (db) => ({
    conversations: (
      db
        .prepare(
          'SELECT COUNT(*) AS n FROM conversations c WHERE EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = c.id AND m.body LIKE ?)',
        )
        .get(`%${text}%`) as { n: number }
    ).n,
    messages: (db.prepare('SELECT COUNT(*) AS n FROM messages WHERE body LIKE ?').get(`%${text}%`) as { n: number }).n,
  }));
}

/** The file's contents once they stop changing toward `expected` (the re-bootstrap runs after the
 *  directory change that triggered it), or the last read after 20 s. */
async function settled<T>(read: () => T, expected: T): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = read();
    if (JSON.stringify(value) === JSON.stringify(expected) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('scope changes on live connections', () => {
  it('a team change purges the old team’s queue from the agent’s file; what is hers stays', async () => {
    const queued = await WebchatCustomer.join(server.url, 'demo', 'Lorena');
    const kept = await WebchatCustomer.join(server.url, 'demo', 'Mateo');
    customers.push(queued, kept);
    await queued.say('Cola de soporte: dato reservado');
    await kept.say('Conversación de Ana');
    await waitForConversation(ana, 'unassigned', 'Lorena');
    const mine = await waitForConversation(ana, 'unassigned', 'Mateo');
    await ana.ipc.ok('conversation.assign', { conversationId: mine.id, assigneeId: 'user-ana' });
    await ana.ipc.until('sync.status', {}, (s) => s.pending === 0);
    expect(stored(ana, 'dato reservado')).toEqual({ conversations: 1, messages: 1 });

    // The admin moves Ana from Soporte to Ventas.
    await admin.ipc.ok('admin.user.update', { userId: 'user-ana', teamIds: ['team-ventas'] });
    await admin.ipc.until('sync.status', {}, (s) => s.pending === 0 && s.lastError === null);
    await ana.ipc.until('inbox.list', { view: { kind: 'unassigned' }, status: 'open' }, (l) => !l.some((c) => c.contactName === 'Lorena'));
    await ana.ipc.until('sync.status', {}, (s) => s.state === 'online');
    expect(await settled(() => stored(ana, 'dato reservado'), { conversations: 0, messages: 0 })).toEqual({
      conversations: 0,
      messages: 0,
    });
    expect((await ana.ipc.ok('search.query', { q: 'reservado', limit: 10 })).messages).toEqual([]);
    // Her own conversation stays hers, and her views follow her new team.
    expect((await ana.ipc.ok('inbox.list', { view: { kind: 'mine' }, status: 'open' })).map((c) => c.id)).toContain(mine.id);
    const counts = await ana.ipc.ok('inbox.counts', {});
    expect(Object.keys(counts)).toContain('team:team-ventas');
    expect(Object.keys(counts)).not.toContain('team:team-soporte');
  });

  it('a role change (supervisor to agent) purges other agents’ conversations from her file', async () => {
    const customer = await WebchatCustomer.join(server.url, 'demo', 'Nora');
    customers.push(customer);
    await customer.say('Solo para Ana y supervisores');
    const item = await waitForConversation(admin, 'unassigned', 'Nora');
    await admin.ipc.ok('conversation.assign', { conversationId: item.id, assigneeId: 'user-ana' });
    await sofia.ipc.until('inbox.list', { view: { kind: 'teammates' }, status: 'open' }, (l) => l.some((c) => c.id === item.id));
    expect(stored(sofia, 'Solo para Ana')).toEqual({ conversations: 1, messages: 1 });

    await admin.ipc.ok('admin.user.update', { userId: 'user-sofia', role: 'agent' });
    await sofia.ipc.until('directory.get', {}, (d) => d.users.find((u) => u.id === 'user-sofia')?.role === 'agent');
    await sofia.ipc.until('conversation.get', { id: item.id }, (d) => d === null);
    await sofia.ipc.until('sync.status', {}, (s) => s.state === 'online');
    expect(await settled(() => stored(sofia, 'Solo para Ana'), { conversations: 0, messages: 0 })).toEqual({
      conversations: 0,
      messages: 0,
    });
    expect(await sofia.ipc.call('inbox.list', { view: { kind: 'all' }, status: 'open' })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
  });
});
