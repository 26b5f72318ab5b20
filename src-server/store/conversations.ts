// Conversations and their messages.
import type { Conversation, Message } from '../../src-shared/domain';
import { advancedState } from '../../src-shared/rules/delivery';
import type { Viewer } from '../../src-shared/rules/visibility';
import { visibleConversationsSql } from '../visibility';
import type { ChangeBatch } from './changeLog';
import type { Queryable, Tx } from './db';
import { CONVERSATION_COLUMNS, MESSAGE_COLUMNS, toConversation, toMessage, type ConversationRow, type MessageRow } from './rows';

/** Locks the conversation row for the rest of the transaction. */
export async function lockConversation(tx: Tx, tenantId: string, id: string): Promise<Conversation | null> {
  const [row] = await tx.query<ConversationRow>(
    `SELECT ${CONVERSATION_COLUMNS} FROM conversations c WHERE c.id = $1 AND c.tenant_id = $2 FOR UPDATE`,
    [id, tenantId],
  );
  return row ? toConversation(row) : null;
}

/** The contact's conversation in this inbox with this channel identity that is not closed, locked (one at
 *  most: after a merge, each identity of a contact keeps its own). */
export async function lockActiveConversation(
  tx: Tx,
  inboxId: string,
  contactId: string,
  identity: string | null,
): Promise<Conversation | null> {
  const [row] = await tx.query<ConversationRow>(
    `SELECT ${CONVERSATION_COLUMNS} FROM conversations c
     WHERE c.inbox_id = $1 AND c.contact_id = $2 AND c.identity_external_id IS NOT DISTINCT FROM $3 AND c.status <> 'closed' FOR UPDATE`,
    [inboxId, contactId, identity],
  );
  return row ? toConversation(row) : null;
}

/** The most recent conversation (active or not) of this channel identity in its inbox, locked. */
export async function lockLatestConversation(tx: Tx, inboxId: string, identity: string): Promise<Conversation | null> {
  const [row] = await tx.query<ConversationRow>(
    `SELECT ${CONVERSATION_COLUMNS} FROM conversations c
     WHERE c.inbox_id = $1 AND c.identity_external_id = $2
     ORDER BY (c.status <> 'closed') DESC, c.created_at DESC, c.id DESC LIMIT 1 FOR UPDATE`,
    [inboxId, identity],
  );
  return row ? toConversation(row) : null;
}

/** The channel identity a conversation is with (see insertConversation). */
export async function identityOf(db: Queryable, conversationId: string): Promise<string | null> {
  const [row] = await db.query<{ identity_external_id: string | null }>('SELECT identity_external_id FROM conversations WHERE id = $1', [
    conversationId,
  ]);
  return row?.identity_external_id ?? null;
}

/** Conversations of a contact, locked (a merge moves them). */
export async function lockConversationsOfContact(tx: Tx, contactId: string): Promise<Conversation[]> {
  const rows = await tx.query<ConversationRow>(
    `SELECT ${CONVERSATION_COLUMNS} FROM conversations c WHERE c.contact_id = $1 ORDER BY c.id FOR UPDATE`,
    [contactId],
  );
  return rows.map(toConversation);
}

/** Conversations still being worked (not closed) that a user holds, locked for update. */
export async function lockActiveConversationsOfAssignee(tx: Tx, tenantId: string, userId: string): Promise<Conversation[]> {
  const rows = await tx.query<ConversationRow>(
    `SELECT ${CONVERSATION_COLUMNS} FROM conversations c
     WHERE c.tenant_id = $1 AND c.assignee_id = $2 AND c.status <> 'closed' ORDER BY c.id FOR UPDATE`,
    [tenantId, userId],
  );
  return rows.map(toConversation);
}

/** `identity` is the channel identity (external id in the conversation's inbox) whose customer this
 *  conversation is with: replies go to it and a webchat page shows only its own identity's conversations.
 *  Null for a conversation no identity started. */
export async function insertConversation(
  tx: Tx,
  batch: ChangeBatch,
  c: Omit<Conversation, 'version'>,
  identity: string | null,
): Promise<Conversation> {
  const row: Conversation = { ...c, version: batch.version };
  await tx.query(
    `INSERT INTO conversations (id, tenant_id, inbox_id, contact_id, team_id, assignee_id, status, unread_count, last_message_at,
       last_message_preview, last_customer_message_at, waiting_since, tags, bot_active, closing_category_id,
       previous_conversation_id, created_at, version, snoozed_until, identity_external_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13::jsonb, $14, $15, $16, $17, $18, $19, $20)`,
    [
      row.id,
      batch.tenantId,
      row.inboxId,
      row.contactId,
      row.teamId,
      row.assigneeId,
      row.status,
      row.unreadCount,
      row.lastMessageAt,
      row.lastMessagePreview,
      row.lastCustomerMessageAt,
      row.waitingSince,
      JSON.stringify(row.tags),
      row.botActive,
      row.closingCategoryId,
      row.previousConversationId,
      row.createdAt,
      row.version,
      row.snoozedUntil,
      identity,
    ],
  );
  batch.add({ kind: 'conversation', row, prev: null });
  return row;
}

/** Writes `after` over `before` (same id) at the batch's version. */
export async function updateConversation(tx: Tx, batch: ChangeBatch, before: Conversation, after: Conversation): Promise<Conversation> {
  const row: Conversation = { ...after, id: before.id, version: batch.version };
  const updated = await tx.query(
    `UPDATE conversations SET team_id = $2, assignee_id = $3, status = $4, unread_count = $5, last_message_at = $6,
       last_message_preview = $7, last_customer_message_at = $8, waiting_since = $9, version = $10, tags = $12::jsonb,
       bot_active = $13, closing_category_id = $14, contact_id = $15, snoozed_until = $16
     WHERE id = $1 AND tenant_id = $11 RETURNING id`,
    [
      row.id,
      row.teamId,
      row.assigneeId,
      row.status,
      row.unreadCount,
      row.lastMessageAt,
      row.lastMessagePreview,
      row.lastCustomerMessageAt,
      row.waitingSince,
      row.version,
      batch.tenantId,
      JSON.stringify(row.tags),
      row.botActive,
      row.closingCategoryId,
      row.contactId,
      row.snoozedUntil,
    ],
  );
  if (updated.length !== 1) throw new Error(`Conversation ${row.id} was not updated.`);
  batch.add({ kind: 'conversation', row, prev: { assigneeId: before.assigneeId, teamId: before.teamId } });
  return row;
}

/** Inserts a message; null when a message with that id already exists (a resend). The server
 *  assigns its timeline seq here, so the row logged and sent carries it. */
export async function insertMessage(
  tx: Tx,
  batch: ChangeBatch,
  m: Omit<Message, 'version' | 'seq'>,
  scope: Pick<Conversation, 'assigneeId' | 'teamId'>,
): Promise<Message | null> {
  const [inserted] = await tx.query<{ seq: number }>(
    `INSERT INTO messages (id, tenant_id, conversation_id, direction, kind, author_id, body, event, mentions, attachments, state, error, created_at,
       version, template, forwarded)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9::jsonb, $10::jsonb, $11, $12, $13, $14, $15::jsonb, $16)
     ON CONFLICT (id) DO NOTHING RETURNING seq`,
    [
      m.id,
      batch.tenantId,
      m.conversationId,
      m.direction,
      m.kind,
      m.authorId,
      m.body,
      m.event === null ? null : JSON.stringify(m.event),
      JSON.stringify(m.mentions),
      JSON.stringify(m.attachments),
      m.state,
      m.error,
      m.createdAt,
      batch.version,
      m.template === null ? null : JSON.stringify(m.template),
      m.forwarded,
    ],
  );
  if (!inserted) return null;
  const row: Message = { ...m, seq: inserted.seq, version: batch.version };
  batch.add({ kind: 'message', row, scope: { assigneeId: scope.assigneeId, teamId: scope.teamId } });
  return row;
}

export async function listVisibleConversations(
  db: Queryable,
  tenantId: string,
  viewer: Viewer,
  afterId: string,
  limit: number,
): Promise<Conversation[]> {
  const vis = visibleConversationsSql(viewer, 4);
  const rows = await db.query<ConversationRow>(
    `SELECT ${CONVERSATION_COLUMNS} FROM conversations c WHERE c.tenant_id = $1 AND c.id > $2 AND ${vis.sql} ORDER BY c.id LIMIT $3`,
    [tenantId, afterId, limit, ...vis.params],
  );
  return rows.map(toConversation);
}

export async function listVisibleMessages(
  db: Queryable,
  tenantId: string,
  viewer: Viewer,
  afterId: string,
  limit: number,
): Promise<Message[]> {
  const vis = visibleConversationsSql(viewer, 4);
  const rows = await db.query<MessageRow>(
    `SELECT ${MESSAGE_COLUMNS} FROM messages m JOIN conversations c ON c.id = m.conversation_id
     WHERE m.tenant_id = $1 AND m.id > $2 AND ${vis.sql} ORDER BY m.id LIMIT $3`,
    [tenantId, afterId, limit, ...vis.params],
  );
  return rows.map(toMessage);
}

/** The conversation's timeline, in order. */
export async function listMessages(db: Queryable, conversationId: string): Promise<Message[]> {
  const rows = await db.query<MessageRow>(`SELECT ${MESSAGE_COLUMNS} FROM messages m WHERE m.conversation_id = $1 ORDER BY m.seq`, [
    conversationId,
  ]);
  return rows.map(toMessage);
}

/** Applies a delivery report to messages (locked), logging each one that moved. Returns the changed rows. */
export async function reportMessageState(
  tx: Tx,
  batch: ChangeBatch,
  messageIds: readonly string[],
  reported: Message['state'],
  error: string | null = null,
): Promise<Message[]> {
  if (messageIds.length === 0) return [];
  const rows = await tx.query<MessageRow & { assignee_id: string | null; team_id: string | null }>(
    `SELECT ${MESSAGE_COLUMNS}, c.assignee_id, c.team_id FROM messages m JOIN conversations c ON c.id = m.conversation_id
     WHERE m.id = ANY($1::text[]) AND m.tenant_id = $2 ORDER BY m.seq FOR UPDATE OF m`,
    [[...messageIds], batch.tenantId],
  );
  const changed: Message[] = [];
  for (const r of rows) {
    const state = advancedState(r.state, reported);
    if (state === null) continue;
    const stored = state === 'failed' ? error : null;
    const updated = await tx.query('UPDATE messages SET state = $2, error = $3, version = $4 WHERE id = $1 RETURNING id', [
      r.id,
      state,
      stored,
      batch.version,
    ]);
    if (updated.length !== 1) throw new Error(`Message ${r.id} was not updated.`);
    const row: Message = { ...toMessage(r), state, error: stored, version: batch.version };
    batch.add({ kind: 'message', row, scope: { assigneeId: r.assignee_id, teamId: r.team_id } });
    changed.push(row);
  }
  return changed;
}
