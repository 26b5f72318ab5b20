import type { Core } from '../core';
import { directory } from '../core/mirror/queries';
import type { AreaHandlers } from './handlers';

export function directoryHandlers(core: Core): AreaHandlers<'directory.'> {
  return {
    'directory.get': () => {
      const { db, viewer } = core.reader();
      return directory(db, viewer);
    },
  };
}
