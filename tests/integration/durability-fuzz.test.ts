// The durability run, seeded and short: kill -9 of the server and of clients, sockets cut through the
// fault proxy, dropped acknowledgements; every action and customer message exists exactly once on the
// server, in every mirror that may see it and on the customer's page. `npm run fuzz -- --only durability`
// runs it longer (tests/fuzz/suites/durability.ts).
import { expect, it } from 'vitest';
import { describeResult } from '../fuzz/harness';
import suite from '../fuzz/suites/durability';

it('loses and doubles nothing across crashes and cut sockets (seeded)', async () => {
  const result = await suite.run({ seed: 12, numRuns: 4, timeLimitMs: 60_000, log: (line) => console.log(line) });
  console.log(describeResult(result));
  expect(result.failures, result.failure).toBe(0);
  expect(result.figures).toMatchObject({ lost: 0, duplicated: 0, misordered: 0, diverged: 0 });
  expect(result.figures!.rounds).toBe(result.cases);
  // The first round of this seed kills the server twice and a client once (later rounds as time allows).
  expect(result.figures!.serverKills).toBeGreaterThanOrEqual(2);
  expect(result.figures!.clientKills).toBeGreaterThanOrEqual(1);
}, 240_000);
