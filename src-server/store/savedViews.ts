// Saved custom views: personal (owner only) or shared with a team.
import type { SavedView } from '../../src-shared/domain';
import { seesEverything, type Viewer } from '../../src-shared/rules/visibility';
import { savedViewScope, type ChangeBatch } from './changeLog';
import type { Queryable, Tx } from './db';
import { toSavedView, type SavedViewRow } from './rows';

const COLUMNS = 'v.id, v.owner_id, v.team_id, v.name, v.filters, v.sort, v.version';

export async function lockSavedView(tx: Tx, tenantId: string, id: string): Promise<SavedView | null> {
  const [row] = await tx.query<SavedViewRow>(`SELECT ${COLUMNS} FROM saved_views v WHERE v.id = $1 AND v.tenant_id = $2 FOR UPDATE`, [
    id,
    tenantId,
  ]);
  return row ? toSavedView(row) : null;
}

/** Inserts or replaces the view. When it was visible to other people before (another team, or
 *  shared and now personal), a delete goes to them first; the new row follows to its new scope. */
export async function writeSavedView(
  tx: Tx,
  batch: ChangeBatch,
  before: SavedView | null,
  view: Omit<SavedView, 'version'>,
): Promise<SavedView> {
  const row: SavedView = { ...view, version: batch.version };
  if (before) {
    const updated = await tx.query(
      'UPDATE saved_views SET team_id = $2, name = $3, filters = $4::jsonb, sort = $5, version = $6 WHERE id = $1 RETURNING id',
      [row.id, row.teamId, row.name, JSON.stringify(row.filters), row.sort, row.version],
    );
    if (updated.length !== 1) throw new Error(`Saved view ${row.id} was not updated.`);
    if (before.teamId !== null && before.teamId !== row.teamId)
      batch.add({ kind: 'delete', entity: 'savedView', id: row.id, scope: savedViewScope(before) });
  } else {
    await tx.query(
      `INSERT INTO saved_views (id, tenant_id, owner_id, team_id, name, filters, sort, version) VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8)`,
      [row.id, batch.tenantId, row.ownerId, row.teamId, row.name, JSON.stringify(row.filters), row.sort, row.version],
    );
  }
  batch.add({ kind: 'savedView', row });
  return row;
}

export async function deleteSavedView(tx: Tx, batch: ChangeBatch, view: SavedView): Promise<void> {
  const deleted = await tx.query('DELETE FROM saved_views WHERE id = $1 RETURNING id', [view.id]);
  if (deleted.length !== 1) throw new Error(`Saved view ${view.id} was not deleted.`);
  batch.add({ kind: 'delete', entity: 'savedView', id: view.id, scope: savedViewScope(view) });
}

/** The saved views a viewer gets: their own and those shared with their teams (every shared one for
 *  supervisors and admins), as rules/visibility.ts canUseSavedView says. */
export async function listUsableSavedViews(
  db: Queryable,
  tenantId: string,
  viewer: Viewer,
  afterId: string,
  limit: number,
): Promise<SavedView[]> {
  const rows = await db.query<SavedViewRow>(
    `SELECT ${COLUMNS} FROM saved_views v
     WHERE v.tenant_id = $1 AND v.id > $2 AND (v.owner_id = $4 OR (v.team_id IS NOT NULL AND ($5::boolean OR v.team_id = ANY($6::text[]))))
     ORDER BY v.id LIMIT $3`,
    [tenantId, afterId, limit, viewer.id, seesEverything(viewer.role), [...viewer.teamIds]],
  );
  return rows.map(toSavedView);
}
