// The conversation status machine: which moves a person may make.
import type { ConversationStatus } from '../domain';

const TRANSITIONS: Record<ConversationStatus, readonly ConversationStatus[]> = {
  open: ['pending', 'snoozed', 'closed'],
  pending: ['open', 'snoozed', 'closed'],
  snoozed: ['open', 'pending', 'closed'],
  closed: ['open'],
};

export function canTransition(from: ConversationStatus, to: ConversationStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** Status a conversation takes when the customer writes to it. Closed ones are not reopened: a new conversation starts. */
export function statusOnCustomerMessage(current: ConversationStatus): ConversationStatus {
  return current === 'snoozed' ? 'open' : current;
}
