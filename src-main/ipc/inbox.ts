import type { Core } from '../core';
import { inboxCounts, listInbox, unreadInView } from '../core/mirror/views';
import type { AreaHandlers } from './handlers';

export function inboxHandlers(core: Core): AreaHandlers<'inbox.'> {
  return {
    'inbox.list': (q) => {
      const { db, viewer } = core.reader();
      return listInbox(db, viewer, q);
    },
    'inbox.counts': () => {
      const { db, viewer } = core.reader();
      return inboxCounts(db, viewer);
    },
    'inbox.markAllRead': ({ view, status }) => {
      const { db, viewer } = core.reader();
      const ids = unreadInView(db, viewer, view, status);
      if (ids.length === 0) return { mutationIds: [] };
      return core.mutateMany(ids.map((conversationId) => ({ name: 'conversation.markRead' as const, args: { conversationId } })));
    },
  };
}
