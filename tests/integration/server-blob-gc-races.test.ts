// Blob GC running at the same moment as a push or an upload, on PGlite with the data folder store and, when
// BANDEJA_TEST_DATABASE_URL is set, on real PostgreSQL (where they truly run at once) with the PostgreSQL
// blob store: a message or an upload committed while GC runs keeps its file and its row; GC only takes what
// nothing names (src-server/store/blobs.ts, blobs/gc.ts).
import { createHash } from 'node:crypto';
import { utimesSync } from 'node:fs';
import { join } from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import { afterEach, describe, expect, it } from 'vitest';
import type { Attachment } from '../../src-shared/domain';
import type { BlobStore } from '../../src-server/blobs/store';
import { FolderBlobStore } from '../../src-server/blobs/stores/folder';
import { PostgresBlobStore } from '../../src-server/blobs/stores/postgres';
import { collectBlobGarbage } from '../../src-server/blobs/gc';
import { BLOB_GRACE_MS } from '../../src-shared/http';
import { recordBlob } from '../../src-server/store/blobs';
import type { Db, Tx } from '../../src-server/store/db';
import { getUser } from '../../src-server/store/directory';
import { processPush } from '../../src-server/sync/push';
import { backends, freshDemoStore } from '../support/test-store';

const toClose: Db[] = [];
afterEach(async () => {
  for (const db of toClose.splice(0)) await db.close();
});

async function freshStore(databaseUrl: string | undefined): Promise<{ db: Db; files: BlobStore }> {
  const { db, dataDir } = await freshDemoStore(databaseUrl);
  toClose.push(db);
  return { db, files: databaseUrl ? new PostgresBlobStore(db) : new FolderBlobStore(join(dataDir, 'server', 'blobs')) };
}

const ANA = { tenantId: 'demo', uploadedBy: 'user-ana' };
const longAgo = () => Date.now() - BLOB_GRACE_MS - 60_000;

/** A file on disk, written more than a day ago; with a row of Ana's, as old, when `row` is set. */
async function oldBlob(db: Db, files: BlobStore, words: string, row: boolean): Promise<Attachment> {
  const bytes = Buffer.from(`${words}\n${'x'.repeat(200)}\n`);
  const kept = await files.keep(bytes, 'text/plain');
  expect(kept.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
  if (row) {
    expect(await db.tx((tx) => recordBlob(tx, ANA, kept, longAgo(), async () => true))).toBe(true);
  }
  if (files instanceof FolderBlobStore) utimesSync(files.path(kept.sha256), longAgo() / 1000, longAgo() / 1000);
  else await db.query('UPDATE blob_contents SET stored_at = $2 WHERE sha256 = $1', [kept.sha256, longAgo()]);
  return { sha256: kept.sha256, name: `${words}.txt`, mime: kept.mime, size: kept.size, kind: 'file', durationMs: null };
}

/** Once GC is waiting on a lock the open transaction holds (PostgreSQL), or has finished without waiting.
 *  On PGlite transactions run one at a time: GC starts once the open one ends, so there is nothing to wait for. */
async function blockedOrDone(db: Db, gc: Promise<unknown>): Promise<void> {
  if (db.kind === 'pglite') return;
  let done = false;
  void gc.finally(() => (done = true));
  for (;;) {
    const [row] = await db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
    );
    if (done || row!.n > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The store with every transaction's Tx handing each statement to `after` once it returned. */
function watchingStatements(db: Db, after: (sql: string) => Promise<void>): Db {
  return {
    ...db,
    tx: (fn, opts) =>
      db.tx(
        (tx) =>
          fn({
            ...tx,
            query: async (sql, params) => {
              const rows = await tx.query(sql, params);
              await after(sql);
              return rows;
            },
          } as Tx),
        opts,
      ),
  };
}

async function rowsOf(db: Db, sha256: string): Promise<number> {
  const [row] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM blobs WHERE sha256 = $1', [sha256]);
  return row!.n;
}

describe.each(backends)('blob GC against writers on %s', (_name, databaseUrl) => {
  it('keeps the file of a message whose push was checking its blob when GC ran', async () => {
    const { db, files } = await freshStore(databaseUrl);
    const attachment = await oldBlob(db, files, 'factura', true);
    const ana = (await getUser(db, 'user-ana'))!;
    await db.query("INSERT INTO clients (id, user_id, last_mutation_id, created_at) VALUES ('client-ana', 'user-ana', 0, 0)");
    // GC runs right after the push looked at the blob's rows, before the message is written and committed.
    const race: { gc?: Promise<{ rows: number; files: number }> } = {};
    const racing = watchingStatements(db, async (sql) => {
      if (race.gc || !/\bblobs\b/.test(sql)) return;
      race.gc = collectBlobGarbage(db, files, Date.now());
      await blockedOrDone(db, race.gc);
    });
    const messageId = uuidv7();
    const outcome = await processPush(
      racing,
      ana,
      'client-ana',
      [
        {
          id: 1,
          name: 'message.send',
          args: { id: messageId, conversationId: 'conversation-wa-lucia', body: 'Aquí está la factura', attachments: [attachment] },
          clientTime: 0,
        },
      ],
      expect.fail,
      'http://x',
    );
    expect(outcome.results).toEqual([{ id: 1, status: 'ok' }]);
    expect(await race.gc).toEqual({ rows: 0, files: 0 });
    // The message names the file, and the file and its row are still there to send and to read back.
    const [message] = await db.query<{ attachments: Attachment[] }>('SELECT attachments FROM messages WHERE id = $1', [messageId]);
    expect(message!.attachments.map((a) => a.sha256)).toEqual([attachment.sha256]);
    expect(await files.has(attachment.sha256)).toBe(true);
    expect(await rowsOf(db, attachment.sha256)).toBe(1);
  });

  it('keeps a file whose upload was being recorded when GC ran', async () => {
    const { db, files } = await freshStore(databaseUrl);
    // On disk for more than a day with no row (its earlier row was collected): someone uploads it again.
    const attachment = await oldBlob(db, files, 'contrato', false);
    const race: { gc?: Promise<{ rows: number; files: number }> } = {};
    const recorded = await db.tx(async (tx) => {
      const ok = await recordBlob(tx, ANA, attachment, Date.now(), (tx) => files.has(attachment.sha256, tx));
      race.gc = collectBlobGarbage(db, files, Date.now());
      await blockedOrDone(db, race.gc);
      return ok;
    });
    expect(recorded).toBe(true);
    expect(await race.gc).toEqual({ rows: 0, files: 0 });
    expect(await files.has(attachment.sha256)).toBe(true);
    expect(await rowsOf(db, attachment.sha256)).toBe(1);
  });

  it('records nothing for a file GC removed first: the bytes must be sent again', async () => {
    const { db, files } = await freshStore(databaseUrl);
    const attachment = await oldBlob(db, files, 'presupuesto', false);
    expect(await collectBlobGarbage(db, files, Date.now())).toEqual({ rows: 0, files: 1 });
    expect(await db.tx((tx) => recordBlob(tx, ANA, attachment, Date.now(), (tx) => files.has(attachment.sha256, tx)))).toBe(false);
    expect(await rowsOf(db, attachment.sha256)).toBe(0);
  });

  it('still collects an old row and its file that nothing names', async () => {
    const { db, files } = await freshStore(databaseUrl);
    const attachment = await oldBlob(db, files, 'borrador', true);
    expect(await collectBlobGarbage(db, files, Date.now())).toEqual({ rows: 1, files: 1 });
    expect(await files.has(attachment.sha256)).toBe(false);
    expect(await rowsOf(db, attachment.sha256)).toBe(0);
  });
});
