// `npm run fuzz -- [--seconds N] [--seed S] [--path P] [--only a,b]`: every suite in
// tests/fuzz/suites/, one after another, N seconds each (default 60), with a fresh seed unless one
// is given. Prints cases tried, failures and the seed to replay one; exits 1 on any failure.
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { describeResult, type FuzzSuite } from './harness';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '60' },
    seed: { type: 'string' },
    path: { type: 'string' },
    only: { type: 'string' },
  },
});
const seconds = Number(values.seconds);
if (!Number.isFinite(seconds) || seconds <= 0) {
  console.error('--seconds must be a positive number');
  process.exit(2);
}
const only = values.only?.split(',').map((s) => s.trim());
const dir = join(dirname(fileURLToPath(import.meta.url)), 'suites');
const suites: FuzzSuite[] = [];
for (const file of readdirSync(dir)
  .filter((f) => f.endsWith('.ts'))
  .sort()) {
  const suite = ((await import(pathToFileURL(join(dir, file)).href)) as { default: FuzzSuite }).default;
  if (!only || only.includes(suite.name)) suites.push(suite);
}
if (suites.length === 0) {
  console.error(`No suite named ${values.only}`);
  process.exit(2);
}

let failed = 0;
for (const suite of suites) {
  const seed = values.seed !== undefined ? Number(values.seed) : Math.floor(Math.random() * 2 ** 31);
  console.log(`${suite.name}: ${suite.description} (${seconds} s, seed ${seed})`);
  const result = await suite.run({
    seed,
    numRuns: Number.MAX_SAFE_INTEGER,
    timeLimitMs: seconds * 1000,
    path: values.path,
    log: (line) => console.log(`  ${line}`),
  });
  console.log(describeResult(result));
  failed += result.failures;
}
process.exit(failed > 0 ? 1 : 0);
