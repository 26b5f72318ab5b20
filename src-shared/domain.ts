// Domain entities as they travel in the sync protocol and the IPC contract.
// Times are epoch milliseconds (numbers): they sort and compare the same in SQLite, PostgreSQL and JS.
import { z } from 'zod';
import { epochMs, finite, key, line, text } from './values';

export const Id = key(64, { min: 1 });
export const Uuid = z.string().uuid();
export const Millis = epochMs;

export const ROLES = ['agent', 'supervisor', 'admin'] as const;
export const Role = z.enum(ROLES);
export type Role = z.infer<typeof Role>;

export const CONVERSATION_STATUSES = ['open', 'pending', 'snoozed', 'closed'] as const;
export const ConversationStatus = z.enum(CONVERSATION_STATUSES);
export type ConversationStatus = z.infer<typeof ConversationStatus>;

export const CHANNELS = ['webchat', 'whatsapp', 'instagram', 'messenger', 'telegram', 'email', 'sms'] as const;
export const Channel = z.enum(CHANNELS);
export type Channel = z.infer<typeof Channel>;

/** Longest text message body, in characters (WhatsApp's own limit). */
export const MESSAGE_MAX_CHARS = 4096;

/** Largest file or voice note, in bytes (WhatsApp's media limit). */
export const MAX_ATTACHMENT_BYTES = 16 * 1024 * 1024;
/** Longest voice note: recording stops by itself here. */
export const MAX_VOICE_NOTE_MS = 5 * 60 * 1000;
export const MAX_ATTACHMENTS_PER_MESSAGE = 10;

/** File types agents may send; anything else is refused with FORBIDDEN_FILE_TYPE. */
export const ALLOWED_ATTACHMENT_TYPES = [
  'image/jpeg',
  'image/png',
  'image/webp',
  'image/gif',
  'audio/ogg',
  'audio/webm',
  'audio/mpeg',
  'audio/mp4',
  'video/mp4',
  'application/pdf',
  'text/plain',
  'text/csv',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
] as const;

export const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'a lowercase hex sha256');

/** A file, image or voice note carried by a message, stored by content (sha256) on both sides. */
export const Attachment = z.object({
  sha256: Sha256,
  name: line(200, { min: 1 }),
  /** The MIME type without parameters (e.g. 'audio/webm', not 'audio/webm;codecs=opus'). */
  mime: z.enum(ALLOWED_ATTACHMENT_TYPES),
  size: z.number().int().positive().max(MAX_ATTACHMENT_BYTES),
  /** voice: a recorded voice note (sent as a voice note where the channel takes them, else as an audio file). */
  kind: z.enum(['image', 'audio', 'voice', 'video', 'file']),
  durationMs: z
    .number()
    .int()
    .positive()
    .max(MAX_VOICE_NOTE_MS + 5000)
    .nullable(),
});
export type Attachment = z.infer<typeof Attachment>;

/** Channels that deliver a recorded voice note as a voice note (the rest get an audio file). */
export const VOICE_NOTE_CHANNELS: readonly Channel[] = ['webchat', 'whatsapp', 'telegram', 'messenger', 'instagram'];

export const PRESENCES = ['online', 'away', 'offline'] as const;
export const Presence = z.enum(PRESENCES);
export type Presence = z.infer<typeof Presence>;

export const User = z.object({
  id: Id,
  name: z.string(),
  email: z.string(),
  role: Role,
  active: z.boolean(),
  teamIds: z.array(Id),
  /** Computed by the server from the user's live connections (shown in the transfer picker). */
  presence: Presence,
  /** An invited user who has not set a password yet. */
  invited: z.boolean(),
  version: z.number().int(),
});
export type User = z.infer<typeof User>;

export const Team = z.object({ id: Id, name: z.string(), version: z.number().int() });
export type Team = z.infer<typeof Team>;

export const InboxSettings = z.object({
  /** A transfer closes the current conversation and starts a new one (with the history) for the receiver. */
  transferStartsNewConversation: z.boolean(),
  /** Closing keeps the assignee (their history stays theirs); otherwise it drops to the team. */
  closeKeepsAssignee: z.boolean(),
});
export type InboxSettings = z.infer<typeof InboxSettings>;
export const DEFAULT_INBOX_SETTINGS: InboxSettings = { transferStartsNewConversation: false, closeKeepsAssignee: true };

export const Inbox = z.object({
  id: Id,
  name: z.string(),
  channel: Channel,
  teamId: Id.nullable(),
  settings: InboxSettings,
  version: z.number().int(),
});
export type Inbox = z.infer<typeof Inbox>;

/** Custom contact field values, by the field definition's key. */
export const CustomValue = z.union([text(2000), finite, z.boolean(), z.null()]);
export type CustomValue = z.infer<typeof CustomValue>;

export const ContactIdentity = z.object({ inboxId: Id, channel: Channel, externalId: z.string() });

export const Contact = z.object({
  id: Id,
  name: z.string(),
  phones: z.array(z.string()),
  emails: z.array(z.string()),
  ownerId: Id.nullable(),
  custom: z.record(CustomValue),
  identities: z.array(ContactIdentity),
  /** Version of each field's last write ('name', 'phones', 'emails', 'ownerId', 'custom.<key>'): the base of per-field patches. */
  fieldVersions: z.record(z.number().int()),
  /** Set when this contact was merged into another one; it is then hidden everywhere. */
  mergedIntoId: Id.nullable(),
  createdAt: Millis,
  version: z.number().int(),
});
export type Contact = z.infer<typeof Contact>;

/** Fields of a contact a person can edit, as patch keys. Custom fields are `custom.<key>`. */
export const CONTACT_FIELDS = ['name', 'phones', 'emails', 'ownerId'] as const;
export const ContactFieldKey = z.union([z.enum(CONTACT_FIELDS), z.string().regex(/^custom\.[a-z][a-z0-9_]{0,39}$/)]);
/** The key of a custom field (ContactFieldDefinition.key, Contact.custom's keys). */
export const CustomFieldKey = z.string().regex(/^[a-z][a-z0-9_]{0,39}$/);
/** Most custom fields a tenant defines (and a contact holds). */
export const MAX_CUSTOM_FIELDS = 100;
/** A value in a per-field contact patch: the shared rules check it against the field (rules/contact.ts). */
export const ContactPatchValue = z.union([text(2000), finite, z.boolean(), z.null(), z.array(line(254)).max(10)]);
export type ContactFieldKey = z.infer<typeof ContactFieldKey>;

export const CONTACT_FIELD_TYPES = ['text', 'number', 'date', 'select', 'checkbox'] as const;
export const ContactFieldDefinition = z.object({
  id: Id,
  /** Stable key used in `custom` and in snippets ({{contact.<key>}}). */
  key: CustomFieldKey,
  label: line(80, { min: 1 }),
  type: z.enum(CONTACT_FIELD_TYPES),
  options: z.array(line(80, { min: 1 })).max(50),
  active: z.boolean(),
  version: z.number().int(),
});
export type ContactFieldDefinition = z.infer<typeof ContactFieldDefinition>;

export const ClosingCategory = z.object({ id: Id, name: line(80, { min: 1 }), active: z.boolean(), version: z.number().int() });
export type ClosingCategory = z.infer<typeof ClosingCategory>;

/** Tags are free words, trimmed and compared case-insensitively; stored as typed the first time. */
export const Tag = line(40, { min: 1 });

export const Conversation = z.object({
  id: Id,
  inboxId: Id,
  contactId: Id,
  teamId: Id.nullable(),
  assigneeId: Id.nullable(),
  status: ConversationStatus,
  /** Customer messages the team has not read yet. */
  unreadCount: z.number().int().nonnegative(),
  lastMessageAt: Millis,
  lastMessagePreview: z.string(),
  lastCustomerMessageAt: Millis.nullable(),
  /** Since when the customer waits for a reply; null when the last word was ours. */
  waitingSince: Millis.nullable(),
  tags: z.array(z.string()),
  /** A chatbot answers this conversation; a human reply pauses it. */
  botActive: z.boolean(),
  closingCategoryId: Id.nullable(),
  /** The contact's conversation before this one (closed), whose history is shown above it. */
  previousConversationId: Id.nullable(),
  /** Snoozed by a reminder with "postpone contact": stays snoozed until then even if the customer writes;
   *  at that time the server returns it to Open and to the top. Null otherwise. */
  snoozedUntil: Millis.nullable(),
  createdAt: Millis,
  version: z.number().int(),
});
export type Conversation = z.infer<typeof Conversation>;

/** What an event line in a conversation records. Rendered by the UI in the reader's language. */
export const ConversationEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('assigned'), assigneeId: Id, byId: Id.nullable() }),
  z.object({ type: z.literal('unassigned'), byId: Id.nullable() }),
  /** Closed (with its optional note and category), reopened, set pending or snoozed. */
  z.object({
    type: z.literal('status'),
    status: ConversationStatus,
    byId: Id.nullable(),
    note: z.string().nullable().optional(),
    categoryId: Id.nullable().optional(),
  }),
  z.object({ type: z.literal('transferred'), toUserId: Id.nullable(), toTeamId: Id.nullable(), byId: Id.nullable() }),
  z.object({ type: z.literal('tagged'), added: z.array(z.string()), removed: z.array(z.string()), byId: Id.nullable() }),
  z.object({ type: z.literal('bot'), active: z.boolean(), byId: Id.nullable() }),
  /** A transfer that starts a new conversation: written in the old one, pointing to the new one. */
  z.object({ type: z.literal('continued'), conversationId: Id, byId: Id.nullable() }),
]);
export type ConversationEvent = z.infer<typeof ConversationEvent>;

export const MESSAGE_STATES = ['sent', 'delivered', 'read', 'failed'] as const;
export const MessageState = z.enum(MESSAGE_STATES);
export type MessageState = z.infer<typeof MessageState>;

/** A template a message was sent with (outside the free-reply window), with the values of its variables. */
export const TemplateUse = z.object({ templateId: Id, name: z.string(), language: z.string(), variables: z.array(z.string()) });
export type TemplateUse = z.infer<typeof TemplateUse>;

export const Message = z.object({
  id: Id,
  conversationId: Id,
  /** in: from the customer; out: from an agent (a reply or an internal note); system: an event line. */
  direction: z.enum(['in', 'out', 'system']),
  /** note: internal, never sent to the customer. */
  kind: z.enum(['text', 'event', 'note']),
  authorId: Id.nullable(),
  body: z.string(),
  event: ConversationEvent.nullable(),
  /** Users @mentioned in a note. */
  mentions: z.array(Id),
  attachments: z.array(Attachment),
  /** Sent with an approved template (the body is the template's text with its variables filled). */
  template: TemplateUse.nullable(),
  /** Forwarded by an agent from another conversation. */
  forwarded: z.boolean(),
  /** sent: accepted by the server (and handed to the channel); delivered/read: as the channel reports;
   *  failed: the channel refused it, `error` holds the provider's reason. Only moves forward
   *  (sent -> delivered -> read); failed is final. */
  state: MessageState,
  error: z.string().nullable(),
  createdAt: Millis,
  /** Order of the conversation's timeline, assigned by the server at insert (increasing per tenant).
   *  Clocks of different devices disagree, and one action may write an event line and a message in
   *  the same millisecond; the timeline sorts by this, never by createdAt or id. */
  seq: z.number().int().positive(),
  version: z.number().int(),
});
export type Message = z.infer<typeof Message>;

export const Tenant = z.object({ id: Id, name: z.string() });
export type Tenant = z.infer<typeof Tenant>;

/** A notification entry for one user (an @mention today; more kinds later). Only its user receives it. */
export const NotificationEntry = z.object({
  id: Id,
  userId: Id,
  kind: z.enum(['mention']),
  conversationId: Id,
  messageId: Id,
  byId: Id.nullable(),
  createdAt: Millis,
  readAt: Millis.nullable(),
  version: z.number().int(),
});
export type NotificationEntry = z.infer<typeof NotificationEntry>;

/** Filters of a saved custom view. Each present filter narrows; absent ones do not filter. */
export const ViewFilters = z.object({
  statuses: z.array(ConversationStatus).optional(),
  channels: z.array(Channel).optional(),
  inboxIds: z.array(Id).max(100).optional(),
  teamIds: z.array(Id).max(100).optional(),
  /** 'me', 'none' (unassigned) or user ids. */
  assignees: z.array(Id).max(100).optional(),
  tags: z.array(Tag).max(50).optional(),
  unreadOnly: z.boolean().optional(),
  /** Customer waiting for a reply for at least this many minutes (up to a year). */
  waitingMinutes: z.number().int().positive().max(525_600).optional(),
});
export type ViewFilters = z.infer<typeof ViewFilters>;

export const SavedView = z.object({
  id: Id,
  name: line(80, { min: 1 }),
  ownerId: Id,
  /** Shared with this team (its members see it); null = personal. */
  teamId: Id.nullable(),
  filters: ViewFilters,
  sort: z.enum(['newest', 'oldest']),
  version: z.number().int(),
});
export type SavedView = z.infer<typeof SavedView>;

/** An invitation link for a new user: admins only. */
export const Invite = z.object({ id: Id, userId: Id, url: z.string(), expiresAt: Millis, version: z.number().int() });
export type Invite = z.infer<typeof Invite>;

/** One change of one contact field, kept as history (the loser of a same-field conflict is kept here). */
export const ContactFieldChange = z.object({
  id: Id,
  contactId: Id,
  field: z.string(),
  before: z.unknown(),
  after: z.unknown(),
  byId: Id.nullable(),
  at: Millis,
  /** The editor started from an older value: someone else's write was overwritten. */
  conflict: z.boolean(),
  version: z.number().int(),
});
export type ContactFieldChange = z.infer<typeof ContactFieldChange>;

/** A reusable reply. Shared ones (ownerId null) are kept by admins; agents keep personal ones. */
export const Snippet = z.object({
  id: Id,
  title: line(80, { min: 1 }),
  /** Typed after "/" in the composer to find it. */
  shortcut: z.string().regex(/^[a-z0-9_-]{1,32}$/, 'lowercase letters, digits, - and _'),
  /** May hold variables such as {{contact.first_name}} (rules/snippets.ts). */
  body: text(MESSAGE_MAX_CHARS),
  attachment: Attachment.nullable(),
  ownerId: Id.nullable(),
  version: z.number().int(),
});
export type Snippet = z.infer<typeof Snippet>;

export const TEMPLATE_CATEGORIES = ['utility', 'marketing', 'authentication'] as const;
export const TEMPLATE_STATUSES = ['approved', 'pending', 'rejected'] as const;

/** An approved message template of one inbox (WhatsApp: created and approved in Meta's WhatsApp Manager,
 *  then registered here by an admin with the same name and language). Its body holds {{1}}, {{2}}…
 *  variables, filled by the agent when sending. Only approved templates may be sent. */
export const MessageTemplate = z.object({
  id: Id,
  inboxId: Id,
  /** The provider's template name. */
  name: z.string().regex(/^[a-z0-9_]{1,512}$/, 'lowercase letters, digits and _'),
  /** The provider's language code, e.g. es, pt_BR, en_US. */
  language: z.string().regex(/^[a-z]{2,3}(_[A-Z]{2})?$/),
  category: z.enum(TEMPLATE_CATEGORIES),
  body: text(1024, { min: 1, trim: true }),
  status: z.enum(TEMPLATE_STATUSES),
  version: z.number().int(),
});
export type MessageTemplate = z.infer<typeof MessageTemplate>;

export const REMINDER_STATES = ['active', 'dismissed', 'done', 'deleted'] as const;

/** "Remind me" on a conversation: belongs to one agent and syncs to all their devices. State only moves
 *  forward (rules/reminders.ts), so two devices never bring a finished reminder back. */
export const Reminder = z.object({
  id: Id,
  userId: Id,
  conversationId: Id,
  dueAt: Millis,
  note: text(500).nullable(),
  /** Keeps the conversation snoozed until due (Conversation.snoozedUntil), even if the customer writes. */
  postpone: z.boolean(),
  state: z.enum(REMINDER_STATES),
  createdAt: Millis,
  version: z.number().int(),
});
export type Reminder = z.infer<typeof Reminder>;
