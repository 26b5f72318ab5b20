// The server side of each mutation: the shared rules decide, this module writes what they decided.
import { v7 as uuidv7 } from 'uuid';
import type { Conversation, ConversationEvent } from '../../src-shared/domain';
import { BandejaError } from '../../src-shared/errors';
import { isMutationName, mutationArgs, type MutationArgs, type MutationName } from '../../src-shared/mutations';
import { assign, markRead, sendReply, setStatus, type Outcome } from '../../src-shared/rules/conversation';
import type { ChangeBatch } from '../store/changeLog';
import { insertMessage, lockConversation, messageExists, updateConversation } from '../store/conversations';
import type { Tx } from '../store/db';
import { getUser, viewerOf, type UserWithTenant } from '../store/directory';

export interface MutationContext {
  tx: Tx;
  batch: ChangeBatch;
  actor: UserWithTenant;
  now: number;
  /** Work to do once the transaction committed (channel delivery). */
  afterCommit: (effect: AfterCommit) => void;
}

export type AfterCommit = { kind: 'deliver'; conversationId: string; messageId: string };

type Mutator<N extends MutationName> = (ctx: MutationContext, args: MutationArgs<N>) => Promise<void>;

async function mustFind(ctx: MutationContext, conversationId: string): Promise<Conversation> {
  const c = await lockConversation(ctx.tx, ctx.actor.tenantId, conversationId);
  if (!c) throw new BandejaError('NOT_FOUND', 'This conversation does not exist.');
  return c;
}

/** Writes the outcome: the conversation row if it changed, then one event line per event. */
async function writeOutcome(ctx: MutationContext, before: Conversation, outcome: Outcome): Promise<Conversation> {
  const after = outcome.conversation === before ? before : await updateConversation(ctx.tx, ctx.batch, before, outcome.conversation);
  for (const event of outcome.events) await writeEvent(ctx, after, event);
  return after;
}

async function writeEvent(ctx: MutationContext, c: Conversation, event: ConversationEvent): Promise<void> {
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
      state: 'sent',
      error: null,
      createdAt: ctx.now,
    },
    c,
  );
}

const mutators: { [N in MutationName]: Mutator<N> } = {
  async 'message.send'(ctx, args) {
    const before = await mustFind(ctx, args.conversationId);
    const outcome = sendReply(viewerOf(ctx.actor), before, args.body, ctx.now);
    if (await messageExists(ctx.tx, args.id))
      throw new BandejaError('INVALID_ARGS', 'This message id is already used by another message.');
    const after = await writeOutcome(ctx, before, outcome);
    await insertMessage(
      ctx.tx,
      ctx.batch,
      {
        id: args.id,
        conversationId: after.id,
        direction: 'out',
        kind: 'text',
        authorId: ctx.actor.id,
        body: args.body,
        event: null,
        state: 'sent',
        error: null,
        createdAt: ctx.now,
      },
      after,
    );
    ctx.afterCommit({ kind: 'deliver', conversationId: after.id, messageId: args.id });
  },

  async 'conversation.assign'(ctx, args) {
    const before = await mustFind(ctx, args.conversationId);
    const outcome = assign(viewerOf(ctx.actor), before, args.assigneeId);
    if (args.assigneeId !== null && outcome.conversation !== before) {
      const assignee = await getUser(ctx.tx, args.assigneeId);
      if (!assignee || assignee.tenantId !== ctx.actor.tenantId) throw new BandejaError('NOT_FOUND', 'This agent does not exist.');
      if (!assignee.active) throw new BandejaError('FORBIDDEN', 'This agent is deactivated and cannot take conversations.');
    }
    await writeOutcome(ctx, before, outcome);
  },

  async 'conversation.setStatus'(ctx, args) {
    const before = await mustFind(ctx, args.conversationId);
    await writeOutcome(ctx, before, setStatus(viewerOf(ctx.actor), before, args.status));
  },

  async 'conversation.markRead'(ctx, args) {
    const before = await mustFind(ctx, args.conversationId);
    await writeOutcome(ctx, before, markRead(viewerOf(ctx.actor), before));
  },
};

/** Validates and runs one mutation. Business refusals throw a BandejaError. */
export async function runMutation(ctx: MutationContext, name: string, rawArgs: unknown): Promise<void> {
  if (!isMutationName(name)) throw new BandejaError('UNKNOWN_MUTATION', `Unknown mutation: ${name}.`);
  const parsed = mutationArgs[name].safeParse(rawArgs);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new BandejaError('INVALID_ARGS', `Invalid ${name} arguments${issue ? `: ${issue.path.join('.')} ${issue.message}` : ''}.`);
  }
  const mutator = mutators[name] as Mutator<MutationName>;
  await mutator(ctx, parsed.data as MutationArgs<MutationName>);
}
