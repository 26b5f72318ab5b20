// Turns change-log entries into the ops one user may receive (ARCHITECTURE.md "Visibility").
import type { Message } from '../../src-shared/domain';
import type { Op } from '../../src-shared/protocol';
import { canSeeConversation, canUseSavedView, type Viewer } from '../../src-shared/rules/visibility';
import type { LogEntry } from '../store/changeLog';

type Entry = Pick<
  LogEntry,
  | 'kind'
  | 'entity_id'
  | 'scope_kind'
  | 'scope_user_id'
  | 'scope_assignee_id'
  | 'scope_team_id'
  | 'prev_assignee_id'
  | 'prev_team_id'
  | 'prev_known'
  | 'row'
>;

/** Whether a row outside the conversation scope reaches this viewer. */
function inScope(e: Entry, viewer: Viewer): boolean {
  switch (e.scope_kind) {
    case 'tenant':
      return true;
    case 'user':
      return e.scope_user_id === viewer.id;
    case 'view':
      return canUseSavedView(viewer, { ownerId: e.scope_user_id ?? '', teamId: e.scope_team_id });
    case 'admins':
      return viewer.role === 'admin';
    case 'conversation':
      return canSeeConversation(viewer, { assigneeId: e.scope_assignee_id, teamId: e.scope_team_id });
  }
}

/**
 * A conversation visible after the change is sent; one that left the user's scope becomes a
 * revoke (one the user never saw is skipped, so agents do not learn ids outside their scope).
 * A conversation that entered the scope is followed by all its messages, which the user could
 * not receive while it was out of scope.
 */
export async function visibleOps(
  entries: readonly Entry[],
  viewer: Viewer,
  messagesOf: (conversationId: string) => Promise<Message[]>,
): Promise<Op[]> {
  const ops: Op[] = [];
  const sentMessages = new Set<string>();
  for (const e of entries) {
    switch (e.kind) {
      case 'conversation': {
        const now = canSeeConversation(viewer, { assigneeId: e.scope_assignee_id, teamId: e.scope_team_id });
        const before = e.prev_known && canSeeConversation(viewer, { assigneeId: e.prev_assignee_id, teamId: e.prev_team_id });
        if (now) {
          ops.push({ kind: 'conversation', row: e.row as Extract<Op, { kind: 'conversation' }>['row'] });
          if (!before) {
            for (const m of await messagesOf(e.entity_id)) {
              if (sentMessages.has(m.id)) continue;
              sentMessages.add(m.id);
              ops.push({ kind: 'message', row: m });
            }
          }
        } else if (before) {
          ops.push({ kind: 'revoke', conversationId: e.entity_id });
        }
        break;
      }
      case 'message': {
        if (!canSeeConversation(viewer, { assigneeId: e.scope_assignee_id, teamId: e.scope_team_id })) break;
        const row = e.row as Message;
        if (sentMessages.has(row.id)) break;
        sentMessages.add(row.id);
        ops.push({ kind: 'message', row });
        break;
      }
      case 'delete': {
        if (!inScope(e, viewer)) break;
        const row = e.row as { entity: Extract<Op, { kind: 'delete' }>['entity']; id: string };
        ops.push({ kind: 'delete', entity: row.entity, id: row.id });
        break;
      }
      default:
        if (inScope(e, viewer)) ops.push({ kind: e.kind, row: e.row } as Op);
        break;
    }
  }
  return ops;
}

/** Splits ops so that no frame built from one part comes near the peer's frame limit. */
export function chunkOps(ops: readonly Op[], maxBytes: number): Op[][] {
  const chunks: Op[][] = [];
  let current: Op[] = [];
  let size = 0;
  for (const op of ops) {
    const bytes = Buffer.byteLength(JSON.stringify(op)) + 1;
    if (current.length > 0 && size + bytes > maxBytes) {
      chunks.push(current);
      current = [];
      size = 0;
    }
    current.push(op);
    size += bytes;
  }
  if (current.length > 0 || chunks.length === 0) chunks.push(current);
  return chunks;
}
