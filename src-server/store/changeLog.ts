// The change log: every committed change, per tenant, at the version of its transaction.
import type { Op } from '../../src-shared/protocol';
import type { Contact, Conversation, Inbox, Message, Team, User } from '../../src-shared/domain';
import type { Queryable, Tx } from './db';

export type LoggedChange =
  | { kind: 'conversation'; row: Conversation; prev: { assigneeId: string | null; teamId: string | null } | null }
  | { kind: 'message'; row: Message; scope: { assigneeId: string | null; teamId: string | null } }
  | { kind: 'contact'; row: Contact }
  | { kind: 'user'; row: User }
  | { kind: 'team'; row: Team }
  | { kind: 'inbox'; row: Inbox };

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
    for (const c of this.changes) {
      const scope =
        c.kind === 'conversation'
          ? { assigneeId: c.row.assigneeId, teamId: c.row.teamId }
          : c.kind === 'message'
            ? c.scope
            : { assigneeId: null, teamId: null };
      const prev = c.kind === 'conversation' ? c.prev : null;
      await tx.query(
        `INSERT INTO change_log (tenant_id, version, seq, kind, entity_id, scope_assignee_id, scope_team_id,
           prev_assignee_id, prev_team_id, prev_known, row)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb)`,
        [
          this.tenantId,
          this.version,
          seq++,
          c.kind,
          c.row.id,
          scope.assigneeId,
          scope.teamId,
          prev?.assigneeId ?? null,
          prev?.teamId ?? null,
          prev !== null,
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
  scope_assignee_id: string | null;
  scope_team_id: string | null;
  prev_assignee_id: string | null;
  prev_team_id: string | null;
  prev_known: boolean;
  row: unknown;
  [k: string]: unknown;
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
    `SELECT version, seq, kind, entity_id, scope_assignee_id, scope_team_id, prev_assignee_id, prev_team_id, prev_known, row
     FROM change_log WHERE tenant_id = $1 AND version > $2 AND version <= $3 ORDER BY version, seq`,
    [tenantId, after, to],
  );
  return { entries, to };
}
