// Runs a periodic job once per period across every server process sharing the database (store/timers.ts):
// each process looks at the job's row when the database says it is due (and at least every checkMs, since
// another process may have moved it), and only the one that takes the lease runs it. The lease is renewed
// while the job runs; a process that dies holding it is replaced once the lease ends.
import type { Db } from './store/db';
import { dueNow, finishTimer, takeTimer, timerDelay, type TimerLease } from './store/timers';

export interface PeriodicJob {
  /** The row's name: processes running the same name share one schedule. */
  name: string;
  everyMs: number;
  /** How long a taker that stops renewing (it died) keeps the job from the others. */
  leaseMs: number;
  run: () => Promise<void>;
  /** Due whenever a process starts (blob collection of a node's own folder did so before it was shared). */
  atStart?: boolean;
}

/** The longest a process waits before it looks at a job's row again. */
const CHECK_MS = 30_000;
/** A failed run is due again this soon (or at its period, when shorter). */
const RETRY_MS = 60_000;

export class PeriodicRunner {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly db: Db,
    private readonly job: PeriodicJob,
    private readonly holder: string,
    private readonly log: (line: string) => void,
  ) {}

  /** Runs the job now when due, then keeps looking. Resolves after the first look. */
  async start(): Promise<void> {
    if (this.job.atStart) await dueNow(this.db, this.job.name);
    return this.tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  private tick(): Promise<void> {
    this.running = this.once()
      .catch((e: unknown) => this.log(`${this.job.name}: ${e instanceof Error ? e.message : String(e)}`))
      .then(() => this.arm());
    return this.running;
  }

  private async once(): Promise<void> {
    if (this.stopped) return;
    const lease = await takeTimer(this.db, this.job.name, this.holder, this.job.leaseMs);
    if (!lease) return;
    const renew = setInterval(() => void this.renew(lease), Math.max(50, Math.floor(this.job.leaseMs / 3)));
    renew.unref();
    try {
      await this.job.run();
    } catch (e) {
      clearInterval(renew);
      // Tried again by any process within a minute (not at once: a job failing every time must not spin).
      await finishTimer(this.db, lease, Math.min(this.job.everyMs, RETRY_MS));
      throw e;
    }
    clearInterval(renew);
    await finishTimer(this.db, lease, this.job.everyMs);
  }

  private async renew(lease: TimerLease): Promise<void> {
    await this.db
      .query(
        `UPDATE server_timers SET lease_until = (extract(epoch from clock_timestamp()) * 1000)::bigint + $3::bigint
         WHERE name = $1 AND leased_by = $2`,
        [lease.name, lease.holder, this.job.leaseMs],
      )
      .catch(() => undefined);
  }

  private async arm(): Promise<void> {
    if (this.stopped) return;
    const wait = await timerDelay(this.db, this.job.name).catch(() => CHECK_MS);
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.tick(), Math.max(10, Math.min(wait, CHECK_MS)));
    this.timer.unref();
  }
}
