// The server's snooze timer (src-server/sync/snoozes.ts) on a real PGlite store with the demo tenant: a
// due conversation wakes in one commit with its status event; a pass that finds nothing left to wake
// takes no version (a version wakes every connection of the tenant).
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
import { SnoozeWaker } from '../../src-server/sync/snoozes';

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
