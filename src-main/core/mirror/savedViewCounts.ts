// Counters of saved views, kept between calls. A saved view's filters can be anything (tags, channels,
// waiting minutes), so no tally describes it: its conversations are counted once, remembered with what
// each adds to the counters, and afterwards only the conversations changed since the last call
// (conversationChanges.ts) are looked at again, plus, for a "waiting more than N minutes" view, those whose
// wait passed N minutes meanwhile. Each look is the view's own SQL, so the counters always equal a count
// of the view's conversations (tests/unit/mirror-saved-view-counts.test.ts).
import { CONVERSATION_STATUSES, type ConversationStatus } from '../../../src-shared/domain';
import type { TabCounts } from '../../../src-shared/ipc';
import { conversationChangesOf } from './conversationChanges';
import type { ReadonlyDb } from './db';
import type { SqlClause } from './views';

export const emptyTabs = (): TabCounts => ({ open: 0, pending: 0, snoozed: 0, closed: 0, waiting: 0, unread: 0 });

export function addTo(tabs: TabCounts, status: string, n: number, waiting: number, unread: number): void {
  if ((CONVERSATION_STATUSES as readonly string[]).includes(status)) tabs[status as ConversationStatus] += n;
  tabs.waiting += waiting;
  tabs.unread += unread;
}

/** A saved view as the counter needs it. */
export interface CountedView {
  id: string;
  /** What the view means for this viewer (filters, scope, what its channels name): a view whose key
   *  changed is counted again from scratch. */
  key: string;
  /** Its conversations (filters and scope) at `now`. */
  where: SqlClause;
  /** The waiting filter's bound (now minus its minutes), or null when the view has none. */
  waitingCutoff: number | null;
}

/** What one conversation adds to its view's counters. */
interface Share {
  status: string;
  waiting: number;
  unread: number;
}

interface Counted {
  key: string;
  cutoff: number | null;
  members: Map<string, Share>;
  tabs: TabCounts;
}

interface ShareRow extends Share {
  id: string;
}

const SHARE_COLUMNS = `c.id, c.status, (c.status <> 'closed' AND c.waiting_since IS NOT NULL) AS waiting,
  (c.status <> 'closed' AND c.unread_count > 0) AS unread`;
const SHARE_SELECT = `SELECT ${SHARE_COLUMNS} FROM conversations_view c`;

class SavedViewCounter {
  private readonly views = new Map<string, Counted>();

  count(db: ReadonlyDb, views: readonly CountedView[], changed: Changed): Map<string, TabCounts> {
    if (changed === 'all') this.views.clear();
    const wanted = new Set(views.map((v) => v.id));
    for (const id of this.views.keys()) if (!wanted.has(id)) this.views.delete(id);

    const out = new Map<string, TabCounts>();
    for (const view of views) {
      let counted = this.views.get(view.id);
      const fresh =
        !counted ||
        counted.key !== view.key ||
        // The clock went back: conversations may leave the view without changing.
        (view.waitingCutoff !== null && view.waitingCutoff < counted.cutoff!);
      if (fresh) {
        counted = this.countAll(db, view);
        this.views.set(view.id, counted);
      } else {
        if (changed !== 'all' && changed.size > 0) this.recount(db, counted!, view, [...changed]);
        if (view.waitingCutoff !== null && view.waitingCutoff > counted!.cutoff!) this.admitWaited(db, counted!, view);
      }
      out.set(view.id, { ...counted!.tabs });
    }
    return out;
  }

  private countAll(db: ReadonlyDb, view: CountedView): Counted {
    const counted: Counted = { key: view.key, cutoff: view.waitingCutoff, members: new Map(), tabs: emptyTabs() };
    for (const row of db.prepare<unknown[], ShareRow>(`${SHARE_SELECT} WHERE ${view.where.sql}`).all(...view.where.params))
      join(counted, row);
    return counted;
  }

  /** Looks again at conversations that changed: each leaves, joins or stays with what it adds now. */
  private recount(db: ReadonlyDb, counted: Counted, view: CountedView, ids: string[]): void {
    for (const id of ids) leave(counted, id);
    const rows = db
      .prepare<unknown[], ShareRow>(`${SHARE_SELECT} WHERE c.id IN (SELECT value FROM json_each(?)) AND (${view.where.sql})`)
      .all(JSON.stringify(ids), ...view.where.params);
    for (const row of rows) join(counted, row);
  }

  /** Conversations waiting since after the last bound and up to the new one: their wait reached the
   *  view's minutes without any change to them. */
  private admitWaited(db: ReadonlyDb, counted: Counted, view: CountedView): void {
    const q = waitedQuery(view.where, counted.cutoff!, view.waitingCutoff!);
    const rows = db.prepare<unknown[], ShareRow>(q.sql).all(...q.params);
    for (const row of rows) if (!counted.members.has(row.id)) join(counted, row);
    counted.cutoff = view.waitingCutoff;
  }
}

/** A view's conversations waiting since a time in (since, until]: few, so they are read through mirror
 *  migration 7's index whatever other index the view's filters would pick (a status one reads every
 *  waiting conversation of that status). Written on the tables, as conversations_view lays them: an
 *  overlay row in place of its base row. */
export function waitedQuery(where: SqlClause, since: number, until: number): SqlClause {
  return {
    sql: `SELECT ${SHARE_COLUMNS} FROM overlay_conversations c
           WHERE c.waiting_since > ? AND c.waiting_since <= ? AND (${where.sql})
         UNION ALL
         SELECT ${SHARE_COLUMNS} FROM conversations c INDEXED BY conversations_waiting_since
           WHERE c.waiting_since > ? AND c.waiting_since <= ? AND (${where.sql}) AND c.id NOT IN (SELECT id FROM overlay_conversations)`,
    params: [since, until, ...where.params, since, until, ...where.params],
  };
}

function join(counted: Counted, row: ShareRow): void {
  const share: Share = { status: row.status, waiting: row.waiting, unread: row.unread };
  counted.members.set(row.id, share);
  addTo(counted.tabs, share.status, 1, share.waiting, share.unread);
}

function leave(counted: Counted, id: string): void {
  const share = counted.members.get(id);
  if (!share) return;
  counted.members.delete(id);
  addTo(counted.tabs, share.status, -1, -share.waiting, -share.unread);
}

/** Conversations changed since the counters last looked, or 'all' (count everything again). */
export type Changed = ReadonlySet<string> | 'all';

interface State {
  counter: SavedViewCounter;
  dataVersion: number | null;
}
const states = new WeakMap<object, State>();

function stateOf(db: ReadonlyDb): State {
  let state = states.get(db);
  if (!state) {
    state = { counter: new SavedViewCounter(), dataVersion: null };
    states.set(db, state);
  }
  return state;
}

/** What changed since the last call (once per inboxCounts). 'all' the first time, after a snapshot, for a
 *  connection without a change log (not opened by openMirror), and when another connection wrote the
 *  file: this connection's triggers did not see that. */
export function changesSinceLastCount(db: ReadonlyDb): Changed {
  const log = conversationChangesOf(db);
  const state = stateOf(db);
  const dataVersion = db.prepare<[], { data_version: number }>('PRAGMA data_version').get()!.data_version;
  const changed = log?.take() ?? 'all';
  const known = state.dataVersion;
  state.dataVersion = dataVersion;
  return known === dataVersion ? changed : 'all';
}

/** A count that took `changed` (changesSinceLastCount) failed: the next one looks at those again. */
export function putBackChanges(db: ReadonlyDb, changed: Changed): void {
  conversationChangesOf(db)?.putBack(changed);
}

/** Every saved view's counters, by view id. */
export function savedViewCounts(db: ReadonlyDb, views: readonly CountedView[], changed: Changed): Map<string, TabCounts> {
  return stateOf(db).counter.count(db, views, changed);
}
