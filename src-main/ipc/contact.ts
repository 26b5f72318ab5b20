import { v7 as uuidv7 } from 'uuid';
import type { Core } from '../core';
import { contactDetail } from '../core/mirror/queries';
import type { AreaHandlers } from './handlers';

export function contactHandlers(core: Core): AreaHandlers<'contact.'> {
  return {
    'contact.get': ({ id }) => {
      const { db, viewer } = core.reader();
      return contactDetail(db, viewer, id);
    },
    'contact.create': (args) => {
      const id = uuidv7();
      return { ...core.mutate('contact.create', { ...args, id }), id };
    },
    'contact.update': (args) => core.mutate('contact.update', args),
    'contact.merge': (args) => core.mutate('contact.merge', args),
  };
}
