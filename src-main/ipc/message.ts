import type { Core } from '../core';
import type { AreaHandlers } from './handlers';

export function messageHandlers(core: Core): AreaHandlers<'message.'> {
  return {
    'message.send': ({ conversationId, body, attachments }) => core.sendMessage(conversationId, body, attachments),
    'message.sendTemplate': ({ conversationId, templateId, variables }) => core.sendTemplate(conversationId, templateId, variables),
    'message.resend': ({ id }) => core.resendMessage(id),
    'message.forward': ({ messageId, toConversationIds }) => core.forwardMessage(messageId, toConversationIds),
    'message.discard': ({ id }) => {
      core.discardMessage(id);
      return { ok: true as const };
    },
  };
}
