// Column lists and row -> domain mappers, shared by every query that returns these entities.
import type {
  ClosingCategory,
  Contact,
  ContactFieldChange,
  ContactFieldDefinition,
  Conversation,
  ConversationEvent,
  CustomValue,
  Inbox,
  Invite,
  Message,
  MessageTemplate,
  NotificationEntry,
  SavedView,
  Snippet,
  Team,
  User,
  ViewFilters,
} from '../../src-shared/domain';

export const CONVERSATION_COLUMNS = `c.id, c.inbox_id, c.contact_id, c.team_id, c.assignee_id, c.status, c.unread_count,
  c.last_message_at, c.last_message_preview, c.last_customer_message_at, c.waiting_since, c.tags, c.bot_active,
  c.closing_category_id, c.previous_conversation_id, c.snoozed_until, c.created_at, c.version`;

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
  tags: string[];
  bot_active: boolean;
  closing_category_id: string | null;
  previous_conversation_id: string | null;
  snoozed_until: number | null;
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
    tags: r.tags,
    botActive: r.bot_active,
    closingCategoryId: r.closing_category_id,
    previousConversationId: r.previous_conversation_id,
    snoozedUntil: r.snoozed_until,
    createdAt: r.created_at,
    version: r.version,
  };
}

export const MESSAGE_COLUMNS = `m.id, m.conversation_id, m.direction, m.kind, m.author_id, m.body, m.event, m.mentions, m.attachments,
  m.template, m.forwarded, m.state, m.error, m.created_at, m.seq, m.version`;

export interface MessageRow {
  id: string;
  conversation_id: string;
  direction: Message['direction'];
  kind: Message['kind'];
  author_id: string | null;
  body: string;
  event: ConversationEvent | null;
  mentions: string[];
  attachments: Message['attachments'];
  template: Message['template'];
  forwarded: boolean;
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
    mentions: r.mentions,
    attachments: r.attachments,
    template: r.template,
    forwarded: r.forwarded,
    state: r.state,
    error: r.error,
    createdAt: r.created_at,
    seq: r.seq,
    version: r.version,
  };
}

export const USER_COLUMNS = `u.id, u.name, u.email, u.role, u.active, u.presence, u.invited, u.scope_version, u.version,
  COALESCE((SELECT array_agg(tm.team_id ORDER BY tm.team_id) FROM team_members tm WHERE tm.user_id = u.id), '{}') AS team_ids`;

export interface UserRow {
  id: string;
  name: string;
  email: string;
  role: User['role'];
  active: boolean;
  presence: User['presence'];
  invited: boolean;
  scope_version: number;
  version: number;
  team_ids: string[];
  [k: string]: unknown;
}

export function toUser(r: UserRow): User {
  return {
    id: r.id,
    name: r.name,
    email: r.email,
    role: r.role,
    active: r.active,
    teamIds: r.team_ids,
    presence: r.presence,
    invited: r.invited,
    version: r.version,
  };
}

export function toTeam(r: { id: string; name: string; version: number }): Team {
  return { id: r.id, name: r.name, version: r.version };
}

export const INBOX_COLUMNS =
  'i.id, i.tenant_id, i.name, i.channel, i.team_id, i.slug, i.transfer_starts_new, i.close_keeps_assignee, i.version';

export interface InboxDbRow {
  id: string;
  tenant_id: string;
  name: string;
  channel: Inbox['channel'];
  team_id: string | null;
  slug: string | null;
  transfer_starts_new: boolean;
  close_keeps_assignee: boolean;
  version: number;
  [k: string]: unknown;
}

export function toInbox(r: InboxDbRow): Inbox {
  return {
    id: r.id,
    name: r.name,
    channel: r.channel,
    teamId: r.team_id,
    settings: { transferStartsNewConversation: r.transfer_starts_new, closeKeepsAssignee: r.close_keeps_assignee },
    version: r.version,
  };
}

/** The contact and the channel identities that point at it (with each inbox's channel). */
export const CONTACT_COLUMNS = `k.id, k.name, k.phones, k.emails, k.owner_id, k.custom, k.field_versions, k.merged_into_id,
  k.created_at, k.version,
  COALESCE((SELECT jsonb_agg(jsonb_build_object('inboxId', ci.inbox_id, 'channel', ib.channel, 'externalId', ci.external_id)
              ORDER BY ci.inbox_id, ci.external_id)
            FROM contact_identities ci JOIN inboxes ib ON ib.id = ci.inbox_id WHERE ci.contact_id = k.id), '[]'::jsonb) AS identities`;

export interface ContactRow {
  id: string;
  name: string;
  phones: string[];
  emails: string[];
  owner_id: string | null;
  custom: Record<string, CustomValue>;
  field_versions: Record<string, number>;
  merged_into_id: string | null;
  created_at: number;
  version: number;
  identities: Contact['identities'];
  [k: string]: unknown;
}

export function toContact(r: ContactRow): Contact {
  return {
    id: r.id,
    name: r.name,
    phones: r.phones,
    emails: r.emails,
    ownerId: r.owner_id,
    custom: r.custom,
    identities: r.identities,
    fieldVersions: r.field_versions,
    mergedIntoId: r.merged_into_id,
    createdAt: r.created_at,
    version: r.version,
  };
}

export interface ContactFieldRow {
  id: string;
  key: string;
  label: string;
  type: ContactFieldDefinition['type'];
  options: string[];
  active: boolean;
  version: number;
  [k: string]: unknown;
}

export function toContactField(r: ContactFieldRow): ContactFieldDefinition {
  return { id: r.id, key: r.key, label: r.label, type: r.type, options: r.options, active: r.active, version: r.version };
}

export function toClosingCategory(r: { id: string; name: string; active: boolean; version: number }): ClosingCategory {
  return { id: r.id, name: r.name, active: r.active, version: r.version };
}

export interface ContactChangeRow {
  id: string;
  contact_id: string;
  field: string;
  before: unknown;
  after: unknown;
  by_id: string | null;
  at: number;
  conflict: boolean;
  version: number;
  [k: string]: unknown;
}

export function toContactChange(r: ContactChangeRow): ContactFieldChange {
  return {
    id: r.id,
    contactId: r.contact_id,
    field: r.field,
    before: r.before,
    after: r.after,
    byId: r.by_id,
    at: r.at,
    conflict: r.conflict,
    version: r.version,
  };
}

export interface NotificationRow {
  id: string;
  user_id: string;
  kind: NotificationEntry['kind'];
  conversation_id: string;
  message_id: string;
  by_id: string | null;
  created_at: number;
  read_at: number | null;
  version: number;
  [k: string]: unknown;
}

export function toNotification(r: NotificationRow): NotificationEntry {
  return {
    id: r.id,
    userId: r.user_id,
    kind: r.kind,
    conversationId: r.conversation_id,
    messageId: r.message_id,
    byId: r.by_id,
    createdAt: r.created_at,
    readAt: r.read_at,
    version: r.version,
  };
}

export interface SavedViewRow {
  id: string;
  owner_id: string;
  team_id: string | null;
  name: string;
  filters: ViewFilters;
  sort: SavedView['sort'];
  version: number;
  [k: string]: unknown;
}

export function toSavedView(r: SavedViewRow): SavedView {
  return { id: r.id, name: r.name, ownerId: r.owner_id, teamId: r.team_id, filters: r.filters, sort: r.sort, version: r.version };
}

export function toInvite(r: { id: string; user_id: string; url: string; expires_at: number; version: number }): Invite {
  return { id: r.id, userId: r.user_id, url: r.url, expiresAt: r.expires_at, version: r.version };
}

export interface SnippetRow {
  id: string;
  owner_id: string | null;
  title: string;
  shortcut: string;
  body: string;
  attachment: Snippet['attachment'];
  version: number;
  [k: string]: unknown;
}

export function toSnippet(r: SnippetRow): Snippet {
  return {
    id: r.id,
    title: r.title,
    shortcut: r.shortcut,
    body: r.body,
    attachment: r.attachment,
    ownerId: r.owner_id,
    version: r.version,
  };
}

export interface TemplateRow {
  id: string;
  inbox_id: string;
  name: string;
  language: string;
  category: MessageTemplate['category'];
  body: string;
  status: MessageTemplate['status'];
  version: number;
  [k: string]: unknown;
}

export function toTemplate(r: TemplateRow): MessageTemplate {
  return {
    id: r.id,
    inboxId: r.inbox_id,
    name: r.name,
    language: r.language,
    category: r.category,
    body: r.body,
    status: r.status,
    version: r.version,
  };
}
