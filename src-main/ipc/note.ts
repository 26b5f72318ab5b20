import type { Core } from '../core';
import type { AreaHandlers } from './handlers';

export function noteHandlers(core: Core): AreaHandlers<'note.'> {
  return { 'note.add': ({ conversationId, body, mentions }) => core.addNote(conversationId, body, mentions) };
}
