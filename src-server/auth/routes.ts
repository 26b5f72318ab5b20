// POST /api/login, POST /api/logout. Login is rate limited per address (every well-formed request), per account and
// address, and per account (attempts since the last success), and never tells an unknown, invited or deactivated account from a
// wrong password: the same answer after the same scrypt work.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { Paths, LoginRequest, type LoginResponse } from '../../src-shared/http';
import type { ErrorCode } from '../../src-shared/errors';
import type { Limits } from '../limits/config';
import type { RateCounters } from '../limits/counters';
import { httpLimit, sendRateLimited } from '../limits/http';
import { normalizeIP } from '@fastify/rate-limit';
import type { Db } from '../store/db';
import { findLogin, publicUser } from '../store/directory';
import { getTenant } from '../store/tenants';
import { dummyHash, verifyPassword } from './passwords';
import { deviceLabel, type Sessions } from './sessions';

export interface AuthDeps {
  db: Db;
  sessions: Sessions;
  limits: Limits;
  counters: RateCounters;
  onLogout: (token: string) => void;
}

const LOGIN_ACCOUNT_BUCKET = 'login-account';
const LOGIN_ACCOUNT_ADDRESS_BUCKET = 'login-account-address';

export function sendError(reply: FastifyReply, status: number, code: ErrorCode, message: string): FastifyReply {
  return reply.code(status).send({ error: { code, message } });
}

export function bearerToken(header: string | undefined): string | null {
  const m = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  return m ? m[1]! : null;
}

export function registerAuthRoutes(app: FastifyInstance, deps: AuthDeps): void {
  const { db, sessions, limits, counters, onLogout } = deps;
  const perAddress = httpLimit(app, 'login-address', limits.loginPerAddress);
  app.post(Paths.login, async (request, reply) => {
    // A body that fails validation costs no password check: it is answered at once and spends nothing of
    // the address's budget (one host behind a call center's shared address must not use up the floor's).
    const parsed = LoginRequest.safeParse(request.body);
    if (!parsed.success) return sendError(reply, 400, 'INVALID_ARGS', 'Enter an email address and a password.');
    const wait = await perAddress(request);
    if (wait !== null) return sendRateLimited(reply, wait, 'Too many sign-in attempts from this network. Try again later.');
    const { email, password } = parsed.data;
    // Counted before the password is checked, so a burst of parallel guesses gets no more than the limit;
    // a success clears it. Unknown emails are counted too: the answer never tells who has an account.
    // Per account and address first: guesses from elsewhere never use up the person's own address's attempts.
    const account = email.toLowerCase();
    const accountAddress = `${account} ${normalizeIP(request.ip)}`;
    for (const [bucket, key, limit] of [
      [LOGIN_ACCOUNT_ADDRESS_BUCKET, accountAddress, limits.loginFailuresPerAccountAddress],
      [LOGIN_ACCOUNT_BUCKET, account, limits.loginFailuresPerAccount],
    ] as const) {
      const attempt = await counters.take(bucket, key, limit);
      if (!attempt.ok)
        return sendRateLimited(reply, attempt.retryAfterMs, 'Too many failed sign-in attempts for this account. Try again later.');
    }
    const user = await findLogin(db, email);
    // Unknown emails cost the same scrypt work, so response times do not reveal who has an account.
    // Invited people have no password until they follow their link: nothing matches. A deactivated
    // account answers exactly like a wrong password.
    const ok = await verifyPassword(password, user?.passwordHash ?? (await dummyHash()));
    if (!user || !user.passwordHash || !ok || !user.active)
      return sendError(reply, 401, 'INVALID_CREDENTIALS', 'Email or password is incorrect.');
    await counters.clear(LOGIN_ACCOUNT_ADDRESS_BUCKET, accountAddress);
    await counters.clear(LOGIN_ACCOUNT_BUCKET, account);
    const tenant = await getTenant(db, user.tenantId);
    if (!tenant) return sendError(reply, 500, 'INTERNAL', 'The account has no tenant.');
    const token = await sessions.create(user.id, deviceLabel(request.headers['user-agent']));
    const { passwordHash: _h, ...withTenant } = user;
    const body: LoginResponse = { token, user: publicUser(withTenant), tenant: { id: tenant.id, name: tenant.name } };
    return reply.send(body);
  });

  app.post(Paths.logout, async (request, reply) => {
    const token = bearerToken(request.headers.authorization);
    if (!token) return sendError(reply, 401, 'UNAUTHORIZED', 'Send the session token as "Authorization: Bearer <token>".');
    await sessions.delete(token);
    onLogout(token);
    return reply.send({ ok: true });
  });
}
