// Group commit: the writes this process makes for one tenant (pushes, customer messages, presence, snooze
// wake-ups, delivery reports) run in groups, one transaction and one COMMIT per group, instead of one
// transaction each queued behind the tenant's row lock. Each write runs in a savepoint of its own and takes
// its own version inside the group's transaction (nextVersion), so versions, row stamps, mutation results
// and the change log are exactly what one transaction per write would have stored; the tenant row stays
// locked until the group commits, so versions still follow commit order (DESIGN.md "Cursor").
//
// - A write that throws has only its savepoint rolled back; the others of its group commit. Its caller gets
//   the error (a transient one included: it is retried the way it always was, by the client or the caller).
// - A failure of the group itself (the connection lost, BEGIN, a savepoint or COMMIT refused) re-runs the
//   whole group from scratch: every write is called again on a fresh transaction, so what it collected
//   (after-commit effects, results) is made anew. Writes are idempotent by their ids (a push by its
//   client's mutation counter, a customer message by its id), so a COMMIT that did land before its answer
//   was lost is not applied twice.
// - Callers get their result only after the COMMIT succeeded.
// - Groups are bounded in writes and in time, so under PGlite (one connection, taken in turn) readers
//   queued meanwhile run between two groups.
import type { Db, Tx } from './db';
import { isTransientWriteError } from './writeErrors';

/** Writes in one group at most. */
const MAX_WRITES = 64;
/** No more writes are started in a group once it has run this long; the rest wait for the next one. */
const MAX_GROUP_MS = 100;
/** Tries of a group whose transaction failed for a passing reason, before its writes get the error. */
const MAX_ATTEMPTS = 3;

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

interface Write {
  run(tx: Tx): Promise<unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

interface TenantQueue {
  writes: Write[];
  running: boolean;
}

/** Figures for tests and metrics: groups committed and writes in them, and groups run again. */
export interface GroupCommitStats {
  groups: number;
  writes: number;
  retries: number;
}

class GroupCommitter {
  private readonly tenants = new Map<string, TenantQueue>();
  readonly stats: GroupCommitStats = { groups: 0, writes: 0, retries: 0 };

  constructor(private readonly db: Db) {}

  run<T>(tenantId: string, fn: (tx: Tx) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let queue = this.tenants.get(tenantId);
      if (!queue) {
        queue = { writes: [], running: false };
        this.tenants.set(tenantId, queue);
      }
      queue.writes.push({ run: fn, resolve: resolve as (value: unknown) => void, reject });
      if (!queue.running) void this.drain(tenantId, queue);
    });
  }

  private async drain(tenantId: string, queue: TenantQueue): Promise<void> {
    queue.running = true;
    try {
      while (queue.writes.length > 0) {
        // Let the sockets be read first: PGlite answers without giving the event loop a turn, so without
        // this the writes that arrived meanwhile would only be queued after the group had begun.
        await new Promise((resolve) => setImmediate(resolve));
        await this.runGroup(tenantId, queue);
      }
    } finally {
      queue.running = false;
      if (queue.writes.length === 0) this.tenants.delete(tenantId);
    }
  }

  /** Runs the next group to its COMMIT and answers the writes it took; those it left stay queued. The group
   *  is taken once the transaction has begun (under PGlite, once the connection is ours), so that whatever
   *  was queued while waiting for it joins. */
  private async runGroup(tenantId: string, queue: TenantQueue): Promise<void> {
    let group: Write[] | null = null;
    for (let attempt = 1; ; attempt++) {
      const outcomes: Outcome[] = [];
      let taken = 0;
      try {
        await this.db.tx(async (tx) => {
          // The tenant's lock first, as every writer of the tenant takes it: the same order everywhere.
          await tx.query('SELECT version FROM tenants WHERE id = $1 FOR NO KEY UPDATE', [tenantId]);
          group ??= queue.writes.splice(0, MAX_WRITES);
          const started = Date.now();
          for (const write of group) {
            if (taken > 0 && Date.now() - started > MAX_GROUP_MS) break;
            taken++;
            outcomes.push(await inSavepoint(tx, write));
          }
        });
      } catch (e) {
        if (isTransientWriteError(e) && attempt < MAX_ATTEMPTS) {
          this.stats.retries++;
          continue;
        }
        // The group failed for good, or too many times: the writes it started get the error, the rest wait.
        group ??= queue.writes.splice(0, MAX_WRITES);
        const ran = Math.max(taken, 1);
        for (const write of group.slice(0, ran)) write.reject(e);
        queue.writes.unshift(...group.slice(ran));
        return;
      }
      const done: Write[] = group ?? [];
      this.stats.groups++;
      this.stats.writes += outcomes.length;
      outcomes.forEach((o, i) => (o.ok ? done[i]!.resolve(o.value) : done[i]!.reject(o.error)));
      queue.writes.unshift(...done.slice(outcomes.length));
      return;
    }
  }
}

/** Runs one write in a savepoint: its failure rolls back only what it did. A failure to roll back (the
 *  connection is gone) is the group's and is thrown. */
async function inSavepoint(tx: Tx, write: Write): Promise<Outcome> {
  await tx.exec('SAVEPOINT group_write');
  try {
    const value = await write.run(tx);
    await tx.exec('RELEASE SAVEPOINT group_write');
    return { ok: true, value };
  } catch (error) {
    await tx.exec('ROLLBACK TO SAVEPOINT group_write');
    await tx.exec('RELEASE SAVEPOINT group_write');
    return { ok: false, error };
  }
}

const committers = new WeakMap<Db, GroupCommitter>();

function committerOf(db: Db): GroupCommitter {
  let c = committers.get(db);
  if (!c) {
    c = new GroupCommitter(db);
    committers.set(db, c);
  }
  return c;
}

/** Runs `fn` as one write of `tenantId` in this process's next group (see the top). `fn` may be called more
 *  than once (the group re-run after a passing failure): it must keep what it makes in its own scope. It
 *  must write through `tx` only, and must not wait for another group write. */
export function groupWrite<T>(db: Db, tenantId: string, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return committerOf(db).run(tenantId, fn);
}

export function groupCommitStats(db: Db): GroupCommitStats {
  return committerOf(db).stats;
}
