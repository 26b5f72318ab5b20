import type { Core } from '../core';
import { conversationDetail, conversationMessages } from '../core/mirror/queries';
import type { AreaHandlers } from './handlers';

export function conversationHandlers(core: Core): AreaHandlers<'conversation.'> {
  return {
    'conversation.get': ({ id }) => conversationDetail(core.reader().db, id),
    'conversation.messages': ({ conversationId }) => conversationMessages(core.reader().db, conversationId),
    'conversation.markRead': (args) => core.mutate('conversation.markRead', args),
    'conversation.assign': (args) => core.mutate('conversation.assign', args),
    'conversation.setStatus': (args) => core.mutate('conversation.setStatus', args),
  };
}
