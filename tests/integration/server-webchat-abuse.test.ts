// The public webchat under abuse (issue 12, class 4), against a real server process: a drive-by join makes
// nothing an agent sees (the contact comes with the first message); new visitors are counted per address
// (IPv6 per /48) and per inbox while visitors with a history are served; a socket that does not join (or a
// /sync socket that does not say hello) soon is closed; `seen` floods are coalesced; a `say` reusing an id
// stored elsewhere is refused by name. Addresses other than loopback come through X-Forwarded-For, which the
// server believes from loopback (BANDEJA_TRUST_PROXY).
import { randomUUID } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CloseCode, type Op } from '../../src-shared/protocol';
import type { WebchatServerFrame } from '../../src-shared/webchat';
import type { ServerProcess } from '../support/server-process';
import { startDemoServerOnTestDatabase } from '../support/test-store';
import { login, SyncPeer } from '../support/sync-peer';
import { WebchatCustomer } from '../support/webchat-customer';

let server: ServerProcess;
let token: string;
const open: { close(): void }[] = [];
const HANDSHAKE_MS = 1500;

beforeAll(async () => {
  server = await startDemoServerOnTestDatabase({
    BANDEJA_TRUST_PROXY: 'loopback',
    BANDEJA_HANDSHAKE_TIMEOUT_MS: String(HANDSHAKE_MS),
    BANDEJA_HANDSHAKE_MAX_FRAMES: '3',
    BANDEJA_LIMIT_WEBCHAT_NEW_VISITORS_PER_ADDRESS: '2/1m',
    BANDEJA_LIMIT_WEBCHAT_NEW_VISITORS_PER_INBOX: '6/1m',
  });
  token = (await login(server.url, 'ana@demo.test')).token;
});
afterEach(() => {
  for (const o of open.splice(0)) o.close();
});
afterAll(async () => {
  await server?.stop();
});

const from = (address: string) => ({ 'x-forwarded-for': address });

async function agent(): Promise<SyncPeer> {
  const peer = await SyncPeer.connect(server.url, { token });
  open.push(peer);
  return peer;
}

async function joinFrom(address: string, name: string, identity?: WebchatCustomer['identity'], slug = 'demo') {
  const customer = await WebchatCustomer.join(server.url, slug, name, identity, from(address));
  open.push(customer);
  return customer;
}

function expectHeldBack(frame: WebchatServerFrame, reason: string) {
  expect(frame).toMatchObject({ type: 'error', error: { code: 'RATE_LIMITED', params: { reason } } });
  expect(Number(frame.type === 'error' ? frame.error.params?.retryAfterMs : 0)).toBeGreaterThan(0);
}

/** The socket's close, or 'still open' after `ms`. */
function closedWithin(closed: Promise<{ code: number; reason: string }>, ms: number) {
  return Promise.race([closed, new Promise<'still open'>((resolve) => setTimeout(() => resolve('still open'), ms))]);
}

describe('visitors and contacts', () => {
  it('makes no contact for a visitor who only joins; her first message makes it', async () => {
    const ana = await agent();
    const before = ana.rowsOf('contact').size;
    const driveBy = [];
    for (let i = 0; i < 8; i++) driveBy.push(await joinFrom(`203.0.113.${10 + i}`, `Drive-by ${i}`));
    expect(driveBy.every((c) => c.history.length === 0)).toBe(true);
    // One of them writes: her contact arrives with her message, and it is the only new contact.
    const writer = driveBy[3]!;
    const said = await writer.say('Hola, ¿tienen talles grandes?');
    await ana.waitFor(() => ana.messages.has(said), 'the first message');
    const conversation = ana.conversations.get(ana.messages.get(said)!.conversationId)!;
    expect(ana.rowsOf('contact').get(conversation.contactId)).toMatchObject({ name: 'Drive-by 3' });
    expect(ana.rowsOf('contact').size).toBe(before + 1);
    // Back with her identity, she gets her chat; a wrong secret is still refused.
    const back = await joinFrom('203.0.113.13', 'Drive-by 3', writer.identity);
    expect(back.history.map((m) => m.id)).toEqual([said]);
    await expect(joinFrom('203.0.113.13', 'Impostor', { ...writer.identity, secret: 'x'.repeat(32) })).rejects.toThrow(/UNAUTHORIZED/);
  });

  it('counts new visitors per address (IPv6 per /48) and per inbox, and serves visitors with a history meanwhile', async () => {
    // In the second inbox (its own allowance of 6 new visitors a minute). A visitor with a history, from before the rush.
    const join = (address: string, name: string, identity?: WebchatCustomer['identity']) => joinFrom(address, name, identity, 'ventas');
    const regular = await join('192.0.2.80', 'Regular');
    await regular.say('Primera vez');

    // Two new visitors from one /48 (two different /64s) write; a third from that /48 waits.
    const a = await join('2001:db8:aa:1::1', 'A');
    const b = await join('2001:db8:aa:2::1', 'B');
    expect((await a.answerTo('hola A')).type).toBe('message');
    expect((await b.answerTo('hola B')).type).toBe('message');
    const c = await join('2001:db8:aa:3::9', 'C');
    const held = randomUUID();
    const cAnswer = await c.answerTo('hola C', held);
    expectHeldBack(cAnswer, 'newVisitor');
    expect(cAnswer.type === 'error' && cAnswer.messageId).toBe(held);
    // Other addresses: the inbox's sixth new visitor gets in; then its allowance is spent for anyone new.
    for (const address of ['2001:db8:bb::1', '198.51.100.7', '198.51.100.8'])
      expect((await (await join(address, address)).answerTo('hola')).type).toBe('message');
    const e = await join('198.51.100.9', 'E');
    expectHeldBack(await e.answerTo('hola E'), 'newVisitor');

    // The regular comes back during the rush and is served at once, however many new visitors wait.
    const again = await join('192.0.2.80', 'Regular', regular.identity);
    for (let i = 0; i < 3; i++) expect((await again.answerTo(`sigo aquí ${i}`)).type).toBe('message');
    // The held message was not stored.
    const cBack = await join('2001:db8:aa:3::9', 'C', c.identity);
    expect(cBack.history).toEqual([]);
  });
});

describe('sockets that do not join or say hello', () => {
  it('closes a webchat socket that does not join in time, or sends too many frames first', async () => {
    const idle = await WebchatCustomer.open(server.url, 'demo');
    open.push(idle);
    const closed = await closedWithin(idle.closed, HANDSHAKE_MS + 3000);
    expect(closed).toMatchObject({ code: CloseCode.policyViolation, reason: expect.stringMatching(/join expected within 2 s/) });

    const chatty = await WebchatCustomer.open(server.url, 'demo');
    open.push(chatty);
    for (let i = 0; i < 10; i++) chatty.ws.send(i % 2 ? '{"type":"seen","messageId":"x"}' : 'garbage');
    expect(await closedWithin(chatty.closed, 1000)).toMatchObject({
      code: CloseCode.policyViolation,
      reason: 'at most 3 frames before joining',
    });

    // A visitor who joins stays past the join time and keeps chatting.
    const carla = await joinFrom('203.0.113.40', 'Carla');
    await new Promise((resolve) => setTimeout(resolve, HANDSHAKE_MS + 500));
    expect((await carla.answerTo('sigo acá')).type).toBe('message');
  });

  it('closes a /sync socket that does not say hello in time, or sends too many frames first', async () => {
    const idle = await SyncPeer.connect(server.url, { token, skipHello: true });
    open.push(idle);
    expect(await closedWithin(idle.closed, HANDSHAKE_MS + 3000)).toMatchObject({
      code: CloseCode.policyViolation,
      reason: 'hello expected within 2 s',
    });
    const chatty = await SyncPeer.connect(server.url, { token, skipHello: true });
    open.push(chatty);
    for (let i = 0; i < 10; i++) chatty.sendRaw('{"type":"nope"}');
    expect(await closedWithin(chatty.closed, 1000)).toMatchObject({
      code: CloseCode.policyViolation,
      reason: 'at most 3 frames before hello',
    });
    // One that says hello stays.
    const ana = await agent();
    await new Promise((resolve) => setTimeout(resolve, HANDSHAKE_MS + 500));
    expect((await ana.push('presence.set', { presence: 'away' })).status).toBe('ok');
  });
});

describe('frames of a joined visitor', () => {
  it('coalesces a flood of seen frames: a few writes, not one per frame, and the newest is read', async () => {
    const ana = await agent();
    const carla = await joinFrom('203.0.113.60', 'Carla');
    const said = await carla.say('¿Me mandan el catálogo?');
    await ana.waitFor(() => ana.messages.has(said), 'her message');
    const conversationId = ana.messages.get(said)!.conversationId;
    const replies: string[] = [];
    for (let i = 0; i < 12; i++) {
      const id = uuidv7();
      await ana.push('message.send', { id, conversationId, body: `página ${i}` });
      replies.push(id);
    }
    await carla.waitForAgentMessage((m) => m.id === replies.at(-1));
    const start = ana.frames.length;
    // Seen for each reply in turn, as fast as the socket takes them.
    for (const id of replies) carla.send({ type: 'seen', messageId: id });
    await ana.waitFor(() => replies.every((id) => ana.messages.get(id)?.state === 'read'), 'every reply read');
    const readAt = new Set<number>();
    for (const f of ana.frames.slice(start))
      if (f.type === 'changes')
        for (const op of f.ops as Op[]) if (op.kind === 'message' && op.row.state === 'read') readAt.add(op.row.version);
    expect(readAt.size).toBeGreaterThanOrEqual(1);
    expect(readAt.size).toBeLessThanOrEqual(3);
  });

  it('refuses a say reusing an id stored elsewhere by name, the same way whoever holds it', async () => {
    const ana = await agent();
    const carla = await joinFrom('203.0.113.70', 'Carla');
    const hers = await carla.say('Mi pedido es el 4411');
    await ana.waitFor(() => ana.messages.has(hers), 'her message');
    const note = uuidv7();
    const conversationId = ana.messages.get(hers)!.conversationId;
    expect(await ana.push('note.add', { id: note, conversationId, body: 'cliente VIP', mentions: [] })).toMatchObject({ status: 'ok' });

    const mallory = await joinFrom('203.0.113.71', 'Mallory');
    await mallory.say('hola');
    const another = await mallory.answerTo('lo copio', hers);
    const noteAnswer = await mallory.answerTo('lo copio', note);
    expect(another).toEqual({
      type: 'error',
      messageId: hers,
      error: { code: 'INVALID_ARGS', message: 'This message could not be sent. Write it again.' },
    });
    expect(noteAnswer).toEqual({ ...another, messageId: note });
    // Nothing of Carla's moved, and Mallory's own messages still go.
    const carlaBack = await joinFrom('203.0.113.70', 'Carla', carla.identity);
    expect(carlaBack.history.map((m) => [m.id, m.body])).toEqual([[hers, 'Mi pedido es el 4411']]);
    expect((await mallory.answerTo('otra cosa')).type).toBe('message');
  });
});
