// Files across server processes on one PostgreSQL (real processes, real sockets): a file uploaded through
// one process downloads through another, whole and by byte range, from the PostgreSQL blob store (the
// default under PostgreSQL); an upload cut off or too large leaves no chunk behind; and blob collection
// run by two processes at once, while an agent names old files in new messages, removes each unused old
// file exactly once and never one that a message names, in the PostgreSQL store and in an S3 bucket (the
// AWS SDK against tests/support/fake-s3.ts, whose requests count the deletions).
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { resolve } from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Attachment } from '../../src-shared/domain';
import { BLOB_GRACE_MS, Paths } from '../../src-shared/http';
import type { BlobStore } from '../../src-server/blobs/store';
import { blobStoreFromEnv } from '../../src-server/blobs/stores';
import { recordBlob } from '../../src-server/store/blobs';
import type { Db } from '../../src-server/store/db';
import { startFakeS3, type FakeS3 } from '../support/fake-s3';
import { startServerProcess, type ServerProcess } from '../support/server-process';
import { login, SyncPeer } from '../support/sync-peer';
import { freshDemoStore } from '../support/test-store';
import { WebchatCustomer } from '../support/webchat-customer';

const pgUrl = process.env.BANDEJA_TEST_DATABASE_URL;
const ROOT = resolve(import.meta.dirname, '../..');
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function pdf(size: number, seed = 0): Buffer {
  const b = Buffer.alloc(size);
  for (let i = 0; i < size; i++) b[i] = (i * 31 + seed + (i >> 8)) & 0xff;
  Buffer.from('%PDF-1.7\n').copy(b);
  return b;
}

async function until(what: string, check: () => Promise<boolean>, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Still not ${what} after ${ms} ms.`);
    await sleep(50);
  }
}

/** A collection process (tests/support/collect-blobs.ts), ready once it has opened the store; `go` starts it. */
function collector(env: NodeJS.ProcessEnv): {
  ready: Promise<void>;
  go(): void;
  done: Promise<{ rows: number; files: number; removed: string[] }>;
} {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'tests/support/collect-blobs.ts'], {
    cwd: ROOT,
    env: { ...process.env, ...env, DATABASE_URL: pgUrl, START_AT: 'stdin' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  proc.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  proc.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const ready = new Promise<void>((resolveReady, reject) => {
    proc.stdout.on('data', () => out.includes('ready\n') && resolveReady());
    proc.once('exit', (code) => reject(new Error(`collector exited (${code}) before it was ready: ${err}`)));
  });
  const done = new Promise<{ rows: number; files: number; removed: string[] }>((resolveDone, reject) =>
    proc.once('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (code !== 0 || !line) reject(new Error(`collector exited with ${code}: ${err}`));
      else resolveDone(JSON.parse(line) as { rows: number; files: number; removed: string[] });
    }),
  );
  return { ready, go: () => proc.stdin.end('go\n'), done };
}

describe.runIf(pgUrl)('blobs across server processes on one PostgreSQL', () => {
  let db: Db;
  let a: ServerProcess;
  let b: ServerProcess;
  let s3: FakeS3;
  let token: string;
  const open: { close(): void }[] = [];

  beforeAll(async () => {
    ({ db } = await freshDemoStore(pgUrl));
    s3 = await startFakeS3();
    [a, b] = await Promise.all([
      startServerProcess({ env: { DATABASE_URL: pgUrl } }),
      startServerProcess({ env: { DATABASE_URL: pgUrl } }),
    ]);
    ({ token } = await login(a.url, 'ana@demo.test'));
  });
  afterAll(async () => {
    for (const o of open) o.close();
    await Promise.all([a?.stop(), b?.stop()]);
    await s3?.close();
    await db?.close();
  });

  const get = (server: ServerProcess, hash: string, range?: string) =>
    fetch(server.url + Paths.blob(hash), { headers: { authorization: `Bearer ${token}`, ...(range ? { range } : {}) } });

  it('a file uploaded through one process downloads through the other, whole and by range', async () => {
    const file = pdf(1_000_000);
    const put = await fetch(a.url + Paths.blob(sha(file)), {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/pdf' },
      body: file,
    });
    expect(put.status).toBe(201);
    const whole = await get(b, sha(file));
    expect(whole.status).toBe(200);
    expect(whole.headers.get('content-length')).toBe('1000000');
    expect(Buffer.from(await whole.arrayBuffer()).equals(file)).toBe(true);
    // Stored in the database, in chunks.
    const [stored] = await db.query<{ chunks: number }>(
      'SELECT count(*)::int AS chunks FROM blob_chunks c JOIN blob_contents b ON b.id = c.content_id WHERE b.sha256 = $1',
      [sha(file)],
    );
    expect(stored!.chunks).toBe(4);

    const part = await get(b, sha(file), 'bytes=262000-700123');
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe('bytes 262000-700123/1000000');
    expect(Buffer.from(await part.arrayBuffer()).equals(file.subarray(262000, 700124))).toBe(true);
    const tail = await get(b, sha(file), 'bytes=-100');
    expect(Buffer.from(await tail.arrayBuffer()).equals(file.subarray(999_900))).toBe(true);
    expect((await get(b, sha(file), 'bytes=1000000-')).status).toBe(416);
  });

  it('an upload cut off halfway, or too large, leaves nothing stored', async () => {
    const chunksLeft = async () => {
      const [row] = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM blob_chunks c JOIN blob_contents b ON b.id = c.content_id WHERE b.sha256 IS NULL`,
      );
      return row!.n;
    };
    const file = pdf(2_000_000, 3);
    // The client sends 900 KB of 2 MB, then its connection is lost: the chunks already written (streamed as
    // they came, never held whole) are removed with the upload.
    const req = request(a.url + Paths.blob(sha(file)), {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/pdf', 'content-length': String(file.length) },
    });
    req.on('error', () => undefined);
    req.write(file.subarray(0, 900_000));
    await until('writing chunks', async () => (await chunksLeft()) >= 2);
    req.destroy();
    await until('rid of the cut upload', async () => (await chunksLeft()) === 0);
    const [partial] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM blob_contents WHERE sha256 IS NULL');
    expect(partial!.n).toBe(0);
    expect((await get(b, sha(file))).status).toBe(404);

    // 17 MB sent without a declared length: refused at 16 MB, and nothing of it stays.
    const big = pdf(17 * 1024 * 1024, 5);
    const refused = await fetch(a.url + Paths.blob(sha(big)), {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/pdf' },
      body: new Blob([big]).stream(),
      duplex: 'half',
    } as RequestInit).catch(() => null);
    if (refused) expect(refused.status).toBe(413);
    await until('rid of the refused upload', async () => (await chunksLeft()) === 0);
    const [none] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM blob_contents WHERE sha256 = $1 OR sha256 IS NULL', [
      sha(big),
    ]);
    expect(none!.n).toBe(0);
  });

  it('a server on an S3 bucket stores uploads there and serves them whole and by range', async () => {
    const c = await startServerProcess({ env: { DATABASE_URL: pgUrl, ...s3.env } });
    try {
      const file = pdf(700_000, 9);
      const put = await fetch(c.url + Paths.blob(sha(file)), {
        method: 'PUT',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/pdf' },
        body: file,
      });
      expect(put.status).toBe(201);
      expect(s3.objects.get(`blobs/${sha(file)}`)?.body.equals(file)).toBe(true);
      const whole = await get(c, sha(file));
      expect(Buffer.from(await whole.arrayBuffer()).equals(file)).toBe(true);
      const part = await get(c, sha(file), 'bytes=100000-399999');
      expect(part.status).toBe(206);
      expect(Buffer.from(await part.arrayBuffer()).equals(file.subarray(100_000, 400_000))).toBe(true);
      // The range was asked of the bucket, not cut out of the whole object.
      expect(s3.requests.some((r) => r.method === 'GET' && r.range === 'bytes=100000-399999' && r.status === 206)).toBe(true);
      // A damaged upload reaches nothing in the bucket.
      const damaged = await fetch(c.url + Paths.blob(sha(pdf(1000, 1))), {
        method: 'PUT',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/pdf' },
        body: pdf(1000, 2),
      });
      expect(damaged.status).toBe(400);
      expect(s3.objects.has(`blobs/${sha(pdf(1000, 1))}`)).toBe(false);
    } finally {
      await c.stop();
      s3.objects.clear();
      s3.requests.length = 0;
    }
  });

  describe.each(['postgres', 's3'] as const)('collection by two processes at once, files in %s', (kind) => {
    it('removes each unused old file once, and keeps every file a message names and every recent one', async () => {
      const env: Record<string, string> = kind === 's3' ? { ...s3.env } : { BANDEJA_BLOB_STORE: 'postgres' };
      const store: BlobStore = blobStoreFromEnv(env, { db, dataDir: a.dataDir });
      const longAgo = Date.now() - BLOB_GRACE_MS - 60_000;
      const ANA = { tenantId: 'demo', uploadedBy: 'user-ana' };
      /** A file of Ana's: stored, with her row; old (both the row and the bytes) unless `recent`. */
      const blob = async (words: string, recent = false): Promise<Attachment> => {
        const bytes = Buffer.from(`${words} ${uuidv7()}\n${'x'.repeat(300)}\n`);
        const kept = await store.keep(bytes, 'text/plain');
        const at = recent ? Date.now() : longAgo;
        expect(await db.tx((tx) => recordBlob(tx, ANA, kept, at, (tx) => store.has(kept.sha256, tx)))).toBe(true);
        if (!recent) {
          if (kind === 's3') s3.objects.get(`blobs/${kept.sha256}`)!.lastModified = new Date(longAgo);
          else await db.query('UPDATE blob_contents SET stored_at = $2 WHERE sha256 = $1', [kept.sha256, longAgo]);
        }
        return { sha256: kept.sha256, name: `${words}.txt`, mime: kept.mime, size: kept.size, kind: 'file', durationMs: null };
      };
      const unused = await Promise.all(Array.from({ length: 24 }, (_, i) => blob(`borrador ${i}`)));
      const sentBefore = await Promise.all(Array.from({ length: 5 }, (_, i) => blob(`factura ${i}`)));
      const sentDuring = await Promise.all(Array.from({ length: 10 }, (_, i) => blob(`catalogo ${i}`)));
      const recent = await Promise.all(Array.from({ length: 5 }, (_, i) => blob(`recien ${i}`, true)));

      // Ana, on process A, in a webchat conversation: she has sent some of the old files already.
      const ana = await SyncPeer.connect(a.url, { token });
      open.push(ana);
      const customer = await WebchatCustomer.join(a.url, 'demo', `Cliente ${kind}`);
      open.push(customer);
      const said = await customer.say('¿Me mandan los documentos?');
      await ana.waitFor(() => ana.messages.has(said), 'the customer message');
      const conversationId = ana.messages.get(said)!.conversationId;
      const send = (attachment: Attachment) =>
        ana.push('message.send', { id: uuidv7(), conversationId, body: attachment.name, attachments: [attachment] });
      for (const attachment of sentBefore) expect(await send(attachment)).toMatchObject({ status: 'ok' });

      // Two collectors start at once, while Ana sends the other old files.
      const collectors = [collector(env), collector(env)];
      await Promise.all(collectors.map((c) => c.ready));
      for (const c of collectors) c.go();
      const during = [];
      for (const attachment of sentDuring) during.push({ attachment, result: await send(attachment) });
      const [one, two] = await Promise.all(collectors.map((c) => c.done));
      console.log(`${kind}: collectors removed ${one!.files} and ${two!.files} files, ${one!.rows} and ${two!.rows} rows`);

      // Each file removed by one of the two, once.
      const removed = [...one!.removed, ...two!.removed];
      expect(new Set(removed).size).toBe(removed.length);
      if (kind === 's3') {
        const deletes = s3.requests.filter((r) => r.method === 'DELETE').map((r) => r.key!.slice('blobs/'.length));
        expect(deletes.sort()).toEqual([...removed].sort());
      }
      // Every unused old file is gone, its rows too.
      for (const attachment of unused) {
        expect(removed).toContain(attachment.sha256);
        expect(await store.has(attachment.sha256)).toBe(false);
      }
      // A file sent while collection ran was either kept (the message went out) or, when collection took
      // its upload first, refused as missing (the agent attaches it again): never a message without its file.
      let refused = 0;
      for (const { attachment, result } of during) {
        if (result.status === 'ok') {
          expect(removed).not.toContain(attachment.sha256);
          expect(await store.has(attachment.sha256)).toBe(true);
        } else {
          expect(result).toMatchObject({ status: 'rejected', error: { code: 'ATTACHMENT_MISSING' } });
          refused++;
        }
      }
      // Rows: each deleted once, by one of the two.
      expect(one!.rows + two!.rows).toBe(unused.length + refused);
      for (const attachment of [...sentBefore, ...recent]) {
        expect(removed).not.toContain(attachment.sha256);
        expect(await store.has(attachment.sha256)).toBe(true);
      }
      // The files messages name still download, through the other process.
      if (kind === 'postgres') {
        const answer = await get(b, sentBefore[0]!.sha256);
        expect(answer.status).toBe(200);
        expect((await answer.arrayBuffer()).byteLength).toBe(sentBefore[0]!.size);
      }
      await store.close();
    });
  });
});
