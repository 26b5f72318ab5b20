// Reminder presets and state. State only moves forward (active -> dismissed -> done -> deleted) so two
// devices merging their views of one reminder never bring a finished one back.
import type { Reminder } from '../domain';
import { REMINDER_STATES } from '../domain';
import { BandejaError } from '../errors';

export const REMINDER_PRESETS = ['30m', '1h', '4h', '24h', '31h'] as const;
export type ReminderPreset = (typeof REMINDER_PRESETS)[number];

const MINUTE = 60_000;
const PRESET_MS: Record<ReminderPreset, number> = {
  '30m': 30 * MINUTE,
  '1h': 60 * MINUTE,
  '4h': 4 * 60 * MINUTE,
  '24h': 24 * 60 * MINUTE,
  '31h': 31 * 60 * MINUTE,
};

export function presetDueAt(preset: ReminderPreset, now: number): number {
  return now + PRESET_MS[preset];
}

export { REMINDER_STATES };
export type ReminderState = (typeof REMINDER_STATES)[number];

const RANK: Record<ReminderState, number> = { active: 0, dismissed: 1, done: 2, deleted: 3 };

/** The state two views of a reminder agree on: the further one. */
export function mergeReminderState(a: ReminderState, b: ReminderState): ReminderState {
  return RANK[a] >= RANK[b] ? a : b;
}

export function canMoveReminder(from: ReminderState, to: ReminderState): boolean {
  return RANK[to] > RANK[from];
}

/** Overdue: still active and past its due time ("Overdue: <date> <time>" in the list). */
export function isOverdue(reminder: { state: ReminderState; dueAt: number }, now: number): boolean {
  return reminder.state === 'active' && reminder.dueAt <= now;
}

/** Longest delay a JS timer accepts; a reminder further away is re-armed when this one fires. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** Delay for the one timer that wakes the scheduler for the soonest active reminder, or null when none. */
export function nextTimerDelay(reminders: readonly { state: ReminderState; dueAt: number }[], now: number): number | null {
  let soonest = Infinity;
  for (const r of reminders) if (r.state === 'active' && r.dueAt < soonest) soonest = r.dueAt;
  if (soonest === Infinity) return null;
  return Math.min(Math.max(0, soonest - now), MAX_TIMER_MS);
}

/** What `reminder.set` asks for (mutations.ts). */
export interface ReminderRequest {
  id: string;
  conversationId: string;
  dueAt: number;
  note: string | null;
  postpone: boolean;
}

/** Reminders are their owner's alone: anyone else is told it does not exist (never that it is someone's). */
function mustOwn(actor: { id: string }, reminder: Pick<Reminder, 'userId'>): void {
  if (reminder.userId !== actor.id) throw new BandejaError('NOT_FOUND', 'This reminder does not exist.');
}

/** A move of a reminder already finished (dismissed, done, deleted: another device finished it first)
 *  changes nothing: not the reminder, which must not come back, nor its conversation's snooze. */
export function isLateMove(existing: Pick<Reminder, 'state'> | null): boolean {
  return existing !== null && existing.state !== 'active';
}

/** Creates a reminder, or moves an active one to a new time (note and postpone follow the request).
 *  Returns `existing` itself for a late move (isLateMove). */
export function setReminder(actor: { id: string }, existing: Reminder | null, req: ReminderRequest, now: number): Reminder {
  if (existing) {
    mustOwn(actor, existing);
    if (existing.conversationId !== req.conversationId)
      throw new BandejaError('INVALID_ARGS', 'This reminder belongs to another conversation.');
    if (isLateMove(existing)) return existing;
  }
  return {
    id: req.id,
    userId: actor.id,
    conversationId: req.conversationId,
    dueAt: req.dueAt,
    note: req.note?.trim() || null,
    postpone: req.postpone,
    state: 'active',
    createdAt: existing?.createdAt ?? now,
    version: existing?.version ?? 0,
  };
}

/** Dismiss, done or delete. A move backwards (or to the same state) is accepted and changes nothing:
 *  returns `reminder` itself. */
export function setReminderState(actor: { id: string }, reminder: Reminder, state: Exclude<ReminderState, 'active'>): Reminder {
  mustOwn(actor, reminder);
  return canMoveReminder(reminder.state, state) ? { ...reminder, state } : reminder;
}

/** A reminder with "postpone" holds its conversation snoozed until due: a customer message does not wake it. */
export function isPostponed(c: { status: string; snoozedUntil: number | null }, now: number): boolean {
  return c.status === 'snoozed' && c.snoozedUntil !== null && c.snoozedUntil > now;
}

/** When a snoozed conversation comes due: at or after its snoozedUntil. */
export function isDueToWake(c: { status: string; snoozedUntil: number | null }, now: number): boolean {
  return c.status === 'snoozed' && c.snoozedUntil !== null && c.snoozedUntil <= now;
}
