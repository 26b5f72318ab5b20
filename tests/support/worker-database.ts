// Vitest runs two test files at once (vitest.config.ts), each in its own worker. Tests that use
// PostgreSQL empty BANDEJA_TEST_DATABASE_URL's database first, so two files must never share one: this
// setup file, run in each worker before its test file, gives worker N > 1 its own database next to the
// given one (bandeja_ci → bandeja_ci_w2), created if missing. Worker 1 keeps the given database.
import pg from 'pg';

const base = process.env.BANDEJA_TEST_DATABASE_URL;
const worker = Number(process.env.VITEST_POOL_ID ?? '1');

if (base && worker > 1) {
  const url = new URL(base);
  const name = `${url.pathname.slice(1)}_w${worker}`;
  if (!/^[a-z0-9_]+$/i.test(name)) throw new Error(`BANDEJA_TEST_DATABASE_URL names a database this setup will not quote: ${name}`);
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  try {
    const found = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) {
      await admin.query(`CREATE DATABASE ${name}`).catch((e: { code?: string }) => {
        if (e.code !== '42P04') throw e; // Created meanwhile by another run: fine.
      });
    }
  } finally {
    await admin.end();
  }
  url.pathname = `/${name}`;
  process.env.BANDEJA_TEST_DATABASE_URL = url.toString();
}
