// Pure parts of the desktop shell and reminders (issue 5): deep links, reminder state and timer,
// notification grouping, multi-monitor layout restore.
import { describe, expect, it } from 'vitest';
import {
  MAX_TIMER_MS,
  canMoveReminder,
  deepLinkFromArgv,
  formatDeepLink,
  groupNotifications,
  isOverdue,
  mergeReminderState,
  nextTimerDelay,
  parseDeepLink,
  presetDueAt,
  restoreLayout,
  toSavedWindow,
  type Display,
  type PendingNotification,
} from '../../src-shared';

describe('deep links', () => {
  it('opens a conversation, or a message in it', () => {
    expect(parseDeepLink('bandeja://conversation/0190-abc')).toEqual({ kind: 'conversation', conversationId: '0190-abc', messageId: null });
    expect(parseDeepLink('bandeja://conversation/c1/message/m9')).toEqual({ kind: 'conversation', conversationId: 'c1', messageId: 'm9' });
    expect(parseDeepLink(formatDeepLink('c1', 'm9'))).toEqual({ kind: 'conversation', conversationId: 'c1', messageId: 'm9' });
  });

  it('refuses anything else', () => {
    for (const bad of [
      'https://conversation/c1',
      'bandeja://settings/reset',
      'bandeja://conversation/',
      'bandeja://conversation/c1/delete',
      'bandeja://conversation/c1/message/m1/extra',
      'bandeja://conversation/..%2F..%2Fetc',
      'bandeja://conversation/' + 'x'.repeat(65),
      'not a url',
    ])
      expect(parseDeepLink(bad), bad).toBeNull();
  });

  it('finds the link a second launch was given among Chromium switches', () => {
    expect(deepLinkFromArgv(['/opt/Bandeja/bandeja', '--no-sandbox', 'bandeja://conversation/c7'])).toEqual({
      kind: 'conversation',
      conversationId: 'c7',
      messageId: null,
    });
    expect(deepLinkFromArgv(['/opt/Bandeja/bandeja'])).toBeNull();
  });
});

describe('reminders', () => {
  const now = 1_700_000_000_000;

  it('computes the presets agents use', () => {
    expect(presetDueAt('30m', now) - now).toBe(30 * 60_000);
    expect(presetDueAt('31h', now) - now).toBe(31 * 3_600_000);
  });

  it('only moves forward, so two devices never resurrect a finished reminder', () => {
    expect(mergeReminderState('done', 'active')).toBe('done');
    expect(mergeReminderState('dismissed', 'deleted')).toBe('deleted');
    expect(canMoveReminder('dismissed', 'active')).toBe(false);
    expect(canMoveReminder('active', 'done')).toBe(true);
  });

  it('is overdue only while active and past due', () => {
    expect(isOverdue({ state: 'active', dueAt: now }, now)).toBe(true);
    expect(isOverdue({ state: 'active', dueAt: now + 1 }, now)).toBe(false);
    expect(isOverdue({ state: 'dismissed', dueAt: now - 1 }, now)).toBe(false);
  });

  it('arms one timer for the soonest active reminder, capped at the largest delay a timer takes', () => {
    expect(nextTimerDelay([], now)).toBeNull();
    expect(
      nextTimerDelay(
        [
          { state: 'active', dueAt: now + 5000 },
          { state: 'active', dueAt: now + 1000 },
          { state: 'done', dueAt: now + 10 },
        ],
        now,
      ),
    ).toBe(1000);
    expect(nextTimerDelay([{ state: 'active', dueAt: now - 60_000 }], now)).toBe(0);
    expect(nextTimerDelay([{ state: 'active', dueAt: now + 40 * 86_400_000 }], now)).toBe(MAX_TIMER_MS);
  });
});

describe('notification grouping', () => {
  const n = (kind: PendingNotification['kind'], conversationId: string): PendingNotification => ({
    kind,
    conversationId,
    title: 't',
    body: 'b',
  });

  it('shows a few notifications one by one', () => {
    const toasts = groupNotifications([n('newMessage', 'c1'), n('newMessage', 'c2')]);
    expect(toasts.map((t) => t.kind)).toEqual(['single', 'single']);
  });

  it('groups a burst into one toast per kind instead of a storm', () => {
    const burst = Array.from({ length: 12 }, (_, i) => n('newConversation', `c${i}`));
    expect(groupNotifications(burst)).toEqual([
      { kind: 'group', of: 'newConversation', count: 12, conversationIds: burst.map((b) => b.conversationId) },
    ]);
  });

  it('counts conversations, not messages, and never groups reminders', () => {
    const burst = [
      ...Array.from({ length: 6 }, () => n('newMessage', 'c1')),
      n('reminder', 'c2'),
      n('reminder', 'c3'),
      n('reminder', 'c4'),
      n('reminder', 'c5'),
    ];
    const toasts = groupNotifications(burst);
    expect(toasts.filter((t) => t.kind === 'single' && t.notification.kind === 'reminder')).toHaveLength(4);
    expect(toasts.filter((t) => t.kind === 'single' && t.notification.kind === 'newMessage')).toHaveLength(1);
  });
});

describe('window layout across monitors', () => {
  const left: Display = { id: 'L', primary: true, workArea: { x: 0, y: 0, width: 1920, height: 1040 } };
  const right: Display = { id: 'R', primary: false, workArea: { x: 1920, y: 0, width: 2560, height: 1400 } };

  it('puts each view back on its monitor', () => {
    const saved = [toSavedWindow('unassigned', { x: 2020, y: 50, width: 1200, height: 900 }, false, [left, right])!];
    expect(saved[0]).toMatchObject({ displayId: 'R', bounds: { x: 100, y: 50 } });
    expect(restoreLayout(saved, [left, right])).toEqual([
      { view: 'unassigned', displayId: 'R', bounds: { x: 2020, y: 50, width: 1200, height: 900 }, maximized: false, moved: false },
    ]);
  });

  it('moves windows of a missing monitor onto the primary one, inside its work area, cascaded', () => {
    const saved = [
      { view: 'all', displayId: 'R', bounds: { x: 1500, y: 900, width: 2400, height: 1300 }, maximized: false },
      { view: 'mine', displayId: 'R', bounds: { x: 0, y: 0, width: 800, height: 600 }, maximized: true },
    ];
    const placed = restoreLayout(saved, [left]);
    for (const w of placed) {
      expect(w.displayId).toBe('L');
      expect(w.moved).toBe(true);
      expect(w.bounds.x).toBeGreaterThanOrEqual(0);
      expect(w.bounds.y).toBeGreaterThanOrEqual(0);
      expect(w.bounds.x + w.bounds.width).toBeLessThanOrEqual(1920);
      expect(w.bounds.y + w.bounds.height).toBeLessThanOrEqual(1040);
    }
    expect(placed[1]!.bounds).toMatchObject({ x: 32, y: 32 });
    expect(placed[1]!.maximized).toBe(true);
  });

  it('restores nothing when there is no display (headless)', () => {
    expect(restoreLayout([{ view: 'all', displayId: 'L', bounds: { x: 0, y: 0, width: 10, height: 10 }, maximized: false }], [])).toEqual(
      [],
    );
  });
});
