// The inbox counters of built-in views and team queues come from tallies kept by triggers (mirror
// migration 6). They must equal a count of the conversations (what every view counted before) at every
// step: overlays pending, confirmed or refused, server changes under an overlay, revokes, a new
// snapshot, and a file migrated with conversations already in it.
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { applyChanges, applySnapshotBegin, applySnapshotEnd, applySnapshotPage } from '../../src-main/core/mirror/apply';
import { openMirror, type Mirror } from '../../src-main/core/mirror/db';
import { writeSessionUser } from '../../src-main/core/mirror/meta';
import { MIGRATIONS, migrate } from '../../src-main/core/mirror/migrations';
import { conversationParams } from '../../src-main/core/mirror/rows';
import { countView, inboxCounts, listSavedViews } from '../../src-main/core/mirror/views';
import { confirm, record, reject } from '../../src-main/core/outbox';
import type { Conversation, SavedView, User } from '../../src-shared/domain';
import { CONVERSATION_STATUSES } from '../../src-shared/domain';
import type { Op } from '../../src-shared/protocol';
import { teamQueuesFor, viewKey, viewsFor, type ViewRef, type Viewer } from '../../src-shared/rules/visibility';
import { ana, bruno, contact, conversation, inbox, tempMirrorPath, asViewer, seededMirror, visibleTo } from './mirror-fixtures';

const NOW = 10_000_000;
const sofia: User = { ...ana, id: 'user-sofia', name: 'Sofía', role: 'supervisor', teamIds: [] };
const TEAMS = ['team-1', 'team-2', 'team-3'];

function spread(version = 1): Conversation[] {
  const assignees = [null, ana.id, bruno.id, sofia.id];
  const out: Conversation[] = [];
  for (let i = 0; i < 120; i++)
    out.push(
      conversation({
        id: `conv-${String(i).padStart(3, '0')}`,
        status: CONVERSATION_STATUSES[i % 4]!,
        assigneeId: assignees[Math.floor(i / 4) % 4]!,
        teamId: i % 11 === 0 ? null : TEAMS[i % 3]!,
        unreadCount: i % 5 === 0 ? 2 : 0,
        waitingSince: i % 7 === 0 ? null : NOW - (i % 6) * 20 * 60_000,
        tags: i % 9 === 0 ? ['vip'] : [],
        version,
      }),
    );
  return out;
}

const savedViews: SavedView[] = [
  { id: 'sv-unread', name: 'Sin leer', ownerId: sofia.id, teamId: null, filters: { unreadOnly: true }, sort: 'newest', version: 1 },
  {
    id: 'sv-vip',
    name: 'VIP',
    ownerId: ana.id,
    teamId: 'team-1',
    filters: { tags: ['VIP'], waitingMinutes: 30 },
    sort: 'newest',
    version: 1,
  },
];

function snapshotOps(user: User, conversations: Conversation[]): Op[] {
  return [
    { kind: 'user', row: user },
    ...TEAMS.map((id, i): Op => ({ kind: 'team', row: { id, name: `Equipo ${i}`, version: 1 } })),
    { kind: 'inbox', row: inbox },
    { kind: 'contact', row: contact },
    ...savedViews.map((row): Op => ({ kind: 'savedView', row })),
    ...conversations.map((row): Op => ({ kind: 'conversation', row })),
  ];
}

function seeded(user: User): Mirror {
  return seededMirror(user, snapshotOps(user, []), spread());
}

/** Every view counted the way the counters were computed before the tallies: one GROUP BY each. */
function bruteForce(mirror: Mirror, viewer: Viewer) {
  const db = mirror.read;
  const refs: ViewRef[] = [
    ...viewsFor(viewer.role).map((kind) => ({ kind })),
    ...teamQueuesFor(viewer, TEAMS).map((teamId) => ({ kind: 'team' as const, teamId })),
    ...listSavedViews(db, viewer).map((v) => ({ kind: 'saved' as const, viewId: v.id })),
  ];
  return Object.fromEntries(refs.map((ref) => [viewKey(ref), countView(db, viewer, ref, NOW)]));
}

function expectSame(mirror: Mirror, viewer: Viewer) {
  const counts = inboxCounts(mirror.read, viewer, NOW);
  expect(counts).toEqual(bruteForce(mirror, viewer));
  return counts;
}

describe('inbox counters from maintained tallies', () => {
  for (const user of [sofia, ana])
    it(`equal a count of the conversations through overlays, server changes, revokes and a new snapshot (${user.role})`, () => {
      const mirror = seeded(user);
      const viewer = asViewer(user);
      const before = expectSame(mirror, viewer);
      expect(before[viewKey({ kind: 'mine' })]!.open).toBeGreaterThan(0);

      // Overlays pending: taking an unassigned one, giving one back, reads, status changes and a close.
      const visible = visibleTo(user, spread());
      const pick = (test: (c: Conversation) => boolean, nth = 0) => visible.filter(test)[nth]!.id;
      const unassigned = pick((c) => c.assigneeId === null && c.status === 'open');
      const unread = pick((c) => c.unreadCount > 0 && c.status !== 'closed');
      const open = pick((c) => c.status === 'open' && c.assigneeId === user.id);
      const own = pick((c) => c.status === 'pending' && c.assigneeId === user.id);
      const ids: number[] = [];
      ids.push(record(mirror.db, 'conversation.assign', { conversationId: unassigned, assigneeId: user.id }, NOW).mutationId);
      ids.push(record(mirror.db, 'conversation.markRead', { conversationId: unread }, NOW).mutationId);
      ids.push(record(mirror.db, 'conversation.setStatus', { conversationId: open, status: 'pending' }, NOW).mutationId);
      ids.push(record(mirror.db, 'conversation.close', { conversationId: open, note: null, categoryId: null }, NOW).mutationId);
      ids.push(record(mirror.db, 'conversation.assign', { conversationId: own, assigneeId: null }, NOW).mutationId);
      const afterOverlay = expectSame(mirror, viewer);
      expect(afterOverlay).not.toEqual(before);

      // The server changes a conversation under a pending overlay and one without any.
      const changed = spread(2).filter((c) => [open, unread, pick((c) => c.status === 'snoozed')].includes(c.id));
      applyChanges(mirror.db, {
        from: 1,
        to: 2,
        ops: changed.map((c): Op => ({ kind: 'conversation', row: { ...c, status: 'snoozed', unreadCount: 3, assigneeId: bruno.id } })),
      });
      expectSame(mirror, viewer);

      // Confirmed, refused, and a revoke of a conversation with an overlay and of one without.
      confirm(mirror.db, ids[0]!);
      reject(mirror.db, ids[2]!, { code: 'FORBIDDEN', message: 'not yours any more' });
      expectSame(mirror, viewer);
      applyChanges(mirror.db, {
        from: 2,
        to: 3,
        ops: [
          { kind: 'revoke', conversationId: unread },
          { kind: 'revoke', conversationId: pick((c) => c.status === 'closed') },
        ],
      });
      expectSame(mirror, viewer);

      // A new snapshot with mutations still pending: the tallies are rebuilt with the tables.
      applySnapshotBegin(mirror.db, 'e2');
      const again = visibleTo(user, spread(5)).slice(1);
      applySnapshotPage(mirror.db, snapshotOps(user, again.slice(0, 60)));
      expectSame(mirror, viewer);
      applySnapshotPage(
        mirror.db,
        again.slice(60).map((row): Op => ({ kind: 'conversation', row })),
      );
      applySnapshotEnd(mirror.db, 9);
      expectSame(mirror, viewer);
      mirror.close();
    });

  it('a mirror written before the tallies gets them from its conversations and overlays when it is opened', () => {
    const path = tempMirrorPath();
    const raw = new Database(path);
    migrate(raw, MIGRATIONS.slice(0, 5));
    const cols = Object.keys(conversationParams(spread()[0]!));
    for (const [table, rows] of [
      ['conversations', spread()],
      [
        'overlay_conversations',
        spread(3)
          .filter((_, i) => i % 10 === 0)
          .map((c) => ({ ...c, status: 'closed' as const, assigneeId: ana.id })),
      ],
    ] as const) {
      const insert = raw.prepare(`INSERT INTO ${table} (${cols.join(', ')}) VALUES (${cols.map((c) => `@${c}`).join(', ')})`);
      for (const c of rows) insert.run(conversationParams(c));
    }
    raw.close();
    const mirror = openMirror(path);
    writeSessionUser(mirror.db, sofia);
    expect(mirror.db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    const counts = inboxCounts(mirror.read, asViewer(sofia), NOW);
    expect(counts.all).toEqual(countView(mirror.read, asViewer(sofia), { kind: 'all' }, NOW));
    expect(counts.all!.closed).toBe(30 + 12);
    mirror.close();
  });

  it('plan: the counters read the tallies, not the conversations', () => {
    const mirror = seeded(sofia);
    const plan = (mirror.db.prepare('EXPLAIN QUERY PLAN SELECT * FROM conversation_tallies WHERE n <> 0').all() as { detail: string }[])
      .map((p) => p.detail)
      .join('\n');
    expect(plan).toMatch(/conversation_tallies/);
    expect(plan).not.toMatch(/conversations\b(?!_tallies)/);
    mirror.close();
  });
});
