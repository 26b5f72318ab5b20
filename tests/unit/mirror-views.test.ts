// Inbox views on a real mirror file: built-ins, team queues and saved views give the same
// conversations as the shared rules (inView, matchesFilters), counters per view and tab, and the
// query plans use an index for each.
import { describe, expect, it } from 'vitest';
import { applySnapshotBegin, applySnapshotEnd, applySnapshotPage } from '../../src-main/core/mirror/apply';
import { openMirror } from '../../src-main/core/mirror/db';
import { writeSessionUser } from '../../src-main/core/mirror/meta';
import { ITEM_SELECT } from '../../src-main/core/mirror/items';
import { inboxCounts, listInbox, viewClause } from '../../src-main/core/mirror/views';
import type { Conversation, SavedView, User, ViewFilters } from '../../src-shared/domain';
import { CONVERSATION_STATUSES } from '../../src-shared/domain';
import type { Op } from '../../src-shared/protocol';
import { inView, matchesFilters, type Viewer } from '../../src-shared/rules/visibility';
import { ana, bruno, contact, conversation, inbox, tempMirrorPath } from './mirror-fixtures';

const NOW = 10_000_000;
const sofia: User = { ...ana, id: 'user-sofia', name: 'Sofía', role: 'supervisor', teamIds: [] };
const whatsapp = { ...inbox, id: 'inbox-wa', name: 'WhatsApp', channel: 'whatsapp' as const, teamId: 'team-2' };

// A deterministic spread of conversations over statuses, assignees, teams, inboxes, tags, unread and waiting.
function spread(): Conversation[] {
  const assignees = [null, ana.id, bruno.id, sofia.id];
  const tagSets = [[], ['VIP'], ['Atenção', 'vip'], ['reclamo']];
  const out: Conversation[] = [];
  for (let i = 0; i < 96; i++)
    out.push(
      conversation({
        id: `conv-${String(i).padStart(3, '0')}`,
        status: CONVERSATION_STATUSES[i % 4]!,
        assigneeId: assignees[Math.floor(i / 4) % 4]!,
        teamId: i % 3 === 0 ? 'team-2' : 'team-1',
        inboxId: i % 3 === 0 ? 'inbox-wa' : 'inbox-1',
        tags: tagSets[Math.floor(i / 16) % 4]!,
        unreadCount: i % 5 === 0 ? 2 : 0,
        waitingSince: i % 7 === 0 ? null : NOW - (i % 6) * 20 * 60_000,
        lastMessageAt: 1000 + ((i * 37) % 96),
        version: 1,
      }),
    );
  return out;
}

function seeded(user: User, savedViews: SavedView[] = []) {
  const mirror = openMirror(tempMirrorPath());
  writeSessionUser(mirror.db, user);
  applySnapshotBegin(mirror.db, 'e');
  const ops: Op[] = [
    { kind: 'user', row: user },
    { kind: 'team', row: { id: 'team-1', name: 'Soporte', version: 1 } },
    { kind: 'team', row: { id: 'team-2', name: 'Ventas', version: 1 } },
    { kind: 'inbox', row: inbox },
    { kind: 'inbox', row: whatsapp },
    { kind: 'contact', row: contact },
    ...savedViews.map((row): Op => ({ kind: 'savedView', row })),
    ...spread().map((row): Op => ({ kind: 'conversation', row })),
  ];
  applySnapshotPage(mirror.db, ops);
  applySnapshotEnd(mirror.db, 1);
  return mirror;
}

const asViewer = (u: User): Viewer => ({ id: u.id, role: u.role, teamIds: u.teamIds });
const channelOf = (c: Conversation) => (c.inboxId === 'inbox-wa' ? 'whatsapp' : 'webchat');

describe('inbox views', () => {
  it('built-in views and team queues list what the rules say, in activity order, either way', () => {
    const mirror = seeded(sofia);
    const viewer = asViewer(sofia);
    for (const kind of ['mine', 'unassigned', 'all', 'teammates'] as const)
      for (const status of CONVERSATION_STATUSES) {
        const expected = spread()
          .filter((c) => c.status === status && inView(kind, viewer, c))
          .sort((a, b) => b.lastMessageAt - a.lastMessageAt || (a.id < b.id ? 1 : -1))
          .map((c) => c.id);
        expect(listInbox(mirror.read, viewer, { view: { kind }, status, sort: 'newest', limit: 500 }).map((c) => c.id)).toEqual(expected);
        expect(listInbox(mirror.read, viewer, { view: { kind }, status, sort: 'oldest', limit: 500 }).map((c) => c.id)).toEqual(
          [...expected].reverse(),
        );
      }
    const team2 = listInbox(mirror.read, viewer, { view: { kind: 'team', teamId: 'team-2' }, status: 'open', sort: 'newest', limit: 500 });
    expect(team2.map((c) => c.id).sort()).toEqual(
      spread()
        .filter((c) => c.teamId === 'team-2' && c.status === 'open')
        .map((c) => c.id)
        .sort(),
    );
    expect(team2[0]).toMatchObject({ channel: 'whatsapp', inboxName: 'WhatsApp' });
    mirror.close();
  });

  it('saved view filters mean in SQL exactly what matchesFilters means', () => {
    const filterSets: ViewFilters[] = [
      {},
      { statuses: ['open', 'pending'] },
      { channels: ['whatsapp'] },
      { inboxIds: ['inbox-1'] },
      { teamIds: ['team-2'] },
      { assignees: ['me'] },
      { assignees: ['none', 'user-bruno'] },
      { tags: ['vip'] },
      { tags: ['ATENÇÃO'] },
      { unreadOnly: true },
      { waitingMinutes: 40 },
      {
        statuses: ['open'],
        channels: ['webchat'],
        assignees: ['me', 'none'],
        tags: ['VIP', 'reclamo'],
        unreadOnly: true,
        waitingMinutes: 1,
      },
    ];
    const views: SavedView[] = filterSets.map((filters, i) => ({
      id: `view-${i}`,
      name: `V${i}`,
      ownerId: sofia.id,
      teamId: null,
      filters,
      sort: 'newest',
      version: 1,
    }));
    const mirror = seeded(sofia, views);
    const viewer = asViewer(sofia);
    for (const view of views)
      for (const status of CONVERSATION_STATUSES) {
        const expected = spread()
          .filter((c) => c.status === status && matchesFilters(view.filters, viewer, { ...c, channel: channelOf(c) }, NOW))
          .map((c) => c.id)
          .sort();
        const got = listInbox(mirror.read, viewer, { view: { kind: 'saved', viewId: view.id }, status, sort: 'newest', limit: 500 }, NOW);
        expect({ view: view.id, status, ids: got.map((c) => c.id).sort() }).toEqual({ view: view.id, status, ids: expected });
      }
    mirror.close();
  });

  it('counts every view and tab: total per status, waiting and unread (not closed)', () => {
    const shared: SavedView = {
      id: 'view-vip',
      name: 'VIP',
      ownerId: 'user-bruno',
      teamId: 'team-1',
      filters: { tags: ['vip'] },
      sort: 'newest',
      version: 1,
    };
    const foreign: SavedView = { ...shared, id: 'view-bruno', teamId: null };
    const mirror = seeded(ana, [shared, foreign]);
    const viewer = asViewer(ana);
    const counts = inboxCounts(mirror.read, viewer, NOW);
    // Ana is an agent: no All or Teammates, only her team's queue, the shared view and not Bruno's personal one.
    expect(Object.keys(counts).sort()).toEqual(['mine', 'saved:view-vip', 'team:team-1', 'unassigned']);
    // Her mirror may hold more than her scope while a snapshot is being replaced; counts follow her scope.
    const visible = spread().filter((c) => c.assigneeId === ana.id || (c.assigneeId === null && c.teamId === 'team-1'));
    const expectTabs = (list: Conversation[]) => ({
      open: list.filter((c) => c.status === 'open').length,
      pending: list.filter((c) => c.status === 'pending').length,
      snoozed: list.filter((c) => c.status === 'snoozed').length,
      closed: list.filter((c) => c.status === 'closed').length,
      waiting: list.filter((c) => c.status !== 'closed' && c.waitingSince !== null).length,
      unread: list.filter((c) => c.status !== 'closed' && c.unreadCount > 0).length,
    });
    expect(counts.mine).toEqual(expectTabs(visible.filter((c) => c.assigneeId === ana.id)));
    expect(counts.unassigned).toEqual(expectTabs(visible.filter((c) => c.assigneeId === null)));
    expect(counts['team:team-1']).toEqual(expectTabs(visible.filter((c) => c.teamId === 'team-1')));
    expect(counts['saved:view-vip']).toEqual(expectTabs(visible.filter((c) => c.tags.some((t) => t.toLowerCase() === 'vip'))));
    expect(counts.mine!.open).toBeGreaterThan(0);
    expect(counts.unassigned!.unread).toBeGreaterThan(0);
    mirror.close();
  });

  it('refuses views the viewer does not have', () => {
    const mirror = seeded(ana);
    const viewer = asViewer(ana);
    const list = (view: Parameters<typeof listInbox>[2]['view']) => () =>
      listInbox(mirror.read, viewer, { view, status: 'open', sort: 'newest', limit: 10 });
    expect(list({ kind: 'all' })).toThrow(expect.objectContaining({ code: 'FORBIDDEN' }));
    expect(list({ kind: 'teammates' })).toThrow(expect.objectContaining({ code: 'FORBIDDEN' }));
    expect(list({ kind: 'team', teamId: 'team-2' })).toThrow(expect.objectContaining({ code: 'FORBIDDEN' }));
    expect(list({ kind: 'saved', viewId: 'nope' })).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
    mirror.close();
  });

  it('each view’s list query reads through an index, without a full scan of the conversations', () => {
    const mirror = seeded(ana);
    const viewer = asViewer(ana);
    const planOf = (view: Parameters<typeof viewClause>[2]) => {
      const where = viewClause(mirror.read, viewer, view, NOW);
      const rows = mirror.db
        .prepare(
          `EXPLAIN QUERY PLAN ${ITEM_SELECT} WHERE c.status = ? AND (${where.sql}) ORDER BY c.last_message_at DESC, c.id DESC LIMIT 100`,
        )
        .all('open', ...where.params) as { detail: string }[];
      return rows.map((r) => r.detail).join('\n');
    };
    expect(planOf({ kind: 'mine' })).toMatch(/SEARCH c USING INDEX conversations_by_assignee \(assignee_id=\? AND status=\?\)/);
    expect(planOf({ kind: 'unassigned' })).toMatch(/SEARCH c USING INDEX conversations_by_assignee \(assignee_id=\? AND status=\?\)/);
    expect(planOf({ kind: 'team', teamId: 'team-1' })).toMatch(/SEARCH c USING INDEX conversations_by_(team|assignee)/);
    for (const view of [{ kind: 'mine' as const }, { kind: 'unassigned' as const }, { kind: 'team' as const, teamId: 'team-1' }]) {
      const plan = planOf(view);
      expect(plan).toMatch(/SEARCH o USING INDEX overlay_conversations_by_status/);
      expect(plan).not.toMatch(/SCAN c\b/);
      // Names are looked up by primary key, never by scanning a table.
      expect(plan).not.toMatch(/SCAN (ct|oct|i|oi|u|ou)\b/);
    }
    mirror.close();
  });
});
