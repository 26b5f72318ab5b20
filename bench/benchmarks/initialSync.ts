// (e) Initial sync: the bench agent (10,000 visible conversations at scale 1, with their messages)
// signs in on a fresh device: a real client core (createCore, in this process) against a real server
// process; the snapshot streams in keyset pages, each applied as it arrives. Rows per second from
// sign-in to online, against raw prepared inserts of the same rows into a fresh mirror file.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createCore } from '../../src-main/core';
import { openMirror } from '../../src-main/core/mirror/db';
import { mirrorPath } from '../../src-main/core/session';
import { createHeadlessHost } from '../../src-main/host/headless/host';
import { BENCH_AGENT, BENCH_PASSWORD, buildDirectory } from '../lib/dataset';
import type { BenchContext } from '../lib/context';
import { ms, round, rssMiB, until, type Result } from '../lib/measure';
import { serverDataCopy, startServer } from '../lib/processes';
import type Database from 'better-sqlite3';

const TABLES = [
  'users',
  'teams',
  'inboxes',
  'contacts',
  'contact_fields',
  'closing_categories',
  'saved_views',
  'snippets',
  'conversations',
  'messages',
  'notifications',
];

function rawCopy(from: Database.Database, to: Database.Database): number {
  let rows = 0;
  const t = process.hrtime.bigint();
  for (const table of TABLES) {
    const all = from.prepare(`SELECT * FROM ${table}`).raw(true).all() as unknown[][];
    if (all.length === 0) continue;
    const cols = (from.prepare(`SELECT * FROM ${table} LIMIT 1`).columns() as { name: string }[]).map((c) => c.name);
    const insert = to.prepare(`INSERT INTO ${table} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`);
    for (let i = 0; i < all.length; i += 500)
      to.transaction(() => {
        for (const r of all.slice(i, i + 500)) insert.run(...r);
      })();
    rows += all.length;
  }
  void rows;
  return ms(t);
}

export async function initialSync(ctx: BenchContext): Promise<Result> {
  const agent = buildDirectory(ctx.manifest.shape).users.find((u) => u.id === BENCH_AGENT)!;
  const server = await startServer(serverDataCopy(ctx));
  const dataDir = join(ctx.work, 'initial-sync-client');
  mkdirSync(dataDir, { recursive: true });
  // Sync log lines: a reconnect while bootstrapping starts the snapshot over (what kept scale 1 from
  // finishing before the server paced the snapshot).
  const syncLog: string[] = [];
  const core = createCore({
    host: createHeadlessHost(dataDir, () => undefined),
    lang: null,
    defaultServerUrl: server.url,
    log: (line) => void syncLog.push(line),
  });
  try {
    await core.ready;
    const rssBefore = rssMiB();
    let firstPageMs: number | null = null;
    let peakRss = rssBefore;
    const t = process.hrtime.bigint();
    let snapshotsStarted = 0;
    core.events.on('sync.status', (status) => {
      if (status.state === 'bootstrapping') snapshotsStarted++;
    });
    core.events.on('mirror.changed', () => {
      firstPageMs ??= ms(t);
      peakRss = Math.max(peakRss, rssMiB());
    });
    await core.login(server.url, agent.email, BENCH_PASSWORD);
    await until(() => core.syncStatus().state === 'online', 1_800_000, 'the snapshot to be applied', 20);
    const syncMs = ms(t);
    const { db } = core.reader();
    const counts = Object.fromEntries(
      TABLES.map((table) => [table, db.prepare<[], { n: number }>(`SELECT count(*) AS n FROM ${table}`).get()!.n]),
    );
    const rows = Object.values(counts).reduce((a, b) => a + b, 0);

    const src = openMirror(mirrorPath(dataDir, server.url, agent.id));
    const dst = openMirror(join(ctx.work, 'initial-sync-raw.sqlite'));
    const rawMs = rawCopy(src.db, dst.db);
    src.close();
    dst.close();

    const rate = Math.round((rows / syncMs) * 1000);
    const rawRate = Math.round((rows / rawMs) * 1000);
    return {
      name: 'initial sync',
      ratioLabel: 'snapshot rows/s (sign-in to online) / raw insert rows/s',
      ratio: round(rate / rawRate, 3),
      target: null,
      met: null,
      figures: {
        visibleConversations: counts.conversations,
        rows,
        counts,
        signInToOnlineMs: round(syncMs),
        firstPageAppliedMs: firstPageMs === null ? null : round(firstPageMs),
        rowsPerSec: rate,
        rawInsertMs: round(rawMs),
        rawRowsPerSec: rawRate,
        clientRssBeforeMiB: round(rssBefore, 1),
        clientRssPeakMiB: round(peakRss, 1),
        bootstrappingStatusEvents: snapshotsStarted,
        reconnects: syncLog.filter((l) => /reconnect|no pong/i.test(l)).length,
      },
      notes: syncLog.slice(0, 5),
    };
  } finally {
    await core.close();
    await server.stop();
  }
}
