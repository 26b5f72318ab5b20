// Users, teams and inboxes: tenant-wide rows every agent of the tenant receives.
import type { Channel, Inbox, InboxSettings, Presence, Role, Team, User } from '../../src-shared/domain';
import type { Viewer } from '../../src-shared/rules/visibility';
import { isCleanKey } from '../../src-shared/values';
import type { ChangeBatch } from './changeLog';
import type { Queryable, Tx } from './db';
import { INBOX_COLUMNS, USER_COLUMNS, toInbox, toTeam, toUser, type InboxDbRow, type UserRow } from './rows';

export interface UserWithTenant extends User {
  tenantId: string;
  /** Version of the last change of role, teams or active flag (not part of the synced row). */
  scopeVersion: number;
}

type UserTenantRow = UserRow & { tenant_id: string };

function withTenant(row: UserTenantRow): UserWithTenant {
  return { ...toUser(row), tenantId: row.tenant_id, scopeVersion: row.scope_version };
}

/** The synced row, without server-only fields. */
export function publicUser(u: UserWithTenant): User {
  const { tenantId: _t, scopeVersion: _s, ...row } = u;
  return row;
}

export async function getUser(db: Queryable, id: string): Promise<UserWithTenant | null> {
  const [row] = await db.query<UserTenantRow>(`SELECT ${USER_COLUMNS}, u.tenant_id FROM users u WHERE u.id = $1`, [id]);
  return row ? withTenant(row) : null;
}

/** A user of this tenant, or null (ids of other tenants are treated as unknown). */
export async function getTenantUser(db: Queryable, tenantId: string, id: string): Promise<UserWithTenant | null> {
  const user = await getUser(db, id);
  return user && user.tenantId === tenantId ? user : null;
}

export async function findLogin(db: Queryable, email: string): Promise<(UserWithTenant & { passwordHash: string | null }) | null> {
  const [row] = await db.query<UserTenantRow & { password_hash: string | null }>(
    `SELECT ${USER_COLUMNS}, u.tenant_id, u.password_hash FROM users u WHERE lower(u.email) = lower($1)`,
    [email],
  );
  return row ? { ...withTenant(row), passwordHash: row.password_hash } : null;
}

export async function emailTaken(db: Queryable, email: string): Promise<boolean> {
  const rows = await db.query('SELECT 1 FROM users WHERE lower(email) = lower($1)', [email]);
  return rows.length > 0;
}

export function viewerOf(user: User): Viewer {
  return { id: user.id, role: user.role, teamIds: user.teamIds };
}

export async function listUsers(db: Queryable, tenantId: string, afterId: string, limit: number): Promise<User[]> {
  const rows = await db.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users u WHERE u.tenant_id = $1 AND u.id > $2 ORDER BY u.id LIMIT $3`, [
    tenantId,
    afterId,
    limit,
  ]);
  return rows.map(toUser);
}

export async function activeUserIds(db: Queryable, tenantId: string): Promise<Set<string>> {
  const rows = await db.query<{ id: string }>('SELECT id FROM users WHERE tenant_id = $1 AND active', [tenantId]);
  return new Set(rows.map((r) => r.id));
}

export async function countActiveAdmins(db: Queryable, tenantId: string): Promise<number> {
  const [row] = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM users WHERE tenant_id = $1 AND active AND role = 'admin'", [
    tenantId,
  ]);
  return row?.n ?? 0;
}

export async function listTeams(db: Queryable, tenantId: string, afterId: string, limit: number): Promise<Team[]> {
  const rows = await db.query<{ id: string; name: string; version: number }>(
    'SELECT id, name, version FROM teams WHERE tenant_id = $1 AND id > $2 ORDER BY id LIMIT $3',
    [tenantId, afterId, limit],
  );
  return rows.map(toTeam);
}

export async function getTeam(db: Queryable, tenantId: string, id: string): Promise<Team | null> {
  const [row] = await db.query<{ id: string; name: string; version: number }>(
    'SELECT id, name, version FROM teams WHERE id = $1 AND tenant_id = $2',
    [id, tenantId],
  );
  return row ? toTeam(row) : null;
}

export async function listInboxes(db: Queryable, tenantId: string, afterId: string, limit: number): Promise<Inbox[]> {
  const rows = await db.query<InboxDbRow>(
    `SELECT ${INBOX_COLUMNS} FROM inboxes i WHERE i.tenant_id = $1 AND i.id > $2 ORDER BY i.id LIMIT $3`,
    [tenantId, afterId, limit],
  );
  return rows.map(toInbox);
}

export interface InboxRow extends Inbox {
  tenantId: string;
  slug: string | null;
}

function toInboxRow(r: InboxDbRow): InboxRow {
  return { ...toInbox(r), tenantId: r.tenant_id, slug: r.slug };
}

export function publicInbox(i: InboxRow): Inbox {
  const { tenantId: _t, slug: _s, ...row } = i;
  return row;
}

export async function findInboxBySlug(db: Queryable, slug: string): Promise<InboxRow | null> {
  // A slug comes from a public URL: one no inbox could have (a %00 in it) is simply not found.
  if (slug.length > 200 || !isCleanKey(slug)) return null;
  const [row] = await db.query<InboxDbRow>(`SELECT ${INBOX_COLUMNS} FROM inboxes i WHERE i.slug = $1`, [slug]);
  return row ? toInboxRow(row) : null;
}

export async function getInbox(db: Queryable, id: string): Promise<InboxRow | null> {
  const [row] = await db.query<InboxDbRow>(`SELECT ${INBOX_COLUMNS} FROM inboxes i WHERE i.id = $1`, [id]);
  return row ? toInboxRow(row) : null;
}

// ---- writes ----

/** Logs the user as stored now. */
export async function logUser(tx: Tx, batch: ChangeBatch, userId: string): Promise<UserWithTenant> {
  const user = await getUser(tx, userId);
  if (!user) throw new Error(`User ${userId} vanished.`);
  batch.add({ kind: 'user', row: publicUser(user) });
  return user;
}

export async function insertTeam(tx: Tx, batch: ChangeBatch, team: { id: string; name: string }): Promise<void> {
  await tx.query('INSERT INTO teams (id, tenant_id, name, version) VALUES ($1, $2, $3, $4)', [
    team.id,
    batch.tenantId,
    team.name,
    batch.version,
  ]);
  batch.add({ kind: 'team', row: { id: team.id, name: team.name, version: batch.version } });
}

export async function renameTeam(tx: Tx, batch: ChangeBatch, team: { id: string; name: string }): Promise<void> {
  const rows = await tx.query('UPDATE teams SET name = $2, version = $3 WHERE id = $1 AND tenant_id = $4 RETURNING id', [
    team.id,
    team.name,
    batch.version,
    batch.tenantId,
  ]);
  if (rows.length !== 1) throw new Error(`Team ${team.id} was not updated.`);
  batch.add({ kind: 'team', row: { id: team.id, name: team.name, version: batch.version } });
}

export async function insertUser(
  tx: Tx,
  batch: ChangeBatch,
  user: {
    id: string;
    email: string;
    name: string;
    role: Role;
    passwordHash: string | null;
    active?: boolean;
    invited?: boolean;
    teamIds: string[];
  },
): Promise<void> {
  await tx.query(
    `INSERT INTO users (id, tenant_id, email, name, role, password_hash, active, invited, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [
      user.id,
      batch.tenantId,
      user.email,
      user.name,
      user.role,
      user.passwordHash,
      user.active ?? true,
      user.invited ?? false,
      batch.version,
    ],
  );
  for (const teamId of user.teamIds) await tx.query('INSERT INTO team_members (team_id, user_id) VALUES ($1, $2)', [teamId, user.id]);
  await logUser(tx, batch, user.id);
}

/** Changes name, role, teams or the active flag. A change of role, teams or active also moves
 *  scope_version, so the user's clients re-bootstrap with what they may see now. */
export async function updateUser(
  tx: Tx,
  batch: ChangeBatch,
  userId: string,
  change: { name?: string; role?: Role; teamIds?: string[]; active?: boolean },
  scopeChanged: boolean,
): Promise<UserWithTenant> {
  const rows = await tx.query(
    `UPDATE users SET name = COALESCE($2, name), role = COALESCE($3, role), active = COALESCE($4, active), version = $5,
       scope_version = CASE WHEN $6::boolean THEN $5 ELSE scope_version END
     WHERE id = $1 AND tenant_id = $7 RETURNING id`,
    [userId, change.name ?? null, change.role ?? null, change.active ?? null, batch.version, scopeChanged, batch.tenantId],
  );
  if (rows.length !== 1) throw new Error(`User ${userId} does not exist.`);
  if (change.teamIds) {
    await tx.query('DELETE FROM team_members WHERE user_id = $1', [userId]);
    for (const teamId of change.teamIds) await tx.query('INSERT INTO team_members (team_id, user_id) VALUES ($1, $2)', [teamId, userId]);
  }
  // A deactivated person is signed out everywhere.
  if (change.active === false) await tx.query('DELETE FROM sessions WHERE user_id = $1', [userId]);
  return logUser(tx, batch, userId);
}

/** Turns a user on or off; the change reaches every client of the tenant. */
export async function setUserActive(tx: Tx, batch: ChangeBatch, userId: string, active: boolean): Promise<void> {
  await updateUser(tx, batch, userId, { active }, true);
}

export async function setPassword(tx: Tx, batch: ChangeBatch, userId: string, passwordHash: string): Promise<UserWithTenant> {
  await tx.query('UPDATE users SET password_hash = $2, invited = false, version = $3 WHERE id = $1', [userId, passwordHash, batch.version]);
  return logUser(tx, batch, userId);
}

/** Sets presence; returns false (and writes nothing) when it already was that. */
/** The presence the person chose (tray menu), shown while they are connected. */
export async function chosenPresence(db: Queryable, userId: string): Promise<Presence> {
  const [row] = await db.query<{ chosen_presence: Presence }>('SELECT chosen_presence FROM users WHERE id = $1', [userId]);
  return row?.chosen_presence ?? 'online';
}

export async function choosePresence(tx: Tx, userId: string, presence: Presence): Promise<void> {
  const rows = await tx.query('UPDATE users SET chosen_presence = $2 WHERE id = $1 RETURNING id', [userId, presence]);
  if (rows.length !== 1) throw new Error(`User ${userId} was not updated.`);
}

export async function setPresence(tx: Tx, batch: ChangeBatch, userId: string, presence: Presence): Promise<boolean> {
  const rows = await tx.query('UPDATE users SET presence = $2, version = $3 WHERE id = $1 AND presence <> $2 RETURNING id', [
    userId,
    presence,
    batch.version,
  ]);
  if (rows.length === 0) return false;
  await logUser(tx, batch, userId);
  return true;
}

export async function insertInbox(
  tx: Tx,
  batch: ChangeBatch,
  inbox: { id: string; name: string; channel: Channel; teamId: string | null; slug: string | null; settings?: Partial<InboxSettings> },
): Promise<void> {
  await tx.query(
    `INSERT INTO inboxes (id, tenant_id, name, channel, team_id, slug, transfer_starts_new, close_keeps_assignee, version)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [
      inbox.id,
      batch.tenantId,
      inbox.name,
      inbox.channel,
      inbox.teamId,
      inbox.slug,
      inbox.settings?.transferStartsNewConversation ?? false,
      inbox.settings?.closeKeepsAssignee ?? true,
      batch.version,
    ],
  );
  await logInbox(tx, batch, inbox.id);
}

export async function updateInbox(
  tx: Tx,
  batch: ChangeBatch,
  inboxId: string,
  change: { name?: string; teamId?: string | null; settings?: Partial<InboxSettings> },
): Promise<void> {
  const rows = await tx.query(
    `UPDATE inboxes SET name = COALESCE($2, name), team_id = CASE WHEN $3::boolean THEN $4 ELSE team_id END,
       transfer_starts_new = COALESCE($5, transfer_starts_new), close_keeps_assignee = COALESCE($6, close_keeps_assignee), version = $7
     WHERE id = $1 AND tenant_id = $8 RETURNING id`,
    [
      inboxId,
      change.name ?? null,
      change.teamId !== undefined,
      change.teamId ?? null,
      change.settings?.transferStartsNewConversation ?? null,
      change.settings?.closeKeepsAssignee ?? null,
      batch.version,
      batch.tenantId,
    ],
  );
  if (rows.length !== 1) throw new Error(`Inbox ${inboxId} was not updated.`);
  await logInbox(tx, batch, inboxId);
}

async function logInbox(tx: Tx, batch: ChangeBatch, inboxId: string): Promise<void> {
  const inbox = await getInbox(tx, inboxId);
  if (!inbox) throw new Error(`Inbox ${inboxId} vanished.`);
  batch.add({ kind: 'inbox', row: publicInbox(inbox) });
}
