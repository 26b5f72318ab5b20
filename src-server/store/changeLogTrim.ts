// Change-log retention: rows older than the window are deleted and tenants.log_floor moves past them in
// the same transaction, so a client whose cursor is older re-bootstraps (keeping its outbox) instead of
// missing changes. Run by a periodic leased job (app.ts): once per period across every process.
import type { Db } from './db';

/** 30 days: an agent back from a few weeks of holiday still catches up from the log; one away longer
 *  starts from a fresh snapshot (what a new device does), her unsent actions still sent once. */
export const DEFAULT_RETENTION_DAYS = 30;
export const TRIM_EVERY_MS = 60 * 60_000;
/** Rows deleted per transaction: each step is short, so writers and readers of the tenant wait little. */
const ROWS_PER_STEP = 5_000;

export interface RetentionConfig {
  retentionMs: number;
  everyMs: number;
}

/** BANDEJA_CHANGE_LOG_RETENTION_DAYS (a positive number, fractions allowed) and
 *  BANDEJA_CHANGE_LOG_TRIM_EVERY_MS; a malformed value is an error, not a silent default. */
export function retentionFromEnv(env: NodeJS.ProcessEnv): RetentionConfig {
  const days = env.BANDEJA_CHANGE_LOG_RETENTION_DAYS;
  const every = env.BANDEJA_CHANGE_LOG_TRIM_EVERY_MS;
  const retentionDays = days === undefined || days === '' ? DEFAULT_RETENTION_DAYS : Number(days);
  if (!Number.isFinite(retentionDays) || retentionDays <= 0)
    throw new Error(`BANDEJA_CHANGE_LOG_RETENTION_DAYS must be a positive number of days, not "${days}".`);
  const everyMs = every === undefined || every === '' ? TRIM_EVERY_MS : Number(every);
  if (!Number.isSafeInteger(everyMs) || everyMs <= 0)
    throw new Error(`BANDEJA_CHANGE_LOG_TRIM_EVERY_MS must be a number of milliseconds, not "${every}".`);
  return { retentionMs: Math.round(retentionDays * 86_400_000), everyMs };
}

export interface TrimResult {
  tenants: number;
  rows: number;
}

const DB_NOW = '(extract(epoch from clock_timestamp()) * 1000)::bigint';

/**
 * Records where every tenant's log is now, then trims each up to its newest mark older than the window.
 * `now` is the database's clock unless given (the benchmark simulates a month).
 */
export async function trimChangeLog(db: Db, retentionMs: number, now?: number): Promise<TrimResult> {
  const at = now ?? (await db.query<{ now: number }>(`SELECT ${DB_NOW} AS now`))[0]!.now;
  await db.query(`INSERT INTO change_log_marks (tenant_id, at, version) SELECT id, $1, version FROM tenants ON CONFLICT DO NOTHING`, [at]);
  const targets = await db.query<{ tenant_id: string; at: number; version: number; log_floor: number }>(
    `SELECT DISTINCT ON (m.tenant_id) m.tenant_id, m.at, m.version, t.log_floor
     FROM change_log_marks m JOIN tenants t ON t.id = m.tenant_id
     WHERE m.at <= $1 ORDER BY m.tenant_id, m.at DESC`,
    [at - retentionMs],
  );
  const result: TrimResult = { tenants: 0, rows: 0 };
  for (const target of targets) {
    // Older marks are no use once the newest old one is chosen.
    await db.query('DELETE FROM change_log_marks WHERE tenant_id = $1 AND at < $2', [target.tenant_id, target.at]);
    if (Number(target.version) <= Number(target.log_floor)) continue;
    const rows = await trimTenant(db, target.tenant_id, Number(target.version));
    if (rows > 0) result.tenants++;
    result.rows += rows;
  }
  return result;
}

/** Deletes the tenant's rows at or below `upTo` in steps of about ROWS_PER_STEP, each step one transaction
 *  that also moves log_floor to what it deleted up to (a version is never split). Returns rows deleted. */
export async function trimTenant(db: Db, tenantId: string, upTo: number): Promise<number> {
  let deleted = 0;
  for (;;) {
    const step = await db.tx(async (tx) => {
      // The tenant row first, as every writer locks it: same lock order, and hello reads a floor that
      // matches what the log holds.
      const [tenant] = await tx.query<{ log_floor: number }>('SELECT log_floor FROM tenants WHERE id = $1 FOR UPDATE', [tenantId]);
      if (!tenant || Number(tenant.log_floor) >= upTo) return null;
      const [edge] = await tx.query<{ version: number }>(
        `SELECT version FROM change_log WHERE tenant_id = $1 AND version > $2 AND version <= $3
         ORDER BY version, seq OFFSET $4 LIMIT 1`,
        [tenantId, tenant.log_floor, upTo, ROWS_PER_STEP],
      );
      // Up to the version before the edge (whole versions), or all the way when fewer rows remain.
      const bound = edge ? Math.max(Number(tenant.log_floor) + 1, Number(edge.version) - 1) : upTo;
      const [gone] = await tx.query<{ n: number }>(
        'WITH gone AS (DELETE FROM change_log WHERE tenant_id = $1 AND version <= $2 RETURNING 1) SELECT count(*)::int AS n FROM gone',
        [tenantId, bound],
      );
      await tx.query('UPDATE tenants SET log_floor = $2 WHERE id = $1', [tenantId, bound]);
      return { rows: gone!.n, bound };
    });
    if (!step) return deleted;
    deleted += step.rows;
    if (step.bound >= upTo) return deleted;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
