// Snippets: shared ones (owner null, the whole tenant) and personal ones (their owner only).
import type { Snippet } from '../../src-shared/domain';
import { snippetScope, type ChangeBatch } from './changeLog';
import type { Queryable, Tx } from './db';
import { toSnippet, type SnippetRow } from './rows';

const COLUMNS = 's.id, s.owner_id, s.title, s.shortcut, s.body, s.attachment, s.version';

export async function lockSnippet(tx: Tx, tenantId: string, id: string): Promise<Snippet | null> {
  const [row] = await tx.query<SnippetRow>(`SELECT ${COLUMNS} FROM snippets s WHERE s.id = $1 AND s.tenant_id = $2 FOR UPDATE`, [
    id,
    tenantId,
  ]);
  return row ? toSnippet(row) : null;
}

/** Whether another snippet of the same owner (or another shared one) already uses the shortcut. */
export async function snippetShortcutTaken(
  db: Queryable,
  tenantId: string,
  ownerId: string | null,
  shortcut: string,
  exceptId: string,
): Promise<boolean> {
  const rows = await db.query(
    `SELECT 1 FROM snippets WHERE tenant_id = $1 AND owner_id IS NOT DISTINCT FROM $2 AND shortcut = $3 AND id <> $4`,
    [tenantId, ownerId, shortcut, exceptId],
  );
  return rows.length > 0;
}

/** Inserts or replaces a snippet. When it moves between shared and personal, the people who had it
 *  before get a delete first; the new row follows to its new scope. */
export async function writeSnippet(
  tx: Tx,
  batch: ChangeBatch,
  before: Snippet | null,
  snippet: Omit<Snippet, 'version'>,
): Promise<Snippet> {
  const row: Snippet = { ...snippet, version: batch.version };
  const attachment = row.attachment === null ? null : JSON.stringify(row.attachment);
  if (before) {
    const updated = await tx.query(
      'UPDATE snippets SET owner_id = $2, title = $3, shortcut = $4, body = $5, attachment = $6::jsonb, version = $7 WHERE id = $1 RETURNING id',
      [row.id, row.ownerId, row.title, row.shortcut, row.body, attachment, row.version],
    );
    if (updated.length !== 1) throw new Error(`Snippet ${row.id} was not updated.`);
    if (before.ownerId !== row.ownerId) batch.add({ kind: 'delete', entity: 'snippet', id: row.id, scope: snippetScope(before) });
  } else {
    await tx.query(
      `INSERT INTO snippets (id, tenant_id, owner_id, title, shortcut, body, attachment, version) VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8)`,
      [row.id, batch.tenantId, row.ownerId, row.title, row.shortcut, row.body, attachment, row.version],
    );
  }
  batch.add({ kind: 'snippet', row });
  return row;
}

export async function deleteSnippet(tx: Tx, batch: ChangeBatch, snippet: Snippet): Promise<void> {
  const deleted = await tx.query('DELETE FROM snippets WHERE id = $1 RETURNING id', [snippet.id]);
  if (deleted.length !== 1) throw new Error(`Snippet ${snippet.id} was not deleted.`);
  batch.add({ kind: 'delete', entity: 'snippet', id: snippet.id, scope: snippetScope(snippet) });
}

/** The snippets a user gets: every shared one and their own. */
export async function listUsableSnippets(
  db: Queryable,
  tenantId: string,
  userId: string,
  afterId: string,
  limit: number,
): Promise<Snippet[]> {
  const rows = await db.query<SnippetRow>(
    `SELECT ${COLUMNS} FROM snippets s
     WHERE s.tenant_id = $1 AND s.id > $2 AND (s.owner_id IS NULL OR s.owner_id = $4)
     ORDER BY s.id LIMIT $3`,
    [tenantId, afterId, limit, userId],
  );
  return rows.map(toSnippet);
}
