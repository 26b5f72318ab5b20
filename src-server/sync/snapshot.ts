// The bootstrap snapshot: every row the user may see, in keyset pages, read in one
// REPEATABLE READ transaction together with the version it is consistent with.
import type { Op } from '../../src-shared/protocol';
import type { Viewer } from '../../src-shared/rules/visibility';
import { listContacts } from '../store/contacts';
import { listVisibleConversations, listVisibleMessages } from '../store/conversations';
import type { Db, Queryable } from '../store/db';
import { listInboxes, listTeams, listUsers } from '../store/directory';
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
    async (q, after) => (await listContacts(q, tenantId, after, n)).map((row) => ({ kind: 'contact', row })),
    async (q, after) => (await listVisibleConversations(q, tenantId, viewer, after, n)).map((row) => ({ kind: 'conversation', row })),
    async (q, after) => (await listVisibleMessages(q, tenantId, viewer, after, n)).map((row) => ({ kind: 'message', row })),
  ];
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
          after = last.kind === 'revoke' ? last.conversationId : last.row.id;
          if (ops.length < n) break;
        }
      }
      return tenant.version;
    },
    { isolation: 'repeatable read' },
  );
}
