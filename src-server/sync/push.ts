// Applies a push: each mutation in a savepoint of its own, with its own version, in the tenant's next write
// group (store/groupCommit.ts); exactly once per (clientId, mutation id).
import type { BandejaError, ErrorBody } from '../../src-shared/errors';
import type { MutationEnvelope } from '../../src-shared/mutations';
import type { PushResultItem } from '../../src-shared/protocol';
import { cleanText } from '../../src-shared/values';
import { ChangeBatch } from '../store/changeLog';
import type { Db, Queryable, Tx } from '../store/db';
import { groupWrite } from '../store/groupCommit';
import { getUser, type UserWithTenant } from '../store/directory';
import { nextVersion } from '../store/tenants';
import { definitiveRefusal, describeWriteError, isTransientWriteError } from '../store/writeErrors';
import { runMutation, type AfterCommit } from './mutators';

export interface PushOutcome {
  results: PushResultItem[];
  lmid: number;
  /** Something was committed: the tenant's other connections must catch up. */
  committed: boolean;
  effects: AfterCommit[];
  /** The user was deactivated meanwhile: nothing more is applied and the connection must end. */
  signedOut: boolean;
}

class SignedOut extends Error {}

/** Stores a refusal as the result of mutation `id` and moves the client's counter to it. */
async function storeRejection(tx: Tx, clientId: string, id: number, e: BandejaError): Promise<void> {
  await tx.query('INSERT INTO mutation_results (client_id, mutation_id, status, code, message) VALUES ($1, $2, $3, $4, $5)', [
    clientId,
    id,
    'rejected',
    e.code,
    // A message may quote what the client sent (an unknown mutation's name): only what the column holds.
    cleanText(e.message).slice(0, 2000),
  ]);
}

/** A mutation that failed for good outside its own savepoint (a fault around the mutator rather than in
 *  it): refused in a savepoint of its own, if it is still the next one expected. */
async function rejectAlone(tx: Tx, clientId: string, actor: UserWithTenant, id: number, e: BandejaError): Promise<boolean> {
  return tx.savepoint(async () => {
    const [client] = await tx.query<{ last_mutation_id: number }>(
      'SELECT last_mutation_id FROM clients WHERE id = $1 AND user_id = $2 FOR UPDATE',
      [clientId, actor.id],
    );
    if (!client || client.last_mutation_id !== id - 1) return false;
    await nextVersion(tx, actor.tenantId);
    await storeRejection(tx, clientId, id, e);
    await tx.query('UPDATE clients SET last_mutation_id = $2 WHERE id = $1', [clientId, id]);
    return true;
  });
}

export async function lastMutationId(db: Queryable, clientId: string): Promise<number> {
  const [row] = await db.query<{ last_mutation_id: number }>('SELECT last_mutation_id FROM clients WHERE id = $1', [clientId]);
  return row?.last_mutation_id ?? 0;
}

/** Applies a push as one write of the tenant's next group (store/groupCommit.ts): each mutation in a
 *  savepoint of its own with its own version, committed with the group. */
export async function processPush(
  db: Db,
  actor: UserWithTenant,
  clientId: string,
  mutations: readonly MutationEnvelope[],
  log: (line: string) => void,
  publicUrl: string,
): Promise<PushOutcome> {
  try {
    return await groupWrite(db, actor.tenantId, (tx) => applyPush(tx, actor, clientId, mutations, log, publicUrl));
  } catch (e) {
    // The group's transaction failed (the connection, a COMMIT refused, more than once): nothing of this
    // push was stored; the client sends it again.
    log(`push ${clientId} failed: ${describeWriteError(e)}`);
    const first = mutations[0];
    return {
      results: first ? [{ id: first.id, status: 'error', error: RETRY_LATER }] : [],
      lmid: await lastMutationId(db, clientId),
      committed: false,
      effects: [],
      signedOut: false,
    };
  }
}

const RETRY_LATER = { code: 'INTERNAL', message: 'The server could not apply this change. It will be retried.' } as const;

/** The push inside the group's transaction. Called again from scratch when the group is re-run, so
 *  everything it collects is its own. */
async function applyPush(
  tx: Tx,
  actor: UserWithTenant,
  clientId: string,
  mutations: readonly MutationEnvelope[],
  log: (line: string) => void,
  publicUrl: string,
): Promise<PushOutcome> {
  const results: PushResultItem[] = [];
  const effects: AfterCommit[] = [];
  let committed = false;
  for (const m of mutations) {
    let item: PushResultItem;
    try {
      let pending: AfterCommit[] = [];
      item = await tx.savepoint(async () => {
        pending = [];
        const [client] = await tx.query<{ last_mutation_id: number }>(
          'SELECT last_mutation_id FROM clients WHERE id = $1 AND user_id = $2 FOR UPDATE',
          [clientId, actor.id],
        );
        if (!client) throw new Error('The client row disappeared.');
        const last = client.last_mutation_id;
        if (m.id <= last) {
          // Only rejections are stored: a row here is the reason an earlier try was refused.
          const [stored] = await tx.query<{ code: ErrorBody['code'] | null; message: string | null }>(
            'SELECT code, message FROM mutation_results WHERE client_id = $1 AND mutation_id = $2',
            [clientId, m.id],
          );
          return stored?.code
            ? { id: m.id, status: 'already' as const, error: { code: stored.code, message: stored.message ?? '' } }
            : { id: m.id, status: 'already' as const };
        }
        if (m.id > last + 1) return { id: m.id, status: 'outOfOrder' as const };

        const version = await nextVersion(tx, actor.tenantId);
        // The actor as stored now (after the tenant lock, so no role or team change is in flight):
        // a change of role or teams since hello applies to this mutation already.
        const current = await getUser(tx, actor.id);
        if (!current || !current.active) throw new SignedOut();
        let result: PushResultItem;
        try {
          await tx.savepoint(async () => {
            const batch = new ChangeBatch(actor.tenantId, version);
            await runMutation(
              { tx, batch, actor: current, now: Date.now(), publicUrl, afterCommit: (e) => pending.push(e) },
              m.name,
              m.args,
            );
            await batch.write(tx);
          });
          result = { id: m.id, status: 'ok' };
        } catch (e) {
          // A passing failure fails this mutation (the client retries); anything else is its answer.
          if (isTransientWriteError(e)) throw e;
          const refusal = definitiveRefusal(e);
          if (refusal !== e) log(`push ${clientId}#${m.id} ${m.name.slice(0, 64)} refused for good: ${describeWriteError(e)}`);
          pending.length = 0;
          await storeRejection(tx, clientId, m.id, refusal);
          result = { id: m.id, status: 'rejected', error: refusal.toBody() };
        }
        const advanced = await tx.query('UPDATE clients SET last_mutation_id = $2 WHERE id = $1 RETURNING id', [clientId, m.id]);
        if (advanced.length !== 1) throw new Error('The client row disappeared.');
        return result;
      });
      effects.push(...pending);
      if (item.status === 'ok' || item.status === 'rejected') committed = true;
    } catch (e) {
      if (e instanceof SignedOut) return { results, lmid: await lastMutationId(tx, clientId), committed, effects, signedOut: true };
      log(`push ${clientId}#${m.id} failed: ${describeWriteError(e)}`);
      if (!isTransientWriteError(e)) {
        const refusal = definitiveRefusal(e);
        const stored = await rejectAlone(tx, clientId, actor, m.id, refusal).catch((again: unknown) => {
          log(`push ${clientId}#${m.id} could not be refused either: ${describeWriteError(again)}`);
          return false;
        });
        if (stored) {
          committed = true;
          results.push({ id: m.id, status: 'rejected', error: refusal.toBody() });
          continue;
        }
      }
      results.push({ id: m.id, status: 'error', error: RETRY_LATER });
      break;
    }
    results.push(item);
    if (item.status === 'outOfOrder') break;
  }
  return { results, lmid: await lastMutationId(tx, clientId), committed, effects, signedOut: false };
}
