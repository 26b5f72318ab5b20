import { v7 as uuidv7 } from 'uuid';
import type { Core } from '../core';
import { listReminders } from '../core/mirror/reminders';
import type { AreaHandlers } from './handlers';

export function reminderHandlers(core: Core): AreaHandlers<'reminder.'> & AreaHandlers<'presence.'> {
  return {
    'reminder.list': (args) => {
      const { db, viewer } = core.reader();
      return listReminders(db, viewer, args.conversationId);
    },
    /** Without an id: a new reminder. With the id of an active one: it moves. */
    'reminder.set': (args) => {
      const id = args.id ?? uuidv7();
      return { ...core.mutate('reminder.set', { ...args, id }), id };
    },
    'reminder.setState': (args) => core.mutate('reminder.setState', args),
    'presence.set': (args) => core.mutate('presence.set', args),
  };
}
