// Errors by kind, from real stores (PGlite, and PostgreSQL when BANDEJA_TEST_DATABASE_URL is set): what a
// NUL, an out-of-range number or a broken surrogate does to a write, and what a passing failure looks like.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src-server/app';
import { definitiveRefusal, describeWriteError, isTransientWriteError } from '../../src-server/store/writeErrors';
import { BandejaError } from '../../src-shared/errors';
import { backends } from '../support/test-store';

async function failure(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
  } catch (e) {
    return e;
  }
  throw new Error('expected the write to fail');
}

describe.each(backends)('write errors on %s', (_name, databaseUrl) => {
  it('tells values the database refuses (definitive) from passing failures (transient)', async () => {
    const db = await openStore({ dataDir: mkdtempSync(join(tmpdir(), 'bandeja-errors-')), databaseUrl });
    try {
      await db.exec('CREATE TEMP TABLE t (body text, data jsonb, at bigint)');
      const refused = [
        await failure(() => db.query('INSERT INTO t (body) VALUES ($1)', ['a\u0000b'])),
        await failure(() => db.query('INSERT INTO t (data) VALUES ($1)', [JSON.stringify({ body: 'a\u0000b' })])),
        await failure(() => db.query('INSERT INTO t (at) VALUES ($1)', [1e20])),
      ];
      for (const e of refused) {
        expect(isTransientWriteError(e)).toBe(false);
        expect(definitiveRefusal(e).code).toBe('UNPROCESSABLE');
        // The log line names the SQLSTATE, never the value.
        expect(describeWriteError(e)).toMatch(/^database error [0-9A-Z]{5}/);
        expect(describeWriteError(e)).not.toContain('1e+20');
      }
      const conflict = await failure(() =>
        db.exec(`DO $$ BEGIN RAISE EXCEPTION 'could not serialize access' USING ERRCODE = '40001'; END $$`),
      );
      const deadlock = await failure(() => db.exec(`DO $$ BEGIN RAISE EXCEPTION 'deadlock detected' USING ERRCODE = '40P01'; END $$`));
      expect([isTransientWriteError(conflict), isTransientWriteError(deadlock)]).toEqual([true, true]);
    } finally {
      await db.close();
    }
    // A closed store (PGlite closed, a pool ended) is a passing failure: the write is tried again later.
    const closed = await failure(() => db.query('SELECT 1'));
    expect(isTransientWriteError(closed)).toBe(true);
  });
});

it('keeps answers as they are and never takes one for a passing failure', () => {
  const answer = new BandejaError('FORBIDDEN', 'No.');
  expect(isTransientWriteError(answer)).toBe(false);
  expect(definitiveRefusal(answer)).toBe(answer);
  expect(isTransientWriteError(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }))).toBe(true);
  expect(isTransientWriteError(new Error('Connection terminated unexpectedly'))).toBe(true);
  expect(isTransientWriteError(new TypeError('x is undefined'))).toBe(false);
});
