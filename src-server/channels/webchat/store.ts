// What the webchat channel reads and writes: visitors (contacts + identities) and their messages.
import { createHash, timingSafeEqual } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import type { Attachment, Conversation } from '../../../src-shared/domain';
import type { WebchatMessage } from '../../../src-shared/webchat';
import { ChangeBatch } from '../../store/changeLog';
import { currentContactId, findIdentity, getContact, insertContact, insertIdentity, logContact } from '../../store/contacts';
import { visitorConversationsSql } from '../../visibility';
import { insertCustomerMessage } from '../customerMessages';
import type { Db, Queryable } from '../../store/db';
import type { InboxRow } from '../../store/directory';
import { groupWrite } from '../../store/groupCommit';
import { nextVersion } from '../../store/tenants';

export function secretHash(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** `known`: the visitor's contact and name, and whether her chat has a conversation (a history); null for a
 *  visitor who has not written yet (nothing is stored for her). A wrong secret is refused. */
export type JoinResult = { ok: true; known: { contactId: string; name: string; history: boolean } | null } | { ok: false };

/** Checks a visitor joining. It writes nothing: a visitor's contact (in every agent's mirror) is made by her
 *  first message (storeCustomerMessage), so drive-by joins leave no trace an agent sees or must tidy. */
export async function joinVisitor(db: Queryable, inbox: InboxRow, visitorId: string, secret: string): Promise<JoinResult> {
  const [row] = await db.query<{ contact_id: string; secret_hash: string | null; name: string | null; history: boolean }>(
    `SELECT ci.contact_id, ci.secret_hash, k.name,
       EXISTS (SELECT 1 FROM conversations c WHERE ${visitorConversationsSql(1, 2)}) AS history
     FROM contact_identities ci LEFT JOIN contacts k ON k.id = ci.contact_id
     WHERE ci.inbox_id = $1 AND ci.external_id = $2`,
    [inbox.id, visitorId],
  );
  if (!row) return { ok: true, known: null };
  if (!row.secret_hash || !sameHash(row.secret_hash, secretHash(secret))) return { ok: false };
  const contactId = await currentContactId(db, row.contact_id);
  const name = contactId === row.contact_id ? row.name : ((await getContact(db, contactId))?.name ?? row.name);
  return { ok: true, known: { contactId, name: name ?? '', history: row.history } };
}

/** Who writes: her visitor id, and the secret and name her join gave (her contact is made with them on
 *  her first message). */
export interface VisitorWriting {
  visitorId: string;
  secret: string;
  name: string;
}

class RaceLost extends Error {}
class AlreadyStored extends Error {}
/** The chat's identity was made meanwhile with another secret: not this visitor's. */
export class NotThisVisitor extends Error {}

/** A webchat message before its attachments get URLs signed for one visitor (media.ts). */
export type StoredWebchatMessage = Omit<WebchatMessage, 'attachments'> & { attachments: Attachment[] };

export type SayResult = { stored: true; message: StoredWebchatMessage; conversation: Conversation } | { stored: false };

/** Stores a customer message (once per id) in the visitor's own active conversation. After a closed one
 *  it opens a new pending conversation that points back to it (rules/status.ts customerMessageTarget). */
export async function storeCustomerMessage(db: Db, inbox: InboxRow, visitor: VisitorWriting, id: string, body: string): Promise<SayResult> {
  const now = Date.now();
  for (let attempt = 0; ; attempt++) {
    try {
      // One write of the tenant's next group (store/groupCommit.ts): it may be run again when the group is.
      return await groupWrite(db, inbox.tenantId, async (tx) => {
        const batch = new ChangeBatch(inbox.tenantId, await nextVersion(tx, inbox.tenantId));
        // The visitor's contact may have been merged into another since they joined: a new conversation is
        // the merged contact's, but it stays the visitor's own (customerMessages.ts).
        let identity = await findIdentity(tx, inbox.id, visitor.visitorId);
        if (!identity) {
          // Her first message: her contact is made now, in the same change as the message.
          const createdContact = uuidv7();
          await insertContact(tx, batch, {
            id: createdContact,
            name: visitor.name,
            phones: [],
            emails: [],
            ownerId: null,
            custom: {},
            fieldVersions: {},
            createdAt: now,
          });
          // Lost a race with another tab's first message: roll back and use theirs.
          if (!(await insertIdentity(tx, inbox.id, visitor.visitorId, createdContact, secretHash(visitor.secret)))) throw new RaceLost();
          identity = { contact_id: createdContact, secret_hash: secretHash(visitor.secret) };
          // Logged before her conversation, which names it.
          await logContact(tx, batch, createdContact);
        } else if (!identity.secret_hash || !sameHash(identity.secret_hash, secretHash(visitor.secret))) throw new NotThisVisitor();
        const contactId = await currentContactId(tx, identity.contact_id);
        const stored = await insertCustomerMessage(tx, batch, inbox, contactId, visitor.visitorId, { id, body, attachments: [], at: now });
        // A resend of a stored message (or an id taken elsewhere): undo the conversation bump too.
        if (!stored) throw new AlreadyStored();
        await batch.write(tx);
        return {
          stored: true as const,
          conversation: stored.conversation,
          message: { id, from: 'customer' as const, authorName: null, body, attachments: [], createdAt: now },
        };
      });
    } catch (e) {
      if (e instanceof AlreadyStored) return { stored: false };
      if (e instanceof RaceLost && attempt < 2) continue;
      throw e;
    }
  }
}

type HistoryRow = {
  id: string;
  direction: 'in' | 'out';
  body: string;
  attachments: Attachment[];
  created_at: number;
  author_name: string | null;
};

// The page shows the visitor's chat in timeline order (seq), like the agents' timeline: an agent's
// clock or a message id made on their device says nothing about when the server took it. It holds only
// the conversations of the visitor's own identity (visibility.ts visitorConversationsSql), never one merged
// into her contact from another identity.

export async function visitorHistory(db: Queryable, inboxId: string, visitorId: string, limit = 500): Promise<StoredWebchatMessage[]> {
  const rows = await db.query<HistoryRow>(
    `SELECT * FROM (
       SELECT m.id, m.direction, m.body, m.attachments, m.created_at, m.seq, u.name AS author_name
       FROM messages m JOIN conversations c ON c.id = m.conversation_id LEFT JOIN users u ON u.id = m.author_id
       WHERE ${visitorConversationsSql(1, 2)} AND m.kind = 'text' AND m.direction IN ('in', 'out')
       ORDER BY m.seq DESC LIMIT $3) recent
     ORDER BY seq`,
    [inboxId, visitorId, limit],
  );
  return rows.map(toWebchatMessage);
}

function toWebchatMessage(r: HistoryRow): StoredWebchatMessage {
  return {
    id: r.id,
    from: r.direction === 'in' ? 'customer' : 'agent',
    authorName: r.direction === 'out' ? r.author_name : null,
    body: r.body,
    attachments: r.attachments,
    createdAt: r.created_at,
  };
}

/** An agent's reply as the customer sees it, with where to send it: the identity the conversation is with
 *  (never every identity of a merged contact). Notes and event lines are not found here, so they can never
 *  be delivered. */
export async function outgoingForVisitor(
  db: Queryable,
  messageId: string,
): Promise<{
  tenantId: string;
  inboxId: string;
  slug: string | null;
  channel: string;
  visitorIds: string[];
  message: StoredWebchatMessage;
} | null> {
  const [row] = await db.query<
    HistoryRow & { tenant_id: string; inbox_id: string; identity_external_id: string | null; channel: string; slug: string | null }
  >(
    `SELECT m.id, m.direction, m.body, m.attachments, m.created_at, u.name AS author_name, i.tenant_id, c.inbox_id,
       c.identity_external_id, i.channel, i.slug
     FROM messages m JOIN conversations c ON c.id = m.conversation_id JOIN inboxes i ON i.id = c.inbox_id
     LEFT JOIN users u ON u.id = m.author_id WHERE m.id = $1 AND m.kind = 'text' AND m.direction = 'out'`,
    [messageId],
  );
  if (!row) return null;
  return {
    tenantId: row.tenant_id,
    inboxId: row.inbox_id,
    slug: row.slug,
    channel: row.channel,
    visitorIds: row.identity_external_id === null ? [] : [row.identity_external_id],
    message: toWebchatMessage(row),
  };
}

/** Agent messages of the visitor's chat still only 'sent': the ones a join's history now delivers. */
export async function undeliveredAgentMessages(db: Queryable, inboxId: string, visitorId: string): Promise<string[]> {
  const rows = await db.query<{ id: string }>(
    `SELECT m.id FROM messages m JOIN conversations c ON c.id = m.conversation_id
     WHERE ${visitorConversationsSql(1, 2)} AND m.kind = 'text' AND m.direction = 'out' AND m.state = 'sent'`,
    [inboxId, visitorId],
  );
  return rows.map((r) => r.id);
}

/** Agent messages of the visitor's chat up to `messageId` (timeline order) not read yet. Empty when that
 *  message is not an agent message of this visitor's chat. */
export async function unreadAgentMessagesUpTo(db: Queryable, inboxId: string, visitorId: string, messageId: string): Promise<string[]> {
  const rows = await db.query<{ id: string }>(
    `SELECT m.id FROM messages m JOIN conversations c ON c.id = m.conversation_id
     WHERE ${visitorConversationsSql(1, 2)} AND m.kind = 'text' AND m.direction = 'out' AND m.state IN ('sent', 'delivered')
       AND m.seq <= (SELECT s.seq FROM messages s JOIN conversations c ON c.id = s.conversation_id
                     WHERE s.id = $3 AND ${visitorConversationsSql(1, 2)} AND s.kind = 'text' AND s.direction = 'out')`,
    [inboxId, visitorId, messageId],
  );
  return rows.map((r) => r.id);
}
