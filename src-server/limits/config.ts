// Every rate limit the server applies, with safe defaults. Each is "at most `max` in `windowMs`";
// startServer({ limits }) and BANDEJA_LIMIT_<NAME>=<max>/<window> (e.g. BANDEJA_LIMIT_LOGIN_PER_ADDRESS=600/1m)
// set others. Per-address limits are generous: a whole call center may reach the server from one address.

export interface Limit {
  max: number;
  windowMs: number;
}

export const DEFAULT_LIMITS = {
  /** Every login request from one address (300 agents signing in at the start of a shift must all get in). */
  loginPerAddress: { max: 600, windowMs: 60_000 },
  /** Sign-in attempts per email from one address since the last success: guessing from one place is slowed
   *  down, while the person signing in from her own address is not locked out by someone else's guesses. */
  loginFailuresPerAccountAddress: { max: 10, windowMs: 15 * 60_000 },
  /** Sign-in attempts per email from everywhere since the last success: a ceiling for guesses spread over
   *  many addresses, high enough that a few strangers cannot keep the person out. */
  loginFailuresPerAccount: { max: 100, windowMs: 15 * 60_000 },
  /** Invitation page views and accepts from one address. */
  invitePerAddress: { max: 120, windowMs: 10 * 60_000 },
  /** Accepts of one invitation link. */
  invitePerToken: { max: 10, windowMs: 10 * 60_000 },
  /** Webchat join frames (new and returning visitors) from one address (an IPv6 address: its /64). A join
   *  makes nothing: a visitor's contact is made by her first message. */
  webchatJoinPerAddress: { max: 120, windowMs: 60_000 },
  /** New webchat visitors' first messages (each makes a contact in every agent's mirror) from one address
   *  (an IPv6 address: its /48, what one site gets). */
  webchatNewVisitorsPerAddress: { max: 20, windowMs: 10 * 60_000 },
  /** New webchat visitors' first messages to one inbox, from everywhere. Visitors with a history (their
   *  chat had a conversation when they joined) never count against it nor wait for it. */
  webchatNewVisitorsPerInbox: { max: 200, windowMs: 60_000 },
  /** Webchat messages from one address (an IPv6 address: its /64). */
  webchatSayPerAddress: { max: 120, windowMs: 60_000 },
  /** Messages of new webchat visitors to one inbox, from everywhere (visitors with a history are not held by it). */
  webchatSayPerInbox: { max: 3000, windowMs: 60_000 },
  /** Upload requests without a valid session from one address (cheap: refused before any file is read).
   *  Signed-in uploads are counted per account only, so one host behind a shared address cannot spend
   *  the others' uploads. */
  uploadUnauthenticatedPerAddress: { max: 600, windowMs: 60_000 },
  /** File uploads by one account. */
  uploadPerAccount: { max: 120, windowMs: 60_000 },
} satisfies Record<string, Limit>;

export type LimitName = keyof typeof DEFAULT_LIMITS;
export type Limits = Record<LimitName, Limit>;

export const LIMIT_NAMES = Object.keys(DEFAULT_LIMITS) as LimitName[];

/** loginPerAddress -> BANDEJA_LIMIT_LOGIN_PER_ADDRESS */
export function limitEnvName(name: LimitName): string {
  return `BANDEJA_LIMIT_${name.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** "600/1m", "5/30s", "10/900000ms" (a bare number is milliseconds). */
export function parseLimit(text: string): Limit | null {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*(ms|s|m|h)?\s*$/.exec(text);
  if (!m) return null;
  const max = Number(m[1]);
  const windowMs = Number(m[2]) * UNIT_MS[m[3] ?? 'ms']!;
  if (!Number.isSafeInteger(max) || !Number.isSafeInteger(windowMs) || windowMs <= 0) return null;
  return { max, windowMs };
}

/** Defaults, overridden by the environment, overridden by the options. A malformed variable is an error. */
export function resolveLimits(env: NodeJS.ProcessEnv, given: Partial<Limits> = {}): Limits {
  const limits = { ...DEFAULT_LIMITS } as Limits;
  for (const name of LIMIT_NAMES) {
    const raw = env[limitEnvName(name)];
    if (raw !== undefined && raw !== '') {
      const parsed = parseLimit(raw);
      if (!parsed) throw new Error(`${limitEnvName(name)} must look like 600/1m (at most 600 per minute), not "${raw}".`);
      limits[name] = parsed;
    }
    if (given[name]) limits[name] = given[name];
  }
  return limits;
}

/** How long a new socket (/sync, the webchat socket) may take to say hello / join, and how many frames it
 *  may send before that; past either it is closed with 1008. BANDEJA_HANDSHAKE_TIMEOUT_MS and
 *  BANDEJA_HANDSHAKE_MAX_FRAMES set others. */
export interface Handshake {
  timeoutMs: number;
  maxFrames: number;
}

export const DEFAULT_HANDSHAKE: Handshake = { timeoutMs: 15_000, maxFrames: 4 };

export function handshakeFromEnv(env: NodeJS.ProcessEnv): Handshake {
  const read = (name: string, fallback: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isSafeInteger(n) || n < 1) throw new Error(`${name} must be a positive whole number, not "${raw}".`);
    return n;
  };
  return {
    timeoutMs: read('BANDEJA_HANDSHAKE_TIMEOUT_MS', DEFAULT_HANDSHAKE.timeoutMs),
    maxFrames: read('BANDEJA_HANDSHAKE_MAX_FRAMES', DEFAULT_HANDSHAKE.maxFrames),
  };
}
