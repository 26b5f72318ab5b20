// Rate limits of the anonymous webchat socket: joins per address, new visitors (each a contact in every
// agent's mirror) per address and per inbox, messages per address and per inbox. Counted in the
// database like the HTTP limits (limits/counters.ts), so every server process shares them.
import type { Limits } from '../../limits/config';
import type { RateCounters, Verdict } from '../../limits/counters';

export class WebchatLimits {
  constructor(
    private readonly counters: RateCounters,
    private readonly limits: Limits,
  ) {}

  /** A join frame from `address`; `creates` when it would make a new visitor. */
  async join(inboxId: string, address: string, creates: boolean): Promise<Verdict> {
    const joins = await this.counters.take('webchat-join-address', address, this.limits.webchatJoinPerAddress);
    if (!joins.ok || !creates) return joins;
    const fromAddress = await this.counters.take('webchat-new-address', address, this.limits.webchatNewVisitorsPerAddress);
    if (!fromAddress.ok) return fromAddress;
    return this.counters.take('webchat-new-inbox', inboxId, this.limits.webchatNewVisitorsPerInbox);
  }

  /** A message from `address` to the inbox. */
  async say(inboxId: string, address: string): Promise<Verdict> {
    const fromAddress = await this.counters.take('webchat-say-address', address, this.limits.webchatSayPerAddress);
    if (!fromAddress.ok) return fromAddress;
    return this.counters.take('webchat-say-inbox', inboxId, this.limits.webchatSayPerInbox);
  }
}
