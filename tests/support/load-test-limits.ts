// Rate limits out of the way, for tests that drive many visitors, sign-ins or messages from this one
// address on purpose (the limits have tests of their own, which set the ones they check). vitest.config.ts
// puts these in every test's environment; `npm run fuzz` (outside vitest) passes them to its servers.
import { LIMIT_NAMES, limitEnvName } from '../../src-server/limits/config';

export const LOAD_TEST_LIMITS: Record<string, string> = Object.fromEntries(LIMIT_NAMES.map((name) => [limitEnvName(name), '1000000/1m']));
