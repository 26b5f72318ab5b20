// A burst of actions recorded in one go (a bulk action, a run of clicks handled together) through the real
// client core, with its real mirror file, against a real server process: what comes after the records (the
// mirror.changed event, the dock badge, sending, the reminder scheduler) runs once for the burst and is
// still right: the badge counts what waits for me, every action reaches the server, a reminder set in the
// burst fires when due, and my customers' next messages are still told.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IpcEventName } from '../../src-shared/ipc';
import { createCore, type Core } from '../../src-main/core';
import { FakeClock } from '../support/fake-clock';
import { startServerProcess, type ServerProcess } from '../support/server-process';
import { DEMO_PASSWORD } from '../support/sync-peer';
import { recordingHost } from '../support/recording-host';
import { WebchatCustomer } from '../support/webchat-customer';

const MINUTE = 60_000;
let server: ServerProcess;
let core: Core;
let second: Core | undefined;
const customers: WebchatCustomer[] = [];

async function until<T>(probe: () => T | Promise<T>, what: string): Promise<NonNullable<T>> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = await probe();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  server = await startServerProcess({ demo: true });
});

afterAll(async () => {
  for (const c of customers) c.close();
  await core?.close();
  await second?.close();
  await server?.stop();
});

describe('a burst of recorded actions', () => {
  it('updates the badge once and rightly, sends every action, fires the reminder set in it, and still tells of new messages', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'bandeja-burst-'));
    const clock = new FakeClock(Date.now());
    const { host, shown, badges } = recordingHost(dataDir);
    core = createCore({ host, lang: 'en', defaultServerUrl: server.url, clock, log: () => undefined });
    await core.ready;
    const events: { event: IpcEventName; conversationIds?: string[] }[] = [];
    core.events.onAny((event, payload) =>
      events.push({
        event,
        conversationIds: event === 'mirror.changed' ? (payload as { conversationIds: string[] }).conversationIds : undefined,
      }),
    );
    await core.login(server.url, 'ana@demo.test', DEMO_PASSWORD);
    await until(() => core.syncStatus().state === 'online', 'online');

    const names = ['Ráfaga Uno', 'Ráfaga Dos', 'Ráfaga Tres', 'Ráfaga Cuatro'];
    const people = await Promise.all(names.map((name) => WebchatCustomer.join(server.url, 'demo', name)));
    customers.push(...people);
    for (const [i, p] of people.entries()) await p.say(`Hola, soy ${names[i]}`);
    const conversations = await until(() => {
      const { db } = core.reader();
      const rows = names.map(
        (name) =>
          db
            .prepare<[string], { id: string }>(
              'SELECT c.id FROM conversations_view c JOIN contacts ct ON ct.id = c.contact_id WHERE ct.name = ? AND c.pending = 0',
            )
            .get(name)?.id,
      );
      return rows.every(Boolean) ? (rows as string[]) : null;
    }, 'the four conversations');
    clock.advance(2000);
    const waitingBefore = badges.at(-1)!;
    const badgesBefore = badges.length;
    const toastsBefore = shown.length;
    events.length = 0;

    // One synchronous run: take all four; answer the first; close the second; a reminder on the third in
    // ten minutes; a note on the fourth.
    const [first, second, third, fourth] = conversations as [string, string, string, string];
    for (const id of conversations) core.mutate('conversation.assign', { conversationId: id, assigneeId: 'user-ana' });
    core.sendMessage(first, 'Hola, ¿en qué te ayudo?');
    core.mutate('conversation.close', { conversationId: second, note: null, categoryId: null });
    const reminderId = randomUUID();
    core.mutate('reminder.set', {
      id: reminderId,
      conversationId: third,
      dueAt: clock.now() + 10 * MINUTE,
      note: 'Volver',
      postpone: false,
    });
    core.addNote(fourth, 'Cliente frecuente', []);
    await Promise.resolve();

    // The third and the fourth wait for Ana: the badge moved once, by two.
    expect(badges.slice(badgesBefore)).toEqual([waitingBefore + 2]);
    const changed = events.filter((e) => e.event === 'mirror.changed');
    expect(changed).toHaveLength(1);
    expect(new Set(changed[0]!.conversationIds)).toEqual(new Set(conversations));

    await until(() => core.syncStatus().pending === 0, 'every action confirmed');
    expect(core.syncStatus().lastError).toBeNull();
    const { db } = core.reader();
    const assigned = db
      .prepare<[], { n: number }>(
        `SELECT COUNT(*) AS n FROM conversations WHERE assignee_id = 'user-ana' AND id IN (${conversations.map(() => '?').join(', ')})`,
      )
      .get(...(conversations as []))!.n;
    // The server holds all four with Ana (the demo inbox keeps the assignee of a closed conversation).
    expect(assigned).toBe(4);
    expect(badges.at(-1)).toBe(waitingBefore + 2);

    // Ten minutes later the reminder set in the burst fires.
    clock.advance(10 * MINUTE + 2000);
    expect(shown.slice(toastsBefore).filter((n) => n.tag.startsWith('reminder:'))).toEqual([
      {
        tag: `reminder:${reminderId}`,
        title: 'Reminder: Ráfaga Tres',
        body: 'Volver',
        conversationId: third,
        messageId: null,
        sound: true,
      },
    ]);

    // The first customer writes again: told, and waiting for Ana again.
    await people[0]!.say('Quiero cambiar mi pedido');
    await until(
      () =>
        db.prepare<[string], { n: number }>("SELECT COUNT(*) AS n FROM messages WHERE conversation_id = ? AND direction = 'in'").get(first)!
          .n === 2,
      'the new message',
    );
    clock.advance(1000);
    expect(shown.slice(toastsBefore).filter((n) => n.tag === `message:${first}`)).toEqual([
      {
        tag: `message:${first}`,
        title: 'Ráfaga Uno',
        body: 'Quiero cambiar mi pedido',
        conversationId: first,
        messageId: expect.any(String),
        sound: true,
      },
    ]);
    expect(badges.at(-1)).toBe(waitingBefore + 3);
  });

  it('when the dock badge cannot be set, the recorded actions are still sent and a reminder set with them still fires', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'bandeja-burst-badge-'));
    const clock = new FakeClock(Date.now());
    let badgeBroken = false;
    const logged: string[] = [];
    const { host, shown } = recordingHost(dataDir, () => {
      if (badgeBroken) throw new Error('the dock is gone');
    });
    second = createCore({ host, lang: 'en', defaultServerUrl: server.url, clock, log: (m) => logged.push(m) });
    await second.ready;
    await second.login(server.url, 'bruno@demo.test', DEMO_PASSWORD);
    await until(() => second!.syncStatus().state === 'online', 'online');
    const customer = await WebchatCustomer.join(server.url, 'demo', 'Sin Insignia');
    customers.push(customer);
    await customer.say('Hola, ¿hay alguien?');
    const conversationId = await until(
      () =>
        second!
          .reader()
          .db.prepare<[string], { id: string }>(
            'SELECT c.id FROM conversations_view c JOIN contacts ct ON ct.id = c.contact_id WHERE ct.name = ? AND c.pending = 0',
          )
          .get('Sin Insignia')?.id,
      'the conversation',
    );

    badgeBroken = true;
    second.mutate('conversation.assign', { conversationId, assigneeId: 'user-bruno' });
    const reminderId = randomUUID();
    second.mutate('reminder.set', { id: reminderId, conversationId, dueAt: clock.now() + 5 * MINUTE, note: 'Mirar', postpone: false });
    await Promise.resolve();
    expect(logged.some((m) => m.includes('the dock is gone'))).toBe(true);

    await until(() => second!.syncStatus().pending === 0, 'both actions confirmed');
    expect(second.syncStatus().lastError).toBeNull();
    const assignee = second
      .reader()
      .db.prepare<[string], { assignee_id: string | null }>('SELECT assignee_id FROM conversations WHERE id = ?')
      .get(conversationId)?.assignee_id;
    expect(assignee).toBe('user-bruno');

    clock.advance(5 * MINUTE + 2000);
    expect(shown.filter((n) => n.tag === `reminder:${reminderId}`)).toHaveLength(1);
  });
});
