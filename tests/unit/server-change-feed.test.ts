// The change-log reads a tenant's connections share (src-server/sync/feed.ts), on a real PGlite store.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openPglite, type Db } from '../../src-server/store/db';
import { migrate } from '../../src-server/store/migrate';
import { ChangeFeed } from '../../src-server/sync/feed';

let db: Db;

beforeEach(async () => {
  db = await openPglite(join(mkdtempSync(join(tmpdir(), 'bandeja-feed-')), 'pgdata'));
  await migrate(db);
  await db.query("INSERT INTO tenants (id, name, version, epoch, created_at) VALUES ('t1', 'T', 5, 'e', 0)");
});

afterEach(async () => {
  await db.close();
});

describe('ChangeFeed', () => {
  it('never hands a connection poked after a commit a tenant read issued before it (it would stop short of that commit)', async () => {
    const feed = new ChangeFeed(db);
    const early = feed.tenant('t1', feed.mark());
    // A commit lands while that read is still in flight, then pokes a connection.
    const commit = db.query("UPDATE tenants SET version = 6 WHERE id = 't1'");
    const mark = feed.mark();
    const late = feed.tenant('t1', mark);
    await commit;
    expect((await early)!.version).toBe(5);
    expect((await late)!.version).toBe(6);
  });

  it('gives every connection poked by the same commit one shared read', async () => {
    const feed = new ChangeFeed(db);
    const marks = [feed.mark(), feed.mark(), feed.mark()];
    const reads = marks.map((m) => feed.tenant('t1', m));
    expect(reads[1]).toBe(reads[0]);
    expect(reads[2]).toBe(reads[0]);
    expect((await reads[0])!.version).toBe(5);
    const pages = [feed.changes('t1', 0, 5, 1000), feed.changes('t1', 0, 5, 1000)];
    expect(pages[1]).toBe(pages[0]);
    expect((await pages[0]).to).toBe(5);
  });
});
