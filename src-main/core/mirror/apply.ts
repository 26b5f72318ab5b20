// Applies what the server sends. Each frame is one transaction; re-applying a frame changes nothing
// (rows only move forward by version), so at-least-once delivery is safe.
import type { Op } from '../../../src-shared/protocol';
import type { WritableDb } from './db';
import { readCursor, writeCursor } from './meta';
import { rebaseConversation } from './rebase';
import { upsertContact, upsertConversation, upsertInbox, upsertMessage, upsertTeam, upsertUser } from './rows';

export interface Applied {
  /** Conversations whose rows (or messages) changed. */
  conversationIds: string[];
  /** True when everything may have changed (a snapshot, or the directory). */
  all: boolean;
}

function applyOps(db: WritableDb, ops: readonly Op[], touched: Set<string>): boolean {
  let directory = false;
  for (const op of ops) {
    switch (op.kind) {
      case 'conversation':
        upsertConversation(db, op.row);
        touched.add(op.row.id);
        break;
      case 'message':
        upsertMessage(db, op.row);
        touched.add(op.row.conversationId);
        break;
      case 'contact':
        upsertContact(db, op.row);
        directory = true;
        break;
      case 'user':
        upsertUser(db, op.row);
        directory = true;
        break;
      case 'team':
        upsertTeam(db, op.row);
        directory = true;
        break;
      case 'inbox':
        upsertInbox(db, op.row);
        directory = true;
        break;
      case 'revoke':
        revokeConversation(db, op.conversationId);
        touched.add(op.conversationId);
        break;
    }
  }
  return directory;
}

/** The conversation left this user's scope: nothing of it may stay in the file. Outbox rows stay:
 *  the server answers them (a refusal then tells the agent why). */
export function revokeConversation(db: WritableDb, conversationId: string): void {
  db.prepare('DELETE FROM messages WHERE conversation_id = ?').run(conversationId);
  db.prepare('DELETE FROM conversations WHERE id = ?').run(conversationId);
  db.prepare('DELETE FROM overlay_conversations WHERE id = ?').run(conversationId);
  db.prepare('DELETE FROM pending_messages WHERE conversation_id = ?').run(conversationId);
}

function rebaseAll(db: WritableDb, ids: Iterable<string>): void {
  for (const id of ids) rebaseConversation(db, id);
}

/** A snapshot starts: base tables are emptied (outbox and pending messages stay) and the cursor is
 *  cleared, so a snapshot cut short is started again on the next connection. */
export function applySnapshotBegin(db: WritableDb, epoch: string): Applied {
  db.transaction(() => {
    for (const table of ['messages', 'conversations', 'contacts', 'inboxes', 'teams', 'users', 'overlay_conversations'])
      db.prepare(`DELETE FROM ${table}`).run();
    writeCursor(db, { epoch, version: null });
  })();
  return { conversationIds: [], all: true };
}

export function applySnapshotPage(db: WritableDb, ops: readonly Op[]): Applied {
  const touched = new Set<string>();
  db.transaction(() => {
    applyOps(db, ops, touched);
    rebaseAll(db, touched);
  })();
  return { conversationIds: [...touched], all: true };
}

export function applySnapshotEnd(db: WritableDb, version: number): Applied {
  db.transaction(() => {
    const { epoch } = readCursor(db);
    writeCursor(db, { epoch, version });
    const pending = db.prepare<[], { conversation_id: string }>('SELECT DISTINCT conversation_id FROM outbox').all();
    rebaseAll(db, pending.map((r) => r.conversation_id));
  })();
  return { conversationIds: [], all: true };
}

/** Changes in (from, to]. The cursor only moves forward. */
export function applyChanges(db: WritableDb, frame: { from: number; to: number; ops: readonly Op[] }): Applied {
  const touched = new Set<string>();
  let directory = false;
  db.transaction(() => {
    directory = applyOps(db, frame.ops, touched);
    const cursor = readCursor(db);
    if (cursor.version === null || frame.to > cursor.version) writeCursor(db, { epoch: cursor.epoch, version: frame.to });
    // A directory change can change the viewer (role, teams): every overlay is recomputed.
    const ids = directory
      ? db.prepare<[], { conversation_id: string }>('SELECT DISTINCT conversation_id FROM outbox').all().map((r) => r.conversation_id)
      : [];
    rebaseAll(db, new Set([...touched, ...ids]));
  })();
  return { conversationIds: [...touched], all: directory };
}
