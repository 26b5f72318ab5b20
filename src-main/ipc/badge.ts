// The count that waits for me (unread Mine + Unassigned), as the dock badge shows it.
import type { Core } from '../core';
import { waitingForMe } from '../core/mirror/queries';
import type { AreaHandlers } from './handlers';

export function badgeHandlers(core: Core): AreaHandlers<'badge.'> {
  return {
    'badge.get': () => {
      const { db, viewer } = core.reader();
      return { count: waitingForMe(db, viewer) };
    },
  };
}
