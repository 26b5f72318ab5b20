// A message sent again as a new one: resent after it failed, or forwarded to other conversations.
// Each is recorded in one SQLite transaction with what it replaces, so a crash keeps all of it or none.
import { v5 as uuidv5 } from 'uuid';
import type { Attachment, TemplateUse } from '../../src-shared/domain';
import { BandejaError } from '../../src-shared/errors';
import { confirmedSnippetHolds, isUploaded, markUpload } from './mirror/blobUploads';
import type { ReadonlyDb, WritableDb } from './mirror/db';
import { recordMany, type MutationInput, type Recorded } from './outbox';

interface StoredMessage {
  conversationId: string;
  direction: string;
  kind: string;
  body: string;
  mentions: string[];
  attachments: Attachment[];
  template: TemplateUse | null;
  forwarded: boolean;
  state: string;
  /** In the server's timeline (base table), not only on this device. */
  confirmed: boolean;
}

interface StoredRow {
  conversation_id: string;
  direction: string;
  kind: string;
  body: string;
  mentions: string;
  attachments: string;
  template: string | null;
  forwarded: number;
  state: string;
}

function fromRow(r: StoredRow, confirmed: boolean): StoredMessage {
  return {
    conversationId: r.conversation_id,
    direction: r.direction,
    kind: r.kind,
    body: r.body,
    mentions: JSON.parse(r.mentions) as string[],
    attachments: JSON.parse(r.attachments) as Attachment[],
    template: r.template === null ? null : (JSON.parse(r.template) as TemplateUse),
    forwarded: r.forwarded === 1,
    state: r.state,
    confirmed,
  };
}

function confirmedMessage(db: ReadonlyDb, id: string): StoredMessage | null {
  const row = db
    .prepare<[string], StoredRow>(
      'SELECT conversation_id, direction, kind, body, mentions, attachments, template, forwarded, state FROM messages WHERE id = ?',
    )
    .get(id);
  return row ? fromRow(row, true) : null;
}

/** This device's copy (pending or refused) wins until the server's row replaces it. */
function storedMessage(db: ReadonlyDb, id: string): StoredMessage | null {
  const row = db
    .prepare<[string], StoredRow>(
      `SELECT conversation_id, 'out' AS direction, kind, body, mentions, attachments, template, forwarded, state
         FROM pending_messages WHERE id = ? AND id NOT IN (SELECT id FROM messages)`,
    )
    .get(id);
  return row ? fromRow(row, false) : confirmedMessage(db, id);
}

/** A confirmed message's files are blobs the server holds: the upload gate must not look for bytes this
 *  device may never have had (a file the customer sent, or one another agent attached). */
function markServerHeld(db: WritableDb, attachments: readonly Attachment[], now: number): void {
  for (const a of attachments) markUpload(db, a.sha256, { state: 'uploaded' }, now);
}

/** Refuses a file that is neither on this device nor known to be on the server: it could never be sent. */
export function mustHaveAttachments(db: ReadonlyDb, attachments: readonly Attachment[], onDevice: (sha256: string) => boolean): void {
  const missing = attachments.find((a) => !onDevice(a.sha256) && !isUploaded(db, a.sha256) && !confirmedSnippetHolds(db, a.sha256));
  if (missing)
    throw new BandejaError('ATTACHMENT_MISSING', `${missing.name} is not on this device. Attach it again.`, { name: missing.name });
}

/** Fixed so every device derives the same new id from a failed message: a second Resend (a double
 *  click, or another device) names a message that already exists and is refused, here or by the server. */
const RESEND_NAMESPACE = 'f3b0c2a4-6d1e-4c57-9a8b-2e4d6f8a1c3b';

/** The id the resend of a failed message gets. */
export function resendId(messageId: string): string {
  return uuidv5(messageId, RESEND_NAMESPACE);
}

function messageExists(db: ReadonlyDb, id: string): boolean {
  return (
    db
      .prepare<[string, string], { one: number }>(
        'SELECT 1 AS one FROM messages WHERE id = ? UNION ALL SELECT 1 FROM pending_messages WHERE id = ? LIMIT 1',
      )
      .get(id, id) !== undefined
  );
}

/** message.resend: a failed message (this device's, refused by the server; or a confirmed one the channel
 *  failed) goes out again as a new message with the same words, files or template. This device's refused
 *  copy is removed in the same transaction; a confirmed one stays in the timeline as the record of the
 *  failure. The rules run again: a reply window still closed refuses it and nothing changes. */
export function resendMessage(
  db: WritableDb,
  messageId: string,
  newId: string,
  now: number,
  onDevice: (sha256: string) => boolean,
): Recorded {
  return db.transaction(() => {
    const m = storedMessage(db, messageId);
    if (!m) throw new BandejaError('NOT_FOUND', 'This message is not in your inbox.');
    if (m.state !== 'failed' || m.direction !== 'out' || m.kind === 'event')
      throw new BandejaError('INVALID_ARGS', 'Only a message that failed can be sent again.');
    if (messageExists(db, newId)) throw new BandejaError('INVALID_ARGS', 'This message was already sent again.');
    if (m.confirmed) markServerHeld(db, m.attachments, now);
    else {
      mustHaveAttachments(db, m.attachments, onDevice);
      db.prepare('DELETE FROM pending_messages WHERE id = ?').run(messageId);
    }
    const conversationId = m.conversationId;
    const input: MutationInput = m.template
      ? {
          name: 'message.sendTemplate',
          args: { id: newId, conversationId, templateId: m.template.templateId, variables: m.template.variables },
        }
      : m.kind === 'note'
        ? { name: 'note.add', args: { id: newId, conversationId, body: m.body, mentions: m.mentions } }
        : {
            name: 'message.send',
            args: {
              id: newId,
              conversationId,
              body: m.body,
              ...(m.attachments.length > 0 ? { attachments: m.attachments } : {}),
              ...(m.forwarded ? { forwarded: true } : {}),
            },
          };
    return recordMany(db, [input], now, { keepDraft: true })[0]!;
  })();
}

/** message.forward: a confirmed message's words and files go to each target conversation as a new
 *  message marked forwarded, all recorded in one transaction or (when the rules refuse one target, e.g.
 *  its reply window is closed) none. */
export function forwardMessage(
  db: WritableDb,
  messageId: string,
  targets: readonly { conversationId: string; id: string }[],
  now: number,
): Recorded[] {
  return db.transaction(() => {
    const m = confirmedMessage(db, messageId);
    if (!m) throw new BandejaError('NOT_FOUND', 'Only a message that reached the server can be forwarded.');
    if (m.kind !== 'text') throw new BandejaError('INVALID_ARGS', 'Only messages can be forwarded, not notes or events.');
    markServerHeld(db, m.attachments, now);
    const inputs: MutationInput[] = targets.map(({ conversationId, id }) => ({
      name: 'message.send',
      args: { id, conversationId, body: m.body, ...(m.attachments.length > 0 ? { attachments: m.attachments } : {}), forwarded: true },
    }));
    return recordMany(db, inputs, now, { keepDraft: true });
  })();
}
