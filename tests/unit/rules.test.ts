// Pure domain rules: the status machine, who sees what, and what agent actions do to a conversation.
import { describe, expect, it } from 'vitest';
import {
  BandejaError,
  MESSAGE_MAX_CHARS,
  assign,
  canSeeConversation,
  canTransition,
  inView,
  markRead,
  sendReply,
  setStatus,
  statusOnCustomerMessage,
  viewsFor,
  type Conversation,
  type Viewer,
} from '../../src-shared';

const ana: Viewer = { id: 'ana', role: 'agent', teamIds: ['soporte'] };
const bruno: Viewer = { id: 'bruno', role: 'agent', teamIds: ['soporte'] };
const carla: Viewer = { id: 'carla', role: 'agent', teamIds: ['ventas'] };
const sofia: Viewer = { id: 'sofia', role: 'supervisor', teamIds: [] };

const base: Conversation = {
  id: 'c1',
  inboxId: 'web',
  contactId: 'k1',
  teamId: 'soporte',
  assigneeId: null,
  status: 'open',
  unreadCount: 3,
  lastMessageAt: 1000,
  lastMessagePreview: 'Hola',
  lastCustomerMessageAt: 1000,
  waitingSince: 1000,
  tags: [],
  botActive: false,
  closingCategoryId: null,
  previousConversationId: null,
  snoozedUntil: null,
  createdAt: 500,
  version: 1,
};

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return e instanceof BandejaError ? e.code : 'not a BandejaError';
  }
  return undefined;
}

describe('status machine', () => {
  it('lets open conversations close and closed ones only reopen', () => {
    expect(canTransition('open', 'closed')).toBe(true);
    expect(canTransition('closed', 'open')).toBe(true);
    expect(canTransition('closed', 'pending')).toBe(false);
    expect(canTransition('closed', 'snoozed')).toBe(false);
  });

  it('wakes a snoozed conversation when the customer writes, and leaves the others alone', () => {
    expect(statusOnCustomerMessage('snoozed')).toBe('open');
    expect(statusOnCustomerMessage('pending')).toBe('pending');
    expect(statusOnCustomerMessage('closed')).toBe('closed');
  });
});

describe('visibility', () => {
  it("shows agents their own and their teams' unassigned conversations only", () => {
    expect(canSeeConversation(ana, base)).toBe(true);
    expect(canSeeConversation(carla, base)).toBe(false);
    const anas = { ...base, assigneeId: 'ana' };
    expect(canSeeConversation(ana, anas)).toBe(true);
    expect(canSeeConversation(bruno, anas)).toBe(false);
    expect(canSeeConversation(ana, { ...base, teamId: null })).toBe(false);
  });

  it('shows supervisors everything, and offers All only to supervisors and admins', () => {
    expect(canSeeConversation(sofia, { ...base, assigneeId: 'ana', teamId: 'ventas' })).toBe(true);
    expect(viewsFor('agent')).toEqual(['mine', 'unassigned']);
    expect(viewsFor('supervisor')).toContain('all');
    expect(viewsFor('supervisor')).toContain('teammates');
    expect(viewsFor('admin')).toContain('all');
  });

  it('puts a conversation in Mine or Unassigned by its assignee', () => {
    expect(inView('unassigned', ana, base)).toBe(true);
    expect(inView('mine', ana, base)).toBe(false);
    expect(inView('mine', ana, { ...base, assigneeId: 'ana' })).toBe(true);
  });
});

describe('replying', () => {
  it('assigns an unassigned conversation to the replier with an event line, and clears waiting and unread', () => {
    const out = sendReply(ana, base, 'webchat', 'Buenos días', 2000);
    expect(out.conversation.assigneeId).toBe('ana');
    expect(out.events).toEqual([{ type: 'assigned', assigneeId: 'ana', byId: 'ana' }]);
    expect(out.conversation).toMatchObject({ unreadCount: 0, waitingSince: null, lastMessageAt: 2000, lastMessagePreview: 'Buenos días' });
  });

  it('does not reassign a conversation that already has its assignee', () => {
    const out = sendReply(ana, { ...base, assigneeId: 'ana' }, 'webchat', 'Otra', 2000);
    expect(out.events).toEqual([]);
  });

  it('refuses empty, oversized, closed and invisible replies with their codes', () => {
    expect(code(() => sendReply(ana, base, 'webchat', '   ', 1))).toBe('EMPTY_MESSAGE');
    expect(code(() => sendReply(ana, base, 'webchat', 'x'.repeat(MESSAGE_MAX_CHARS + 1), 1))).toBe('MESSAGE_TOO_LONG');
    expect(code(() => sendReply(ana, base, 'webchat', 'x'.repeat(MESSAGE_MAX_CHARS), 1))).toBeUndefined();
    expect(code(() => sendReply(ana, { ...base, status: 'closed' }, 'webchat', 'hola', 1))).toBe('CONVERSATION_CLOSED');
    expect(code(() => sendReply(carla, base, 'webchat', 'hola', 1))).toBe('NOT_FOUND');
  });

  it('shortens the list preview to one line', () => {
    const out = sendReply(ana, base, 'webchat', 'línea uno\n\nlínea dos ' + 'x'.repeat(300), 1);
    expect(out.conversation.lastMessagePreview.startsWith('línea uno línea dos')).toBe(true);
    expect(out.conversation.lastMessagePreview.length).toBeLessThanOrEqual(140);
  });
});

describe('assigning', () => {
  it('lets an agent claim an unassigned conversation but tells the second one it was taken', () => {
    const claimed = assign(ana, base, 'ana').conversation;
    expect(claimed.assigneeId).toBe('ana');
    // Bruno lost the race: he is told who took it, for the claim and for a reply alike.
    expect(() => assign(bruno, claimed, 'bruno')).toThrow(
      expect.objectContaining({ code: 'ALREADY_ASSIGNED', params: { assigneeId: 'ana' } }),
    );
    expect(code(() => sendReply(bruno, claimed, 'webchat', 'Hola', 1))).toBe('ALREADY_ASSIGNED');
    // Someone from another team was never in the race.
    expect(code(() => assign(carla, claimed, 'carla'))).toBe('NOT_FOUND');
  });

  it('lets supervisors move conversations between agents', () => {
    const out = assign(sofia, { ...base, assigneeId: 'ana' }, 'bruno');
    expect(out.conversation.assigneeId).toBe('bruno');
    expect(out.events).toEqual([{ type: 'assigned', assigneeId: 'bruno', byId: 'sofia' }]);
  });

  it('does not let an agent hand a conversation to someone else', () => {
    expect(code(() => assign(ana, { ...base, assigneeId: 'ana' }, 'bruno'))).toBe('FORBIDDEN');
  });

  it('lets an agent give up their own conversation', () => {
    expect(assign(ana, { ...base, assigneeId: 'ana' }, null).events).toEqual([{ type: 'unassigned', byId: 'ana' }]);
  });
});

describe('status changes and reading', () => {
  it('records who closed and reopened', () => {
    const closed = setStatus(ana, base, 'closed');
    expect(closed.events).toEqual([{ type: 'status', status: 'closed', byId: 'ana' }]);
    expect(code(() => setStatus(ana, closed.conversation, 'pending'))).toBe('INVALID_TRANSITION');
  });

  it('clears unread without touching anything else', () => {
    const out = markRead(ana, base);
    expect(out.conversation).toEqual({ ...base, unreadCount: 0 });
  });
});
