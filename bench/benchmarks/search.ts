// (b) Search: the mirror's full-text search (mirror/search.ts `search`, what `search.query` runs, 20
// results) p95 against `LIKE '%term%'` over the same messages table returning the same page (newest 20
// matches), for a rare term, a very common one and a two-letter prefix. Run as the mirror's owner.
// The message query as it was before messageQuery (FTS5's own prefix query for every word) is timed in
// the same run, and its hits compared with today's: they must be the same messages in the same order.
import { MESSAGE_SEARCH_SQL, ftsQuery, messageQuery, search } from '../../src-main/core/mirror/search';
import { scopeClause } from '../../src-main/core/mirror/views';
import { openWithViewer, type BenchContext } from '../lib/context';
import { percentile, round, sample, type Result } from '../lib/measure';
import { SEARCH_TERMS } from '../lib/texts';

const LIMIT = 20;
const LIKE_SQL = `SELECT m.id, m.conversation_id, m.body, m.created_at FROM messages m
  WHERE m.kind <> 'event' AND m.body LIKE ? ORDER BY m.seq DESC LIMIT ?`;
const LIKE_COUNT_SQL = `SELECT count(*) AS n FROM messages m WHERE m.kind <> 'event' AND m.body LIKE ?`;

export async function searchBench(ctx: BenchContext): Promise<Result> {
  const { mirror, viewer } = openWithViewer(ctx.data.mirror);
  const db = mirror.read;
  const figures: Record<string, unknown> = {};
  const ratios: number[] = [];
  const notes: string[] = [];
  const scope = scopeClause(viewer);
  const messagesStmt = db.prepare<unknown[], { message_id: string }>(MESSAGE_SEARCH_SQL.replace('%SCOPE%', scope.sql));
  const messageIds = (match: string | null) => (match ? messagesStmt.all(match, ...scope.params, LIMIT).map((r) => r.message_id) : []);
  try {
    for (const [label, term] of Object.entries(SEARCH_TERMS)) {
      // Before and after alternate run by run, so the machine's noise falls on both alike.
      const before: number[] = [];
      const after: number[] = [];
      let beforeIds: string[] = [];
      let afterIds: string[] = [];
      for (let i = 0; i < 33; i++) {
        const b = sample(() => messageIds(ftsQuery(term)), 1, 0);
        const a = sample(() => messageIds(messageQuery(db, term)), 1, 0);
        if (i < 3) continue;
        before.push(b.times[0]!);
        after.push(a.times[0]!);
        [beforeIds, afterIds] = [b.last, a.last];
      }
      const fts = sample(() => search(db, viewer, term, LIMIT), 30, 3);
      const likeStmt = db.prepare<[string, number], unknown>(LIKE_SQL);
      const like = sample(() => likeStmt.all(`%${term}%`, LIMIT), 8, 1);
      const matches = db.prepare<[string], { n: number }>(LIKE_COUNT_SQL).get(`%${term}%`)!.n;
      const ftsP95 = percentile(fts.times, 95);
      const likeP95 = percentile(like.times, 95);
      const ratio = likeP95 / ftsP95;
      ratios.push(ratio);
      figures[label] = {
        term,
        messagesMatchingLike: matches,
        ftsHits: fts.last.messages.length,
        ftsP50Ms: round(percentile(fts.times, 50), 3),
        ftsP95Ms: round(ftsP95, 3),
        likeP50Ms: round(percentile(like.times, 50), 3),
        likeP95Ms: round(likeP95, 3),
        speedUp: round(ratio, 1),
        messageQuery: messageQuery(db, term),
        messagesBeforeP50Ms: round(percentile(before, 50), 3),
        messagesBeforeP95Ms: round(percentile(before, 95), 3),
        messagesAfterP50Ms: round(percentile(after, 50), 3),
        messagesAfterP95Ms: round(percentile(after, 95), 3),
        beforeOverAfterP95: round(percentile(before, 95) / percentile(after, 95), 1),
        sameHitsAsBefore: JSON.stringify(beforeIds) === JSON.stringify(afterIds),
      };
      if (ratio < 100)
        notes.push(
          `${label} "${term}": ${round(ratio, 1)}x. The LIKE reference stops after the newest ${LIMIT} matches (seq is the rowid), so a term in most messages is found within the first rows scanned.`,
        );
    }
  } finally {
    mirror.close();
  }
  const worst = Math.min(...ratios);
  return {
    name: 'search',
    ratioLabel: 'LIKE p95 / FTS p95 (worst term)',
    ratio: round(worst, 1),
    target: '>= 100',
    met: worst >= 100,
    figures,
    notes,
  };
}
