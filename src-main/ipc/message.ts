import type { Core } from '../core';
import type { AreaHandlers } from './handlers';

export function messageHandlers(core: Core): AreaHandlers<'message.'> {
  return {
    'message.send': ({ conversationId, body }) => core.sendMessage(conversationId, body),
    'message.discard': ({ id }) => {
      core.discardMessage(id);
      return { ok: true as const };
    },
  };
}
