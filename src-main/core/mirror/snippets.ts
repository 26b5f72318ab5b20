// Snippets as this device sees them (shared ones and the user's own, with unconfirmed edits laid over),
// and the checks the core makes before recording a save or delete.
import type { Snippet } from '../../../src-shared/domain';
import { BandejaError } from '../../../src-shared/errors';
import type { MutationArgs } from '../../../src-shared/mutations';
import { mustMayChangeSnippet, ownerOnSave, usableSnippets } from '../../../src-shared/rules/snippets';
import type { Viewer } from '../../../src-shared/rules/visibility';
import type { ReadonlyDb, WritableDb } from './db';
import { overlayDelete, snippetFromRow, upsertSnippet, type SnippetRow } from './rows';

/** Shared snippets and the viewer's own. With `includeShadowed`, shared ones hidden by a personal
 *  snippet of the same shortcut are listed too (the admin screen must reach every shared one). */
export function listSnippets(db: ReadonlyDb, viewer: Viewer, includeShadowed = false): Snippet[] {
  const rows = db
    .prepare<[string], SnippetRow>('SELECT * FROM snippets_view WHERE owner_id IS NULL OR owner_id = ? ORDER BY shortcut, id')
    .all(viewer.id)
    .map(snippetFromRow);
  return includeShadowed ? rows : usableSnippets(rows, viewer.id);
}

function viewSnippet(db: ReadonlyDb, id: string): Snippet | null {
  const row = db.prepare<[string], SnippetRow>('SELECT * FROM snippets_view WHERE id = ?').get(id);
  return row ? snippetFromRow(row) : null;
}

/** snippet.save on the overlay, refused as the server would refuse it. */
export function applySnippetSave(db: WritableDb, viewer: Viewer, args: MutationArgs<'snippet.save'>): void {
  const before = viewSnippet(db, args.id);
  const ownerId = ownerOnSave(viewer, before, args.shared);
  const clash = db
    .prepare<[string | null, string, string], { id: string }>(
      'SELECT id FROM snippets_view WHERE owner_id IS ? AND shortcut = ? AND id <> ?',
    )
    .get(ownerId, args.shortcut, args.id);
  if (clash)
    throw new BandejaError('INVALID_ARGS', `Another snippet already uses the shortcut "/${args.shortcut}".`, { shortcut: args.shortcut });
  const { shared: _shared, ...fields } = args;
  upsertSnippet(db, { ...fields, ownerId, version: before?.version ?? 0 }, true);
}

export function applySnippetDelete(db: WritableDb, viewer: Viewer, id: string): void {
  const before = viewSnippet(db, id);
  if (!before) throw new BandejaError('NOT_FOUND', 'This snippet does not exist.');
  mustMayChangeSnippet(viewer, before.ownerId);
  overlayDelete(db, 'snippets', id);
}
