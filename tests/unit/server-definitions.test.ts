// Admin-defined rows (closing categories, contact fields) are keyed by id across tenants: saving an id
// another tenant owns is refused and leaves that tenant's row as it was — on a real PGlite store.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src-server/app';
import { ChangeBatch } from '../../src-server/store/changeLog';
import type { Db } from '../../src-server/store/db';
import { getClosingCategory, listContactFields, saveClosingCategory, saveContactField } from '../../src-server/store/definitions';
import { migrate } from '../../src-server/store/migrate';

describe('definitions across tenants', () => {
  let dir: string;
  let db: Db;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bandeja-definitions-'));
    db = await openStore({ dataDir: dir });
    await migrate(db);
    for (const id of ['tenant-a', 'tenant-b'])
      await db.query('INSERT INTO tenants (id, name, epoch, created_at) VALUES ($1, $2, $3, 0)', [id, id, `epoch-${id}`]);
    await db.tx((tx) => saveClosingCategory(tx, new ChangeBatch('tenant-a', 1), { id: 'cat-1', name: 'Resuelto', active: true }));
    await db.tx((tx) =>
      saveContactField(tx, new ChangeBatch('tenant-a', 1), {
        id: 'field-1',
        key: 'plan',
        label: 'Plan',
        type: 'text',
        options: [],
        active: true,
      }),
    );
  });

  afterAll(async () => {
    await db?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("refuses a closing category id owned by another tenant and keeps that tenant's row", async () => {
    await expect(
      db.tx((tx) => saveClosingCategory(tx, new ChangeBatch('tenant-b', 2), { id: 'cat-1', name: 'Hackeado', active: false })),
    ).rejects.toMatchObject({ code: 'INVALID_ARGS' });
    expect(await getClosingCategory(db, 'tenant-a', 'cat-1')).toMatchObject({ name: 'Resuelto', active: true });
    expect(await getClosingCategory(db, 'tenant-b', 'cat-1')).toBeNull();
  });

  it("refuses a contact field id owned by another tenant and keeps that tenant's row", async () => {
    await expect(
      db.tx((tx) =>
        saveContactField(tx, new ChangeBatch('tenant-b', 2), {
          id: 'field-1',
          key: 'dni',
          label: 'DNI',
          type: 'text',
          options: [],
          active: true,
        }),
      ),
    ).rejects.toMatchObject({ code: 'INVALID_ARGS' });
    expect(await listContactFields(db, 'tenant-a')).toMatchObject([{ id: 'field-1', key: 'plan', label: 'Plan' }]);
    expect(await listContactFields(db, 'tenant-b')).toEqual([]);
  });

  it("still updates a tenant's own row", async () => {
    await db.tx((tx) => saveClosingCategory(tx, new ChangeBatch('tenant-a', 3), { id: 'cat-1', name: 'Resuelto ✓', active: true }));
    expect(await getClosingCategory(db, 'tenant-a', 'cat-1')).toMatchObject({ name: 'Resuelto ✓' });
  });
});
