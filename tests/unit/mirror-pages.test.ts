// Paged reads for the virtualized lists (issue 6): inbox.list's keyset cursor and the timeline's pages.
// On a real mirror file: pages walk a list or a timeline without gaps or repeats, the newest timeline
// page carries this device's unconfirmed messages, `reach` widens a page down to an old message, and
// every new query shape reads an index in the page's order (no scan, no sort of the whole list).
import { describe, expect, it } from 'vitest';
import { conversationMessagePage, conversationMessages } from '../../src-main/core/mirror/queries';
import { listInbox } from '../../src-main/core/mirror/views';
import { applyChanges } from '../../src-main/core/mirror/apply';
import { record } from '../../src-main/core/outbox';
import type { User } from '../../src-shared/domain';
import type { ConversationItem } from '../../src-shared/ipc';
import type { Op } from '../../src-shared/protocol';
import type { ViewRef } from '../../src-shared/rules/visibility';
import { ana, conversation, inbound, snapshotMirror } from './mirror-fixtures';

const sofia: User = { ...ana, id: 'user-sofia', name: 'Sofía', role: 'supervisor', teamIds: [] };
const uuid = (n: number) => `0190a7a0-0000-7000-8000-${String(n).padStart(12, '0')}`;
const CONVERSATIONS = 230;
const MESSAGES = 260;

function seeded(user: User) {
  const ops: Op[] = [];
  // Many conversations share a last activity, so the id must break ties for the cursor to be exact.
  for (let i = 0; i < CONVERSATIONS; i++)
    ops.push({
      kind: 'conversation',
      row: conversation({
        id: `conv-${String(i).padStart(3, '0')}`,
        assigneeId: i % 3 === 0 ? ana.id : null,
        lastMessageAt: 1000 + (i % 17),
        version: 1,
      }),
    });
  for (let i = 1; i <= MESSAGES; i++)
    ops.push({
      kind: 'message',
      row: inbound({ id: `msg-${i}`, conversationId: 'conv-000', body: `Mensaje ${i}`, seq: i, createdAt: 2000 + i, version: 1 }),
    });
  return snapshotMirror(user, [ana], ops);
}

function walk(
  db: Parameters<typeof listInbox>[0],
  viewer: User,
  view: ViewRef,
  sort: 'newest' | 'oldest',
  limit: number,
): ConversationItem[][] {
  const pages: ConversationItem[][] = [];
  let after: { lastMessageAt: number; id: string } | undefined;
  for (;;) {
    const page = listInbox(db, viewer, { view, status: 'open', sort, limit, after });
    if (page.length === 0) break;
    pages.push(page);
    const last = page.at(-1)!;
    after = { lastMessageAt: last.lastMessageAt, id: last.id };
  }
  return pages;
}

describe('inbox.list keyset pages', () => {
  for (const sort of ['newest', 'oldest'] as const)
    for (const view of [{ kind: 'all' }, { kind: 'unassigned' }, { kind: 'team', teamId: 'team-1' }] as ViewRef[])
      it(`${view.kind}, ${sort}: pages of 50 list every conversation once, in the order of the whole list`, () => {
        const mirror = seeded(sofia);
        try {
          const whole = listInbox(mirror.read, sofia, { view, status: 'open', sort, limit: 500 });
          expect(whole.length).toBeGreaterThan(100);
          const pages = walk(mirror.read, sofia, view, sort, 50);
          expect(pages.slice(0, -1).every((p) => p.length === 50)).toBe(true);
          expect(pages.flat().map((c) => c.id)).toEqual(whole.map((c) => c.id));
        } finally {
          mirror.close();
        }
      });

  it('an agent pages only through what they may see', () => {
    const mirror = seeded(ana);
    try {
      const mine = walk(mirror.read, ana, { kind: 'mine' }, 'newest', 20).flat();
      expect(mine).toHaveLength(Math.ceil(CONVERSATIONS / 3));
      expect(mine.every((c) => c.assigneeId === ana.id)).toBe(true);
    } finally {
      mirror.close();
    }
  });
});

describe('conversation.messagePage', () => {
  it('pages from the newest back to the first message, each in timeline order, with hasOlder until the first', () => {
    const mirror = seeded(sofia);
    try {
      const seen: string[][] = [];
      let before: number | undefined;
      for (;;) {
        const page = conversationMessagePage(mirror.read, 'conv-000', { before, limit: 100 });
        seen.unshift(page.messages.map((m) => m.body));
        if (!page.hasOlder) break;
        before = page.messages[0]!.seq!;
      }
      expect(seen.map((p) => p.length)).toEqual([60, 100, 100]);
      expect(seen.flat()).toEqual(conversationMessages(mirror.read, 'conv-000').map((m) => m.body));
    } finally {
      mirror.close();
    }
  });

  it("the newest page ends with this device's unconfirmed messages; older pages never repeat them", () => {
    const mirror = seeded(sofia);
    try {
      record(mirror.db, 'message.send', { id: uuid(1), conversationId: 'conv-000', body: 'Respuesta en camino' }, 9000);
      const newest = conversationMessagePage(mirror.read, 'conv-000', { limit: 10 });
      expect(newest.messages.map((m) => m.body)).toEqual([
        ...Array.from({ length: 10 }, (_, i) => `Mensaje ${MESSAGES - 9 + i}`),
        'Respuesta en camino',
      ]);
      expect(newest.messages.at(-1)).toMatchObject({ seq: null, delivery: 'pending', direction: 'out' });
      expect(newest.hasOlder).toBe(true);
      const older = conversationMessagePage(mirror.read, 'conv-000', { before: newest.messages[0]!.seq!, limit: 10 });
      expect(older.messages.map((m) => m.body)).not.toContain('Respuesta en camino');
      expect(older.messages.at(-1)!.seq).toBe(MESSAGES - 10);
    } finally {
      mirror.close();
    }
  });

  it('reach widens the newest page down to an old message, with some of the messages before it', () => {
    const mirror = seeded(sofia);
    try {
      const page = conversationMessagePage(mirror.read, 'conv-000', { limit: 50, reach: 'msg-30' });
      expect(page.messages.map((m) => m.id)).toContain('msg-30');
      expect(page.messages[0]!.seq).toBeLessThan(30);
      expect(page.messages.at(-1)!.id).toBe(`msg-${MESSAGES}`);
      expect(page.hasOlder).toBe(true);
      // A message of another conversation (or unknown) changes nothing.
      expect(conversationMessagePage(mirror.read, 'conv-000', { limit: 50, reach: 'nope' }).messages).toHaveLength(50);
    } finally {
      mirror.close();
    }
  });

  it('read again down to its oldest message, the newest page keeps its extent: only new messages lengthen it', () => {
    const mirror = seeded(sofia);
    try {
      // As the timeline does: the newest page, the one older than it, then after each change the newest
      // page again down to the oldest message it held (without context below it), and the next from there.
      let newest = conversationMessagePage(mirror.read, 'conv-000', { limit: 100 });
      const older = conversationMessagePage(mirror.read, 'conv-000', { before: newest.messages[0]!.seq!, limit: 100 });
      const first = newest.messages[0]!;
      let seq = MESSAGES;
      for (let change = 1; change <= 3; change++) {
        // A status update of a message on the page, then (twice) a new message from the customer.
        const ops: Op[] = [
          {
            kind: 'message',
            row: inbound({
              id: `msg-${MESSAGES}`,
              conversationId: 'conv-000',
              body: `Mensaje ${MESSAGES}`,
              seq: MESSAGES,
              createdAt: 2000 + MESSAGES,
              version: 1 + change,
            }),
          },
        ];
        if (change > 1) {
          seq++;
          ops.push({
            kind: 'message',
            row: inbound({ id: `msg-${seq}`, conversationId: 'conv-000', body: `Mensaje ${seq}`, seq, createdAt: 2000 + seq, version: 1 }),
          });
        }
        applyChanges(mirror.db, { from: change, to: change + 1, ops });
        newest = conversationMessagePage(mirror.read, 'conv-000', {
          limit: 100,
          reach: newest.messages.find((m) => m.seq !== null)!.id,
          reachContext: 0,
        });
        expect(newest.messages[0]!.id).toBe(first.id);
        expect(newest.messages).toHaveLength(100 + (seq - MESSAGES));
        expect(newest.messages.at(-1)!.body).toBe(`Mensaje ${seq}`);
        const next = conversationMessagePage(mirror.read, 'conv-000', { before: newest.messages[0]!.seq!, limit: 100 });
        expect(next).toEqual(older);
      }
      // Opening at an old message still keeps some messages below it.
      const opened = conversationMessagePage(mirror.read, 'conv-000', { limit: 100, reach: first.id });
      expect(opened.messages[0]!.seq).toBe(first.seq! - 20);
    } finally {
      mirror.close();
    }
  });

  it('an empty conversation has an empty page and nothing older', () => {
    const mirror = seeded(sofia);
    try {
      expect(conversationMessagePage(mirror.read, 'conv-001', { limit: 100 })).toEqual({ messages: [], hasOlder: false });
    } finally {
      mirror.close();
    }
  });
});

describe('query plans of the pages', () => {
  /** The plan of every statement `run` prepares on the mirror (each '?' bound to 1). */
  function plansOf(mirror: ReturnType<typeof seeded>, run: () => void): string[] {
    const sqls: string[] = [];
    const db = mirror.db;
    const prepare = db.prepare.bind(db);
    db.prepare = ((sql: string) => {
      sqls.push(sql);
      return prepare(sql);
    }) as typeof db.prepare;
    try {
      run();
    } finally {
      db.prepare = prepare;
    }
    return [...new Set(sqls)].map((sql) =>
      (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...Array.from(sql.matchAll(/\?/g), () => 1)) as { detail: string }[])
        .map((r) => r.detail)
        .join('\n'),
    );
  }

  function expectIndexedNoSort(plan: string): void {
    // A sort would read every matching row before the first row of the page could be returned.
    expect(plan).not.toMatch(/TEMP B-TREE/);
    expect(plan).not.toMatch(/^SCAN (c|o|m|p|messages|conversations|pending_messages)\b/m);
  }

  it("a next inbox page starts inside the view's index at the cursor (both sorts), with no sort", () => {
    const mirror = seeded(sofia);
    try {
      for (const [view, index] of [
        [{ kind: 'all' }, /SEARCH c USING INDEX conversations_by_status \(status=\? AND \(last_message_at,id\)[<>]\(\?,\?\)\)/],
        [
          { kind: 'unassigned' },
          /SEARCH c USING INDEX conversations_by_assignee \(assignee_id=\? AND status=\? AND \(last_message_at,id\)[<>]\(\?,\?\)\)/,
        ],
        [
          { kind: 'team', teamId: 'team-1' },
          /SEARCH c USING INDEX conversations_by_team \(team_id=\? AND status=\? AND \(last_message_at,id\)[<>]\(\?,\?\)\)/,
        ],
      ] as [ViewRef, RegExp][])
        for (const sort of ['newest', 'oldest'] as const) {
          const plans = plansOf(mirror, () =>
            listInbox(mirror.read, sofia, { view, status: 'open', sort, limit: 50, after: { lastMessageAt: 1005, id: 'conv-100' } }),
          );
          const list = plans.find((p) => p.includes('MERGE (UNION ALL)'))!;
          expect(list, `${view.kind} ${sort}`).toMatch(index);
          expect(list).toMatch(
            /SEARCH o USING INDEX overlay_conversations_by_status \(status=\? AND \(last_message_at,id\)[<>]\(\?,\?\)\)/,
          );
          expectIndexedNoSort(list);
        }
    } finally {
      mirror.close();
    }
  });

  it('timeline pages (newest, older, reach) read (conversation_id, seq) backwards and the pending ones by mutation id', () => {
    const mirror = seeded(sofia);
    try {
      const plans = plansOf(mirror, () => {
        conversationMessagePage(mirror.read, 'conv-000', { limit: 50, reach: 'msg-3' });
        conversationMessagePage(mirror.read, 'conv-000', { before: 100, limit: 50 });
      });
      expect(plans).toHaveLength(4);
      for (const plan of plans) expectIndexedNoSort(plan);
      expect(plans.some((p) => /SEARCH m USING INDEX messages_by_conversation \(conversation_id=\? AND seq<\?\)/.test(p))).toBe(true);
      expect(plans.some((p) => /SEARCH p USING INDEX pending_messages_by_conversation \(conversation_id=\?\)/.test(p))).toBe(true);
      expect(plans.some((p) => /COVERING INDEX messages_by_conversation \(conversation_id=\? AND seq>\? AND seq<\?\)/.test(p))).toBe(true);
    } finally {
      mirror.close();
    }
  });
});
