// The server's one answer to "what may this person see now" (ARCHITECTURE.md "Visibility"), over the
// shared rules in src-shared/rules/visibility.ts. Every read (snapshot, catch-up and replay, live fan-out,
// blob GET, webchat page and media), every write's target lookup and every attachment check asks here;
// nothing else in the server filters conversations, messages or files by person.
import type { Attachment } from '../src-shared/domain';
import {
  canSeeConversation,
  mayNameConversation,
  seesEverything,
  type ConversationScope,
  type Viewer,
} from '../src-shared/rules/visibility';
import type { Queryable } from './store/db';

export { canSeeConversation, mayNameConversation, type ConversationScope, type Viewer };

/** SQL that holds for the conversations (alias `c`) the viewer may see now, with its parameters numbered
 *  from `firstParam`. The same rule as canSeeConversation. */
export function visibleConversationsSql(viewer: Viewer, firstParam: number): { sql: string; params: unknown[] } {
  if (seesEverything(viewer.role)) return { sql: 'TRUE', params: [] };
  return {
    sql: `(c.assignee_id = $${firstParam} OR (c.assignee_id IS NULL AND c.team_id = ANY($${firstParam + 1}::text[])))`,
    params: [viewer.id, [...viewer.teamIds]],
  };
}

/** SQL that holds for the conversations (alias `c`) a webchat visitor's page shows: those its own identity
 *  (the visitor id in this inbox) started. Never a conversation merged into the visitor's contact from
 *  another identity, whichever way a merge went. */
export function visitorConversationsSql(inboxParam: number, visitorParam: number): string {
  return `(c.inbox_id = $${inboxParam} AND c.identity_external_id = $${visitorParam})`;
}

/** The scope of each of these conversations as it is now (missing ids are left out). A replay decides on
 *  these, not on the scope a change was written with: it must end in what the person may see at its end. */
export async function currentScopes(db: Queryable, ids: readonly string[]): Promise<Map<string, ConversationScope>> {
  if (ids.length === 0) return new Map();
  const rows = await db.query<{ id: string; assignee_id: string | null; team_id: string | null }>(
    'SELECT id, assignee_id, team_id FROM conversations WHERE id = ANY($1::text[])',
    [[...ids]],
  );
  return new Map(rows.map((r) => [r.id, { assigneeId: r.assignee_id, teamId: r.team_id }]));
}

/** The stored type of a file this person may read: one she uploaded (with its bytes), or one held by a
 *  message or note of a conversation she may see now, or by a snippet she may use. Null otherwise, and the
 *  caller answers exactly as for a file that does not exist. */
export async function readableBlob(db: Queryable, tenantId: string, viewer: Viewer, sha256: string): Promise<{ mime: string } | null> {
  const [own] = await db.query<{ mime: string }>('SELECT mime FROM blobs WHERE tenant_id = $1 AND sha256 = $2 AND uploaded_by = $3', [
    tenantId,
    sha256,
    viewer.id,
  ]);
  if (own) return own;
  const holds = JSON.stringify([{ sha256 }]);
  const vis = visibleConversationsSql(viewer, 3);
  const [seen] = await db.query<{ attachments: Attachment[] }>(
    `SELECT m.attachments FROM messages m JOIN conversations c ON c.id = m.conversation_id
     WHERE m.tenant_id = $1 AND m.attachments @> $2::jsonb AND ${vis.sql} LIMIT 1`,
    [tenantId, holds, ...vis.params],
  );
  const held = seen?.attachments.find((a) => a.sha256 === sha256);
  if (held) return { mime: held.mime };
  const [snippet] = await db.query<{ attachment: Attachment }>(
    `SELECT attachment FROM snippets WHERE tenant_id = $1 AND attachment->>'sha256' = $2 AND (owner_id IS NULL OR owner_id = $3) LIMIT 1`,
    [tenantId, sha256, viewer.id],
  );
  return snippet ? { mime: snippet.attachment.mime } : null;
}

/** The attachments a person may not name in a message or snippet she writes: a file may be named only by
 *  someone who uploaded it or may read it (readableBlob). The caller refuses them as if the server lacked
 *  the file (ATTACHMENT_MISSING), so nobody learns that a file exists where she may not look. */
export async function unnameableAttachments(
  db: Queryable,
  tenantId: string,
  viewer: Viewer,
  attachments: readonly Attachment[],
): Promise<Attachment[]> {
  const refused: Attachment[] = [];
  for (const a of attachments) if (!(await readableBlob(db, tenantId, viewer, a.sha256))) refused.push(a);
  return refused;
}

/** The type of a file an agent sent to this visitor's own chat (webchat media links), or null. */
export async function blobSentToVisitor(
  db: Queryable,
  inboxId: string,
  visitorId: string,
  sha256: string,
): Promise<{ mime: string } | null> {
  const [row] = await db.query<{ attachments: Attachment[] }>(
    `SELECT m.attachments FROM messages m JOIN conversations c ON c.id = m.conversation_id
     WHERE ${visitorConversationsSql(1, 2)} AND m.kind = 'text' AND m.direction = 'out' AND m.attachments @> $3::jsonb LIMIT 1`,
    [inboxId, visitorId, JSON.stringify([{ sha256 }])],
  );
  const a = row?.attachments.find((x) => x.sha256 === sha256);
  return a ? { mime: a.mime } : null;
}
