// Timing helpers and the shape of a benchmark's result. Benchmarks measure; they assert nothing.
import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

export interface Result {
  name: string;
  /** What the ratio compares, e.g. "FTS p95 speed-up over LIKE". */
  ratioLabel: string;
  ratio: number;
  /** e.g. ">= 0.30"; null when the issue sets none (reported only). */
  target: string | null;
  met: boolean | null;
  figures: Record<string, unknown>;
  notes: string[];
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export function ms(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** Runs fn `warmup` times unmeasured, then `runs` times; durations in milliseconds. */
export function sample<T>(fn: () => T, runs: number, warmup = 2): { times: number[]; last: T } {
  let last = fn();
  for (let i = 1; i < warmup; i++) last = fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    last = fn();
    times.push(ms(t));
  }
  return { times, last };
}

/** A young-generation collection, run before each timed call: a scavenge that falls inside a 1 ms query
 *  adds 1-5 ms to whichever side it hits, which p95 over a few hundred runs picks up. Both sides of a
 *  ratio get the same. (`gc` exposed at run time: the flag holds for contexts made after it is set.) */
const minorGc: () => void = (() => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as ((opts: { type: 'minor' | 'major' }) => void) | undefined;
  return gc ? () => gc({ type: 'minor' }) : () => undefined;
})();

/** Wall-clock and CPU milliseconds of runs, side by side. These machines are shared by several jobs on
 *  2 cores: a run that waits for a core has a long wall time and the same CPU time, so the CPU time is
 *  what a query costs and the wall time what it took on this machine then. CPU time is the process's
 *  (every thread), which for a synchronous SQLite call is the calling thread's. */
export class Timings {
  readonly wall: number[] = [];
  readonly cpu: number[] = [];

  /** Times one call (awaited if it returns a promise) and returns its result. */
  async time<T>(fn: () => T | Promise<T>): Promise<T> {
    minorGc();
    const cpu = process.cpuUsage();
    const t = process.hrtime.bigint();
    const out = await fn();
    this.push(t, cpu);
    return out;
  }

  /** The same for a synchronous call, with no await between the clocks and the call. */
  timeSync<T>(fn: () => T): T {
    minorGc();
    const cpu = process.cpuUsage();
    const t = process.hrtime.bigint();
    const out = fn();
    this.push(t, cpu);
    return out;
  }

  private push(t: bigint, cpu: NodeJS.CpuUsage): void {
    const wall = ms(t);
    const used = process.cpuUsage(cpu);
    this.wall.push(wall);
    this.cpu.push((used.user + used.system) / 1000);
  }

  /** p50 and p95 of both, rounded (ms). */
  stats(digits = 3) {
    return {
      p50Ms: round(percentile(this.wall, 50), digits),
      p95Ms: round(percentile(this.wall, 95), digits),
      cpuP50Ms: round(percentile(this.cpu, 50), digits),
      cpuP95Ms: round(percentile(this.cpu, 95), digits),
    };
  }

  p95(kind: 'wall' | 'cpu' = 'wall'): number {
    return percentile(this[kind], 95);
  }

  p50(kind: 'wall' | 'cpu' = 'wall'): number {
    return percentile(this[kind], 50);
  }
}

export const round = (v: number, digits = 2) => Math.round(v * 10 ** digits) / 10 ** digits;

/** Resident memory of a process (Linux /proc), in MiB. */
export function rssMiB(pid: number = process.pid): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

export function sleep(msDelay: number): Promise<void> {
  return new Promise((r) => setTimeout(r, msDelay));
}

/** Polls until `check` holds (bounded: throws after `timeoutMs`). */
export async function until(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string, everyMs = 10): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}.`);
    await sleep(everyMs);
  }
}
