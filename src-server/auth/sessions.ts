// Sign-in sessions: opaque random tokens, stored only as their sha256.
import { createHash, randomBytes } from 'node:crypto';
import type { Queryable } from '../store/db';
import { getUser, type UserWithTenant } from '../store/directory';

export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export async function createSession(db: Queryable, userId: string, now: number): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await db.query('INSERT INTO sessions (token_hash, user_id, created_at) VALUES ($1, $2, $3)', [tokenHash(token), userId, now]);
  return token;
}

/** The active user a token belongs to, or null. */
export async function userForToken(db: Queryable, token: string): Promise<UserWithTenant | null> {
  const [row] = await db.query<{ user_id: string }>('SELECT user_id FROM sessions WHERE token_hash = $1', [tokenHash(token)]);
  if (!row) return null;
  const user = await getUser(db, row.user_id);
  return user && user.active ? user : null;
}

export async function deleteSession(db: Queryable, token: string): Promise<boolean> {
  const rows = await db.query('DELETE FROM sessions WHERE token_hash = $1 RETURNING user_id', [tokenHash(token)]);
  return rows.length > 0;
}
