// Admins see each user's sessions and end them, over HTTP (not the change log: sessions change with
// every use and matter only while the admin looks). GET Paths.adminUserSessions(userId) lists the live
// sessions of a user of the admin's tenant; DELETE Paths.adminSession(id) ends one and closes its
// sockets at once (4401), on this process; other processes close theirs at their next sweep.
import { Id } from '../../src-shared/domain';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AdminSession } from '../../src-shared/http';
import type { Db } from '../store/db';
import { getTenantUser, type UserWithTenant } from '../store/directory';
import { bearerToken, sendError } from './routes';
import { tokenHash, type Sessions } from './sessions';

async function admin(sessions: Sessions, request: FastifyRequest, reply: FastifyReply): Promise<UserWithTenant | null> {
  const token = bearerToken(request.headers.authorization);
  const user = token ? await sessions.userFor(token) : null;
  if (!user) {
    sendError(reply, 401, 'UNAUTHORIZED', 'Sign in again: send the session token as "Authorization: Bearer <token>".');
    return null;
  }
  if (user.role !== 'admin') {
    sendError(reply, 403, 'FORBIDDEN', 'Only administrators see and end sessions.');
    return null;
  }
  return user;
}

export function registerAdminSessionRoutes(
  app: FastifyInstance,
  db: Db,
  sessions: Sessions,
  closeSockets: (tokenHash: string) => void,
): void {
  app.get<{ Params: { userId: string } }>('/api/admin/users/:userId/sessions', async (request, reply) => {
    const me = await admin(sessions, request, reply);
    if (!me) return reply;
    // A user of another tenant, or an id no user could have (a NUL in it), answers like one that does not exist.
    const user = Id.safeParse(request.params.userId).success ? await getTenantUser(db, me.tenantId, request.params.userId) : null;
    if (!user) return sendError(reply, 404, 'NOT_FOUND', 'There is no such user.');
    const mine = tokenHash(bearerToken(request.headers.authorization)!);
    const list: AdminSession[] = (await sessions.listForUser(user.id)).map((s) => ({
      id: s.id,
      device: s.device,
      clientId: s.clientId,
      createdAt: s.createdAt,
      lastSeenAt: s.lastSeenAt,
      current: s.tokenHash === mine,
    }));
    return reply.send({ sessions: list });
  });

  app.delete<{ Params: { sessionId: string } }>('/api/admin/sessions/:sessionId', async (request, reply) => {
    const me = await admin(sessions, request, reply);
    if (!me) return reply;
    const session = Id.safeParse(request.params.sessionId).success ? await sessions.byId(request.params.sessionId) : null;
    const owner = session ? await getTenantUser(db, me.tenantId, session.userId) : null;
    if (!session || !owner) return sendError(reply, 404, 'NOT_FOUND', 'This session has ended already.');
    const ended = await sessions.end(session.id);
    if (ended) closeSockets(ended);
    return reply.send({ ok: true });
  });
}
