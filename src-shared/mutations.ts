// Every change an agent can make, as it is stored in the outbox and pushed to the server.
// A mutation is numbered per device (1, 2, 3…, never reused) and applied exactly once.
import { z } from 'zod';
import {
  Attachment,
  ClosingCategory,
  ContactFieldDefinition,
  ContactFieldKey,
  ContactPatchValue,
  ConversationStatus,
  CustomFieldKey,
  CustomValue,
  Id,
  InboxSettings,
  MESSAGE_MAX_CHARS,
  MAX_ATTACHMENTS_PER_MESSAGE,
  MAX_CUSTOM_FIELDS,
  MessageTemplate,
  Presence,
  Role,
  SavedView,
  Snippet,
  Tag,
  Uuid,
} from './domain';
import { boundedRecord, email, epochMs, line, safeInt, text } from './values';

const ConversationRef = { conversationId: Id };
const TagList = z.array(Tag).max(20);

export const mutationArgs = {
  'message.send': z.object({
    /** UUIDv7 made by the client; also the idempotency key toward the channel. */
    id: Uuid,
    conversationId: Id,
    // Length is checked by the rules so an oversized body is a clear business rejection, not a bad frame.
    body: text(MESSAGE_MAX_CHARS * 4),
    /** Uploaded (PUT /blobs/<sha256>) before this mutation is pushed; the body may be empty when there are some. */
    attachments: z.array(Attachment).max(MAX_ATTACHMENTS_PER_MESSAGE).optional(),
    /** Forwarded from another conversation (shown as such; attachments are blobs the server already holds). */
    forwarded: z.boolean().optional(),
  }),
  /** An approved template of the conversation's inbox with its variables ({{1}}… in order): the way to
   *  write to a customer outside the reply window. */
  'message.sendTemplate': z.object({
    id: Uuid,
    conversationId: Id,
    templateId: Id,
    // One line each: WhatsApp refuses a template parameter holding a line break or a tab.
    variables: z.array(line(1024)).max(20),
  }),
  /** An internal note; never reaches the customer. Mentioned users get a notification entry. */
  'note.add': z.object({ id: Uuid, conversationId: Id, body: text(MESSAGE_MAX_CHARS * 4), mentions: z.array(Id).max(20) }),
  'conversation.assign': z.object({ ...ConversationRef, assigneeId: Id.nullable() }),
  /** To a user (toUserId) or to a team's queue (toTeamId, unassigned). `newConversationId` is used when the
   *  inbox starts a new conversation on transfer. */
  'conversation.transfer': z.object({
    ...ConversationRef,
    toUserId: Id.nullable(),
    toTeamId: Id.nullable(),
    newConversationId: Uuid,
  }),
  'conversation.setStatus': z.object({ ...ConversationRef, status: ConversationStatus }),
  'conversation.close': z.object({ ...ConversationRef, note: text(2000).nullable(), categoryId: Id.nullable() }),
  'conversation.reopen': z.object(ConversationRef),
  'conversation.markRead': z.object(ConversationRef),
  'conversation.markUnread': z.object(ConversationRef),
  /** Set operations: concurrent edits merge. */
  'conversation.tag': z.object({ ...ConversationRef, add: TagList, remove: TagList }),
  'conversation.setBot': z.object({ ...ConversationRef, active: z.boolean() }),
  'contact.create': z.object({
    id: Uuid,
    name: line(120, { min: 1 }),
    phones: z.array(line(40)).max(10),
    emails: z.array(email).max(10),
    custom: boundedRecord(CustomFieldKey, CustomValue, MAX_CUSTOM_FIELDS),
  }),
  /** Per-field patch: `base` holds the version of each field the person edited from. */
  'contact.update': z.object({
    contactId: Id,
    fields: boundedRecord(ContactFieldKey, ContactPatchValue, MAX_CUSTOM_FIELDS + 4),
    base: boundedRecord(ContactFieldKey, safeInt.nonnegative(), MAX_CUSTOM_FIELDS + 4),
  }),
  /** Merges `sourceId` into `targetId` on the server: conversations and identities move, the source is hidden. */
  'contact.merge': z.object({ targetId: Id, sourceId: Id }),
  'notification.markRead': z.object({ ids: z.array(Id).min(1).max(500) }),
  'view.save': SavedView.omit({ version: true, ownerId: true }),
  'view.delete': z.object({ id: Id }),
  'admin.user.invite': z.object({
    id: Uuid,
    email,
    name: line(120, { min: 1 }),
    role: Role,
    teamIds: z.array(Id).max(100),
  }),
  'admin.user.update': z.object({
    userId: Id,
    name: line(120, { min: 1 }).optional(),
    role: Role.optional(),
    teamIds: z.array(Id).max(100).optional(),
    active: z.boolean().optional(),
  }),
  'admin.team.save': z.object({ id: Id, name: line(80, { min: 1 }) }),
  'admin.inbox.update': z.object({
    inboxId: Id,
    name: line(80, { min: 1 }).optional(),
    teamId: Id.nullable().optional(),
    settings: InboxSettings.partial().optional(),
  }),
  'admin.contactField.save': ContactFieldDefinition.omit({ version: true }),
  'admin.closingCategory.save': ClosingCategory.omit({ version: true }),
  /** shared: an admin's snippet for everyone (ownerId null); otherwise personal to the author. */
  'snippet.save': Snippet.omit({ version: true, ownerId: true }).extend({ shared: z.boolean() }),
  'snippet.delete': z.object({ id: Id }),
  /** Creates a reminder, or moves an active one of the actor's to a new time. With `postpone` the
   *  conversation is snoozed until `dueAt`. */
  'reminder.set': z.object({
    id: Uuid,
    conversationId: Id,
    dueAt: epochMs,
    note: text(500, { trim: true }).nullable(),
    postpone: z.boolean(),
  }),
  /** Forward only (active -> dismissed -> done -> deleted); a move backwards is accepted and changes nothing. */
  'reminder.setState': z.object({ id: Id, state: z.enum(['dismissed', 'done', 'deleted']) }),
  /** The presence the person chose (tray menu): shown to teammates while they are connected. */
  'presence.set': z.object({ presence: Presence }),
  'admin.template.save': MessageTemplate.omit({ version: true }),
  'admin.template.delete': z.object({ id: Id }),
} as const;

export type MutationName = keyof typeof mutationArgs;
export type MutationArgs<N extends MutationName> = z.infer<(typeof mutationArgs)[N]>;
export const MUTATION_NAMES = Object.keys(mutationArgs) as MutationName[];

/** A mutation as the wire carries it. `args` is validated against `mutationArgs[name]` separately,
 *  so an unknown name or bad args is rejected on its own without failing the whole push. */
export const MutationEnvelope = z.object({
  id: safeInt.positive(),
  name: z.string().min(1).max(64),
  args: z.unknown(),
  clientTime: safeInt.nonnegative(),
});
export type MutationEnvelope = z.infer<typeof MutationEnvelope>;

export type AnyMutation = { [N in MutationName]: { id: number; name: N; args: MutationArgs<N>; clientTime: number } }[MutationName];

export function isMutationName(name: string): name is MutationName {
  return Object.prototype.hasOwnProperty.call(mutationArgs, name);
}

/** The conversation a mutation touches, if any: used to rebase optimistic overlays. */
export function mutationConversationId(m: AnyMutation): string | null {
  return 'conversationId' in m.args && typeof m.args.conversationId === 'string' ? m.args.conversationId : null;
}
