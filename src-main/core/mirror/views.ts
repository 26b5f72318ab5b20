// Inbox views over the mirror: built-in views, team queues and saved custom views turned into SQL
// (the same meaning as rules/visibility.ts inView and matchesFilters), their lists and counters.
import type { ConversationStatus, SavedView, ViewFilters } from '../../../src-shared/domain';
import { BandejaError } from '../../../src-shared/errors';
import type { ConversationItem, InboxCounts, TabCounts } from '../../../src-shared/ipc';
import {
  canUseSavedView,
  seesEverything,
  teamQueuesFor,
  viewKey,
  viewsFor,
  type ViewRef,
  type Viewer,
} from '../../../src-shared/rules/visibility';
import type { ReadonlyDb } from './db';
import { ITEM_SELECT, itemSelectFrom, itemsFromRows, type ItemRow } from './items';
import { savedViewFromRow, type SavedViewRow } from './rows';
import {
  addTo,
  changesSinceLastCount,
  emptyTabs,
  putBackChanges,
  savedViewCounts,
  type Changed,
  type CountedView,
} from './savedViewCounts';

export interface SqlClause {
  sql: string;
  params: unknown[];
}

const ALL: SqlClause = { sql: '1 = 1', params: [] };

function and(...clauses: SqlClause[]): SqlClause {
  return { sql: clauses.map((c) => `(${c.sql})`).join(' AND '), params: clauses.flatMap((c) => c.params) };
}

function inList(column: string, values: readonly unknown[]): SqlClause {
  return { sql: `${column} IN (${values.map(() => '?').join(', ')})`, params: [...values] };
}

/** What an agent's mirror may show: an overlay (a transfer made here, not yet confirmed) can put a
 *  conversation out of the agent's scope before the server's revoke arrives. */
export function scopeClause(viewer: Viewer): SqlClause {
  if (seesEverything(viewer.role)) return ALL;
  return {
    sql: 'c.assignee_id = ? OR (c.assignee_id IS NULL AND c.team_id IN (SELECT value FROM json_each(?)))',
    params: [viewer.id, JSON.stringify(viewer.teamIds)],
  };
}

/** A saved view's filters as SQL, meaning exactly what matchesFilters means. */
export function filtersClause(filters: ViewFilters, viewer: Viewer, now: number): SqlClause {
  const parts: SqlClause[] = [];
  if (filters.statuses?.length) parts.push(inList('c.status', filters.statuses));
  if (filters.channels?.length) {
    const channels = inList('channel', filters.channels);
    parts.push({ sql: `c.inbox_id IN (SELECT id FROM inboxes_view WHERE ${channels.sql})`, params: channels.params });
  }
  if (filters.inboxIds?.length) parts.push(inList('c.inbox_id', filters.inboxIds));
  if (filters.teamIds?.length) parts.push(inList('c.team_id', filters.teamIds));
  if (filters.assignees?.length) {
    const ors: SqlClause[] = filters.assignees.map((a) =>
      a === 'me'
        ? { sql: 'c.assignee_id = ?', params: [viewer.id] }
        : a === 'none'
          ? { sql: 'c.assignee_id IS NULL', params: [] }
          : { sql: 'c.assignee_id = ?', params: [a] },
    );
    parts.push({ sql: ors.map((o) => o.sql).join(' OR '), params: ors.flatMap((o) => o.params) });
  }
  if (filters.tags?.length) {
    const wanted = inList(
      'js_lower(t.value)',
      filters.tags.map((t) => t.toLowerCase()),
    );
    parts.push({ sql: `EXISTS (SELECT 1 FROM json_each(c.tags) t WHERE ${wanted.sql})`, params: wanted.params });
  }
  if (filters.unreadOnly) parts.push({ sql: 'c.unread_count > 0', params: [] });
  if (filters.waitingMinutes !== undefined)
    parts.push({ sql: 'c.waiting_since IS NOT NULL AND c.waiting_since <= ?', params: [now - filters.waitingMinutes * 60_000] });
  return parts.length ? and(...parts) : ALL;
}

export function savedView(db: ReadonlyDb, viewer: Viewer, id: string): SavedView {
  const row = db.prepare<[string], SavedViewRow>('SELECT * FROM saved_views_view WHERE id = ?').get(id);
  const view = row ? savedViewFromRow(row) : null;
  if (!view || !canUseSavedView(viewer, view)) throw new BandejaError('NOT_FOUND', 'This view does not exist or is not shared with you.');
  return view;
}

/** Saved views the viewer has: their own and those shared with their teams (all shared ones for supervisors). */
export function listSavedViews(db: ReadonlyDb, viewer: Viewer): SavedView[] {
  return db
    .prepare<[], SavedViewRow>('SELECT * FROM saved_views_view ORDER BY name, id')
    .all()
    .map(savedViewFromRow)
    .filter((v) => canUseSavedView(viewer, v));
}

/** The SQL of a view (without the status tab), refusing views the viewer does not have. */
export function viewClause(db: ReadonlyDb, viewer: Viewer, ref: ViewRef, now: number): SqlClause {
  const scope = scopeClause(viewer);
  switch (ref.kind) {
    case 'mine':
    case 'unassigned':
    case 'all':
    case 'teammates': {
      if (!viewsFor(viewer.role).includes(ref.kind)) throw new BandejaError('FORBIDDEN', 'Only supervisors and admins see this view.');
      const sql =
        ref.kind === 'mine'
          ? { sql: 'c.assignee_id = ?', params: [viewer.id] }
          : ref.kind === 'unassigned'
            ? { sql: 'c.assignee_id IS NULL', params: [] }
            : ref.kind === 'teammates'
              ? { sql: 'c.assignee_id IS NOT NULL AND c.assignee_id <> ?', params: [viewer.id] }
              : ALL;
      return and(sql, scope);
    }
    case 'team': {
      if (!seesEverything(viewer.role) && !viewer.teamIds.includes(ref.teamId))
        throw new BandejaError('FORBIDDEN', 'You are not a member of this team.');
      return and({ sql: 'c.team_id = ?', params: [ref.teamId] }, scope);
    }
    case 'saved':
      return and(filtersClause(savedView(db, viewer, ref.viewId).filters, viewer, now), scope);
  }
}

export interface InboxListQuery {
  view: ViewRef;
  status: ConversationStatus;
  sort: 'newest' | 'oldest';
  limit: number;
  /** Keyset paging: rows strictly after this one in the list's order (same index, no OFFSET). */
  after?: { lastMessageAt: number; id: string };
}

export function listInbox(db: ReadonlyDb, viewer: Viewer, q: InboxListQuery, now = Date.now()): ConversationItem[] {
  const query = inboxListQuery(db, viewer, q, now);
  return itemsFromRows(db, viewer.id, db.prepare<unknown[], ItemRow>(query.sql).all(...query.params));
}

/** The SQL of one list page: the view's index read in the list's order, `q.limit` rows. */
export function inboxListQuery(db: ReadonlyDb, viewer: Viewer, q: InboxListQuery, now = Date.now()): SqlClause {
  if (q.view.kind === 'saved') return filteredListQuery(savedView(db, viewer, q.view.viewId).filters, viewer, q, now);
  return listQuery(viewClause(db, viewer, q.view, now), q);
}

/** A saved view's page (its filters and the viewer's scope). */
export function filteredListQuery(filters: ViewFilters, viewer: Viewer, q: Omit<InboxListQuery, 'view'>, now: number): SqlClause {
  const scope = scopeClause(viewer);
  const where = and(filtersClause(filters, viewer, now), scope);
  if (!filters.tags?.length) return listQuery(where, q);
  return tagListQuery(filters.tags, where, and(filtersClause({ ...filters, tags: undefined }, viewer, now), scope), q);
}

function listQuery(view: SqlClause, q: Omit<InboxListQuery, 'view'>): SqlClause {
  const order = q.sort === 'newest' ? 'DESC' : 'ASC';
  const page: SqlClause = q.after
    ? { sql: `(c.last_message_at, c.id) ${q.sort === 'newest' ? '<' : '>'} (?, ?)`, params: [q.after.lastMessageAt, q.after.id] }
    : ALL;
  const where = and({ sql: 'c.status = ?', params: [q.status] }, page, view);
  return {
    sql: `${ITEM_SELECT} WHERE ${where.sql} ORDER BY c.last_message_at ${order}, c.id ${order} LIMIT ?`,
    params: [...where.params, q.limit],
  };
}

/** A tag-filtered page, read from the tag index (mirror migration 8, conversation_tags: conversations_view's
 *  rows by folded tag, status and the list's order) instead of the status index tested row by row. Written
 *  on the tables as conversations_view lays them, one arm each, merged in the list's order: this device's
 *  overlay rows (few: their tags tested as filtersClause does), then for each wanted tag the base rows
 *  holding it without an overlay and without an earlier wanted tag (a conversation is listed once). The
 *  tag rows carry the base row's status, time and id exactly, so each arm reads its index in order.
 *  `where` is the whole filter and scope on `c`; `untagged` the same without the tags. */
function tagListQuery(tags: readonly string[], where: SqlClause, untagged: SqlClause, q: Omit<InboxListQuery, 'view'>): SqlClause {
  const order = q.sort === 'newest' ? 'DESC' : 'ASC';
  const cmp = q.sort === 'newest' ? '<' : '>';
  const after = (at: string, id: string): SqlClause =>
    q.after ? { sql: `(${at}, ${id}) ${cmp} (?, ?)`, params: [q.after.lastMessageAt, q.after.id] } : ALL;
  const overlay = and({ sql: 'c.status = ?', params: [q.status] }, after('c.last_message_at', 'c.id'), where);
  const arms: SqlClause[] = [
    {
      sql: `SELECT c.*, 1 AS pending, c.last_message_at AS page_at, c.id AS page_id FROM overlay_conversations c WHERE ${overlay.sql}`,
      params: overlay.params,
    },
  ];
  // Folded as js_lower folds tag_key (and matchesFilters compares).
  const keys = [...new Set(tags.map((t) => t.toLowerCase()))];
  keys.forEach((key, i) => {
    const earlier = keys.slice(0, i);
    const arm = and(
      { sql: 't.tag_key = ? AND t.status = ?', params: [key, q.status] },
      after('t.last_message_at', 't.conversation_id'),
      earlier.length
        ? {
            sql: `NOT EXISTS (SELECT 1 FROM conversation_tags e WHERE e.tag_key IN (${earlier.map(() => '?').join(', ')})
                    AND e.status = t.status AND e.last_message_at = t.last_message_at AND e.conversation_id = t.conversation_id)`,
            params: earlier,
          }
        : ALL,
      { sql: 'c.id NOT IN (SELECT id FROM overlay_conversations)', params: [] },
      untagged,
    );
    arms.push({
      sql: `SELECT c.*, EXISTS (SELECT 1 FROM outbox x WHERE x.conversation_id = c.id) AS pending,
              t.last_message_at AS page_at, t.conversation_id AS page_id
              FROM conversation_tags t JOIN conversations c ON c.id = t.conversation_id WHERE ${arm.sql}`,
      params: arm.params,
    });
  });
  return {
    sql: `${itemSelectFrom(`(${arms.map((a) => a.sql).join(' UNION ALL ')} ORDER BY page_at ${order}, page_id ${order} LIMIT ?)`)}
          ORDER BY c.page_at ${order}, c.page_id ${order}`,
    params: [...arms.flatMap((a) => a.params), q.limit],
  };
}

/** Ids of the unread conversations of a view and tab (for "mark all read"). */
export function unreadInView(db: ReadonlyDb, viewer: Viewer, view: ViewRef, status: ConversationStatus, now = Date.now()): string[] {
  const where = and({ sql: 'c.status = ? AND c.unread_count > 0', params: [status] }, viewClause(db, viewer, view, now));
  return db
    .prepare<unknown[], { id: string }>(`SELECT c.id FROM conversations_view c WHERE ${where.sql} ORDER BY c.last_message_at DESC`)
    .all(...where.params)
    .map((r) => r.id);
}

function tabCounts(db: ReadonlyDb, where: SqlClause): TabCounts {
  const tabs = emptyTabs();
  const rows = db
    .prepare<unknown[], { status: string; n: number; waiting: number; unread: number }>(
      `SELECT c.status, COUNT(*) AS n,
              SUM(c.status <> 'closed' AND c.waiting_since IS NOT NULL) AS waiting,
              SUM(c.status <> 'closed' AND c.unread_count > 0) AS unread
         FROM conversations_view c WHERE ${where.sql} GROUP BY c.status`,
    )
    .all(...where.params);
  for (const r of rows) addTo(tabs, r.status, r.n, r.waiting, r.unread);
  return tabs;
}

/** One view's counters by counting all its conversations: the reference inboxCounts' kept counters equal. */
export function countView(db: ReadonlyDb, viewer: Viewer, ref: ViewRef, now = Date.now()): TabCounts {
  return tabCounts(db, viewClause(db, viewer, ref, now));
}

interface TallyRow {
  team_key: string;
  /** '' for none; null for anyone neither the viewer nor named by a saved view (sumTallies). */
  assignee_key: string | null;
  status: string;
  n: number;
  waiting: number;
  unread: number;
}

const summed = new WeakMap<object, { named: string; rows: TallyRow[] }>();

/** The tallies summed over the assignees no view tells apart: a few hundred rows instead of one per
 *  (team, assignee, status) in use, 3,286 for the bench supervisor's 50,000 conversations. The same as
 *  last time when no conversation changed since. */
function sumTallies(db: ReadonlyDb, named: readonly string[], changed: Changed): TallyRow[] {
  const key = JSON.stringify(named);
  const last = summed.get(db);
  if (last && last.named === key && changed !== 'all' && changed.size === 0) return last.rows;
  const rows = db
    .prepare<[string], TallyRow>(
      `SELECT team_key, CASE WHEN assignee_key = '' OR assignee_key IN (SELECT value FROM json_each(?)) THEN assignee_key END AS assignee_key,
              status, SUM(n) AS n, SUM(waiting) AS waiting, SUM(unread) AS unread
         FROM conversation_tallies WHERE n <> 0 GROUP BY 1, 2, 3`,
    )
    .all(key);
  summed.set(db, { named: key, rows });
  return rows;
}

/** Which tallies (team, assignee; '' for none) a view sums, within the viewer's scope: the same meaning
 *  as viewClause and scopeClause. Null for a saved view that filters on more than statuses, teams and
 *  assignees (the tallies do not know tags, channels, unread or waiting times). */
function tallyFilter(viewer: Viewer, ref: ViewRef, saved?: SavedView): ((t: TallyRow) => boolean) | null {
  const inScope = seesEverything(viewer.role)
    ? () => true
    : (t: TallyRow) => t.assignee_key === viewer.id || (t.assignee_key === '' && viewer.teamIds.includes(t.team_key));
  switch (ref.kind) {
    case 'mine':
      return (t) => t.assignee_key === viewer.id && inScope(t);
    case 'unassigned':
      return (t) => t.assignee_key === '' && inScope(t);
    case 'all':
      return inScope;
    case 'teammates':
      return (t) => t.assignee_key !== '' && t.assignee_key !== viewer.id && inScope(t);
    case 'team':
      return (t) => t.team_key === ref.teamId && inScope(t);
    case 'saved': {
      const { statuses, teamIds, assignees, ...others } = saved!.filters;
      if (Object.values(others).some((v) => v !== undefined && v !== false && !(Array.isArray(v) && v.length === 0))) return null;
      const keys = assignees?.length ? new Set(assignees.map((a) => (a === 'me' ? viewer.id : a === 'none' ? '' : a))) : null;
      return (t) =>
        (!statuses?.length || (statuses as string[]).includes(t.status)) &&
        (!teamIds?.length || teamIds.includes(t.team_key)) &&
        (keys === null || (t.assignee_key !== null && keys.has(t.assignee_key))) &&
        inScope(t);
    }
  }
}

/** What a saved view means for this viewer, for the counter to know when to count it again. */
function countedView(viewer: Viewer, view: SavedView, now: number, channels: () => string): CountedView {
  const { filters } = view;
  return {
    id: view.id,
    key: JSON.stringify([filters, seesEverything(viewer.role) ? null : viewer, filters.channels?.length ? channels() : null]),
    where: and(filtersClause(filters, viewer, now), scopeClause(viewer)),
    waitingCutoff: filters.waitingMinutes === undefined ? null : now - filters.waitingMinutes * 60_000,
  };
}

/** Counters of every view the viewer has (built-in, team queues, saved), by viewKey. Built-in views, team
 *  queues and saved views on statuses, teams and assignees only sum the maintained tallies (mirror
 *  migration 6: a few thousand rows whatever the queue's size); other saved views are counted once and
 *  then kept up to date from the conversations that changed (savedViewCounts.ts). */
export function inboxCounts(db: ReadonlyDb, viewer: Viewer, now = Date.now()): InboxCounts {
  const saved = listSavedViews(db, viewer);
  const refs: { ref: ViewRef; view?: SavedView }[] = [
    ...viewsFor(viewer.role).map((kind) => ({ ref: { kind } })),
    ...teamQueuesFor(
      viewer,
      db
        .prepare<[], { id: string }>('SELECT id FROM teams_view ORDER BY name, id')
        .all()
        .map((t) => t.id),
    ).map((teamId) => ({ ref: { kind: 'team' as const, teamId } })),
    ...saved.map((view) => ({ ref: { kind: 'saved' as const, viewId: view.id }, view })),
  ];
  const named = [viewer.id, ...saved.flatMap((v) => v.filters.assignees ?? [])];
  const changed = changesSinceLastCount(db);
  const counts: InboxCounts = {};
  try {
    const tallies = sumTallies(db, named, changed);
    let channelMap: string | null = null;
    const channels = () =>
      (channelMap ??= JSON.stringify(
        db.prepare<[], { id: string; channel: string }>('SELECT id, channel FROM inboxes_view ORDER BY id').all(),
      ));
    const counted: CountedView[] = [];
    for (const { ref, view } of refs) {
      // The same refusals as viewClause (a view this role does not have, a team the viewer is not in).
      if (ref.kind !== 'saved') viewClause(db, viewer, ref, now);
      const filter = tallyFilter(viewer, ref, view);
      if (filter === null) {
        counted.push(countedView(viewer, view!, now, channels));
        continue;
      }
      const tabs = emptyTabs();
      for (const t of tallies) if (filter(t)) addTo(tabs, t.status, t.n, t.waiting, t.unread);
      counts[viewKey(ref)] = tabs;
    }
    for (const [id, tabs] of savedViewCounts(db, counted, changed)) counts[viewKey({ kind: 'saved', viewId: id })] = tabs;
  } catch (e) {
    // The change log was taken: without putting it back, the kept counters would miss these changes.
    putBackChanges(db, changed);
    throw e;
  }
  // Built-in views, team queues, then saved views, as before.
  return Object.fromEntries(refs.map(({ ref }) => [viewKey(ref), counts[viewKey(ref)]!]));
}
