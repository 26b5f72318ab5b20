// A conversation as inbox lists show it: the overlaid row with the names the list needs.
import type { ConversationItem } from '../../../src-shared/ipc';
import type { ReadonlyDb } from './db';
import { activeRemindersOf } from './reminders';
import { conversationFromRow, type ConversationRow } from './rows';

export type ItemRow = ConversationRow & {
  pending: number;
  contact_name: string | null;
  channel: string | null;
  inbox_name: string | null;
  assignee_name: string | null;
};

// Names come from base rows with their overlay (if any) laid over by primary key: joining the
// overlay views themselves would make SQLite build them whole for every list. `source` is what `c` reads
// (conversations_view, or a subquery with its columns).
export const itemSelectFrom = (source: string) => `SELECT c.*,
    COALESCE(oct.name, ct.name) AS contact_name,
    COALESCE(oi.channel, i.channel) AS channel,
    COALESCE(oi.name, i.name) AS inbox_name,
    COALESCE(ou.name, u.name) AS assignee_name
  FROM ${source} c
  LEFT JOIN contacts ct ON ct.id = c.contact_id LEFT JOIN overlay_contacts oct ON oct.id = c.contact_id
  LEFT JOIN inboxes i ON i.id = c.inbox_id LEFT JOIN overlay_inboxes oi ON oi.id = c.inbox_id
  LEFT JOIN users u ON u.id = c.assignee_id LEFT JOIN overlay_users ou ON ou.id = c.assignee_id`;
export const ITEM_SELECT = itemSelectFrom('conversations_view');

export function itemFromRow(r: ItemRow, reminder: ConversationItem['reminder'] = null): ConversationItem {
  return {
    ...conversationFromRow(r),
    contactName: r.contact_name ?? '',
    channel: (r.channel ?? 'webchat') as ConversationItem['channel'],
    inboxName: r.inbox_name ?? '',
    assigneeName: r.assignee_name,
    pending: r.pending === 1,
    reminder,
  };
}

/** Items of one list page with the reader's soonest active reminder of each ("Overdue: …"): one indexed
 *  query for the page, not a lookup per row inside the list query. */
export function itemsFromRows(db: ReadonlyDb, userId: string, rows: readonly ItemRow[]): ConversationItem[] {
  const reminders = activeRemindersOf(
    db,
    userId,
    rows.map((r) => r.id),
  );
  return rows.map((r) => itemFromRow(r, reminders.get(r.id) ?? null));
}
