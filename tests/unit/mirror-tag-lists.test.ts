// Saved views filtering on tags list their pages from the tag index (mirror migration 8, conversation_tags,
// kept by triggers). Every page must be what the view's filters (rules/visibility.ts matchesFilters) and the
// viewer's scope pick among the conversations as this device shows them, in the list's order: through tags
// added and removed here and not yet confirmed, server changes, confirms, refusals, revokes, a new snapshot
// and a file migrated with conversations already in it.
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { applyChanges, applySnapshotBegin, applySnapshotEnd, applySnapshotPage } from '../../src-main/core/mirror/apply';
import { openMirror, type Mirror } from '../../src-main/core/mirror/db';
import { writeSessionUser } from '../../src-main/core/mirror/meta';
import { MIGRATIONS, migrate } from '../../src-main/core/mirror/migrations';
import { conversationFromRow, conversationParams, type ConversationRow } from '../../src-main/core/mirror/rows';
import { inboxCounts, listInbox, listSavedViews } from '../../src-main/core/mirror/views';
import { confirm, record, reject } from '../../src-main/core/outbox';
import type { Conversation, Inbox, SavedView, User } from '../../src-shared/domain';
import { CONVERSATION_STATUSES } from '../../src-shared/domain';
import type { Op } from '../../src-shared/protocol';
import { canSeeConversation, matchesFilters, type Viewer } from '../../src-shared/rules/visibility';
import { ana, bruno, contact, conversation, inbox, tempMirrorPath, asViewer, seededMirror, visibleTo } from './mirror-fixtures';

const NOW = 10_000_000;
const MINUTE = 60_000;
const sofia: User = { ...ana, id: 'user-sofia', name: 'Sofía', role: 'supervisor', teamIds: [] };
const TEAMS = ['team-1', 'team-2'];
const whatsapp: Inbox = { ...inbox, id: 'inbox-wa', name: 'WhatsApp', channel: 'whatsapp', teamId: 'team-2' };
const TAG_SETS = [[], ['VIP'], ['vip', 'VIP'], ['reclamo'], ['Reclamo', 'VIP'], ['FACTURACIÓN'], ['facturación', 'otro'], ['otro']];

function spread(version = 1): Conversation[] {
  const assignees = [null, ana.id, bruno.id, sofia.id];
  const out: Conversation[] = [];
  for (let i = 0; i < 160; i++)
    out.push(
      conversation({
        id: `conv-${String(i).padStart(3, '0')}`,
        inboxId: i % 3 === 0 ? whatsapp.id : inbox.id,
        status: CONVERSATION_STATUSES[i % 4]!,
        assigneeId: assignees[Math.floor(i / 4) % 4]!,
        teamId: TEAMS[i % 2]!,
        unreadCount: i % 5 === 0 ? 2 : 0,
        waitingSince: i % 7 === 0 ? null : NOW - (i % 6) * 20 * MINUTE,
        // Ties in time, so the id decides the order between them.
        lastMessageAt: 1_000 + Math.floor(i / 3) * 10,
        tags: TAG_SETS[(i * 7 + Math.floor(i / 8)) % TAG_SETS.length]!,
        version,
      }),
    );
  return out;
}

const view = (id: string, filters: SavedView['filters']): SavedView => ({
  id,
  name: id,
  ownerId: sofia.id,
  teamId: 'team-1',
  filters,
  sort: 'newest',
  version: 1,
});
const savedViews: SavedView[] = [
  view('sv-vip', { tags: ['vip'] }),
  view('sv-any', { tags: ['VIP', 'Facturación', 'vip'] }),
  view('sv-wa-reclamo', { tags: ['RECLAMO', 'otro'], channels: ['whatsapp'] }),
  view('sv-mine-waiting', { tags: ['facturación'], assignees: ['me', 'none'], waitingMinutes: 30 }),
  view('sv-team', { tags: ['vip', 'reclamo'], teamIds: ['team-1'], unreadOnly: true }),
];

function snapshotOps(user: User, conversations: Conversation[]): Op[] {
  return [
    { kind: 'user', row: user },
    ...TEAMS.map((id): Op => ({ kind: 'team', row: { id, name: id, version: 1 } })),
    { kind: 'inbox', row: inbox },
    { kind: 'inbox', row: whatsapp },
    { kind: 'contact', row: contact },
    ...savedViews.map((row): Op => ({ kind: 'savedView', row })),
    ...conversations.map((row): Op => ({ kind: 'conversation', row })),
  ];
}

function seeded(user: User): Mirror {
  return seededMirror(user, snapshotOps(user, []), spread());
}

/** Every page of a list, read as the app reads it (keyset paging), as ids. */
function paged(mirror: Mirror, viewer: Viewer, viewId: string, status: Conversation['status'], sort: 'newest' | 'oldest'): string[] {
  const out: string[] = [];
  for (;;) {
    const last = out.length
      ? mirror.read.prepare<[string], ConversationRow>('SELECT * FROM conversations_view WHERE id = ?').get(out.at(-1)!)!
      : null;
    const page = listInbox(
      mirror.read,
      viewer,
      {
        view: { kind: 'saved', viewId },
        status,
        sort,
        limit: 7,
        ...(last ? { after: { lastMessageAt: last.last_message_at, id: last.id } } : {}),
      },
      NOW,
    );
    out.push(...page.map((c) => c.id));
    if (page.length < 7) return out;
  }
}

/** The same list from every conversation this device shows, filtered and sorted in JavaScript. */
function expected(mirror: Mirror, viewer: Viewer, v: SavedView, status: Conversation['status'], sort: 'newest' | 'oldest'): string[] {
  const channels = new Map([
    [inbox.id, inbox.channel],
    [whatsapp.id, whatsapp.channel],
  ]);
  const all = mirror.read.prepare<[], ConversationRow>('SELECT * FROM conversations_view').all().map(conversationFromRow);
  const sign = sort === 'newest' ? -1 : 1;
  return all
    .filter((c) => c.status === status && canSeeConversation(viewer, c))
    .filter((c) => matchesFilters(v.filters, viewer, { ...c, channel: channels.get(c.inboxId)! }, NOW))
    .sort((a, b) => sign * (a.lastMessageAt - b.lastMessageAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)))
    .map((c) => c.id);
}

/** The index holds exactly each conversation's folded tags, with its status and time as shown. */
function expectIndexExact(mirror: Mirror) {
  const sql = (from: string) => `SELECT tag_key, status, last_message_at, conversation_id FROM ${from} ORDER BY 1, 2, 3, 4`;
  const derived = mirror.read
    .prepare(
      sql(`(SELECT DISTINCT js_lower(t.value) AS tag_key, c.status, c.last_message_at, c.id AS conversation_id
              FROM conversations_view c, json_each(c.tags) t)`),
    )
    .all();
  expect(mirror.read.prepare(sql('conversation_tags')).all()).toEqual(derived);
}

function expectSame(mirror: Mirror, user: User): number {
  const viewer = asViewer(user);
  expectIndexExact(mirror);
  let listed = 0;
  for (const v of listSavedViews(mirror.read, viewer))
    for (const status of CONVERSATION_STATUSES)
      for (const sort of ['newest', 'oldest'] as const) {
        const ids = paged(mirror, viewer, v.id, status, sort);
        expect(ids, `${v.id} · ${status} · ${sort}`).toEqual(expected(mirror, viewer, v, status, sort));
        if (sort === 'newest') {
          // The counters (counted by the view's own SQL) agree with the list.
          expect(inboxCounts(mirror.read, viewer, NOW)[`saved:${v.id}`]![status], `${v.id} · ${status} count`).toBe(ids.length);
          listed += ids.length;
        }
      }
  return listed;
}

describe('tag-filtered saved views read from the tag index', () => {
  for (const user of [sofia, ana])
    it(`list what their filters pick through pending tags, server changes, confirms, refusals, revokes and a new snapshot (${user.role})`, () => {
      const mirror = seeded(user);
      expect(expectSame(mirror, user)).toBeGreaterThan(20);

      const visible = visibleTo(user, spread());
      const pick = (test: (c: Conversation) => boolean, nth = 0) => visible.filter(test)[nth]!.id;
      const vip = pick((c) => c.tags.includes('VIP'));
      const plain = pick((c) => c.tags.length === 0);
      const billed = pick((c) => c.tags.includes('FACTURACIÓN') && c.status !== 'closed');
      const mine = pick((c) => c.assigneeId === user.id && c.status === 'open' && c.id !== billed);
      const ids: number[] = [];
      const act = (name: Parameters<typeof record>[1], args: Parameters<typeof record>[2]) =>
        ids.push(record(mirror.db, name, args, NOW).mutationId);
      // On this device, not confirmed yet: a tag removed (in another case), tags added, a close, a tag
      // added to a conversation with another change already pending.
      act('conversation.tag', { conversationId: vip, add: [], remove: ['vip', 'VIP'] });
      act('conversation.tag', { conversationId: plain, add: ['Vip', 'Reclamo'], remove: [] });
      act('conversation.close', { conversationId: billed, note: null, categoryId: null });
      act('conversation.tag', { conversationId: billed, add: ['vip'], remove: [] });
      act('conversation.setStatus', { conversationId: mine, status: 'pending' });
      expectSame(mirror, user);

      // The server changes tags under a pending overlay and on a conversation without one.
      const other = pick((c) => c.tags.length === 0, 1);
      const changed = spread(2).filter((c) => [vip, other].includes(c.id));
      applyChanges(mirror.db, {
        from: 1,
        to: 2,
        ops: changed.map((c): Op => ({ kind: 'conversation', row: { ...c, tags: ['FACTURACIÓN', 'vip'], lastMessageAt: 99_999 } })),
      });
      expectSame(mirror, user);

      // Confirmed, refused, then revokes of a conversation with an overlay and of one without.
      confirm(mirror.db, ids[1]!);
      reject(mirror.db, ids[0]!, { code: 'FORBIDDEN', message: 'no' });
      expectSame(mirror, user);
      applyChanges(mirror.db, {
        from: 2,
        to: 3,
        ops: [
          { kind: 'revoke', conversationId: billed },
          { kind: 'revoke', conversationId: pick((c) => c.tags.includes('otro') && c.id !== billed) },
        ],
      });
      expectSame(mirror, user);

      // A new snapshot with mutations still pending: the index is rebuilt with the tables.
      applySnapshotBegin(mirror.db, 'e2');
      const again = visibleTo(user, spread(5))
        .slice(3)
        .map((c, i) => ({ ...c, tags: TAG_SETS[(i * 3) % TAG_SETS.length]! }));
      applySnapshotPage(mirror.db, snapshotOps(user, again.slice(0, 70)));
      expectSame(mirror, user);
      applySnapshotPage(
        mirror.db,
        again.slice(70).map((row): Op => ({ kind: 'conversation', row })),
      );
      applySnapshotEnd(mirror.db, 9);
      expect(expectSame(mirror, user)).toBeGreaterThan(20);
      mirror.close();
    });

  it('a mirror written before the tag index gets it from its conversations and overlays when it is opened', () => {
    const path = tempMirrorPath();
    const raw = new Database(path);
    migrate(raw, MIGRATIONS.slice(0, 7));
    const cols = Object.keys(conversationParams(spread()[0]!));
    for (const [table, rows] of [
      ['conversations', spread()],
      [
        'overlay_conversations',
        spread(3)
          .filter((_, i) => i % 10 === 0)
          .map((c) => ({ ...c, tags: ['VIP'], status: 'closed' as const })),
      ],
    ] as const) {
      const insert = raw.prepare(`INSERT INTO ${table} (${cols.join(', ')}) VALUES (${cols.map((c) => `@${c}`).join(', ')})`);
      for (const c of rows) insert.run(conversationParams(c));
    }
    raw.close();
    const mirror = openMirror(path);
    expect(mirror.db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    writeSessionUser(mirror.db, sofia);
    // The directory and the saved views, nothing about the conversations.
    applySnapshotPage(mirror.db, snapshotOps(sofia, []));
    expectSame(mirror, sofia);
    const closedVip = listInbox(
      mirror.read,
      asViewer(sofia),
      { view: { kind: 'saved', viewId: 'sv-vip' }, status: 'closed', sort: 'newest', limit: 200 },
      NOW,
    );
    expect(closedVip.filter((c) => c.id.endsWith('0')).length).toBe(16);
    mirror.close();
  });
});
