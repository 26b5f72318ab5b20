// What every server-side mutation gets, and the small steps they share.
import { v7 as uuidv7 } from 'uuid';
import type { Attachment, Conversation, ConversationEvent } from '../../../src-shared/domain';
import { BandejaError } from '../../../src-shared/errors';
import type { MutationArgs, MutationName } from '../../../src-shared/mutations';
import type { Outcome } from '../../../src-shared/rules/conversation';
import { usedBlobs } from '../../store/blobs';
import type { ChangeBatch } from '../../store/changeLog';
import { clientIdTaken, type ClientIdKind } from '../../store/clientIds';
import { insertMessage, lockConversation, updateConversation } from '../../store/conversations';
import type { Tx } from '../../store/db';
import { viewerOf, type UserWithTenant } from '../../store/directory';
import { mayNameConversation, unnameableAttachments } from '../../visibility';

export interface MutationContext {
  tx: Tx;
  batch: ChangeBatch;
  /** The authenticated user, read inside this transaction: never anyone named in the args. */
  actor: UserWithTenant;
  now: number;
  /** The server's address as the client reached it (invitation links). */
  publicUrl: string;
  /** Work to do once the transaction committed (channel delivery, the snooze timer). */
  afterCommit: (effect: AfterCommit) => void;
}

export type AfterCommit =
  | { kind: 'deliver'; conversationId: string; messageId: string }
  /** A conversation was snoozed until a time (a postponing reminder): the server's snooze timer may have
   *  to fire sooner. A snooze that ends or moves later needs nothing: the timer finds nothing due when it
   *  fires and re-arms for the next. */
  | { kind: 'snoozed'; conversationId: string; until: number };

export type Mutator<N extends MutationName> = (ctx: MutationContext, args: MutationArgs<N>) => Promise<void>;
export type MutatorTable<N extends MutationName> = { [K in N]: Mutator<K> };

/** The conversation a mutation names, locked. One the actor may not name (src-server/visibility.ts) is
 *  refused exactly like an id nobody uses. */
export async function mustFindConversation(ctx: MutationContext, conversationId: string): Promise<Conversation> {
  const c = await lockConversation(ctx.tx, ctx.actor.tenantId, conversationId);
  if (!c || !mayNameConversation(viewerOf(ctx.actor), c)) throw new BandejaError('NOT_FOUND', 'This conversation does not exist.');
  return c;
}

/** Every attachment must already be uploaded (PUT /blobs/<sha256>) before a row may name it, and be a file
 *  the author uploaded herself or may read (a message or note she may see, a snippet she may use); its blob
 *  rows are marked used in this transaction, so blob GC cannot remove them before it commits. A file she may
 *  not read is refused exactly like one the server lacks. */
export async function mustHoldBlobs(ctx: MutationContext, attachments: readonly Attachment[]): Promise<void> {
  // Marked used (and locked) first: blob GC running meanwhile then skips these rows.
  const [missing] = [
    ...(await usedBlobs(ctx.tx, ctx.actor.tenantId, attachments, ctx.now)),
    ...(await unnameableAttachments(ctx.tx, ctx.actor.tenantId, viewerOf(ctx.actor), attachments)),
  ];
  if (missing)
    throw new BandejaError('ATTACHMENT_MISSING', `The server has not received ${missing.name}. Attach it again.`, { name: missing.name });
}

/** The one answer to a client-made id that is taken. It names nothing and is the same whoever holds the id
 *  (the actor, someone she may not see, another tenant): ids are UUIDv7, so only someone who already holds
 *  an id learns from it that the id exists. */
export function idTaken(): BandejaError {
  return new BandejaError('INVALID_ARGS', 'This id is already in use.');
}

/** A client-made id for a row the mutation creates must not be taken by any row of any tenant. */
export async function mustBeNewId(ctx: MutationContext, kind: ClientIdKind, id: string): Promise<void> {
  if (await clientIdTaken(ctx.tx, kind, id)) throw idTaken();
}

/** An upsert's id: either the row the actor may see under it (`visible`, then the mutation goes on to change
 *  it, with its own rules on who may), or an id no row holds. A row she may not see is answered like one of
 *  another tenant. */
export async function mustBeVisibleOrNewId(ctx: MutationContext, kind: ClientIdKind, id: string, visible: boolean): Promise<void> {
  if (!visible) await mustBeNewId(ctx, kind, id);
}

/** A client-made message id must not name a message that exists already. */
export async function mustBeNewMessageId(ctx: MutationContext, id: string): Promise<void> {
  await mustBeNewId(ctx, 'message', id);
}

/** Writes the outcome: the conversation row if it changed, then one event line per event. */
export async function writeOutcome(ctx: MutationContext, before: Conversation, outcome: Outcome): Promise<Conversation> {
  const after = outcome.conversation === before ? before : await updateConversation(ctx.tx, ctx.batch, before, outcome.conversation);
  for (const event of outcome.events) await writeEvent(ctx, after, event);
  if (after.snoozedUntil !== null && after.snoozedUntil !== before.snoozedUntil)
    ctx.afterCommit({ kind: 'snoozed', conversationId: after.id, until: after.snoozedUntil });
  return after;
}

export async function writeEvent(ctx: MutationContext, c: Conversation, event: ConversationEvent): Promise<void> {
  await insertMessage(
    ctx.tx,
    ctx.batch,
    {
      id: uuidv7(),
      conversationId: c.id,
      direction: 'system',
      kind: 'event',
      authorId: ctx.actor.id,
      body: '',
      event,
      mentions: [],
      attachments: [],
      template: null,
      forwarded: false,
      state: 'sent',
      error: null,
      createdAt: ctx.now,
    },
    c,
  );
}

export function requireAdmin(ctx: MutationContext): void {
  if (ctx.actor.role !== 'admin') throw new BandejaError('FORBIDDEN', 'Only administrators may change workspace settings.');
}
