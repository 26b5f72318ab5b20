import { v7 as uuidv7 } from 'uuid';
import type { Core } from '../core';
import { listSavedViews } from '../core/mirror/views';
import type { AreaHandlers } from './handlers';

export function viewHandlers(core: Core): AreaHandlers<'view.'> {
  return {
    'view.list': () => {
      const { db, viewer } = core.reader();
      return listSavedViews(db, viewer);
    },
    'view.save': (args) => {
      const id = args.id ?? uuidv7();
      return { ...core.mutate('view.save', { ...args, id }), id };
    },
    'view.delete': (args) => core.mutate('view.delete', args),
  };
}
