// Uploading a queued mutation's attachments before it is pushed (PUT /blobs/<sha256>). What the server
// already holds (or refused for good) is remembered in the mirror's blob_uploads table (mirror/blobUploads.ts).
import { Paths } from '../../../src-shared/http';
import type { Attachment } from '../../../src-shared/domain';
import { ErrorBody } from '../../../src-shared/errors';
import type { ClientBlobs } from '../blobs';

export type UploadOutcome = { ok: true } | { ok: false; permanent: boolean; error: ErrorBody };

/** PUT /blobs/<sha256>: 200/201 mean the server holds it; 413/415/400 are refusals for good (the bytes
 *  will not change); anything else (network, 401, 5xx) is tried again later. */
export async function uploadBlob(
  serverUrl: string,
  token: string,
  blobs: ClientBlobs,
  a: Attachment,
  signal?: AbortSignal,
): Promise<UploadOutcome> {
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
