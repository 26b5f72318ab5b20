// The sync server as clients see it: a real server process, real sockets, PGlite on disk.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MESSAGE_MAX_CHARS } from '../../src-shared/domain';
import { CloseCode, MAX_FRAME_BYTES, PROTOCOL_VERSION } from '../../src-shared/protocol';
import { prepareDemoStore, startServerProcess, type ServerProcess } from '../support/server-process';
import { login, SyncPeer } from '../support/sync-peer';
import { WebchatCustomer } from '../support/webchat-customer';

let server: ServerProcess;
const tokens: Record<string, string> = {};
const open: { close(): void }[] = [];

async function peer(who: 'ana' | 'bruno' | 'sofia', opts: Partial<Parameters<typeof SyncPeer.connect>[1]> = {}) {
  const p = await SyncPeer.connect(server.url, { token: tokens[who]!, ...opts });
  open.push(p);
  return p;
}

async function customer(name: string, slug = 'demo') {
  const c = await WebchatCustomer.join(server.url, slug, name);
  open.push(c);
  return c;
}

/** A customer writes; returns the conversation id as a supervisor's socket receives it. */
async function newConversation(name: string, slug = 'demo', text = `Hola, soy ${name}`) {
  const sofia = await peer('sofia');
  const c = await customer(name, slug);
  const messageId = await c.say(text);
  const frame = await sofia.waitForOp((op) => op.kind === 'message' && op.row.id === messageId, 'the customer message');
  const op = frame.ops.find((o) => o.kind === 'message' && o.row.id === messageId);
  sofia.close();
  if (op?.kind !== 'message') throw new Error('unreachable');
  return { conversationId: op.row.conversationId, customer: c, messageId };
}

/** Every conversation and message of the tenant, as a supervisor's fresh snapshot holds them.
 *  (The tenant's version is no measure of "nothing stored": presence changes move it too.) */
async function everything() {
  const p = await peer('sofia');
  p.close();
  const byId = <T extends { id: string }>(rows: Iterable<T>) => [...rows].sort((a, b) => a.id.localeCompare(b.id));
  return { conversations: byId(p.conversations.values()), messages: byId(p.messages.values()) };
}

/** The tenant's version as a fresh connection is told it. */
async function tenantVersion() {
  const p = await peer('sofia');
  p.close();
  return p.welcome!.version;
}

/** The conversation and its messages as a supervisor's fresh snapshot holds them. */
async function stored(conversationId: string) {
  const p = await peer('sofia');
  p.close();
  return {
    conversation: p.conversations.get(conversationId),
    messages: [...p.messages.values()].filter((m) => m.conversationId === conversationId),
  };
}

beforeAll(async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'bandeja-sync-'));
  await prepareDemoStore({ dataDir });
  server = await startServerProcess({ dataDir, demo: true });
  for (const who of ['ana', 'bruno', 'sofia'] as const) tokens[who] = (await login(server.url, `${who}@demo.test`)).token;
});

afterAll(async () => {
  for (const o of open) o.close();
  await server?.stop();
});

describe('live changes and visibility', () => {
  it('delivers a customer message to Ana and Bruno as changes, and Ana’s reply to the customer', async () => {
    const ana = await peer('ana');
    const bruno = await peer('bruno');
    const carla = await customer('Carla');
    const hello = await carla.say('Hola, ¿tienen envío a Lima?');

    const forAna = await ana.waitForOp((op) => op.kind === 'message' && op.row.id === hello, 'the message at Ana');
    await bruno.waitForOp((op) => op.kind === 'message' && op.row.id === hello, 'the message at Bruno');
    const msg = forAna.ops.find((o) => o.kind === 'message' && o.row.id === hello)!;
    if (msg.kind !== 'message') throw new Error('unreachable');
    const conversation = ana.conversations.get(msg.row.conversationId)!;
    expect(conversation).toMatchObject({ assigneeId: null, teamId: 'team-soporte', status: 'open', unreadCount: 1 });
    expect(conversation.waitingSince).not.toBeNull();
    expect(msg.row).toMatchObject({ direction: 'in', body: 'Hola, ¿tienen envío a Lima?' });

    const replyId = uuidv7();
    const result = await ana.push('message.send', { id: replyId, conversationId: conversation.id, body: 'Sí, enviamos a todo Perú.' });
    expect(result).toEqual({ id: 1, status: 'ok' });
    // pushResult comes after the changes it caused: Ana's base already has the reply.
    expect(ana.messages.get(replyId)).toMatchObject({ direction: 'out', authorId: 'user-ana', state: 'sent' });
    expect(ana.conversations.get(conversation.id)).toMatchObject({ assigneeId: 'user-ana', waitingSince: null, unreadCount: 0 });

    const reply = await carla.waitForAgentMessage((m) => m.id === replyId);
    expect(reply).toMatchObject({ from: 'agent', authorName: 'Ana', body: 'Sí, enviamos a todo Perú.' });
    // Replying assigned it to Ana, so it left Bruno's scope.
    await bruno.waitForOp((op) => op.kind === 'revoke' && op.conversationId === conversation.id, 'revoke at Bruno');
    expect(bruno.conversations.has(conversation.id)).toBe(false);
  });

  it('sends Bruno a revoke when Ana claims a conversation, and an event line to Ana', async () => {
    const { conversationId } = await newConversation('Diego');
    const ana = await peer('ana');
    const bruno = await peer('bruno');
    expect(bruno.conversations.has(conversationId)).toBe(true);
    const mark = bruno.frames.length;
    expect(await ana.push('conversation.assign', { conversationId, assigneeId: 'user-ana' })).toMatchObject({ status: 'ok' });
    await bruno.waitForOp((op) => op.kind === 'revoke' && op.conversationId === conversationId, 'revoke', mark);
    expect(bruno.conversations.has(conversationId)).toBe(false);
    expect([...bruno.messages.values()].some((m) => m.conversationId === conversationId)).toBe(false);
    const events = [...ana.messages.values()].filter((m) => m.conversationId === conversationId && m.kind === 'event');
    expect(events.map((m) => m.event)).toEqual([{ type: 'assigned', assigneeId: 'user-ana', byId: 'user-ana' }]);
  });

  it('sends a conversation’s whole history when it enters a user’s scope', async () => {
    const { conversationId, messageId } = await newConversation('Elena');
    const ana = await peer('ana');
    await ana.push('conversation.assign', { conversationId, assigneeId: 'user-ana' });
    const bruno = await peer('bruno');
    expect(bruno.conversations.has(conversationId)).toBe(false);
    const mark = bruno.frames.length;
    await ana.push('conversation.assign', { conversationId, assigneeId: null });
    await bruno.waitForOp((op) => op.kind === 'conversation' && op.row.id === conversationId, 'the conversation', mark);
    expect(bruno.messages.get(messageId)).toMatchObject({ body: 'Hola, soy Elena' });
  });

  it('lets exactly one of two agents racing for the same conversation claim it', async () => {
    const { conversationId } = await newConversation('Fabio');
    const ana = await peer('ana');
    const bruno = await peer('bruno');
    const [a, b] = await Promise.all([
      ana.push('conversation.assign', { conversationId, assigneeId: 'user-ana' }),
      bruno.push('conversation.assign', { conversationId, assigneeId: 'user-bruno' }),
    ]);
    const statuses = [a.status, b.status].sort();
    expect(statuses).toEqual(['ok', 'rejected']);
    const loser = a.status === 'rejected' ? a : b;
    const winner = a.status === 'ok' ? 'user-ana' : 'user-bruno';
    expect(loser.error).toMatchObject({ code: 'ALREADY_ASSIGNED', params: { assigneeId: winner } });
    const after = await stored(conversationId);
    expect(after.conversation?.assigneeId).toBe(winner);
    expect(after.messages.filter((m) => m.kind === 'event')).toHaveLength(1);
  });
});

describe('forged and invalid mutations', () => {
  it('refuses Bruno acting on Ana’s conversation, and changes nothing', async () => {
    const { conversationId } = await newConversation('Gabriela');
    const ana = await peer('ana');
    await ana.push('conversation.assign', { conversationId, assigneeId: 'user-ana' });
    const before = await stored(conversationId);

    const bruno = await peer('bruno');
    const send = await bruno.push('message.send', { id: uuidv7(), conversationId, body: 'Hola, soy Bruno' });
    const claim = await bruno.push('conversation.assign', { conversationId, assigneeId: 'user-bruno' });
    const give = await bruno.push('conversation.assign', { conversationId, assigneeId: null });
    const close = await bruno.push('conversation.setStatus', { conversationId, status: 'closed' });
    // Bruno's team owns it, so he is told someone took it, and who.
    for (const r of [send, claim, give, close])
      expect(r.error).toMatchObject({ code: 'ALREADY_ASSIGNED', params: { assigneeId: 'user-ana' } });
    expect(bruno.conversations.has(conversationId)).toBe(false);
    expect(await stored(conversationId)).toEqual(before);
  });

  it('answers NOT_FOUND for a conversation outside Ana’s teams (as for an id nobody uses), and changes nothing', async () => {
    const { conversationId } = await newConversation('Hugo', 'ventas');
    const before = await stored(conversationId);
    expect(before.conversation).toMatchObject({ teamId: 'team-ventas', assigneeId: null });
    const ana = await peer('ana');
    expect(ana.conversations.has(conversationId)).toBe(false);
    const send = await ana.push('message.send', { id: uuidv7(), conversationId, body: 'Hola' });
    const claim = await ana.push('conversation.assign', { conversationId, assigneeId: 'user-ana' });
    const read = await ana.push('conversation.markRead', { conversationId });
    for (const r of [send, claim, read]) expect(r).toMatchObject({ status: 'rejected', error: { code: 'NOT_FOUND' } });
    expect(await stored(conversationId)).toEqual(before);
  });

  it('answers NOT_FOUND for a conversation that does not exist', async () => {
    const ana = await peer('ana');
    const r = await ana.push('conversation.assign', { conversationId: 'no-such-conversation', assigneeId: 'user-ana' });
    expect(r).toMatchObject({ status: 'rejected', error: { code: 'NOT_FOUND' } });
  });

  it('rejects a message over MESSAGE_MAX_CHARS, advances the counter and stores nothing', async () => {
    const { conversationId } = await newConversation('Inés');
    const ana = await peer('ana');
    const tooLong = uuidv7();
    const version = await tenantVersion();
    const [rejected] = await ana.pushMany([
      { id: 1, name: 'message.send', args: { id: tooLong, conversationId, body: 'x'.repeat(MESSAGE_MAX_CHARS + 1) }, clientTime: 1 },
    ]);
    expect(rejected).toMatchObject({ id: 1, status: 'rejected', error: { code: 'MESSAGE_TOO_LONG' } });
    const result = ana.frames.findLast((f) => f.type === 'pushResult');
    expect(result).toMatchObject({ lmid: 1 });
    const after = await stored(conversationId);
    expect(after.messages.some((m) => m.id === tooLong)).toBe(false);
    expect(after.conversation).toMatchObject({ assigneeId: null });
    // The next id is the one expected now.
    expect(await ana.push('message.send', { id: uuidv7(), conversationId, body: 'ok' }, 2)).toMatchObject({ status: 'ok' });
    expect(await tenantVersion()).toBeGreaterThan(version);
  });

  it('rejects unknown mutations and bad arguments with their codes', async () => {
    const ana = await peer('ana');
    expect(await ana.push('conversation.explode', {})).toMatchObject({ status: 'rejected', error: { code: 'UNKNOWN_MUTATION' } });
    expect(await ana.push('conversation.setStatus', { conversationId: 'x', status: 'gone' })).toMatchObject({
      status: 'rejected',
      error: { code: 'INVALID_ARGS' },
    });
  });
});

describe('exactly once', () => {
  it('answers a resend with already and stores nothing twice; a gap is outOfOrder', async () => {
    const { conversationId } = await newConversation('Julia');
    const clientId = crypto.randomUUID();
    const ana = await peer('ana', { clientId });
    const id = uuidv7();
    const send = { id: 1, name: 'message.send', args: { id, conversationId, body: 'Una sola vez' }, clientTime: 1 };
    expect(await ana.pushMany([send])).toEqual([{ id: 1, status: 'ok' }]);
    ana.close();

    // The same device after a reconnect, as if it never saw the result.
    const again = await peer('ana', { clientId, epoch: ana.epoch, cursor: ana.cursor });
    expect(again.welcome).toMatchObject({ lmid: 1, bootstrap: false });
    const bad = { id: 2, name: 'message.send', args: { id: uuidv7(), conversationId, body: '' }, clientTime: 2 };
    expect(await again.pushMany([send, bad])).toEqual([
      { id: 1, status: 'already' },
      { id: 2, status: 'rejected', error: expect.objectContaining({ code: 'EMPTY_MESSAGE' }) },
    ]);
    // A rejection's stored result comes back on a resend.
    expect(await again.pushMany([bad])).toEqual([{ id: 2, status: 'already', error: expect.objectContaining({ code: 'EMPTY_MESSAGE' }) }]);
    expect(await again.pushMany([{ id: 5, name: 'conversation.markRead', args: { conversationId }, clientTime: 3 }])).toEqual([
      { id: 5, status: 'outOfOrder' },
    ]);
    expect(again.frames.findLast((f) => f.type === 'pushResult')).toMatchObject({ lmid: 2 });
    const after = await stored(conversationId);
    expect(after.messages.filter((m) => m.body === 'Una sola vez')).toHaveLength(1);
  });

  it('binds a clientId to its user: another user presenting it gets CLIENT_MISMATCH', async () => {
    const clientId = crypto.randomUUID();
    (await peer('ana', { clientId })).close();
    const bruno = await peer('bruno', { clientId, skipHello: true });
    await expect(bruno.hello()).rejects.toThrow(/CLIENT_MISMATCH/);
    expect((await bruno.closed).code).toBe(CloseCode.policyViolation);
  });

  it('catches a reconnecting client up from its cursor without a snapshot', async () => {
    const ana = await peer('ana');
    const { epoch, cursor } = ana;
    ana.close();
    const { messageId } = await newConversation('Karla');
    const back = await peer('ana', { clientId: ana.clientId, epoch, cursor });
    expect(back.welcome?.bootstrap).toBe(false);
    expect(back.frames.some((f) => f.type === 'snapshotBegin')).toBe(false);
    await back.waitForOp((op) => op.kind === 'message' && op.row.id === messageId, 'the missed message');
  });
});

describe('bad input', () => {
  it('answers malformed and unknown frames with an error, keeps the connection and stores nothing', async () => {
    const before = await everything();
    const ana = await peer('ana');
    ana.sendRaw('{not json');
    await ana.waitFor((f) => f.type === 'error' && f.error.code === 'BAD_FRAME' && !f.fatal, 'BAD_FRAME');
    ana.send({ type: 'push', mutations: 'lots' });
    await ana.waitFor(
      (f) => f.type === 'error' && f.error.code === 'BAD_FRAME' && f.error.message !== 'The frame is not valid JSON.',
      'second BAD_FRAME',
    );
    ana.send({ type: 'gimme', all: true });
    await ana.waitFor((f) => f.type === 'error' && f.error.code === 'UNKNOWN_FRAME' && !f.fatal, 'UNKNOWN_FRAME');
    expect(await everything()).toEqual(before);
    // Still alive: a push is answered.
    expect(await ana.push('conversation.markRead', { conversationId: 'nope' })).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });

  it('closes with 1009 on a frame over MAX_FRAME_BYTES and stores nothing', async () => {
    const { conversationId } = await newConversation('Lucía');
    const before = await everything();
    const ana = await peer('ana');
    const body = 'y'.repeat(MAX_FRAME_BYTES);
    ana.send({ type: 'push', mutations: [{ id: 1, name: 'message.send', args: { id: uuidv7(), conversationId, body }, clientTime: 1 }] });
    expect((await ana.closed).code).toBe(CloseCode.tooBig);
    expect(await everything()).toEqual(before);
  });

  it('refuses a push before hello, a bad token and another protocol, closing the socket', async () => {
    const early = await peer('ana', { skipHello: true });
    early.send({ type: 'push', mutations: [{ id: 1, name: 'conversation.markRead', args: { conversationId: 'x' }, clientTime: 1 }] });
    await early.waitFor((f) => f.type === 'error' && f.error.code === 'UNAUTHORIZED' && f.fatal, 'UNAUTHORIZED');
    expect((await early.closed).code).toBe(CloseCode.unauthorized);

    const forged = await peer('ana', { skipHello: true, token: 'not-a-token' });
    await expect(forged.hello()).rejects.toThrow(/UNAUTHORIZED/);
    expect((await forged.closed).code).toBe(CloseCode.unauthorized);

    const old = await peer('ana', { skipHello: true, hello: { protocol: PROTOCOL_VERSION + 1 } });
    await expect(old.hello()).rejects.toThrow(/PROTOCOL_MISMATCH/);
    expect((await old.closed).code).toBe(CloseCode.protocolMismatch);
  });
});

describe('webchat', () => {
  it('stores a resent message once and restores the history on rejoin', async () => {
    const maria = await customer('María');
    const id = await maria.say('¿Puedo cambiar la talla?');
    await maria.say('¿Puedo cambiar la talla?', id);
    maria.close();
    const back = await WebchatCustomer.join(server.url, 'demo', 'María', maria.identity);
    open.push(back);
    expect(back.history.map((m) => [m.id, m.from, m.body])).toEqual([[id, 'customer', '¿Puedo cambiar la talla?']]);
  });

  it('refuses a visitor id with the wrong secret', async () => {
    const nora = await customer('Nora');
    await nora.say('hola');
    await expect(
      WebchatCustomer.join(server.url, 'demo', 'Nora', { visitorId: nora.identity.visitorId, secret: 'x'.repeat(32) }),
    ).rejects.toThrow(/UNAUTHORIZED/);
  });

  it('serves the page with a CSP and a 404 for an unknown slug', async () => {
    const page = await fetch(`${server.url}/webchat/demo?lang=en`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'none'; script-src 'sha256-/);
    expect(await page.text()).toContain('role="log"');
    const missing = await fetch(`${server.url}/webchat/nope`);
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain('Chat not found');
    await expect(WebchatCustomer.open(server.url, 'nope')).rejects.toThrow(/404/);
  });
});
