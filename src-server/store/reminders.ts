// Reminders: each belongs to one agent and reaches only them (user scope). Never deleted: 'deleted' is
// the last state, so a late change from another device cannot bring one back.
import type { Reminder } from '../../src-shared/domain';
import type { ChangeBatch } from './changeLog';
import type { Queryable, Tx } from './db';

const COLUMNS = 'id, user_id, conversation_id, due_at, note, postpone, state, created_at, version';

interface ReminderRow {
  id: string;
  user_id: string;
  conversation_id: string;
  due_at: number;
  note: string | null;
  postpone: boolean;
  state: Reminder['state'];
  created_at: number;
  version: number;
  [k: string]: unknown;
}

function toReminder(r: ReminderRow): Reminder {
  return {
    id: r.id,
    userId: r.user_id,
    conversationId: r.conversation_id,
    dueAt: r.due_at,
    note: r.note,
    postpone: r.postpone,
    state: r.state,
    createdAt: r.created_at,
    version: r.version,
  };
}

/** The reminder with this id in this tenant, locked; null when there is none (or it is another tenant's). */
export async function lockReminder(tx: Tx, tenantId: string, id: string): Promise<Reminder | null> {
  const [row] = await tx.query<ReminderRow>(`SELECT ${COLUMNS} FROM reminders WHERE id = $1 AND tenant_id = $2 FOR UPDATE`, [id, tenantId]);
  return row ? toReminder(row) : null;
}

/** Inserts the reminder or writes it over `before` (same id), at the batch's version. */
export async function writeReminder(tx: Tx, batch: ChangeBatch, before: Reminder | null, r: Omit<Reminder, 'version'>): Promise<Reminder> {
  const row: Reminder = { ...r, version: batch.version };
  if (before) {
    const updated = await tx.query(
      'UPDATE reminders SET due_at = $2, note = $3, postpone = $4, state = $5, version = $6 WHERE id = $1 AND tenant_id = $7 RETURNING id',
      [row.id, row.dueAt, row.note, row.postpone, row.state, row.version, batch.tenantId],
    );
    if (updated.length !== 1) throw new Error(`Reminder ${row.id} was not updated.`);
  } else {
    await tx.query(
      `INSERT INTO reminders (id, tenant_id, user_id, conversation_id, due_at, note, postpone, state, created_at, version)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [row.id, batch.tenantId, row.userId, row.conversationId, row.dueAt, row.note, row.postpone, row.state, row.createdAt, row.version],
    );
  }
  batch.add({ kind: 'reminder', row });
  return row;
}

/** A user's reminders for their snapshot; deleted ones are left out (nothing shows them). */
export async function listRemindersOf(db: Queryable, userId: string, afterId: string, limit: number): Promise<Reminder[]> {
  const rows = await db.query<ReminderRow>(
    `SELECT ${COLUMNS} FROM reminders WHERE user_id = $1 AND id > $2 AND state <> 'deleted' ORDER BY id LIMIT $3`,
    [userId, afterId, limit],
  );
  return rows.map(toReminder);
}
