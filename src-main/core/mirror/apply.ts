// Applies what the server sends. Each frame is one transaction; re-applying a frame changes nothing
// (rows only move forward by version), so at-least-once delivery is safe.
import type { NotificationEntry } from '../../../src-shared/domain';
import type { Op } from '../../../src-shared/protocol';
import type { WritableDb } from './db';
import { readCursor, readSessionUser, writeCursor } from './meta';
import { OVERLAID_TABLES } from './migrations';
import { rebaseConversation, rebaseEntities } from './rebase';
import {
  upsertClosingCategory,
  upsertContact,
  upsertContactChange,
  upsertContactField,
  upsertConversation,
  upsertInbox,
  upsertInvite,
  upsertMessage,
  upsertNotification,
  upsertReminder,
  upsertSavedView,
  upsertSnippet,
  upsertTeam,
  upsertTemplate,
  upsertUser,
} from './rows';

export interface Applied {
  /** Conversations whose rows (or messages) changed. */
  conversationIds: string[];
  /** True when everything may have changed (a snapshot, or the directory). */
  all: boolean;
  /** Notifications for the signed-in user seen for the first time, unread (a native notification each). */
  newNotifications?: NotificationEntry[];
  /** A reminder row changed (the scheduler looks again). */
  reminders?: boolean;
  /** What arrived for the first time in a `changes` frame (never in a snapshot: that is history, not news). */
  news?: News;
}

export interface News {
  /** Customer messages this mirror had not seen, in arrival order. */
  customerMessages: { conversationId: string; messageId: string }[];
  /** Conversations this mirror had not seen. */
  conversations: string[];
}

const DELETED_TABLE = {
  savedView: 'saved_views',
  contactField: 'contact_fields',
  invite: 'invites',
  notification: 'notifications',
  snippet: 'snippets',
  template: 'templates',
} as const;

// Every table that holds server rows; a snapshot empties them all. Built from the overlaid entities'
// list so an entity added there is purged too.
// conversation_tallies and conversation_tags are derived from the conversations (mirror migrations 6 and
// 8): emptied with them, their triggers standing still while the snapshot clears.
const BASE_TABLES = [
  ...OVERLAID_TABLES,
  'messages',
  'conversations',
  'contact_changes',
  'invites',
  'overlay_conversations',
  'conversation_tallies',
  'conversation_tags',
];

interface Touched {
  conversations: Set<string>;
  /** Something other than conversations and messages changed. */
  directory: boolean;
  notifications: NotificationEntry[];
  reminders: boolean;
  news: News;
}

function applyOps(db: WritableDb, ops: readonly Op[], touched: Touched): void {
  const me = readSessionUser(db)?.id ?? null;
  const known = db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM notifications WHERE id = ?');
  const knownMessage = db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM messages WHERE id = ?');
  const knownConversation = db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM conversations WHERE id = ?');
  for (const op of ops) {
    switch (op.kind) {
      case 'conversation':
        if (knownConversation.get(op.row.id)!.n === 0) touched.news.conversations.push(op.row.id);
        upsertConversation(db, op.row);
        touched.conversations.add(op.row.id);
        break;
      case 'message':
        if (op.row.direction === 'in' && knownMessage.get(op.row.id)!.n === 0)
          touched.news.customerMessages.push({ conversationId: op.row.conversationId, messageId: op.row.id });
        upsertMessage(db, op.row);
        touched.conversations.add(op.row.conversationId);
        break;
      case 'revoke':
        revokeConversation(db, op.conversationId);
        touched.conversations.add(op.conversationId);
        break;
      case 'notification':
        if (op.row.userId === me && op.row.readAt === null && known.get(op.row.id)!.n === 0) touched.notifications.push(op.row);
        upsertNotification(db, op.row);
        touched.directory = true;
        break;
      case 'delete':
        db.prepare(`DELETE FROM ${DELETED_TABLE[op.entity]} WHERE id = ?`).run(op.id);
        touched.directory = true;
        break;
      default:
        applyEntity(db, op);
        touched.directory = true;
        if (op.kind === 'reminder') touched.reminders = true;
    }
  }
}

function applyEntity(db: WritableDb, op: Exclude<Op, { kind: 'conversation' | 'message' | 'revoke' | 'delete' | 'notification' }>): void {
  switch (op.kind) {
    case 'contact':
      return upsertContact(db, op.row);
    case 'user':
      return upsertUser(db, op.row);
    case 'team':
      return upsertTeam(db, op.row);
    case 'inbox':
      return upsertInbox(db, op.row);
    case 'savedView':
      return upsertSavedView(db, op.row);
    case 'contactField':
      return upsertContactField(db, op.row);
    case 'contactChange':
      return upsertContactChange(db, op.row);
    case 'closingCategory':
      return upsertClosingCategory(db, op.row);
    case 'invite':
      return upsertInvite(db, op.row);
    case 'snippet':
      return upsertSnippet(db, op.row);
    case 'template':
      return upsertTemplate(db, op.row);
    case 'reminder':
      return upsertReminder(db, op.row);
  }
}

/** The conversation left this user's scope: nothing of it may stay in the file (the search index's
 *  entries go with the messages, by trigger). Outbox rows stay: the server answers them (a refusal
 *  then tells the agent why). */
export function revokeConversation(db: WritableDb, conversationId: string): void {
  db.prepare('DELETE FROM messages WHERE conversation_id = ?').run(conversationId);
  db.prepare('DELETE FROM conversations WHERE id = ?').run(conversationId);
  db.prepare('DELETE FROM overlay_conversations WHERE id = ?').run(conversationId);
  db.prepare('DELETE FROM pending_messages WHERE conversation_id = ?').run(conversationId);
  db.prepare('DELETE FROM notifications WHERE conversation_id = ?').run(conversationId);
}

function outboxConversations(db: WritableDb): string[] {
  return db
    .prepare<[], { conversation_id: string }>('SELECT DISTINCT conversation_id FROM outbox WHERE conversation_id IS NOT NULL')
    .all()
    .map((r) => r.conversation_id);
}

/** Rebases those of `ids` that have something to rebase. One with no outbox rows and no overlay row
 *  would be left exactly as it is, and a snapshot page touches hundreds: they are skipped. */
function rebaseAll(db: WritableDb, ids: Iterable<string>): void {
  const rebaseable = new Set(
    db
      .prepare<[], { id: string }>(
        'SELECT conversation_id AS id FROM outbox WHERE conversation_id IS NOT NULL UNION SELECT id FROM overlay_conversations',
      )
      .all()
      .map((r) => r.id),
  );
  for (const id of ids) if (rebaseable.has(id)) rebaseConversation(db, id);
}

function emptyTouched(): Touched {
  return {
    conversations: new Set(),
    directory: false,
    notifications: [],
    reminders: false,
    news: { customerMessages: [], conversations: [] },
  };
}

/** A snapshot starts (first start, another epoch, or the user's scope changed on a live connection):
 *  every base table is emptied, so whatever the following pages do not bring back is gone from the
 *  file. The outbox and pending messages stay; the cursor is cleared, so a snapshot cut short is
 *  started again on the next connection. */
export function applySnapshotBegin(db: WritableDb, epoch: string): Applied {
  db.transaction(() => {
    // The search indexes are emptied whole, and their per-row delete triggers stand aside meanwhile.
    db.prepare("INSERT INTO meta (key, value) VALUES ('clearingIndex', '1')").run();
    db.prepare("INSERT INTO messages_fts (messages_fts) VALUES ('delete-all')").run();
    db.prepare("INSERT INTO contacts_fts (contacts_fts) VALUES ('delete-all')").run();
    for (const table of BASE_TABLES) db.prepare(`DELETE FROM ${table}`).run();
    db.prepare("DELETE FROM meta WHERE key = 'clearingIndex'").run();
    writeCursor(db, { epoch, version: null });
  })();
  return { conversationIds: [], all: true };
}

export function applySnapshotPage(db: WritableDb, ops: readonly Op[]): Applied {
  const touched = emptyTouched();
  db.transaction(() => {
    applyOps(db, ops, touched);
    rebaseAll(db, touched.conversations);
  })();
  // A snapshot's notifications are history, not news: no native notification for them.
  return { conversationIds: [...touched.conversations], all: true };
}

export function applySnapshotEnd(db: WritableDb, version: number): Applied {
  db.transaction(() => {
    const { epoch } = readCursor(db);
    writeCursor(db, { epoch, version });
    rebaseAll(db, outboxConversations(db));
    rebaseEntities(db);
  })();
  return { conversationIds: [], all: true };
}

/** Changes in (from, to]. The cursor only moves forward. */
export function applyChanges(db: WritableDb, frame: { from: number; to: number; ops: readonly Op[] }): Applied {
  const touched = emptyTouched();
  db.transaction(() => {
    applyOps(db, frame.ops, touched);
    const cursor = readCursor(db);
    if (cursor.version === null || frame.to > cursor.version) writeCursor(db, { epoch: cursor.epoch, version: frame.to });
    // A directory change can change the viewer (role, teams) or what a rule needs (inbox settings,
    // contact fields): every overlay is recomputed.
    if (touched.directory) {
      rebaseAll(db, new Set([...touched.conversations, ...outboxConversations(db)]));
      rebaseEntities(db);
    } else rebaseAll(db, touched.conversations);
  })();
  return {
    conversationIds: [...touched.conversations],
    all: touched.directory,
    newNotifications: touched.notifications,
    reminders: touched.reminders,
    news: touched.news,
  };
}
