// Pure rules of reminders and snoozing until due (issue 5): who may change a reminder, forward-only
// state, postponing, waking at due time, and what a customer message does to a snoozed conversation.
import { describe, expect, it } from 'vitest';
import {
  BandejaError,
  isDueToWake,
  isLateMove,
  isPostponed,
  setReminder,
  setReminderState,
  setStatus,
  close,
  snoozeOnCustomerMessage,
  snoozeUntilReminder,
  wakeFromSnooze,
  type Conversation,
  type Reminder,
  type Viewer,
} from '../../src-shared';

const ana: Viewer = { id: 'ana', role: 'agent', teamIds: ['soporte'] };
const bruno: Viewer = { id: 'bruno', role: 'agent', teamIds: ['soporte'] };
const sofia: Viewer = { id: 'sofia', role: 'supervisor', teamIds: [] };

const conv: Conversation = {
  id: 'c1',
  inboxId: 'web',
  contactId: 'k1',
  teamId: 'soporte',
  assigneeId: 'ana',
  status: 'open',
  unreadCount: 0,
  lastMessageAt: 1000,
  lastMessagePreview: 'Hola',
  lastCustomerMessageAt: 1000,
  waitingSince: null,
  tags: [],
  botActive: false,
  closingCategoryId: null,
  previousConversationId: null,
  snoozedUntil: null,
  createdAt: 500,
  version: 3,
};

const request = { id: 'r1', conversationId: 'c1', dueAt: 10_000, note: '  llamar  ', postpone: true };

function code(fn: () => unknown): string | null {
  try {
    fn();
    return null;
  } catch (e) {
    return e instanceof BandejaError ? e.code : 'not a BandejaError';
  }
}

describe('setting a reminder', () => {
  it('creates an active reminder owned by the actor, note trimmed (blank note = none)', () => {
    const r = setReminder(ana, null, request, 2000);
    expect(r).toEqual({ ...request, note: 'llamar', userId: 'ana', state: 'active', createdAt: 2000, version: 0 });
    expect(setReminder(ana, null, { ...request, note: '   ' }, 2000).note).toBeNull();
  });

  it('moves an active reminder of mine and keeps when it was created', () => {
    const r = setReminder(ana, null, request, 2000);
    const moved = setReminder(ana, { ...r, version: 7 }, { ...request, dueAt: 50_000, postpone: false }, 3000);
    expect(moved).toMatchObject({ dueAt: 50_000, postpone: false, createdAt: 2000, version: 7, state: 'active' });
  });

  it('leaves a reminder finished on another device as it is (no error, nothing comes back)', () => {
    const r = { ...setReminder(ana, null, request, 2000), state: 'dismissed' as const };
    expect(setReminder(ana, r, { ...request, dueAt: 99_000 }, 3000)).toBe(r);
  });

  it('a late move (the reminder finished first) is told apart the same way by server and core: by its state', () => {
    const r = setReminder(ana, null, request, 2000);
    expect(isLateMove(null)).toBe(false);
    for (const state of ['active', 'dismissed', 'done', 'deleted'] as const) {
      const held = { ...r, state };
      // A late move is exactly one setReminder returns unchanged.
      expect(isLateMove(held)).toBe(state !== 'active');
      expect(setReminder(ana, held, { ...request, dueAt: 99_000 }, 3000) === held).toBe(state !== 'active');
    }
  });

  it('refuses anyone but the owner, supervisors included', () => {
    const r = setReminder(ana, null, request, 2000);
    expect(code(() => setReminder(bruno, r, request, 3000))).toBe('NOT_FOUND');
    expect(code(() => setReminder(sofia, r, request, 3000))).toBe('NOT_FOUND');
    expect(code(() => setReminderState(bruno, r, 'done'))).toBe('NOT_FOUND');
  });

  it('refuses moving a reminder to another conversation', () => {
    const r = setReminder(ana, null, request, 2000);
    expect(code(() => setReminder(ana, r, { ...request, conversationId: 'c2' }, 3000))).toBe('INVALID_ARGS');
  });
});

describe('reminder state only moves forward', () => {
  const r: Reminder = { ...setReminder(ana, null, request, 2000), version: 4 };
  it('moves forward, one step or several', () => {
    expect(setReminderState(ana, r, 'dismissed').state).toBe('dismissed');
    expect(setReminderState(ana, r, 'deleted').state).toBe('deleted');
    expect(setReminderState(ana, { ...r, state: 'dismissed' }, 'done').state).toBe('done');
  });
  it('a move backwards or to the same state is a no-op, never an error', () => {
    const done = { ...r, state: 'done' as const };
    expect(setReminderState(ana, done, 'dismissed')).toBe(done);
    expect(setReminderState(ana, done, 'done')).toBe(done);
    const deleted = { ...r, state: 'deleted' as const };
    expect(setReminderState(ana, deleted, 'done')).toBe(deleted);
  });
});

describe('postpone: snoozed until due', () => {
  it('snoozes the conversation until the due time, with a status event', () => {
    const out = snoozeUntilReminder(ana, conv, 10_000, true, 2000);
    expect(out.conversation).toMatchObject({ status: 'snoozed', snoozedUntil: 10_000 });
    expect(out.events).toEqual([{ type: 'status', status: 'snoozed', byId: 'ana' }]);
    // Moving the reminder of an already snoozed conversation moves the wake time, without a second event.
    const again = snoozeUntilReminder(ana, out.conversation, 20_000, true, 3000);
    expect(again.conversation.snoozedUntil).toBe(20_000);
    expect(again.events).toEqual([]);
  });

  it('changes nothing without postpone, for a time already past, or on a closed conversation', () => {
    expect(snoozeUntilReminder(ana, conv, 10_000, false, 2000).conversation).toBe(conv);
    expect(snoozeUntilReminder(ana, conv, 2000, true, 2000).conversation).toBe(conv);
    const closed = { ...conv, status: 'closed' as const };
    expect(snoozeUntilReminder(ana, closed, 10_000, true, 2000).conversation).toBe(closed);
  });

  it('is refused on a conversation the actor may not see', () => {
    const others = { ...conv, assigneeId: 'bruno', teamId: 'ventas' };
    expect(code(() => snoozeUntilReminder(ana, others, 10_000, true, 2000))).toBe('NOT_FOUND');
  });

  it('a customer writing before the due time keeps it snoozed; at or after it, or without postpone, wakes it', () => {
    const snoozed = { ...conv, status: 'snoozed' as const, snoozedUntil: 10_000 };
    expect(isPostponed(snoozed, 9_999)).toBe(true);
    expect(snoozeOnCustomerMessage(snoozed, 9_999)).toEqual({ status: 'snoozed', snoozedUntil: 10_000 });
    // Boundary: at the due time the postponement is over.
    expect(isPostponed(snoozed, 10_000)).toBe(false);
    expect(snoozeOnCustomerMessage(snoozed, 10_000)).toEqual({ status: 'open', snoozedUntil: null });
    // Snoozed by hand (no wake time): a customer message wakes it.
    expect(snoozeOnCustomerMessage({ ...conv, status: 'snoozed' }, 5000)).toEqual({ status: 'open', snoozedUntil: null });
    expect(snoozeOnCustomerMessage({ ...conv, status: 'pending' }, 5000)).toEqual({ status: 'pending', snoozedUntil: null });
  });
});

describe('waking at the due time', () => {
  const snoozed = { ...conv, status: 'snoozed' as const, snoozedUntil: 10_000, lastMessageAt: 1000 };
  it('is due exactly at snoozedUntil, not a millisecond before', () => {
    expect(isDueToWake(snoozed, 9_999)).toBe(false);
    expect(isDueToWake(snoozed, 10_000)).toBe(true);
    expect(isDueToWake({ ...conv, status: 'snoozed' }, 10_000)).toBe(false);
    expect(isDueToWake({ ...snoozed, status: 'open' }, 10_000)).toBe(false);
  });

  it('returns to Open and to the top (last activity = due time), with an event by nobody', () => {
    const out = wakeFromSnooze(snoozed);
    expect(out.conversation).toMatchObject({ status: 'open', snoozedUntil: null, lastMessageAt: 10_000 });
    expect(out.events).toEqual([{ type: 'status', status: 'open', byId: null }]);
    // Newer activity than the due time is kept.
    expect(wakeFromSnooze({ ...snoozed, lastMessageAt: 12_000 }).conversation.lastMessageAt).toBe(12_000);
  });

  it('opening or closing by hand ends the postponement', () => {
    const snoozedAna = { ...snoozed };
    expect(setStatus(ana, snoozedAna, 'open').conversation.snoozedUntil).toBeNull();
    expect(close(ana, snoozedAna, null, null, { closeKeepsAssignee: true }).conversation.snoozedUntil).toBeNull();
  });
});
