// Server rows <-> mirror rows. Upserts keep the newest version: a frame seen twice changes nothing.
import type { Contact, Conversation, ConversationEvent, Inbox, Message, Team, User } from '../../../src-shared/domain';
import type { ReadonlyDb, WritableDb } from './db';

export interface ConversationRow {
  id: string;
  inbox_id: string;
  contact_id: string;
  team_id: string | null;
  assignee_id: string | null;
  status: string;
  unread_count: number;
  last_message_at: number;
  last_message_preview: string;
  last_customer_message_at: number | null;
  waiting_since: number | null;
  created_at: number;
  version: number;
}

export function conversationFromRow(r: ConversationRow): Conversation {
  return {
    id: r.id,
    inboxId: r.inbox_id,
    contactId: r.contact_id,
    teamId: r.team_id,
    assigneeId: r.assignee_id,
    status: r.status as Conversation['status'],
    unreadCount: r.unread_count,
    lastMessageAt: r.last_message_at,
    lastMessagePreview: r.last_message_preview,
    lastCustomerMessageAt: r.last_customer_message_at,
    waitingSince: r.waiting_since,
    createdAt: r.created_at,
    version: r.version,
  };
}

function conversationParams(c: Conversation): unknown[] {
  return [
    c.id, c.inboxId, c.contactId, c.teamId, c.assigneeId, c.status, c.unreadCount, c.lastMessageAt,
    c.lastMessagePreview, c.lastCustomerMessageAt, c.waitingSince, c.createdAt, c.version,
  ];
}

const CONVERSATION_COLUMNS = `id, inbox_id, contact_id, team_id, assignee_id, status, unread_count, last_message_at,
  last_message_preview, last_customer_message_at, waiting_since, created_at, version`;
const CONVERSATION_UPDATE = `inbox_id = excluded.inbox_id, contact_id = excluded.contact_id, team_id = excluded.team_id,
  assignee_id = excluded.assignee_id, status = excluded.status, unread_count = excluded.unread_count,
  last_message_at = excluded.last_message_at, last_message_preview = excluded.last_message_preview,
  last_customer_message_at = excluded.last_customer_message_at, waiting_since = excluded.waiting_since,
  created_at = excluded.created_at, version = excluded.version`;

export function upsertConversation(db: WritableDb, c: Conversation): void {
  db.prepare(
    `INSERT INTO conversations (${CONVERSATION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET ${CONVERSATION_UPDATE} WHERE excluded.version >= conversations.version`,
  ).run(...conversationParams(c));
}

export function writeOverlayConversation(db: WritableDb, c: Conversation): void {
  db.prepare(
    `INSERT INTO overlay_conversations (${CONVERSATION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET ${CONVERSATION_UPDATE}`,
  ).run(...conversationParams(c));
}

export function baseConversation(db: ReadonlyDb, id: string): Conversation | null {
  const row = db.prepare<[string], ConversationRow>(`SELECT ${CONVERSATION_COLUMNS} FROM conversations WHERE id = ?`).get(id);
  return row ? conversationFromRow(row) : null;
}

/** The conversation as the agent sees it: overlay over base. */
export function viewConversation(db: ReadonlyDb, id: string): Conversation | null {
  const row = db
    .prepare<[string], ConversationRow>(`SELECT ${CONVERSATION_COLUMNS} FROM conversations_view WHERE id = ?`)
    .get(id);
  return row ? conversationFromRow(row) : null;
}

export function upsertMessage(db: WritableDb, m: Message): void {
  db.prepare(
    `INSERT INTO messages (id, conversation_id, direction, kind, author_id, body, event, state, error, created_at, seq, version)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET conversation_id = excluded.conversation_id, direction = excluded.direction,
       kind = excluded.kind, author_id = excluded.author_id, body = excluded.body, event = excluded.event,
       state = excluded.state, error = excluded.error, created_at = excluded.created_at, seq = excluded.seq,
       version = excluded.version
     WHERE excluded.version >= messages.version`,
  ).run(
    m.id, m.conversationId, m.direction, m.kind, m.authorId, m.body, m.event ? JSON.stringify(m.event) : null,
    m.state, m.error, m.createdAt, m.seq, m.version,
  );
}

export function parseEvent(raw: string | null): ConversationEvent | null {
  return raw === null ? null : (JSON.parse(raw) as ConversationEvent);
}

export function upsertUser(db: WritableDb, u: User): void {
  db.prepare(
    `INSERT INTO users (id, name, email, role, active, team_ids, version) VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET name = excluded.name, email = excluded.email, role = excluded.role,
       active = excluded.active, team_ids = excluded.team_ids, version = excluded.version
     WHERE excluded.version >= users.version`,
  ).run(u.id, u.name, u.email, u.role, u.active ? 1 : 0, JSON.stringify(u.teamIds), u.version);
}

export interface UserRow {
  id: string;
  name: string;
  email: string;
  role: string;
  active: number;
  team_ids: string;
  version: number;
}

export function userFromRow(r: UserRow): User {
  return {
    id: r.id,
    name: r.name,
    email: r.email,
    role: r.role as User['role'],
    active: r.active === 1,
    teamIds: JSON.parse(r.team_ids) as string[],
    version: r.version,
  };
}

export function upsertTeam(db: WritableDb, t: Team): void {
  db.prepare(
    `INSERT INTO teams (id, name, version) VALUES (?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET name = excluded.name, version = excluded.version WHERE excluded.version >= teams.version`,
  ).run(t.id, t.name, t.version);
}

export function upsertInbox(db: WritableDb, i: Inbox): void {
  db.prepare(
    `INSERT INTO inboxes (id, name, channel, team_id, version) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET name = excluded.name, channel = excluded.channel, team_id = excluded.team_id,
       version = excluded.version WHERE excluded.version >= inboxes.version`,
  ).run(i.id, i.name, i.channel, i.teamId, i.version);
}

export function upsertContact(db: WritableDb, c: Contact): void {
  db.prepare(
    `INSERT INTO contacts (id, name, email, phone, created_at, version) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET name = excluded.name, email = excluded.email, phone = excluded.phone,
       created_at = excluded.created_at, version = excluded.version WHERE excluded.version >= contacts.version`,
  ).run(c.id, c.name, c.email, c.phone, c.createdAt, c.version);
}
