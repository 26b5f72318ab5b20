// Contacts and the channel identities that point at them.
import type { Contact } from '../../src-shared/domain';
import type { ChangeBatch } from './changeLog';
import type { Queryable, Tx } from './db';
import { toContact } from './rows';

type ContactRow = { id: string; name: string; email: string | null; phone: string | null; created_at: number; version: number };

export async function listContacts(db: Queryable, tenantId: string, afterId: string, limit: number): Promise<Contact[]> {
  const rows = await db.query<ContactRow>(
    'SELECT id, name, email, phone, created_at, version FROM contacts WHERE tenant_id = $1 AND id > $2 ORDER BY id LIMIT $3',
    [tenantId, afterId, limit],
  );
  return rows.map(toContact);
}

export async function getContact(db: Queryable, id: string): Promise<Contact | null> {
  const [row] = await db.query<ContactRow>('SELECT id, name, email, phone, created_at, version FROM contacts WHERE id = $1', [id]);
  return row ? toContact(row) : null;
}

export async function insertContact(tx: Tx, batch: ChangeBatch, c: Omit<Contact, 'version'>): Promise<Contact> {
  const row: Contact = { ...c, version: batch.version };
  await tx.query('INSERT INTO contacts (id, tenant_id, name, email, phone, created_at, version) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
    row.id,
    batch.tenantId,
    row.name,
    row.email,
    row.phone,
    row.createdAt,
    row.version,
  ]);
  batch.add({ kind: 'contact', row });
  return row;
}

export async function renameContact(tx: Tx, batch: ChangeBatch, id: string, name: string): Promise<Contact> {
  await tx.query('UPDATE contacts SET name = $2, version = $3 WHERE id = $1', [id, name, batch.version]);
  const row = await getContact(tx, id);
  if (!row) throw new Error(`Contact ${id} vanished.`);
  batch.add({ kind: 'contact', row });
  return row;
}

export interface IdentityRow {
  contact_id: string;
  secret_hash: string | null;
  [k: string]: unknown;
}

export async function findIdentity(db: Queryable, inboxId: string, externalId: string): Promise<IdentityRow | null> {
  const [row] = await db.query<IdentityRow>(
    'SELECT contact_id, secret_hash FROM contact_identities WHERE inbox_id = $1 AND external_id = $2',
    [inboxId, externalId],
  );
  return row ?? null;
}

/** Returns false when the identity already exists (a concurrent first join). */
export async function insertIdentity(tx: Tx, inboxId: string, externalId: string, contactId: string, secretHash: string): Promise<boolean> {
  const rows = await tx.query(
    `INSERT INTO contact_identities (inbox_id, external_id, contact_id, secret_hash) VALUES ($1, $2, $3, $4)
     ON CONFLICT (inbox_id, external_id) DO NOTHING RETURNING contact_id`,
    [inboxId, externalId, contactId, secretHash],
  );
  return rows.length === 1;
}

