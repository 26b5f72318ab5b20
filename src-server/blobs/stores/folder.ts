// The data folder store (the default under PGlite, where one process serves): <dir>/<aa>/<sha256>, written
// only by renaming a fully received and checked temporary file from <dir>/tmp, so a blob on disk is always
// whole and correct.
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync } from 'node:fs';
import { opendir, readdir, rename, rm, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BlobStore, type BlobStat, type ByteRange } from '../store';

export class FolderBlobStore extends BlobStore {
  readonly kind = 'folder';
  private readonly tmpDir: string;

  constructor(readonly dir: string) {
    super();
    this.tmpDir = join(dir, 'tmp');
    mkdirSync(this.tmpDir, { recursive: true });
  }

  path(sha256: string): string {
    return join(this.dir, sha256.slice(0, 2), sha256);
  }

  protected async put(sha256: string, chunks: AsyncIterable<Buffer>): Promise<void> {
    const tmp = join(this.tmpDir, `${randomUUID()}.part`);
    try {
      await pipeline(chunks, createWriteStream(tmp, { flags: 'wx' }));
      mkdirSync(join(this.dir, sha256.slice(0, 2)), { recursive: true });
      await rename(tmp, this.path(sha256));
    } catch (e) {
      await rm(tmp, { force: true });
      throw e;
    }
  }

  async stat(sha256: string): Promise<BlobStat | null> {
    const info = await stat(this.path(sha256)).catch(() => null);
    return info ? { size: info.size, modifiedAt: info.mtimeMs } : null;
  }

  async read(sha256: string, range?: ByteRange): Promise<Readable> {
    const stream = createReadStream(this.path(sha256), range ?? {});
    // Opened before it is handed over: a missing file is an error here, not a broken response.
    await new Promise<void>((resolve, reject) => {
      stream.once('open', () => resolve());
      stream.once('error', reject);
    });
    return stream;
  }

  async remove(sha256: string): Promise<boolean> {
    try {
      await unlink(this.path(sha256));
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw e;
    }
  }

  /** Read a directory entry at a time without blocking the event loop. */
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

  async sweepPartial(before: number): Promise<number> {
    let removed = 0;
    for (const name of await readdir(this.tmpDir)) {
      const info = await stat(join(this.tmpDir, name)).catch(() => null);
      if (info && info.mtimeMs < before) {
        await rm(join(this.tmpDir, name), { force: true });
        removed++;
      }
    }
    return removed;
  }
}
