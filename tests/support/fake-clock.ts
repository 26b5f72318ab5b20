// A clock tests drive by hand, for the reminder scheduler and notification bursts (src-main/core/reminders/clock.ts).
// Timers run on a monotonic time line like the system's; the wall clock (now()) can be moved apart
// from it, as when the person sets the clock or the machine sleeps.
//
//   const clock = new FakeClock(Date.UTC(2026, 0, 5, 9));
//   clock.advance(60_000);     // one minute passes: timers due meanwhile run, in order
//   clock.jump(3_600_000);     // the wall clock moves an hour; no timer runs
//   clock.pending              // timers armed now
import type { Clock } from '../../src-main/core/reminders/clock';

interface Timer {
  at: number;
  seq: number;
  fn: () => void;
}

export class FakeClock implements Clock {
  private mono = 0;
  private offset: number;
  private seq = 0;
  private readonly timers = new Map<number, Timer>();

  constructor(start: number) {
    this.offset = start;
  }

  now(): number {
    return this.mono + this.offset;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.seq;
    this.timers.set(id, { at: this.mono + Math.max(0, ms), seq: id, fn });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  get pending(): number {
    return this.timers.size;
  }

  /** Time passes: every timer due by then runs, in order (timers they arm run too if due). */
  advance(ms: number): void {
    const end = this.mono + ms;
    for (;;) {
      let next: [number, Timer] | null = null;
      for (const entry of this.timers)
        if (entry[1].at <= end && (!next || entry[1].at < next[1].at || (entry[1].at === next[1].at && entry[1].seq < next[1].seq)))
          next = entry;
      if (!next) break;
      this.timers.delete(next[0]);
      this.mono = Math.max(this.mono, next[1].at);
      next[1].fn();
    }
    this.mono = end;
  }

  /** The wall clock moves (set by hand, or the machine slept): no timer runs. */
  jump(ms: number): void {
    this.offset += ms;
  }
}
