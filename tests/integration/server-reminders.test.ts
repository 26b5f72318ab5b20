// Reminders, snoozing until due and the chosen presence, enforced by a real server process (PGlite on
// disk, real sockets, a webchat customer on the customer socket). Checked from the outside, as clients
// see it.
import { v7 as uuidv7 } from 'uuid';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Conversation, Reminder, User } from '../../src-shared/domain';
import { startServerProcess, type ServerProcess } from '../support/server-process';
import { login, SyncPeer } from '../support/sync-peer';
import { WebchatCustomer } from '../support/webchat-customer';

let server: ServerProcess;
const tokens: Record<string, string> = {};
const open: { close(): void }[] = [];

beforeAll(async () => {
  server = await startServerProcess({ demo: true });
  for (const who of ['ana', 'bruno']) tokens[who] = (await login(server.url, `${who}@demo.test`)).token;
});

afterEach(() => {
  for (const o of open.splice(0)) o.close();
});

afterAll(async () => {
  await server?.stop();
});

async function peer(who: string): Promise<SyncPeer> {
  const p = await SyncPeer.connect(server.url, { token: tokens[who]! });
  open.push(p);
  return p;
}

async function customer(name: string): Promise<WebchatCustomer> {
  const c = await WebchatCustomer.join(server.url, 'demo', name);
  open.push(c);
  return c;
}

/** A customer writes and Ana takes the conversation; returns it as Ana's socket has it. */
async function anasConversation(ana: SyncPeer, name: string): Promise<{ conversation: Conversation; customer: WebchatCustomer }> {
  const c = await customer(name);
  const from = ana.frames.length;
  await c.say(`Hola, soy ${name}`);
  const frame = await ana.waitForOp((op) => op.kind === 'conversation' && op.row.lastMessagePreview === `Hola, soy ${name}`, name, from);
  const op = frame.ops.find((o) => o.kind === 'conversation' && o.row.lastMessagePreview === `Hola, soy ${name}`)!;
  const id = op.kind === 'conversation' ? op.row.id : '';
  expect(await ana.push('conversation.assign', { conversationId: id, assigneeId: 'user-ana' })).toMatchObject({ status: 'ok' });
  return { conversation: ana.conversations.get(id)!, customer: c };
}

describe('postponing until a reminder is due', () => {
  it('keeps the conversation snoozed when the customer writes, then wakes it at the due time, to the top', async () => {
    const ana = await peer('ana');
    const { conversation, customer: carla } = await anasConversation(ana, 'Carla');
    // Short enough for a test, long enough that the customer writes before it.
    const dueAt = Date.now() + 4000;
    const reminderId = uuidv7();
    expect(
      await ana.push('reminder.set', { id: reminderId, conversationId: conversation.id, dueAt, note: 'Llamar', postpone: true }),
    ).toMatchObject({
      status: 'ok',
    });
    expect(ana.conversations.get(conversation.id)).toMatchObject({ status: 'snoozed', snoozedUntil: dueAt });
    expect(ana.rowsOf('reminder').get(reminderId)).toMatchObject({
      userId: 'user-ana',
      state: 'active',
      dueAt,
      note: 'Llamar',
      postpone: true,
    });

    const from = ana.frames.length;
    await carla.say('¿Hay novedades?');
    await ana.waitForOp((op) => op.kind === 'message' && op.row.body === '¿Hay novedades?', 'the customer message', from);
    // Still snoozed, still until the due time, but the customer's words are counted.
    expect(ana.conversations.get(conversation.id)).toMatchObject({ status: 'snoozed', snoozedUntil: dueAt, unreadCount: 2 });

    // The server's own timer wakes it, with nobody pushing anything.
    await ana.waitForOp(
      (op) => op.kind === 'conversation' && op.row.id === conversation.id && op.row.status === 'open',
      'the wake-up',
      from,
    );
    const woken = ana.conversations.get(conversation.id)!;
    expect(woken).toMatchObject({ status: 'open', snoozedUntil: null, lastMessageAt: dueAt });
    const events = [...ana.messages.values()].filter((m) => m.conversationId === conversation.id && m.kind === 'event').map((m) => m.event);
    expect(events).toContainEqual({ type: 'status', status: 'snoozed', byId: 'user-ana' });
    expect(events).toContainEqual({ type: 'status', status: 'open', byId: null });
    // The reminder itself stays active (overdue) until Ana dismisses it or marks it done.
    expect(ana.rowsOf('reminder').get(reminderId)?.state).toBe('active');
  });

  it('without postpone, a customer message wakes a snoozed conversation', async () => {
    const ana = await peer('ana');
    const { conversation, customer: diego } = await anasConversation(ana, 'Diego');
    const dueAt = Date.now() + 3_600_000;
    expect(
      await ana.push('reminder.set', { id: uuidv7(), conversationId: conversation.id, dueAt, note: null, postpone: false }),
    ).toMatchObject({
      status: 'ok',
    });
    expect(ana.conversations.get(conversation.id)).toMatchObject({ status: 'open', snoozedUntil: null });
    expect(await ana.push('conversation.setStatus', { conversationId: conversation.id, status: 'snoozed' })).toMatchObject({
      status: 'ok',
    });
    const from = ana.frames.length;
    await diego.say('Sigo aquí');
    await ana.waitForOp(
      (op) => op.kind === 'conversation' && op.row.id === conversation.id && op.row.status === 'open',
      'woken by the customer',
      from,
    );
  });

  it('a wake time that passed while the server was down wakes the conversation at start', async () => {
    const ana = await peer('ana');
    const { conversation } = await anasConversation(ana, 'Elena');
    const dueAt = Date.now() + 1500;
    expect(
      await ana.push('reminder.set', { id: uuidv7(), conversationId: conversation.id, dueAt, note: null, postpone: true }),
    ).toMatchObject({
      status: 'ok',
    });
    for (const o of open.splice(0)) o.close();
    await server.stop();
    // Down across the due time: nothing woke it.
    while (Date.now() <= dueAt) await new Promise((r) => setTimeout(r, dueAt - Date.now() + 1));
    await server.restart();
    const again = await peer('ana');
    await again.waitFor(() => again.conversations.get(conversation.id)?.status === 'open', 'the conversation woken at start');
    expect(again.conversations.get(conversation.id)).toMatchObject({ snoozedUntil: null, lastMessageAt: dueAt });
  });
});

describe('reminders belong to their owner', () => {
  it('reach only the owner (live and in a snapshot); others may not change them; state only moves forward', async () => {
    const ana = await peer('ana');
    const bruno = await peer('bruno');
    const { conversation } = await anasConversation(ana, 'Fabio');
    const id = uuidv7();
    const dueAt = Date.now() + 3_600_000;
    expect(await ana.push('reminder.set', { id, conversationId: conversation.id, dueAt, note: 'volver', postpone: false })).toMatchObject({
      status: 'ok',
    });

    // Bruno cannot dismiss it, nor move it (he does not even learn it exists).
    expect(await bruno.push('reminder.setState', { id, state: 'dismissed' })).toMatchObject({
      status: 'rejected',
      error: { code: 'NOT_FOUND' },
    });
    const stolen = await bruno.push('reminder.set', { id, conversationId: conversation.id, dueAt: dueAt + 1, note: null, postpone: false });
    expect(stolen.status).toBe('rejected');
    expect(bruno.rowsOf('reminder').size).toBe(0);
    const brunoLater = await peer('bruno');
    expect(brunoLater.rowsOf('reminder').size).toBe(0);

    // Forward only: done, then a late "dismissed" from another device changes nothing (and is no error).
    expect(await ana.push('reminder.setState', { id, state: 'done' })).toMatchObject({ status: 'ok' });
    expect(await ana.push('reminder.setState', { id, state: 'dismissed' })).toMatchObject({ status: 'ok' });
    // A late move of the finished reminder does not bring it back either.
    expect(
      await ana.push('reminder.set', { id, conversationId: conversation.id, dueAt: dueAt + 5, note: null, postpone: true }),
    ).toMatchObject({
      status: 'ok',
    });
    const anaAgain = await peer('ana');
    const row = anaAgain.rowsOf('reminder').get(id) as Reminder | undefined;
    expect(row).toMatchObject({ state: 'done', dueAt, note: 'volver' });
    expect(anaAgain.conversations.get(conversation.id)?.status).toBe('open');

    // Unknown reminder: a clear NOT_FOUND, nothing stored.
    expect(await ana.push('reminder.setState', { id: uuidv7(), state: 'done' })).toMatchObject({
      status: 'rejected',
      error: { code: 'NOT_FOUND' },
    });
  });
});

describe('presence chosen from the tray', () => {
  it('is what teammates see while connected, offline otherwise, and is remembered across connections', async () => {
    const bruno = await peer('bruno');
    const ana = await peer('ana');
    const presenceOf = (p: SyncPeer, id: string) => (p.rowsOf('user').get(id) as User | undefined)?.presence;
    await bruno.waitFor(() => presenceOf(bruno, 'user-ana') === 'online', 'Ana online');
    expect(await ana.push('presence.set', { presence: 'away' })).toMatchObject({ status: 'ok' });
    await bruno.waitFor(() => presenceOf(bruno, 'user-ana') === 'away', 'Ana away');
    ana.close();
    await bruno.waitFor(() => presenceOf(bruno, 'user-ana') === 'offline', 'Ana offline once disconnected');
    await peer('ana');
    await bruno.waitFor(() => presenceOf(bruno, 'user-ana') === 'away', 'Ana away again when she is back');
    expect(await (await peer('ana')).push('presence.set', { presence: 'busy' })).toMatchObject({
      status: 'rejected',
      error: { code: 'INVALID_ARGS' },
    });
  });
});
