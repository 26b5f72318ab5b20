import type { Core } from '../core';
import { search } from '../core/mirror/search';
import type { AreaHandlers } from './handlers';

export function searchHandlers(core: Core): AreaHandlers<'search.'> {
  return {
    'search.query': ({ q, limit }) => {
      const { db, viewer } = core.reader();
      return search(db, viewer, q, limit);
    },
  };
}
