// A fresh, migrated server store with the demo tenant for tests that use the store directly: PGlite in a
// temp folder, or the PostgreSQL of BANDEJA_TEST_DATABASE_URL emptied first. `backends` lists both when
// that variable is set, for describe.each.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../src-server/app';
import { seedDemo } from '../../src-server/demo';
import type { Db } from '../../src-server/store/db';
import { migrate } from '../../src-server/store/migrate';
import { blankPgliteStore } from './pglite-template';
import { startServerProcess, type ServerProcess } from './server-process';

const pgUrl = process.env.BANDEJA_TEST_DATABASE_URL;
export const backends: [string, string | undefined][] = [
  ['PGlite', undefined],
  ...(pgUrl ? [['PostgreSQL', pgUrl] as [string, string]] : []),
];

/** Empties the PostgreSQL database at `databaseUrl` (its public schema), for a test server that migrates
 *  and seeds it itself. */
export async function emptyTestDatabase(databaseUrl: string): Promise<void> {
  const reset = await openStore({ dataDir: tmpdir(), databaseUrl });
  await reset.exec('DROP SCHEMA public CASCADE; CREATE SCHEMA public;');
  await reset.close();
}

/** A demo server process on the test database: the PostgreSQL of BANDEJA_TEST_DATABASE_URL emptied first
 *  (it counts and stores there, as several processes would), else PGlite; `env` is added to its own. */
export async function startDemoServerOnTestDatabase(env: NodeJS.ProcessEnv): Promise<ServerProcess> {
  if (pgUrl) await emptyTestDatabase(pgUrl);
  return startServerProcess({ demo: true, env: { ...(pgUrl ? { DATABASE_URL: pgUrl } : {}), ...env } });
}

export async function freshDemoStore(databaseUrl: string | undefined): Promise<{ db: Db; dataDir: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bandeja-store-'));
  if (databaseUrl) await emptyTestDatabase(databaseUrl);
  else await blankPgliteStore(dataDir);
  const db = await openStore({ dataDir, databaseUrl });
  await migrate(db);
  await seedDemo(db);
  return { db, dataDir };
}
