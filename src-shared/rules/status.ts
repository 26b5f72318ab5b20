// The conversation status machine: which moves a person may make, and what a customer message does.
import type { ConversationStatus } from '../domain';
import { isPostponed } from './reminders';

const TRANSITIONS: Record<ConversationStatus, readonly ConversationStatus[]> = {
  open: ['pending', 'snoozed', 'closed'],
  pending: ['open', 'snoozed', 'closed'],
  snoozed: ['open', 'pending', 'closed'],
  closed: ['open'],
};

export function canTransition(from: ConversationStatus, to: ConversationStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** Status a conversation takes when the customer writes to it. A closed one is not reopened: the
 *  message starts a new conversation (see customerMessageTarget). `postponed` is true while a reminder
 *  holds the conversation snoozed until it is due. */
export function statusOnCustomerMessage(current: ConversationStatus, postponed = false): ConversationStatus {
  return current === 'snoozed' && !postponed ? 'open' : current;
}

/** Status and wake time after the customer writes at `now`: a postponed conversation stays snoozed
 *  until its time; any other snoozed one wakes (and forgets its wake time). */
export function snoozeOnCustomerMessage(
  c: { status: ConversationStatus; snoozedUntil: number | null },
  now: number,
): { status: ConversationStatus; snoozedUntil: number | null } {
  const status = statusOnCustomerMessage(c.status, isPostponed(c, now));
  return { status, snoozedUntil: status === 'snoozed' ? c.snoozedUntil : null };
}

/** One active conversation per contact: a customer message goes to the active one, or starts a new
 *  conversation — `open` for a first contact, `pending` when it follows a closed one. */
export function customerMessageTarget(
  latest: { id: string; status: ConversationStatus } | null,
): { kind: 'existing'; conversationId: string } | { kind: 'new'; status: ConversationStatus; previousConversationId: string | null } {
  if (latest === null) return { kind: 'new', status: 'open', previousConversationId: null };
  if (latest.status === 'closed') return { kind: 'new', status: 'pending', previousConversationId: latest.id };
  return { kind: 'existing', conversationId: latest.id };
}
