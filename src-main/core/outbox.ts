// The outbox: every action an agent takes, numbered per device and kept until the server answers.
// Recording is one SQLite transaction (id, outbox row, overlay) so a crash keeps all of it or none.
import type { ErrorBody } from '../../src-shared/errors';
import { BandejaError } from '../../src-shared/errors';
import { mutationArgs, type AnyMutation, type MutationArgs, type MutationName } from '../../src-shared/mutations';
import type { ReadonlyDb, WritableDb } from './mirror/db';
import { takeMutationId } from './mirror/meta';
import { applyRule, outboxMutation, rebaseConversation, sessionViewer, type OutboxRow } from './mirror/rebase';
import { viewConversation } from './mirror/rows';

export interface Recorded {
  mutationId: number;
  conversationId: string;
}

/** Records one mutation. Refuses (storing nothing) what the rules already refuse on the agent's own view. */
export function record<N extends MutationName>(db: WritableDb, name: N, rawArgs: MutationArgs<N>, now: number): Recorded {
  const parsed = mutationArgs[name].safeParse(rawArgs);
  if (!parsed.success)
    throw new BandejaError('INVALID_ARGS', `Invalid ${name}: ${parsed.error.issues[0]?.message ?? 'bad arguments'}.`);
  const args = parsed.data as MutationArgs<N>;
  return db.transaction((): Recorded => {
    const viewer = sessionViewer(db);
    if (!viewer) throw new BandejaError('NOT_SIGNED_IN', 'Sign in first.');
    const conversation = viewConversation(db, args.conversationId);
    if (!conversation) throw new BandejaError('NOT_FOUND', 'This conversation is not in your inbox.');
    const mutationId = takeMutationId(db);
    const mutation = { id: mutationId, name, args, clientTime: now } as AnyMutation;
    applyRule(viewer, conversation, mutation);
    db.prepare(
      'INSERT INTO outbox (mutation_id, name, args, conversation_id, created_at) VALUES (?, ?, ?, ?, ?)',
    ).run(mutationId, name, JSON.stringify(args), args.conversationId, now);
    if (mutation.name === 'message.send') {
      db.prepare(
        `INSERT INTO pending_messages (id, mutation_id, conversation_id, author_id, body, created_at, state)
         VALUES (?, ?, ?, ?, ?, ?, 'pending')`,
      ).run(mutation.args.id, mutationId, args.conversationId, viewer.id, mutation.args.body, now);
    }
    rebaseConversation(db, args.conversationId);
    return { mutationId, conversationId: args.conversationId };
  })();
}

/** The oldest unconfirmed mutations, in the order they were made. */
export function nextBatch(db: ReadonlyDb, limit: number): AnyMutation[] {
  return db
    .prepare<[number], OutboxRow>('SELECT * FROM outbox ORDER BY mutation_id LIMIT ?')
    .all(limit)
    .map(outboxMutation);
}

export function pendingCount(db: ReadonlyDb): number {
  return db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM outbox').get()!.n;
}

/** The server applied it (now or before): its effect is in base, the overlay goes. */
export function confirm(db: WritableDb, mutationId: number): string | null {
  return db.transaction(() => {
    const row = db
      .prepare<[number], { conversation_id: string }>('DELETE FROM outbox WHERE mutation_id = ? RETURNING conversation_id')
      .get(mutationId);
    if (!row) return null;
    db.prepare("DELETE FROM pending_messages WHERE mutation_id = ? AND state = 'pending'").run(mutationId);
    rebaseConversation(db, row.conversation_id);
    return row.conversation_id;
  })();
}

/** The server refused it for good: a message stays visible as failed with the reason, until discarded. */
export function reject(db: WritableDb, mutationId: number, error: ErrorBody): string | null {
  return db.transaction(() => {
    const row = db
      .prepare<[number], { conversation_id: string }>('DELETE FROM outbox WHERE mutation_id = ? RETURNING conversation_id')
      .get(mutationId);
    if (!row) return null;
    db.prepare(
      `UPDATE pending_messages SET state = 'failed', error_code = ?, error_message = ?, error_params = ?
       WHERE mutation_id = ? AND state = 'pending'`,
    ).run(error.code, error.message, error.params ? JSON.stringify(error.params) : null, mutationId);
    rebaseConversation(db, row.conversation_id);
    return row.conversation_id;
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
