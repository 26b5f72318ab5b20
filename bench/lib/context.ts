// What every benchmark gets: the dataset's paths and shape, a scratch folder, and a log line.
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { openMirror, type Mirror } from '../../src-main/core/mirror/db';
import { readSessionUser } from '../../src-main/core/mirror/meta';
import type { Viewer } from '../../src-shared/rules/visibility';
import type { DatasetPaths, Manifest } from './paths';

export interface BenchContext {
  scale: number;
  data: DatasetPaths;
  manifest: Manifest;
  /** The 1,000-conversation dataset (inbox reference). */
  reference: DatasetPaths;
  /** A scratch folder for this run (copies of the mirror and store). */
  work: string;
  log: (line: string) => void;
}

/** A private copy of a mirror file (benchmarks that write must not touch the dataset). */
export function copyMirror(ctx: BenchContext, from: string, name: string): string {
  mkdirSync(ctx.work, { recursive: true });
  const to = join(ctx.work, name);
  copyFileSync(from, to);
  return to;
}

export function openWithViewer(path: string): { mirror: Mirror; viewer: Viewer } {
  const mirror = openMirror(path);
  const user = readSessionUser(mirror.read)!;
  return { mirror, viewer: { id: user.id, role: user.role, teamIds: user.teamIds } };
}
