// An admin's view of a user's sign-in sessions: live server data over HTTP (src-server/auth/adminSessions.ts),
// never stored in the mirror, so it needs the server to be reachable.
import { BandejaError } from '../../src-shared/errors';
import { AdminSessionsResponse, Paths, type AdminSession } from '../../src-shared/http';
import { errorFrom } from './session';

const TIMEOUT_MS = 10_000;

async function call(serverUrl: string, token: string, path: string, method: 'GET' | 'DELETE'): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(new URL(path, serverUrl), {
      method,
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch {
    throw new BandejaError('SERVER_UNREACHABLE', 'Sessions are shown only while the server can be reached.');
  }
  if (!res.ok) {
    const body = await errorFrom(res);
    throw body
      ? new BandejaError(body.code, body.message, body.params)
      : new BandejaError('INTERNAL', `The server answered HTTP ${res.status}.`);
  }
  return res;
}

export async function listUserSessions(serverUrl: string, token: string, userId: string): Promise<AdminSession[]> {
  const res = await call(serverUrl, token, Paths.adminUserSessions(userId), 'GET');
  const parsed = AdminSessionsResponse.safeParse(await res.json().catch(() => null));
  if (!parsed.success) throw new BandejaError('INTERNAL', 'The server answered with something unexpected.');
  return parsed.data.sessions;
}

export async function endUserSession(serverUrl: string, token: string, sessionId: string): Promise<void> {
  await call(serverUrl, token, Paths.adminSession(sessionId), 'DELETE');
}
