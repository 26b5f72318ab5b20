// The sync protocol between a client core and the server, over one WebSocket at /sync.
// See docs/ARCHITECTURE.md, "Sync protocol".
import { z } from 'zod';
import {
  ClosingCategory,
  Contact,
  ContactFieldChange,
  ContactFieldDefinition,
  Conversation,
  Id,
  Inbox,
  Invite,
  Message,
  MessageTemplate,
  NotificationEntry,
  Reminder,
  SavedView,
  Snippet,
  Team,
  Tenant,
  User,
} from './domain';
import { ErrorBody } from './errors';
import { MutationEnvelope } from './mutations';
import { key, safeInt } from './values';

export const PROTOCOL_VERSION = 1;
/** Version of the row shapes in ops; a client with another schema is refused (PROTOCOL_MISMATCH) until updated. */
export const SCHEMA_VERSION = 1;
/** Largest frame either side accepts, in bytes. */
export const MAX_FRAME_BYTES = 1024 * 1024;
/** Most mutations in one push frame. */
export const MAX_PUSH_MUTATIONS = 100;

export const Op = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('conversation'), row: Conversation }),
  z.object({ kind: z.literal('message'), row: Message }),
  z.object({ kind: z.literal('contact'), row: Contact }),
  z.object({ kind: z.literal('user'), row: User }),
  z.object({ kind: z.literal('team'), row: Team }),
  z.object({ kind: z.literal('inbox'), row: Inbox }),
  z.object({ kind: z.literal('notification'), row: NotificationEntry }),
  z.object({ kind: z.literal('savedView'), row: SavedView }),
  z.object({ kind: z.literal('contactField'), row: ContactFieldDefinition }),
  z.object({ kind: z.literal('contactChange'), row: ContactFieldChange }),
  z.object({ kind: z.literal('closingCategory'), row: ClosingCategory }),
  z.object({ kind: z.literal('invite'), row: Invite }),
  z.object({ kind: z.literal('snippet'), row: Snippet }),
  z.object({ kind: z.literal('template'), row: MessageTemplate }),
  /** User scope: only the reminder's owner receives it. */
  z.object({ kind: z.literal('reminder'), row: Reminder }),
  /** The conversation (and its messages) left this user's scope: purge it. */
  z.object({ kind: z.literal('revoke'), conversationId: Id }),
  /** A row that no longer exists (or no longer concerns this user). */
  z.object({
    kind: z.literal('delete'),
    entity: z.enum(['savedView', 'contactField', 'invite', 'notification', 'snippet', 'template']),
    id: Id,
  }),
]);
export type Op = z.infer<typeof Op>;

// ---- client -> server ----

export const Hello = z.object({
  type: z.literal('hello'),
  protocol: z.number().int(),
  schema: z.number().int(),
  clientId: z.string().uuid(),
  token: key(256, { min: 1 }),
  epoch: key(64).nullable(),
  cursor: safeInt.nonnegative().nullable(),
});
export type Hello = z.infer<typeof Hello>;

export const Push = z.object({
  type: z.literal('push'),
  mutations: z.array(MutationEnvelope).min(1).max(MAX_PUSH_MUTATIONS),
});
export type Push = z.infer<typeof Push>;

export const ClientFrame = z.discriminatedUnion('type', [Hello, Push]);
export type ClientFrame = z.infer<typeof ClientFrame>;

// ---- server -> client ----

export const Welcome = z.object({
  type: z.literal('welcome'),
  epoch: z.string(),
  /** The tenant's version now. */
  version: z.number().int().nonnegative(),
  /** Last mutation id of this client the server has applied. */
  lmid: z.number().int().nonnegative(),
  user: User,
  tenant: Tenant,
  /** True when a snapshot follows (first start, other epoch, or a cursor older than the change log). */
  bootstrap: z.boolean(),
});
export type Welcome = z.infer<typeof Welcome>;

/** A snapshot starts: the client clears its base tables (keeping its outbox). The server also sends one on a
 *  live connection when the user's scope changed (role, teams), so everything out of scope is purged. */
export const SnapshotBegin = z.object({ type: z.literal('snapshotBegin'), epoch: z.string(), version: z.number().int() });
/** One keyset page of the snapshot, applied as it arrives. */
export const SnapshotPage = z.object({ type: z.literal('snapshotPage'), ops: z.array(Op) });
/** The snapshot is complete as of `version`: the client's cursor becomes (epoch, version). */
export const SnapshotEnd = z.object({ type: z.literal('snapshotEnd'), version: z.number().int() });

/** Changes committed in (from, to], filtered to what this user may see. */
export const Changes = z.object({
  type: z.literal('changes'),
  from: z.number().int().nonnegative(),
  to: z.number().int().nonnegative(),
  ops: z.array(Op),
  lmid: z.number().int().nonnegative(),
});
export type Changes = z.infer<typeof Changes>;

export const PushResultItem = z.object({
  id: z.number().int().positive(),
  /** ok: applied now; already: applied before (stored result); rejected: refused for good, counter advanced;
   *  outOfOrder: not the next expected id, resend from lmid+1; error: transient, nothing advanced, retry later. */
  status: z.enum(['ok', 'already', 'rejected', 'outOfOrder', 'error']),
  error: ErrorBody.optional(),
});
export type PushResultItem = z.infer<typeof PushResultItem>;

/** Sent after the changes the push caused, so an ok means the base already holds the effect. */
export const PushResult = z.object({
  type: z.literal('pushResult'),
  results: z.array(PushResultItem),
  lmid: z.number().int().nonnegative(),
});
export type PushResult = z.infer<typeof PushResult>;

/** A problem with a frame. `fatal` frames are followed by a close. */
export const ErrorFrame = z.object({ type: z.literal('error'), error: ErrorBody, fatal: z.boolean() });

export const ServerFrame = z.discriminatedUnion('type', [
  Welcome,
  SnapshotBegin,
  SnapshotPage,
  SnapshotEnd,
  Changes,
  PushResult,
  ErrorFrame,
]);
export type ServerFrame = z.infer<typeof ServerFrame>;

/** WebSocket close codes used by the sync socket. */
export const CloseCode = {
  normal: 1000,
  goingAway: 1001,
  /** The server is restarting (SIGTERM): reconnect now, through the load balancer, to another process. */
  serviceRestart: 1012,
  protocolError: 1002,
  policyViolation: 1008,
  tooBig: 1009,
  unauthorized: 4401,
  protocolMismatch: 4400,
} as const;

export type ParseResult<T> = { ok: true; value: T } | { ok: false; code: 'BAD_FRAME' | 'UNKNOWN_FRAME'; message: string };

/** Parses one text frame. Unknown `type` and malformed frames are told apart for clear errors. */
export function parseFrame<T>(schema: z.ZodType<T>, knownTypes: readonly string[], text: string): ParseResult<T> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, code: 'BAD_FRAME', message: 'The frame is not valid JSON.' };
  }
  const type = typeof raw === 'object' && raw !== null ? (raw as { type?: unknown }).type : undefined;
  if (typeof type !== 'string' || !knownTypes.includes(type))
    return { ok: false, code: 'UNKNOWN_FRAME', message: `Unknown frame type: ${String(type)}.` };
  const parsed = schema.safeParse(raw);
  if (!parsed.success) return { ok: false, code: 'BAD_FRAME', message: parsed.error.issues[0]?.message ?? 'Bad frame.' };
  return { ok: true, value: parsed.data };
}

export const CLIENT_FRAME_TYPES = ['hello', 'push'] as const;
export const SERVER_FRAME_TYPES = ['welcome', 'snapshotBegin', 'snapshotPage', 'snapshotEnd', 'changes', 'pushResult', 'error'] as const;
