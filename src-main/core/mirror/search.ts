// One search box over the mirror (works offline): contacts by name, email or phone, and messages and
// notes by their text, accent- and case-insensitive (FTS5 unicode61 remove_diacritics 2).
// Results stream newest first straight from the index (rowid = the message's seq): never ranked,
// so a very common word costs no more than a rare one (see messageQuery for the prefixes).
import type { SearchHits } from '../../../src-shared/ipc';
import type { Viewer } from '../../../src-shared/rules/visibility';
import type { ReadonlyDb } from './db';
import { scopeClause } from './views';

/** Turns what a person typed into an FTS5 query: every word becomes a quoted prefix term, so FTS syntax
 *  in the input (quotes, *, -, NEAR, column:) is only ever text. Words are runs of letters and digits,
 *  the same split the unicode61 tokenizer makes. Single letters are dropped (a one-letter prefix would
 *  match most of the index); null when nothing is left to look for. */
export function ftsQuery(input: string): string | null {
  const words = input.match(/[\p{L}\p{N}\p{M}]+/gu) ?? [];
  const terms = words.filter((w) => w.length >= 2).map((w) => `"${w.replaceAll('"', '""')}"*`);
  return terms.length ? terms.join(' ') : null;
}

/** Phone numbers are also indexed as digits only: "+55 (11) 9999-8888" is looked up as 5511999988 88. */
function phoneQuery(input: string): string | null {
  if (!/^[\d\s()+\-./]+$/.test(input.trim())) return null;
  const digits = input.replace(/\D/g, '');
  return digits.length >= 3 ? `search_phones : "${digits}"*` : null;
}

/** Prefixes up to this length have their own FTS index (FTS_OPTIONS `prefix = '2 3'`). */
const INDEXED_PREFIX = 3;
/** A longer prefix that covers more words than this keeps FTS5's own prefix query. */
const MAX_EXPANSION = 32;
/** Letters whose folding by unicode61 (remove_diacritics 2) is certain: ASCII and the accented Latin
 *  letters of Spanish, Portuguese and French, which fold to their NFD base letter. A word with any other
 *  character keeps FTS5's own prefix query, whose folding is FTS5's. */
const FOLDABLE = /^[a-z0-9áàâãäåéèêëíìîïóòôõöúùûüçñýÿ]+$/;

/** The next vocabulary term at or after `from` (fts5vocab `instance` seeks there and stops at once;
 *  the `row` kind would count every document of each term first). */
const NEXT_TERM_SQL = 'SELECT term FROM messages_fts_terms WHERE term >= ? LIMIT 1';

/** The index's words that begin with `prefix` (already folded), or null when there are too many. */
function wordsWithPrefix(db: ReadonlyDb, prefix: string): string[] | null {
  const next = db.prepare<[string], { term: string }>(NEXT_TERM_SQL);
  const words: string[] = [];
  let from = prefix;
  for (;;) {
    const term = next.get(from)?.term;
    if (term === undefined || !term.startsWith(prefix)) return words;
    if (words.length === MAX_EXPANSION) return null;
    words.push(term);
    // The smallest string after `term`: the seek skips the rest of its instances.
    from = `${term}\u0000`;
  }
}

const quoted = (word: string) => `"${word.replaceAll('"', '""')}"`;

/** The FTS5 query for messages. A prefix term longer than the prefix indexes makes FTS5 merge the
 *  doclists of every word it covers before the first row comes out (21 ms p50 / 72 ms p95 for "pedido"
 *  over 1,000,000 messages, bench/benchmarks/search.ts); written as the OR of those words, it streams
 *  newest first and stops at the limit. Same matches as ftsQuery's, in the same order. An empty string
 *  means that a word has no match at all. */
export function messageQuery(db: ReadonlyDb, input: string): string | null {
  const words = (input.match(/[\p{L}\p{N}\p{M}]+/gu) ?? []).filter((w) => w.length >= 2);
  if (words.length === 0) return null;
  const terms: string[] = [];
  for (const word of words) {
    const lower = word.toLowerCase();
    const folded = lower.normalize('NFD').replace(/\p{M}/gu, '');
    const covered = folded.length > INDEXED_PREFIX && FOLDABLE.test(lower) ? wordsWithPrefix(db, folded) : null;
    if (covered === null) terms.push(`${quoted(word)}*`);
    else if (covered.length === 0) return '';
    else terms.push(covered.length === 1 ? quoted(covered[0]!) : `(${covered.map(quoted).join(' OR ')})`);
  }
  return terms.join(' AND ');
}

export const MESSAGE_SEARCH_SQL = `SELECT m.id AS message_id, m.conversation_id,
    snippet(messages_fts, 0, char(2), char(3), '…', 12) AS snippet, m.created_at,
    COALESCE(oct.name, ct.name, '') AS contact_name
  FROM messages_fts f
  JOIN messages m ON m.seq = f.rowid
  JOIN conversations c ON c.id = m.conversation_id
  LEFT JOIN contacts ct ON ct.id = c.contact_id LEFT JOIN overlay_contacts oct ON oct.id = c.contact_id
  WHERE messages_fts MATCH ? AND m.kind <> 'event' AND (%SCOPE%)
  ORDER BY f.rowid DESC LIMIT ?`;

export const CONTACT_SEARCH_SQL = `SELECT ct.id, ct.name, ct.phones, ct.emails,
    (SELECT cv.id FROM conversations cv WHERE cv.contact_id = ct.id ORDER BY cv.last_message_at DESC LIMIT 1) AS conversation_id
  FROM contacts_fts f
  JOIN contacts ct ON ct.rowid = f.rowid
  WHERE contacts_fts MATCH ? AND ct.merged_into_id IS NULL
    AND ct.id NOT IN (SELECT id FROM overlay_contacts WHERE merged_into_id IS NOT NULL)
  ORDER BY f.rowid DESC LIMIT ?`;

export function search(db: ReadonlyDb, viewer: Viewer, input: string, limit: number): SearchHits {
  const query = ftsQuery(input);
  if (!query) return { contacts: [], messages: [] };
  const phone = phoneQuery(input);
  const contactMatch = phone ? `(${query}) OR (${phone})` : query;
  const contacts = db
    .prepare<[string, number], { id: string; name: string; phones: string; emails: string; conversation_id: string | null }>(
      CONTACT_SEARCH_SQL,
    )
    .all(contactMatch, limit)
    .map((r) => ({
      id: r.id,
      name: r.name,
      phones: JSON.parse(r.phones) as string[],
      emails: JSON.parse(r.emails) as string[],
      conversationId: r.conversation_id,
    }));
  // The mirror only holds what the viewer may see; the scope is checked again on the confirmed row
  // (a primary-key lookup) so a conversation on its way out of scope is not found meanwhile.
  const scope = scopeClause(viewer);
  const messageMatch = messageQuery(db, input);
  const messages = !messageMatch
    ? []
    : db
        .prepare<unknown[], { message_id: string; conversation_id: string; snippet: string; created_at: number; contact_name: string }>(
          MESSAGE_SEARCH_SQL.replace('%SCOPE%', scope.sql),
        )
        .all(messageMatch, ...scope.params, limit)
        .map((r) => ({
          messageId: r.message_id,
          conversationId: r.conversation_id,
          contactName: r.contact_name,
          snippet: r.snippet,
          createdAt: r.created_at,
        }));
  return { contacts, messages };
}
