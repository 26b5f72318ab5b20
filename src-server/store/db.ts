// The server's one door to PostgreSQL: embedded PGlite (default) or a real server through `pg`.
// Both run the same SQL. bigint columns come back as JS numbers (versions and epoch millis stay
// far below 2^53), jsonb as parsed values.
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';

export type Row = Record<string, unknown>;

/** Something that runs SQL: the database itself or an open transaction. */
export interface Queryable {
  query<T extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /** Runs several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

export type Isolation = 'read committed' | 'repeatable read';

export interface Tx extends Queryable {
  /** Runs `fn` inside a savepoint: an error rolls back only what `fn` did, and is rethrown. */
  savepoint<T>(fn: () => Promise<T>): Promise<T>;
}

export interface Db extends Queryable {
  readonly kind: 'pglite' | 'pg';
  tx<T>(fn: (tx: Tx) => Promise<T>, opts?: { isolation?: Isolation }): Promise<T>;
  /** Connections open and idle, and callers waiting for one (metrics). */
  pool(): { total: number; idle: number; waiting: number };
  /** PostgreSQL only (null under PGlite, which serves one process): LISTENs on `channel` on a connection
   *  of its own, calling `onPayload` for each notification. When that connection is lost it is opened
   *  again (after a second) and `onReconnect` is called: notifications sent meanwhile are lost, so the
   *  caller catches up on everything. Closed with the store. */
  listen(channel: string, onPayload: (payload: string) => void, onReconnect: () => void): Promise<void> | null;
  close(): Promise<void>;
}

const INT8_OID = 20;

/** Serialises callers: PGlite has one connection, so a transaction must own it until it ends. */
class Mutex {
  private tail: Promise<void> = Promise.resolve();
  /** Calls queued or running. */
  pending = 0;
  run<T>(fn: () => Promise<T>): Promise<T> {
    this.pending++;
    const result = this.tail.then(fn);
    this.tail = result.then(
      () => void this.pending--,
      () => void this.pending--,
    );
    return result;
  }
}

function makeTx(q: Queryable): Tx {
  let depth = 0;
  return {
    query: (sql, params) => q.query(sql, params),
    exec: (sql) => q.exec(sql),
    async savepoint(fn) {
      const name = `sp_${++depth}`;
      await q.exec(`SAVEPOINT ${name}`);
      try {
        const value = await fn();
        await q.exec(`RELEASE SAVEPOINT ${name}`);
        return value;
      } catch (e) {
        await q.exec(`ROLLBACK TO SAVEPOINT ${name}`);
        throw e;
      } finally {
        depth--;
      }
    },
  };
}

async function inTransaction<T>(q: Queryable, fn: (tx: Tx) => Promise<T>, isolation: Isolation): Promise<T> {
  await q.exec(`BEGIN ISOLATION LEVEL ${isolation.toUpperCase()}`);
  try {
    const value = await fn(makeTx(q));
    await q.exec('COMMIT');
    return value;
  } catch (e) {
    await q.exec('ROLLBACK').catch(() => undefined);
    throw e;
  }
}

export async function openPglite(dataDir: string): Promise<Db> {
  const lite = await PGlite.create(dataDir, { parsers: { [INT8_OID]: Number } });
  const raw: Queryable = {
    async query<T extends Row>(sql: string, params?: readonly unknown[]) {
      const result = await lite.query<T>(sql, params ? [...params] : undefined);
      return result.rows;
    },
    async exec(sql: string) {
      await lite.exec(sql);
    },
  };
  const mutex = new Mutex();
  let closed = false;
  return {
    kind: 'pglite',
    query: (sql, params) => mutex.run(() => raw.query(sql, params)),
    exec: (sql) => mutex.run(() => raw.exec(sql)),
    tx: (fn, opts) => mutex.run(() => inTransaction(raw, fn, opts?.isolation ?? 'read committed')),
    pool: () => ({ total: closed ? 0 : 1, idle: mutex.pending === 0 && !closed ? 1 : 0, waiting: Math.max(0, mutex.pending - 1) }),
    listen: () => null,
    async close() {
      if (closed) return;
      closed = true;
      await mutex.run(() => lite.close());
    },
  };
}

export async function openPg(connectionString: string): Promise<Db> {
  const types = {
    getTypeParser: ((oid: number, format?: string) =>
      oid === INT8_OID ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
  };
  const pool = new pg.Pool({ connectionString, max: 10, types });
  // An idle client losing its connection must not crash the server; the pool replaces it.
  pool.on('error', () => undefined);
  await pool.query('SELECT 1');
  const over = (c: pg.Pool | pg.PoolClient): Queryable => ({
    async query<T extends Row>(sql: string, params?: readonly unknown[]) {
      const result = await c.query<T>(sql, params ? [...params] : undefined);
      return result.rows;
    },
    async exec(sql: string) {
      await c.query(sql);
    },
  });
  let closed = false;
  const listeners = new Set<pg.Client>();
  /** Opens one listening connection; reopens it when lost, until the store closes. */
  const listen = async (channel: string, onPayload: (payload: string) => void, onReconnect: () => void, again = false) => {
    const client = new pg.Client({ connectionString, types });
    let lost = false;
    const reopen = () => {
      if (lost) return;
      lost = true;
      listeners.delete(client);
      void client.end().catch(() => undefined);
      if (closed) return;
      const retry = () => {
        if (closed) return;
        listen(channel, onPayload, onReconnect, true).catch(() => setTimeout(retry, 1000).unref());
      };
      setTimeout(retry, 1000).unref();
    };
    client.on('error', reopen);
    client.on('end', reopen);
    client.on('notification', (n) => {
      if (n.channel === channel && n.payload !== undefined) onPayload(n.payload);
    });
    try {
      await client.connect();
      listeners.add(client);
      await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
    } catch (e) {
      lost = true;
      listeners.delete(client);
      void client.end().catch(() => undefined);
      throw e;
    }
    if (closed) {
      reopen();
      return;
    }
    if (again) onReconnect();
  };
  return {
    kind: 'pg',
    ...over(pool),
    async tx(fn, opts) {
      // One pool client per transaction, so concurrent transactions really run concurrently.
      const client = await pool.connect();
      // A backend ended while the client is out of the pool (terminated, a failover) fails the query in
      // flight, which the caller handles; the client's own 'error' event must not end the process.
      const lost = () => undefined;
      client.on('error', lost);
      try {
        return await inTransaction(over(client), fn, opts?.isolation ?? 'read committed');
      } finally {
        client.off('error', lost);
        client.release();
      }
    },
    pool: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    listen: (channel, onPayload, onReconnect) => listen(channel, onPayload, onReconnect),
    async close() {
      if (closed) return;
      closed = true;
      await Promise.all([...listeners].map((c) => c.end().catch(() => undefined)));
      listeners.clear();
      await pool.end();
    },
  };
}
