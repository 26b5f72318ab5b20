// Which attachments (by sha256) a tenant holds and who uploaded them. Who may read or name one is
// src-server/visibility.ts (readableBlob, unnameableAttachments).
import type { Attachment } from '../../src-shared/domain';
import type { Tx } from './db';

// How blob GC (blobs/gc.ts) and the writers that name a blob keep out of each other's way, on PostgreSQL
// where they run at once (PGlite runs one transaction at a time):
// - A row goes when unused for a day and nothing names it. Naming a blob (a message or snippet being
//   written: usedBlobs) updates its rows' used_at in the writer's transaction. A GC delete skips a row a
//   writer holds locked (it is kept; GC looks again next hour); a writer that comes after the delete took the
//   row waits for it, finds no row and is refused ATTACHMENT_MISSING (the client uploads the file again).
// - A file goes when no row of any tenant and nothing names it. Recording a row (recordBlob) and removing
//   a file both hold the file's advisory lock, and each checks the other's side under it: the writer that
//   the file is still on disk, GC that no row exists. So a row is never recorded for a file being removed.

/** Advisory locks on blob files: (this class, hashtext(sha256)), apart from the one-number keys. */
const BLOB_FILE_LOCK = 7_215_002;

/** Holds the lock of one blob file until the transaction ends (see above). */
export async function lockBlobFile(tx: Tx, sha256: string): Promise<void> {
  await tx.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [BLOB_FILE_LOCK, sha256]);
}

/** Records that a tenant holds a blob: uploaded by a user, or received from a channel (a customer's
 *  photo; no uploader, kept while a message holds it). `onDisk` (the blob store has the bytes; asked
 *  through `tx`, see BlobStore.stat) is asked under the blob's lock: false means GC removed them meanwhile, and then nothing is recorded (the bytes must come again). */
export async function recordBlob(
  tx: Tx,
  holder: { tenantId: string; uploadedBy: string | null },
  blob: { sha256: string; mime: string; size: number },
  now: number,
  onDisk: (tx: Tx) => Promise<boolean>,
): Promise<boolean> {
  await lockBlobFile(tx, blob.sha256);
  if (!(await onDisk(tx))) return false;
  await tx.query(
    `INSERT INTO blobs (tenant_id, sha256, uploaded_by, mime, size, created_at, used_at) VALUES ($1, $2, $3, $4, $5, $6, $6)
     ON CONFLICT (tenant_id, sha256, (COALESCE(uploaded_by, ''))) DO UPDATE SET used_at = EXCLUDED.used_at`,
    [holder.tenantId, blob.sha256, holder.uploadedBy, blob.mime, blob.size, now],
  );
  return true;
}

/** Marks the tenant's blobs of these attachments used now (see above: a GC running meanwhile keeps them)
 *  and returns the attachments the tenant has not received (their message or snippet cannot be written).
 *  Rows are locked in sha256 order, so two writers never wait on each other in a cycle; GC's delete never
 *  waits on a row (it skips locked ones), so it is in no cycle either. */
export async function usedBlobs(tx: Tx, tenantId: string, attachments: readonly Attachment[], now: number): Promise<Attachment[]> {
  if (attachments.length === 0) return [];
  const rows = await tx.query<{ sha256: string; size: string | number }>(
    `WITH held AS (
       SELECT tenant_id, sha256, uploaded_by FROM blobs WHERE tenant_id = $1 AND sha256 = ANY($2::text[])
       ORDER BY sha256, uploaded_by FOR UPDATE)
     UPDATE blobs b SET used_at = $3 FROM held
     WHERE b.tenant_id = held.tenant_id AND b.sha256 = held.sha256 AND b.uploaded_by IS NOT DISTINCT FROM held.uploaded_by
     RETURNING b.sha256, b.size`,
    [tenantId, attachments.map((a) => a.sha256), now],
  );
  const held = new Map(rows.map((r) => [r.sha256, Number(r.size)]));
  // A size that disagrees with what was received is not that file.
  return attachments.filter((a) => held.get(a.sha256) !== a.size);
}
