// The server's snooze timer (src-server/sync/snoozes.ts) on a real PGlite store with the demo tenant: a
// due conversation wakes in one commit with its status event; a pass that finds nothing left to wake
// takes no version (a version wakes every connection of the tenant); and only a push that snoozes a
// conversation until a time asks for the timer (src-server/app.ts re-arms it on that effect alone).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { seedDemo } from '../../src-server/demo';
import { openPglite, type Db } from '../../src-server/store/db';
import { migrate } from '../../src-server/store/migrate';
import { getTenant } from '../../src-server/store/tenants';
import type { SyncConnection } from '../../src-server/sync/connection';
import { SyncHub } from '../../src-server/sync/hub';
import { processPush } from '../../src-server/sync/push';
import { SnoozeWaker } from '../../src-server/sync/snoozes';
import { getUser } from '../../src-server/store/directory';
import { v7 as uuidv7 } from 'uuid';

const CONVERSATION = 'conversation-wa-lucia';
let db: Db;

beforeEach(async () => {
  db = await openPglite(join(mkdtempSync(join(tmpdir(), 'bandeja-snoozes-')), 'pgdata'));
  await migrate(db);
  await seedDemo(db);
});

afterEach(async () => {
  await db.close();
});

/** A hub with one connection that counts how often it is told to catch up. */
function watchedHub(): { hub: SyncHub; pokes: { n: number } } {
  const hub = new SyncHub();
  const pokes = { n: 0 };
  hub.add('demo', { userId: 'user-ana', catchUp: () => void pokes.n++ } as unknown as SyncConnection);
  return { hub, pokes };
}

async function snoozeUntil(at: number): Promise<void> {
  await db.query("UPDATE conversations SET status = 'snoozed', snoozed_until = $2 WHERE id = $1", [CONVERSATION, at]);
}

async function statusEvents(): Promise<number> {
  const [row] = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM messages WHERE conversation_id = $1 AND kind = 'event'", [
    CONVERSATION,
  ]);
  return row!.n;
}

describe('SnoozeWaker', () => {
  it('wakes a due conversation to Open in one commit, with a status event, and pokes the tenant', async () => {
    const now = Date.now();
    await snoozeUntil(now - 1000);
    const before = (await getTenant(db, 'demo'))!.version;
    const { hub, pokes } = watchedHub();
    const waker = new SnoozeWaker(
      db,
      hub,
      (line) => expect.fail(line),
      () => now,
    );
    await waker.schedule();
    await waker.stop();
    const [c] = await db.query<{ status: string; snoozed_until: number | null }>(
      'SELECT status, snoozed_until FROM conversations WHERE id = $1',
      [CONVERSATION],
    );
    expect(c).toEqual({ status: 'open', snoozed_until: null });
    expect(await statusEvents()).toBe(1);
    expect((await getTenant(db, 'demo'))!.version).toBe(before + 1);
    expect(pokes.n).toBe(1);
  });

  it('takes no version and pokes nobody when what looked due was opened meanwhile', async () => {
    const now = Date.now();
    await snoozeUntil(now - 1000);
    const before = (await getTenant(db, 'demo'))!.version;
    // An agent opens the conversation between the timer's look for due rows and its transaction.
    const racing: Db = {
      ...db,
      query: (sql, params) => db.query(sql, params),
      exec: (sql) => db.exec(sql),
      close: () => db.close(),
      async tx(fn, opts) {
        await db.query("UPDATE conversations SET status = 'open', snoozed_until = NULL WHERE id = $1", [CONVERSATION]);
        return db.tx(fn, opts);
      },
    };
    const { hub, pokes } = watchedHub();
    const waker = new SnoozeWaker(
      racing,
      hub,
      (line) => expect.fail(line),
      () => now,
    );
    await waker.schedule();
    await waker.stop();
    expect(await statusEvents()).toBe(0);
    expect((await getTenant(db, 'demo'))!.version).toBe(before);
    expect(pokes.n).toBe(0);
  });
});

describe('pushes and the snooze timer', () => {
  it('asks for the timer only when a push snoozes a conversation until a time', async () => {
    const ana = (await getUser(db, 'user-ana'))!;
    await db.query("INSERT INTO clients (id, user_id, last_mutation_id, created_at) VALUES ('client-ana', 'user-ana', 0, 0)");
    let next = 0;
    const push = async (name: string, args: unknown) => {
      const outcome = await processPush(db, ana, 'client-ana', [{ id: ++next, name, args, clientTime: 0 }], expect.fail, 'http://x');
      expect(outcome.results).toEqual([{ id: next, status: 'ok' }]);
      return outcome.effects.filter((e) => e.kind === 'snoozed');
    };
    const conversationId = 'conversation-wa-joao';
    const dueAt = Date.now() + 3_600_000;
    // Ana's own conversation: tagging, a note and a reminder that does not postpone never snooze it.
    expect(await push('conversation.tag', { conversationId, add: ['vip'], remove: [] })).toEqual([]);
    expect(await push('note.add', { id: uuidv7(), conversationId, body: 'Llamar el lunes', mentions: [] })).toEqual([]);
    const reminderId = uuidv7();
    expect(await push('reminder.set', { id: reminderId, conversationId, dueAt, note: null, postpone: false })).toEqual([]);
    // Postponing snoozes it until the reminder is due: the timer must know.
    expect(await push('reminder.set', { id: reminderId, conversationId, dueAt, note: null, postpone: true })).toEqual([
      { kind: 'snoozed', conversationId, until: dueAt },
    ]);
    // Moved sooner: the timer must know again. Reopening by hand ends the snooze: nothing to bring forward.
    expect(await push('reminder.set', { id: reminderId, conversationId, dueAt: dueAt - 60_000, note: null, postpone: true })).toEqual([
      { kind: 'snoozed', conversationId, until: dueAt - 60_000 },
    ]);
    expect(await push('conversation.setStatus', { conversationId, status: 'open' })).toEqual([]);
    expect(
      await push('conversation.transfer', { conversationId, toUserId: 'user-bruno', toTeamId: null, newConversationId: uuidv7() }),
    ).toEqual([]);
  });
});
