// Message templates of an inbox: tenant-wide rows (every agent needs the approved ones to resume a
// conversation); only admins write them.
import type { MessageTemplate } from '../../src-shared/domain';
import type { ChangeBatch } from './changeLog';
import type { Queryable, Tx } from './db';
import { toTemplate, type TemplateRow } from './rows';

const COLUMNS = 't.id, t.inbox_id, t.name, t.language, t.category, t.body, t.status, t.version';

export async function lockTemplate(tx: Tx, tenantId: string, id: string): Promise<MessageTemplate | null> {
  const [row] = await tx.query<TemplateRow>(`SELECT ${COLUMNS} FROM message_templates t WHERE t.id = $1 AND t.tenant_id = $2 FOR UPDATE`, [
    id,
    tenantId,
  ]);
  return row ? toTemplate(row) : null;
}

export async function getTemplate(db: Queryable, tenantId: string, id: string): Promise<MessageTemplate | null> {
  const [row] = await db.query<TemplateRow>(`SELECT ${COLUMNS} FROM message_templates t WHERE t.id = $1 AND t.tenant_id = $2`, [
    id,
    tenantId,
  ]);
  return row ? toTemplate(row) : null;
}

/** Whether another template of the inbox has this name and language (the provider knows it by both). */
export async function templateNameTaken(
  db: Queryable,
  inboxId: string,
  name: string,
  language: string,
  exceptId: string,
): Promise<boolean> {
  const rows = await db.query('SELECT 1 FROM message_templates WHERE inbox_id = $1 AND name = $2 AND language = $3 AND id <> $4', [
    inboxId,
    name,
    language,
    exceptId,
  ]);
  return rows.length > 0;
}

export async function writeTemplate(
  tx: Tx,
  batch: ChangeBatch,
  exists: boolean,
  t: Omit<MessageTemplate, 'version'>,
): Promise<MessageTemplate> {
  const row: MessageTemplate = { ...t, version: batch.version };
  const params = [row.id, row.inboxId, row.name, row.language, row.category, row.body, row.status, row.version];
  if (exists) {
    const updated = await tx.query(
      `UPDATE message_templates SET inbox_id = $2, name = $3, language = $4, category = $5, body = $6, status = $7, version = $8
       WHERE id = $1 AND tenant_id = $9 RETURNING id`,
      [...params, batch.tenantId],
    );
    if (updated.length !== 1) throw new Error(`Template ${row.id} was not updated.`);
  } else {
    await tx.query(
      `INSERT INTO message_templates (id, inbox_id, name, language, category, body, status, version, tenant_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [...params, batch.tenantId],
    );
  }
  batch.add({ kind: 'template', row });
  return row;
}

export async function deleteTemplate(tx: Tx, batch: ChangeBatch, id: string): Promise<void> {
  const deleted = await tx.query('DELETE FROM message_templates WHERE id = $1 AND tenant_id = $2 RETURNING id', [id, batch.tenantId]);
  if (deleted.length !== 1) throw new Error(`Template ${id} was not deleted.`);
  batch.add({ kind: 'delete', entity: 'template', id, scope: { kind: 'tenant' } });
}

export async function listTemplates(db: Queryable, tenantId: string, afterId: string, limit: number): Promise<MessageTemplate[]> {
  const rows = await db.query<TemplateRow>(
    `SELECT ${COLUMNS} FROM message_templates t WHERE t.tenant_id = $1 AND t.id > $2 ORDER BY t.id LIMIT $3`,
    [tenantId, afterId, limit],
  );
  return rows.map(toTemplate);
}
