// Presence writes (src-server/sync/presence.ts) on a real PGlite store: agents coming online together are
// announced in one commit (one poke of the tenant's connections, not one each), and every user still
// ends in the state their connections say last.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openPglite, type Db } from '../../src-server/store/db';
import { migrate } from '../../src-server/store/migrate';
import type { SyncConnection } from '../../src-server/sync/connection';
import { SyncHub } from '../../src-server/sync/hub';
import { PresenceTracker } from '../../src-server/sync/presence';

let db: Db;
const USERS = Array.from({ length: 40 }, (_, i) => `user-${String(i).padStart(2, '0')}`);

beforeEach(async () => {
  db = await openPglite(join(mkdtempSync(join(tmpdir(), 'bandeja-presence-')), 'pgdata'));
  await migrate(db);
  await db.query("INSERT INTO tenants (id, name, version, epoch, created_at) VALUES ('t1', 'T', 5, 'e', 0)");
  for (const id of USERS)
    await db.query("INSERT INTO users (id, tenant_id, email, name, role, version) VALUES ($1, 't1', $2, $1, 'agent', 1)", [
      id,
      `${id}@demo.test`,
    ]);
});

const trackers: PresenceTracker[] = [];
afterEach(async () => {
  for (const t of trackers.splice(0)) await t.stop();
  await db.close();
});

/** A tracker whose process is registered (its heartbeat row), as the server starts it. */
async function started(hub: SyncHub): Promise<PresenceTracker> {
  const tracker = new PresenceTracker(db, hub, (line) => expect.fail(line), 'process-1');
  await tracker.start();
  trackers.push(tracker);
  return tracker;
}

/** The hub only asks a connection for its user and to catch up; this one counts the catch-ups. */
function connection(userId: string, pokes: { n: number }): SyncConnection {
  return { userId, catchUp: () => void pokes.n++ } as unknown as SyncConnection;
}

async function state() {
  const [tenant] = await db.query<{ version: number }>("SELECT version FROM tenants WHERE id = 't1'");
  const users = await db.query<{ id: string; presence: string }>("SELECT id, presence FROM users WHERE tenant_id = 't1' ORDER BY id");
  const logged = await db.query<{ version: number; n: number }>(
    "SELECT version, count(*)::int AS n FROM change_log WHERE tenant_id = 't1' AND kind = 'user' GROUP BY version ORDER BY version",
  );
  return { version: tenant!.version, presence: Object.fromEntries(users.map((u) => [u.id, u.presence])), logged };
}

describe('PresenceTracker', () => {
  it('announces agents that connect together in one commit and one poke, each of them online', async () => {
    const hub = new SyncHub();
    const tracker = await started(hub);
    const pokes = { n: 0 };
    const watcher = connection('user-watcher', pokes);
    hub.add('t1', watcher);
    const conns = USERS.map((id) => connection(id, pokes));
    for (const c of conns) hub.add('t1', c);
    await Promise.all(USERS.map((id) => tracker.refresh('t1', id)));
    const after = await state();
    expect(Object.values(after.presence)).toEqual(USERS.map(() => 'online'));
    // One version for all 40 users (was 40 versions, each poking every connection).
    expect(after.version).toBe(6);
    expect(after.logged).toEqual([{ version: 6, n: 40 }]);
    expect(pokes.n).toBe(conns.length + 1);

    // Nothing changed: no commit, no poke.
    await tracker.refresh('t1', USERS[0]!);
    expect((await state()).version).toBe(6);
    expect(pokes.n).toBe(conns.length + 1);
  });

  it('ends in the last state when users come and go while a write is in flight', async () => {
    const hub = new SyncHub();
    const tracker = await started(hub);
    const pokes = { n: 0 };
    const conns = USERS.map((id) => connection(id, pokes));
    for (const c of conns) hub.add('t1', c);
    const first = Promise.all(USERS.map((id) => tracker.refresh('t1', id)));
    // While the first write runs, ten leave and one of them comes back.
    await new Promise((r) => setImmediate(r));
    for (const c of conns.slice(0, 10)) hub.remove('t1', c);
    hub.add('t1', conns[3]!);
    const second = Promise.all(USERS.slice(0, 10).map((id) => tracker.refresh('t1', id)));
    await Promise.all([first, second]);
    const after = await state();
    const expected = Object.fromEntries(USERS.map((id, i) => [id, i < 10 && i !== 3 ? 'offline' : 'online']));
    expect(after.presence).toEqual(expected);
    // However the writes fell, fewer commits than users and every change logged.
    expect(after.logged.length).toBeLessThanOrEqual(3);
  });
});
