// Sign-in sessions: opaque random tokens, stored only as their sha256, with an idle and an absolute
// lifetime. Each use (a sync hello, an authenticated HTTP request, a live sync socket at every sweep)
// renews last_seen_at, written at most once per touchAfterMs so busy clients cost no writes.
import { createHash, randomBytes } from 'node:crypto';
import type { Queryable } from '../store/db';
import { getUser, type UserWithTenant } from '../store/directory';

export const DEFAULT_SESSION_IDLE_MS = 14 * 24 * 3_600_000;
export const DEFAULT_SESSION_ABSOLUTE_MS = 90 * 24 * 3_600_000;
/** What a session remembers of the device it was made on (the client's User-Agent), at most. */
const DEVICE_MAX_CHARS = 200;

export interface SessionLifetimes {
  /** A session unused this long ends. */
  idleMs: number;
  /** A session this old ends, however much it is used. */
  absoluteMs: number;
}

/** One session as an admin sees it. */
export interface SessionRow {
  id: string;
  userId: string;
  device: string;
  clientId: string | null;
  createdAt: number;
  lastSeenAt: number;
  tokenHash: string;
}

export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** A User-Agent as stored: printable, trimmed, bounded. */
export function deviceLabel(userAgent: string | undefined): string {
  return (
    (userAgent ?? '')
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u001f\u007f]/g, ' ')
      .trim()
      .slice(0, DEVICE_MAX_CHARS)
  );
}

/** A positive number of milliseconds from the environment, or undefined when unset; anything else is an error. */
export function millisFromEnv(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`${name} must be a number of milliseconds, not "${raw}".`);
  return n;
}

/** BANDEJA_SESSION_IDLE_MS / BANDEJA_SESSION_ABSOLUTE_MS, else the defaults; a malformed value is an error. */
export function lifetimesFromEnv(env: NodeJS.ProcessEnv, given: Partial<SessionLifetimes> = {}): SessionLifetimes {
  return {
    idleMs: given.idleMs ?? millisFromEnv(env, 'BANDEJA_SESSION_IDLE_MS') ?? DEFAULT_SESSION_IDLE_MS,
    absoluteMs: given.absoluteMs ?? millisFromEnv(env, 'BANDEJA_SESSION_ABSOLUTE_MS') ?? DEFAULT_SESSION_ABSOLUTE_MS,
  };
}

type DbSession = {
  id: string;
  user_id: string;
  device: string;
  client_id: string | null;
  created_at: string | number;
  last_seen_at: string | number;
  token_hash: string;
};

function toRow(r: DbSession): SessionRow {
  return {
    id: r.id,
    userId: r.user_id,
    device: r.device,
    clientId: r.client_id,
    createdAt: Number(r.created_at),
    lastSeenAt: Number(r.last_seen_at),
    tokenHash: r.token_hash,
  };
}

export class Sessions {
  constructor(
    private readonly db: Queryable,
    readonly lifetimes: SessionLifetimes,
    readonly now: () => number = Date.now,
  ) {}

  /** last_seen_at is written again only once it is this old (a tenth of the idle lifetime, at most a minute). */
  get touchAfterMs(): number {
    return Math.min(60_000, Math.floor(this.lifetimes.idleMs / 10));
  }

  /** How often live sockets' sessions are renewed and checked (sweep()). */
  get sweepEveryMs(): number {
    return Math.max(100, Math.min(60_000, Math.floor(Math.min(this.lifetimes.idleMs, this.lifetimes.absoluteMs) / 8)));
  }

  async create(userId: string, device: string): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    const now = this.now();
    await this.db.query('INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, device) VALUES ($1, $2, $3, $3, $4)', [
      tokenHash(token),
      userId,
      now,
      device,
    ]);
    return token;
  }

  /** The active user a live session belongs to, or null (unknown, ended, expired: all the same). Renews
   *  the session; `clientId` (a sync hello) is remembered the first time. */
  async userFor(token: string, clientId?: string): Promise<UserWithTenant | null> {
    const now = this.now();
    const hash = tokenHash(token);
    const [row] = await this.db.query<{
      user_id: string;
      created_at: string | number;
      last_seen_at: string | number;
      client_id: string | null;
    }>('SELECT user_id, created_at, last_seen_at, client_id FROM sessions WHERE token_hash = $1', [hash]);
    if (!row) return null;
    if (this.expired(Number(row.created_at), Number(row.last_seen_at), now)) {
      await this.db.query('DELETE FROM sessions WHERE token_hash = $1', [hash]);
      return null;
    }
    if (now - Number(row.last_seen_at) >= this.touchAfterMs || (clientId && row.client_id === null))
      await this.db.query(
        'UPDATE sessions SET last_seen_at = GREATEST(last_seen_at, $2), client_id = COALESCE(client_id, $3) WHERE token_hash = $1',
        [hash, now, clientId ?? null],
      );
    const user = await getUser(this.db, row.user_id);
    return user && user.active ? user : null;
  }

  private expired(createdAt: number, lastSeenAt: number, now: number): boolean {
    return now - createdAt >= this.lifetimes.absoluteMs || now - lastSeenAt >= this.lifetimes.idleMs;
  }

  async delete(token: string): Promise<boolean> {
    const rows = await this.db.query('DELETE FROM sessions WHERE token_hash = $1 RETURNING user_id', [tokenHash(token)]);
    return rows.length > 0;
  }

  /** The user's sessions that are still alive, the most recently used first. */
  async listForUser(userId: string): Promise<SessionRow[]> {
    const now = this.now();
    const rows = await this.db.query<DbSession>(
      `SELECT id, user_id, device, client_id, created_at, last_seen_at, token_hash FROM sessions
       WHERE user_id = $1 AND created_at > $2::bigint - $3::bigint AND last_seen_at > $2::bigint - $4::bigint
       ORDER BY last_seen_at DESC, created_at DESC`,
      [userId, now, this.lifetimes.absoluteMs, this.lifetimes.idleMs],
    );
    return rows.map(toRow);
  }

  async byId(id: string): Promise<SessionRow | null> {
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) return null;
    const [row] = await this.db.query<DbSession>(
      'SELECT id, user_id, device, client_id, created_at, last_seen_at, token_hash FROM sessions WHERE id = $1',
      [id],
    );
    return row ? toRow(row) : null;
  }

  /** Ends a session by its id; returns its token hash (to close its sockets), or null when there was none. */
  async end(id: string): Promise<string | null> {
    const rows = await this.db.query<{ token_hash: string }>('DELETE FROM sessions WHERE id = $1 RETURNING token_hash', [id]);
    return rows[0]?.token_hash ?? null;
  }

  /** Renews the sessions of this process's live sockets and returns which of their token hashes no longer
   *  have a live session (ended by an admin on another process, or past a lifetime): their sockets must be
   *  signed out. Each process does this for its own sockets. */
  async sweep(liveHashes: readonly string[]): Promise<string[]> {
    if (liveHashes.length === 0) return [];
    const now = this.now();
    await this.db.query('UPDATE sessions SET last_seen_at = $2 WHERE token_hash = ANY($1::text[]) AND last_seen_at < $3', [
      liveHashes,
      now,
      now - this.touchAfterMs,
    ]);
    // Expired ones count as gone even before deleteExpired (another process's timer) removes them.
    const alive = await this.db.query<{ token_hash: string }>(
      `SELECT token_hash FROM sessions WHERE token_hash = ANY($1::text[])
       AND created_at > $2::bigint - $3::bigint AND last_seen_at > $2::bigint - $4::bigint`,
      [liveHashes, now, this.lifetimes.absoluteMs, this.lifetimes.idleMs],
    );
    const kept = new Set(alive.map((r) => r.token_hash));
    return liveHashes.filter((h) => !kept.has(h));
  }

  /** Deletes ended sessions (one process's timer does it for all: app.ts). */
  async deleteExpired(): Promise<void> {
    await this.db.query('DELETE FROM sessions WHERE created_at <= $1::bigint - $2::bigint OR last_seen_at <= $1::bigint - $3::bigint', [
      this.now(),
      this.lifetimes.absoluteMs,
      this.lifetimes.idleMs,
    ]);
  }
}
