import type { Core } from '../core';
import { inboxCounts, listInbox } from '../core/mirror/queries';
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
  };
}
