// Blob garbage collection: a blob no message and no snippet holds is kept for a day (an agent may have
// uploaded it for a message still waiting in their outbox), then its rows and its file are removed.
// Runs at start and hourly.
import { BLOB_GRACE_MS } from '../../src-shared/http';
import { HOUR_MS } from '../../src-shared/rules/channelWindow';
import type { Db } from '../store/db';
import type { BlobFiles } from './files';

export const BLOB_GC_EVERY_MS = HOUR_MS;

const HELD = `(EXISTS (SELECT 1 FROM messages m WHERE m.attachments @> jsonb_build_array(jsonb_build_object('sha256', b.sha256)) AND m.tenant_id = b.tenant_id)
  OR EXISTS (SELECT 1 FROM snippets s WHERE s.attachment->>'sha256' = b.sha256 AND s.tenant_id = b.tenant_id))`;

export async function collectBlobGarbage(db: Db, files: BlobFiles, now: number): Promise<{ rows: number; files: number }> {
  const cutoff = now - BLOB_GRACE_MS;
  const rows = await db.query<{ sha256: string }>(`DELETE FROM blobs b WHERE b.created_at < $1 AND NOT ${HELD} RETURNING b.sha256`, [
    cutoff,
  ]);
  // A file goes once no tenant holds a row for it (the same bytes may be another tenant's), and only when
  // old itself: a fresh upload's file exists a moment before its row.
  let removed = 0;
  for (const blob of files.list()) {
    if (blob.modifiedAt >= cutoff) continue;
    const [held] = await db.query<{ held: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM blobs WHERE sha256 = $1)
          OR EXISTS (SELECT 1 FROM messages m WHERE m.attachments @> jsonb_build_array(jsonb_build_object('sha256', $1::text)))
          OR EXISTS (SELECT 1 FROM snippets s WHERE s.attachment->>'sha256' = $1) AS held`,
      [blob.sha256],
    );
    if (held?.held) continue;
    files.remove(blob.sha256);
    removed++;
  }
  return { rows: rows.length, files: removed };
}
