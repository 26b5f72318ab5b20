import { v7 as uuidv7 } from 'uuid';
import type { Core } from '../core';
import { conversationDetail, conversationMessagePage, conversationMessages, earlierConversations } from '../core/mirror/queries';
import type { MutationInput } from '../core/outbox';
import type { AreaHandlers } from './handlers';

export function conversationHandlers(core: Core): AreaHandlers<'conversation.'> {
  return {
    'conversation.get': ({ id }) => {
      const { db, viewer } = core.reader();
      return conversationDetail(db, viewer, id);
    },
    'conversation.messages': ({ conversationId }) => conversationMessages(core.reader().db, conversationId),
    'conversation.messagePage': ({ conversationId, ...page }) => conversationMessagePage(core.reader().db, conversationId, page),
    'conversation.earlier': ({ conversationId }) => {
      const { db, viewer } = core.reader();
      return earlierConversations(db, viewer, conversationId);
    },
    'conversation.markRead': (args) => core.mutate('conversation.markRead', args),
    'conversation.markUnread': (args) => core.mutate('conversation.markUnread', args),
    'conversation.assign': (args) => core.mutate('conversation.assign', args),
    'conversation.setStatus': (args) => core.mutate('conversation.setStatus', args),
    // The new conversation's id is chosen here, so a transfer that starts one is the same on a retry.
    'conversation.transfer': (args) => core.mutate('conversation.transfer', { ...args, newConversationId: uuidv7() }),
    'conversation.close': (args) => core.mutate('conversation.close', args),
    'conversation.reopen': (args) => core.mutate('conversation.reopen', args),
    'conversation.tag': (args) => core.mutate('conversation.tag', args),
    'conversation.setBot': (args) => core.mutate('conversation.setBot', args),
    'conversation.bulk': ({ conversationIds, action }) => {
      const inputs: MutationInput[] = [...new Set(conversationIds)].map((conversationId): MutationInput => {
        switch (action.type) {
          case 'close':
            return { name: 'conversation.close', args: { conversationId, note: action.note, categoryId: action.categoryId } };
          case 'assign':
            return { name: 'conversation.assign', args: { conversationId, assigneeId: action.assigneeId } };
          case 'tag':
            return { name: 'conversation.tag', args: { conversationId, add: action.add, remove: action.remove } };
          case 'markRead':
            return { name: 'conversation.markRead', args: { conversationId } };
        }
      });
      return core.mutateMany(inputs);
    },
  };
}
