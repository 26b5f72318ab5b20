// Values the database cannot hold (a NUL character, a time beyond its range) must never jam an outbox:
// each is stored (after the contract's documented stripping) or refused with a clear code, and what comes
// after it lands. Seen through a real server process, a real client process (across a restart), the
// webchat socket and signed WhatsApp webhooks.
import Database from 'better-sqlite3';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Message } from '../../src-shared/domain';
import { startClientProcess, type ClientProcess } from '../support/client-process';
import { startServerProcess, type ServerProcess } from '../support/server-process';
import { demoPeople } from '../support/demo-people';
import { WebchatCustomer } from '../support/webchat-customer';
import { startWhatsAppCloud, type WhatsAppCloud } from '../support/whatsapp-cloud';
import { signIn, waitForConversation } from './sync-helpers';

const NUL = '\u0000';
/** Far beyond PostgreSQL's bigint (and any sane time). */
const FAR_FUTURE = 1e20;

let wa: WhatsAppCloud;
let server: ServerProcess;
const { peer, newConversation, signInAll, closeAll, closeLater } = demoPeople(() => server);

beforeAll(async () => {
  wa = await startWhatsAppCloud();
  server = await startServerProcess({ demo: true, env: wa.env });
  await signInAll();
});

afterAll(async () => {
  closeAll();
  await server?.stop();
  await wa?.close();
});

function mirrorFile(client: ClientProcess): string {
  const dir = join(client.dataDir, 'client', 'mirrors');
  const files = readdirSync(dir).filter((f) => f.endsWith('.sqlite'));
  if (files.length !== 1) throw new Error(`expected one mirror in ${dir}`);
  return join(dir, files[0]!);
}

describe('a push holding a value the database cannot hold', () => {
  it('is stored stripped or refused with a reason, and the same device’s next actions land', async () => {
    const conversationId = (await newConversation('Nadia')).conversationId;
    const ana = await peer('ana');
    const results = await ana.pushMany([
      { id: 1, name: 'note.add', args: { id: uuidv7(), conversationId, body: `antes${NUL}después`, mentions: [] }, clientTime: Date.now() },
      {
        id: 2,
        name: 'reminder.set',
        args: { id: uuidv7(), conversationId, dueAt: FAR_FUTURE, note: null, postpone: false },
        clientTime: Date.now(),
      },
      {
        id: 3,
        name: 'reminder.set',
        args: { id: uuidv7(), conversationId, dueAt: 2 ** 60, note: null, postpone: false },
        clientTime: Date.now(),
      },
      { id: 4, name: 'note.add', args: { id: uuidv7(), conversationId, body: 'ok', mentions: [`user-${NUL}`] }, clientTime: Date.now() },
      { id: 5, name: 'conversation.tag', args: { conversationId, add: [`vip${NUL}`], remove: [] }, clientTime: Date.now() },
      { id: 6, name: 'note.add', args: { id: uuidv7(), conversationId, body: 'después de todo', mentions: [] }, clientTime: Date.now() },
    ]);
    expect(results.map((r) => [r.id, r.status, r.error?.code ?? null])).toEqual([
      [1, 'ok', null],
      [2, 'rejected', 'INVALID_ARGS'],
      [3, 'rejected', 'INVALID_ARGS'],
      [4, 'rejected', 'INVALID_ARGS'],
      [5, 'ok', null],
      [6, 'ok', null],
    ]);
    expect(results[1]!.error?.message).toMatch(/dueAt/);
    const notes = () => [...ana.messages.values()].filter((m) => m.conversationId === conversationId && m.kind === 'note');
    await ana.waitFor(() => notes().length === 2, 'both notes');
    expect(notes().map((m) => m.body)).toEqual(['antesdespués', 'después de todo']);
    expect(ana.conversations.get(conversationId)?.tags).toEqual(['vip']);
  });
});

describe('a client whose outbox holds such a value', () => {
  it('refuses it at the IPC boundary or gets it stored, and its later actions land', async () => {
    const conversationId = (await newConversation('Olga')).conversationId;
    const ana = await startClientProcess({ serverUrl: server.url });
    try {
      await signIn(ana, server.url, 'ana@demo.test');
      await waitForConversation(ana, 'unassigned', 'Olga');
      await ana.ipc.ok('note.add', { conversationId, body: `uno${NUL}dos`, mentions: [] });
      const far = await ana.ipc.call('reminder.set', { conversationId, dueAt: FAR_FUTURE, note: null, postpone: false });
      expect(far.ok ? null : far.error.code).toBe('INVALID_ARGS');
      await ana.ipc.ok('note.add', { conversationId, body: 'tres', mentions: [] });
      await ana.ipc.until('sync.status', {}, (s) => s.state === 'online' && s.pending === 0);
      const notes = await ana.ipc.until('conversation.messages', { conversationId }, (ms) =>
        ms.filter((m) => m.kind === 'note').every((m) => m.delivery === 'sent'),
      );
      expect(notes.filter((m) => m.kind === 'note').map((m) => m.body)).toEqual(['unodos', 'tres']);
    } finally {
      await ana.stop();
    }
  });

  it('that an older version recorded: refused with its reason after a restart, and the rest lands', async () => {
    const conversationId = (await newConversation('Paula')).conversationId;
    const ana = await startClientProcess({ serverUrl: server.url });
    try {
      await signIn(ana, server.url, 'ana@demo.test');
      await waitForConversation(ana, 'unassigned', 'Paula');
      // Recorded offline (the server holds them back), then the process stops.
      await server.stop();
      await ana.ipc.until('sync.status', {}, (s) => s.state === 'offline');
      const first = await ana.ipc.ok('note.add', { conversationId, body: 'primera', mentions: [] });
      const reminder = await ana.ipc.ok('reminder.set', { conversationId, dueAt: Date.now() + 3_600_000, note: null, postpone: false });
      await ana.ipc.ok('note.add', { conversationId, body: 'tercera', mentions: [] });
      await ana.stop();
      // What an older version would have let through its contract: a NUL in a mention, a time out of range.
      const db = new Database(mirrorFile(ana));
      try {
        const args = (id: number) =>
          JSON.parse(db.prepare<[number], { args: string }>('SELECT args FROM outbox WHERE mutation_id = ?').get(id)!.args);
        db.prepare('UPDATE outbox SET args = ? WHERE mutation_id = ?').run(
          JSON.stringify({ ...args(first.mutationId), mentions: [`user-bruno${NUL}`] }),
          first.mutationId,
        );
        db.prepare('UPDATE outbox SET args = ? WHERE mutation_id = ?').run(
          JSON.stringify({ ...args(reminder.mutationId), dueAt: FAR_FUTURE }),
          reminder.mutationId,
        );
      } finally {
        db.close();
      }
      await server.restart();
      await ana.restart();
      await ana.ipc.until('sync.status', {}, (s) => s.state === 'online' && s.pending === 0, 30_000);
      const messages = await ana.ipc.ok('conversation.messages', { conversationId });
      const notes = messages.filter((m) => m.kind === 'note');
      expect(notes.map((m) => [m.body, m.delivery, m.failure?.code ?? null])).toEqual([
        ['tercera', 'sent', null],
        ['primera', 'failed', 'INVALID_ARGS'],
      ]);
      expect(await ana.ipc.ok('reminder.list', { conversationId })).toEqual([]);
    } finally {
      await ana.stop();
    }
  }, 120_000);
});

describe('a webchat customer', () => {
  it('gets a message with control characters stored without them, and a clear answer for one with nothing else', async () => {
    const carla = await WebchatCustomer.join(server.url, 'demo', `Carla${NUL}`);
    closeLater(carla);
    expect(carla.frames[0]).toMatchObject({ type: 'joined', name: 'Carla' });
    const id = await carla.say(`hola${NUL}\u0007 mundo`);
    expect(carla.frames.find((f) => f.type === 'message' && f.message.id === id)).toMatchObject({ message: { body: 'hola mundo' } });
    const start = carla.frames.length;
    carla.send({ type: 'say', id: crypto.randomUUID(), body: `${NUL}${NUL}` });
    const answer = await carla.waitFor((f) => f.type === 'error', 'an answer', start);
    expect(answer).toMatchObject({ type: 'error', error: { code: 'EMPTY_MESSAGE' } });
    // The socket still works.
    await carla.say('sigo aquí');
  });

  it('gets "not found" for a chat address holding a NUL, not a server error', async () => {
    const page = await fetch(`${server.url}/webchat/de%00mo`);
    expect(page.status).toBe(404);
    expect((await fetch(`${server.url}/webchat/demo`)).status).toBe(200);
  });
});

describe('a signed WhatsApp batch with one bad item', () => {
  it('stores every good item once, reports the bad one, and a retry stores nothing twice', async () => {
    const admin = await peer('admin');
    const seconds = () => String(Math.floor(Date.now() / 1000));
    const message = (from: string, id: string, text: string, timestamp = seconds()) => ({
      from,
      id,
      timestamp,
      type: 'text',
      text: { body: text },
    });
    const payload = wa.change({
      contacts: [
        { profile: { name: `Rosa${NUL}` }, wa_id: '5491177770001' },
        { profile: { name: 'Sara' }, wa_id: '5491177770002' },
      ],
      messages: [
        message('5491177770001', 'wamid.values.1', `uno${NUL}`),
        message('5491177770002', 'wamid.values.2', 'fuera de rango', '999999999999'),
        message('5491177770002', 'wamid.values.3', 'tres'),
        message('+54 9 11 7777', 'wamid.values.4', 'cuatro'),
        message('5491177770002', 'wamid.values.5', 'cinco'),
      ],
    });
    const inbound = () =>
      [...admin.messages.values()].filter((m: Message) => m.direction === 'in' && /^(uno|tres|cuatro|cinco|fuera)/.test(m.body));
    const first = await wa.postWebhook(server.url, payload);
    expect(first.status).toBe(200);
    await admin.waitFor(() => inbound().length >= 3, 'the good messages');
    const again = await wa.postWebhook(server.url, payload);
    expect(again.status).toBe(200);
    await new Promise((r) => setTimeout(r, 300));
    expect(
      inbound()
        .map((m) => m.body)
        .sort(),
    ).toEqual(['cinco', 'tres', 'uno']);
    const report = (await first.json()) as { refused?: { id?: string }[] };
    expect(report.refused?.map((r) => r.id)).toEqual(['wamid.values.2', 'wamid.values.4']);
    expect(server.stderr()).not.toContain('fuera de rango');
  });
});
