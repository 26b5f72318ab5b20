// The complete inbox through real processes: a real server, real headless clients driven over /ipc,
// real mirror files read with handles of our own.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IpcEventPayload } from '../../src-shared/ipc';
import { startClientProcess, type ClientProcess } from '../support/client-process';
import { startServerProcess, type ServerProcess } from '../support/server-process';
import { WebchatCustomer } from '../support/webchat-customer';
import { readMirrorFile, signIn, waitForConversation } from './sync-helpers';

let server: ServerProcess;
let ana: ClientProcess;
let bruno: ClientProcess;
const customers: WebchatCustomer[] = [];

beforeAll(async () => {
  server = await startServerProcess({ demo: true });
  [ana, bruno] = await Promise.all([startClientProcess({ serverUrl: server.url }), startClientProcess({ serverUrl: server.url })]);
  await Promise.all([signIn(ana, server.url, 'ana@demo.test'), signIn(bruno, server.url, 'bruno@demo.test')]);
});

afterAll(async () => {
  for (const c of customers) c.close();
  await Promise.all([ana?.stop(), bruno?.stop()]);
  await server?.stop();
});

async function customerWrites(name: string, text: string): Promise<WebchatCustomer> {
  const customer = await WebchatCustomer.join(server.url, 'demo', name);
  customers.push(customer);
  await customer.say(text);
  return customer;
}

function onDisk(client: ClientProcess, conversationId: string, text: string) {
  return readMirrorFile(client, (db) => ({
    conversations: (db.prepare('SELECT COUNT(*) AS n FROM conversations WHERE id = ?').get(conversationId) as { n: number }).n,
    messages: (db.prepare('SELECT COUNT(*) AS n FROM messages WHERE conversation_id = ?').get(conversationId) as { n: number }).n,
    text: (db.prepare('SELECT COUNT(*) AS n FROM messages WHERE body LIKE ?').get(`%${text}%`) as { n: number }).n,
  }));
}

describe('the complete inbox between two agents', () => {
  it('two mirrors race to claim one conversation: exactly one wins, the other is told who took it', async () => {
    await customerWrites('Fabiola', 'Necesito ayuda con mi pedido urgente');
    const forAna = await waitForConversation(ana, 'unassigned', 'Fabiola');
    await waitForConversation(bruno, 'unassigned', 'Fabiola');
    const id = forAna.id;
    const anaRejected = ana.ipc.waitForEvent('mutation.rejected', (r) => r.conversationId === id, 30_000).catch(() => null);
    const brunoRejected = bruno.ipc.waitForEvent('mutation.rejected', (r) => r.conversationId === id, 30_000).catch(() => null);
    // Both click "Assign to me" at the same moment.
    await Promise.all([
      ana.ipc.ok('conversation.assign', { conversationId: id, assigneeId: 'user-ana' }),
      bruno.ipc.ok('conversation.assign', { conversationId: id, assigneeId: 'user-bruno' }),
    ]);
    await Promise.all([ana, bruno].map((c) => c.ipc.until('sync.status', {}, (s) => s.state === 'online' && s.pending === 0)));
    const anaHas = await ana.ipc.ok('conversation.get', { id });
    const brunoHas = await bruno.ipc.ok('conversation.get', { id });
    // Exactly one of them holds it; for the other it was revoked.
    expect([anaHas, brunoHas].filter((d) => d !== null)).toHaveLength(1);
    const [winner, loser, loserRejected] = anaHas ? ([ana, bruno, brunoRejected] as const) : ([bruno, ana, anaRejected] as const);
    const winnerId = anaHas ? 'user-ana' : 'user-bruno';
    expect((anaHas ?? brunoHas)!.conversation).toMatchObject({ assigneeId: winnerId, pending: false });
    const rejection = (await loserRejected) as IpcEventPayload<'mutation.rejected'> | null;
    expect(rejection).toMatchObject({ name: 'conversation.assign', error: { code: 'ALREADY_ASSIGNED', params: { assigneeId: winnerId } } });
    expect((await loser.ipc.ok('sync.status', {})).lastError).toMatchObject({ code: 'ALREADY_ASSIGNED', params: { assigneeId: winnerId } });
    expect(await winner.ipc.ok('sync.status', {})).toMatchObject({ lastError: null });
    expect(onDisk(loser, id, 'pedido urgente')).toEqual({ conversations: 0, messages: 0, text: 0 });
    // The winner's timeline says it once.
    const events = (await winner.ipc.ok('conversation.messages', { conversationId: id })).filter((m) => m.event?.type === 'assigned');
    expect(events).toHaveLength(1);
  });

  it('offline: close with note and category, tag and a note with @mention are applied once after reconnecting; Bruno is notified', async () => {
    await customerWrites('Gonzalo', 'Quiero cambiar la dirección de envío');
    // Left in Soporte's queue, so Bruno (of Soporte) may see it and be mentioned.
    const item = await waitForConversation(ana, 'unassigned', 'Gonzalo');

    await server.stop();
    await ana.ipc.until('sync.status', {}, (s) => s.state === 'offline');
    // Search works offline, accent- and case-insensitive, with a prefix.
    const hits = await ana.ipc.ok('search.query', { q: 'DIRECCION env', limit: 10 });
    expect(hits.messages.map((m) => m.conversationId)).toContain(item.id);
    expect((await ana.ipc.ok('search.query', { q: 'gonz', limit: 10 })).contacts.map((c) => c.name)).toEqual(['Gonzalo']);

    await ana.ipc.ok('note.add', { conversationId: item.id, body: '@Bruno ¿puedes revisar la dirección?', mentions: ['user-bruno'] });
    await ana.ipc.ok('conversation.tag', { conversationId: item.id, add: ['envío', 'VIP'], remove: [] });
    await ana.ipc.ok('conversation.close', { conversationId: item.id, note: 'Dirección actualizada', categoryId: 'category-resuelto' });
    const offline = await ana.ipc.ok('conversation.get', { id: item.id });
    expect(offline!.conversation).toMatchObject({
      status: 'closed',
      tags: ['envío', 'VIP'],
      closingCategoryId: 'category-resuelto',
      pending: true,
    });
    expect((await ana.ipc.ok('conversation.messages', { conversationId: item.id })).at(-1)).toMatchObject({
      kind: 'note',
      delivery: 'pending',
    });
    expect(await ana.ipc.ok('sync.status', {})).toMatchObject({ pending: 3 });

    await server.restart();
    await ana.ipc.until('sync.status', {}, (s) => s.state === 'online' && s.pending === 0);
    const detail = await ana.ipc.until('conversation.get', { id: item.id }, (d) => d !== null && !d.conversation.pending);
    expect(detail!.conversation).toMatchObject({ status: 'closed', tags: ['envío', 'VIP'], closingCategoryId: 'category-resuelto' });
    const timeline = await ana.ipc.ok('conversation.messages', { conversationId: item.id });
    expect(timeline.filter((m) => m.kind === 'note').map((m) => [m.body, m.delivery, m.mentions])).toEqual([
      ['@Bruno ¿puedes revisar la dirección?', 'sent', ['user-bruno']],
    ]);
    expect(timeline.filter((m) => m.event?.type === 'tagged')).toHaveLength(1);
    const closed = timeline.filter((m) => m.event?.type === 'status' && m.event.status === 'closed');
    expect(closed.map((m) => m.event)).toEqual([
      { type: 'status', status: 'closed', byId: 'user-ana', note: 'Dirección actualizada', categoryId: 'category-resuelto' },
    ]);

    await bruno.ipc.until('sync.status', {}, (s) => s.state === 'online');
    const notes = await bruno.ipc.until('notifications.list', {}, (l) => l.some((n) => n.conversationId === item.id));
    expect(notes.filter((n) => n.conversationId === item.id)).toEqual([
      expect.objectContaining({ kind: 'mention', byName: 'Ana', readAt: null, userId: 'user-bruno' }),
    ]);
    const [entry] = notes.filter((n) => n.conversationId === item.id);
    await bruno.ipc.ok('notification.markRead', { ids: [entry!.id] });
    await bruno.ipc.until('notifications.list', {}, (l) => l.some((n) => n.id === entry!.id && n.readAt !== null));
    await bruno.ipc.until('sync.status', {}, (s) => s.pending === 0);
    // Nothing of the note ever reached the customer.
    const again = await WebchatCustomer.join(server.url, 'demo', 'Gonzalo', customers.at(-1)!.identity);
    again.close();
    expect(again.history.map((m) => m.body)).not.toContain('@Bruno ¿puedes revisar la dirección?');
  });

  it('a transfer away purges the conversation from the sender’s mirror file', async () => {
    await customerWrites('Helena', 'Mi factura tiene un error confidencial');
    const item = await waitForConversation(ana, 'unassigned', 'Helena');
    await ana.ipc.ok('message.send', { conversationId: item.id, body: 'Hola Helena, lo miro' });
    await ana.ipc.until('sync.status', {}, (s) => s.pending === 0);
    expect(onDisk(ana, item.id, 'error confidencial')).toMatchObject({ conversations: 1, text: 1 });
    const directory = await ana.ipc.ok('directory.get', {});
    expect(directory.users.find((u) => u.id === 'user-bruno')?.presence).toBe('online');

    await ana.ipc.ok('conversation.transfer', { conversationId: item.id, toUserId: 'user-bruno', toTeamId: null });
    // Gone from Ana's lists at once, from her file once the server confirms (revoke).
    expect(await ana.ipc.ok('conversation.get', { id: item.id })).toBeNull();
    await ana.ipc.until('sync.status', {}, (s) => s.pending === 0);
    await ana.ipc.until('inbox.list', { view: { kind: 'mine' }, status: 'open' }, (l) => !l.some((c) => c.id === item.id));
    expect(onDisk(ana, item.id, 'error confidencial')).toEqual({ conversations: 0, messages: 0, text: 0 });
    expect((await ana.ipc.ok('search.query', { q: 'confidencial', limit: 10 })).messages).toEqual([]);

    const forBruno = await bruno.ipc.until('conversation.get', { id: item.id }, (d) => d?.conversation.assigneeId === 'user-bruno');
    expect(forBruno!.conversation.status).toBe('open');
    // The whole history went with it.
    const history = await bruno.ipc.ok('conversation.messages', { conversationId: item.id });
    expect(history.map((m) => m.body)).toEqual(expect.arrayContaining(['Mi factura tiene un error confidencial', 'Hola Helena, lo miro']));
    expect(history.filter((m) => m.event?.type === 'transferred')).toHaveLength(1);
  });

  it('bulk: take several conversations and close them at once, each applied once', async () => {
    const names = ['Ignacio', 'Julia', 'Kevin'];
    for (const name of names) await customerWrites(name, `Hola, soy ${name}`);
    const items = [];
    for (const name of names) items.push(await waitForConversation(ana, 'unassigned', name));
    const ids = items.map((c) => c.id);

    const taken = await ana.ipc.ok('conversation.bulk', { conversationIds: ids, action: { type: 'assign', assigneeId: 'user-ana' } });
    expect(taken.mutationIds).toHaveLength(3);
    const closed = await ana.ipc.ok('conversation.bulk', {
      conversationIds: ids,
      action: { type: 'close', note: 'Cierre masivo', categoryId: 'category-resuelto' },
    });
    expect(closed.mutationIds).toHaveLength(3);
    const counts = await ana.ipc.ok('inbox.counts', {});
    expect(counts.mine!.closed).toBeGreaterThanOrEqual(3);
    await ana.ipc.until('sync.status', {}, (s) => s.state === 'online' && s.pending === 0);
    const list = await ana.ipc.until('inbox.list', { view: { kind: 'mine' }, status: 'closed' }, (l) =>
      ids.every((id) => l.some((c) => c.id === id && !c.pending)),
    );
    expect(list.filter((c) => ids.includes(c.id)).every((c) => c.closingCategoryId === 'category-resuelto')).toBe(true);
    for (const id of ids) {
      const timeline = await ana.ipc.ok('conversation.messages', { conversationId: id });
      expect(timeline.filter((m) => m.event?.type === 'status' && m.event.status === 'closed')).toHaveLength(1);
      expect(timeline.filter((m) => m.event?.type === 'assigned')).toHaveLength(1);
    }
    // A bulk the rules refuse for one conversation records nothing.
    const refused = await ana.ipc.call('conversation.bulk', {
      conversationIds: ids,
      action: { type: 'close', note: null, categoryId: null },
    });
    expect(refused).toMatchObject({ ok: false, error: { code: 'INVALID_TRANSITION' } });
    expect(await ana.ipc.ok('sync.status', {})).toMatchObject({ pending: 0 });
  });
});
