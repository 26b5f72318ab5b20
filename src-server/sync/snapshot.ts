// The bootstrap snapshot: every row the user may see, in keyset pages. The version comes first; each
// page is then read in a short transaction of its own, and the next one only once the sink has taken
// the last (the client has room), so no read holds the database (PGlite's one connection, PostgreSQL's
// vacuum) and nothing piles up in memory. Pages may hold rows newer than the version: the catch-up from
// that version that follows replays every later change, and the client keeps a row only if its version
// is not older than the one it holds, so it ends where the log ends (ARCHITECTURE.md "Bootstrap").
import type { Op } from '../../src-shared/protocol';
import { listContactChanges, listContacts } from '../store/contacts';
import { listVisibleConversations, listVisibleMessages } from '../store/conversations';
import type { Db, Queryable } from '../store/db';
import { listClosingCategories, listContactFields } from '../store/definitions';
import { getUser, listInboxes, listTeams, listUsers, viewerOf, type UserWithTenant } from '../store/directory';
import { listInvites } from '../store/invites';
import { listNotificationsOf } from '../store/notifications';
import { listRemindersOf } from '../store/reminders';
import { listUsableSavedViews } from '../store/savedViews';
import { listUsableSnippets } from '../store/snippets';
import { listTemplates } from '../store/templates';
import { getTenant } from '../store/tenants';

/** Rows per page (BANDEJA_SNAPSHOT_PAGE_ROWS sets another: tests stream a small store in many pages). */
export const SNAPSHOT_PAGE_ROWS = Number(process.env.BANDEJA_SNAPSHOT_PAGE_ROWS) || 500;

type PageReader = (db: Queryable, afterId: string) => Promise<Op[]>;

/** Where the pages go. `page` resolves once the next page may be read; false stops the snapshot (the
 *  socket closed). */
export interface SnapshotSink {
  begin(version: number, epoch: string): Promise<boolean>;
  page(ops: Op[]): Promise<boolean>;
}

export type SnapshotOutcome =
  /** Every page was sent; the client catches up from `version`. */
  | { kind: 'done'; version: number }
  /** The user's role, teams or active flag changed while pages streamed: start again as `user` sees. */
  | { kind: 'scopeChanged'; user: UserWithTenant }
  | { kind: 'signedOut' }
  | { kind: 'stopped' };

/** Lets what waits on the database and the event loop (other users' pushes, fan-out) in between pages. */
const yieldToOthers = () => new Promise<void>((resolve) => setImmediate(resolve));

function readersFor(tenantId: string, user: UserWithTenant): PageReader[] {
  const n = SNAPSHOT_PAGE_ROWS;
  const viewer = viewerOf(user);
  const readers: PageReader[] = [
    async (q, after) => (await listUsers(q, tenantId, after, n)).map((row) => ({ kind: 'user', row })),
    async (q, after) => (await listTeams(q, tenantId, after, n)).map((row) => ({ kind: 'team', row })),
    async (q, after) => (await listInboxes(q, tenantId, after, n)).map((row) => ({ kind: 'inbox', row })),
    async (q, after) => (await listContactFields(q, tenantId, after, n)).map((row) => ({ kind: 'contactField', row })),
    async (q, after) => (await listClosingCategories(q, tenantId, after, n)).map((row) => ({ kind: 'closingCategory', row })),
    async (q, after) => (await listContacts(q, tenantId, after, n)).map((row) => ({ kind: 'contact', row })),
    async (q, after) => (await listContactChanges(q, tenantId, after, n)).map((row) => ({ kind: 'contactChange', row })),
    async (q, after) => (await listVisibleConversations(q, tenantId, viewer, after, n)).map((row) => ({ kind: 'conversation', row })),
    async (q, after) => (await listVisibleMessages(q, tenantId, viewer, after, n)).map((row) => ({ kind: 'message', row })),
    async (q, after) => (await listNotificationsOf(q, viewer.id, after, n)).map((row) => ({ kind: 'notification', row })),
    async (q, after) => (await listUsableSavedViews(q, tenantId, viewer, after, n)).map((row) => ({ kind: 'savedView', row })),
    async (q, after) => (await listUsableSnippets(q, tenantId, viewer.id, after, n)).map((row) => ({ kind: 'snippet', row })),
    async (q, after) => (await listTemplates(q, tenantId, after, n)).map((row) => ({ kind: 'template', row })),
    async (q, after) => (await listRemindersOf(q, viewer.id, after, n)).map((row) => ({ kind: 'reminder', row })),
  ];
  // Invitation links are for admins only.
  if (viewer.role === 'admin')
    readers.push(async (q, after) => (await listInvites(q, tenantId, after, n)).map((row) => ({ kind: 'invite', row })));
  return readers;
}

/**
 * Streams what `user` may see. Each page's transaction also reads the user: once their scope has
 * changed (scope_version moved, or deactivated) no page is read with the old scope, since it could carry
 * rows written after they lost the right to them; the caller starts over or signs them out.
 */
export async function streamSnapshot(db: Db, user: UserWithTenant, sink: SnapshotSink): Promise<SnapshotOutcome> {
  const { tenantId } = user;
  const tenant = await getTenant(db, tenantId);
  if (!tenant) throw new Error(`Tenant ${tenantId} does not exist.`);
  if (!(await sink.begin(tenant.version, tenant.epoch))) return { kind: 'stopped' };
  for (const read of readersFor(tenantId, user)) {
    let after = '';
    for (;;) {
      const page = await db.tx(
        async (tx) => {
          const now = await getUser(tx, user.id);
          if (!now || !now.active) return { kind: 'signedOut' } as const;
          if (now.scopeVersion !== user.scopeVersion) return { kind: 'scopeChanged', user: now } as const;
          return { kind: 'page', ops: await read(tx, after) } as const;
        },
        { isolation: 'repeatable read' },
      );
      if (page.kind !== 'page') return page;
      const { ops } = page;
      if (ops.length === 0) break;
      if (!(await sink.page(ops))) return { kind: 'stopped' };
      const last = ops[ops.length - 1]!;
      after = 'row' in last ? last.row.id : last.kind === 'revoke' ? last.conversationId : last.id;
      if (ops.length < SNAPSHOT_PAGE_ROWS) break;
      await yieldToOthers();
    }
  }
  return { kind: 'done', version: tenant.version };
}
