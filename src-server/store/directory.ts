// Users, teams and inboxes: tenant-wide rows every agent of the tenant receives.
import type { Channel, Inbox, Role, Team, User } from '../../src-shared/domain';
import type { Viewer } from '../../src-shared/rules/visibility';
import type { ChangeBatch } from './changeLog';
import type { Queryable, Tx } from './db';
import { USER_COLUMNS, toInbox, toTeam, toUser, type UserRow } from './rows';

export interface UserWithTenant extends User {
  tenantId: string;
}

export async function getUser(db: Queryable, id: string): Promise<UserWithTenant | null> {
  const [row] = await db.query<UserRow & { tenant_id: string }>(`SELECT ${USER_COLUMNS}, u.tenant_id FROM users u WHERE u.id = $1`, [id]);
  return row ? { ...toUser(row), tenantId: row.tenant_id } : null;
}

export async function findLogin(
  db: Queryable,
  email: string,
): Promise<(UserWithTenant & { passwordHash: string }) | null> {
  const [row] = await db.query<UserRow & { tenant_id: string; password_hash: string }>(
    `SELECT ${USER_COLUMNS}, u.tenant_id, u.password_hash FROM users u WHERE lower(u.email) = lower($1)`,
    [email],
  );
  return row ? { ...toUser(row), tenantId: row.tenant_id, passwordHash: row.password_hash } : null;
}

export function viewerOf(user: User): Viewer {
  return { id: user.id, role: user.role, teamIds: user.teamIds };
}

export async function listUsers(db: Queryable, tenantId: string, afterId: string, limit: number): Promise<User[]> {
  const rows = await db.query<UserRow>(
    `SELECT ${USER_COLUMNS} FROM users u WHERE u.tenant_id = $1 AND u.id > $2 ORDER BY u.id LIMIT $3`,
    [tenantId, afterId, limit],
  );
  return rows.map(toUser);
}

export async function listTeams(db: Queryable, tenantId: string, afterId: string, limit: number): Promise<Team[]> {
  const rows = await db.query<{ id: string; name: string; version: number }>(
    'SELECT id, name, version FROM teams WHERE tenant_id = $1 AND id > $2 ORDER BY id LIMIT $3',
    [tenantId, afterId, limit],
  );
  return rows.map(toTeam);
}

export async function listInboxes(db: Queryable, tenantId: string, afterId: string, limit: number): Promise<Inbox[]> {
  const rows = await db.query<{ id: string; name: string; channel: Channel; team_id: string | null; version: number }>(
    'SELECT id, name, channel, team_id, version FROM inboxes WHERE tenant_id = $1 AND id > $2 ORDER BY id LIMIT $3',
    [tenantId, afterId, limit],
  );
  return rows.map(toInbox);
}

export interface InboxRow {
  id: string;
  tenantId: string;
  name: string;
  channel: Channel;
  teamId: string | null;
  slug: string | null;
}

export async function findInboxBySlug(db: Queryable, slug: string): Promise<InboxRow | null> {
  const [row] = await db.query<{ id: string; tenant_id: string; name: string; channel: Channel; team_id: string | null; slug: string }>(
    'SELECT id, tenant_id, name, channel, team_id, slug FROM inboxes WHERE slug = $1',
    [slug],
  );
  return row ? { id: row.id, tenantId: row.tenant_id, name: row.name, channel: row.channel, teamId: row.team_id, slug: row.slug } : null;
}

export async function getInbox(db: Queryable, id: string): Promise<InboxRow | null> {
  const [row] = await db.query<{ id: string; tenant_id: string; name: string; channel: Channel; team_id: string | null; slug: string | null }>(
    'SELECT id, tenant_id, name, channel, team_id, slug FROM inboxes WHERE id = $1',
    [id],
  );
  return row ? { id: row.id, tenantId: row.tenant_id, name: row.name, channel: row.channel, teamId: row.team_id, slug: row.slug } : null;
}

// ---- writes (used by the demo seed and by tests that set up tenants) ----

export async function insertTeam(tx: Tx, batch: ChangeBatch, team: { id: string; name: string }): Promise<void> {
  await tx.query('INSERT INTO teams (id, tenant_id, name, version) VALUES ($1, $2, $3, $4)', [team.id, batch.tenantId, team.name, batch.version]);
  batch.add({ kind: 'team', row: { id: team.id, name: team.name, version: batch.version } });
}

export async function insertUser(
  tx: Tx,
  batch: ChangeBatch,
  user: { id: string; email: string; name: string; role: Role; passwordHash: string; active?: boolean; teamIds: string[] },
): Promise<void> {
  const active = user.active ?? true;
  await tx.query(
    `INSERT INTO users (id, tenant_id, email, name, role, password_hash, active, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [user.id, batch.tenantId, user.email, user.name, user.role, user.passwordHash, active, batch.version],
  );
  for (const teamId of user.teamIds) await tx.query('INSERT INTO team_members (team_id, user_id) VALUES ($1, $2)', [teamId, user.id]);
  batch.add({
    kind: 'user',
    row: { id: user.id, name: user.name, email: user.email, role: user.role, active, teamIds: [...user.teamIds].sort(), version: batch.version },
  });
}

export async function insertInbox(
  tx: Tx,
  batch: ChangeBatch,
  inbox: { id: string; name: string; channel: Channel; teamId: string | null; slug: string | null },
): Promise<void> {
  await tx.query('INSERT INTO inboxes (id, tenant_id, name, channel, team_id, slug, version) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
    inbox.id,
    batch.tenantId,
    inbox.name,
    inbox.channel,
    inbox.teamId,
    inbox.slug,
    batch.version,
  ]);
  batch.add({ kind: 'inbox', row: { id: inbox.id, name: inbox.name, channel: inbox.channel, teamId: inbox.teamId, version: batch.version } });
}

/** Turns a user on or off; the change reaches every client of the tenant. */
export async function setUserActive(tx: Tx, batch: ChangeBatch, userId: string, active: boolean): Promise<void> {
  const rows = await tx.query('UPDATE users SET active = $2, version = $3 WHERE id = $1 AND tenant_id = $4 RETURNING id', [
    userId,
    active,
    batch.version,
    batch.tenantId,
  ]);
  if (rows.length !== 1) throw new Error(`User ${userId} does not exist.`);
  const user = await getUser(tx, userId);
  if (!user) throw new Error(`User ${userId} vanished.`);
  const { tenantId: _tenant, ...row } = user;
  batch.add({ kind: 'user', row });
  if (!active) await tx.query('DELETE FROM sessions WHERE user_id = $1', [userId]);
}
