import type { Core } from '../core';
import type { AreaHandlers } from './handlers';

export function messageHandlers(core: Core): AreaHandlers<'message.'> {
  return {
    'message.send': ({ conversationId, body, attachments }) => core.sendMessage(conversationId, body, attachments),
    'message.discard': ({ id }) => {
      core.discardMessage(id);
      return { ok: true as const };
    },
  };
}
