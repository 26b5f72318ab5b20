// Which attachments (by sha256) a tenant holds, who uploaded them, and who may read them back.
import type { Attachment } from '../../src-shared/domain';
import { canSeeConversation } from '../../src-shared/rules/visibility';
import type { Queryable } from './db';
import { viewerOf, type UserWithTenant } from './directory';

/** Records that a tenant holds a blob: uploaded by a user, or received from a channel (a customer's
 *  photo; no uploader, kept while a message holds it). */
export async function recordBlob(
  db: Queryable,
  holder: { tenantId: string; uploadedBy: string | null },
  blob: { sha256: string; mime: string; size: number },
  now: number,
): Promise<void> {
  await db.query(
    `INSERT INTO blobs (tenant_id, sha256, uploaded_by, mime, size, created_at) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (tenant_id, sha256, (COALESCE(uploaded_by, ''))) DO NOTHING`,
    [holder.tenantId, blob.sha256, holder.uploadedBy, blob.mime, blob.size, now],
  );
}

/** The attachments of this list the tenant has not received yet (their messages cannot be sent). */
export async function missingBlobs(db: Queryable, tenantId: string, attachments: readonly Attachment[]): Promise<Attachment[]> {
  if (attachments.length === 0) return [];
  const rows = await db.query<{ sha256: string; size: string | number }>(
    'SELECT DISTINCT sha256, size FROM blobs WHERE tenant_id = $1 AND sha256 = ANY($2::text[])',
    [tenantId, attachments.map((a) => a.sha256)],
  );
  const held = new Map(rows.map((r) => [r.sha256, Number(r.size)]));
  // A size that disagrees with what was received is not that file.
  return attachments.filter((a) => held.get(a.sha256) !== a.size);
}

/** The stored type of a blob this user may read: one they uploaded, or one held by a message in a
 *  conversation they may see. Null otherwise (the caller answers 404 either way). */
export async function readableBlob(db: Queryable, user: UserWithTenant, sha256: string): Promise<{ mime: string } | null> {
  const [own] = await db.query<{ mime: string }>('SELECT mime FROM blobs WHERE tenant_id = $1 AND sha256 = $2 AND uploaded_by = $3', [
    user.tenantId,
    sha256,
    user.id,
  ]);
  if (own) return own;
  const holders = await db.query<{ assignee_id: string | null; team_id: string | null; attachments: Attachment[] }>(
    `SELECT c.assignee_id, c.team_id, m.attachments FROM messages m JOIN conversations c ON c.id = m.conversation_id
     WHERE m.tenant_id = $1 AND m.attachments @> $2::jsonb LIMIT 50`,
    [user.tenantId, JSON.stringify([{ sha256 }])],
  );
  const viewer = viewerOf(user);
  const seen = holders.find((h) => canSeeConversation(viewer, { assigneeId: h.assignee_id, teamId: h.team_id }));
  if (!seen) return null;
  return { mime: seen.attachments.find((a) => a.sha256 === sha256)!.mime };
}

/** The type of a blob an agent sent to this contact in this inbox (webchat media links), or null. */
export async function blobSentToContact(
  db: Queryable,
  inboxId: string,
  contactId: string,
  sha256: string,
): Promise<{ mime: string } | null> {
  const [row] = await db.query<{ attachments: Attachment[] }>(
    `SELECT m.attachments FROM messages m JOIN conversations c ON c.id = m.conversation_id
     WHERE c.inbox_id = $1 AND c.contact_id = $2 AND m.kind = 'text' AND m.direction = 'out' AND m.attachments @> $3::jsonb LIMIT 1`,
    [inboxId, contactId, JSON.stringify([{ sha256 }])],
  );
  const a = row?.attachments.find((x) => x.sha256 === sha256);
  return a ? { mime: a.mime } : null;
}
