// The PostgreSQL store (the default under PostgreSQL; see migration 014_blob_store.sql): bytes in
// blob_chunks, written one chunk per statement as the upload streams in (no transaction is held open while
// a client sends slowly) and read back a few chunks per query as the response drains. An upload is
// published by giving its blob_contents row the sha256 once it is whole and checked; a refused or cut one
// is deleted with its chunks at once.
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import type { Db, Queryable } from '../../store/db';
import { BlobStore, pieces, type BlobStat, type ByteRange } from '../store';

/** Bytes per stored chunk. */
export const CHUNK_BYTES = 256 * 1024;
/** Chunks read per query. */
const READ_BATCH = 4;
/** Blobs listed per query. */
const LIST_PAGE = 500;

const UNIQUE_VIOLATION = '23505';

/** bytea comes back as a Buffer from `pg` and a Uint8Array from PGlite. */
function bytes(data: unknown): Buffer {
  const u8 = data as Uint8Array;
  return Buffer.isBuffer(u8) ? u8 : Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength);
}

export class PostgresBlobStore extends BlobStore {
  readonly kind = 'postgres';

  constructor(
    private readonly db: Db,
    private readonly chunkBytes = CHUNK_BYTES,
    private readonly now: () => number = Date.now,
  ) {
    super();
  }

  protected async put(sha256: string, chunks: AsyncIterable<Buffer>): Promise<void> {
    const id = randomUUID();
    await this.db.query('INSERT INTO blob_contents (id, chunk_bytes, started_at) VALUES ($1, $2, $3)', [id, this.chunkBytes, this.now()]);
    try {
      let n = 0;
      let size = 0;
      for await (const piece of pieces(chunks, this.chunkBytes)) {
        await this.db.query('INSERT INTO blob_chunks (content_id, n, data) VALUES ($1, $2, $3)', [id, n++, piece]);
        size += piece.length;
      }
      await this.publish(id, sha256, size);
    } catch (e) {
      await this.db.query('DELETE FROM blob_contents WHERE id = $1', [id]).catch(() => undefined);
      throw e;
    }
  }

  /** Gives the upload its sha256. When the same bytes are stored already, they are made recent instead and
   *  this copy is dropped (tried twice: the stored one may be collected in between). */
  private async publish(id: string, sha256: string, size: number): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.db.query('UPDATE blob_contents SET sha256 = $2, size = $3, stored_at = $4 WHERE id = $1', [
          id,
          sha256,
          size,
          this.now(),
        ]);
        return;
      } catch (e) {
        if ((e as { code?: string }).code !== UNIQUE_VIOLATION || attempt > 0) throw e;
      }
      const refreshed = await this.db.query('UPDATE blob_contents SET stored_at = $2 WHERE sha256 = $1 RETURNING id', [sha256, this.now()]);
      if (refreshed.length > 0) {
        await this.db.query('DELETE FROM blob_contents WHERE id = $1', [id]);
        return;
      }
    }
  }

  async stat(sha256: string, via: Queryable = this.db): Promise<BlobStat | null> {
    const [row] = await via.query<{ size: number; stored_at: number }>('SELECT size, stored_at FROM blob_contents WHERE sha256 = $1', [
      sha256,
    ]);
    return row ? { size: Number(row.size), modifiedAt: Number(row.stored_at) } : null;
  }

  async read(sha256: string, range?: ByteRange): Promise<Readable> {
    const [row] = await this.db.query<{ id: string; size: number; chunk_bytes: number }>(
      'SELECT id, size, chunk_bytes FROM blob_contents WHERE sha256 = $1',
      [sha256],
    );
    if (!row) throw new Error(`The blob ${sha256} is not stored.`);
    const size = Number(row.size);
    const { start, end } = range ?? { start: 0, end: size - 1 };
    const db = this.db;
    const per = row.chunk_bytes;
    async function* chunks(): AsyncGenerator<Buffer> {
      if (end < start) return;
      const last = Math.floor(end / per);
      for (let from = Math.floor(start / per); from <= last; from += READ_BATCH) {
        const to = Math.min(last, from + READ_BATCH - 1);
        const rows = await db.query<{ n: number; data: unknown }>(
          'SELECT n, data FROM blob_chunks WHERE content_id = $1 AND n BETWEEN $2 AND $3 ORDER BY n',
          [row!.id, from, to],
        );
        if (rows.length !== to - from + 1) throw new Error(`The blob ${sha256} was removed while it was being read.`);
        for (const r of rows) {
          const data = bytes(r.data);
          const offset = r.n * per;
          yield data.subarray(Math.max(0, start - offset), Math.min(data.length, end - offset + 1));
        }
      }
    }
    return Readable.from(chunks(), { objectMode: false });
  }

  async remove(sha256: string, via: Queryable = this.db): Promise<boolean> {
    return (await via.query('DELETE FROM blob_contents WHERE sha256 = $1 RETURNING id', [sha256])).length > 0;
  }

  async *list(): AsyncGenerator<{ sha256: string; modifiedAt: number }> {
    let after = '';
    for (;;) {
      const page = await this.db.query<{ sha256: string; stored_at: number }>(
        'SELECT sha256, stored_at FROM blob_contents WHERE sha256 > $1 ORDER BY sha256 LIMIT $2',
        [after, LIST_PAGE],
      );
      for (const r of page) yield { sha256: r.sha256, modifiedAt: Number(r.stored_at) };
      if (page.length < LIST_PAGE) return;
      after = page[page.length - 1]!.sha256;
    }
  }

  async sweepPartial(before: number): Promise<number> {
    return (await this.db.query('DELETE FROM blob_contents WHERE sha256 IS NULL AND started_at < $1 RETURNING id', [before])).length;
  }
}
