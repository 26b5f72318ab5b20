// What each agent action does to a conversation. The server runs these as the authority;
// the client core runs the same functions to show the result before the server confirms.
import type { Conversation, ConversationEvent, ConversationStatus } from '../domain';
import { MESSAGE_MAX_CHARS } from '../domain';
import { BandejaError } from '../errors';
import { canTransition } from './status';
import { canAssign, canSeeConversation, type Viewer } from './visibility';

export interface Outcome {
  conversation: Conversation;
  /** Event lines to write into the conversation, in order. */
  events: ConversationEvent[];
}

export const PREVIEW_CHARS = 140;

export function preview(body: string): string {
  const flat = body.replace(/\s+/g, ' ').trim();
  return flat.length > PREVIEW_CHARS ? `${flat.slice(0, PREVIEW_CHARS - 1)}…` : flat;
}

/** Refuses actors who may not see the conversation. One who could see it were it still unassigned
 *  lost a race for it: they are told who took it (ALREADY_ASSIGNED), not that it is forbidden. */
function mustSee(actor: Viewer, c: Conversation): void {
  if (canSeeConversation(actor, c)) return;
  if (c.assigneeId !== null && canSeeConversation(actor, { ...c, assigneeId: null }))
    throw new BandejaError('ALREADY_ASSIGNED', 'Another agent took this conversation.', { assigneeId: c.assigneeId });
  throw new BandejaError('FORBIDDEN', 'You may not see this conversation.');
}

/** An agent replies. Replying to an unassigned conversation assigns it to the replier. */
export function sendReply(actor: Viewer, c: Conversation, body: string, now: number): Outcome {
  mustSee(actor, c);
  const text = body.trim();
  if (text.length === 0) throw new BandejaError('EMPTY_MESSAGE', 'The message is empty.');
  if (body.length > MESSAGE_MAX_CHARS)
    throw new BandejaError('MESSAGE_TOO_LONG', `A message may have at most ${MESSAGE_MAX_CHARS} characters.`);
  if (c.status === 'closed')
    throw new BandejaError('CONVERSATION_CLOSED', 'This conversation was closed. Reopen it to reply.');
  const events: ConversationEvent[] = [];
  let assigneeId = c.assigneeId;
  if (assigneeId === null) {
    assigneeId = actor.id;
    events.push({ type: 'assigned', assigneeId: actor.id, byId: actor.id });
  }
  return {
    conversation: {
      ...c,
      assigneeId,
      status: c.status === 'pending' ? 'open' : c.status,
      unreadCount: 0,
      lastMessageAt: now,
      lastMessagePreview: preview(body),
      waitingSince: null,
    },
    events,
  };
}

export function assign(actor: Viewer, c: Conversation, assigneeId: string | null): Outcome {
  mustSee(actor, c);
  if (c.assigneeId === assigneeId) return { conversation: c, events: [] };
  if (!canAssign(actor, c, assigneeId)) {
    if (assigneeId === actor.id && c.assigneeId !== null)
      throw new BandejaError('ALREADY_ASSIGNED', 'Another agent took this conversation.', { assigneeId: c.assigneeId });
    throw new BandejaError('FORBIDDEN', 'You may not assign this conversation.');
  }
  const events: ConversationEvent[] =
    assigneeId === null ? [{ type: 'unassigned', byId: actor.id }] : [{ type: 'assigned', assigneeId, byId: actor.id }];
  return { conversation: { ...c, assigneeId }, events };
}

export function setStatus(actor: Viewer, c: Conversation, status: ConversationStatus): Outcome {
  mustSee(actor, c);
  if (c.status === status) return { conversation: c, events: [] };
  if (!canTransition(c.status, status))
    throw new BandejaError('INVALID_TRANSITION', `A ${c.status} conversation cannot become ${status}.`);
  return { conversation: { ...c, status }, events: [{ type: 'status', status, byId: actor.id }] };
}

export function markRead(actor: Viewer, c: Conversation): Outcome {
  mustSee(actor, c);
  return { conversation: c.unreadCount === 0 ? c : { ...c, unreadCount: 0 }, events: [] };
}
