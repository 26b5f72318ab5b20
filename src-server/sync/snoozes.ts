// The server's one timer for snoozed conversations: when a postponing reminder's time comes, its
// conversation returns to Open and to the top of the list (rules/conversation.ts wakeFromSnooze), with
// a status event, whether or not anyone is connected. Re-armed at start and after every change, and looks
// again at least every POLL_MS (a snooze set through another process sharing the database arms only that
// one). Due times are read by the database's clock. With several processes each may find the same
// conversation due: each wake re-reads it under the tenant's and the conversation's locks, so it wakes once,
// and a process that dies mid-wake rolls back and leaves it for the others' next look.
import { v7 as uuidv7 } from 'uuid';
import { wakeFromSnooze } from '../../src-shared/rules/conversation';
import { isDueToWake, nextTimerDelay } from '../../src-shared/rules/reminders';
import { writeTenantChanges } from '../store/changeLog';
import { insertMessage, lockConversation, updateConversation } from '../store/conversations';
import type { Db } from '../store/db';
import { dbNow } from '../store/timers';
import type { SyncHub } from './hub';

/** At most this many conversations wake per pass; the timer comes back at once for the rest. */
const WAKE_BATCH = 200;
/** The longest this process goes without looking for due conversations. */
const POLL_MS = 5_000;

export class SnoozeWaker {
  private timer: NodeJS.Timeout | null = null;
  private chain: Promise<void> = Promise.resolve();
  private queued = false;
  private stopped = false;

  constructor(
    private readonly db: Db,
    private readonly hub: SyncHub,
    private readonly log: (line: string) => void,
    /** The clock due times are read by: the database's unless a test gives one. */
    private readonly now: () => number | Promise<number> = () => dbNow(db),
  ) {}

  /** Wakes what is due and re-arms the timer for the soonest snoozedUntil. Calls coalesce. */
  schedule(): Promise<void> {
    if (this.queued) return this.chain;
    this.queued = true;
    this.chain = this.chain
      .then(async () => {
        this.queued = false;
        if (this.stopped) return;
        await this.wakeDue();
        await this.arm();
      })
      .catch((e: unknown) => {
        this.log(`snoozed conversations: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
        // A failed pass (database busy, closing) tries again later rather than never.
        if (!this.stopped) this.setTimer(5000);
      });
    return this.chain;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.chain;
  }

  private setTimer(delay: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.schedule();
    }, delay);
    // The timer alone must not keep a closing server alive.
    this.timer.unref();
  }

  private async arm(): Promise<void> {
    const [row] = await this.db.query<{ due: number | null }>(
      "SELECT min(snoozed_until) AS due FROM conversations WHERE status = 'snoozed' AND snoozed_until IS NOT NULL",
    );
    const delay = row?.due == null ? null : nextTimerDelay([{ state: 'active', dueAt: row.due }], await this.now());
    if (this.stopped) return;
    this.setTimer(Math.min(delay ?? POLL_MS, POLL_MS));
  }

  private async wakeDue(): Promise<void> {
    for (;;) {
      const now = await this.now();
      const due = await this.db.query<{ id: string; tenant_id: string }>(
        `SELECT id, tenant_id FROM conversations WHERE status = 'snoozed' AND snoozed_until IS NOT NULL AND snoozed_until <= $1
         ORDER BY snoozed_until, id LIMIT $2`,
        [now, WAKE_BATCH],
      );
      if (due.length === 0 || this.stopped) return;
      const byTenant = new Map<string, string[]>();
      for (const r of due) byTenant.set(r.tenant_id, [...(byTenant.get(r.tenant_id) ?? []), r.id]);
      for (const [tenantId, ids] of byTenant) {
        const { changed } = await writeTenantChanges(this.db, tenantId, async (tx, batch) => {
          for (const id of ids) {
            const before = await lockConversation(tx, tenantId, id);
            // Re-checked under the lock: an agent may have opened it, or moved the reminder, meanwhile.
            if (!before || !isDueToWake(before, now)) continue;
            const outcome = wakeFromSnooze(before);
            const after = await updateConversation(tx, batch, before, outcome.conversation);
            for (const event of outcome.events)
              await insertMessage(
                tx,
                batch,
                {
                  id: uuidv7(),
                  conversationId: id,
                  direction: 'system',
                  kind: 'event',
                  authorId: null,
                  body: '',
                  event,
                  mentions: [],
                  attachments: [],
                  template: null,
                  forwarded: false,
                  state: 'sent',
                  error: null,
                  createdAt: now,
                },
                after,
              );
          }
        });
        if (changed) this.hub.poke(tenantId);
      }
      if (due.length < WAKE_BATCH) return;
    }
  }
}
