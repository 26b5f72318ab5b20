// The reminder scheduler: one timer, armed for this agent's soonest active reminder not yet shown on
// this device (rules/reminders.ts nextTimerDelay, capped), and never longer than CHECK_MS, so a clock
// set forward or a sleep the host did not report is noticed on the next look at the wall clock. It is
// re-armed on every mirror change touching reminders and when the host reports a resume. A due
// reminder fires once per device: it is remembered (mirror table reminders_fired) before it is shown,
// so a restart never shows it again, and one that came due while the app was closed fires at the next
// start. A reminder dismissed or done elsewhere arrives as such and is never fired.
import type { ReminderItem } from '../../../src-shared/ipc';
import { nextTimerDelay } from '../../../src-shared/rules/reminders';
import type { Clock } from './clock';

/** What the scheduler reads and writes (core/mirror/reminders.ts over the signed-in user's mirror). */
export interface ReminderSource {
  /** Soonest due time of an active reminder not yet fired here, due at or after `notBefore`. */
  soonestUnfired(notBefore: number): number | null;
  /** Active reminders not yet fired here, due in [notBefore, now], oldest first. */
  dueUnfired(now: number, notBefore: number): ReminderItem[];
  markFired(reminders: readonly ReminderItem[], at: number): void;
}

export interface SchedulerOptions {
  clock: Clock;
  source: ReminderSource;
  /** Shows them (core/notifications.ts). Called after they are marked fired. */
  fire: (due: ReminderItem[]) => void;
  /** Longest the scheduler goes without looking at the wall clock. */
  checkMs?: number;
  /** Reminders that came due before start wait for releaseCatchUp(): the mirror may not know yet that
   *  another device dismissed them while this one was closed. */
  holdCatchUp?: boolean;
  /** True while nothing would show a reminder (do not disturb, or reminder notifications off): due ones
   *  stay unfired, not marked as shown and lost, and fire at the recompute() after it turns false. */
  held?: () => boolean;
  log?: (message: string) => void;
}

export const CHECK_MS = 30_000;

export class ReminderScheduler {
  private handle: unknown = null;
  private startedAt = 0;
  private catchUp: boolean;
  private running = false;

  constructor(private readonly opts: SchedulerOptions) {
    this.catchUp = !opts.holdCatchUp;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.startedAt = this.opts.clock.now();
    this.tick();
  }

  stop(): void {
    this.running = false;
    this.clear();
  }

  /** Reminders changed, the system woke up, or the clock moved: fire what is due and re-arm. */
  recompute(): void {
    if (this.running) this.tick();
  }

  /** The mirror is as fresh as it will get (sync caught up, or the server is out of reach). */
  releaseCatchUp(): void {
    if (this.catchUp) return;
    this.catchUp = true;
    this.recompute();
  }

  /** Whether the one timer is armed (tests count timers through their clock). */
  get armed(): boolean {
    return this.handle !== null;
  }

  private clear(): void {
    if (this.handle !== null) this.opts.clock.clearTimeout(this.handle);
    this.handle = null;
  }

  private tick(): void {
    this.clear();
    const { clock, source } = this.opts;
    const now = clock.now();
    const notBefore = this.catchUp ? 0 : this.startedAt;
    const held = this.opts.held?.() ?? false;
    try {
      const due = held ? [] : source.dueUnfired(now, notBefore);
      if (due.length > 0) {
        // Remembered first: a crash while showing loses one toast, never repeats a storm of them.
        source.markFired(due, now);
        this.opts.fire(due);
      }
    } catch (e) {
      // A closed or busy mirror must not stop the timer; the next look tries again.
      this.opts.log?.(`reminders: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (!this.running) return;
    let soonest: number | null = null;
    try {
      // Held, a reminder already due would arm a zero-delay timer again and again: only the periodic look.
      soonest = held ? null : source.soonestUnfired(notBefore);
    } catch {
      soonest = null;
    }
    const checkMs = this.opts.checkMs ?? CHECK_MS;
    const delay = soonest === null ? checkMs : Math.min(nextTimerDelay([{ state: 'active', dueAt: soonest }], now)!, checkMs);
    this.handle = clock.setTimeout(() => {
      this.handle = null;
      this.tick();
    }, delay);
  }
}
