// Server rows <-> mirror rows. Upserts keep the newest version: a frame seen twice changes nothing.
// Each entity has its columns once here; `overlay` writes the same row into the overlay table.
import type {
  ClosingCategory,
  Contact,
  ContactFieldChange,
  ContactFieldDefinition,
  Conversation,
  ConversationEvent,
  Inbox,
  Invite,
  Message,
  MessageTemplate,
  NotificationEntry,
  Reminder,
  SavedView,
  Snippet,
  Team,
  User,
} from '../../../src-shared/domain';
import type { ReadonlyDb, WritableDb } from './db';

type Params = Record<string, unknown>;

/** Upsert into `table` (base, version-guarded) or `overlay_<table>` (no guard: it is recomputed). */
function upsert(db: WritableDb, table: string, params: Params, opts: { overlay?: boolean; conflict?: string } = {}): void {
  const cols = Object.keys(params);
  const target = opts.overlay ? `overlay_${table}` : table;
  const conflict = opts.conflict ?? 'id';
  const set = cols.filter((c) => c !== conflict && c !== 'seq').map((c) => `${c} = excluded.${c}`);
  // The conversations' overlay has no `deleted` column: a conversation is never deleted by an agent.
  if (opts.overlay && table !== 'conversations') set.push('deleted = 0');
  const guard = opts.overlay ? '' : ` WHERE excluded.version >= ${target}.version`;
  // A snapshot page upserts thousands of rows: the mirror keeps each statement compiled (db.ts).
  db.prepare(
    `INSERT INTO ${target} (${cols.join(', ')}) VALUES (${cols.map((c) => `@${c}`).join(', ')})
     ON CONFLICT (${conflict}) DO UPDATE SET ${set.join(', ')}${guard}`,
  ).run(params);
}

const json = (v: unknown) => JSON.stringify(v);
const bool = (v: boolean) => (v ? 1 : 0);

// ---- conversations ----

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
  tags: string;
  bot_active: number;
  closing_category_id: string | null;
  previous_conversation_id: string | null;
  snoozed_until: number | null;
  created_at: number;
  version: number;
}

export const CONVERSATION_COLUMNS = `id, inbox_id, contact_id, team_id, assignee_id, status, unread_count, last_message_at,
  last_message_preview, last_customer_message_at, waiting_since, tags, bot_active, closing_category_id,
  previous_conversation_id, snoozed_until, created_at, version`;

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
    tags: JSON.parse(r.tags) as string[],
    botActive: r.bot_active === 1,
    closingCategoryId: r.closing_category_id,
    previousConversationId: r.previous_conversation_id,
    snoozedUntil: r.snoozed_until,
    createdAt: r.created_at,
    version: r.version,
  };
}

export function conversationParams(c: Conversation): Params {
  return {
    id: c.id,
    inbox_id: c.inboxId,
    contact_id: c.contactId,
    team_id: c.teamId,
    assignee_id: c.assigneeId,
    status: c.status,
    unread_count: c.unreadCount,
    last_message_at: c.lastMessageAt,
    last_message_preview: c.lastMessagePreview,
    last_customer_message_at: c.lastCustomerMessageAt,
    waiting_since: c.waitingSince,
    tags: json(c.tags),
    bot_active: bool(c.botActive),
    closing_category_id: c.closingCategoryId,
    previous_conversation_id: c.previousConversationId,
    snoozed_until: c.snoozedUntil,
    created_at: c.createdAt,
    version: c.version,
  };
}

export function upsertConversation(db: WritableDb, c: Conversation): void {
  upsert(db, 'conversations', conversationParams(c));
}

export function writeOverlayConversation(db: WritableDb, c: Conversation): void {
  upsert(db, 'conversations', conversationParams(c), { overlay: true });
}

export function baseConversation(db: ReadonlyDb, id: string): Conversation | null {
  const row = db.prepare<[string], ConversationRow>(`SELECT ${CONVERSATION_COLUMNS} FROM conversations WHERE id = ?`).get(id);
  return row ? conversationFromRow(row) : null;
}

/** The conversation as the agent sees it: overlay over base. */
export function viewConversation(db: ReadonlyDb, id: string): Conversation | null {
  const row = db.prepare<[string], ConversationRow>(`SELECT ${CONVERSATION_COLUMNS} FROM conversations_view WHERE id = ?`).get(id);
  return row ? conversationFromRow(row) : null;
}

// ---- messages ----

export function upsertMessage(db: WritableDb, m: Message): void {
  upsert(db, 'messages', {
    seq: m.seq,
    id: m.id,
    conversation_id: m.conversationId,
    direction: m.direction,
    kind: m.kind,
    author_id: m.authorId,
    body: m.body,
    event: m.event ? json(m.event) : null,
    mentions: json(m.mentions),
    attachments: json(m.attachments),
    template: m.template === null ? null : json(m.template),
    forwarded: bool(m.forwarded),
    state: m.state,
    error: m.error,
    created_at: m.createdAt,
    version: m.version,
  });
}

export function parseEvent(raw: string | null): ConversationEvent | null {
  return raw === null ? null : (JSON.parse(raw) as ConversationEvent);
}

// ---- users, teams, inboxes ----

export interface UserRow {
  id: string;
  name: string;
  email: string;
  role: string;
  active: number;
  team_ids: string;
  presence: string;
  invited: number;
  version: number;
}

function userParams(u: User): Params {
  return {
    id: u.id,
    name: u.name,
    email: u.email,
    role: u.role,
    active: bool(u.active),
    team_ids: json(u.teamIds),
    presence: u.presence,
    invited: bool(u.invited),
    version: u.version,
  };
}

export function upsertUser(db: WritableDb, u: User, overlay = false): void {
  upsert(db, 'users', userParams(u), { overlay });
}

export function userFromRow(r: UserRow): User {
  return {
    id: r.id,
    name: r.name,
    email: r.email,
    role: r.role as User['role'],
    active: r.active === 1,
    teamIds: JSON.parse(r.team_ids) as string[],
    presence: r.presence as User['presence'],
    invited: r.invited === 1,
    version: r.version,
  };
}

export function upsertTeam(db: WritableDb, t: Team, overlay = false): void {
  upsert(db, 'teams', { id: t.id, name: t.name, version: t.version }, { overlay });
}

export interface InboxRow {
  id: string;
  name: string;
  channel: string;
  team_id: string | null;
  settings: string;
  version: number;
}

export function upsertInbox(db: WritableDb, i: Inbox, overlay = false): void {
  upsert(
    db,
    'inboxes',
    { id: i.id, name: i.name, channel: i.channel, team_id: i.teamId, settings: json(i.settings), version: i.version },
    { overlay },
  );
}

export function inboxFromRow(r: InboxRow): Inbox {
  return {
    id: r.id,
    name: r.name,
    channel: r.channel as Inbox['channel'],
    teamId: r.team_id,
    settings: JSON.parse(r.settings) as Inbox['settings'],
    version: r.version,
  };
}

// ---- contacts ----

export interface ContactRow {
  id: string;
  name: string;
  phones: string;
  emails: string;
  owner_id: string | null;
  custom: string;
  identities: string;
  field_versions: string;
  merged_into_id: string | null;
  created_at: number;
  version: number;
}

/** What the search index holds for phones: each number as written, and every suffix of its digits of
 *  at least 3, so "9999-8888", "99998888", "+55 11 9999" and "1199998888" all find +55 11 9999-8888. */
export function phoneSearchText(phones: readonly string[]): string {
  const terms: string[] = [];
  for (const phone of phones) {
    terms.push(phone);
    const digits = phone.replace(/\D/g, '');
    for (let i = 0; i <= digits.length - 3; i++) terms.push(digits.slice(i));
  }
  return terms.join(' ');
}

function contactParams(c: Contact): Params {
  return {
    id: c.id,
    name: c.name,
    phones: json(c.phones),
    emails: json(c.emails),
    owner_id: c.ownerId,
    custom: json(c.custom),
    identities: json(c.identities),
    field_versions: json(c.fieldVersions),
    merged_into_id: c.mergedIntoId,
    created_at: c.createdAt,
    version: c.version,
    search_emails: c.emails.join(' '),
    search_phones: phoneSearchText(c.phones),
  };
}

export function upsertContact(db: WritableDb, c: Contact, overlay = false): void {
  upsert(db, 'contacts', contactParams(c), { overlay });
}

export function contactFromRow(r: ContactRow): Contact {
  return {
    id: r.id,
    name: r.name,
    phones: JSON.parse(r.phones) as string[],
    emails: JSON.parse(r.emails) as string[],
    ownerId: r.owner_id,
    custom: JSON.parse(r.custom) as Contact['custom'],
    identities: JSON.parse(r.identities) as Contact['identities'],
    fieldVersions: JSON.parse(r.field_versions) as Record<string, number>,
    mergedIntoId: r.merged_into_id,
    createdAt: r.created_at,
    version: r.version,
  };
}

const CONTACT_COLUMNS = `id, name, phones, emails, owner_id, custom, identities, field_versions, merged_into_id, created_at, version`;

export function viewContact(db: ReadonlyDb, id: string): Contact | null {
  const row = db.prepare<[string], ContactRow>(`SELECT ${CONTACT_COLUMNS} FROM contacts_view WHERE id = ?`).get(id);
  return row ? contactFromRow(row) : null;
}

export function baseContact(db: ReadonlyDb, id: string): Contact | null {
  const row = db.prepare<[string], ContactRow>(`SELECT ${CONTACT_COLUMNS} FROM contacts WHERE id = ?`).get(id);
  return row ? contactFromRow(row) : null;
}

export function upsertContactChange(db: WritableDb, c: ContactFieldChange): void {
  upsert(db, 'contact_changes', {
    id: c.id,
    contact_id: c.contactId,
    field: c.field,
    before: json(c.before ?? null),
    after: json(c.after ?? null),
    by_id: c.byId,
    at: c.at,
    conflict: bool(c.conflict),
    version: c.version,
  });
}

export interface ContactChangeRow {
  id: string;
  contact_id: string;
  field: string;
  before: string | null;
  after: string | null;
  by_id: string | null;
  at: number;
  conflict: number;
  version: number;
}

export function contactChangeFromRow(r: ContactChangeRow): ContactFieldChange {
  return {
    id: r.id,
    contactId: r.contact_id,
    field: r.field,
    before: r.before === null ? null : JSON.parse(r.before),
    after: r.after === null ? null : JSON.parse(r.after),
    byId: r.by_id,
    at: r.at,
    conflict: r.conflict === 1,
    version: r.version,
  };
}

// ---- definitions an admin keeps ----

export interface ContactFieldRow {
  id: string;
  key: string;
  label: string;
  type: string;
  options: string;
  active: number;
  version: number;
}

export function upsertContactField(db: WritableDb, f: ContactFieldDefinition, overlay = false): void {
  upsert(
    db,
    'contact_fields',
    { id: f.id, key: f.key, label: f.label, type: f.type, options: json(f.options), active: bool(f.active), version: f.version },
    { overlay },
  );
}

export function contactFieldFromRow(r: ContactFieldRow): ContactFieldDefinition {
  return {
    id: r.id,
    key: r.key,
    label: r.label,
    type: r.type as ContactFieldDefinition['type'],
    options: JSON.parse(r.options) as string[],
    active: r.active === 1,
    version: r.version,
  };
}

export function upsertClosingCategory(db: WritableDb, c: ClosingCategory, overlay = false): void {
  upsert(db, 'closing_categories', { id: c.id, name: c.name, active: bool(c.active), version: c.version }, { overlay });
}

export function closingCategoryFromRow(r: { id: string; name: string; active: number; version: number }): ClosingCategory {
  return { id: r.id, name: r.name, active: r.active === 1, version: r.version };
}

// ---- per-user rows ----

export interface NotificationRow {
  id: string;
  user_id: string;
  kind: string;
  conversation_id: string;
  message_id: string;
  by_id: string | null;
  created_at: number;
  read_at: number | null;
  version: number;
}

export function upsertNotification(db: WritableDb, n: NotificationEntry, overlay = false): void {
  upsert(
    db,
    'notifications',
    {
      id: n.id,
      user_id: n.userId,
      kind: n.kind,
      conversation_id: n.conversationId,
      message_id: n.messageId,
      by_id: n.byId,
      created_at: n.createdAt,
      read_at: n.readAt,
      version: n.version,
    },
    { overlay },
  );
}

export function notificationFromRow(r: NotificationRow): NotificationEntry {
  return {
    id: r.id,
    userId: r.user_id,
    kind: r.kind as NotificationEntry['kind'],
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
  name: string;
  owner_id: string;
  team_id: string | null;
  filters: string;
  sort: string;
  version: number;
}

export function upsertSavedView(db: WritableDb, v: SavedView, overlay = false): void {
  upsert(
    db,
    'saved_views',
    { id: v.id, name: v.name, owner_id: v.ownerId, team_id: v.teamId, filters: json(v.filters), sort: v.sort, version: v.version },
    { overlay },
  );
}

export function savedViewFromRow(r: SavedViewRow): SavedView {
  return {
    id: r.id,
    name: r.name,
    ownerId: r.owner_id,
    teamId: r.team_id,
    filters: JSON.parse(r.filters) as SavedView['filters'],
    sort: r.sort as SavedView['sort'],
    version: r.version,
  };
}

export function upsertInvite(db: WritableDb, i: Invite): void {
  upsert(db, 'invites', { id: i.id, user_id: i.userId, url: i.url, expires_at: i.expiresAt, version: i.version });
}

/** An overlay that hides a row (a saved view deleted on this device, not yet confirmed). */
export function overlayDelete(db: WritableDb, table: 'saved_views' | 'snippets' | 'templates', id: string): void {
  const base = db.prepare(`SELECT * FROM ${table} WHERE id = ?`).get(id) as Params | undefined;
  const existing = db.prepare(`SELECT * FROM overlay_${table} WHERE id = ?`).get(id) as Params | undefined;
  const row = existing ?? base;
  if (!row) return;
  const params = { ...row };
  delete params.deleted;
  upsert(db, table, params, { overlay: true });
  db.prepare(`UPDATE overlay_${table} SET deleted = 1 WHERE id = ?`).run(id);
}

// ---- snippets ----

export interface SnippetRow {
  id: string;
  owner_id: string | null;
  title: string;
  shortcut: string;
  body: string;
  attachment: string | null;
  version: number;
}

export function upsertSnippet(db: WritableDb, s: Snippet, overlay = false): void {
  upsert(
    db,
    'snippets',
    {
      id: s.id,
      owner_id: s.ownerId,
      title: s.title,
      shortcut: s.shortcut,
      body: s.body,
      attachment: s.attachment === null ? null : json(s.attachment),
      version: s.version,
    },
    { overlay },
  );
}

export function snippetFromRow(r: SnippetRow): Snippet {
  return {
    id: r.id,
    ownerId: r.owner_id,
    title: r.title,
    shortcut: r.shortcut,
    body: r.body,
    attachment: r.attachment === null ? null : (JSON.parse(r.attachment) as Snippet['attachment']),
    version: r.version,
  };
}

// ---- message templates ----

export interface TemplateRow {
  id: string;
  inbox_id: string;
  name: string;
  language: string;
  category: string;
  body: string;
  status: string;
  version: number;
}

export function upsertTemplate(db: WritableDb, t: MessageTemplate, overlay = false): void {
  upsert(
    db,
    'templates',
    {
      id: t.id,
      inbox_id: t.inboxId,
      name: t.name,
      language: t.language,
      category: t.category,
      body: t.body,
      status: t.status,
      version: t.version,
    },
    { overlay },
  );
}

export function templateFromRow(r: TemplateRow): MessageTemplate {
  return {
    id: r.id,
    inboxId: r.inbox_id,
    name: r.name,
    language: r.language,
    category: r.category as MessageTemplate['category'],
    body: r.body,
    status: r.status as MessageTemplate['status'],
    version: r.version,
  };
}

// ---- reminders ----

export interface ReminderRow {
  id: string;
  user_id: string;
  conversation_id: string;
  due_at: number;
  note: string | null;
  postpone: number;
  state: string;
  created_at: number;
  version: number;
}

export function upsertReminder(db: WritableDb, r: Reminder, overlay = false): void {
  upsert(
    db,
    'reminders',
    {
      id: r.id,
      user_id: r.userId,
      conversation_id: r.conversationId,
      due_at: r.dueAt,
      note: r.note,
      postpone: bool(r.postpone),
      state: r.state,
      created_at: r.createdAt,
      version: r.version,
    },
    { overlay },
  );
}

export function reminderFromRow(r: ReminderRow): Reminder {
  return {
    id: r.id,
    userId: r.user_id,
    conversationId: r.conversation_id,
    dueAt: r.due_at,
    note: r.note,
    postpone: r.postpone === 1,
    state: r.state as Reminder['state'],
    createdAt: r.created_at,
    version: r.version,
  };
}
