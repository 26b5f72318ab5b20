// `npm run bench [-- --scale 0.02] [--only search,inbox]`: runs every benchmark over the dataset built by
// `npm run bench:data` (built first if missing), prints each one's figures and its ratio against the
// reference measured in the same run, and writes bench/.results/<date>.json. Nothing here asserts:
// these machines are noisy, the ratios are the result.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildDataset } from './data';
import { bootstrapLoad } from './benchmarks/bootstrapLoad';
import { catchUp } from './benchmarks/catchUp';
import { changeLogMonth } from './benchmarks/changeLogMonth';
import { fanOut } from './benchmarks/fanOut';
import { inbox } from './benchmarks/inbox';
import { initialSync } from './benchmarks/initialSync';
import { mainThread } from './benchmarks/mainThread';
import { offlineBacklog } from './benchmarks/offlineBacklog';
import { searchBench } from './benchmarks/search';
import { startUp } from './benchmarks/startUp';
import { sustained } from './benchmarks/sustained';
import { writes } from './benchmarks/writes';
import type { BenchContext } from './lib/context';
import { round, type Result } from './lib/measure';
import { REFERENCE_SCALE, RESULTS_DIR, WORK_DIR, datasetPaths, parseScale, readManifest } from './lib/paths';

const BENCHMARKS: Record<string, (ctx: BenchContext) => Promise<Result>> = {
  catchUp,
  search: searchBench,
  inbox,
  fanOut,
  initialSync,
  offline: offlineBacklog,
  startUp,
  mainThread,
  sustained,
  bootstrapLoad,
  changeLogMonth,
  writes,
};
/** Benchmarks that make their own store and need no dataset (built only when another one runs). */
const DATASET_FREE = new Set(['writes', 'sustained']);

const log = (line: string) => process.stdout.write(`${line}\n`);

function print(r: Result): void {
  const verdict = r.met === null ? '' : r.met ? '  [target met]' : '  [target MISSED]';
  log(`\n== ${r.name}: ${r.ratioLabel} = ${r.ratio}${r.target ? ` (target ${r.target})` : ''}${verdict}`);
  for (const [k, v] of Object.entries(r.figures)) log(`   ${k}: ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`);
  for (const n of r.notes) log(`   note: ${n}`);
}

const argv = process.argv.slice(2);
const scale = parseScale(argv);
const onlyArg =
  argv.find((a) => a.startsWith('--only='))?.slice(7) ?? (argv.includes('--only') ? argv[argv.indexOf('--only') + 1] : undefined);
const only = onlyArg ? onlyArg.split(',') : Object.keys(BENCHMARKS);
for (const name of only)
  if (!BENCHMARKS[name]) throw new Error(`Unknown benchmark "${name}"; known: ${Object.keys(BENCHMARKS).join(', ')}.`);

const needsDataset = only.some((name) => !DATASET_FREE.has(name));
const manifest = needsDataset ? await buildDataset(scale, { server: true, force: false }) : readManifest(scale);
if (needsDataset && scale !== REFERENCE_SCALE) await buildDataset(REFERENCE_SCALE, { server: false, force: false });
const work = WORK_DIR;
rmSync(work, { recursive: true, force: true });
const ctx: BenchContext = { scale, data: datasetPaths(scale), manifest: manifest!, reference: datasetPaths(REFERENCE_SCALE), work, log };

const started = new Date();
const results: Result[] = [];
for (const name of only) {
  log(`\n-- running ${name} (scale ${scale})`);
  const t = Date.now();
  try {
    const r = await BENCHMARKS[name]!(ctx);
    r.figures.seconds = round((Date.now() - t) / 1000, 1);
    results.push(r);
    print(r);
  } catch (e) {
    log(`   ${name} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    results.push({ name, ratioLabel: 'failed', ratio: NaN, target: null, met: null, figures: {}, notes: [String(e)] });
  }
}
rmSync(work, { recursive: true, force: true });

mkdirSync(RESULTS_DIR, { recursive: true });
const file = join(RESULTS_DIR, `${started.toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(
  file,
  JSON.stringify({ startedAt: started.toISOString(), scale, shape: manifest?.shape ?? null, node: process.version, results }, null, 2),
);
log(`\nSummary (scale ${scale}):`);
for (const r of results)
  log(`  ${r.name.padEnd(18)} ${String(r.ratio).padStart(10)}  ${r.target ?? ''} ${r.met === null ? '' : r.met ? 'met' : 'MISSED'}`);
log(`Report: ${file}`);
process.exit(0);
