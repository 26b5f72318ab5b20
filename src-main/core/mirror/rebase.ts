// Recomputes a conversation's optimistic overlay: base row + this device's unconfirmed mutations,
// replayed in order with the same rule functions the server runs.
import type { Conversation } from '../../../src-shared/domain';
import { isBandejaError } from '../../../src-shared/errors';
import { mutationArgs, type AnyMutation, type MutationName } from '../../../src-shared/mutations';
import { assign, markRead, sendReply, setStatus, type Outcome } from '../../../src-shared/rules/conversation';
import type { Viewer } from '../../../src-shared/rules/visibility';
import type { ReadonlyDb, WritableDb } from './db';
import { readSessionUser } from './meta';
import { baseConversation, userFromRow, writeOverlayConversation, type UserRow } from './rows';

export interface OutboxRow {
  mutation_id: number;
  name: string;
  args: string;
  conversation_id: string;
  created_at: number;
  attempts: number;
  last_error: string | null;
}

/** The signed-in user as the rules see them; the directory's copy wins because roles and teams change. */
export function sessionViewer(db: ReadonlyDb): Viewer | null {
  const user = readSessionUser(db);
  if (!user) return null;
  const row = db.prepare<[string], UserRow>('SELECT * FROM users WHERE id = ?').get(user.id);
  const current = row ? userFromRow(row) : user;
  return { id: current.id, role: current.role, teamIds: current.teamIds };
}

export function outboxMutation(row: OutboxRow): AnyMutation {
  const name = row.name as MutationName;
  const args = mutationArgs[name].parse(JSON.parse(row.args));
  return { id: row.mutation_id, name, args, clientTime: row.created_at } as AnyMutation;
}

/** What one mutation does to a conversation, by the shared rules. Throws a BandejaError when refused. */
export function applyRule(viewer: Viewer, c: Conversation, m: AnyMutation): Outcome {
  switch (m.name) {
    case 'message.send':
      return sendReply(viewer, c, m.args.body, m.clientTime);
    case 'conversation.assign':
      return assign(viewer, c, m.args.assigneeId);
    case 'conversation.setStatus':
      return setStatus(viewer, c, m.args.status);
    case 'conversation.markRead':
      return markRead(viewer, c);
  }
}

export function rebaseConversation(db: WritableDb, conversationId: string): void {
  const base = baseConversation(db, conversationId);
  const rows = db
    .prepare<[string], OutboxRow>('SELECT * FROM outbox WHERE conversation_id = ? ORDER BY mutation_id')
    .all(conversationId);
  const viewer = sessionViewer(db);
  if (!base || rows.length === 0 || !viewer) {
    db.prepare('DELETE FROM overlay_conversations WHERE id = ?').run(conversationId);
    return;
  }
  let c = base;
  for (const row of rows) {
    try {
      c = applyRule(viewer, c, outboxMutation(row)).conversation;
    } catch (e) {
      // The server will refuse it too; the rejection reaches the agent then. Skip it here.
      if (!isBandejaError(e)) throw e;
    }
  }
  writeOverlayConversation(db, c);
}
