// Outbound channel deliveries (channel_deliveries): written with the message, then taken one at a time by
// the channel's dispatcher. A row is 'sending' exactly while a POST may be in flight, so a row found
// 'sending' after a crash is the one case where we cannot know whether the provider got it.
import type { Db, Queryable, Tx } from './db';

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
     VALUES ($1, $2, $3, 'queued', $4, $4, $4)`,
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

/** Takes the next due delivery and marks it 'sending' in the same transaction (another server node
 *  sharing the database skips it). */
export async function claimDueDelivery(db: Db, now: number): Promise<DeliveryRow | null> {
  return db.tx(async (tx) => {
    const [row] = await tx.query<DeliveryRow>(
      `SELECT d.message_id, d.tenant_id, d.inbox_id, d.parts_done, d.attempts FROM channel_deliveries d JOIN messages m ON m.id = d.message_id
       WHERE d.state = 'queued' AND d.next_attempt_at <= $1 AND ${NONE_EARLIER_PENDING}
       ORDER BY d.next_attempt_at, d.created_at LIMIT 1 FOR UPDATE OF d SKIP LOCKED`,
      [now],
    );
    if (!row) return null;
    await tx.query(`UPDATE channel_deliveries SET state = 'sending', attempts = attempts + 1, updated_at = $2 WHERE message_id = $1`, [
      row.message_id,
      now,
    ]);
    return { ...row, attempts: row.attempts + 1 };
  });
}

/** When the next queued delivery that is not waiting behind another is due (null when none). */
export async function nextDueAt(db: Queryable): Promise<number | null> {
  // Only deliveries that may go when due: one waiting behind an earlier message is due "now" forever,
  // and counting it would wake the dispatcher in a tight loop.
  const [row] = await db.query<{ at: number | null }>(
    `SELECT min(d.next_attempt_at) AS at FROM channel_deliveries d JOIN messages m ON m.id = d.message_id
     WHERE d.state = 'queued' AND ${NONE_EARLIER_PENDING}`,
  );
  return row?.at ?? null;
}

/** One part was accepted by the provider: remember it and its id (statuses name it), so a retry of a
 *  later part never sends this one again. */
export async function recordPartSent(
  db: Db,
  d: Pick<DeliveryRow, 'message_id' | 'inbox_id'>,
  partsDone: number,
  externalId: string,
  now: number,
): Promise<void> {
  await db.tx(async (tx) => {
    const rows = await tx.query(
      'UPDATE channel_deliveries SET parts_done = $2, updated_at = $3 WHERE message_id = $1 RETURNING message_id',
      [d.message_id, partsDone, now],
    );
    if (rows.length !== 1) throw new Error(`Delivery of ${d.message_id} vanished.`);
    await tx.query('INSERT INTO channel_message_ids (inbox_id, external_id, message_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [
      d.inbox_id,
      externalId,
      d.message_id,
    ]);
  });
}

export async function finishDelivery(db: Queryable, messageId: string, now: number): Promise<void> {
  await db.query("UPDATE channel_deliveries SET state = 'done', last_error = NULL, updated_at = $2 WHERE message_id = $1", [
    messageId,
    now,
  ]);
}

export async function retryDeliveryLater(db: Queryable, messageId: string, at: number, error: string, now: number): Promise<void> {
  await db.query(
    "UPDATE channel_deliveries SET state = 'queued', next_attempt_at = $2, last_error = $3, updated_at = $4 WHERE message_id = $1",
    [messageId, at, error, now],
  );
}

/** Marks the delivery failed (inside the transaction that fails the message). */
export async function failDelivery(tx: Queryable, messageId: string, error: string, now: number): Promise<void> {
  await tx.query("UPDATE channel_deliveries SET state = 'failed', last_error = $2, updated_at = $3 WHERE message_id = $1", [
    messageId,
    error,
    now,
  ]);
}

/** Deliveries a previous run left mid-POST. */
export async function listSendingDeliveries(db: Queryable): Promise<DeliveryRow[]> {
  return db.query<DeliveryRow>(
    "SELECT message_id, tenant_id, inbox_id, parts_done, attempts FROM channel_deliveries WHERE state = 'sending' ORDER BY created_at",
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
