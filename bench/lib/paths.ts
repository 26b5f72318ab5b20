// Where the benchmark data and reports live (both git-ignored, see bench/.gitignore).
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Shape } from './dataset';

export const BENCH_DIR = resolve(import.meta.dirname, '..');
export const ROOT = resolve(BENCH_DIR, '..');
export const DATA_ROOT = join(BENCH_DIR, '.data');
export const RESULTS_DIR = join(BENCH_DIR, '.results');
/** Scratch copies for one run, per checkout: bench/.data may be one dataset shared by several checkouts,
 *  whose runs must not delete each other's copies. */
export const WORK_DIR = join(BENCH_DIR, '.work');
/** The inbox benchmark's reference: the same dataset at 1,000 conversations. */
export const REFERENCE_SCALE = 0.02;

export interface DatasetPaths {
  dir: string;
  /** PGlite data folder (the server's `<data>/server/pgdata`). */
  pgdata: string;
  mirror: string;
  manifest: string;
}

export function datasetPaths(scale: number): DatasetPaths {
  const dir = join(DATA_ROOT, `scale-${scale}`);
  return { dir, pgdata: join(dir, 'server', 'pgdata'), mirror: join(dir, 'mirror.sqlite'), manifest: join(dir, 'manifest.json') };
}

export interface Manifest {
  shape: Shape;
  counts: { conversations: number; messages: number; contacts: number; users: number };
  /** Conversations the bench agent may see. */
  benchAgentVisible: number;
  builtAt: string;
  seconds: number;
}

export function readManifest(scale: number): Manifest | null {
  const p = datasetPaths(scale).manifest;
  return existsSync(p) ? (JSON.parse(readFileSync(p, 'utf8')) as Manifest) : null;
}

export function parseScale(argv: readonly string[]): number {
  const i = argv.indexOf('--scale');
  const raw = i >= 0 ? argv[i + 1] : argv.find((a) => a.startsWith('--scale='))?.slice(8);
  if (raw === undefined) return 1;
  const scale = Number(raw);
  if (!Number.isFinite(scale) || scale <= 0 || scale > 1) throw new Error(`--scale must be a number in (0, 1], got "${raw}".`);
  return scale;
}
