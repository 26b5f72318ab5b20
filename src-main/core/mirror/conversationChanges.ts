// Which conversations this connection changed since the saved views' counters last looked
// (savedViewCounts.ts). TEMP triggers, which live in this connection only and never in the file, call
// back into JavaScript for every row written to `conversations` or `overlay_conversations`, whichever
// code wrote it: apply, record, confirm, reject, revoke, a snapshot. A transaction rolled back leaves
// its ids here; looking at a conversation that did not change costs a lookup and changes nothing.
import type Database from 'better-sqlite3';
import type { ReadonlyDb } from './db';

/** More changed conversations than this since the last look (a snapshot) means: count everything again. */
export const CHANGE_LOG_LIMIT = 5_000;

export class ConversationChanges {
  private ids = new Set<string>();
  private overflow = false;

  add(id: string): void {
    if (this.overflow) return;
    this.ids.add(id);
    if (this.ids.size > CHANGE_LOG_LIMIT) {
      this.overflow = true;
      this.ids = new Set();
    }
  }

  /** The conversations changed since the last call, or 'all' when too many to look at one by one. */
  take(): ReadonlySet<string> | 'all' {
    const taken = this.overflow ? 'all' : this.ids;
    this.ids = new Set();
    this.overflow = false;
    return taken;
  }

  /** Puts back what take() returned, when the look that took it failed: it is looked at next time. */
  putBack(taken: ReadonlySet<string> | 'all'): void {
    if (taken === 'all') {
      this.overflow = true;
      this.ids = new Set();
    } else for (const id of taken) this.add(id);
  }
}

const logs = new WeakMap<object, ConversationChanges>();

/** Installs the triggers on a freshly opened connection (db.ts openMirror). */
export function watchConversationChanges(db: Database.Database): void {
  const log = new ConversationChanges();
  db.function('bandeja_conversation_changed', { deterministic: false }, (id: unknown) => {
    if (typeof id === 'string') log.add(id);
    return null;
  });
  for (const table of ['conversations', 'overlay_conversations'])
    for (const [event, row] of [
      ['INSERT', 'new'],
      ['UPDATE', 'new'],
      ['DELETE', 'old'],
    ] as const)
      db.exec(`CREATE TEMP TRIGGER ${table}_changed_${event.toLowerCase()} AFTER ${event} ON main.${table} BEGIN
        SELECT bandeja_conversation_changed(${row}.id);
      END`);
  logs.set(db, log);
}

/** The log of a connection opened by openMirror (none for one opened otherwise). */
export function conversationChangesOf(db: ReadonlyDb): ConversationChanges | undefined {
  return logs.get(db);
}
