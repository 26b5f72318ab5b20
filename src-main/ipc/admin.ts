import { v7 as uuidv7 } from 'uuid';
import type { Core } from '../core';
import type { AreaHandlers } from './handlers';

export function adminHandlers(core: Core): AreaHandlers<'admin.'> {
  return {
    'admin.user.invite': (args) => {
      const id = uuidv7();
      return { ...core.mutate('admin.user.invite', { ...args, id }), id };
    },
    'admin.user.update': (args) => core.mutate('admin.user.update', args),
    'admin.team.save': (args) => {
      const id = args.id ?? uuidv7();
      return { ...core.mutate('admin.team.save', { ...args, id }), id };
    },
    'admin.inbox.update': (args) => core.mutate('admin.inbox.update', args),
    'admin.contactField.save': (args) => {
      const id = args.id ?? uuidv7();
      return { ...core.mutate('admin.contactField.save', { ...args, id }), id };
    },
    'admin.closingCategory.save': (args) => {
      const id = args.id ?? uuidv7();
      return { ...core.mutate('admin.closingCategory.save', { ...args, id }), id };
    },
    'admin.template.save': (args) => {
      const id = args.id ?? uuidv7();
      return { ...core.mutate('admin.template.save', { ...args, id }), id };
    },
    'admin.template.delete': (args) => core.mutate('admin.template.delete', args),
    'admin.sessions.list': ({ userId }) => core.userSessions(userId),
    'admin.session.end': async ({ sessionId }) => {
      await core.endSession(sessionId);
      return { ok: true as const };
    },
  };
}
