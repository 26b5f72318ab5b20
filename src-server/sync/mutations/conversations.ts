// Conversation mutations: the shared rules (rules/conversation.ts) decide, these write what they decided
// and check what only the server can know (other rows, inbox settings, who exists).
import { v7 as uuidv7 } from 'uuid';
import type { Conversation } from '../../../src-shared/domain';
import { BandejaError } from '../../../src-shared/errors';
import {
  addNote,
  assign,
  close,
  markRead,
  markUnread,
  mentionTargets,
  mustMentionOnlyViewers,
  reopen,
  sendReply,
  sendTemplate,
  setBot,
  setStatus,
  tag,
  transfer,
  transferToNewConversation,
} from '../../../src-shared/rules/conversation';
import { identityOf, insertConversation, insertMessage, lockActiveConversation } from '../../store/conversations';
import { mustBeTemplateOf, renderTemplate } from '../../../src-shared/rules/templates';
import { queueDelivery } from '../../store/deliveries';
import { getClosingCategory } from '../../store/definitions';
import { activeUserIds, getInbox, getTeam, getTenantUser, viewerOf, type InboxRow } from '../../store/directory';
import { insertNotification } from '../../store/notifications';
import { canSeeConversation, type Viewer } from '../../visibility';
import { getTemplate } from '../../store/templates';
import {
  mustBeNewId,
  mustBeNewMessageId,
  mustFindConversation,
  mustHoldBlobs,
  writeEvent,
  writeOutcome,
  type MutationContext,
  type MutatorTable,
} from './context';

async function inboxOf(ctx: MutationContext, c: Conversation): Promise<InboxRow> {
  const inbox = await getInbox(ctx.tx, c.inboxId);
  if (!inbox) throw new Error(`Inbox ${c.inboxId} vanished.`);
  return inbox;
}

/** Channels whose messages leave through a dispatcher (channels/whatsapp): the delivery row is written
 *  with the message, so a crash after commit still delivers it. Webchat pushes to open sockets instead. */
async function queueChannelDelivery(ctx: MutationContext, inbox: InboxRow, c: Conversation, messageId: string): Promise<void> {
  if (inbox.channel === 'whatsapp') await queueDelivery(ctx.tx, { tenantId: inbox.tenantId, inboxId: inbox.id, messageId }, ctx.now);
  ctx.afterCommit({ kind: 'deliver', conversationId: c.id, messageId });
}

/** A person who may receive conversations: a user of this tenant, and active. */
async function mustBeActiveUser(ctx: MutationContext, userId: string): Promise<void> {
  const user = await getTenantUser(ctx.tx, ctx.actor.tenantId, userId);
  if (!user) throw new BandejaError('NOT_FOUND', 'This person does not exist.');
  if (!user.active) throw new BandejaError('FORBIDDEN', 'This person is deactivated and cannot take conversations.');
}

async function closeConversation(
  ctx: MutationContext,
  before: Conversation,
  note: string | null,
  categoryId: string | null,
): Promise<void> {
  if (categoryId !== null) {
    const category = await getClosingCategory(ctx.tx, ctx.actor.tenantId, categoryId);
    if (!category) throw new BandejaError('NOT_FOUND', 'This closing category does not exist.');
    if (!category.active) throw new BandejaError('INVALID_ARGS', 'This closing category is no longer in use. Pick another one.');
  }
  const inbox = await inboxOf(ctx, before);
  await writeOutcome(ctx, before, close(viewerOf(ctx.actor), before, note, categoryId, inbox.settings));
}

async function reopenConversation(ctx: MutationContext, before: Conversation): Promise<void> {
  const outcome = reopen(viewerOf(ctx.actor), before);
  // One active conversation per contact: the customer may have written again since it closed.
  const active = await lockActiveConversation(ctx.tx, before.inboxId, before.contactId, await identityOf(ctx.tx, before.id));
  if (active && active.id !== before.id) {
    // Named only to someone who may see it (her client offers to continue there); anyone else learns only
    // that the customer is being helped, never an id outside her scope.
    if (canSeeConversation(viewerOf(ctx.actor), active))
      throw new BandejaError('INVALID_TRANSITION', 'This contact already has an active conversation. Continue there.', {
        reason: 'activeConversation',
        conversationId: active.id,
      });
    throw new BandejaError('INVALID_TRANSITION', 'This contact is already being helped in another conversation.', {
      reason: 'activeElsewhere',
    });
  }
  await writeOutcome(ctx, before, outcome);
}

export const conversationMutators: MutatorTable<
  | 'message.send'
  | 'message.sendTemplate'
  | 'note.add'
  | 'conversation.assign'
  | 'conversation.transfer'
  | 'conversation.setStatus'
  | 'conversation.close'
  | 'conversation.reopen'
  | 'conversation.markRead'
  | 'conversation.markUnread'
  | 'conversation.tag'
  | 'conversation.setBot'
> = {
  async 'message.send'(ctx, args) {
    const before = await mustFindConversation(ctx, args.conversationId);
    const attachments = args.attachments ?? [];
    const inbox = await inboxOf(ctx, before);
    const outcome = sendReply(viewerOf(ctx.actor), before, inbox.channel, args.body, ctx.now, attachments);
    await mustBeNewMessageId(ctx, args.id);
    await mustHoldBlobs(ctx, attachments);
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
        mentions: [],
        attachments,
        template: null,
        forwarded: args.forwarded ?? false,
        state: 'sent',
        error: null,
        createdAt: ctx.now,
      },
      after,
    );
    await queueChannelDelivery(ctx, inbox, after, args.id);
  },

  async 'message.sendTemplate'(ctx, args) {
    const before = await mustFindConversation(ctx, args.conversationId);
    const template = await getTemplate(ctx.tx, ctx.actor.tenantId, args.templateId);
    mustBeTemplateOf(template, before.inboxId);
    const text = renderTemplate(template, args.variables);
    const inbox = await inboxOf(ctx, before);
    const outcome = sendTemplate(viewerOf(ctx.actor), before, text, ctx.now);
    await mustBeNewMessageId(ctx, args.id);
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
        body: text,
        event: null,
        mentions: [],
        attachments: [],
        template: {
          templateId: template.id,
          name: template.name,
          language: template.language,
          variables: args.variables.map((v) => v.trim()),
        },
        forwarded: false,
        state: 'sent',
        error: null,
        createdAt: ctx.now,
      },
      after,
    );
    await queueChannelDelivery(ctx, inbox, after, args.id);
  },

  async 'note.add'(ctx, args) {
    const c = await mustFindConversation(ctx, args.conversationId);
    addNote(viewerOf(ctx.actor), c, args.body);
    await mustBeNewMessageId(ctx, args.id);
    const mentioned = mentionTargets(args.mentions, ctx.actor.id, await activeUserIds(ctx.tx, ctx.actor.tenantId));
    const people: Viewer[] = [];
    for (const id of mentioned) {
      const person = await getTenantUser(ctx.tx, ctx.actor.tenantId, id);
      if (person) people.push(viewerOf(person));
    }
    mustMentionOnlyViewers(people, c);
    await insertMessage(
      ctx.tx,
      ctx.batch,
      {
        id: args.id,
        conversationId: c.id,
        direction: 'out',
        kind: 'note',
        authorId: ctx.actor.id,
        body: args.body,
        event: null,
        mentions: mentioned,
        attachments: [],
        template: null,
        forwarded: false,
        state: 'sent',
        error: null,
        createdAt: ctx.now,
      },
      c,
    );
    // No delivery effect: a note never reaches a channel.
    for (const userId of mentioned)
      await insertNotification(ctx.tx, ctx.batch, {
        id: uuidv7(),
        userId,
        kind: 'mention',
        conversationId: c.id,
        messageId: args.id,
        byId: ctx.actor.id,
        createdAt: ctx.now,
        readAt: null,
      });
  },

  async 'conversation.assign'(ctx, args) {
    const before = await mustFindConversation(ctx, args.conversationId);
    const outcome = assign(viewerOf(ctx.actor), before, args.assigneeId);
    if (args.assigneeId !== null && outcome.conversation !== before) await mustBeActiveUser(ctx, args.assigneeId);
    await writeOutcome(ctx, before, outcome);
  },

  async 'conversation.transfer'(ctx, args) {
    const before = await mustFindConversation(ctx, args.conversationId);
    const outcome = transfer(viewerOf(ctx.actor), before, args.toUserId, args.toTeamId);
    if (args.toUserId !== null) await mustBeActiveUser(ctx, args.toUserId);
    if (args.toTeamId !== null && !(await getTeam(ctx.tx, ctx.actor.tenantId, args.toTeamId)))
      throw new BandejaError('NOT_FOUND', 'This team does not exist.');
    const inbox = await inboxOf(ctx, before);
    if (!inbox.settings.transferStartsNewConversation) {
      await writeOutcome(ctx, before, outcome);
      return;
    }
    await mustBeNewId(ctx, 'conversation', args.newConversationId);
    const { closed, started } = transferToNewConversation(
      viewerOf(ctx.actor),
      before,
      args.toUserId,
      args.toTeamId,
      args.newConversationId,
      ctx.now,
    );
    await writeOutcome(ctx, before, closed);
    // The new conversation is with the same customer identity (replies reach it, its page shows it).
    const inserted = await insertConversation(ctx.tx, ctx.batch, started.conversation, await identityOf(ctx.tx, before.id));
    for (const event of started.events) await writeEvent(ctx, inserted, event);
  },

  async 'conversation.setStatus'(ctx, args) {
    const before = await mustFindConversation(ctx, args.conversationId);
    // Closing and reopening have their own checks; setStatus must not go around them.
    if (args.status === 'closed' && before.status !== 'closed') return closeConversation(ctx, before, null, null);
    if (before.status === 'closed' && args.status === 'open') return reopenConversation(ctx, before);
    await writeOutcome(ctx, before, setStatus(viewerOf(ctx.actor), before, args.status));
  },

  async 'conversation.close'(ctx, args) {
    const before = await mustFindConversation(ctx, args.conversationId);
    await closeConversation(ctx, before, args.note, args.categoryId);
  },

  async 'conversation.reopen'(ctx, args) {
    await reopenConversation(ctx, await mustFindConversation(ctx, args.conversationId));
  },

  async 'conversation.markRead'(ctx, args) {
    const before = await mustFindConversation(ctx, args.conversationId);
    await writeOutcome(ctx, before, markRead(viewerOf(ctx.actor), before));
  },

  async 'conversation.markUnread'(ctx, args) {
    const before = await mustFindConversation(ctx, args.conversationId);
    await writeOutcome(ctx, before, markUnread(viewerOf(ctx.actor), before));
  },

  async 'conversation.tag'(ctx, args) {
    const before = await mustFindConversation(ctx, args.conversationId);
    await writeOutcome(ctx, before, tag(viewerOf(ctx.actor), before, args.add, args.remove));
  },

  async 'conversation.setBot'(ctx, args) {
    const before = await mustFindConversation(ctx, args.conversationId);
    await writeOutcome(ctx, before, setBot(viewerOf(ctx.actor), before, args.active));
  },
};
