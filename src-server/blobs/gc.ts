// Blob garbage collection: a blob no message and no snippet holds is kept for a day (an agent may have
// uploaded it for a message still waiting in their outbox), then its rows and its file are removed.
// Runs at start and hourly.
import { HOUR_MS } from '../../src-shared/rules/channelWindow';
import type { Db } from '../store/db';
import type { BlobFiles } from './files';

export const BLOB_GRACE_MS = 24 * HOUR_MS;
export const BLOB_GC_EVERY_MS = HOUR_MS;

/** Old files are checked against the store this many at a time. */
const FILE_PAGE = 500;

/** SQL: a message or a snippet names the blob `sha` — of the tenant `tenant`, or of any tenant when null.
 *  `sha` and `tenant` are SQL expressions. */
function namedSql(sha: string, tenant: string | null): string {
  const ofTenant = (alias: string) => (tenant === null ? '' : ` AND ${alias}.tenant_id = ${tenant}`);
  return `(EXISTS (SELECT 1 FROM messages m WHERE m.attachments @> jsonb_build_array(jsonb_build_object('sha256', ${sha}))${ofTenant('m')})
    OR EXISTS (SELECT 1 FROM snippets s WHERE s.attachment->>'sha256' = ${sha}${ofTenant('s')}))`;
}

export async function collectBlobGarbage(db: Db, files: BlobFiles, now: number): Promise<{ rows: number; files: number }> {
  const cutoff = now - BLOB_GRACE_MS;
  const rows = await db.query<{ sha256: string }>(
    `DELETE FROM blobs b WHERE b.created_at < $1 AND NOT ${namedSql('b.sha256', 'b.tenant_id')} RETURNING b.sha256`,
    [cutoff],
  );
  // A file goes once no tenant holds a row for it (the same bytes may be another tenant's) and nothing
  // names it, and only when old itself: a fresh upload's file exists a moment before its row.
  let removed = 0;
  let page: string[] = [];
  const sweep = async () => {
    const unheld = await db.query<{ sha256: string }>(
      `SELECT f.sha256 FROM unnest($1::text[]) AS f(sha256)
       WHERE NOT EXISTS (SELECT 1 FROM blobs WHERE blobs.sha256 = f.sha256) AND NOT ${namedSql('f.sha256', null)}`,
      [page],
    );
    page = [];
    for (const { sha256 } of unheld) {
      await files.remove(sha256);
      removed++;
    }
  };
  for await (const blob of files.list()) {
    if (blob.modifiedAt >= cutoff) continue;
    page.push(blob.sha256);
    if (page.length >= FILE_PAGE) await sweep();
  }
  if (page.length > 0) await sweep();
  return { rows: rows.length, files: removed };
}
