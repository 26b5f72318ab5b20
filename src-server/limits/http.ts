// Rate limits on HTTP routes, with @fastify/rate-limit over the database counters (counters.ts). A limited
// request gets 429, Retry-After (seconds) and {error: {code: 'RATE_LIMITED', message, params: {retryAfterMs}}}.
import type { IncomingMessage } from 'node:http';
import proxyAddr from '@fastify/proxy-addr';
import rateLimit, { normalizeIP } from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorBody } from '../../src-shared/errors';
import type { Limit } from './config';
import { limitKey, rateLimitStore, type RateCounters } from './counters';

/** Fastify's `trustProxy`: true (any), a hop count, or addresses/CIDRs ("10.0.0.0/8,127.0.0.1"). */
export type TrustProxy = boolean | number | string;

/** BANDEJA_TRUST_PROXY: "true", a number of hops, or a comma-separated list of proxy addresses. */
export function trustProxyFromEnv(raw: string | undefined): TrustProxy | undefined {
  if (raw === undefined || raw.trim() === '' || raw === 'false') return undefined;
  if (raw === 'true') return true;
  if (/^\d+$/.test(raw)) return Number(raw);
  return raw;
}

/** Whether to believe the hop at `address` (i: its distance from us), for Fastify and for clientAddress(). */
export function trustFunction(trust: TrustProxy | undefined): (address: string, i: number) => boolean {
  if (trust === undefined || trust === false) return () => false;
  if (trust === true) return () => true;
  if (typeof trust === 'number') return (_address, i) => i < trust;
  return proxyAddr.compile(trust.split(',').map((s) => s.trim()));
}

/** The client's address of a raw request (the webchat socket's upgrade), as Fastify's request.ip is. */
export function clientAddress(request: IncomingMessage, trust: TrustProxy | undefined): string {
  return normalizeIP(proxyAddr(request, trustFunction(trust)));
}

export function rateLimitedBody(retryAfterMs: number, message: string): { error: ErrorBody } {
  return { error: { code: 'RATE_LIMITED', message, params: { retryAfterMs: String(retryAfterMs) } } };
}

export function sendRateLimited(reply: FastifyReply, retryAfterMs: number, message: string): FastifyReply {
  reply.header('retry-after', String(Math.max(1, Math.ceil(retryAfterMs / 1000))));
  return reply.code(429).send(rateLimitedBody(retryAfterMs, message));
}

export async function registerRateLimiting(app: FastifyInstance, counters: RateCounters): Promise<void> {
  await app.register(rateLimit, { global: false, store: rateLimitStore(counters) });
}

/** Counts a request against `limit` under `bucket`, keyed by keyOf (default the client's address).
 *  Resolves to null when within the limit, else to the ms until the window ends (send 429: sendRateLimited). */
export type HttpLimit = (request: FastifyRequest) => Promise<number | null>;

export function httpLimit(
  app: FastifyInstance,
  bucket: string,
  limit: Limit,
  keyOf: (request: FastifyRequest) => string = (request) => normalizeIP(request.ip),
): HttpLimit {
  const check = app.createRateLimit({
    max: limit.max,
    timeWindow: limit.windowMs,
    keyGenerator: (request) => limitKey(bucket, keyOf(request)),
  });
  return async (request) => {
    const result = await check(request);
    return result.isAllowed || !result.isExceeded ? null : Math.max(1, result.ttl);
  };
}
