// (b) Search: the app's search as the renderer asks for it (`search.query`, 20 results, through the IPC
// dispatcher and handler of a real client core, offline, on a copy of the dataset's mirror: the same
// mirror/search.ts `search` the app runs, contacts included) p95 against what the issue names, a
// `LIKE '%term%'` scan of the same messages table: every row read (NOT INDEXED, ordered by an expression
// so the rowid cannot give the order), the 20 newest matches kept by SQLite's top-N sorter. For a rare
// term, the most common word and the most common two-letter prefix of the dataset; each term's matches
// and its rank in the index's vocabulary are reported, and the hits of both sides compared.
// Secondary figure: the same LIKE walking the rowid newest first and stopping at the 20th match (what a
// LIKE costs with a time index: for a common term it stops within the first rows read).
// Also the message query as it was before messageQuery (FTS5's own prefix query for every word), timed in
// the same run: same messages in the same order. Every side runs once per round, in turn; the ratio is of
// CPU-time p95 (lib/measure.ts Timings), the wall-clock one beside it.
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { createCore } from '../../src-main/core';
import { MESSAGE_SEARCH_SQL, ftsQuery, messageQuery } from '../../src-main/core/mirror/search';
import { scopeClause } from '../../src-main/core/mirror/views';
import { createHeadlessHost } from '../../src-main/host/headless/host';
import { createDispatch, createHandlers } from '../../src-main/ipc/dispatch';
import type { SearchHits } from '../../src-shared/ipc';
import { prepareClientData } from '../lib/clientData';
import type { BenchContext } from '../lib/context';
import { MIRROR_OWNER, buildDirectory } from '../lib/dataset';
import { Timings, round, type Result } from '../lib/measure';
import { freePort } from '../lib/processes';
import { SEARCH_TERMS } from '../lib/texts';

const LIMIT = 20;
const ROUNDS = 40;
const WARMUP = 3;

/** Every row read: no index (NOT INDEXED), and `+m.seq` is an expression, so the order comes from a
 *  sorter (top-N: LIMIT rows kept) and not from walking the rowid. */
export const LIKE_SCAN_SQL = `SELECT m.id, m.conversation_id, m.body, m.created_at FROM messages AS m NOT INDEXED
  WHERE m.kind <> 'event' AND m.body LIKE ? ORDER BY +m.seq DESC LIMIT ?`;
/** The same LIKE walking the rowid (seq) newest first: it stops at the LIMIT-th match. */
const LIKE_WALK_SQL = `SELECT m.id, m.conversation_id, m.body, m.created_at FROM messages AS m
  WHERE m.kind <> 'event' AND m.body LIKE ? ORDER BY m.seq DESC LIMIT ?`;

/** How each term stands in the dataset: its rank among the index's words (or 2-letter prefixes) by
 *  messages, read from an fts5vocab `row` table (it counts every document of every word, once). */
function vocabulary(file: string) {
  const db = new Database(file, { readonly: true });
  try {
    db.exec('CREATE VIRTUAL TABLE temp.search_bench_vocab USING fts5vocab(main, messages_fts, row)');
    const words = db.prepare<[], { term: string; doc: number }>('SELECT term, doc FROM temp.search_bench_vocab ORDER BY doc DESC').all();
    const prefixes = db
      .prepare<[], { prefix: string; doc: number; words: number }>(
        `SELECT substr(term, 1, 2) AS prefix, sum(doc) AS doc, count(*) AS words FROM temp.search_bench_vocab
          WHERE length(term) >= 2 GROUP BY prefix ORDER BY doc DESC`,
      )
      .all();
    return { words, prefixes };
  } finally {
    db.close();
  }
}

export async function searchBench(ctx: BenchContext): Promise<Result> {
  const owner = buildDirectory(ctx.manifest.shape).users.find((u) => u.id === MIRROR_OWNER)!;
  const dataDir = join(ctx.work, 'search-client');
  // Nobody listens there: search works offline, from the mirror.
  const serverUrl = `http://127.0.0.1:${await freePort()}`;
  const mirrorFile = prepareClientData(dataDir, serverUrl, owner, ctx.data.mirror);
  const vocab = vocabulary(mirrorFile);
  const core = createCore({
    host: createHeadlessHost(dataDir, () => undefined),
    lang: null,
    defaultServerUrl: serverUrl,
    log: () => undefined,
  });
  const figures: Record<string, unknown> = {};
  /** [term, CPU-time ratio, wall-clock ratio] (see Timings: on a shared machine the wall time of a 1 ms
   *  search is mostly waiting for a core). */
  const ratios: [string, number, number][] = [];
  const walkRatios: number[] = [];
  const notes: string[] = [];
  try {
    await core.ready;
    const dispatch = createDispatch(createHandlers(core), (m) => notes.push(m));
    const appSearch = async (q: string): Promise<SearchHits> => {
      const reply = await dispatch('search.query', { q, limit: LIMIT });
      if (!reply.ok) throw new Error(`search.query "${q}" failed: ${JSON.stringify(reply.error)}`);
      return reply.result as SearchHits;
    };
    // The core's own read connection: the reference reads the same file through the same page cache.
    const { db, viewer } = core.reader();
    const scope = scopeClause(viewer);
    const messagesStmt = db.prepare<unknown[], { message_id: string }>(MESSAGE_SEARCH_SQL.replace('%SCOPE%', scope.sql));
    const messageIds = (match: string | null) => (match ? messagesStmt.all(match, ...scope.params, LIMIT).map((r) => r.message_id) : []);
    const likeScan = db.prepare<[string, number], { id: string }>(LIKE_SCAN_SQL);
    const likeWalk = db.prepare<[string, number], { id: string }>(LIKE_WALK_SQL);
    const plan = (sql: string) =>
      db
        .prepare<[string, number], { detail: string }>(`EXPLAIN QUERY PLAN ${sql}`)
        .all('%x%', LIMIT)
        .map((r) => r.detail)
        .join('; ');
    figures.likeScanPlan = plan(LIKE_SCAN_SQL);
    figures.likeWalkPlan = plan(LIKE_WALK_SQL);
    const searchable = db.prepare<[], { n: number }>(`SELECT count(*) AS n FROM messages WHERE kind <> 'event'`).get()!.n;
    figures.searchableMessages = searchable;

    for (const [label, term] of Object.entries(SEARCH_TERMS)) {
      const pattern = `%${term}%`;
      // Runs kept after the warm-up; each round runs every side once, so the machine's noise falls on
      // all of them alike.
      const fts = new Timings();
      const scan = new Timings();
      const walk = new Timings();
      const before = new Timings();
      const after = new Timings();
      const warm = new Timings();
      let hits: SearchHits = { contacts: [], messages: [] };
      let scanIds: string[] = [];
      let walkIds: string[] = [];
      let beforeIds: string[] = [];
      let afterIds: string[] = [];
      for (let i = 0; i < WARMUP + ROUNDS; i++) {
        const kept = (t: Timings) => (i < WARMUP ? warm : t);
        hits = await kept(fts).time(() => appSearch(term));
        scanIds = kept(scan).timeSync(() => likeScan.all(pattern, LIMIT).map((r) => r.id));
        walkIds = kept(walk).timeSync(() => likeWalk.all(pattern, LIMIT).map((r) => r.id));
        beforeIds = kept(before).timeSync(() => messageIds(ftsQuery(term)));
        afterIds = kept(after).timeSync(() => messageIds(messageQuery(db, term)));
      }
      const ftsIds = hits.messages.map((m) => m.messageId);
      const likeMatches = db
        .prepare<[string], { n: number }>(`SELECT count(*) AS n FROM messages WHERE kind <> 'event' AND body LIKE ?`)
        .get(pattern)!.n;
      const match = messageQuery(db, term);
      const ftsMatches = match
        ? db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM messages_fts WHERE messages_fts MATCH ?').get(match)!.n
        : 0;
      const folded = term.toLowerCase();
      const rank =
        label === 'prefix'
          ? { prefixRankByMessages: vocab.prefixes.findIndex((p) => p.prefix === folded) + 1, ofPrefixes: vocab.prefixes.length }
          : { wordRankByMessages: vocab.words.findIndex((w) => w.term === folded) + 1, ofWords: vocab.words.length };
      const ratio = scan.p95() / fts.p95();
      const cpuRatio = scan.p95('cpu') / fts.p95('cpu');
      const walkRatio = walk.p95() / fts.p95();
      ratios.push([label, cpuRatio, ratio]);
      walkRatios.push(walkRatio);
      const sameHits = JSON.stringify(ftsIds) === JSON.stringify(scanIds);
      figures[label] = {
        term,
        ...rank,
        ftsMatches,
        ftsShareOfMessages: round(ftsMatches / searchable, 4),
        likeMatches,
        app: { ...fts.stats(), messageHits: ftsIds.length, contactHits: hits.contacts.length },
        likeScan: { ...scan.stats(), hits: scanIds.length },
        speedUp: round(ratio, 1),
        speedUpCpu: round(cpuRatio, 1),
        sameHitsAsLikeScan: sameHits,
        likeScanHitsAlsoInWalk: JSON.stringify(scanIds) === JSON.stringify(walkIds),
        likeWalk: walk.stats(),
        speedUpOverWalk: round(walkRatio, 2),
        messageQuery: match,
        messagesBefore: before.stats(),
        messagesAfter: after.stats(),
        beforeOverAfterP95: round(before.p95() / after.p95(), 1),
        sameHitsAsBefore: JSON.stringify(beforeIds) === JSON.stringify(afterIds),
      };
      if (!sameHits) {
        const shared = ftsIds.filter((id) => scanIds.includes(id)).length;
        notes.push(
          `${label} "${term}": the LIKE scan's 20 newest differ from search's (${shared} of 20 shared): LIKE matches "${term}" anywhere in a word (${likeMatches} messages), search matches words that begin with it, accents folded (${ftsMatches}).`,
        );
      }
    }
  } finally {
    await core.close();
  }
  const [worstTerm, worst] = ratios.reduce((a, b) => (b[1] < a[1] ? b : a));
  const [worstWallTerm, , worstWall] = ratios.reduce((a, b) => (b[2] < a[2] ? b : a));
  figures.worstSpeedUpOverWalk = round(Math.min(...walkRatios), 2);
  if (worst < 100) notes.push(`worst speed-up over the LIKE scan: ${round(worst, 1)}x CPU time (target 100x).`);
  return {
    name: 'search',
    ratioLabel: `LIKE scan / search.query, CPU-time p95 (worst term: ${worstTerm}; wall-clock worst ${round(worstWall, 1)}x, ${worstWallTerm})`,
    ratio: round(worst, 1),
    target: '>= 100',
    met: worst >= 100,
    figures,
    notes,
  };
}
