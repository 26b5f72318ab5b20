// Column lists and row -> domain mappers, shared by every query that returns these entities.
import type { Contact, Conversation, ConversationEvent, Inbox, Message, Team, User } from '../../src-shared/domain';

export const CONVERSATION_COLUMNS = `c.id, c.inbox_id, c.contact_id, c.team_id, c.assignee_id, c.status, c.unread_count,
  c.last_message_at, c.last_message_preview, c.last_customer_message_at, c.waiting_since, c.created_at, c.version`;

export interface ConversationRow {
  id: string;
  inbox_id: string;
  contact_id: string;
  team_id: string | null;
  assignee_id: string | null;
  status: Conversation['status'];
  unread_count: number;
  last_message_at: number;
  last_message_preview: string;
  last_customer_message_at: number | null;
  waiting_since: number | null;
  created_at: number;
  version: number;
  [k: string]: unknown;
}

export function toConversation(r: ConversationRow): Conversation {
  return {
    id: r.id,
    inboxId: r.inbox_id,
    contactId: r.contact_id,
    teamId: r.team_id,
    assigneeId: r.assignee_id,
    status: r.status,
    unreadCount: r.unread_count,
    lastMessageAt: r.last_message_at,
    lastMessagePreview: r.last_message_preview,
    lastCustomerMessageAt: r.last_customer_message_at,
    waitingSince: r.waiting_since,
    createdAt: r.created_at,
    version: r.version,
  };
}

export const MESSAGE_COLUMNS = `m.id, m.conversation_id, m.direction, m.kind, m.author_id, m.body, m.event, m.state,
  m.error, m.created_at, m.seq, m.version`;

export interface MessageRow {
  id: string;
  conversation_id: string;
  direction: Message['direction'];
  kind: Message['kind'];
  author_id: string | null;
  body: string;
  event: ConversationEvent | null;
  state: Message['state'];
  error: string | null;
  created_at: number;
  seq: number;
  version: number;
  [k: string]: unknown;
}

export function toMessage(r: MessageRow): Message {
  return {
    id: r.id,
    conversationId: r.conversation_id,
    direction: r.direction,
    kind: r.kind,
    authorId: r.author_id,
    body: r.body,
    event: r.event,
    state: r.state,
    error: r.error,
    createdAt: r.created_at,
    seq: r.seq,
    version: r.version,
  };
}

export const USER_COLUMNS = `u.id, u.name, u.email, u.role, u.active, u.version,
  COALESCE((SELECT array_agg(tm.team_id ORDER BY tm.team_id) FROM team_members tm WHERE tm.user_id = u.id), '{}') AS team_ids`;

export interface UserRow {
  id: string;
  name: string;
  email: string;
  role: User['role'];
  active: boolean;
  version: number;
  team_ids: string[];
  [k: string]: unknown;
}

export function toUser(r: UserRow): User {
  return { id: r.id, name: r.name, email: r.email, role: r.role, active: r.active, teamIds: r.team_ids, version: r.version };
}

export function toTeam(r: { id: string; name: string; version: number }): Team {
  return { id: r.id, name: r.name, version: r.version };
}

export function toInbox(r: { id: string; name: string; channel: Inbox['channel']; team_id: string | null; version: number }): Inbox {
  return { id: r.id, name: r.name, channel: r.channel, teamId: r.team_id, version: r.version };
}

export function toContact(r: {
  id: string;
  name: string;
  email: string | null;
  phone: string | null;
  created_at: number;
  version: number;
}): Contact {
  return { id: r.id, name: r.name, email: r.email, phone: r.phone, createdAt: r.created_at, version: r.version };
}
