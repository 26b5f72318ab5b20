// Rate-limit counters in the database (table rate_limits), so every server process on one PostgreSQL
// counts together. A counter is fixed-window: the first hit opens a window of `windowMs`; hits after it
// ends start a new one. The same counters serve HTTP routes (through @fastify/rate-limit's store
// interface, rateLimitStore) and socket frames (take()).
import type { FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import type { Queryable } from '../store/db';
import type { Limit } from './config';

export type Verdict = { ok: true } | { ok: false; retryAfterMs: number };

/** How often counters whose window ended are deleted. */
export const RATE_SWEEP_EVERY_MS = 10 * 60_000;

const SEPARATOR = '|';

/** The single key @fastify/rate-limit passes around: "<bucket>|<key>" (bucket names have no "|"). */
export function limitKey(bucket: string, key: string): string {
  return `${bucket}${SEPARATOR}${key}`;
}

function splitKey(joined: string): [string, string] {
  const i = joined.indexOf(SEPARATOR);
  return i < 0 ? ['', joined] : [joined.slice(0, i), joined.slice(i + 1)];
}

export class RateCounters {
  constructor(
    private readonly db: Queryable,
    readonly now: () => number = Date.now,
  ) {}

  /** Counts one hit; returns the hits in the current window and the ms until it ends. */
  async hit(bucket: string, key: string, windowMs: number): Promise<{ count: number; ttlMs: number }> {
    const now = this.now();
    const [row] = await this.db.query<{ hits: number; reset_at: string | number }>(
      `INSERT INTO rate_limits (bucket, key, hits, reset_at) VALUES ($1, $2, 1, $3::bigint + $4::bigint)
       ON CONFLICT (bucket, key) DO UPDATE SET
         hits = CASE WHEN rate_limits.reset_at <= $3::bigint THEN 1 ELSE LEAST(rate_limits.hits, 2000000000) + 1 END,
         reset_at = CASE WHEN rate_limits.reset_at <= $3::bigint THEN $3::bigint + $4::bigint ELSE rate_limits.reset_at END
       RETURNING hits, reset_at`,
      [bucket, key, now, windowMs],
    );
    return { count: row!.hits, ttlMs: Math.max(0, Number(row!.reset_at) - now) };
  }

  /** The hits in the current window without counting one (0 when none or the window ended). */
  async peek(bucket: string, key: string): Promise<{ count: number; ttlMs: number }> {
    const now = this.now();
    const [row] = await this.db.query<{ hits: number; reset_at: string | number }>(
      'SELECT hits, reset_at FROM rate_limits WHERE bucket = $1 AND key = $2 AND reset_at > $3',
      [bucket, key, now],
    );
    return row ? { count: row.hits, ttlMs: Number(row.reset_at) - now } : { count: 0, ttlMs: 0 };
  }

  async clear(bucket: string, key: string): Promise<void> {
    await this.db.query('DELETE FROM rate_limits WHERE bucket = $1 AND key = $2', [bucket, key]);
  }

  /** Counts one hit against `limit`: refused once more than `max` hits fell in the window. */
  async take(bucket: string, key: string, limit: Limit): Promise<Verdict> {
    const { count, ttlMs } = await this.hit(bucket, key, limit.windowMs);
    return count <= limit.max ? { ok: true } : { ok: false, retryAfterMs: Math.max(1, ttlMs) };
  }

  /** Counts one hit on each step in order, each only while every step before it is within its limit (a
   *  hit refused per address never spends an inbox's budget), in one statement: one round trip and one
   *  write per call however many steps, and as exact across processes as take(). Refused by the first step
   *  over its limit. */
  async takeChain(steps: readonly { bucket: string; key: string; limit: Limit }[]): Promise<Verdict & { step?: number }> {
    if (steps.length === 0) return { ok: true };
    const now = this.now();
    const params: unknown[] = [now];
    const ctes: string[] = [];
    steps.forEach((step, i) => {
      const b = params.push(step.bucket);
      const k = params.push(step.key);
      const w = params.push(step.limit.windowMs);
      const source = i === 0 ? '' : ` FROM s${i - 1} WHERE s${i - 1}.hits <= $${params.push(steps[i - 1]!.limit.max)}`;
      ctes.push(
        `s${i} AS (INSERT INTO rate_limits (bucket, key, hits, reset_at) SELECT $${b}::text, $${k}::text, 1, $1::bigint + $${w}::bigint${source}
         ON CONFLICT (bucket, key) DO UPDATE SET
           hits = CASE WHEN rate_limits.reset_at <= $1::bigint THEN 1 ELSE LEAST(rate_limits.hits, 2000000000) + 1 END,
           reset_at = CASE WHEN rate_limits.reset_at <= $1::bigint THEN $1::bigint + $${w}::bigint ELSE rate_limits.reset_at END
         RETURNING hits, reset_at)`,
      );
    });
    const rows = await this.db.query<{ step: number; hits: number; reset_at: string | number }>(
      `WITH ${ctes.join(',\n')}\n${steps.map((_, i) => `SELECT ${i} AS step, hits, reset_at FROM s${i}`).join(' UNION ALL ')}`,
      params,
    );
    for (const row of rows.sort((a, b) => a.step - b.step)) {
      if (row.hits > steps[row.step]!.limit.max)
        return { ok: false, retryAfterMs: Math.max(1, Number(row.reset_at) - now), step: Number(row.step) };
    }
    return { ok: true };
  }

  /** Drops counters whose window ended. */
  async sweep(): Promise<number> {
    const rows = await this.db.query('DELETE FROM rate_limits WHERE reset_at <= $1 RETURNING 1', [this.now()]);
    return rows.length;
  }
}

/** @fastify/rate-limit's store over RateCounters; keys are limitKey(bucket, key). */
export function rateLimitStore(counters: RateCounters): FastifyRateLimitStoreCtor {
  return class DbRateLimitStore {
    incr(joined: string, callback: (error: Error | null, result?: { current: number; ttl: number }) => void, timeWindow: number): void {
      const [bucket, key] = splitKey(joined);
      counters.hit(bucket, key, timeWindow).then(
        (r) => callback(null, { current: r.count, ttl: r.ttlMs }),
        (e: unknown) => callback(e instanceof Error ? e : new Error(String(e))),
      );
    }

    read(joined: string, callback: (error: Error | null, result?: { current: number; ttl: number }) => void): void {
      const [bucket, key] = splitKey(joined);
      counters.peek(bucket, key).then(
        (r) => callback(null, { current: r.count, ttl: r.ttlMs }),
        (e: unknown) => callback(e instanceof Error ? e : new Error(String(e))),
      );
    }

    child(): DbRateLimitStore {
      return new DbRateLimitStore();
    }
  };
}
