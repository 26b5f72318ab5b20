// Uploading a queued message's attachments before the message is pushed. What the server already holds
// (or refused for good) is remembered in the mirror's blob_uploads table, so a restart never uploads a
// blob twice and a refused one is never retried.
import { Paths } from '../../../src-shared/http';
import type { Attachment } from '../../../src-shared/domain';
import { ErrorBody } from '../../../src-shared/errors';
import type { AnyMutation } from '../../../src-shared/mutations';
import type { ClientBlobs } from '../blobs';
import type { ReadonlyDb, WritableDb } from '../mirror/db';

export type UploadOutcome = { ok: true } | { ok: false; permanent: boolean; error: ErrorBody };

export function attachmentsOf(m: AnyMutation): Attachment[] {
  return m.name === 'message.send' ? (m.args.attachments ?? []) : [];
}

/** The blobs of this mutation the server does not hold yet and that were not refused. */
export function blobsToUpload(db: ReadonlyDb, m: AnyMutation): Attachment[] {
  const attachments = attachmentsOf(m);
  // Asked for every mutation of each push: most have no attachments and need no statement.
  if (attachments.length === 0) return [];
  const stmt = db.prepare<[string], { state: string }>('SELECT state FROM blob_uploads WHERE sha256 = ?');
  const seen = new Set<string>();
  return attachments.filter((a) => {
    if (seen.has(a.sha256)) return false;
    seen.add(a.sha256);
    return !stmt.get(a.sha256);
  });
}

/** Why the server refused one of this mutation's blobs for good, if it did. */
export function uploadRefusal(db: ReadonlyDb, m: AnyMutation): ErrorBody | null {
  const stmt = db.prepare<[string], { error: string | null }>("SELECT error FROM blob_uploads WHERE sha256 = ? AND state = 'refused'");
  for (const a of attachmentsOf(m)) {
    const row = stmt.get(a.sha256);
    if (row?.error) return { ...(JSON.parse(row.error) as ErrorBody), params: { name: a.name } };
  }
  return null;
}

export function markUpload(db: WritableDb, sha256: string, outcome: { state: 'uploaded' } | { state: 'refused'; error: ErrorBody }, now: number): void {
  db.prepare('INSERT OR REPLACE INTO blob_uploads (sha256, state, error, at) VALUES (?, ?, ?, ?)').run(
    sha256,
    outcome.state,
    outcome.state === 'refused' ? JSON.stringify(outcome.error) : null,
    now,
  );
}

/** PUT /blobs/<sha256>: 200/201 mean the server holds it; 413/415/400 are refusals for good (the bytes
 *  will not change); anything else (network, 401, 5xx) is tried again later. */
export async function uploadBlob(serverUrl: string, token: string, blobs: ClientBlobs, a: Attachment, signal?: AbortSignal): Promise<UploadOutcome> {
  if (!blobs.has(a.sha256))
    return { ok: false, permanent: true, error: { code: 'ATTACHMENT_MISSING', message: `${a.name} is no longer on this device.` } };
  let res: Response;
  try {
    res = await fetch(new URL(Paths.blob(a.sha256), serverUrl), {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': a.mime },
      body: blobs.read(a.sha256),
      signal,
    });
  } catch (e) {
    return { ok: false, permanent: false, error: { code: 'SERVER_UNREACHABLE', message: `Could not upload ${a.name}: ${String(e)}` } };
  }
  if (res.ok) {
    await res.body?.cancel();
    return { ok: true };
  }
  const body = ErrorBody.safeParse(((await res.json().catch(() => null)) as { error?: unknown } | null)?.error);
  const error: ErrorBody = body.success ? body.data : { code: 'INTERNAL', message: `Upload failed with HTTP ${res.status}.` };
  const permanent = res.status === 413 || res.status === 415 || (res.status === 400 && error.code === 'HASH_MISMATCH');
  return { ok: false, permanent, error };
}
