// A process that runs one blob collection (src-server/blobs/gc.ts) on the store DATABASE_URL and the
// BANDEJA_BLOB_STORE settings name, starting at START_AT (epoch ms, or "stdin") so that several start at once, and
// prints what it removed as one JSON line: { rows, files, removed: sha256[] }.
//   node --import tsx tests/support/collect-blobs.ts
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../src-server/app';
import { collectBlobGarbage } from '../../src-server/blobs/gc';
import { blobStoreFromEnv } from '../../src-server/blobs/stores';

const dataDir = mkdtempSync(join(tmpdir(), 'bandeja-collect-'));
const db = await openStore({ dataDir, databaseUrl: process.env.DATABASE_URL });
const store = blobStoreFromEnv(process.env, { db, dataDir });
// START_AT=stdin: says "ready" once the store is open, and starts on a line from its standard input.
if (process.env.START_AT === 'stdin') {
  process.stdout.write('ready\n');
  await new Promise((resolve) => process.stdin.once('data', resolve));
} else {
  const wait = Number(process.env.START_AT ?? 0) - Date.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
}
const removed: string[] = [];
const result = await collectBlobGarbage(db, store, Date.now(), (sha256) => removed.push(sha256));
process.stdout.write(`${JSON.stringify({ ...result, removed })}\n`);
await store.close();
await db.close();
