// Turns change-log entries into the ops one user may receive (ARCHITECTURE.md "Visibility").
import type { Message } from '../../src-shared/domain';
import type { Op } from '../../src-shared/protocol';
import { canUseSavedView } from '../../src-shared/rules/visibility';
import { canSeeConversation, type ConversationScope, type Viewer } from '../visibility';
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
 * Turns a page of the log into what one person receives. A conversation is judged on two clocks: each
 * change by the scope it was written with (a live client follows the conversation in and out), and the
 * whole page by the conversation's scope now (`current`, read after the page): a conversation out of the
 * person's scope now gets at most one revoke (when she could have held it), and nothing written for it,
 * so a client replaying from an old cursor ends in exactly what she may see at the end, never receiving
 * what was written while it was out of her scope (one the user never saw is skipped, so agents do not
 * learn ids outside their scope). A conversation visible now is sent as each change left it; one that
 * entered the scope is followed by all its messages, which the user could not receive while it was out.
 */
export async function visibleOps(
  entries: readonly Entry[],
  viewer: Viewer,
  current: ReadonlyMap<string, ConversationScope>,
  messagesOf: (conversationId: string) => Promise<Message[]>,
): Promise<Op[]> {
  const ops: Op[] = [];
  // A message changed twice in one page (sent, then delivered) is sent once, as the newest row the page
  // or the read of its conversation holds: keeping the first left clients on a stale state when one
  // catch-up covered both changes (several commits coalesced into one pass).
  const messageAt = new Map<string, number>();
  const putMessage = (row: Message) => {
    const at = messageAt.get(row.id);
    if (at === undefined) {
      messageAt.set(row.id, ops.length);
      ops.push({ kind: 'message', row });
    } else if (row.version > (ops[at] as Extract<Op, { kind: 'message' }>).row.version) ops[at] = { kind: 'message', row };
  };
  const revoked = new Set<string>();
  const visibleNow = (id: string) => {
    const scope = current.get(id);
    return scope !== undefined && canSeeConversation(viewer, scope);
  };
  const revokeOnce = (id: string) => {
    if (revoked.has(id)) return;
    revoked.add(id);
    ops.push({ kind: 'revoke', conversationId: id });
  };
  for (const e of entries) {
    switch (e.kind) {
      case 'conversation': {
        const now = canSeeConversation(viewer, { assigneeId: e.scope_assignee_id, teamId: e.scope_team_id });
        const before = e.prev_known && canSeeConversation(viewer, { assigneeId: e.prev_assignee_id, teamId: e.prev_team_id });
        if (!visibleNow(e.entity_id)) {
          if (now || before) revokeOnce(e.entity_id);
        } else if (now) {
          ops.push({ kind: 'conversation', row: e.row as Extract<Op, { kind: 'conversation' }>['row'] });
          if (!before) {
            for (const m of await messagesOf(e.entity_id)) putMessage(m);
          }
        }
        // Out of scope at this change but visible now: it came back since, and the change that brought it
        // back (here or in a later page) sends it whole. A revoke now would only be undone.
        break;
      }
      case 'message': {
        if (!canSeeConversation(viewer, { assigneeId: e.scope_assignee_id, teamId: e.scope_team_id })) break;
        const row = e.row as Message;
        if (!visibleNow(row.conversationId)) {
          revokeOnce(row.conversationId);
          break;
        }
        putMessage(row);
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

/** The conversations a page of the log touches (their scope now decides what a replay sends). */
export function conversationsTouched(entries: readonly Entry[]): string[] {
  const ids = new Set<string>();
  for (const e of entries) {
    if (e.kind === 'conversation') ids.add(e.entity_id);
    else if (e.kind === 'message') ids.add((e.row as Message).conversationId);
  }
  return [...ids];
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
