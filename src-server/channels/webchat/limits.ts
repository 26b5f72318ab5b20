// Rate limits of the anonymous webchat socket. Per address: joins, messages, and new visitors' first
// messages (each makes a contact in every agent's mirror); IPv6 counted per /64, new visitors per /48
// (limits/address.ts). Per inbox: new visitors' first messages and new visitors' messages, an alarm for a
// flood that never holds a visitor with a history (her chat had a conversation when she joined): she is
// counted per address only, so she is served while new visitors wait. Counted in the database like the
// HTTP limits (limits/counters.ts), so every server process shares them; each frame costs one statement.
import { addressKey } from '../../limits/address';
import { handshakeFromEnv, type Handshake, type Limits } from '../../limits/config';
import type { RateCounters, Verdict } from '../../limits/counters';

/** Why a frame waits; the page words its notice by it. */
export type HeldBack = 'join' | 'newVisitor' | 'say';

export type WebchatVerdict = { ok: true } | { ok: false; retryAfterMs: number; reason: HeldBack };

/** Who is writing: a visitor with a history, a new visitor (no conversation when she joined), or a new
 *  visitor whose message would make her contact. */
export type Writer = 'returning' | 'new' | 'first';

function held(verdict: Verdict, reason: HeldBack): WebchatVerdict {
  return verdict.ok ? verdict : { ...verdict, reason };
}

export class WebchatLimits {
  constructor(
    private readonly counters: RateCounters,
    private readonly limits: Limits,
    /** Time and frames a socket gets to join (BANDEJA_HANDSHAKE_TIMEOUT_MS, BANDEJA_HANDSHAKE_MAX_FRAMES). */
    readonly handshake: Handshake = handshakeFromEnv(process.env),
  ) {}

  /** A join frame from `address`. */
  async join(address: string): Promise<WebchatVerdict> {
    return held(await this.counters.take('webchat-join-address', addressKey(address, 64), this.limits.webchatJoinPerAddress), 'join');
  }

  /** A message from `address` to the inbox. */
  async say(inboxId: string, address: string, writer: Writer): Promise<WebchatVerdict> {
    const l = this.limits;
    const steps = [{ bucket: 'webchat-say-address', key: addressKey(address, 64), limit: l.webchatSayPerAddress }];
    if (writer === 'first')
      steps.push(
        { bucket: 'webchat-new-address', key: addressKey(address, 48), limit: l.webchatNewVisitorsPerAddress },
        { bucket: 'webchat-new-inbox', key: inboxId, limit: l.webchatNewVisitorsPerInbox },
      );
    if (writer !== 'returning') steps.push({ bucket: 'webchat-say-inbox', key: inboxId, limit: l.webchatSayPerInbox });
    const verdict = await this.counters.takeChain(steps);
    if (verdict.ok) return verdict;
    // The page tells a visitor held back among new ones from one sending too fast from her address.
    return { ok: false, retryAfterMs: verdict.retryAfterMs, reason: verdict.step === 0 ? 'say' : 'newVisitor' };
  }
}
