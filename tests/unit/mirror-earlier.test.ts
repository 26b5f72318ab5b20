// conversation.earlier on a real mirror file: the contact's conversations before the open one, oldest
// first, as many as the timeline shows and each with its newest messages; the chain stops where the
// viewer may not see a conversation or one holds no message.
import { describe, expect, it } from 'vitest';
import { EARLIER_CONVERSATIONS, EARLIER_MESSAGES, earlierConversations } from '../../src-main/core/mirror/queries';
import { record } from '../../src-main/core/outbox';
import type { Conversation, User } from '../../src-shared/domain';
import type { Op } from '../../src-shared/protocol';
import { ana, bruno, conversation, inbound, snapshotMirror } from './mirror-fixtures';

const sofia: User = { ...ana, id: 'user-sofia', name: 'Sofía', role: 'supervisor', teamIds: [] };
const DAY = 24 * 3600_000;

/** conv-1 … conv-9, each continuing the one before; conv-k has k messages (conv-3 has 150). `over`
 *  changes single conversations. */
function seeded(
  viewer: User,
  over: Record<number, Partial<Conversation>> = {},
  messages: (k: number) => number = (k) => (k === 3 ? 150 : k),
) {
  const ops: Op[] = [];
  let seq = 0;
  for (let k = 1; k <= 9; k++) {
    const start = k * DAY;
    ops.push({
      kind: 'conversation',
      row: conversation({
        id: `conv-${k}`,
        status: k === 9 ? 'open' : 'closed',
        assigneeId: ana.id,
        previousConversationId: k === 1 ? null : `conv-${k - 1}`,
        createdAt: start,
        lastMessageAt: start + messages(k),
        version: 1,
        ...over[k],
      }),
    });
    for (let i = 1; i <= messages(k); i++)
      ops.push({
        kind: 'message',
        row: inbound({ id: `m-${k}-${i}`, conversationId: `conv-${k}`, body: `${k}.${i}`, seq: ++seq, createdAt: start + i, version: 1 }),
      });
  }
  return snapshotMirror(viewer, [bruno], ops);
}

const ids = (chain: { conversationId: string }[]) => chain.map((c) => c.conversationId);

describe('conversation.earlier', () => {
  it('lists the conversations before this one, oldest first, as many as the timeline shows, each with its newest messages', () => {
    const mirror = seeded(sofia);
    try {
      const chain = earlierConversations(mirror.read, sofia, 'conv-9');
      expect(EARLIER_CONVERSATIONS).toBe(6);
      expect(ids(chain)).toEqual(['conv-3', 'conv-4', 'conv-5', 'conv-6', 'conv-7', 'conv-8']);
      // conv-3 has more messages than are shown: its newest ones, in order, and when it really began.
      const [third, fourth] = chain;
      expect(third!.hasOlder).toBe(true);
      expect(third!.messages).toHaveLength(EARLIER_MESSAGES);
      expect(third!.messages.map((m) => m.body)).toEqual(Array.from({ length: EARLIER_MESSAGES }, (_, i) => `3.${i + 51}`));
      expect(third!.startedAt).toBe(3 * DAY + 1);
      expect(fourth).toMatchObject({ hasOlder: false, startedAt: 4 * DAY + 1 });
      expect(fourth!.messages.map((m) => m.body)).toEqual(['4.1', '4.2', '4.3', '4.4']);
      // From further back, the chain reaches the first conversation and ends there.
      expect(ids(earlierConversations(mirror.read, sofia, 'conv-4'))).toEqual(['conv-1', 'conv-2', 'conv-3']);
      expect(earlierConversations(mirror.read, sofia, 'conv-1')).toEqual([]);
    } finally {
      mirror.close();
    }
  });

  it('stops at a conversation the agent may not see, and shows nothing above one they may not see', () => {
    // conv-6 went to Bruno: Ana sees what came after it, not it nor anything before it.
    const mirror = seeded(ana, { 6: { assigneeId: bruno.id } });
    try {
      expect(ids(earlierConversations(mirror.read, ana, 'conv-9'))).toEqual(['conv-7', 'conv-8']);
      expect(earlierConversations(mirror.read, ana, 'conv-6')).toEqual([]);
      expect(earlierConversations(mirror.read, ana, 'conv-404')).toEqual([]);
    } finally {
      mirror.close();
    }
  });

  it('stops at a conversation without messages, and shows this device’s unsent ones of an earlier conversation', () => {
    const mirror = seeded(sofia, {}, (k) => (k === 5 ? 0 : 2));
    try {
      expect(ids(earlierConversations(mirror.read, sofia, 'conv-9'))).toEqual(['conv-6', 'conv-7', 'conv-8']);
      record(
        mirror.db,
        'note.add',
        { id: '0190a7a0-0000-7000-8000-00000000aaaa', conversationId: 'conv-8', body: 'Nota tardía', mentions: [] },
        10 * DAY,
      );
      const last = earlierConversations(mirror.read, sofia, 'conv-9').at(-1)!;
      expect(last.messages.map((m) => [m.body, m.delivery])).toEqual([
        ['8.1', 'sent'],
        ['8.2', 'sent'],
        ['Nota tardía', 'pending'],
      ]);
    } finally {
      mirror.close();
    }
  });

  it('ends at a conversation it has already passed (a loop in a damaged mirror)', () => {
    const mirror = seeded(sofia, { 1: { previousConversationId: 'conv-2' } });
    try {
      expect(ids(earlierConversations(mirror.read, sofia, 'conv-3'))).toEqual(['conv-1', 'conv-2']);
    } finally {
      mirror.close();
    }
  });
});
