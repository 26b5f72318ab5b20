// Timing helpers and the shape of a benchmark's result. Benchmarks measure; they assert nothing.
import { readFileSync } from 'node:fs';

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
