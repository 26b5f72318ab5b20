// Read paths of the mirror: everything the UI shows, always through the overlay views.
import type { ConversationStatus, Inbox, Team, User } from '../../../src-shared/domain';
import type { ErrorBody, ErrorCode } from '../../../src-shared/errors';
import type { ConversationDetail, ConversationItem, Delivery, InboxCounts, MessageItem, TabCounts } from '../../../src-shared/ipc';
import { CONVERSATION_STATUSES } from '../../../src-shared/domain';
import { viewsFor, type View, type Viewer } from '../../../src-shared/rules/visibility';
import type { ReadonlyDb } from './db';
import { conversationFromRow, parseEvent, userFromRow, type ConversationRow, type UserRow } from './rows';

type ItemRow = ConversationRow & {
  pending: number;
  contact_name: string | null;
  channel: string | null;
  inbox_name: string | null;
  assignee_name: string | null;
};

const ITEM_SELECT = `SELECT c.*, ct.name AS contact_name, i.channel AS channel, i.name AS inbox_name, u.name AS assignee_name
  FROM conversations_view c
  LEFT JOIN contacts ct ON ct.id = c.contact_id
  LEFT JOIN inboxes i ON i.id = c.inbox_id
  LEFT JOIN users u ON u.id = c.assignee_id`;

function itemFromRow(r: ItemRow): ConversationItem {
  return {
    ...conversationFromRow(r),
    contactName: r.contact_name ?? '',
    channel: (r.channel ?? 'webchat') as ConversationItem['channel'],
    inboxName: r.inbox_name ?? '',
    assigneeName: r.assignee_name,
    pending: r.pending === 1,
  };
}

export interface InboxListQuery {
  view: View;
  status: ConversationStatus;
  sort: 'newest' | 'oldest';
  limit: number;
}

export function listInbox(db: ReadonlyDb, viewer: Viewer, q: InboxListQuery): ConversationItem[] {
  const order = q.sort === 'newest' ? 'DESC' : 'ASC';
  const where =
    q.view === 'mine' ? 'c.assignee_id = @me' : q.view === 'unassigned' ? 'c.assignee_id IS NULL' : '1 = 1';
  const rows = db
    .prepare<[Record<string, unknown>], ItemRow>(
      `${ITEM_SELECT} WHERE c.status = @status AND ${where}
       ORDER BY c.last_message_at ${order}, c.id ${order} LIMIT @limit`,
    )
    .all({ status: q.status, me: viewer.id, limit: q.limit });
  return rows.map(itemFromRow);
}

function emptyTabs(): TabCounts {
  return { open: 0, pending: 0, snoozed: 0, closed: 0, waiting: 0, unread: 0 };
}

/** Counters for every view the viewer has, per status tab, plus waiting and unread (not closed). */
export function inboxCounts(db: ReadonlyDb, viewer: Viewer): InboxCounts {
  const rows = db
    .prepare<[string], { status: string; bucket: string; n: number; waiting: number; unread: number }>(
      `SELECT status,
              CASE WHEN assignee_id = ? THEN 'mine' WHEN assignee_id IS NULL THEN 'unassigned' ELSE 'other' END AS bucket,
              COUNT(*) AS n,
              SUM(status <> 'closed' AND waiting_since IS NOT NULL) AS waiting,
              SUM(status <> 'closed' AND unread_count > 0) AS unread
         FROM conversations_view GROUP BY 1, 2`,
    )
    .all(viewer.id);
  const counts: InboxCounts = {};
  for (const view of viewsFor(viewer.role)) counts[view] = emptyTabs();
  for (const r of rows) {
    const views: View[] = r.bucket === 'mine' ? ['mine', 'all'] : r.bucket === 'unassigned' ? ['unassigned', 'all'] : ['all'];
    for (const view of views) {
      const tabs = counts[view];
      if (!tabs) continue;
      if ((CONVERSATION_STATUSES as readonly string[]).includes(r.status)) tabs[r.status as ConversationStatus] += r.n;
      tabs.waiting += r.waiting;
      tabs.unread += r.unread;
    }
  }
  return counts;
}

/** Conversations with unread customer messages the viewer is expected to handle (for the dock badge). */
export function unreadForBadge(db: ReadonlyDb, viewer: Viewer): number {
  return db
    .prepare<[string], { n: number }>(
      `SELECT COUNT(*) AS n FROM conversations_view
        WHERE status <> 'closed' AND unread_count > 0 AND (assignee_id = ? OR assignee_id IS NULL)`,
    )
    .get(viewer.id)!.n;
}

export function conversationDetail(db: ReadonlyDb, id: string): ConversationDetail | null {
  const row = db.prepare<[string], ItemRow>(`${ITEM_SELECT} WHERE c.id = ?`).get(id);
  if (!row) return null;
  const contact = db
    .prepare<[string], { id: string; name: string; email: string | null; phone: string | null }>(
      'SELECT id, name, email, phone FROM contacts WHERE id = ?',
    )
    .get(row.contact_id);
  return {
    conversation: itemFromRow(row),
    contact: contact ?? { id: row.contact_id, name: '', email: null, phone: null },
  };
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
  author_name: string | null;
}

function failureOf(r: MessageRow): ErrorBody | null {
  if (r.delivery !== 'failed') return null;
  // A base message failed at the provider: there is no code of ours, only the provider's reason.
  const body: ErrorBody = { code: (r.error_code ?? 'INTERNAL') as ErrorCode, message: r.error_message ?? '' };
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
  return rows.map((r) => ({
    id: r.id,
    conversationId: r.conversation_id,
    direction: r.direction as MessageItem['direction'],
    kind: r.kind as MessageItem['kind'],
    authorId: r.author_id,
    body: r.body,
    event: parseEvent(r.event),
    error: r.error_message,
    createdAt: r.created_at,
    seq: r.seq,
    version: r.version,
    delivery: r.delivery as Delivery,
    authorName: r.author_name,
    failure: failureOf(r),
  }));
}

export function directory(db: ReadonlyDb): { users: User[]; teams: Team[]; inboxes: Inbox[] } {
  const users = db.prepare<[], UserRow>('SELECT * FROM users ORDER BY name, id').all().map(userFromRow);
  const teams = db.prepare<[], Team>('SELECT id, name, version FROM teams ORDER BY name, id').all();
  const inboxes = db
    .prepare<[], { id: string; name: string; channel: string; team_id: string | null; version: number }>(
      'SELECT * FROM inboxes ORDER BY name, id',
    )
    .all()
    .map((r) => ({ id: r.id, name: r.name, channel: r.channel as Inbox['channel'], teamId: r.team_id, version: r.version }));
  return { users, teams, inboxes };
}
