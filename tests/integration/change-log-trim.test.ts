// The retention job's trim on a real store (PGlite, and PostgreSQL with BANDEJA_TEST_DATABASE_URL): rows
// older than the window go, log_floor moves with them, nothing newer is touched, a version is never split,
// and a read of the log from below the floor is refused rather than answered with a gap.
import { afterAll, describe, expect, it } from 'vitest';
import { LogTrimmedError, readChanges, writeTenantChanges } from '../../src-server/store/changeLog';
import { retentionFromEnv, trimChangeLog } from '../../src-server/store/changeLogTrim';
import type { Db } from '../../src-server/store/db';
import { getTenant } from '../../src-server/store/tenants';
import { backends, freshDemoStore } from '../support/test-store';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 0, 1);
const opened: Db[] = [];

afterAll(async () => {
  for (const db of opened) await db.close();
});

/** Logs `n` team renames in one commit; returns the version it took. */
async function commit(db: Db, tenantId: string, n: number): Promise<number> {
  await writeTenantChanges(db, tenantId, async (_tx, batch) => {
    for (let i = 0; i < n; i++) batch.add({ kind: 'team', row: { id: `team-trim-${i}`, name: `Team ${i}`, version: 1 } });
  });
  return (await getTenant(db, tenantId))!.version;
}

describe.each(backends)('change-log trim (%s)', (_name, databaseUrl) => {
  it('drops what is older than the window, moves the floor with it and keeps the rest', async () => {
    const { db } = await freshDemoStore(databaseUrl);
    opened.push(db);
    const [{ id: tenantId }] = (await db.query<{ id: string }>('SELECT id FROM tenants')) as [{ id: string }];
    const start = (await getTenant(db, tenantId))!;
    // Day 0: a commit of 3 rows; the job runs (a mark). Day 12: two commits; the job runs. Day 40: one more.
    const v1 = await commit(db, tenantId, 3);
    expect(await trimChangeLog(db, 30 * DAY, T0)).toEqual({ tenants: 0, rows: 0 });
    await commit(db, tenantId, 2);
    const v3 = await commit(db, tenantId, 4);
    expect(await trimChangeLog(db, 30 * DAY, T0 + 12 * DAY)).toEqual({ tenants: 0, rows: 0 });
    const v4 = await commit(db, tenantId, 1);

    // Day 40: only the day-0 mark is older than 30 days: everything up to v1 goes (the seed's rows too).
    const first = await trimChangeLog(db, 30 * DAY, T0 + 40 * DAY);
    expect(first.tenants).toBe(1);
    expect(first.rows).toBeGreaterThanOrEqual(3);
    expect((await getTenant(db, tenantId))!.log_floor).toBe(v1);
    const left = await db.query<{ version: number }>('SELECT version FROM change_log WHERE tenant_id = $1 ORDER BY version, seq', [
      tenantId,
    ]);
    expect(left.map((r) => Number(r.version))).toEqual([v1 + 1, v1 + 1, v3, v3, v3, v3, v4]);
    expect(v1).toBeGreaterThan(start.version);

    // A reader from below the floor is refused; from the floor on it reads what follows.
    await expect(readChanges(db, tenantId, v1 - 1, v4, 1000)).rejects.toBeInstanceOf(LogTrimmedError);
    const page = await readChanges(db, tenantId, v1, v4, 1000);
    expect(page.entries).toHaveLength(7);
    expect(page.to).toBe(v4);

    // Run again at the same time: nothing more to do. Day 42 with the day-12 mark old enough: up to v3.
    expect(await trimChangeLog(db, 30 * DAY, T0 + 40 * DAY)).toEqual({ tenants: 0, rows: 0 });
    expect((await trimChangeLog(db, 30 * DAY, T0 + 42 * DAY)).rows).toBe(6);
    expect((await getTenant(db, tenantId))!.log_floor).toBe(v3);
    const marks = await db.query<{ at: number }>('SELECT at FROM change_log_marks WHERE tenant_id = $1 ORDER BY at', [tenantId]);
    expect(marks.map((m) => Number(m.at))).toEqual([T0 + 12 * DAY, T0 + 40 * DAY, T0 + 42 * DAY]);
  });

  it('reads its window from the environment and refuses a malformed one', () => {
    expect(retentionFromEnv({})).toEqual({ retentionMs: 30 * DAY, everyMs: 3_600_000 });
    expect(retentionFromEnv({ BANDEJA_CHANGE_LOG_RETENTION_DAYS: '0.5', BANDEJA_CHANGE_LOG_TRIM_EVERY_MS: '500' })).toEqual({
      retentionMs: DAY / 2,
      everyMs: 500,
    });
    expect(() => retentionFromEnv({ BANDEJA_CHANGE_LOG_RETENTION_DAYS: 'forever' })).toThrow(/BANDEJA_CHANGE_LOG_RETENTION_DAYS/);
    expect(() => retentionFromEnv({ BANDEJA_CHANGE_LOG_RETENTION_DAYS: '-1' })).toThrow(/positive/);
  });
});
