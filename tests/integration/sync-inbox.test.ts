// Two agents' real client processes against a real server: a customer's message reaches both
// inboxes; the first reply takes the conversation, and it leaves the other agent's mirror.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startClientProcess, type ClientProcess } from '../support/client-process';
import { startServerProcess, type ServerProcess } from '../support/server-process';
import { WebchatCustomer } from '../support/webchat-customer';
import { bodies, readMirrorFile, signIn, waitForConversation } from './sync-helpers';

let server: ServerProcess;
let ana: ClientProcess;
let bruno: ClientProcess;

beforeAll(async () => {
  server = await startServerProcess({ demo: true });
  [ana, bruno] = await Promise.all([startClientProcess({ serverUrl: server.url }), startClientProcess({ serverUrl: server.url })]);
  await Promise.all([signIn(ana, server.url, 'ana@demo.test'), signIn(bruno, server.url, 'bruno@demo.test')]);
});

afterAll(async () => {
  await Promise.all([ana?.stop(), bruno?.stop()]);
  await server?.stop();
});

describe('a customer message and the first reply', () => {
  it('reaches both agents unassigned and unread; Ana’s reply takes it and it leaves Bruno’s mirror', async () => {
    // The demo tenant already has conversations (its WhatsApp ones): Carla's adds one to each counter.
    const before = (await bruno.ipc.ok('inbox.counts', {})).unassigned!;
    const carla = await WebchatCustomer.join(server.url, 'demo', 'Carla');
    await carla.say('Hola, mi pedido no llegó');

    const forAna = await waitForConversation(ana, 'unassigned', 'Carla');
    const forBruno = await waitForConversation(bruno, 'unassigned', 'Carla');
    for (const item of [forAna, forBruno]) {
      expect(item.assigneeId).toBeNull();
      expect(item.unreadCount).toBe(1);
      expect(item.lastMessagePreview).toBe('Hola, mi pedido no llegó');
      expect(item.waitingSince).not.toBeNull();
    }
    expect((await bruno.ipc.ok('inbox.counts', {})).unassigned).toMatchObject({
      open: before.open + 1,
      unread: before.unread + 1,
      waiting: before.waiting + 1,
    });
    const id = forAna.id;

    const sent = await ana.ipc.ok('message.send', { conversationId: id, body: 'Hola Carla, lo reviso ahora' });
    expect(sent.mutationId).toBe(1);

    // Optimistic at once, confirmed after the round trip.
    const mine = await ana.ipc.until('inbox.list', { view: { kind: 'mine' }, status: 'open' }, (l) =>
      l.some((c) => c.id === id && !c.pending),
    );
    expect(mine.find((c) => c.id === id)).toMatchObject({ assigneeId: 'user-ana', assigneeName: 'Ana', unreadCount: 0 });
    const messages = await ana.ipc.until('conversation.messages', { conversationId: id }, (ms) =>
      // Carla's page is open: the reply is delivered to it.
      ms.some((m) => m.body === 'Hola Carla, lo reviso ahora' && m.delivery === 'delivered'),
    );
    expect(bodies(messages, 'out')).toEqual(['Hola Carla, lo reviso ahora']);
    expect(messages.find((m) => m.direction === 'out')?.authorName).toBe('Ana');
    const events = messages.filter((m) => m.kind === 'event').map((m) => m.event);
    expect(events).toContainEqual({ type: 'assigned', assigneeId: 'user-ana', byId: 'user-ana' });
    // The timeline reads as it happened: the reply assigned the conversation, so the event line
    // comes right before the reply (not after it, as sorting by time and client-made id had it).
    expect(messages.map((m) => (m.kind === 'event' ? `[${m.event?.type}]` : m.body))).toEqual([
      'Hola, mi pedido no llegó',
      '[assigned]',
      'Hola Carla, lo reviso ahora',
    ]);
    const seqs = messages.map((m) => m.seq);
    expect(seqs.every((seq) => seq !== null)).toBe(true);
    expect([...seqs].sort((a, b) => a! - b!)).toEqual(seqs);
    expect((await ana.ipc.ok('sync.status', {})).pending).toBe(0);

    const reply = await carla.waitForAgentMessage((m) => m.body === 'Hola Carla, lo reviso ahora');
    expect(reply.authorName).toBe('Ana');

    // Bruno may not see Ana's conversations: it leaves his list, his mirror and his disk.
    await bruno.ipc.until('inbox.list', { view: { kind: 'unassigned' }, status: 'open' }, (l) => !l.some((c) => c.id === id));
    expect(await bruno.ipc.ok('conversation.get', { id })).toBeNull();
    expect(await bruno.ipc.ok('conversation.messages', { conversationId: id })).toEqual([]);
    const onDisk = readMirrorFile(bruno, (db) => ({
      conversations: (db.prepare('SELECT COUNT(*) AS n FROM conversations WHERE id = ?').get(id) as { n: number }).n,
      messages: (db.prepare('SELECT COUNT(*) AS n FROM messages WHERE conversation_id = ?').get(id) as { n: number }).n,
      bodies: (db.prepare("SELECT COUNT(*) AS n FROM messages WHERE body LIKE '%pedido no llegó%'").get() as { n: number }).n,
    }));
    expect(onDisk).toEqual({ conversations: 0, messages: 0, bodies: 0 });
    carla.close();
  });

  it('refuses bad input with a clear error and stores nothing', async () => {
    const item = (await ana.ipc.ok('inbox.list', { view: { kind: 'mine' }, status: 'open' })).find((c) => c.contactName === 'Carla');
    const before = await ana.ipc.ok('sync.status', {});
    const empty = await ana.ipc.call('message.send', { conversationId: item!.id, body: '   ' });
    expect(empty).toMatchObject({ ok: false, error: { code: 'EMPTY_MESSAGE' } });
    const badArgs = await ana.ipc.raw('conversation.setStatus', { conversationId: item!.id, status: 'archived' });
    expect(badArgs).toMatchObject({ ok: false, error: { code: 'INVALID_ARGS' } });
    const unknown = await ana.ipc.raw('conversation.delete', { id: item!.id });
    expect(unknown).toMatchObject({ ok: false, error: { code: 'INVALID_ARGS', message: 'Unknown operation: conversation.delete.' } });
    const missing = await ana.ipc.call('conversation.assign', { conversationId: 'no-such-conversation', assigneeId: null });
    expect(missing).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await ana.ipc.ok('sync.status', {})).toMatchObject({ pending: before.pending });
    const messages = await ana.ipc.ok('conversation.messages', { conversationId: item!.id });
    expect(bodies(messages, 'out')).toEqual(['Hola Carla, lo reviso ahora']);
  });
});
