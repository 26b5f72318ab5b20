// GET /healthz (the process answers: anyone may ask), /readyz and /metrics (operators only).
// Who is an operator: with BANDEJA_METRICS_TOKEN set, whoever sends `Authorization: Bearer <token>`;
// without it, only a caller on this machine (loopback) that came through no proxy (no X-Forwarded-For,
// Forwarded or X-Real-IP header), so a reverse proxy on the same host does not open them to the internet.
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ServerMetrics } from './metrics';
import type { Readiness } from './readiness';

export const OpsPaths = { health: '/healthz', ready: '/readyz', metrics: '/metrics' } as const;

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/;
const PROXY_HEADERS = ['x-forwarded-for', 'forwarded', 'x-real-ip'];

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Whether the caller may read /readyz and /metrics; answers 401/403 itself when not. */
export function operatorOnly(request: FastifyRequest, reply: FastifyReply, token: string | undefined): boolean {
  if (token) {
    const m = /^Bearer (.+)$/.exec(request.headers.authorization ?? '');
    if (m && sameSecret(m[1]!, token)) return true;
    void reply.code(401).header('www-authenticate', 'Bearer').send({ code: 'UNAUTHORIZED', message: 'Send the metrics token.' });
    return false;
  }
  const direct = LOOPBACK.test(request.socket.remoteAddress ?? '') && PROXY_HEADERS.every((h) => request.headers[h] === undefined);
  if (direct) return true;
  void reply.code(403).send({ code: 'FORBIDDEN', message: 'Only callers on this machine, or with BANDEJA_METRICS_TOKEN, may read this.' });
  return false;
}

/** The metrics token from the environment; an empty one is refused (it would look set and guard nothing). */
export function metricsTokenFromEnv(env: NodeJS.ProcessEnv): string | undefined {
  const token = env.BANDEJA_METRICS_TOKEN;
  if (token === undefined) return undefined;
  if (token.length < 16) throw new Error('BANDEJA_METRICS_TOKEN must be at least 16 characters.');
  return token;
}

export function registerOpsRoutes(
  app: FastifyInstance,
  deps: { metrics: ServerMetrics; readiness: Readiness; metricsToken: string | undefined },
): void {
  app.get(OpsPaths.health, async (_request, reply) => reply.header('cache-control', 'no-store').send({ ok: true }));
  app.get(OpsPaths.ready, async (request, reply) => {
    if (!operatorOnly(request, reply, deps.metricsToken)) return reply;
    const report = await deps.readiness.check();
    return reply
      .code(report.ready ? 200 : 503)
      .header('cache-control', 'no-store')
      .send(report);
  });
  app.get(OpsPaths.metrics, async (request, reply) => {
    if (!operatorOnly(request, reply, deps.metricsToken)) return reply;
    const { contentType, body } = await deps.metrics.text();
    return reply.header('content-type', contentType).header('cache-control', 'no-store').send(body);
  });
}
