// Read paths of the mirror: everything the UI shows, always through the overlay views.
import type { Attachment, ClosingCategory, ContactFieldChange, Invite, Team, TemplateUse, User } from '../../../src-shared/domain';
import { blankContact } from '../../../src-shared/rules/contact';
import type { ErrorBody, ErrorCode } from '../../../src-shared/errors';
import type {
  ConversationDetail,
  Delivery,
  EarlierConversation,
  IpcResult,
  MessageItem,
  MessagePage,
  NotificationItem,
} from '../../../src-shared/ipc';
import { preview } from '../../../src-shared/rules/conversation';
import type { Viewer } from '../../../src-shared/rules/visibility';
import type { ReadonlyDb } from './db';
import { contactFields } from './rebase';
import {
  closingCategoryFromRow,
  contactChangeFromRow,
  inboxFromRow,
  notificationFromRow,
  parseEvent,
  userFromRow,
  viewContact,
  type ContactChangeRow,
  type InboxRow,
  type NotificationRow,
  type UserRow,
} from './rows';
import { ITEM_SELECT, itemsFromRows, type ItemRow } from './items';
import { scopeClause } from './views';

/** Conversations waiting for the viewer (the dock/taskbar badge and the tray): theirs, open or
 *  pending, with the customer waiting for a reply or unread messages. Snoozed ones wait for later. */
export function waitingForMe(db: ReadonlyDb, viewer: Viewer): number {
  return db
    .prepare<[string], { n: number }>(
      `SELECT COUNT(*) AS n FROM conversations_view
        WHERE assignee_id = ? AND status IN ('open', 'pending') AND (waiting_since IS NOT NULL OR unread_count > 0)`,
    )
    .get(viewer.id)!.n;
}

export function conversationDetail(db: ReadonlyDb, viewer: Viewer, id: string): ConversationDetail | null {
  const scope = scopeClause(viewer);
  const row = db.prepare<unknown[], ItemRow>(`${ITEM_SELECT} WHERE c.id = ? AND (${scope.sql})`).get(id, ...scope.params);
  if (!row) return null;
  const contact = viewContact(db, row.contact_id);
  return {
    conversation: itemsFromRows(db, viewer.id, [row])[0]!,
    contact: contact ?? blankContact(row.contact_id, row.created_at),
  };
}

/** A contact with all its conversations in the mirror (newest first) and its field history. */
export function contactDetail(db: ReadonlyDb, viewer: Viewer, id: string): IpcResult<'contact.get'> {
  const contact = viewContact(db, id);
  if (!contact) return null;
  const scope = scopeClause(viewer);
  const conversations = itemsFromRows(
    db,
    viewer.id,
    db
      .prepare<unknown[], ItemRow>(`${ITEM_SELECT} WHERE c.contact_id = ? AND (${scope.sql}) ORDER BY c.last_message_at DESC, c.id DESC`)
      .all(id, ...scope.params),
  );
  const history: ContactFieldChange[] = db
    .prepare<[string], ContactChangeRow>('SELECT * FROM contact_changes WHERE contact_id = ? ORDER BY at DESC, version DESC, id')
    .all(id)
    .map(contactChangeFromRow);
  return { contact, conversations, history };
}

/** The signed-in user's notification entries, newest first, with what the list shows of each. */
export function listNotifications(db: ReadonlyDb, viewer: Viewer, limit = 200): NotificationItem[] {
  const rows = db
    .prepare<[string, number], NotificationRow & { by_name: string | null; contact_name: string | null; body: string | null }>(
      `SELECT n.*, COALESCE(ou.name, u.name) AS by_name, COALESCE(oct.name, ct.name) AS contact_name,
              COALESCE(m.body, p.body) AS body
         FROM notifications_view n
         LEFT JOIN users u ON u.id = n.by_id LEFT JOIN overlay_users ou ON ou.id = n.by_id
         LEFT JOIN conversations_view c ON c.id = n.conversation_id
         LEFT JOIN contacts ct ON ct.id = c.contact_id LEFT JOIN overlay_contacts oct ON oct.id = c.contact_id
         LEFT JOIN messages m ON m.id = n.message_id
         LEFT JOIN pending_messages p ON p.id = n.message_id
        WHERE n.user_id = ? ORDER BY n.created_at DESC, n.id DESC LIMIT ?`,
    )
    .all(viewer.id, limit);
  return rows.map((r) => ({
    ...notificationFromRow(r),
    byName: r.by_name,
    contactName: r.contact_name,
    excerpt: r.body === null ? '' : preview(r.body),
  }));
}

interface MessageRow {
  id: string;
  conversation_id: string;
  direction: string;
  kind: string;
  author_id: string | null;
  body: string;
  event: string | null;
  delivery: string;
  error_message: string | null;
  error_code: string | null;
  error_params: string | null;
  created_at: number;
  seq: number | null;
  version: number;
  mentions: string;
  attachments: string;
  template: string | null;
  forwarded: number;
  author_name: string | null;
}

function failureOf(r: MessageRow): ErrorBody | null {
  if (r.delivery !== 'failed') return null;
  // A base message failed at the channel: there is no code of ours, only the provider's reason.
  const body: ErrorBody = { code: (r.error_code ?? 'PROVIDER_REJECTED') as ErrorCode, message: r.error_message ?? '' };
  if (r.error_params) body.params = JSON.parse(r.error_params) as Record<string, string>;
  return body;
}

/** The conversation's timeline: confirmed messages in the server's seq order with their delivery
 *  state, then this device's unconfirmed ones as pending and refused ones as failed with the reason,
 *  in the order the agent wrote them. */
export function conversationMessages(db: ReadonlyDb, conversationId: string): MessageItem[] {
  const rows = db
    .prepare<[string], MessageRow>(
      `SELECT m.*, u.name AS author_name FROM messages_view m LEFT JOIN users u ON u.id = m.author_id
        WHERE m.conversation_id = ? ORDER BY m.seq IS NULL, m.seq, m.local_order`,
    )
    .all(conversationId);
  return rows.map(messageItemFromRow);
}

/** Messages kept below the one a page must reach, so it does not open at the page's very top. */
const REACH_CONTEXT = 20;

export interface MessagePageQuery {
  before?: number;
  limit: number;
  reach?: string;
  /** Older messages read beyond `reach` (REACH_CONTEXT unless given; 0 keeps a page's extent). */
  reachContext?: number;
}

/** One page of the timeline (see conversation.messagePage): confirmed messages read backwards from
 *  `before` through the (conversation_id, seq) index, so a page costs the same in a conversation of 50
 *  messages or of 50,000; the newest page adds this device's unconfirmed ones after them. */
export function conversationMessagePage(db: ReadonlyDb, conversationId: string, q: MessagePageQuery): MessagePage {
  const before = q.before ?? Number.MAX_SAFE_INTEGER;
  let limit = q.limit;
  if (q.reach !== undefined) {
    const target = db
      .prepare<[string, string], { seq: number }>('SELECT seq FROM messages WHERE id = ? AND conversation_id = ?')
      .get(q.reach, conversationId);
    if (target && target.seq < before) {
      const { n } = db
        .prepare<[string, number, number], { n: number }>(
          'SELECT COUNT(*) AS n FROM messages WHERE conversation_id = ? AND seq >= ? AND seq < ?',
        )
        .get(conversationId, target.seq, before)!;
      limit = Math.max(limit, n + (q.reachContext ?? REACH_CONTEXT));
    }
  }
  // The two arms of messages_view read apart, with the view's own columns: ordering the view as a whole
  // would sort every message of the conversation before the first row of the page came out.
  const confirmed = db
    .prepare<[string, number, number], MessageRow>(
      `SELECT m.id, m.conversation_id, m.direction, m.kind, m.author_id, m.body, m.event, m.mentions, m.attachments,
              m.template, m.forwarded, m.state AS delivery, m.error AS error_message, NULL AS error_code, NULL AS error_params,
              m.created_at, m.seq, m.version, u.name AS author_name
         FROM messages m LEFT JOIN users u ON u.id = m.author_id
        WHERE m.conversation_id = ? AND m.seq < ? ORDER BY m.seq DESC LIMIT ?`,
    )
    .all(conversationId, before, limit + 1);
  const hasOlder = confirmed.length > limit;
  const page = confirmed.slice(0, limit).reverse();
  if (q.before === undefined)
    page.push(
      ...db
        .prepare<[string], MessageRow>(
          `SELECT p.id, p.conversation_id, 'out' AS direction, p.kind, p.author_id, p.body, NULL AS event, p.mentions, p.attachments,
                  p.template, p.forwarded, p.state AS delivery, p.error_message, p.error_code, p.error_params,
                  p.created_at, NULL AS seq, 0 AS version, u.name AS author_name
             FROM pending_messages p LEFT JOIN users u ON u.id = p.author_id
            WHERE p.conversation_id = ? AND p.id NOT IN (SELECT id FROM messages) ORDER BY p.mutation_id`,
        )
        .all(conversationId),
    );
  return { messages: page.map(messageItemFromRow), hasOlder };
}

/** How many earlier conversations a timeline shows above itself, and how many of the newest messages of each. */
export const EARLIER_CONVERSATIONS = 6;
export const EARLIER_MESSAGES = 100;

/** conversation.earlier: walks previousConversationId back from this conversation (which the viewer must
 *  see too), one indexed read per step, and reads the newest page of each earlier conversation. */
export function earlierConversations(db: ReadonlyDb, viewer: Viewer, conversationId: string): EarlierConversation[] {
  const scope = scopeClause(viewer);
  const previousOf = db.prepare<unknown[], { previous: string | null }>(
    `SELECT c.previous_conversation_id AS previous FROM conversations_view c WHERE c.id = ? AND (${scope.sql})`,
  );
  const firstAt = db.prepare<[string], { created_at: number }>(
    'SELECT created_at FROM messages WHERE conversation_id = ? ORDER BY seq LIMIT 1',
  );
  const chain: EarlierConversation[] = [];
  const seen = new Set([conversationId]);
  let next = previousOf.get(conversationId, ...scope.params)?.previous ?? null;
  while (next !== null && chain.length < EARLIER_CONVERSATIONS && !seen.has(next)) {
    const id = next;
    seen.add(id);
    const visible = previousOf.get(id, ...scope.params);
    if (!visible) break;
    const { messages, hasOlder } = conversationMessagePage(db, id, { limit: EARLIER_MESSAGES });
    if (messages.length === 0) break;
    chain.push({ conversationId: id, startedAt: hasOlder ? firstAt.get(id)!.created_at : messages[0]!.createdAt, messages, hasOlder });
    next = visible.previous;
  }
  return chain.reverse();
}

function messageItemFromRow(r: MessageRow): MessageItem {
  return {
    id: r.id,
    conversationId: r.conversation_id,
    direction: r.direction as MessageItem['direction'],
    kind: r.kind as MessageItem['kind'],
    authorId: r.author_id,
    body: r.body,
    event: parseEvent(r.event),
    mentions: JSON.parse(r.mentions) as string[],
    attachments: JSON.parse(r.attachments) as Attachment[],
    template: r.template === null ? null : (JSON.parse(r.template) as TemplateUse),
    forwarded: r.forwarded === 1,
    error: r.error_message,
    createdAt: r.created_at,
    seq: r.seq,
    version: r.version,
    delivery: r.delivery as Delivery,
    authorName: r.author_name,
    failure: failureOf(r),
  };
}

export function directory(db: ReadonlyDb, viewer: Viewer): IpcResult<'directory.get'> {
  const users: User[] = db.prepare<[], UserRow>('SELECT * FROM users_view ORDER BY name, id').all().map(userFromRow);
  const teams = db.prepare<[], Team>('SELECT id, name, version FROM teams_view ORDER BY name, id').all();
  const inboxes = db.prepare<[], InboxRow>('SELECT * FROM inboxes_view ORDER BY name, id').all().map(inboxFromRow);
  const closingCategories: ClosingCategory[] = db
    .prepare<[], { id: string; name: string; active: number; version: number }>('SELECT * FROM closing_categories_view ORDER BY name, id')
    .all()
    .map(closingCategoryFromRow);
  // The server sends invites to admins only; a role change re-bootstraps the mirror, but a copy
  // must never be shown to anyone else meanwhile.
  const invites: Invite[] =
    viewer.role === 'admin'
      ? db
          .prepare<[], { id: string; user_id: string; url: string; expires_at: number; version: number }>(
            'SELECT * FROM invites ORDER BY expires_at DESC',
          )
          .all()
          .map((r) => ({ id: r.id, userId: r.user_id, url: r.url, expiresAt: r.expires_at, version: r.version }))
      : [];
  const fields = contactFields(db).sort((a, b) => a.label.localeCompare(b.label));
  return { users, teams, inboxes, contactFields: fields, closingCategories, invites };
}

/** Tags in use on the conversations this device holds, most used first (autocomplete), one spelling each. */
export function tagsInUse(db: ReadonlyDb, limit = 200): { tag: string; count: number }[] {
  return db
    .prepare<[number], { tag: string; count: number }>(
      `SELECT MIN(t.value) AS tag, COUNT(*) AS count
         FROM conversations_view c, json_each(c.tags) t
        GROUP BY lower(t.value)
        ORDER BY count DESC, tag
        LIMIT ?`,
    )
    .all(limit);
}
