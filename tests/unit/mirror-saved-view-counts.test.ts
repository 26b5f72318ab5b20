// Saved views' counters are counted once and then kept up to date from the conversations that changed
// (savedViewCounts.ts), plus those whose wait passed a view's minutes as time went by. They must equal a
// count of each view's conversations at every step: server changes, actions recorded here, confirmed and
// refused, revokes, a saved view edited, an inbox moved to another channel, another program writing the
// file, the clock going back, and a snapshot too big to follow conversation by conversation.
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { applyChanges, applySnapshotBegin, applySnapshotEnd, applySnapshotPage } from '../../src-main/core/mirror/apply';
import { CHANGE_LOG_LIMIT } from '../../src-main/core/mirror/conversationChanges';
import type { Mirror } from '../../src-main/core/mirror/db';
import { defineSchemaFunctions } from '../../src-main/core/mirror/migrations';
import { waitedQuery } from '../../src-main/core/mirror/savedViewCounts';
import { countView, filtersClause, inboxCounts, listSavedViews } from '../../src-main/core/mirror/views';
import { confirm, record, reject } from '../../src-main/core/outbox';
import type { Conversation, Inbox, SavedView, User } from '../../src-shared/domain';
import { CONVERSATION_STATUSES } from '../../src-shared/domain';
import type { Op } from '../../src-shared/protocol';
import { teamQueuesFor, viewKey, viewsFor, type ViewRef, type Viewer } from '../../src-shared/rules/visibility';
import { ana, bruno, contact, conversation, inbox, asViewer, seededMirror, visibleTo } from './mirror-fixtures';

const MINUTE = 60_000;
const START = 100 * 60 * MINUTE;
const sofia: User = { ...ana, id: 'user-sofia', name: 'Sofía', role: 'supervisor', teamIds: [] };
const TEAMS = ['team-1', 'team-2'];
const whatsapp: Inbox = { ...inbox, id: 'inbox-wa', name: 'WhatsApp', channel: 'whatsapp', version: 1 };
const TAGS = [['VIP'], ['vip', 'Ñandú'], [], ['reclamo'], ['ñandú']];

function spread(n: number, version = 1): Conversation[] {
  const assignees = [null, ana.id, bruno.id, sofia.id];
  return Array.from({ length: n }, (_, i) =>
    conversation({
      id: `conv-${String(i).padStart(5, '0')}`,
      inboxId: i % 3 === 0 ? whatsapp.id : inbox.id,
      status: CONVERSATION_STATUSES[i % 4]!,
      assigneeId: assignees[Math.floor(i / 4) % 4]!,
      teamId: i % 11 === 0 ? null : TEAMS[i % 2]!,
      unreadCount: i % 5 === 0 ? 2 : 0,
      // Waits that began from 90 minutes before START to 60 minutes after it: the clock brings them in.
      waitingSince: i % 7 === 0 ? null : START - 90 * MINUTE + ((i * 37) % 150) * MINUTE,
      tags: TAGS[i % TAGS.length]!,
      lastMessageAt: 1000 + i,
      version,
    }),
  );
}

const view = (id: string, filters: SavedView['filters'], ownerId = sofia.id, teamId: string | null = null): SavedView => ({
  id,
  name: id,
  ownerId,
  teamId,
  filters,
  sort: 'newest',
  version: 1,
});
const SAVED: SavedView[] = [
  view('sv-vip', { tags: ['vip'] }, ana.id, 'team-1'),
  view('sv-nandu-waiting', { tags: ['ÑANDÚ'], waitingMinutes: 30 }, ana.id, 'team-1'),
  view('sv-wa-unread', { channels: ['whatsapp'], unreadOnly: true }, ana.id, 'team-1'),
  view('sv-waiting', { waitingMinutes: 45, statuses: ['open', 'pending'] }, ana.id, 'team-1'),
  view('sv-queue', { teamIds: ['team-1'], assignees: ['none'] }, ana.id, 'team-1'),
  view('sv-bruno', { assignees: [bruno.id, 'me'], statuses: ['open'] }),
  view('sv-inbox', { inboxIds: [inbox.id], unreadOnly: false }),
];

function directory(user: User): Op[] {
  return [
    { kind: 'user', row: user },
    ...TEAMS.map((id, i): Op => ({ kind: 'team', row: { id, name: `Equipo ${i}`, version: 1 } })),
    { kind: 'inbox', row: inbox },
    { kind: 'inbox', row: whatsapp },
    { kind: 'contact', row: contact },
    ...SAVED.map((row): Op => ({ kind: 'savedView', row })),
  ];
}

function seeded(user: User, n = 160): Mirror {
  return seededMirror(user, directory(user), spread(n));
}

/** Every view counted by one GROUP BY over its conversations. */
function bruteForce(mirror: Mirror, viewer: Viewer, now: number) {
  const db = mirror.read;
  const refs: ViewRef[] = [
    ...viewsFor(viewer.role).map((kind) => ({ kind })),
    ...teamQueuesFor(viewer, TEAMS).map((teamId) => ({ kind: 'team' as const, teamId })),
    ...listSavedViews(db, viewer).map((v) => ({ kind: 'saved' as const, viewId: v.id })),
  ];
  return Object.fromEntries(refs.map((ref) => [viewKey(ref), countView(db, viewer, ref, now)]));
}

function expectSame(mirror: Mirror, viewer: Viewer, now: number) {
  const counts = inboxCounts(mirror.read, viewer, now);
  expect(counts).toEqual(bruteForce(mirror, viewer, now));
  return counts;
}

const total = (c: { open: number; pending: number; snoozed: number; closed: number }) => c.open + c.pending + c.snoozed + c.closed;

describe('saved views counters kept between calls', () => {
  for (const user of [sofia, ana])
    it(`equal a count of each view through changes, actions, time passing and edits (${user.role})`, () => {
      const mirror = seeded(user);
      const viewer = asViewer(user);
      let now = START;
      const first = expectSame(mirror, viewer, now);
      expect(Object.keys(first).filter((k) => k.startsWith('saved:'))).toHaveLength(user.role === 'supervisor' ? SAVED.length : 5);
      expect(total(first['saved:sv-vip']!)).toBeGreaterThan(0);

      // Time passes with no change at all: waits pass 30 and 45 minutes.
      const waitingAtStart = total(first['saved:sv-waiting']!);
      for (let step = 0; step < 6; step++) {
        now += 10 * MINUTE;
        expectSame(mirror, viewer, now);
      }
      expect(total(inboxCounts(mirror.read, viewer, now)['saved:sv-waiting']!)).toBeGreaterThan(waitingAtStart);

      // The server changes conversations: tags added and taken away (any case), an answer ends a wait, a
      // new conversation, a status change.
      const cs = visibleTo(user, spread(160, 2));
      const byTag = (tag: string) => cs.filter((c) => c.tags.some((t) => t.toLowerCase() === tag));
      applyChanges(mirror.db, {
        from: 1,
        to: 2,
        ops: [
          { kind: 'conversation', row: { ...byTag('vip')[0]!, tags: [] } },
          { kind: 'conversation', row: { ...cs.find((c) => c.tags.length === 0)!, tags: ['Vip'] } },
          { kind: 'conversation', row: { ...cs.find((c) => c.waitingSince !== null && c.status === 'open')!, waitingSince: null } },
          { kind: 'conversation', row: { ...cs[5]!, status: 'closed' } },
          {
            kind: 'conversation',
            row: conversation({ id: 'conv-new', assigneeId: user.id, tags: ['VIP'], waitingSince: now - 50 * MINUTE }),
          },
        ],
      });
      expectSame(mirror, viewer, now);

      // Actions recorded here (overlays), then confirmed or refused.
      const mine = cs.filter((c) => c.assigneeId === user.id && c.status !== 'closed');
      const ids = [
        record(mirror.db, 'conversation.tag', { conversationId: mine[0]!.id, add: ['vip'], remove: [] }, now).mutationId,
        record(mirror.db, 'conversation.markRead', { conversationId: mine[1]!.id }, now).mutationId,
        record(mirror.db, 'conversation.close', { conversationId: mine[2]!.id, note: null, categoryId: null }, now).mutationId,
        record(mirror.db, 'conversation.assign', { conversationId: mine[3]!.id, assigneeId: null }, now).mutationId,
      ];
      const afterActions = expectSame(mirror, viewer, now);
      expect(afterActions['saved:sv-vip']).not.toEqual(first['saved:sv-vip']);
      confirm(mirror.db, ids[0]!);
      reject(mirror.db, ids[2]!, { code: 'FORBIDDEN', message: 'no' });
      now += 5 * MINUTE;
      expectSame(mirror, viewer, now);

      // Revoked conversations leave every view.
      applyChanges(mirror.db, {
        from: 2,
        to: 3,
        ops: [
          { kind: 'revoke', conversationId: byTag('vip')[1]!.id },
          { kind: 'revoke', conversationId: mine[1]!.id },
        ],
      });
      expectSame(mirror, viewer, now);

      // A saved view edited here and one edited by the server; the webchat inbox becomes a WhatsApp one.
      const own = SAVED.find((v) => v.ownerId === user.id)!;
      record(mirror.db, 'view.save', { ...own, filters: { tags: ['reclamo'], unreadOnly: true } }, now);
      applyChanges(mirror.db, {
        from: 3,
        to: 4,
        ops: [
          { kind: 'savedView', row: { ...SAVED.find((v) => v.id === 'sv-queue')!, filters: { teamIds: ['team-2'] }, version: 2 } },
          { kind: 'inbox', row: { ...inbox, channel: 'whatsapp', version: 2 } },
        ],
      });
      expectSame(mirror, viewer, now);

      // Another program writes the file: this connection's triggers never saw it.
      const other = new Database(mirror.path);
      defineSchemaFunctions(other);
      other.prepare('UPDATE conversations SET tags = \'["VIP"]\', unread_count = 3').run();
      other.close();
      const rewritten = expectSame(mirror, viewer, now);
      expect(rewritten['saved:sv-wa-unread']).not.toEqual(afterActions['saved:sv-wa-unread']);

      // The clock goes back: waits shorter than the minutes leave the waiting views.
      now -= 40 * MINUTE;
      expectSame(mirror, viewer, now);
      mirror.close();
    });

  it('a count that fails halfway loses no change: the next one still equals a count of each view', () => {
    const mirror = seeded(sofia, 80);
    const viewer = asViewer(sofia);
    const before = expectSame(mirror, viewer, START);
    const untagged = visibleTo(sofia, spread(80, 2)).filter((c) => c.tags.length === 0);
    applyChanges(mirror.db, { from: 1, to: 2, ops: untagged.map((c): Op => ({ kind: 'conversation', row: { ...c, tags: ['Vip'] } })) });
    // The tag filter's function fails once (the counter had already taken the change log).
    const raw = mirror.db as unknown as Database.Database;
    raw.function('js_lower', { deterministic: true }, (_value: unknown) => {
      throw new Error('disk I/O error');
    });
    expect(() => inboxCounts(mirror.read, viewer, START)).toThrow('disk I/O error');
    defineSchemaFunctions(raw);
    const after = expectSame(mirror, viewer, START);
    expect(total(after['saved:sv-vip']!)).toBe(total(before['saved:sv-vip']!) + untagged.length);
    mirror.close();
  });

  it('follow a snapshot with more conversations than the change log holds', () => {
    const mirror = seeded(sofia, 40);
    const viewer = asViewer(sofia);
    expectSame(mirror, viewer, START);
    applySnapshotBegin(mirror.db, 'e2');
    applySnapshotPage(mirror.db, [
      ...directory(sofia),
      ...spread(CHANGE_LOG_LIMIT + 100).map((row): Op => ({ kind: 'conversation', row })),
    ]);
    applySnapshotEnd(mirror.db, 7);
    const counts = expectSame(mirror, viewer, START);
    expect(total(counts.all!)).toBe(CHANGE_LOG_LIMIT + 100);
    mirror.close();
  });

  it('plan: conversations whose wait passed the minutes are read through the waiting-since index', () => {
    const mirror = seeded(sofia);
    const waiting = SAVED.find((v) => v.id === 'sv-waiting')!;
    const q = waitedQuery(filtersClause(waiting.filters, asViewer(sofia), START), START - 60 * MINUTE, START);
    const plan = (mirror.db.prepare(`EXPLAIN QUERY PLAN ${q.sql}`).all(...q.params) as { detail: string }[])
      .map((p) => p.detail)
      .join('\n');
    expect(plan).toMatch(/SEARCH c USING INDEX conversations_waiting_since \(waiting_since>\? AND waiting_since<\?\)/);
    expect(plan).not.toMatch(/SCAN c\b|SEARCH c USING INDEX conversations_(waiting|by_status) /);
    mirror.close();
  });
});
