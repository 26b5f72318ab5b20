// Numbered SQL migrations (store/migrations/NNN_name.sql): applied in order, each in its own
// transaction, recorded in schema_migrations. A database migrated by a newer server is refused.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Db } from './db';

export interface Migration {
  id: number;
  name: string;
  sql: string;
}

const FILE = /^(\d{3})_([a-z0-9_]+)\.sql$/;
// Several servers sharing one PostgreSQL may start at once; one migrates, the others wait.
const MIGRATION_LOCK = 7_215_001;

/** Where the .sql files are: next to this module, unless a bundled build says otherwise. */
export function defaultMigrationsDir(): string {
  if (process.env.BANDEJA_MIGRATIONS_DIR) return process.env.BANDEJA_MIGRATIONS_DIR;
  return fileURLToPath(new URL('./migrations/', import.meta.url));
}

export function loadMigrations(dir = defaultMigrationsDir()): Migration[] {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort();
  const migrations = files.map((file) => {
    const m = FILE.exec(file);
    if (!m) throw new Error(`Migration file name must look like 001_name.sql: ${file}`);
    return { id: Number(m[1]), name: m[2]!, sql: readFileSync(join(dir, file), 'utf8') };
  });
  checkOrder(migrations);
  return migrations;
}

/** Ids must start at 1 and increase by one: a gap or a duplicate means a broken checkout. */
export function checkOrder(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    if (m.id !== i + 1) throw new Error(`Migrations must be numbered 1, 2, 3…; found ${m.id} at position ${i + 1}.`);
  });
}

export class DatabaseTooNewError extends Error {
  constructor(found: number, known: number) {
    super(`The database is at schema ${found} but this server only knows up to ${known}. Use a newer Bandeja server.`);
    this.name = 'DatabaseTooNewError';
  }
}

/** Brings the database up to date, one transaction per migration. Returns the ids applied now. */
export async function migrate(db: Db, migrations: readonly Migration[] = loadMigrations()): Promise<number[]> {
  checkOrder(migrations);
  const known = migrations.length;
  const applied: number[] = [];
  for (;;) {
    const next = await db.tx(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      await tx.exec(
        `CREATE TABLE IF NOT EXISTS schema_migrations (
           id integer PRIMARY KEY, name text NOT NULL, applied_at bigint NOT NULL)`,
      );
      const [row] = await tx.query<{ max: number | null }>('SELECT max(id) AS max FROM schema_migrations');
      const current = row?.max ?? 0;
      if (current > known) throw new DatabaseTooNewError(current, known);
      const m = migrations[current];
      if (!m) return null;
      await tx.exec(m.sql);
      await tx.query('INSERT INTO schema_migrations (id, name, applied_at) VALUES ($1, $2, $3)', [m.id, m.name, Date.now()]);
      return m.id;
    });
    if (next === null) return applied;
    applied.push(next);
  }
}

/** The schema version recorded in the database (0 when empty). */
export async function schemaVersion(db: Db): Promise<number> {
  const [row] = await db.query<{ exists: boolean }>("SELECT to_regclass('schema_migrations') IS NOT NULL AS exists");
  if (!row?.exists) return 0;
  const [max] = await db.query<{ max: number | null }>('SELECT max(id) AS max FROM schema_migrations');
  return max?.max ?? 0;
}
