// Where the server keeps attachment bytes, by sha256: one interface, three places (stores/*). Every server
// process on one database must reach the same bytes, so under PostgreSQL they live in PostgreSQL by default
// (stores/postgres.ts, chunked) or in an S3-compatible bucket (stores/s3.ts); under PGlite (one process) in
// the data folder (stores/folder.ts). Uploads, downloads and ranges (routes.ts, serve.ts), channel media
// (WhatsApp), webchat media links and collection (gc.ts) all go through a BlobStore.
//
// What every store guarantees: a blob is there whole and correct or not at all. An upload is checked while
// it streams (size cap, type by its first bytes, sha256) and becomes visible under its hash only once all of
// it arrived and matched; a refused or cut upload leaves nothing a reader or a listing sees (a crash midway
// may leave a partial upload that `sweepPartial` removes). Nothing is ever whole in memory.
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { MAX_ATTACHMENT_BYTES } from '../../src-shared/domain';
import { BandejaError } from '../../src-shared/errors';
import { SNIFF_BYTES, sniffMime, type AllowedMime } from '../../src-shared/rules/fileType';
import type { Queryable } from '../store/db';

export type BlobStoreKind = 'folder' | 'postgres' | 's3';

export interface BlobStat {
  size: number;
  /** When the bytes were last stored (epoch ms): collection leaves recent ones alone. */
  modifiedAt: number;
}

/** Bytes `start` to `end`, both included. */
export interface ByteRange {
  start: number;
  end: number;
}

export abstract class BlobStore {
  abstract readonly kind: BlobStoreKind;

  /** Stores what `chunks` yields under `sha256` when it ends normally; when it throws, stores nothing and
   *  rethrows. Storing the same bytes again is allowed (and makes them recent). */
  protected abstract put(sha256: string, chunks: AsyncIterable<Buffer>): Promise<void>;
  /** `via`: the open transaction of a caller that holds one (the PostgreSQL store then looks through it:
   *  asking the pool for another connection from inside a transaction can exhaust the pool, and PGlite has
   *  only the one). Other stores ignore it. */
  abstract stat(sha256: string, via?: Queryable): Promise<BlobStat | null>;
  /** The bytes (or a range of them, which must lie inside the blob); the stream errors if the blob is
   *  removed while it is read. */
  abstract read(sha256: string, range?: ByteRange): Promise<Readable>;
  /** Removes the blob; true when this call removed it (false when it was not there). `via` as for stat. */
  abstract remove(sha256: string, via?: Queryable): Promise<boolean>;
  /** Every stored blob, a page at a time (the store may hold a great many). */
  abstract list(): AsyncIterable<{ sha256: string; modifiedAt: number }>;
  /** Removes what uploads cut by a crash left, begun before `before` (epoch ms); returns how many. */
  abstract sweepPartial(before: number): Promise<number>;
  async close(): Promise<void> {}

  async has(sha256: string, via?: Queryable): Promise<boolean> {
    return (await this.stat(sha256, via)) !== null;
  }

  /** What a stored blob is, when it agrees with the declared type (a repeat upload says it again). */
  async storedMime(sha256: string, declaredMime: string): Promise<AllowedMime | null> {
    const info = await this.stat(sha256);
    if (!info) return null;
    const head =
      info.size === 0 ? Buffer.alloc(0) : await this.readAll(sha256, SNIFF_BYTES, { start: 0, end: Math.min(SNIFF_BYTES, info.size) - 1 });
    return sniffMime(head, declaredMime);
  }

  /** The bytes in memory, for a caller that must send them whole (a WhatsApp media upload); refuses more
   *  than `max`. */
  async readAll(sha256: string, max = MAX_ATTACHMENT_BYTES, range?: ByteRange): Promise<Buffer> {
    const parts: Buffer[] = [];
    let size = 0;
    for await (const chunk of await this.read(sha256, range)) {
      size += (chunk as Buffer).length;
      if (size > max) throw tooLarge();
      parts.push(chunk as Buffer);
    }
    return Buffer.concat(parts);
  }

  /** Keeps bytes received from a channel (a customer's photo), checked like an upload. */
  async keep(bytes: Buffer, declaredMime: string): Promise<{ sha256: string; mime: AllowedMime; size: number }> {
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    if (await this.has(sha256)) {
      const mime = await this.storedMime(sha256, declaredMime);
      if (!mime) throw forbiddenType();
      return { sha256, mime, size: bytes.length };
    }
    const { mime, size } = await this.receive(Readable.from([bytes]), sha256, declaredMime);
    return { sha256, mime, size };
  }

  /** Takes bytes already checked once (a file an older server kept in its data folder), checking only that
   *  they are still what their hash says. */
  async adopt(sha256: string, body: AsyncIterable<Buffer>): Promise<void> {
    await this.put(sha256, checked(body, sha256, null, { size: 0, mime: null }));
  }

  /** Streams an upload into the store while checking size, type and hash, and returns what it is. Any
   *  refusal throws a BandejaError and leaves nothing behind. */
  async receive(body: AsyncIterable<Buffer>, sha256: string, declaredMime: string): Promise<{ mime: AllowedMime; size: number }> {
    const seen = { size: 0, mime: null as AllowedMime | null };
    await this.put(sha256, checked(body, sha256, declaredMime, seen));
    return { mime: seen.mime!, size: seen.size };
  }
}

/** `body` as it streams, refused (thrown) as soon as it is too large or not of its type, and at its end when
 *  its sha256 is not `sha256`. */
async function* checked(
  body: AsyncIterable<Buffer>,
  sha256: string,
  declaredMime: string | null,
  seen: { size: number; mime: AllowedMime | null },
): AsyncGenerator<Buffer> {
  // Null: no type to check (adopt).
  const hash = createHash('sha256');
  let head = Buffer.alloc(0);
  for await (const chunk of body) {
    seen.size += chunk.length;
    if (seen.size > MAX_ATTACHMENT_BYTES) throw tooLarge();
    if (seen.mime === null && declaredMime !== null) {
      head = Buffer.concat([head, chunk.subarray(0, SNIFF_BYTES - head.length)]);
      if (head.length >= SNIFF_BYTES) seen.mime = checkType(head, declaredMime);
    }
    hash.update(chunk);
    yield chunk;
  }
  if (declaredMime !== null) seen.mime ??= checkType(head, declaredMime);
  if (hash.digest('hex') !== sha256)
    throw new BandejaError('HASH_MISMATCH', 'The file arrived damaged (its content does not match its checksum). Send it again.');
}

/** Gathers a stream's bytes into pieces of `size` (the last may be shorter), copying as little as it can. */
export async function* pieces(chunks: AsyncIterable<Buffer>, size: number): AsyncGenerator<Buffer> {
  let held: Buffer[] = [];
  let heldBytes = 0;
  for await (const chunk of chunks) {
    held.push(chunk);
    heldBytes += chunk.length;
    while (heldBytes >= size) {
      const all = held.length === 1 ? held[0]! : Buffer.concat(held);
      yield all.subarray(0, size);
      const rest = all.subarray(size);
      held = rest.length > 0 ? [rest] : [];
      heldBytes = rest.length;
    }
  }
  if (heldBytes > 0) yield held.length === 1 ? held[0]! : Buffer.concat(held);
}

export function tooLarge(): BandejaError {
  return new BandejaError('FILE_TOO_LARGE', `Files can be up to ${MAX_ATTACHMENT_BYTES / (1024 * 1024)} MB.`, {
    maxBytes: String(MAX_ATTACHMENT_BYTES),
  });
}

export function forbiddenType(): BandejaError {
  return new BandejaError('FORBIDDEN_FILE_TYPE', 'This type of file cannot be sent, or it is not what its type says.');
}

function checkType(head: Buffer, declaredMime: string): AllowedMime {
  const mime = sniffMime(head, declaredMime);
  if (!mime) throw forbiddenType();
  return mime;
}
