// Periodic jobs shared by every server process on one database (server_timers): each is one row due at a
// time of the database's clock. A process takes a due row with a lease in one statement (a row another
// process holds is skipped, never waited for), runs the job, and sets the row due again; a process that
// died holding it is replaced once the lease ends. So with N processes each due run happens once, and
// none is lost with the process that took it. Times are the database's, never a process's: processes'
// clocks may disagree.
import type { Queryable } from './db';

/** The database's clock in epoch millis: the one clock every process sharing the database reads alike. */
export const DB_NOW = '(extract(epoch from clock_timestamp()) * 1000)::bigint';

/** The database's clock now (epoch ms). */
export async function dbNow(db: Queryable): Promise<number> {
  const [row] = await db.query<{ now: number }>(`SELECT ${DB_NOW} AS now`);
  return row!.now;
}

export interface TimerLease {
  name: string;
  /** The taker's id (a server node). */
  holder: string;
}

/** Takes the timer `name` for `holder` when it is due and not leased (or its lease ended), for `leaseMs`;
 *  null when it is not due or another holds it. A timer never seen is created due now. */
export async function takeTimer(db: Queryable, name: string, holder: string, leaseMs: number): Promise<TimerLease | null> {
  await db.query(`INSERT INTO server_timers (name, due_at) VALUES ($1, ${DB_NOW}) ON CONFLICT (name) DO NOTHING`, [name]);
  const rows = await db.query(
    `UPDATE server_timers SET leased_by = $2, lease_until = ${DB_NOW} + $3::bigint
     WHERE name = (SELECT name FROM server_timers WHERE name = $1 AND due_at <= ${DB_NOW}
                     AND (lease_until IS NULL OR lease_until <= ${DB_NOW}) FOR UPDATE SKIP LOCKED)
     RETURNING name`,
    [name, holder, leaseMs],
  );
  return rows.length === 1 ? { name, holder } : null;
}

/** The timer is due now (it stays with its holder while leased). */
export async function dueNow(db: Queryable, name: string): Promise<void> {
  await db.query(`UPDATE server_timers SET due_at = least(due_at, ${DB_NOW}) WHERE name = $1`, [name]);
}

/** The job ran: the timer is due again `everyMs` from now and let go. False when the lease was lost (it
 *  ended and another took the timer meanwhile): then the other's run counts. */
export async function finishTimer(db: Queryable, lease: TimerLease, everyMs: number): Promise<boolean> {
  const rows = await db.query(
    `UPDATE server_timers SET due_at = ${DB_NOW} + $3::bigint, leased_by = NULL, lease_until = NULL
     WHERE name = $1 AND leased_by = $2 RETURNING name`,
    [lease.name, lease.holder, everyMs],
  );
  return rows.length === 1;
}

/** How long until the timer is due by the database's clock (0 when due or never seen). */
export async function timerDelay(db: Queryable, name: string): Promise<number> {
  const [row] = await db.query<{ wait: number | null }>(
    `SELECT greatest(0, greatest(due_at, coalesce(lease_until, 0)) - ${DB_NOW}) AS wait FROM server_timers WHERE name = $1`,
    [name],
  );
  return row?.wait ?? 0;
}
