// The server's blob folder: <data>/server/blobs/<aa>/<sha256>, written only by renaming a fully
// received and checked temporary file, so a blob on disk is always whole and correct.
import { createHash, randomUUID } from 'node:crypto';
import {
  closeSync,
  createReadStream,
  createWriteStream,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { opendir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { MAX_ATTACHMENT_BYTES } from '../../src-shared/domain';
import { BandejaError } from '../../src-shared/errors';
import { SNIFF_BYTES, sniffMime, type AllowedMime } from '../../src-shared/rules/fileType';

export class BlobFiles {
  private readonly tmpDir: string;

  constructor(readonly dir: string) {
    this.tmpDir = join(dir, 'tmp');
    mkdirSync(this.tmpDir, { recursive: true });
    // Leftovers of uploads cut by a crash are never blobs.
    for (const name of readdirSync(this.tmpDir)) rmSync(join(this.tmpDir, name), { force: true });
  }

  path(sha256: string): string {
    return join(this.dir, sha256.slice(0, 2), sha256);
  }

  has(sha256: string): boolean {
    return existsSync(this.path(sha256));
  }

  size(sha256: string): number {
    return statSync(this.path(sha256)).size;
  }

  /** What a stored blob is, when it agrees with the declared type (a repeat upload says it again). */
  storedMime(sha256: string, declaredMime: string): AllowedMime | null {
    const fd = openSync(this.path(sha256), 'r');
    try {
      const head = Buffer.alloc(SNIFF_BYTES);
      const n = readSync(fd, head, 0, SNIFF_BYTES, 0);
      return sniffMime(head.subarray(0, n), declaredMime);
    } finally {
      closeSync(fd);
    }
  }

  /** Every stored blob with its file's modification time, read a directory entry at a time without
   *  blocking the event loop (the folder may hold a great many files). */
  async *list(): AsyncGenerator<{ sha256: string; modifiedAt: number }> {
    for await (const prefix of await opendir(this.dir)) {
      if (!prefix.isDirectory() || !/^[0-9a-f]{2}$/.test(prefix.name)) continue;
      for await (const entry of await opendir(join(this.dir, prefix.name))) {
        if (!/^[0-9a-f]{64}$/.test(entry.name)) continue;
        // Gone since the directory was read: not there to list.
        const info = await stat(join(this.dir, prefix.name, entry.name)).catch(() => null);
        if (info) yield { sha256: entry.name, modifiedAt: info.mtimeMs };
      }
    }
  }

  /** The file's modification time, or null when it is not there. */
  async modifiedAt(sha256: string): Promise<number | null> {
    const info = await stat(this.path(sha256)).catch(() => null);
    return info ? info.mtimeMs : null;
  }

  async remove(sha256: string): Promise<void> {
    await rm(this.path(sha256), { force: true });
  }

  read(sha256: string): Readable {
    return createReadStream(this.path(sha256));
  }

  /** Keeps bytes received from a channel (a customer's photo), checked like an upload. */
  async keep(bytes: Buffer, declaredMime: string): Promise<{ sha256: string; mime: AllowedMime; size: number }> {
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    if (this.has(sha256)) {
      const mime = this.storedMime(sha256, declaredMime);
      if (!mime) throw forbiddenType();
      return { sha256, mime, size: bytes.length };
    }
    const { mime, size } = await this.receive(Readable.from([bytes]), sha256, declaredMime);
    return { sha256, mime, size };
  }

  /** Streams an upload to a temporary file while checking size, type and hash; on success renames it into
   *  place and returns what it is. Any refusal throws a BandejaError and leaves nothing behind. */
  async receive(body: Readable, sha256: string, declaredMime: string): Promise<{ mime: AllowedMime; size: number }> {
    const tmp = join(this.tmpDir, `${randomUUID()}.part`);
    const out = createWriteStream(tmp, { flags: 'wx' });
    const hash = createHash('sha256');
    let size = 0;
    let head = Buffer.alloc(0);
    let mime: AllowedMime | null = null;
    try {
      for await (const chunk of body as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > MAX_ATTACHMENT_BYTES) throw tooLarge();
        if (mime === null) {
          head = Buffer.concat([head, chunk.subarray(0, SNIFF_BYTES - head.length)]);
          if (head.length >= SNIFF_BYTES) mime = checkType(head, declaredMime);
        }
        hash.update(chunk);
        if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
      }
      mime ??= checkType(head, declaredMime);
      await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
      if (hash.digest('hex') !== sha256)
        throw new BandejaError('HASH_MISMATCH', 'The file arrived damaged (its content does not match its checksum). Send it again.');
      mkdirSync(join(this.dir, sha256.slice(0, 2)), { recursive: true });
      renameSync(tmp, this.path(sha256));
      return { mime, size };
    } catch (e) {
      // The file may still be opening: wait until the stream is closed, or it would reappear after the rm.
      out.destroy();
      if (!out.closed) await new Promise<void>((resolve) => out.once('close', () => resolve()));
      rmSync(tmp, { force: true });
      throw e;
    }
  }
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
