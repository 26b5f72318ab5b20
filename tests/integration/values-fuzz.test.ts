// The values fuzz suite (tests/fuzz/suites/values.ts), seeded and short: arbitrary strings and numbers at
// the contract, through a real server's push and webchat socket. `npm run fuzz -- --only values` runs it longer.
import { expect, it } from 'vitest';
import { describeResult } from '../fuzz/harness';
import suite from '../fuzz/suites/values';

it('stores every value cleaned or refuses it with a code, and never leaves an outbox or a socket stuck', async () => {
  const result = await suite.run({ seed: 1207, numRuns: 60, timeLimitMs: 20_000, log: (line) => console.log(line) });
  console.log(describeResult(result));
  expect(result.failures, result.failure).toBe(0);
  expect(result.cases).toBeGreaterThan(20);
}, 120_000);
