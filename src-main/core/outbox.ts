// The outbox: every action an agent takes, numbered per device and kept until the server answers.
// Recording is one SQLite transaction (id, outbox row, overlay) so a crash keeps all of it or none.
import type { Attachment, Conversation, TemplateUse } from '../../src-shared/domain';
import type { ErrorBody } from '../../src-shared/errors';
import { BandejaError } from '../../src-shared/errors';
import { mutationArgs, mutationConversationId, type AnyMutation, type MutationArgs, type MutationName } from '../../src-shared/mutations';
import { attachmentsOf, confirmedSnippetHolds, forgetMissingRefusal, markUpload } from './mirror/blobUploads';
import type { ReadonlyDb, WritableDb } from './mirror/db';
import { clearDraft } from './mirror/drafts';
import { takeMutationId } from './mirror/meta';
import {
  applyEntityMutation,
  applyRule,
  outboxMutation,
  rebaseConversation,
  rebaseEntities,
  sessionViewer,
  type OutboxRow,
} from './mirror/rebase';
import { baseContact, viewConversation } from './mirror/rows';
import { renderTemplateFor } from './mirror/templates';

export interface Recorded {
  mutationId: number;
  name: MutationName;
  /** The conversation it changes, or null (contacts, views, notifications, admin). */
  conversationId: string | null;
}

export type MutationInput = { [N in MutationName]: { name: N; args: MutationArgs<N> } }[MutationName];

function parseArgs<N extends MutationName>(name: N, rawArgs: unknown): MutationArgs<N> {
  const parsed = mutationArgs[name].safeParse(rawArgs);
  if (!parsed.success) throw new BandejaError('INVALID_ARGS', `Invalid ${name}: ${parsed.error.issues[0]?.message ?? 'bad arguments'}.`);
  return parsed.data as MutationArgs<N>;
}

/** A per-field contact patch starts from the field versions the mirror holds (server-confirmed) for
 *  every field the caller did not give a base for. */
function withContactBase(db: ReadonlyDb, args: MutationArgs<'contact.update'>): MutationArgs<'contact.update'> {
  const contact = baseContact(db, args.contactId);
  const base: Record<string, number> = {};
  for (const field of Object.keys(args.fields)) base[field] = args.base[field] ?? contact?.fieldVersions[field] ?? 0;
  return { ...args, base };
}

export interface RecordOptions {
  /** The conversation's draft stays: a forward, a resend or a template is not what the agent was typing. */
  keepDraft?: boolean;
}

function recordOne(db: WritableDb, input: MutationInput, now: number, opts: RecordOptions): Recorded {
  const viewer = sessionViewer(db);
  if (!viewer) throw new BandejaError('NOT_SIGNED_IN', 'Sign in first.');
  let args: unknown = parseArgs(input.name, input.args);
  if (input.name === 'contact.update') args = withContactBase(db, args as MutationArgs<'contact.update'>);
  const mutationId = takeMutationId(db);
  const mutation = { id: mutationId, name: input.name, args, clientTime: now } as AnyMutation;
  const conversationId = mutationConversationId(mutation);
  if (conversationId !== null) {
    const conversation = viewConversation(db, conversationId);
    if (!conversation) throw new BandejaError('NOT_FOUND', 'This conversation is not in your inbox.');
    // Refused here exactly as the server would refuse it (a closed reply window included, by the
    // mirror's knowledge of it): nothing is stored (the transaction rolls back).
    applyRule(db, viewer, conversation, mutation);
    // A reminder is also an entity of its own (owner only, forward only).
    if (mutation.name === 'reminder.set') applyEntityMutation(db, viewer, mutation);
    const pending = pendingMessageOf(db, conversation, mutation);
    if (pending) insertPendingMessage(db, mutationId, conversationId, viewer.id, pending, now);
  } else applyEntityMutation(db, viewer, mutation);
  db.prepare('INSERT INTO outbox (mutation_id, name, args, conversation_id, created_at) VALUES (?, ?, ?, ?, ?)').run(
    mutationId,
    mutation.name,
    JSON.stringify(args),
    conversationId,
    now,
  );
  // The draft was this message: it goes in the same transaction, so a crash never leaves both.
  if (!opts.keepDraft && (mutation.name === 'message.send' || mutation.name === 'note.add')) clearDraft(db, mutation.args.conversationId);
  for (const a of attachmentsOf(mutation)) {
    forgetMissingRefusal(db, a.sha256);
    // A confirmed snippet's file (a snippet kept with its file, or its file put in a message): the server
    // holds it, so the upload gate must not look for bytes this device may never have had.
    if (confirmedSnippetHolds(db, a.sha256)) markUpload(db, a.sha256, { state: 'uploaded' }, now);
  }
  rebaseAfter(db, { name: mutation.name, conversationId });
  return { mutationId, name: mutation.name, conversationId };
}

interface PendingMessage {
  id: string;
  kind: 'text' | 'note';
  body: string;
  mentions: string[];
  attachments: Attachment[];
  template: TemplateUse | null;
  forwarded: boolean;
}

/** What the timeline shows of a message this device sends, until the server confirms it. */
function pendingMessageOf(db: ReadonlyDb, conversation: Conversation, m: AnyMutation): PendingMessage | null {
  switch (m.name) {
    case 'message.send':
      return {
        id: m.args.id,
        kind: 'text',
        body: m.args.body,
        mentions: [],
        attachments: m.args.attachments ?? [],
        template: null,
        forwarded: m.args.forwarded ?? false,
      };
    case 'message.sendTemplate': {
      const { template, text } = renderTemplateFor(db, conversation, m.args.templateId, m.args.variables);
      // Values as the server keeps them (trimmed, as they appear in the text).
      const variables = m.args.variables.map((v) => v.trim());
      const use: TemplateUse = { templateId: template.id, name: template.name, language: template.language, variables };
      return { id: m.args.id, kind: 'text', body: text, mentions: [], attachments: [], template: use, forwarded: false };
    }
    case 'note.add':
      return {
        id: m.args.id,
        kind: 'note',
        body: m.args.body,
        mentions: m.args.mentions,
        attachments: [],
        template: null,
        forwarded: false,
      };
    default:
      return null;
  }
}

function insertPendingMessage(
  db: WritableDb,
  mutationId: number,
  conversationId: string,
  authorId: string,
  p: PendingMessage,
  now: number,
): void {
  db.prepare(
    `INSERT INTO pending_messages (id, mutation_id, conversation_id, author_id, kind, body, mentions, attachments, template, forwarded,
       created_at, state)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending')`,
  ).run(
    p.id,
    mutationId,
    conversationId,
    authorId,
    p.kind,
    p.body,
    JSON.stringify(p.mentions),
    JSON.stringify(p.attachments),
    p.template === null ? null : JSON.stringify(p.template),
    p.forwarded ? 1 : 0,
    now,
  );
}

/** Records one mutation: next id, outbox row and overlay in one transaction. Refuses (storing
 *  nothing) what the rules already refuse on the agent's own view. */
export function record<N extends MutationName>(
  db: WritableDb,
  name: N,
  args: MutationArgs<N>,
  now: number,
  opts: RecordOptions = {},
): Recorded {
  return db.transaction(() => recordOne(db, { name, args } as MutationInput, now, opts))();
}

/** Records several mutations in one transaction: all of them, or (when the rules refuse one) none. */
export function recordMany(db: WritableDb, inputs: readonly MutationInput[], now: number, opts: RecordOptions = {}): Recorded[] {
  return db.transaction(() =>
    inputs.map((input) => {
      try {
        return recordOne(db, input, now, opts);
      } catch (e) {
        if (e instanceof BandejaError && 'conversationId' in input.args)
          throw new BandejaError(e.code, e.message, { ...e.params, conversationId: String(input.args.conversationId) });
        throw e;
      }
    }),
  )();
}

/** The oldest unconfirmed mutations, in the order they were made. */
/** The next mutations to push, in order. A row today's contract refuses (an older version recorded it) is
 *  pushed as it was stored, for the server to refuse with its reason: never skipped, never a local jam. */
export function nextBatch(db: ReadonlyDb, limit: number): AnyMutation[] {
  return db
    .prepare<[number], OutboxRow>('SELECT * FROM outbox ORDER BY mutation_id LIMIT ?')
    .all(limit)
    .map((row) => {
      try {
        return outboxMutation(row);
      } catch {
        return { id: row.mutation_id, name: row.name, args: JSON.parse(row.args) as unknown, clientTime: row.created_at } as AnyMutation;
      }
    });
}

export function pendingCount(db: ReadonlyDb): number {
  return db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM outbox').get()!.n;
}

/** The server applied it (now or before): its effect is in base, the overlay goes. */
export function confirm(db: WritableDb, mutationId: number): Settled | null {
  return db.transaction(() => {
    const row = takeFromOutbox(db, mutationId);
    if (!row) return null;
    db.prepare("DELETE FROM pending_messages WHERE mutation_id = ? AND state = 'pending'").run(mutationId);
    rebaseAfter(db, row);
    return row;
  })();
}

export interface Settled {
  name: MutationName;
  conversationId: string | null;
}

function takeFromOutbox(db: WritableDb, mutationId: number): Settled | null {
  const row = db
    .prepare<[number], { name: string; conversation_id: string | null }>(
      'DELETE FROM outbox WHERE mutation_id = ? RETURNING name, conversation_id',
    )
    .get(mutationId);
  return row ? { name: row.name as MutationName, conversationId: row.conversation_id } : null;
}

function rebaseAfter(db: WritableDb, settled: Settled): void {
  if (settled.conversationId !== null) rebaseConversation(db, settled.conversationId);
  // reminder.set snoozes its conversation and makes or moves a reminder: both overlays follow it.
  if (settled.conversationId === null || settled.name === 'reminder.set') rebaseEntities(db);
}

/** The server refused it for good: a message stays visible as failed with the reason, until discarded. */
export function reject(db: WritableDb, mutationId: number, error: ErrorBody): Settled | null {
  return db.transaction(() => {
    const row = takeFromOutbox(db, mutationId);
    if (!row) return null;
    db.prepare(
      `UPDATE pending_messages SET state = 'failed', error_code = ?, error_message = ?, error_params = ?
       WHERE mutation_id = ? AND state = 'pending'`,
    ).run(error.code, error.message, error.params ? JSON.stringify(error.params) : null, mutationId);
    rebaseAfter(db, row);
    return row;
  })();
}

/** A transient failure: counted and remembered, the mutation stays first in line. */
export function noteAttempt(db: WritableDb, mutationIds: number[], error: ErrorBody | null): void {
  const stmt = db.prepare('UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE mutation_id = ?');
  db.transaction(() => {
    for (const id of mutationIds) stmt.run(error ? JSON.stringify(error) : null, id);
  })();
}

/** Removes a failed message the agent gave up on. A message still on its way cannot be taken back. */
export function discardMessage(db: WritableDb, messageId: string): string {
  return db.transaction(() => {
    const row = db
      .prepare<[string], { state: string; conversation_id: string }>('SELECT state, conversation_id FROM pending_messages WHERE id = ?')
      .get(messageId);
    if (!row) throw new BandejaError('NOT_FOUND', 'There is no failed message with this id.');
    if (row.state !== 'failed')
      throw new BandejaError('INVALID_ARGS', 'This message is still being sent; only a failed message can be discarded.');
    db.prepare('DELETE FROM pending_messages WHERE id = ?').run(messageId);
    return row.conversation_id;
  })();
}
