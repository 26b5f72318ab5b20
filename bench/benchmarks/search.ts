// (b) Search: the mirror's full-text search (mirror/search.ts `search`, what `search.query` runs, 20
// results) p95 against `LIKE '%term%'` over the same messages table returning the same page (newest 20
// matches), for a rare term, a very common one and a two-letter prefix. Run as the mirror's owner.
import { search } from '../../src-main/core/mirror/search';
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
  try {
    for (const [label, term] of Object.entries(SEARCH_TERMS)) {
      const fts = sample(() => search(db, viewer, term, LIMIT), 30, 3);
      const likeStmt = db.prepare<[string, number], unknown>(LIKE_SQL);
      const like = sample(() => likeStmt.all(`%${term}%`, LIMIT), 8, 1);
      const matches = (db.prepare<[string], { n: number }>(LIKE_COUNT_SQL).get(`%${term}%`)!).n;
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
      };
      if (ratio < 100)
        notes.push(`${label} "${term}": ${round(ratio, 1)}x. The LIKE reference stops after the newest ${LIMIT} matches (seq is the rowid), so a term in most messages is found within the first rows scanned.`);
    }
  } finally {
    mirror.close();
  }
  const worst = Math.min(...ratios);
  return { name: 'search', ratioLabel: 'LIKE p95 / FTS p95 (worst term)', ratio: round(worst, 1), target: '>= 100', met: worst >= 100, figures, notes };
}
