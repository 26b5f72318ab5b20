// POST /api/login, POST /api/logout.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { Paths, LoginRequest, type LoginResponse } from '../../src-shared/http';
import type { ErrorCode } from '../../src-shared/errors';
import type { Db } from '../store/db';
import { findLogin, publicUser } from '../store/directory';
import { getTenant } from '../store/tenants';
import { dummyHash, verifyPassword } from './passwords';
import { createSession, deleteSession } from './sessions';

export function sendError(reply: FastifyReply, status: number, code: ErrorCode, message: string): FastifyReply {
  return reply.code(status).send({ error: { code, message } });
}

export function bearerToken(header: string | undefined): string | null {
  const m = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  return m ? m[1]! : null;
}

export function registerAuthRoutes(app: FastifyInstance, db: Db, onLogout: (token: string) => void): void {
  app.post(Paths.login, async (request, reply) => {
    const parsed = LoginRequest.safeParse(request.body);
    if (!parsed.success) return sendError(reply, 400, 'INVALID_ARGS', 'Enter an email address and a password.');
    const { email, password } = parsed.data;
    const user = await findLogin(db, email);
    // Unknown emails cost the same scrypt work, so response times do not reveal who has an account.
    // Invited people have no password until they follow their link: nothing matches.
    const ok = await verifyPassword(password, user?.passwordHash ?? (await dummyHash()));
    if (!user || !user.passwordHash || !ok) return sendError(reply, 401, 'INVALID_CREDENTIALS', 'Email or password is incorrect.');
    if (!user.active) return sendError(reply, 403, 'FORBIDDEN', 'This account is deactivated. Ask an administrator to turn it back on.');
    const tenant = await getTenant(db, user.tenantId);
    if (!tenant) return sendError(reply, 500, 'INTERNAL', 'The account has no tenant.');
    const token = await createSession(db, user.id, Date.now());
    const { passwordHash: _h, ...withTenant } = user;
    const body: LoginResponse = { token, user: publicUser(withTenant), tenant: { id: tenant.id, name: tenant.name } };
    return reply.send(body);
  });

  app.post(Paths.logout, async (request, reply) => {
    const token = bearerToken(request.headers.authorization);
    if (!token) return sendError(reply, 401, 'UNAUTHORIZED', 'Send the session token as "Authorization: Bearer <token>".');
    await deleteSession(db, token);
    onLogout(token);
    return reply.send({ ok: true });
  });
}
