// (g) Start-up: the headless host process (the same launch() and core as the Electron app) started on a
// data folder signed in as the supervisor, with its server unreachable (the inbox opens offline, from
// the mirror). Time from spawn to the first `inbox.list` (view All, tab open, the renderer's 500 rows)
// answered over /ipc, and the process's memory then, over the dataset's mirror and over an empty one
// (median of 3 starts each). Then, in this process, every statement the start-up runs (the core's
// restore and the renderer's first calls) is explained: a full scan of the messages or the search index
// would mean start-up cost grows with the history.
import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createCore } from '../../src-main/core';
import { createHeadlessHost } from '../../src-main/host/headless/host';
import { createDispatch, createHandlers } from '../../src-main/ipc/dispatch';
import type { IpcArgs, IpcOp } from '../../src-shared/ipc';
import { connectIpc } from '../../tests/support/ipc-client';
import { MIRROR_OWNER, buildDirectory } from '../lib/dataset';
import type { BenchContext } from '../lib/context';
import { ms, percentile, round, rssMiB, type Result } from '../lib/measure';
import { prepareClientData } from '../lib/clientData';
import { freePort, spawnReady } from '../lib/processes';

/** What the renderer asks for when the inbox first shows (state/queries.ts and the app shell). */
const FIRST_CALLS: { op: IpcOp; args: unknown }[] = [
  { op: 'session.get', args: {} },
  { op: 'sync.status', args: {} },
  { op: 'directory.get', args: {} },
  { op: 'view.list', args: {} },
  { op: 'inbox.counts', args: {} },
  { op: 'inbox.list', args: { view: { kind: 'all' }, status: 'open', sort: 'newest', limit: 500 } },
  { op: 'notifications.list', args: {} },
  { op: 'tags.list', args: {} },
];

async function startOnce(ctx: BenchContext, mirror: string | null, n: number) {
  const owner = buildDirectory(ctx.manifest.shape).users.find((u) => u.id === MIRROR_OWNER)!;
  const dataDir = join(ctx.work, `startup-${mirror ? 'big' : 'empty'}-${n}`);
  // Nobody listens there: the client starts offline, as on a train.
  const serverUrl = `http://127.0.0.1:${await freePort()}`;
  prepareClientData(dataDir, serverUrl, owner, mirror);
  const token = randomBytes(16).toString('hex');
  const t = process.hrtime.bigint();
  const host = await spawnReady(
    ['src-main/host/headless/cli.ts', '--server', serverUrl, '--port', '0', '--data-dir', dataDir],
    /Bandeja headless UI on (http:\/\/127\.0\.0\.1:\d+)/,
    { BANDEJA_IPC_TOKEN: token },
  );
  try {
    const readyMs = ms(t);
    const ipc = await connectIpc(host.url, token);
    const list = await ipc.ok('inbox.list', { view: { kind: 'all' }, status: 'open', sort: 'newest', limit: 500 });
    const firstListMs = ms(t);
    const counts = await ipc.ok('inbox.counts', {});
    const countsMs = ms(t);
    const rss = rssMiB(host.pid);
    ipc.close();
    return { readyMs, firstListMs, countsMs, rss, rows: list.length, views: Object.keys(counts).length };
  } finally {
    await host.stop();
  }
}

/** Runs the start-up in this process with every prepared statement recorded, then explains each. */
async function scansAtStart(ctx: BenchContext): Promise<{ statements: number; fullScans: string[]; conversationScans: string[] }> {
  const owner = buildDirectory(ctx.manifest.shape).users.find((u) => u.id === MIRROR_OWNER)!;
  const dataDir = join(ctx.work, 'startup-explain');
  const serverUrl = `http://127.0.0.1:${await freePort()}`;
  const mirrorFile = prepareClientData(dataDir, serverUrl, owner, ctx.data.mirror);
  const seen = new Set<string>();
  const proto = Database.prototype as unknown as { prepare: (sql: string) => unknown };
  const original = proto.prepare;
  proto.prepare = function (this: unknown, sql: string) {
    seen.add(sql);
    return original.call(this, sql);
  };
  try {
    const core = createCore({
      host: createHeadlessHost(dataDir, () => undefined),
      lang: null,
      defaultServerUrl: serverUrl,
      log: () => undefined,
    });
    await core.ready;
    const dispatch = createDispatch(createHandlers(core), () => undefined);
    for (const c of FIRST_CALLS) {
      const reply = await dispatch(c.op, c.args as IpcArgs<typeof c.op>);
      if (!reply.ok) throw new Error(`${c.op} failed at start-up: ${JSON.stringify(reply.error)}`);
    }
    await core.close();
  } finally {
    proto.prepare = original;
  }
  const db = new Database(mirrorFile, { readonly: true });
  db.function('js_lower', { deterministic: true }, (v: unknown) => v);
  const fullScans: string[] = [];
  const conversationScans: string[] = [];
  for (const sql of seen) {
    if (!/^\s*(SELECT|WITH)/i.test(sql)) continue;
    let plan: { detail: string }[];
    try {
      plan = db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[];
    } catch {
      continue;
    }
    const short = sql.replace(/\s+/g, ' ').slice(0, 90);
    for (const { detail } of plan) {
      if (/^SCAN (m|messages|messages_fts|f)\b(?! VIRTUAL TABLE INDEX)/.test(detail) && !/USING/.test(detail))
        fullScans.push(`${short} -> ${detail}`);
      else if (/^SCAN (c|conversations|o)\b/.test(detail) && !/USING (COVERING )?INDEX/.test(detail))
        conversationScans.push(`${short} -> ${detail}`);
    }
  }
  db.close();
  return { statements: seen.size, fullScans, conversationScans };
}

export async function startUp(ctx: BenchContext): Promise<Result> {
  const runs = async (mirror: string | null) => {
    const out = [];
    for (let i = 0; i < 3; i++) out.push(await startOnce(ctx, mirror, i));
    return out;
  };
  const big = await runs(ctx.data.mirror);
  const empty = await runs(null);
  const med = (xs: number[]) => percentile(xs, 50);
  const bigList = med(big.map((r) => r.firstListMs));
  const emptyList = med(empty.map((r) => r.firstListMs));
  const scans = await scansAtStart(ctx);
  const notes: string[] = [];
  if (scans.fullScans.length) notes.push(`full scans of messages at start-up: ${scans.fullScans.join(' | ')}`);
  if (scans.conversationScans.length)
    notes.push(
      `conversation-table passes at start-up (counters, ${ctx.manifest.counts.conversations} rows): ${scans.conversationScans.length}`,
    );
  return {
    name: 'start-up',
    ratioLabel: 'spawn to first inbox.list, big mirror / empty mirror',
    ratio: round(bigList / emptyList, 2),
    target: null,
    met: null,
    figures: {
      bigFirstListMs: round(bigList),
      emptyFirstListMs: round(emptyList),
      bigReadyLineMs: round(med(big.map((r) => r.readyMs))),
      emptyReadyLineMs: round(med(empty.map((r) => r.readyMs))),
      bigCountsAnsweredMs: round(med(big.map((r) => r.countsMs))),
      emptyCountsAnsweredMs: round(med(empty.map((r) => r.countsMs))),
      bigRssMiB: round(med(big.map((r) => r.rss)), 1),
      emptyRssMiB: round(med(empty.map((r) => r.rss)), 1),
      rowsListed: big[0]!.rows,
      statementsExplained: scans.statements,
      fullScansOfMessages: scans.fullScans.length,
      conversationScans: scans.conversationScans,
    },
    notes,
  };
}
