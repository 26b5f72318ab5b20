import type { Core } from '../core';
import type { AreaHandlers } from './handlers';

export function sessionHandlers(core: Core): AreaHandlers<'session.'> {
  return {
    'session.get': async () => {
      await core.ready;
      return core.session();
    },
    'session.login': ({ serverUrl, email, password }) => core.login(serverUrl, email, password),
    'session.logout': async () => {
      await core.logout();
      return { ok: true as const };
    },
  };
}
