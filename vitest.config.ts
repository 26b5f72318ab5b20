import { defineConfig } from 'vitest/config';
import { LIMIT_NAMES, limitEnvName } from './src-server/limits/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // Integration and end-to-end tests start real processes; two cores do not run many at once.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Every test talks to its servers from 127.0.0.1, many visitors and sign-ins from one address: the
    // servers they start (and their child processes) get the rate limits out of the way. The limits have
    // tests of their own, which set the ones they check (server-abuse-limits, server-sessions-media).
    // (The same as tests/support/server-process.ts LOAD_TEST_LIMITS, which npm run fuzz uses outside vitest.)
    env: Object.fromEntries(LIMIT_NAMES.map((name) => [limitEnvName(name), '1000000/1m'])),
  },
});
