// Outbound channel deliveries (channel_deliveries): written with the message, then taken one at a time by
// the channel's dispatcher. A row is 'sending' exactly while a POST may be in flight, so a row found
// 'sending' after a crash is the one case where we cannot know whether the provider got it.
// A 'sending' row is claimed by one server node (claimed_by) and its claim is renewed (updated_at) before
// every request; a claim not renewed within the lease belongs to a node that died or hung. Claim times and
// the lapse test both read the database's clock (DB_NOW), never a node's: nodes' clocks may disagree, and
// one running ahead would otherwise find a live send lapsed and fail it (the agent would send it again). Every later
// write by the claimant checks the claim is still its own, and the row still 'sending', so a send that was
// declared uncertain is never sent, finished or queued again.
import type { MessageState } from '../../src-shared/domain';
import { logTenantChanges } from './changeLog';
import { reportMessageState } from './conversations';
import type { Db, Queryable, Tx } from './db';
import { DB_NOW } from './timers';

export interface DeliveryRow {
  message_id: string;
  tenant_id: string;
  inbox_id: string;
  parts_done: number;
  attempts: number;
  [k: string]: unknown;
}

export async function queueDelivery(tx: Tx, d: { tenantId: string; inboxId: string; messageId: string }, now: number): Promise<void> {
  await tx.query(
    `INSERT INTO channel_deliveries (message_id, tenant_id, inbox_id, state, next_attempt_at, created_at, updated_at)
     VALUES ($1, $2, $3, 'queued', ${DB_NOW}, $4, $4)`,
    [d.messageId, d.tenantId, d.inboxId, now],
  );
}

/** A queued delivery waits while an earlier message (by seq) of its conversation is still queued or being
 *  sent: a retry pushed later must not let the next message overtake it. Written with OR (not IN) so
 *  PostgreSQL reads the few pending deliveries through both partial indexes, instead of walking each
 *  candidate's earlier messages. Needs `d` and `m`. */
const NONE_EARLIER_PENDING = `NOT EXISTS (
  SELECT 1 FROM channel_deliveries ed JOIN messages em ON em.id = ed.message_id
  WHERE (ed.state = 'queued' OR ed.state = 'sending') AND em.conversation_id = m.conversation_id AND em.seq < m.seq)`;

/** Who may still write a 'sending' row: the node that claimed it, or anyone once the claim was last
 *  renewed more than `leaseMs` ago by the database's clock (null: never). */
export interface Claim {
  nodeId: string | null;
  leaseMs: number | null;
}

/** SQL: `claim` covers the row (`$n` its node id, `$n+1` its lease). */
const CLAIM_COVERS = (n: number) => `(claimed_by = $${n} OR updated_at < ${DB_NOW} - $${n + 1}::bigint)`;

/** Takes the next due delivery and marks it 'sending', claimed by this node, in the same transaction
 *  (another server node sharing the database skips it). */
export async function claimDueDelivery(db: Db, nodeId: string): Promise<DeliveryRow | null> {
  return db.tx(async (tx) => {
    const [row] = await tx.query<DeliveryRow>(
      `SELECT d.message_id, d.tenant_id, d.inbox_id, d.parts_done, d.attempts FROM channel_deliveries d JOIN messages m ON m.id = d.message_id
       WHERE d.state = 'queued' AND d.next_attempt_at <= ${DB_NOW} AND ${NONE_EARLIER_PENDING}
       ORDER BY d.next_attempt_at, d.created_at LIMIT 1 FOR UPDATE OF d SKIP LOCKED`,
    );
    if (!row) return null;
    await tx.query(
      `UPDATE channel_deliveries SET state = 'sending', claimed_by = $2, attempts = attempts + 1, updated_at = ${DB_NOW} WHERE message_id = $1`,
      [row.message_id, nodeId],
    );
    return { ...row, attempts: row.attempts + 1 };
  });
}

/** How long until the next queued delivery that is not waiting behind another is due, by the database's
 *  clock (0 when due now; null when none). */
export async function nextDueIn(db: Queryable): Promise<number | null> {
  // Only deliveries that may go when due: one waiting behind an earlier message is due "now" forever,
  // and counting it would wake the dispatcher in a tight loop.
  const [row] = await db.query<{ at: number | null }>(
    `SELECT greatest(0, min(d.next_attempt_at) - ${DB_NOW}) AS at FROM channel_deliveries d JOIN messages m ON m.id = d.message_id
     WHERE d.state = 'queued' AND ${NONE_EARLIER_PENDING}`,
  );
  return row?.at ?? null;
}

/** Advisory locks on a provider id: (this class, hashtext(inbox id + id)), apart from the one-number keys.
 *  Storing the id and keeping an early status for it both hold it, so a status is never kept for an id
 *  stored meanwhile (it would wait for ever) nor missed by the one storing it. */
const EXTERNAL_ID_LOCK = 7_215_003;
/** How long a status for an id we never stored is kept. */
const EARLY_STATUS_KEPT_MS = 24 * 3_600_000;

async function lockExternalId(tx: Tx, inboxId: string, externalId: string): Promise<void> {
  await tx.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [EXTERNAL_ID_LOCK, `${inboxId}\n${externalId}`]);
}

/** One part was accepted by the provider: remember it and its id (statuses name it), so a retry of a
 *  later part never sends this one again; statuses that came for the id before it was stored are applied
 *  now. Returns whether the message changed (then the tenant must be poked). */
export async function recordPartSent(
  db: Db,
  d: Pick<DeliveryRow, 'message_id' | 'inbox_id' | 'tenant_id'>,
  partsDone: number,
  externalId: string,
): Promise<boolean> {
  return db.tx(async (tx) => {
    await lockExternalId(tx, d.inbox_id, externalId);
    await tx.query('INSERT INTO channel_message_ids (inbox_id, external_id, message_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [
      d.inbox_id,
      externalId,
      d.message_id,
    ]);
    const early = await tx.query<{ state: MessageState; error: string | null; arrival: number }>(
      `DELETE FROM channel_early_statuses WHERE inbox_id = $1 AND external_id = $2 RETURNING state, error, arrival`,
      [d.inbox_id, externalId],
    );
    // In the order they came (even within one webhook), as if the id had been known then: the rule keeps
    // states moving forward, and a failure reported after the customer read the message is not taken.
    early.sort((a, b) => a.arrival - b.arrival);
    // The tenant row before the delivery row, like every writer that fails a delivery.
    const { changed } =
      early.length === 0
        ? { changed: false }
        : await logTenantChanges(tx, d.tenant_id, async (_, batch) => {
            for (const s of early) await reportMessageState(tx, batch, [d.message_id], s.state, s.error);
          });
    const rows = await tx.query(
      `UPDATE channel_deliveries SET parts_done = $2, updated_at = ${DB_NOW} WHERE message_id = $1 RETURNING message_id`,
      [d.message_id, partsDone],
    );
    if (rows.length !== 1) throw new Error(`Delivery of ${d.message_id} vanished.`);
    return changed;
  });
}

/** Our message a provider status names, or null when its id is not stored yet: then the status is kept
 *  (recordPartSent applies it when the id is stored) and dropped after a day if it never is. */
export async function messageOfStatus(
  db: Db,
  inboxId: string,
  status: { externalId: string; state: MessageState; error: string | null },
  now: number,
): Promise<string | null> {
  const known = await messageOfExternalId(db, inboxId, status.externalId);
  if (known) return known;
  return db.tx(async (tx) => {
    await lockExternalId(tx, inboxId, status.externalId);
    // Stored meanwhile (recordPartSent held the lock until it committed)?
    const stored = await messageOfExternalId(tx, inboxId, status.externalId);
    if (stored) return stored;
    await tx.query('DELETE FROM channel_early_statuses WHERE received_at < $1', [now - EARLY_STATUS_KEPT_MS]);
    await tx.query(
      `INSERT INTO channel_early_statuses (inbox_id, external_id, state, error, received_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT DO NOTHING`,
      [inboxId, status.externalId, status.state, status.error, now],
    );
    return null;
  });
}

/** Renews this node's claim before a request; false when the claim is lost (another node found it lapsed
 *  and failed the delivery as uncertain): then nothing more may be sent for it. */
export async function renewClaim(db: Queryable, messageId: string, nodeId: string): Promise<boolean> {
  const rows = await db.query(
    `UPDATE channel_deliveries SET updated_at = ${DB_NOW} WHERE message_id = $1 AND state = 'sending' AND claimed_by = $2 RETURNING message_id`,
    [messageId, nodeId],
  );
  return rows.length === 1;
}

export async function finishDelivery(db: Queryable, messageId: string, nodeId: string, now: number): Promise<void> {
  await db.query(
    "UPDATE channel_deliveries SET state = 'done', last_error = NULL, updated_at = $3 WHERE message_id = $1 AND state = 'sending' AND claimed_by = $2",
    [messageId, nodeId, now],
  );
}

export async function retryDeliveryLater(
  db: Queryable,
  messageId: string,
  nodeId: string,
  delayMs: number,
  error: string,
  now: number,
): Promise<void> {
  // Due `delayMs` from now by the database's clock, whichever process takes it then.
  await db.query(
    `UPDATE channel_deliveries SET state = 'queued', claimed_by = NULL, next_attempt_at = ${DB_NOW} + $3::bigint, last_error = $4, updated_at = $5
     WHERE message_id = $1 AND state = 'sending' AND claimed_by = $2`,
    [messageId, nodeId, delayMs, error, now],
  );
}

/** Marks the delivery failed (inside the transaction that fails the message) while `claim` may; false when
 *  it may not (the delivery was already ended elsewhere), and then the message must be left alone. */
export async function failDelivery(tx: Queryable, messageId: string, claim: Claim, error: string, now: number): Promise<boolean> {
  const rows = await tx.query(
    `UPDATE channel_deliveries SET state = 'failed', last_error = $4, updated_at = $5
     WHERE message_id = $1 AND state = 'sending' AND ${CLAIM_COVERS(2)} RETURNING message_id`,
    [messageId, claim.nodeId, claim.leaseMs, error, now],
  );
  return rows.length === 1;
}

/** 'sending' deliveries no node is sending any more: those `claim` may take (its node's own, left by a
 *  previous run, and those whose claim lapsed). */
export async function abandonedDeliveries(db: Queryable, claim: Claim): Promise<DeliveryRow[]> {
  return db.query<DeliveryRow>(
    `SELECT message_id, tenant_id, inbox_id, parts_done, attempts FROM channel_deliveries
     WHERE state = 'sending' AND ${CLAIM_COVERS(1)} ORDER BY created_at`,
    [claim.nodeId, claim.leaseMs],
  );
}

/** Our message a provider id names (a customer's message or a part we sent), in this inbox. */
export async function messageOfExternalId(db: Queryable, inboxId: string, externalId: string): Promise<string | null> {
  const [row] = await db.query<{ message_id: string }>(
    'SELECT message_id FROM channel_message_ids WHERE inbox_id = $1 AND external_id = $2',
    [inboxId, externalId],
  );
  return row?.message_id ?? null;
}

/** Links a customer's message to the provider's id; false when that id is already stored (a repeated webhook). */
export async function linkExternalId(tx: Tx, inboxId: string, externalId: string, messageId: string): Promise<boolean> {
  const rows = await tx.query(
    'INSERT INTO channel_message_ids (inbox_id, external_id, message_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING message_id',
    [inboxId, externalId, messageId],
  );
  return rows.length === 1;
}
