// The protocol fuzz suite (tests/fuzz/suites/protocol.ts), seeded and short: raw frames, upgrades, HTTP
// and garbage against a real server process and headless host. `npm run fuzz -- --only protocol` runs it longer.
import { expect, it } from 'vitest';
import { describeResult } from '../fuzz/harness';
import protocol from '../fuzz/suites/protocol';

it('no frame, upgrade or request stops the server or the headless host, and bad frames get their close codes', async () => {
  const result = await protocol.run({ seed: 1212, numRuns: 60, log: (line) => console.log(line) });
  console.log(describeResult(result));
  expect(result.failures, describeResult(result)).toBe(0);
  expect(result.cases).toBe(60);
}, 120_000);
