import { defineConfig } from 'vitest/config';
import { LOAD_TEST_LIMITS } from './tests/support/load-test-limits';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // Two test files at a time, each in its own process. Nothing is shared between them: servers,
    // clients and browsers take free ports and temp folders, and each worker has its own PostgreSQL
    // database (tests/support/worker-database.ts). Integration and e2e files start real processes, so two
    // cores do not run more at once well.
    fileParallelism: true,
    maxWorkers: 2,
    setupFiles: ['tests/support/worker-database.ts'],
    // Twice what one file at a time needed: with two files running, a test may get half the CPU.
    testTimeout: 120_000,
    hookTimeout: 240_000,
    pool: 'forks',
    // Every test talks to its servers from 127.0.0.1, many visitors and sign-ins from one address: the
    // servers they start (and their child processes) get the rate limits out of the way. The limits have
    // tests of their own, which set the ones they check (server-abuse-limits, server-sessions-media).
    env: LOAD_TEST_LIMITS,
  },
});
