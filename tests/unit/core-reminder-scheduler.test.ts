// The reminder scheduler over a real mirror file (better-sqlite3), with a clock driven by hand: due
// time, sleep and resume, clock jumps, restart catch-up (the file closed and reopened), hundreds of
// reminders on one timer, and reminders finished elsewhere or here before they are due.
import { afterEach, describe, expect, it } from 'vitest';
import type { Reminder } from '../../src-shared/domain';
import type { ReminderItem } from '../../src-shared/ipc';
import { applyChanges } from '../../src-main/core/mirror/apply';
import { openMirror, type Mirror } from '../../src-main/core/mirror/db';
import { writeSessionUser } from '../../src-main/core/mirror/meta';
import { dueUnfired, listReminders, markFired, soonestUnfired } from '../../src-main/core/mirror/reminders';
import { listInbox } from '../../src-main/core/mirror/views';
import { record } from '../../src-main/core/outbox';
import { CHECK_MS, ReminderScheduler } from '../../src-main/core/reminders/scheduler';
import { FakeClock } from '../support/fake-clock';
import { ana, contact, conversation, inbox, tempMirrorPath } from './mirror-fixtures';

const START = Date.UTC(2026, 2, 2, 9, 0, 0);
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

const open: Mirror[] = [];
afterEach(() => {
  for (const m of open.splice(0)) m.close();
});

let version = 10;
function reminder(over: Partial<Reminder> = {}): Reminder {
  return {
    id: 'rem-1',
    userId: ana.id,
    conversationId: 'conv-1',
    dueAt: START + 10 * MINUTE,
    note: 'Llamar a Carla',
    postpone: false,
    state: 'active',
    createdAt: START,
    version: ++version,
    ...over,
  };
}

function mirrorAt(path = tempMirrorPath()): Mirror {
  const mirror = openMirror(path);
  open.push(mirror);
  writeSessionUser(mirror.db, ana);
  return mirror;
}

/** The server sends rows (a `changes` frame). */
function serverSends(mirror: Mirror, ...rows: Reminder[]): void {
  applyChanges(mirror.db, { from: version, to: ++version, ops: rows.map((row) => ({ kind: 'reminder' as const, row })) });
}

function seed(mirror: Mirror): void {
  applyChanges(mirror.db, {
    from: 0,
    to: 1,
    ops: [
      { kind: 'user', row: ana },
      { kind: 'inbox', row: inbox },
      { kind: 'contact', row: contact },
      { kind: 'conversation', row: conversation({ assigneeId: ana.id }) },
    ],
  });
}

function schedulerOn(mirror: Mirror, clock: FakeClock, opts: { holdCatchUp?: boolean; held?: () => boolean } = {}) {
  const fired: ReminderItem[] = [];
  const scheduler = new ReminderScheduler({
    clock,
    holdCatchUp: opts.holdCatchUp,
    held: opts.held,
    source: {
      soonestUnfired: (notBefore) => soonestUnfired(mirror.read, ana.id, notBefore),
      dueUnfired: (now, notBefore) => dueUnfired(mirror.read, ana.id, now, notBefore),
      markFired: (due, at) => markFired(mirror.db, due, at),
    },
    fire: (due) => fired.push(...due),
  });
  return { scheduler, fired };
}

describe('the reminder scheduler', () => {
  it('fires a reminder at its due time, once, with what the notification needs', () => {
    const mirror = mirrorAt();
    seed(mirror);
    serverSends(mirror, reminder());
    const clock = new FakeClock(START);
    const { scheduler, fired } = schedulerOn(mirror, clock);
    scheduler.start();
    clock.advance(10 * MINUTE - 1);
    expect(fired).toEqual([]);
    clock.advance(1);
    expect(fired.map((r) => [r.id, r.note, r.contactName, r.conversationId])).toEqual([['rem-1', 'Llamar a Carla', 'Carla', 'conv-1']]);
    clock.advance(5 * HOUR);
    expect(fired).toHaveLength(1);
    // Past due and still active: the list shows it as overdue until it is dismissed or done.
    expect(
      listInbox(
        mirror.read,
        { id: ana.id, role: 'agent', teamIds: ana.teamIds },
        { view: { kind: 'mine' }, status: 'open', sort: 'newest', limit: 50 },
      )[0]?.reminder,
    ).toEqual({
      id: 'rem-1',
      dueAt: START + 10 * MINUTE,
      note: 'Llamar a Carla',
    });
    scheduler.stop();
    expect(clock.pending).toBe(0);
  });

  it('holds due reminders while do not disturb is on (or reminders are off) and fires each once when it ends', () => {
    const mirror = mirrorAt();
    seed(mirror);
    serverSends(mirror, reminder({ id: 'rem-a', dueAt: START + 10 * MINUTE }), reminder({ id: 'rem-b', dueAt: START + 2 * HOUR }));
    const clock = new FakeClock(START);
    const settings = { doNotDisturb: true, reminder: true };
    const { scheduler, fired } = schedulerOn(mirror, clock, { held: () => settings.doNotDisturb || !settings.reminder });
    scheduler.start();
    clock.advance(HOUR);
    expect(fired).toEqual([]);
    // Not remembered as shown: still waiting, and one timer armed (no zero-delay loop on an overdue one).
    expect(dueUnfired(mirror.read, ana.id, clock.now()).map((r) => r.id)).toEqual(['rem-a']);
    expect(clock.pending).toBe(1);
    // Do not disturb ends, but reminder notifications are off: still held.
    settings.doNotDisturb = false;
    settings.reminder = false;
    scheduler.recompute();
    expect(fired).toEqual([]);
    settings.reminder = true;
    scheduler.recompute(); // core's setNotificationSettings
    expect(fired.map((r) => r.id)).toEqual(['rem-a']);
    clock.advance(HOUR);
    expect(fired.map((r) => r.id)).toEqual(['rem-a', 'rem-b']);
    clock.advance(5 * HOUR);
    expect(fired).toHaveLength(2);
    scheduler.stop();
    expect(clock.pending).toBe(0);
  });

  it('after sleep: fires at once when the host reports the resume, and by the next wall-clock look when it does not', () => {
    const mirror = mirrorAt();
    seed(mirror);
    serverSends(mirror, reminder({ id: 'rem-a', dueAt: START + 20 * MINUTE }), reminder({ id: 'rem-b', dueAt: START + 3 * HOUR }));
    const clock = new FakeClock(START);
    const { scheduler, fired } = schedulerOn(mirror, clock);
    scheduler.start();
    // The laptop sleeps for an hour: the wall clock moves, timers do not.
    clock.jump(HOUR);
    expect(fired).toEqual([]);
    scheduler.recompute(); // powerMonitor 'resume'
    expect(fired.map((r) => r.id)).toEqual(['rem-a']);

    // Asleep again past the second one, and this time nobody says so.
    clock.jump(3 * HOUR);
    clock.advance(CHECK_MS);
    expect(fired.map((r) => r.id)).toEqual(['rem-a', 'rem-b']);
    expect(clock.pending).toBe(1);
    scheduler.stop();
  });

  it('follows the clock being set forward and back', () => {
    const mirror = mirrorAt();
    seed(mirror);
    serverSends(mirror, reminder({ id: 'later', dueAt: START + 2 * HOUR }));
    const clock = new FakeClock(START);
    const { scheduler, fired } = schedulerOn(mirror, clock);
    scheduler.start();
    // Set back an hour: the reminder is now three hours away; two hours of running time do not fire it.
    clock.jump(-HOUR);
    clock.advance(2 * HOUR);
    expect(fired).toEqual([]);
    clock.advance(HOUR);
    expect(fired.map((r) => r.id)).toEqual(['later']);

    serverSends(mirror, reminder({ id: 'tomorrow', dueAt: START + 24 * HOUR }));
    scheduler.recompute();
    // Set forward a day: noticed within one wall-clock look.
    clock.jump(24 * HOUR);
    clock.advance(CHECK_MS);
    expect(fired.map((r) => r.id)).toEqual(['later', 'tomorrow']);
    scheduler.stop();
  });

  it('fires a reminder that came due while the app was closed once, at the next start, after sync caught up', () => {
    const path = tempMirrorPath();
    let mirror = mirrorAt(path);
    seed(mirror);
    serverSends(
      mirror,
      reminder({ id: 'missed', dueAt: START + 30 * MINUTE }),
      reminder({ id: 'dismissed-meanwhile', dueAt: START + 40 * MINUTE }),
    );
    const clock = new FakeClock(START);
    let run = schedulerOn(mirror, clock);
    run.scheduler.start();
    run.scheduler.stop();
    mirror.close();

    // Closed for two hours.
    clock.jump(2 * HOUR);
    mirror = mirrorAt(path);
    run = schedulerOn(mirror, clock, { holdCatchUp: true });
    run.scheduler.start();
    clock.advance(MINUTE);
    // Held until sync has caught up: it may bring news from another device.
    expect(run.fired).toEqual([]);
    serverSends(mirror, reminder({ id: 'dismissed-meanwhile', dueAt: START + 40 * MINUTE, state: 'dismissed' }));
    run.scheduler.releaseCatchUp();
    expect(run.fired.map((r) => r.id)).toEqual(['missed']);
    run.scheduler.stop();
    mirror.close();

    // Another start: already shown on this device, never again.
    clock.jump(HOUR);
    mirror = mirrorAt(path);
    run = schedulerOn(mirror, clock, { holdCatchUp: true });
    run.scheduler.start();
    run.scheduler.releaseCatchUp();
    clock.advance(HOUR);
    expect(run.fired).toEqual([]);
    run.scheduler.stop();
  });

  it('keeps one timer for hundreds of reminders and fires each exactly once, in order', () => {
    const mirror = mirrorAt();
    seed(mirror);
    const rows = Array.from({ length: 400 }, (_, i) =>
      reminder({ id: `r-${String(i).padStart(3, '0')}`, dueAt: START + ((i * 7919) % 400) * 37_000 + 1000 }),
    );
    serverSends(mirror, ...rows);
    const clock = new FakeClock(START);
    const { scheduler, fired } = schedulerOn(mirror, clock);
    scheduler.start();
    let most = clock.pending;
    for (let t = 0; t < 400 * 37_000 + 2000; t += 5_000) {
      clock.advance(5_000);
      most = Math.max(most, clock.pending);
    }
    expect(most).toBe(1);
    expect(fired).toHaveLength(400);
    expect(new Set(fired.map((r) => r.id)).size).toBe(400);
    const dues = fired.map((r) => r.dueAt);
    expect([...dues].sort((a, b) => a - b)).toEqual(dues);
    scheduler.stop();
  });

  it('a reminder moved after it fired fires again at its new time; one finished before its time never fires', () => {
    const mirror = mirrorAt();
    seed(mirror);
    serverSends(mirror, reminder({ id: 'moved', dueAt: START + MINUTE }), reminder({ id: 'done-early', dueAt: START + 2 * MINUTE }));
    const clock = new FakeClock(START);
    const { scheduler, fired } = schedulerOn(mirror, clock);
    scheduler.start();
    clock.advance(MINUTE);
    expect(fired.map((r) => r.id)).toEqual(['moved']);
    // Snoozed for an hour from the notification (on another device), and the other finished there.
    serverSends(
      mirror,
      reminder({ id: 'moved', dueAt: START + HOUR }),
      reminder({ id: 'done-early', dueAt: START + 2 * MINUTE, state: 'done' }),
    );
    scheduler.recompute();
    clock.advance(2 * HOUR);
    expect(fired.map((r) => r.id)).toEqual(['moved', 'moved']);
    scheduler.stop();
  });

  it('fires a reminder set on this device before the server confirms it, and not one dismissed here before its time', () => {
    const mirror = mirrorAt();
    seed(mirror);
    const clock = new FakeClock(START);
    record(
      mirror.db,
      'reminder.set',
      { id: '0195f000-0000-7000-8000-000000000001', conversationId: 'conv-1', dueAt: START + 5 * MINUTE, note: null, postpone: true },
      START,
    );
    record(
      mirror.db,
      'reminder.set',
      { id: '0195f000-0000-7000-8000-000000000002', conversationId: 'conv-1', dueAt: START + 6 * MINUTE, note: 'x', postpone: false },
      START,
    );
    record(mirror.db, 'reminder.setState', { id: '0195f000-0000-7000-8000-000000000002', state: 'dismissed' }, START);
    // The postponed conversation shows as snoozed at once (optimistic overlay).
    const viewer = { id: ana.id, role: 'agent' as const, teamIds: ana.teamIds };
    expect(
      listInbox(mirror.read, viewer, { view: { kind: 'mine' }, status: 'snoozed', sort: 'newest', limit: 10 }).map((c) => [
        c.id,
        c.snoozedUntil,
      ]),
    ).toEqual([['conv-1', START + 5 * MINUTE]]);
    expect(listReminders(mirror.read, viewer, 'conv-1').map((r) => [r.note, r.state])).toEqual([
      [null, 'active'],
      ['x', 'dismissed'],
    ]);
    const { scheduler, fired } = schedulerOn(mirror, clock);
    scheduler.start();
    clock.advance(10 * MINUTE);
    expect(fired.map((r) => r.id)).toEqual(['0195f000-0000-7000-8000-000000000001']);
    scheduler.stop();
  });
});
