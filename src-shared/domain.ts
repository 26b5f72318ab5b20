// Domain entities as they travel in the sync protocol and the IPC contract.
// Times are epoch milliseconds (numbers): they sort and compare the same in SQLite, PostgreSQL and JS.
import { z } from 'zod';

export const Id = z.string().min(1).max(64);
export const Uuid = z.string().uuid();
export const Millis = z.number().int().nonnegative();

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

export const User = z.object({
  id: Id,
  name: z.string(),
  email: z.string(),
  role: Role,
  active: z.boolean(),
  teamIds: z.array(Id),
  version: z.number().int(),
});
export type User = z.infer<typeof User>;

export const Team = z.object({ id: Id, name: z.string(), version: z.number().int() });
export type Team = z.infer<typeof Team>;

export const Inbox = z.object({
  id: Id,
  name: z.string(),
  channel: Channel,
  teamId: Id.nullable(),
  version: z.number().int(),
});
export type Inbox = z.infer<typeof Inbox>;

export const Contact = z.object({
  id: Id,
  name: z.string(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
  createdAt: Millis,
  version: z.number().int(),
});
export type Contact = z.infer<typeof Contact>;

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
  createdAt: Millis,
  version: z.number().int(),
});
export type Conversation = z.infer<typeof Conversation>;

/** What an event line in a conversation records. Rendered by the UI in the reader's language. */
export const ConversationEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('assigned'), assigneeId: Id, byId: Id.nullable() }),
  z.object({ type: z.literal('unassigned'), byId: Id.nullable() }),
  z.object({ type: z.literal('status'), status: ConversationStatus, byId: Id.nullable() }),
]);
export type ConversationEvent = z.infer<typeof ConversationEvent>;

export const MESSAGE_STATES = ['sent', 'delivered', 'read', 'failed'] as const;
export const MessageState = z.enum(MESSAGE_STATES);
export type MessageState = z.infer<typeof MessageState>;

export const Message = z.object({
  id: Id,
  conversationId: Id,
  /** in: from the customer; out: from an agent; system: an event line. */
  direction: z.enum(['in', 'out', 'system']),
  kind: z.enum(['text', 'event']),
  authorId: Id.nullable(),
  body: z.string(),
  event: ConversationEvent.nullable(),
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
