// The change log: every committed change, per tenant, at the version of its transaction.
// Each row carries its scope (ARCHITECTURE.md "Scopes of change-log rows"); filtering per user
// happens when it is sent (sync/visibleChanges.ts).
import type { Op } from '../../src-shared/protocol';
import type {
  ClosingCategory,
  Contact,
  ContactFieldChange,
  ContactFieldDefinition,
  Conversation,
  Inbox,
  Invite,
  Message,
  MessageTemplate,
  NotificationEntry,
  Reminder,
  SavedView,
  Snippet,
  Team,
  User,
} from '../../src-shared/domain';
import type { Db, Queryable, Tx } from './db';
import { groupWrite } from './groupCommit';
import { nextVersion, releaseVersion } from './tenants';

export type ScopeKind = 'tenant' | 'conversation' | 'user' | 'view' | 'admins';
export type DeletedEntity = Extract<Op, { kind: 'delete' }>['entity'];

/** Who received a row that is now deleted: the delete goes to the same people. */
export type DeleteScope =
  { kind: 'user'; userId: string } | { kind: 'view'; ownerId: string; teamId: string } | { kind: 'admins' } | { kind: 'tenant' };

export type LoggedChange =
  | { kind: 'conversation'; row: Conversation; prev: { assigneeId: string | null; teamId: string | null } | null }
  | { kind: 'message'; row: Message; scope: { assigneeId: string | null; teamId: string | null } }
  | { kind: 'contact'; row: Contact }
  | { kind: 'user'; row: User }
  | { kind: 'team'; row: Team }
  | { kind: 'inbox'; row: Inbox }
  | { kind: 'contactField'; row: ContactFieldDefinition }
  | { kind: 'contactChange'; row: ContactFieldChange }
  | { kind: 'closingCategory'; row: ClosingCategory }
  | { kind: 'notification'; row: NotificationEntry }
  | { kind: 'savedView'; row: SavedView }
  | { kind: 'invite'; row: Invite }
  | { kind: 'snippet'; row: Snippet }
  | { kind: 'template'; row: MessageTemplate }
  | { kind: 'reminder'; row: Reminder }
  | { kind: 'delete'; entity: DeletedEntity; id: string; scope: DeleteScope };

interface Columns {
  scopeKind: ScopeKind;
  scopeUserId: string | null;
  assigneeId: string | null;
  teamId: string | null;
  prev: { assigneeId: string | null; teamId: string | null } | null;
  entityId: string;
  row: unknown;
}

/** A shared snippet goes to everyone in the tenant; a personal one only to its owner. */
export function snippetScope(s: Pick<Snippet, 'ownerId'>): DeleteScope {
  return s.ownerId === null ? { kind: 'tenant' } : { kind: 'user', userId: s.ownerId };
}

/** A saved view shared with a team goes to the `view` scope; a personal one only to its owner. */
export function savedViewScope(v: Pick<SavedView, 'ownerId' | 'teamId'>): DeleteScope {
  return v.teamId === null ? { kind: 'user', userId: v.ownerId } : { kind: 'view', ownerId: v.ownerId, teamId: v.teamId };
}

function fromScope(scope: DeleteScope): Pick<Columns, 'scopeKind' | 'scopeUserId' | 'teamId'> {
  switch (scope.kind) {
    case 'user':
      return { scopeKind: 'user', scopeUserId: scope.userId, teamId: null };
    case 'view':
      return { scopeKind: 'view', scopeUserId: scope.ownerId, teamId: scope.teamId };
    case 'admins':
    case 'tenant':
      return { scopeKind: scope.kind, scopeUserId: null, teamId: null };
  }
}

function columns(c: LoggedChange): Columns {
  const none = { assigneeId: null, teamId: null, prev: null, scopeUserId: null };
  switch (c.kind) {
    case 'conversation':
      return {
        ...none,
        scopeKind: 'conversation',
        assigneeId: c.row.assigneeId,
        teamId: c.row.teamId,
        prev: c.prev,
        entityId: c.row.id,
        row: c.row,
      };
    case 'message':
      return { ...none, scopeKind: 'conversation', assigneeId: c.scope.assigneeId, teamId: c.scope.teamId, entityId: c.row.id, row: c.row };
    case 'notification':
    case 'reminder':
      return { ...none, scopeKind: 'user', scopeUserId: c.row.userId, entityId: c.row.id, row: c.row };
    case 'savedView':
      return { ...none, ...fromScope(savedViewScope(c.row)), entityId: c.row.id, row: c.row };
    case 'snippet':
      return { ...none, ...fromScope(snippetScope(c.row)), entityId: c.row.id, row: c.row };
    case 'invite':
      return { ...none, scopeKind: 'admins', entityId: c.row.id, row: c.row };
    case 'delete':
      return { ...none, ...fromScope(c.scope), entityId: c.id, row: { entity: c.entity, id: c.id } };
    default:
      return { ...none, scopeKind: 'tenant', entityId: c.row.id, row: c.row };
  }
}

/** Collects the rows one transaction writes, then stores them at its version in order. */
export class ChangeBatch {
  private readonly changes: LoggedChange[] = [];
  constructor(
    readonly tenantId: string,
    readonly version: number,
  ) {}
  add(change: LoggedChange): void {
    this.changes.push(change);
  }
  get size(): number {
    return this.changes.length;
  }
  async write(tx: Tx): Promise<void> {
    let seq = 0;
    for (const change of this.changes) {
      const c = columns(change);
      await tx.query(
        `INSERT INTO change_log (tenant_id, version, seq, kind, entity_id, scope_kind, scope_user_id, scope_assignee_id, scope_team_id,
           prev_assignee_id, prev_team_id, prev_known, row)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13::jsonb)`,
        [
          this.tenantId,
          this.version,
          seq++,
          change.kind,
          c.entityId,
          c.scopeKind,
          c.scopeUserId,
          c.assigneeId,
          c.teamId,
          c.prev?.assigneeId ?? null,
          c.prev?.teamId ?? null,
          c.prev !== null,
          JSON.stringify(c.row),
        ],
      );
    }
    this.changes.length = 0;
  }
}

export interface LogEntry {
  version: number;
  seq: number;
  kind: Exclude<Op['kind'], 'revoke'>;
  entity_id: string;
  scope_kind: ScopeKind;
  scope_user_id: string | null;
  scope_assignee_id: string | null;
  scope_team_id: string | null;
  prev_assignee_id: string | null;
  prev_team_id: string | null;
  prev_known: boolean;
  row: unknown;
  [k: string]: unknown;
}

/** The log no longer holds what follows a cursor (store/changeLogTrim.ts): that client must re-bootstrap.
 *  A connection that hits it fails and closes; on reconnecting, its hello is below the floor. */
export class LogTrimmedError extends Error {
  constructor(tenantId: string, after: number, floor: number) {
    super(`The change log of tenant ${tenantId} was trimmed to version ${floor}, past cursor ${after}.`);
    this.name = 'LogTrimmedError';
  }
}

/** Reads whole versions in (after, upTo], at most about `limit` rows (a version is never split).
 *  Returns the entries and the version the page reaches. */
export async function readChanges(
  db: Queryable,
  tenantId: string,
  after: number,
  upTo: number,
  limit: number,
): Promise<{ entries: LogEntry[]; to: number }> {
  const [edge] = await db.query<{ version: number }>(
    `SELECT version FROM change_log WHERE tenant_id = $1 AND version > $2 AND version <= $3
     ORDER BY version, seq OFFSET $4 LIMIT 1`,
    [tenantId, after, upTo, limit],
  );
  // When more rows remain, stop before the version that would be split; if that version is the
  // very first one, take it whole.
  let to = upTo;
  if (edge) {
    const [first] = await db.query<{ version: number }>(
      'SELECT min(version) AS version FROM change_log WHERE tenant_id = $1 AND version > $2',
      [tenantId, after],
    );
    to = first && first.version === edge.version ? edge.version : edge.version - 1;
  }
  const entries = await db.query<LogEntry>(
    `SELECT version, seq, kind, entity_id, scope_kind, scope_user_id, scope_assignee_id, scope_team_id, prev_assignee_id,
       prev_team_id, prev_known, row
     FROM change_log WHERE tenant_id = $1 AND version > $2 AND version <= $3 ORDER BY version, seq`,
    [tenantId, after, to],
  );
  // Read after the rows: a trim moves the floor in the transaction that deletes, so a floor at or below
  // `after` now means nothing this page needed was gone when it was read.
  const [floor] = await db.query<{ log_floor: number }>('SELECT log_floor FROM tenants WHERE id = $1', [tenantId]);
  if (floor && Number(floor.log_floor) > after) throw new LogTrimmedError(tenantId, after, Number(floor.log_floor));
  return { entries, to };
}

/** One write outside a push (a channel's webhook, a delivery report, presence, the snooze timer), as one
 *  write of the tenant's next group (groupCommit.ts: in a savepoint of its own, committed with the group;
 *  `fn` may be called again when the group is re-run): see logTenantChanges. Returns what `fn` returned and
 *  whether anything was logged (then the caller must poke the tenant), once the group has committed. */
export async function writeTenantChanges<T>(
  db: Db,
  tenantId: string,
  fn: (tx: Tx, batch: ChangeBatch) => Promise<T>,
): Promise<{ value: T; changed: boolean }> {
  return groupWrite(db, tenantId, (tx) => logTenantChanges(tx, tenantId, fn));
}

/** Inside an open transaction: takes the tenant's next version (the tenant row lock, so every writer
 *  locks in the same order and versions follow commit order), runs `fn`, and logs what it wrote at that
 *  version. When `fn` logged nothing the version is given back: the tenant's version does not move, so no
 *  connection is woken for nothing, and whatever `fn` wrote that clients never see (a delivery's own row,
 *  an early status) is still committed with the transaction. */
export async function logTenantChanges<T>(
  tx: Tx,
  tenantId: string,
  fn: (tx: Tx, batch: ChangeBatch) => Promise<T>,
): Promise<{ value: T; changed: boolean }> {
  const batch = new ChangeBatch(tenantId, await nextVersion(tx, tenantId));
  const value = await fn(tx, batch);
  if (batch.size === 0) {
    await releaseVersion(tx, tenantId, batch.version);
    return { value, changed: false };
  }
  await batch.write(tx);
  return { value, changed: true };
}
