// Mirror changes gathered until the work in hand is done (a run of recorded actions, the frames of one
// socket read), then handed on once: one mirror.changed event, one badge count, one look by the
// reminder scheduler and one outbox flush for the whole run, not one of each per action.
import type { Applied } from './mirror/apply';

export interface Burst {
  applied: Applied;
  /** A reminder may have changed: the scheduler looks again. */
  reminders: boolean;
  /** Actions were recorded: sync sends them (and reports the outbox's size). */
  recorded: boolean;
}

export class ChangeBurst {
  private pending: Burst | null = null;
  private readonly ids = new Set<string>();

  /** `deliver` runs in a microtask after the first change of a burst: before any timer or socket
   *  event, so nothing outside this process sees the mirror changed without its event. */
  constructor(
    private readonly deliver: (burst: Burst) => void,
    private readonly log: (message: string) => void,
  ) {}

  add(applied: Applied, what: { reminders: boolean; recorded?: boolean }): void {
    for (const id of applied.conversationIds) this.ids.add(id);
    const p = this.pending;
    if (p === null) {
      this.pending = {
        applied: {
          conversationIds: [],
          all: applied.all,
          newNotifications: [...(applied.newNotifications ?? [])],
          reminders: applied.reminders,
          news: applied.news && { customerMessages: [...applied.news.customerMessages], conversations: [...applied.news.conversations] },
        },
        reminders: what.reminders,
        recorded: what.recorded ?? false,
      };
      queueMicrotask(() => this.flush());
      return;
    }
    const a = p.applied;
    a.all ||= applied.all;
    a.reminders ||= applied.reminders;
    a.newNotifications!.push(...(applied.newNotifications ?? []));
    if (applied.news) {
      a.news ??= { customerMessages: [], conversations: [] };
      a.news.customerMessages.push(...applied.news.customerMessages);
      a.news.conversations.push(...applied.news.conversations);
    }
    p.reminders ||= what.reminders;
    p.recorded ||= what.recorded ?? false;
  }

  /** Hands on what was gathered, now (also before the mirror closes). */
  flush(): void {
    const p = this.pending;
    if (p === null) return;
    this.pending = null;
    p.applied.conversationIds = [...this.ids];
    this.ids.clear();
    try {
      this.deliver(p);
    } catch (e) {
      // A microtask has no caller to tell: a failed badge count or notification must not end the app.
      this.log(`core: after a mirror change: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}
