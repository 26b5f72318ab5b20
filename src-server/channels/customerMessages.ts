// A customer's message from any channel (webchat socket, WhatsApp webhook), stored the same way: into the
// active conversation of the identity that wrote (its external id in the inbox), or a new one
// (rules/status.ts customerMessageTarget). After a merge, each identity of the contact keeps its own
// conversations: replies reach the identity that wrote, and a webchat page never shows another's chat.
import { v7 as uuidv7 } from 'uuid';
import type { Attachment, Conversation, Message } from '../../src-shared/domain';
import { attachmentPreview, preview } from '../../src-shared/rules/conversation';
import { customerMessageTarget, snoozeOnCustomerMessage } from '../../src-shared/rules/status';
import type { ChangeBatch } from '../store/changeLog';
import { insertConversation, insertMessage, lockLatestConversation, updateConversation } from '../store/conversations';
import type { Tx } from '../store/db';
import { getInbox, type InboxRow } from '../store/directory';

export interface CustomerMessage {
  id: string;
  body: string;
  attachments: Attachment[];
  /** When the customer wrote (the channel's timestamp): the reply window counts from here. */
  at: number;
}

/** Returns null when a message with this id is already stored (the caller rolls back). */
export async function insertCustomerMessage(
  tx: Tx,
  batch: ChangeBatch,
  inbox: InboxRow,
  contactId: string,
  identity: string,
  m: CustomerMessage,
): Promise<{ conversation: Conversation; message: Message } | null> {
  const latest = await lockLatestConversation(tx, inbox.id, identity);
  // A webchat socket holds the inbox as it was when the visitor connected; an admin may have given the
  // inbox to another team since, and a new conversation must go to the team it has now.
  const teamId = (await getInbox(tx, inbox.id))?.teamId ?? inbox.teamId;
  const target = customerMessageTarget(latest);
  const before = target.kind === 'existing' ? latest : null;
  const text = m.body.trim() || m.attachments.length === 0 ? preview(m.body) : attachmentPreview(m.attachments[0]!);
  // A late webhook (a retry by the provider) must not move the conversation's times backwards.
  const conversation = before
    ? await updateConversation(tx, batch, before, {
        ...before,
        // A reminder that postpones the conversation keeps it snoozed until due (by the server's clock:
        // a provider's late timestamp says nothing about whether the reminder is due yet).
        ...snoozeOnCustomerMessage(before, Date.now()),
        unreadCount: before.unreadCount + 1,
        lastMessageAt: Math.max(before.lastMessageAt, m.at),
        lastMessagePreview: m.at >= before.lastMessageAt ? text : before.lastMessagePreview,
        lastCustomerMessageAt: Math.max(before.lastCustomerMessageAt ?? 0, m.at),
        waitingSince: before.waitingSince ?? m.at,
      })
    : await insertConversation(
        tx,
        batch,
        {
          id: uuidv7(),
          inboxId: inbox.id,
          contactId,
          teamId,
          assigneeId: null,
          status: target.kind === 'new' ? target.status : 'open',
          unreadCount: 1,
          lastMessageAt: m.at,
          lastMessagePreview: text,
          lastCustomerMessageAt: m.at,
          waitingSince: m.at,
          tags: [],
          botActive: false,
          closingCategoryId: null,
          previousConversationId: target.kind === 'new' ? target.previousConversationId : null,
          snoozedUntil: null,
          createdAt: m.at,
        },
        identity,
      );
  const message = await insertMessage(
    tx,
    batch,
    {
      id: m.id,
      conversationId: conversation.id,
      direction: 'in',
      kind: 'text',
      authorId: null,
      body: m.body,
      event: null,
      mentions: [],
      attachments: m.attachments,
      template: null,
      forwarded: false,
      state: 'delivered',
      error: null,
      createdAt: m.at,
    },
    conversation,
  );
  return message ? { conversation, message } : null;
}
