import type { Core } from '../core';
import type { AreaHandlers } from './handlers';

export function draftHandlers(core: Core): AreaHandlers<'draft.'> {
  return {
    'draft.get': ({ conversationId }) => ({ body: core.readDraft(conversationId) }),
    'draft.set': ({ conversationId, body }) => {
      core.writeDraft(conversationId, body);
      return { ok: true as const };
    },
  };
}
