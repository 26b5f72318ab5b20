// The free-reply window of each channel: WhatsApp, Messenger and Instagram accept free text for 24 hours
// after the customer's last message; after that only an approved template may be sent.
import type { Channel } from '../domain';

export const HOUR_MS = 3_600_000;

const WINDOW_MS: Partial<Record<Channel, number>> = {
  whatsapp: 24 * HOUR_MS,
  messenger: 24 * HOUR_MS,
  instagram: 24 * HOUR_MS,
};

/** Whether the channel limits free replies to a window at all, and so takes templates. */
export function hasReplyWindow(channel: Channel): boolean {
  return WINDOW_MS[channel] !== undefined;
}

export type ReplyWindow =
  | { kind: 'unlimited' }
  | { kind: 'open'; closesAt: number }
  /** `since` is when it closed; null when the customer never wrote (the business must start with a template). */
  | { kind: 'closed'; since: number | null };

export function replyWindow(channel: Channel, lastCustomerMessageAt: number | null, now: number): ReplyWindow {
  const length = WINDOW_MS[channel];
  if (length === undefined) return { kind: 'unlimited' };
  if (lastCustomerMessageAt === null) return { kind: 'closed', since: null };
  const closesAt = lastCustomerMessageAt + length;
  return now < closesAt ? { kind: 'open', closesAt } : { kind: 'closed', since: closesAt };
}

/** Whether free text may go out at `now` (a reply written earlier offline is checked again when it is sent). */
export function canSendFreeText(channel: Channel, lastCustomerMessageAt: number | null, now: number): boolean {
  return replyWindow(channel, lastCustomerMessageAt, now).kind !== 'closed';
}
