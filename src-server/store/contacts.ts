// Contacts, the channel identities that point at them, and the history of their edits.
import type { Contact, ContactFieldChange } from '../../src-shared/domain';
import type { ChangeBatch } from './changeLog';
import type { Queryable, Tx } from './db';
import { CONTACT_COLUMNS, toContact, toContactChange, type ContactChangeRow, type ContactRow } from './rows';

/** Contacts merged into another one are hidden everywhere, so a snapshot leaves them out. */
export async function listContacts(db: Queryable, tenantId: string, afterId: string, limit: number): Promise<Contact[]> {
  const rows = await db.query<ContactRow>(
    `SELECT ${CONTACT_COLUMNS} FROM contacts k WHERE k.tenant_id = $1 AND k.id > $2 AND k.merged_into_id IS NULL ORDER BY k.id LIMIT $3`,
    [tenantId, afterId, limit],
  );
  return rows.map(toContact);
}

export async function getContact(db: Queryable, id: string): Promise<Contact | null> {
  const [row] = await db.query<ContactRow>(`SELECT ${CONTACT_COLUMNS} FROM contacts k WHERE k.id = $1`, [id]);
  return row ? toContact(row) : null;
}

/** The contact a (possibly merged) contact lives on as now: merges are followed to their end. */
export async function currentContactId(db: Queryable, id: string): Promise<string> {
  let current = id;
  // A merge never points back (the target is not merged at that time), so this ends; the bound is a guard.
  for (let hops = 0; hops < 50; hops++) {
    const [row] = await db.query<{ merged_into_id: string | null }>('SELECT merged_into_id FROM contacts WHERE id = $1', [current]);
    if (!row?.merged_into_id) return current;
    current = row.merged_into_id;
  }
  return current;
}

/** Locks the contact row for the rest of the transaction and returns it. */
export async function lockContact(tx: Tx, tenantId: string, id: string): Promise<Contact | null> {
  const locked = await tx.query('SELECT id FROM contacts WHERE id = $1 AND tenant_id = $2 FOR UPDATE', [id, tenantId]);
  return locked.length === 1 ? getContact(tx, id) : null;
}

export type NewContact = Omit<Contact, 'version' | 'identities' | 'mergedIntoId'>;

/** Inserts without logging: callers add identities first, then `logContact` logs the whole row. */
export async function insertContact(tx: Tx, batch: ChangeBatch, c: NewContact): Promise<void> {
  await tx.query(
    `INSERT INTO contacts (id, tenant_id, name, phones, emails, owner_id, custom, field_versions, created_at, version)
     VALUES ($1, $2, $3, $4::jsonb, $5::jsonb, $6, $7::jsonb, $8::jsonb, $9, $10)`,
    [
      c.id,
      batch.tenantId,
      c.name,
      JSON.stringify(c.phones),
      JSON.stringify(c.emails),
      c.ownerId,
      JSON.stringify(c.custom),
      JSON.stringify(c.fieldVersions),
      c.createdAt,
      batch.version,
    ],
  );
}

/** Logs the contact as it is now (with its identities). */
export async function logContact(tx: Tx, batch: ChangeBatch, id: string): Promise<Contact> {
  const row = await getContact(tx, id);
  if (!row) throw new Error(`Contact ${id} vanished.`);
  batch.add({ kind: 'contact', row });
  return row;
}

/** Writes every editable field of `c` at the batch's version and logs the row. */
export async function updateContact(tx: Tx, batch: ChangeBatch, c: Contact): Promise<Contact> {
  const rows = await tx.query(
    `UPDATE contacts SET name = $2, phones = $3::jsonb, emails = $4::jsonb, owner_id = $5, custom = $6::jsonb,
       field_versions = $7::jsonb, merged_into_id = $8, version = $9
     WHERE id = $1 AND tenant_id = $10 RETURNING id`,
    [
      c.id,
      c.name,
      JSON.stringify(c.phones),
      JSON.stringify(c.emails),
      c.ownerId,
      JSON.stringify(c.custom),
      JSON.stringify(c.fieldVersions),
      c.mergedIntoId,
      batch.version,
      batch.tenantId,
    ],
  );
  if (rows.length !== 1) throw new Error(`Contact ${c.id} was not updated.`);
  return logContact(tx, batch, c.id);
}

export async function insertContactChange(tx: Tx, batch: ChangeBatch, change: Omit<ContactFieldChange, 'version'>): Promise<void> {
  const row: ContactFieldChange = { ...change, version: batch.version };
  await tx.query(
    `INSERT INTO contact_field_changes (id, tenant_id, contact_id, field, before, after, by_id, at, conflict, version)
     VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7, $8, $9, $10)`,
    [
      row.id,
      batch.tenantId,
      row.contactId,
      row.field,
      JSON.stringify(row.before ?? null),
      JSON.stringify(row.after ?? null),
      row.byId,
      row.at,
      row.conflict,
      row.version,
    ],
  );
  batch.add({ kind: 'contactChange', row: { ...row, before: row.before ?? null, after: row.after ?? null } });
}

export async function listContactChanges(db: Queryable, tenantId: string, afterId: string, limit: number): Promise<ContactFieldChange[]> {
  const rows = await db.query<ContactChangeRow>(
    `SELECT id, contact_id, field, before, after, by_id, at, conflict, version FROM contact_field_changes
     WHERE tenant_id = $1 AND id > $2 ORDER BY id LIMIT $3`,
    [tenantId, afterId, limit],
  );
  return rows.map(toContactChange);
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
/** `secretHash` proves a webchat visitor; channels that authenticate the customer themselves (WhatsApp) have none. */
export async function insertIdentity(
  tx: Tx,
  inboxId: string,
  externalId: string,
  contactId: string,
  secretHash: string | null,
): Promise<boolean> {
  const rows = await tx.query(
    `INSERT INTO contact_identities (inbox_id, external_id, contact_id, secret_hash) VALUES ($1, $2, $3, $4)
     ON CONFLICT (inbox_id, external_id) DO NOTHING RETURNING contact_id`,
    [inboxId, externalId, contactId, secretHash],
  );
  return rows.length === 1;
}

/** A merge: the channel keeps reaching the same person, now as the target contact. */
export async function moveIdentities(tx: Tx, fromContactId: string, toContactId: string): Promise<void> {
  await tx.query('UPDATE contact_identities SET contact_id = $2 WHERE contact_id = $1', [fromContactId, toContactId]);
}
