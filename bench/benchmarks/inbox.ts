// (c) Inbox queries: every view (built-ins, two team queues, each saved view) and tab (status), first
// page (50, newest first, listInbox as `inbox.list` runs it), as the supervisor who owns the mirror and as
// the bench agent (scope clause on). The reference of each view and tab is a 1,000-conversation mirror cut
// from the dataset's (lib/cutMirror.ts: the app's schema, the directory, that tab's first page and a seeded
// sample of the other conversations), so both list the same page, same rows, same length: the ratio
// measures the queue's size, not how full the page is. Big and reference alternate run by run, 200 runs
// each; the ratio is of CPU-time p95 (lib/measure.ts Timings), wall-clock p50/p95 beside it.
// The counters (inbox.counts, every view at once) and the dock badge are reported beside them, against the
// dataset built at 1,000 conversations (scale 0.02): they read every view, not one page. inbox.counts is
// timed after one conversation changed (what the UI asks after every change), with nothing changed, after a
// snapshot (saved views counted again), and as it was before the saved views' counters were kept.
// Both datasets' mirrors are opened from private copies (bench/.work): opening migrates a file, and the
// dataset is shared with checkouts whose app may be older.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Mirror } from '../../src-main/core/mirror/db';
import { CHANGE_LOG_LIMIT } from '../../src-main/core/mirror/conversationChanges';
import { openMirror } from '../../src-main/core/mirror/db';
import { readSessionUser } from '../../src-main/core/mirror/meta';
import { waitingForMe } from '../../src-main/core/mirror/queries';
import { countView, inboxCounts, inboxListQuery, listInbox, listSavedViews, viewClause } from '../../src-main/core/mirror/views';
import { CONVERSATION_STATUSES, type ConversationStatus } from '../../src-shared/domain';
import type { InboxCounts, TabCounts } from '../../src-shared/ipc';
import { seesEverything, teamQueuesFor, viewKey, viewsFor, type ViewRef, type Viewer } from '../../src-shared/rules/visibility';
import { copyMirror, type BenchContext } from '../lib/context';
import { cutMirror } from '../lib/cutMirror';
import { BENCH_AGENT, teamId } from '../lib/dataset';
import { Timings, round, type Result } from '../lib/measure';

const PAGE = 50;
/** Conversations in each reference mirror. */
const REFERENCE_SIZE = 1000;
/** Alternating runs of each list on the big mirror and on its reference. */
const ROUNDS = 200;
const WARMUP = 10;
/** Changes when the way references are cut changes: cached references of another version are rebuilt. */
const CUT_VERSION = 2; // 2: mirror migration 8 (the tag index)

export const INBOX_VIEWS: { label: string; ref: ViewRef; supervisorOnly?: boolean }[] = [
  { label: 'mine', ref: { kind: 'mine' } },
  { label: 'unassigned', ref: { kind: 'unassigned' } },
  { label: 'all', ref: { kind: 'all' }, supervisorOnly: true },
  { label: 'teammates', ref: { kind: 'teammates' }, supervisorOnly: true },
  { label: 'team t-01', ref: { kind: 'team', teamId: teamId(0) } },
  { label: 'team t-06', ref: { kind: 'team', teamId: teamId(5) }, supervisorOnly: true },
  { label: 'saved whatsapp-unread', ref: { kind: 'saved', viewId: 'sv-whatsapp-unread' }, supervisorOnly: true },
  { label: 'saved vip', ref: { kind: 'saved', viewId: 'sv-vip' }, supervisorOnly: true },
  { label: 'saved waiting', ref: { kind: 'saved', viewId: 'sv-waiting' }, supervisorOnly: true },
  { label: 'saved queue', ref: { kind: 'saved', viewId: 'sv-queue' }, supervisorOnly: true },
];

type Role = 'supervisor' | 'agent';

function viewerOf(m: Mirror, role: Role): Viewer {
  if (role === 'supervisor') {
    const user = readSessionUser(m.read)!;
    return { id: user.id, role: user.role, teamIds: user.teamIds };
  }
  const row = m.read.prepare<[string], { team_ids: string }>('SELECT team_ids FROM users WHERE id = ?').get(BENCH_AGENT)!;
  return { id: BENCH_AGENT, role: 'agent', teamIds: JSON.parse(row.team_ids) as string[] };
}

/** The list's SQL and parameters, as listInbox runs them (for EXPLAIN QUERY PLAN). */
const listStatement = (m: Mirror, viewer: Viewer, view: ViewRef, status: ConversationStatus, now: number) =>
  inboxListQuery(m.read, viewer, { view, status, sort: 'newest', limit: PAGE }, now);

/** The plan's steps over the conversations and the tag index (the index a list reads) and any sort. */
function planOf(m: Mirror, stmt: { sql: string; params: unknown[] }): string {
  return m.read
    .prepare<unknown[], { detail: string }>(`EXPLAIN QUERY PLAN ${stmt.sql}`)
    .all(...stmt.params)
    .map((r) => r.detail)
    .filter((d) => /^(SEARCH|SCAN) [ct]\b|TEMP B-TREE/.test(d))
    .join('; ');
}

/** Reference mirrors are kept beside the dataset (bench/.data/scale-<s>/inbox-reference/v<n>/), each with a
 *  stamp (the dataset's build time and the page it must hold): rebuilt when either changes. */
function referenceFolder(ctx: BenchContext): string {
  const dir = join(ctx.data.dir, 'inbox-reference', `v${CUT_VERSION}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

interface Pair {
  key: string;
  big: Timings;
  small: Timings;
  rows: number;
  samePage: boolean;
  plan: string;
  samePlan: boolean;
  rebuilt: boolean;
}

const ids = (m: Mirror, viewer: Viewer, view: ViewRef, status: ConversationStatus, now: number) =>
  listInbox(m.read, viewer, { view, status, sort: 'newest', limit: PAGE }, now).map((c) => c.id);

function timeList(
  ctx: BenchContext,
  big: Mirror,
  role: Role,
  label: string,
  view: ViewRef,
  status: ConversationStatus,
  now: number,
  refDir: string,
): Pair {
  const key = `${role} · ${label} · ${status}`;
  const vb = viewerOf(big, role);
  const page = ids(big, vb, view, status, now);
  const file = join(refDir, `${key.replace(/[^a-z0-9]+/gi, '-')}.sqlite`);
  const stampFile = `${file}.json`;
  const stamp = JSON.stringify({ builtAt: ctx.manifest.builtAt, page });
  let rebuilt = false;
  if (!existsSync(file) || !existsSync(stampFile) || readFileSync(stampFile, 'utf8') !== stamp) {
    cutMirror(big.path, file, { keep: page, size: REFERENCE_SIZE, seed: 6 });
    writeFileSync(stampFile, stamp);
    rebuilt = true;
  }
  const small = openMirror(file);
  try {
    const vs = viewerOf(small, role);
    const samePage = JSON.stringify(ids(small, vs, view, status, now)) === JSON.stringify(page);
    const plan = planOf(big, listStatement(big, vb, view, status, now));
    const samePlan = plan === planOf(small, listStatement(small, vs, view, status, now));
    const run = (m: Mirror, v: Viewer) => listInbox(m.read, v, { view, status, sort: 'newest', limit: PAGE }, now).length;
    const pair: Pair = { key, big: new Timings(), small: new Timings(), rows: page.length, samePage, plan, samePlan, rebuilt };
    const warm = new Timings();
    for (let i = 0; i < WARMUP + ROUNDS; i++) {
      const [b, s] = i < WARMUP ? [warm, warm] : [pair.big, pair.small];
      // Alternating which goes first, so neither always runs right after the other.
      if (i % 2 === 0) {
        b.timeSync(() => run(big, vb));
        s.timeSync(() => run(small, vs));
      } else {
        s.timeSync(() => run(small, vs));
        b.timeSync(() => run(big, vb));
      }
    }
    return pair;
  } finally {
    small.close();
  }
}

function countEveryView(m: Mirror, viewer: Viewer, now: number) {
  const teams = m.read
    .prepare<[], { id: string }>('SELECT id FROM teams_view ORDER BY name, id')
    .all()
    .map((t) => t.id);
  const refs: ViewRef[] = [
    ...viewsFor(viewer.role).map((kind) => ({ kind })),
    ...teamQueuesFor(viewer, teams).map((teamId) => ({ kind: 'team' as const, teamId })),
    ...listSavedViews(m.read, viewer).map((v) => ({ kind: 'saved' as const, viewId: v.id })),
  ];
  return Object.fromEntries(refs.map((ref) => [viewKey(ref), countView(m.read, viewer, ref, now)]));
}

const ROLLBACK = new Error('rollback');
let touched = 0;

/** Changes `n` conversations (the next ones in turn) in a transaction rolled back: the mirror stays as it
 *  was, but the counters' change log saw them (savedViewCounts.ts looks at each again, as after a real
 *  change; beyond CHANGE_LOG_LIMIT it counts everything again, as after a snapshot). */
function touch(m: Mirror, n: number): void {
  try {
    m.db.transaction(() => {
      const total = m.read.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM conversations').get()!.n;
      const offset = touched++ % Math.max(1, total - n);
      m.db
        .prepare(
          'UPDATE conversations SET unread_count = unread_count + 1 WHERE rowid IN (SELECT rowid FROM conversations LIMIT ? OFFSET ?)',
        )
        .run(n, offset);
      throw ROLLBACK;
    })();
  } catch (e) {
    if (e !== ROLLBACK) throw e;
  }
}

interface TallyRow {
  team_key: string;
  assignee_key: string;
  status: string;
  n: number;
  waiting: number;
  unread: number;
}

/** inbox.counts as it was before the saved views' counters were kept (views.ts at 9490932): every tally
 *  row read and filtered per view, and each saved view counted. */
function countedAsBefore(m: Mirror, viewer: Viewer, now: number): InboxCounts {
  const db = m.read;
  const teams = db
    .prepare<[], { id: string }>('SELECT id FROM teams_view ORDER BY name, id')
    .all()
    .map((t) => t.id);
  const refs: ViewRef[] = [
    ...viewsFor(viewer.role).map((kind) => ({ kind })),
    ...teamQueuesFor(viewer, teams).map((teamId) => ({ kind: 'team' as const, teamId })),
    ...listSavedViews(db, viewer).map((v) => ({ kind: 'saved' as const, viewId: v.id })),
  ];
  const tallies = db.prepare<[], TallyRow>('SELECT * FROM conversation_tallies WHERE n <> 0').all();
  const inScope = seesEverything(viewer.role)
    ? () => true
    : (t: TallyRow) => t.assignee_key === viewer.id || (t.assignee_key === '' && viewer.teamIds.includes(t.team_key));
  const counts: InboxCounts = {};
  for (const ref of refs) {
    if (ref.kind === 'saved') {
      counts[viewKey(ref)] = countView(db, viewer, ref, now);
      continue;
    }
    viewClause(db, viewer, ref, now);
    const filter =
      ref.kind === 'mine'
        ? (t: TallyRow) => t.assignee_key === viewer.id && inScope(t)
        : ref.kind === 'unassigned'
          ? (t: TallyRow) => t.assignee_key === '' && inScope(t)
          : ref.kind === 'all'
            ? inScope
            : ref.kind === 'teammates'
              ? (t: TallyRow) => t.assignee_key !== '' && t.assignee_key !== viewer.id && inScope(t)
              : (t: TallyRow) => t.team_key === (ref as { teamId: string }).teamId && inScope(t);
    const tabs: TabCounts = { open: 0, pending: 0, snoozed: 0, closed: 0, waiting: 0, unread: 0 };
    for (const t of tallies)
      if (filter(t)) {
        if (t.status in tabs) tabs[t.status as keyof TabCounts] += t.n;
        tabs.waiting += t.waiting;
        tabs.unread += t.unread;
      }
    counts[viewKey(ref)] = tabs;
  }
  return counts;
}

/** Counters and the dock badge, read after every change: big mirror against the 1,000-conversation dataset. */
function timeCounters(big: Mirror, small: Mirror, role: Role, now: number) {
  const vb = viewerOf(big, role);
  const vs = viewerOf(small, role);
  const k = {
    changed: `${role} · inbox.counts (every view, after one conversation changed)`,
    still: `${role} · inbox.counts, nothing changed since the last call`,
    snapshot: `${role} · inbox.counts after a snapshot (saved views counted again)`,
    asBefore: `${role} · inbox.counts as before (every tally read, a count per saved view)`,
    badge: `${role} · dock badge`,
    beforeTallies: `${role} · inbox.counts before tallies (a count per view)`,
  };
  const counts = (m: Mirror, v: Viewer) => inboxCounts(m.read, v, now);
  // `before` runs untimed just before each timed call (a change the call must meet).
  const queries: { key: string; run: (m: Mirror, v: Viewer) => unknown; before?: (m: Mirror) => void }[] = [
    { key: k.changed, run: counts, before: (m) => touch(m, 1) },
    { key: k.still, run: counts },
    { key: k.snapshot, run: counts, before: (m) => touch(m, CHANGE_LOG_LIMIT + 1) },
    { key: k.asBefore, run: (m, v) => countedAsBefore(m, v, now) },
    { key: k.badge, run: (m, v) => waitingForMe(m.read, v) },
    // Before the tallies (mirror migration 6): one GROUP BY over the conversations per view.
    { key: k.beforeTallies, run: (m, v) => countEveryView(m, v, now) },
  ];
  const out: Record<string, { big: ReturnType<Timings['stats']>; small: ReturnType<Timings['stats']>; ratio: number; ratioCpu: number }> =
    {};
  for (const q of queries) {
    const b = new Timings();
    const s = new Timings();
    const warm = new Timings();
    for (let i = 0; i < 43; i++)
      for (const [m, v, t] of [
        [big, vb, b],
        [small, vs, s],
      ] as const) {
        q.before?.(m);
        (i < 3 ? warm : t).timeSync(() => q.run(m, v));
      }
    out[q.key] = { big: b.stats(), small: s.stats(), ratio: round(b.p95() / s.p95(), 2), ratioCpu: round(b.p95('cpu') / s.p95('cpu'), 2) };
  }
  const now1 = JSON.stringify(inboxCounts(big.read, vb, now));
  const sameCounts = now1 === JSON.stringify(countEveryView(big, vb, now)) && now1 === JSON.stringify(countedAsBefore(big, vb, now));
  const p95 = (key: string) => out[key]!.big.p95Ms;
  return {
    ...out,
    [`${role} · inbox.counts before/after p95`]: {
      beforeTallies: p95(k.beforeTallies),
      beforeSavedViewCounters: p95(k.asBefore),
      afterOneChange: p95(k.changed),
      nothingChanged: p95(k.still),
      afterSnapshot: p95(k.snapshot),
      ratio: round(p95(k.asBefore) / p95(k.changed), 1),
      sameCounts,
    },
  };
}

export async function inbox(ctx: BenchContext): Promise<Result> {
  // A fixed "now" inside the dataset's time span, so the waiting filter means the same on both sizes.
  const now = Date.UTC(2026, 6, 1);
  const refDir = referenceFolder(ctx);
  const big = openMirror(copyMirror(ctx, ctx.data.mirror, 'inbox-big.sqlite'));
  const pairs: Pair[] = [];
  let counters: Record<string, unknown> = {};
  try {
    for (const role of ['supervisor', 'agent'] as const)
      for (const v of INBOX_VIEWS) {
        if (role === 'agent' && v.supervisorOnly) continue;
        for (const status of CONVERSATION_STATUSES) pairs.push(timeList(ctx, big, role, v.label, v.ref, status, now, refDir));
      }
    const small = openMirror(copyMirror(ctx, ctx.reference.mirror, 'inbox-small.sqlite'));
    try {
      counters = { ...timeCounters(big, small, 'supervisor', now), ...timeCounters(big, small, 'agent', now) };
    } finally {
      small.close();
    }
  } finally {
    big.close();
  }

  const figures: Record<string, unknown> = {};
  const worst = {
    cpuP95: { key: '', ratio: 0 },
    cpuP50: { key: '', ratio: 0 },
    wallP95: { key: '', ratio: 0 },
    wallP50: { key: '', ratio: 0 },
  };
  const misses: string[] = [];
  const notes: string[] = [];
  for (const p of pairs) {
    const r = {
      cpuP95: p.big.p95('cpu') / p.small.p95('cpu'),
      cpuP50: p.big.p50('cpu') / p.small.p50('cpu'),
      wallP95: p.big.p95() / p.small.p95(),
      wallP50: p.big.p50() / p.small.p50(),
    };
    figures[p.key] = {
      rows: p.rows,
      big: p.big.stats(),
      small: p.small.stats(),
      ratioCpuP95: round(r.cpuP95, 2),
      ratioCpuP50: round(r.cpuP50, 2),
      ratioP95: round(r.wallP95, 2),
      ratioP50: round(r.wallP50, 2),
      ...(p.samePlan ? {} : { planDiffers: true }),
    };
    if (!p.samePage) notes.push(`${p.key}: the reference does not list the same page (a bug in the cut).`);
    for (const k of ['cpuP95', 'cpuP50', 'wallP95', 'wallP50'] as const) if (r[k] > worst[k].ratio) worst[k] = { key: p.key, ratio: r[k] };
    if (r.cpuP95 > 2 || r.wallP95 > 2)
      misses.push(
        `${p.key}: CPU ${round(r.cpuP95, 1)}x p95 / ${round(r.cpuP50, 1)}x p50, wall ${round(r.wallP95, 1)}x p95 / ${round(r.wallP50, 1)}x p50 (${p.plan})`,
      );
  }
  figures.worst = {
    ...Object.fromEntries(Object.entries(worst).map(([k, w]) => [k, { key: w.key, ratio: round(w.ratio, 2) }])),
    plan: pairs.find((p) => p.key === worst.cpuP95.key)!.plan,
    pairs: pairs.length,
    rounds: ROUNDS,
    referencesRebuilt: pairs.filter((p) => p.rebuilt).length,
    everyReferenceListsTheSamePage: pairs.every((p) => p.samePage),
  };
  Object.assign(figures, counters);
  if (misses.length) notes.push(`over 2x: ${misses.join(' | ')}`);
  return {
    name: 'inbox queries',
    ratioLabel: `first page, CPU-time p95 at ${ctx.manifest.counts.conversations} / same page at ${REFERENCE_SIZE} conversations (worst view and tab: ${worst.cpuP95.key}; wall-clock worst ${round(worst.wallP95.ratio, 2)}x, ${worst.wallP95.key})`,
    ratio: round(worst.cpuP95.ratio, 2),
    target: '<= 2',
    met: worst.cpuP95.ratio <= 2,
    figures,
    notes,
  };
}
