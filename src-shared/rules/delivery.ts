// A sent message's delivery state as channels report it (WhatsApp statuses, the webchat page): reports
// arrive late, repeated and out of order, so the state only moves forward.
import type { MessageState } from '../domain';

const STATE_RANK: Record<MessageState, number> = { sent: 0, delivered: 1, read: 2, failed: 3 };

/** A message's state only moves forward (sent -> delivered -> read); failed is final and is not taken
 *  once the customer read it. Returns the state to store, or null when the report changes nothing. */
export function advancedState(current: MessageState, reported: MessageState): MessageState | null {
  if (current === 'failed' || current === reported) return null;
  if (reported === 'failed') return current === 'read' ? null : 'failed';
  return STATE_RANK[reported] > STATE_RANK[current] ? reported : null;
}
