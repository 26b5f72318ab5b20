// PGlite's first open of an empty folder runs initdb, 5–10 s on two cores, and nearly every test starts a
// server on a fresh folder. The test helpers (server-process, test-store) copy a blank cluster there
// instead: made once per machine and PGlite version, it is exactly what initdb leaves, so the server
// still finds an empty database that it migrates and seeds itself. Tests that open a store on an empty
// folder without these helpers (server-store, server-definitions) keep running initdb.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';

const ROOT = resolve(import.meta.dirname, '../..');
const version = (JSON.parse(readFileSync(join(ROOT, 'node_modules/@electric-sql/pglite/package.json'), 'utf8')) as { version: string })
  .version;
const TEMPLATE = join(tmpdir(), `bandeja-pglite-blank-${version}`);

let made: Promise<string> | null = null;

/** The blank cluster's folder; made on first use (renamed into place whole, so a folder that exists is complete). */
function blankCluster(): Promise<string> {
  made ??= (async () => {
    if (existsSync(TEMPLATE)) return TEMPLATE;
    const building = mkdtempSync(`${TEMPLATE}-building-`);
    const lite = await PGlite.create(building);
    await lite.close();
    try {
      renameSync(building, TEMPLATE);
    } catch (e) {
      // Another test process made it meanwhile: use theirs.
      rmSync(building, { recursive: true, force: true });
      if (!existsSync(TEMPLATE)) throw e;
    }
    return TEMPLATE;
  })();
  return made;
}

/** Puts a blank PGlite cluster where the server keeps its store under `dataDir` (<dataDir>/server/pgdata,
 *  see src-server/app.ts), unless one is there already. */
export async function blankPgliteStore(dataDir: string): Promise<void> {
  const target = join(dataDir, 'server', 'pgdata');
  if (existsSync(target)) return;
  const template = await blankCluster();
  mkdirSync(dirname(target), { recursive: true });
  cpSync(template, target, { recursive: true });
}
