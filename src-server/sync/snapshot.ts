// The bootstrap snapshot: every row the user may see, in keyset pages, read in one
// REPEATABLE READ transaction together with the version it is consistent with.
import type { Op } from '../../src-shared/protocol';
import type { Viewer } from '../../src-shared/rules/visibility';
import { listContactChanges, listContacts } from '../store/contacts';
import { listVisibleConversations, listVisibleMessages } from '../store/conversations';
import type { Db, Queryable } from '../store/db';
import { listClosingCategories, listContactFields } from '../store/definitions';
import { listInboxes, listTeams, listUsers } from '../store/directory';
import { listInvites } from '../store/invites';
import { listNotificationsOf } from '../store/notifications';
import { listRemindersOf } from '../store/reminders';
import { listUsableSavedViews } from '../store/savedViews';
import { listUsableSnippets } from '../store/snippets';
import { listTemplates } from '../store/templates';
import { getTenant } from '../store/tenants';

export const SNAPSHOT_PAGE_ROWS = 500;

type PageReader = (db: Queryable, afterId: string) => Promise<Op[]>;

export async function streamSnapshot(
  db: Db,
  tenantId: string,
  viewer: Viewer,
  onBegin: (version: number, epoch: string) => void,
  onPage: (ops: Op[]) => void,
): Promise<number> {
  const n = SNAPSHOT_PAGE_ROWS;
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
  return db.tx(
    async (tx) => {
      const tenant = await getTenant(tx, tenantId);
      if (!tenant) throw new Error(`Tenant ${tenantId} does not exist.`);
      onBegin(tenant.version, tenant.epoch);
      for (const read of readers) {
        let after = '';
        for (;;) {
          const ops = await read(tx, after);
          if (ops.length === 0) break;
          onPage(ops);
          const last = ops[ops.length - 1]!;
          after = 'row' in last ? last.row.id : last.kind === 'revoke' ? last.conversationId : last.id;
          if (ops.length < n) break;
        }
      }
      return tenant.version;
    },
    { isolation: 'repeatable read' },
  );
}
