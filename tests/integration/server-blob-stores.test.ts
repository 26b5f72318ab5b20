// The three blob stores behind one interface, each on its real backing: the data folder, PostgreSQL
// chunks (real PostgreSQL when BANDEJA_TEST_DATABASE_URL is set, else PGlite) and an S3 bucket (the AWS
// SDK's real client against tests/support/fake-s3.ts). What one stores reads back whole and by any byte
// range (across chunk boundaries); a refused, damaged or cut upload leaves nothing anywhere (no object, no
// chunk, no temporary file); removal tells whether it removed.
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_ATTACHMENT_BYTES } from '../../src-shared/domain';
import { adoptFolderBlobs } from '../../src-server/blobs/adopt';
import type { BlobStore } from '../../src-server/blobs/store';
import { blobStoreFromEnv } from '../../src-server/blobs/stores';
import { FolderBlobStore } from '../../src-server/blobs/stores/folder';
import { PostgresBlobStore } from '../../src-server/blobs/stores/postgres';
import type { Db } from '../../src-server/store/db';
import { startFakeS3, type FakeS3 } from '../support/fake-s3';
import { backends, freshDemoStore } from '../support/test-store';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** A PDF of `size` bytes whose every byte depends on its position (a misplaced range shows). */
function pdf(size: number, seed = 0): Buffer {
  const b = Buffer.alloc(size);
  for (let i = 0; i < size; i++) b[i] = (i * 31 + seed + (i >> 8)) & 0xff;
  Buffer.from('%PDF-1.7\n').copy(b);
  return b;
}

async function drain(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of stream) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

async function* slices(bytes: Buffer, size: number, thenFail?: Error): AsyncGenerator<Buffer> {
  for (let at = 0; at < bytes.length; at += size) {
    yield bytes.subarray(at, at + size);
    if (thenFail && at + size >= bytes.length / 2) throw thenFail;
  }
}

interface Case {
  name: string;
  open(): Promise<{ store: BlobStore; leftovers(): Promise<number> }>;
}

const dbs: Db[] = [];
const stores: BlobStore[] = [];
let s3: FakeS3;
beforeAll(async () => {
  s3 = await startFakeS3();
});
afterAll(async () => {
  for (const store of stores) await store.close();
  for (const db of dbs) await db.close();
  await s3?.close();
});

const cases: Case[] = [
  {
    name: 'the data folder',
    async open() {
      const dir = mkdtempSync(join(tmpdir(), 'bandeja-blobs-'));
      const store = new FolderBlobStore(dir);
      return { store, leftovers: async () => readdirSync(join(dir, 'tmp')).length };
    },
  },
  // Real PostgreSQL when the tests have one (PGlite is served by the folder store; the SQL is the same).
  ...backends.slice(-1).map(([name, databaseUrl]): Case => ({
    name: `PostgreSQL chunks on ${name}`,
    async open() {
      const { db } = await freshDemoStore(databaseUrl);
      dbs.push(db);
      // Small chunks, so that ranges cross several of them. Left over: unfinished uploads, and chunks beyond
      // what finished blobs hold (a second copy of the same bytes is dropped).
      const store = new PostgresBlobStore(db, 64 * 1024);
      const leftovers = async () => {
        const [row] = await db.query<{ n: number }>(
          `SELECT (SELECT count(*) FROM blob_contents WHERE sha256 IS NULL)::int
                  + (SELECT count(*) FROM blob_chunks c JOIN blob_contents b ON b.id = c.content_id WHERE b.sha256 IS NULL)::int
                  + (SELECT count(*) FROM blob_chunks c JOIN blob_contents b ON b.id = c.content_id WHERE b.sha256 IS NOT NULL)::int
                  - (SELECT coalesce(sum((b.size + b.chunk_bytes - 1) / b.chunk_bytes), 0) FROM blob_contents b WHERE b.sha256 IS NOT NULL)::int AS n`,
        );
        return row!.n;
      };
      return { store, leftovers };
    },
  })),
  {
    name: 'an S3 bucket',
    async open() {
      s3.objects.clear();
      s3.requests.length = 0;
      const dataDir = mkdtempSync(join(tmpdir(), 'bandeja-s3-'));
      const store = blobStoreFromEnv({ ...s3.env }, { db: { kind: 'pg' } as Db, dataDir });
      expect(store.kind).toBe('s3');
      return { store, leftovers: async () => readdirSync(join(dataDir, 'server', 'blob-spool')).length };
    },
  },
];

describe.each(cases.map((c) => [c.name, c] as const))('the blob store in %s', (_name, c) => {
  it('reads back what it stored, whole and by any range, and removes it once', async () => {
    const { store, leftovers } = await c.open();
    stores.push(store);
    const bytes = pdf(300_000);
    expect(await store.receive(slices(bytes, 50_000), sha(bytes), 'application/pdf')).toEqual({ mime: 'application/pdf', size: 300_000 });
    expect(await store.stat(sha(bytes))).toMatchObject({ size: 300_000 });
    expect((await drain(await store.read(sha(bytes)))).equals(bytes)).toBe(true);
    // Inside one chunk, across one boundary, across several, the first and the last byte.
    for (const [start, end] of [
      [10, 20],
      [65_000, 70_000],
      [1, 299_998],
      [0, 0],
      [299_999, 299_999],
      [131_072, 196_607],
    ] as const) {
      const part = await drain(await store.read(sha(bytes), { start, end }));
      expect(part.equals(bytes.subarray(start, end + 1)), `bytes ${start}-${end}`).toBe(true);
    }
    // Storing the same bytes again (another agent sends the same file) keeps one blob.
    await store.receive(slices(bytes, 70_000), sha(bytes), 'application/pdf');
    const listed = [];
    for await (const b of store.list()) listed.push(b.sha256);
    expect(listed).toEqual([sha(bytes)]);
    expect(await store.storedMime(sha(bytes), 'application/pdf')).toBe('application/pdf');
    expect(await leftovers()).toBe(0);
    expect(await store.remove(sha(bytes))).toBe(true);
    expect(await store.remove(sha(bytes))).toBe(false);
    expect(await store.has(sha(bytes))).toBe(false);
    // The SDK sent its uploads as it does to AWS: aws-chunked with a CRC32 trailer, which the fake checked.
    if (c.name.includes('S3'))
      expect(s3.requests.filter((r) => r.method === 'PUT').map((r) => r.encoding)).toEqual([
        'aws-chunked x-amz-checksum-crc32',
        'aws-chunked x-amz-checksum-crc32',
      ]);
  });

  it('stores nothing of an upload that is too large, damaged, of a refused type or cut off', async () => {
    const { store, leftovers } = await c.open();
    stores.push(store);
    const big = pdf(MAX_ATTACHMENT_BYTES + 1);
    const ok = pdf(200_000, 7);
    const exe = Buffer.concat([Buffer.from('MZ\x90\x00'), pdf(10_000)]);
    await expect(store.receive(slices(big, 256 * 1024), sha(big), 'application/pdf')).rejects.toMatchObject({ code: 'FILE_TOO_LARGE' });
    await expect(store.receive(slices(ok, 40_000), sha(pdf(200_000, 8)), 'application/pdf')).rejects.toMatchObject({
      code: 'HASH_MISMATCH',
    });
    await expect(store.receive(slices(exe, 4000), sha(exe), 'application/pdf')).rejects.toMatchObject({ code: 'FORBIDDEN_FILE_TYPE' });
    await expect(store.receive(slices(ok, 40_000, new Error('The upload was cut off.')), sha(ok), 'application/pdf')).rejects.toThrow(
      'cut off',
    );
    for (const b of [big, ok, exe]) expect(await store.has(sha(b))).toBe(false);
    const listed = [];
    for await (const b of store.list()) listed.push(b.sha256);
    expect(listed).toEqual([]);
    expect(await leftovers()).toBe(0);
    if (c.name.includes('S3')) expect(s3.requests.filter((r) => r.method === 'PUT')).toHaveLength(0);
  });
});

describe('files an older server left in its data folder', () => {
  it('move into the shared store at start, checked again; a damaged one stays where it is', async () => {
    const [, databaseUrl] = backends[backends.length - 1]!;
    const { db } = await freshDemoStore(databaseUrl);
    dbs.push(db);
    const dir = mkdtempSync(join(tmpdir(), 'bandeja-old-blobs-'));
    const folder = new FolderBlobStore(dir);
    const files = [pdf(90_000, 1), pdf(10, 2)];
    for (const f of files) await folder.receive(slices(f, 4096), sha(f), 'application/pdf');
    // A file whose bytes no longer match its name (disk damage).
    const damaged = pdf(5000, 3);
    await folder.receive(slices(damaged, 4096), sha(damaged), 'application/pdf');
    writeFileSync(folder.path(sha(damaged)), pdf(5000, 4));
    const store = new PostgresBlobStore(db);
    const warnings: string[] = [];
    expect(
      await adoptFolderBlobs(
        dir,
        store,
        () => {},
        (w) => warnings.push(w),
      ),
    ).toBe(2);
    for (const f of files) {
      expect((await drain(await store.read(sha(f)))).equals(f)).toBe(true);
      expect(existsSync(folder.path(sha(f)))).toBe(false);
    }
    expect(await store.has(sha(damaged))).toBe(false);
    expect(existsSync(folder.path(sha(damaged)))).toBe(true);
    expect(warnings).toHaveLength(1);
  });
});
