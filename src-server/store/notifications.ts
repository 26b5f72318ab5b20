// Notification entries (an @mention today): each belongs to one user and reaches only them.
import type { NotificationEntry } from '../../src-shared/domain';
import type { ChangeBatch } from './changeLog';
import type { Queryable, Tx } from './db';
import { toNotification, type NotificationRow } from './rows';

const COLUMNS = 'id, user_id, kind, conversation_id, message_id, by_id, created_at, read_at, version';

export async function insertNotification(tx: Tx, batch: ChangeBatch, n: Omit<NotificationEntry, 'version'>): Promise<void> {
  const row: NotificationEntry = { ...n, version: batch.version };
  await tx.query(
    `INSERT INTO notifications (id, tenant_id, user_id, kind, conversation_id, message_id, by_id, created_at, read_at, version)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [row.id, batch.tenantId, row.userId, row.kind, row.conversationId, row.messageId, row.byId, row.createdAt, row.readAt, row.version],
  );
  batch.add({ kind: 'notification', row });
}

/** The notifications with these ids, locked, whoever they belong to (the caller checks). */
export async function lockNotifications(tx: Tx, tenantId: string, ids: readonly string[]): Promise<NotificationEntry[]> {
  const rows = await tx.query<NotificationRow>(
    `SELECT ${COLUMNS} FROM notifications WHERE tenant_id = $1 AND id = ANY($2::text[]) ORDER BY id FOR UPDATE`,
    [tenantId, [...ids]],
  );
  return rows.map(toNotification);
}

export async function markNotificationRead(tx: Tx, batch: ChangeBatch, n: NotificationEntry, at: number): Promise<void> {
  const updated = await tx.query('UPDATE notifications SET read_at = $2, version = $3 WHERE id = $1 RETURNING id', [
    n.id,
    at,
    batch.version,
  ]);
  if (updated.length !== 1) throw new Error(`Notification ${n.id} was not updated.`);
  batch.add({ kind: 'notification', row: { ...n, readAt: at, version: batch.version } });
}

export async function listNotificationsOf(db: Queryable, userId: string, afterId: string, limit: number): Promise<NotificationEntry[]> {
  const rows = await db.query<NotificationRow>(`SELECT ${COLUMNS} FROM notifications WHERE user_id = $1 AND id > $2 ORDER BY id LIMIT $3`, [
    userId,
    afterId,
    limit,
  ]);
  return rows.map(toNotification);
}
