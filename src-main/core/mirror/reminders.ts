// This agent's reminders in the mirror: the overlay of reminder mutations recorded here, the lists the
// UI shows, and what the scheduler (core/reminders/scheduler.ts) asks: the soonest one not yet shown on
// this device, the due ones, and marking them shown.
import type { Reminder } from '../../../src-shared/domain';
import { BandejaError } from '../../../src-shared/errors';
import type { ReminderItem } from '../../../src-shared/ipc';
import type { MutationArgs } from '../../../src-shared/mutations';
import { setReminder, setReminderState } from '../../../src-shared/rules/reminders';
import type { Viewer } from '../../../src-shared/rules/visibility';
import type { ReadonlyDb, WritableDb } from './db';
import { reminderFromRow, upsertReminder, type ReminderRow } from './rows';

const COLUMNS = 'id, user_id, conversation_id, due_at, note, postpone, state, created_at, version';

export function viewReminder(db: ReadonlyDb, id: string): Reminder | null {
  const row = db.prepare<[string], ReminderRow>(`SELECT ${COLUMNS} FROM reminders_view WHERE id = ?`).get(id);
  return row ? reminderFromRow(row) : null;
}

/** reminder.set on the overlay: the same rule the server runs (rules/reminders.ts). */
export function applyReminderSet(db: WritableDb, viewer: Viewer, args: MutationArgs<'reminder.set'>, clientTime: number): void {
  const before = viewReminder(db, args.id);
  const after = setReminder(viewer, before, args, clientTime);
  if (after !== before) upsertReminder(db, after, true);
}

export function applyReminderSetState(db: WritableDb, viewer: Viewer, args: MutationArgs<'reminder.setState'>): void {
  const before = viewReminder(db, args.id);
  if (!before) throw new BandejaError('NOT_FOUND', 'This reminder does not exist.');
  const after = setReminderState(viewer, before, args.state);
  if (after !== before) upsertReminder(db, after, true);
}

/** The viewer's reminders, soonest first: of one conversation (all but deleted ones), or every one not
 *  finished (active, and dismissed ones kept for the list). */
export function listReminders(db: ReadonlyDb, viewer: Viewer, conversationId?: string): ReminderItem[] {
  const filter = conversationId === undefined ? "r.state IN ('active', 'dismissed')" : "r.conversation_id = ? AND r.state <> 'deleted'";
  const params = conversationId === undefined ? [viewer.id] : [viewer.id, conversationId];
  return db
    .prepare<unknown[], ReminderRow & { contact_name: string | null }>(
      `SELECT r.${COLUMNS.split(', ').join(', r.')}, COALESCE(oct.name, ct.name) AS contact_name
         FROM reminders_view r
         LEFT JOIN conversations_view c ON c.id = r.conversation_id
         LEFT JOIN contacts ct ON ct.id = c.contact_id LEFT JOIN overlay_contacts oct ON oct.id = c.contact_id
        WHERE r.user_id = ? AND ${filter}
        ORDER BY r.due_at, r.id`,
    )
    .all(...params)
    .map((r) => ({ ...reminderFromRow(r), contactName: r.contact_name }));
}

/** The viewer's soonest active reminder of each of these conversations (one query per list page,
 *  through the reminders_by_conversation index). */
export function activeRemindersOf(
  db: ReadonlyDb,
  userId: string,
  conversationIds: readonly string[],
): Map<string, { id: string; dueAt: number; note: string | null }> {
  const out = new Map<string, { id: string; dueAt: number; note: string | null }>();
  if (conversationIds.length === 0) return out;
  const rows = db
    .prepare<[string, string], { id: string; conversation_id: string; due_at: number; note: string | null }>(
      `SELECT id, conversation_id, due_at, note FROM reminders_view
        WHERE state = 'active' AND user_id = ? AND conversation_id IN (SELECT value FROM json_each(?))
        ORDER BY due_at DESC, id DESC`,
    )
    .all(userId, JSON.stringify(conversationIds));
  // Descending, so the soonest one is written last.
  for (const r of rows) out.set(r.conversation_id, { id: r.id, dueAt: r.due_at, note: r.note });
  return out;
}

const NOT_FIRED = 'NOT EXISTS (SELECT 1 FROM reminders_fired f WHERE f.reminder_id = r.id AND f.due_at = r.due_at)';

/** Due time of the user's soonest active reminder this device has not shown yet, due at or after
 *  `notBefore` (past ones included). */
export function soonestUnfired(db: ReadonlyDb, userId: string, notBefore = 0): number | null {
  const row = db
    .prepare<[string, number], { due: number | null }>(
      `SELECT MIN(r.due_at) AS due FROM reminders_view r WHERE r.user_id = ? AND r.state = 'active' AND r.due_at >= ? AND ${NOT_FIRED}`,
    )
    .get(userId, notBefore);
  return row?.due ?? null;
}

/** The user's active reminders due at `now` this device has not shown yet, oldest first. */
export function dueUnfired(db: ReadonlyDb, userId: string, now: number, notBefore = 0): ReminderItem[] {
  return db
    .prepare<[string, number, number], ReminderRow & { contact_name: string | null }>(
      `SELECT r.${COLUMNS.split(', ').join(', r.')}, COALESCE(oct.name, ct.name) AS contact_name
         FROM reminders_view r
         LEFT JOIN conversations_view c ON c.id = r.conversation_id
         LEFT JOIN contacts ct ON ct.id = c.contact_id LEFT JOIN overlay_contacts oct ON oct.id = c.contact_id
        WHERE r.user_id = ? AND r.state = 'active' AND r.due_at <= ? AND r.due_at >= ? AND ${NOT_FIRED}
        ORDER BY r.due_at, r.id`,
    )
    .all(userId, now, notBefore)
    .map((r) => ({ ...reminderFromRow(r), contactName: r.contact_name }));
}

/** Remembers that this device showed these reminders (at their current due time). */
export function markFired(db: WritableDb, reminders: readonly Pick<Reminder, 'id' | 'dueAt'>[], at: number): void {
  const insert = db.prepare('INSERT OR IGNORE INTO reminders_fired (reminder_id, due_at, fired_at) VALUES (?, ?, ?)');
  db.transaction(() => {
    for (const r of reminders) insert.run(r.id, r.dueAt, at);
  })();
}
