import { v7 as uuidv7 } from 'uuid';
import type { Core } from '../core';
import { listSnippets } from '../core/mirror/snippets';
import type { AreaHandlers } from './handlers';

export function snippetHandlers(core: Core): AreaHandlers<'snippet.'> {
  return {
    'snippet.list': (args) => {
      const { db, viewer } = core.reader();
      return listSnippets(db, viewer, args.includeShadowed ?? false);
    },
    'snippet.save': (args) => {
      const id = args.id ?? uuidv7();
      return { ...core.mutate('snippet.save', { ...args, id }), id };
    },
    'snippet.delete': (args) => core.mutate('snippet.delete', args),
  };
}
