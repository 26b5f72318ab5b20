// Tenants and their version counter: the one row every writing transaction locks first.
import { randomUUID } from 'node:crypto';
import type { Queryable, Tx } from './db';

export interface TenantRow {
  id: string;
  name: string;
  version: number;
  epoch: string;
  log_floor: number;
  [k: string]: unknown;
}

export async function getTenant(db: Queryable, id: string): Promise<TenantRow | null> {
  const [row] = await db.query<TenantRow>('SELECT id, name, version, epoch, log_floor FROM tenants WHERE id = $1', [id]);
  return row ?? null;
}

/** Creates a tenant with a fresh epoch. Returns false when it already existed. */
export async function insertTenant(tx: Tx, id: string, name: string, now: number): Promise<boolean> {
  const rows = await tx.query(
    `INSERT INTO tenants (id, name, version, epoch, created_at) VALUES ($1, $2, 0, $3, $4)
     ON CONFLICT (id) DO NOTHING RETURNING id`,
    [id, name, randomUUID(), now],
  );
  return rows.length === 1;
}

/** Takes the tenant's next version. The row lock it takes is held until commit, so versions
 *  are handed out in commit order and a reader of the change log never skips a late commit. */
export async function nextVersion(tx: Tx, tenantId: string): Promise<number> {
  const [row] = await tx.query<{ version: number }>('UPDATE tenants SET version = version + 1 WHERE id = $1 RETURNING version', [tenantId]);
  if (!row) throw new Error(`Tenant ${tenantId} does not exist.`);
  return row.version;
}

/** Gives back the version nextVersion took in this transaction, which logged nothing at it. Nobody else
 *  can have seen it: the row stays locked until this transaction ends. */
export async function releaseVersion(tx: Tx, tenantId: string, version: number): Promise<void> {
  const rows = await tx.query('UPDATE tenants SET version = version - 1 WHERE id = $1 AND version = $2 RETURNING id', [tenantId, version]);
  if (rows.length !== 1) throw new Error(`Tenant ${tenantId} is not at version ${version}.`);
}
