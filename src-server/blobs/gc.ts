// Blob garbage collection: a blob no message and no snippet holds is kept for a day after its last use (an
// agent may have uploaded it for a message still waiting in their outbox), then its rows and its bytes are
// removed from the blob store. A periodic job (periodic.ts): with a shared store (PostgreSQL, S3) one run
// per hour across every process; with the data folder, each node its own folder. Two runs at once (a lease
// that ran out) still remove each blob once. It never races a push or an upload into losing a file a
// message names: see the protocol at the top of store/blobs.ts (rows: used_at and the row lock; bytes: the
// blob's advisory lock, held while they are checked again and removed).
import { BLOB_GRACE_MS } from '../../src-shared/http';
import { HOUR_MS } from '../../src-shared/rules/channelWindow';
import { lockBlobFile } from '../store/blobs';
import type { Db } from '../store/db';
import type { BlobStore } from './store';

export const BLOB_GC_EVERY_MS = HOUR_MS;

/** Old blobs are checked against the rows this many at a time. */
const FILE_PAGE = 500;

/** SQL: a message or a snippet names the blob `sha` — of the tenant `tenant`, or of any tenant when null.
 *  `sha` and `tenant` are SQL expressions. */
function namedSql(sha: string, tenant: string | null): string {
  const ofTenant = (alias: string) => (tenant === null ? '' : ` AND ${alias}.tenant_id = ${tenant}`);
  return `(EXISTS (SELECT 1 FROM messages m WHERE m.attachments @> jsonb_build_array(jsonb_build_object('sha256', ${sha}))${ofTenant('m')})
    OR EXISTS (SELECT 1 FROM snippets s WHERE s.attachment->>'sha256' = ${sha}${ofTenant('s')}))`;
}

/** Of the blobs `$1`, those no row of any tenant and nothing names. */
const UNHELD_FILES = `SELECT f.sha256 FROM unnest($1::text[]) AS f(sha256)
  WHERE NOT EXISTS (SELECT 1 FROM blobs WHERE blobs.sha256 = f.sha256) AND NOT ${namedSql('f.sha256', null)}`;

export interface CollectedBlobs {
  /** `blobs` rows deleted (a tenant's hold on a blob). */
  rows: number;
  /** Blobs whose bytes this run removed from the store. */
  files: number;
}

export async function collectBlobGarbage(
  db: Db,
  store: BlobStore,
  now: number,
  onRemoved: (sha256: string) => void = () => {},
): Promise<CollectedBlobs> {
  const cutoff = now - BLOB_GRACE_MS;
  // One statement. A row a writer is marking used meanwhile (its lock held) is skipped, not waited for: GC
  // never waits on a row, so it cannot deadlock with a push naming several old blobs. A row whose writer
  // committed meanwhile is read again as it is now (used_at moved: kept). Another run deleting the same
  // rows at once: each row is deleted by one of them.
  const rows = await db.query<{ sha256: string }>(
    `DELETE FROM blobs WHERE ctid IN (
       SELECT b.ctid FROM blobs b WHERE b.used_at < $1 AND NOT ${namedSql('b.sha256', 'b.tenant_id')} FOR UPDATE SKIP LOCKED)
     RETURNING sha256`,
    [cutoff],
  );
  // Bytes go once no tenant holds a row for them (the same bytes may be another tenant's) and nothing
  // names them, and only when old themselves: a fresh upload's bytes are stored a moment before its row.
  let removed = 0;
  const removeIfUnheld = (sha256: string) =>
    db.tx(async (tx) => {
      // Checked again under the blob's lock, and removed before it is let go: a row recorded after this
      // finds the blob gone (store/blobs.ts recordBlob) and the bytes are sent again. Another run removing
      // the same blob waits here, then finds it gone: each blob is removed once.
      await lockBlobFile(tx, sha256);
      if ((await tx.query(UNHELD_FILES, [[sha256]])).length === 0) return false;
      const info = await store.stat(sha256, tx);
      if (info === null || info.modifiedAt >= cutoff) return false;
      return store.remove(sha256, tx);
    });
  let page: string[] = [];
  const sweep = async () => {
    const unheld = await db.query<{ sha256: string }>(UNHELD_FILES, [page]);
    page = [];
    for (const { sha256 } of unheld)
      if (await removeIfUnheld(sha256)) {
        removed++;
        onRemoved(sha256);
      }
  };
  for await (const blob of store.list()) {
    if (blob.modifiedAt >= cutoff) continue;
    page.push(blob.sha256);
    if (page.length >= FILE_PAGE) await sweep();
  }
  if (page.length > 0) await sweep();
  // What uploads cut by a crash left (an upload in progress is far younger).
  await store.sweepPartial(cutoff);
  return { rows: rows.length, files: removed };
}
