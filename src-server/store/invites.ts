// One-time invitation links: an invited user sets their password through one.
import { createHash, randomBytes } from 'node:crypto';
import type { Invite } from '../../src-shared/domain';
import type { ChangeBatch } from './changeLog';
import type { Queryable, Tx } from './db';
import { toInvite } from './rows';

export const INVITE_TTL_MS = 7 * 24 * 60 * 60 * 1000;

export function inviteTokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function newInviteToken(): string {
  return randomBytes(32).toString('base64url');
}

export async function insertInvite(
  tx: Tx,
  batch: ChangeBatch,
  invite: { id: string; userId: string; token: string; url: string; expiresAt: number },
): Promise<Invite> {
  const row: Invite = { id: invite.id, userId: invite.userId, url: invite.url, expiresAt: invite.expiresAt, version: batch.version };
  await tx.query('INSERT INTO invites (id, tenant_id, user_id, token_hash, url, expires_at, version) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
    row.id,
    batch.tenantId,
    row.userId,
    inviteTokenHash(invite.token),
    row.url,
    row.expiresAt,
    row.version,
  ]);
  batch.add({ kind: 'invite', row });
  return row;
}

export interface InviteWithTenant extends Invite {
  tenantId: string;
}

/** The invite behind a token, if it exists and has not expired. */
export async function findInvite(db: Queryable, token: string, now: number): Promise<InviteWithTenant | null> {
  const [row] = await db.query<{ id: string; tenant_id: string; user_id: string; url: string; expires_at: number; version: number }>(
    'SELECT id, tenant_id, user_id, url, expires_at, version FROM invites WHERE token_hash = $1',
    [inviteTokenHash(token)],
  );
  if (!row || row.expires_at <= now) return null;
  return { ...toInvite(row), tenantId: row.tenant_id };
}

/** Deletes the invite; false when another request used it first. */
export async function consumeInvite(tx: Tx, batch: ChangeBatch, id: string): Promise<boolean> {
  const rows = await tx.query('DELETE FROM invites WHERE id = $1 RETURNING id', [id]);
  if (rows.length !== 1) return false;
  batch.add({ kind: 'delete', entity: 'invite', id, scope: { kind: 'admins' } });
  return true;
}

export async function listInvites(db: Queryable, tenantId: string, afterId: string, limit: number): Promise<Invite[]> {
  const rows = await db.query<{ id: string; user_id: string; url: string; expires_at: number; version: number }>(
    'SELECT id, user_id, url, expires_at, version FROM invites WHERE tenant_id = $1 AND id > $2 ORDER BY id LIMIT $3',
    [tenantId, afterId, limit],
  );
  return rows.map(toInvite);
}
