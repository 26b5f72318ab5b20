// What admins define for the whole tenant: custom contact fields and closing categories.
import { BandejaError } from '../../src-shared/errors';
import type { ClosingCategory, ContactFieldDefinition } from '../../src-shared/domain';
import type { ChangeBatch } from './changeLog';
import type { Queryable, Tx } from './db';
import { toClosingCategory, toContactField, type ContactFieldRow } from './rows';

export async function listContactFields(db: Queryable, tenantId: string, afterId = '', limit = 10_000): Promise<ContactFieldDefinition[]> {
  const rows = await db.query<ContactFieldRow>(
    'SELECT id, key, label, type, options, active, version FROM contact_field_definitions WHERE tenant_id = $1 AND id > $2 ORDER BY id LIMIT $3',
    [tenantId, afterId, limit],
  );
  return rows.map(toContactField);
}

/** Inserts or replaces a field definition. Returns false when another field already uses the key. */
export async function saveContactField(tx: Tx, batch: ChangeBatch, def: Omit<ContactFieldDefinition, 'version'>): Promise<boolean> {
  const clash = await tx.query('SELECT 1 FROM contact_field_definitions WHERE tenant_id = $1 AND key = $2 AND id <> $3', [
    batch.tenantId,
    def.key,
    def.id,
  ]);
  if (clash.length > 0) return false;
  const row: ContactFieldDefinition = { ...def, version: batch.version };
  // The tenant condition keeps an id owned by another tenant untouched even if two requests race.
  const written = await tx.query(
    `INSERT INTO contact_field_definitions (id, tenant_id, key, label, type, options, active, version)
     VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8)
     ON CONFLICT (id) DO UPDATE SET key = EXCLUDED.key, label = EXCLUDED.label, type = EXCLUDED.type, options = EXCLUDED.options,
       active = EXCLUDED.active, version = EXCLUDED.version
     WHERE contact_field_definitions.tenant_id = EXCLUDED.tenant_id
     RETURNING id`,
    [row.id, batch.tenantId, row.key, row.label, row.type, JSON.stringify(row.options), row.active, row.version],
  );
  if (written.length !== 1) throw new BandejaError('INVALID_ARGS', 'This field id is already used.');
  batch.add({ kind: 'contactField', row });
  return true;
}

export async function definitionTenant(
  db: Queryable,
  table: 'contact_field_definitions' | 'closing_categories',
  id: string,
): Promise<string | null> {
  const [row] = await db.query<{ tenant_id: string }>(`SELECT tenant_id FROM ${table} WHERE id = $1`, [id]);
  return row?.tenant_id ?? null;
}

export async function listClosingCategories(db: Queryable, tenantId: string, afterId = '', limit = 10_000): Promise<ClosingCategory[]> {
  const rows = await db.query<{ id: string; name: string; active: boolean; version: number }>(
    'SELECT id, name, active, version FROM closing_categories WHERE tenant_id = $1 AND id > $2 ORDER BY id LIMIT $3',
    [tenantId, afterId, limit],
  );
  return rows.map(toClosingCategory);
}

export async function getClosingCategory(db: Queryable, tenantId: string, id: string): Promise<ClosingCategory | null> {
  const [row] = await db.query<{ id: string; name: string; active: boolean; version: number }>(
    'SELECT id, name, active, version FROM closing_categories WHERE id = $1 AND tenant_id = $2',
    [id, tenantId],
  );
  return row ? toClosingCategory(row) : null;
}

export async function saveClosingCategory(tx: Tx, batch: ChangeBatch, category: Omit<ClosingCategory, 'version'>): Promise<void> {
  const row: ClosingCategory = { ...category, version: batch.version };
  const written = await tx.query(
    `INSERT INTO closing_categories (id, tenant_id, name, active, version) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, active = EXCLUDED.active, version = EXCLUDED.version
     WHERE closing_categories.tenant_id = EXCLUDED.tenant_id
     RETURNING id`,
    [row.id, batch.tenantId, row.name, row.active, row.version],
  );
  if (written.length !== 1) throw new BandejaError('INVALID_ARGS', 'This category id is already used.');
  batch.add({ kind: 'closingCategory', row });
}
