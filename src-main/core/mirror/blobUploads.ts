// The blob_uploads table: which attachments (by sha256) the server already holds, and which it refused
// for good (with the reason). The sync client uploads a mutation's blobs before pushing it; what is
// known to be held is never uploaded again, so a restart never uploads twice.
import type { Attachment } from '../../../src-shared/domain';
import type { ErrorBody } from '../../../src-shared/errors';
import { BLOB_GRACE_MS } from '../../../src-shared/http';
import type { AnyMutation } from '../../../src-shared/mutations';
import type { ReadonlyDb, WritableDb } from './db';

/** The files a mutation carries, which the server must hold before it is pushed. */
export function attachmentsOf(m: Pick<AnyMutation, 'name' | 'args'>): Attachment[] {
  const { name, args } = m as AnyMutation;
  // Arguments are checked when recorded; a row an older version recorded may not fit them (nextBatch).
  if (name === 'message.send') return Array.isArray(args.attachments) ? args.attachments : [];
  if (name === 'snippet.save') return args.attachment && typeof args.attachment === 'object' ? [args.attachment] : [];
  return [];
}

/** The blobs of this mutation the server does not hold yet and that were not refused. An upload made longer
 *  ago than the server keeps a blob nothing holds (BLOB_GRACE_MS: the message it was for may never have
 *  reached the server) may have been collected since: when its bytes are still on this device it goes up
 *  again (the server keeps one copy, so this costs the transfer), rather than the push failing once with
 *  ATTACHMENT_MISSING. Without the bytes here the old mark is all there is: trusted. */
export function blobsToUpload(db: ReadonlyDb, m: AnyMutation, now: number, onDevice: (sha256: string) => boolean): Attachment[] {
  const attachments = attachmentsOf(m);
  // Asked for every mutation of each push: most have no attachments and need no statement.
  if (attachments.length === 0) return [];
  const stmt = db.prepare<[string], { state: string; at: number }>('SELECT state, at FROM blob_uploads WHERE sha256 = ?');
  const seen = new Set<string>();
  return attachments.filter((a) => {
    if (seen.has(a.sha256)) return false;
    seen.add(a.sha256);
    const mark = stmt.get(a.sha256);
    if (!mark) return true;
    return mark.state === 'uploaded' && now - mark.at > BLOB_GRACE_MS && onDevice(a.sha256);
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

export function markUpload(
  db: WritableDb,
  sha256: string,
  outcome: { state: 'uploaded' } | { state: 'refused'; error: ErrorBody },
  now: number,
): void {
  db.prepare('INSERT OR REPLACE INTO blob_uploads (sha256, state, error, at) VALUES (?, ?, ?, ?)').run(
    sha256,
    outcome.state,
    outcome.state === 'refused' ? JSON.stringify(outcome.error) : null,
    now,
  );
}

export function isUploaded(db: ReadonlyDb, sha256: string): boolean {
  return (
    db.prepare<[string], { n: number }>("SELECT COUNT(*) AS n FROM blob_uploads WHERE sha256 = ? AND state = 'uploaded'").get(sha256)!.n > 0
  );
}

/** A confirmed snippet's file is a blob the server holds (it refuses a snippet naming one it lacks), though
 *  this device may never have had the bytes (the snippet was made on another one). */
export function confirmedSnippetHolds(db: ReadonlyDb, sha256: string): boolean {
  return (
    db.prepare<[string], { n: number }>("SELECT COUNT(*) AS n FROM snippets WHERE json_extract(attachment, '$.sha256') = ?").get(sha256)!
      .n > 0
  );
}

/** "No longer on this device" is not a refusal of the bytes: a mutation naming the blob again (the file
 *  attached anew) uploads it, instead of failing with the old reason without trying. */
export function forgetMissingRefusal(db: WritableDb, sha256: string): void {
  db.prepare(
    "DELETE FROM blob_uploads WHERE sha256 = ? AND state = 'refused' AND json_extract(error, '$.code') = 'ATTACHMENT_MISSING'",
  ).run(sha256);
}

/** The server said it does not hold these after all: they are uploaded again when next needed. */
export function forgetUploads(db: WritableDb, attachments: readonly Attachment[]): void {
  const stmt = db.prepare("DELETE FROM blob_uploads WHERE sha256 = ? AND state = 'uploaded'");
  db.transaction(() => {
    for (const a of attachments) stmt.run(a.sha256);
  })();
}
