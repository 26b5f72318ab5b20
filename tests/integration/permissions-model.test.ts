// The model-based permission suite (tests/fuzz/suites/permissions.ts), seeded and short: random sequences
// of agents', a supervisor's and visitors' actions against a real server, every view checked against the
// rules after every step. `npm run fuzz -- --only permissions --seconds N` runs it longer.
import { expect, it } from 'vitest';
import { describeResult } from '../fuzz/harness';
import suite from '../fuzz/suites/permissions';

it('every mirror, download and visitor page equals what the rules allow, after every step', async () => {
  const result = await suite.run({ seed: 1212, numRuns: 4, timeLimitMs: 45_000, log: (line) => console.log(line) });
  console.log(describeResult(result));
  expect(result.cases).toBeGreaterThan(0);
  expect(result.failures, result.failure).toBe(0);
}, 120_000);
