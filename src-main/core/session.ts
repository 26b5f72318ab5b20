// Signing in: the login request, and where a session's token and mirror live.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { BandejaError, ErrorBody } from '../../src-shared/errors';
import { HealthResponse, LoginResponse, Paths } from '../../src-shared/http';
import { PROTOCOL_VERSION, SCHEMA_VERSION } from '../../src-shared/protocol';

const LOGIN_TIMEOUT_MS = 15_000;
/** The token of one session (server + user) is kept under a key of its own. Signing in writes the new
 *  token first and then the settings naming the session (one atomic file write), so a crash in between
 *  leaves the previous session whole — never one session's settings with another's token. */
export function tokenSecret(session: { serverUrl: string; user: { id: string } }): string {
  const key = createHash('sha256')
    .update(`${normalizeServerUrl(session.serverUrl)}\n${session.user.id}`)
    .digest('hex')
    .slice(0, 24);
  return `session-token:${key}`;
}

/** One spelling per server, so http://host:8787/ and http://host:8787 share a mirror. */
export function normalizeServerUrl(serverUrl: string): string {
  const url = new URL(serverUrl);
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

export function mirrorPath(dataDir: string, serverUrl: string, userId: string): string {
  const key = createHash('sha256')
    .update(`${normalizeServerUrl(serverUrl)}\n${userId}`)
    .digest('hex')
    .slice(0, 24);
  return join(dataDir, 'client', 'mirrors', `${key}.sqlite`);
}

export async function errorFrom(res: Response): Promise<ErrorBody | null> {
  try {
    const body = (await res.json()) as unknown;
    const direct = ErrorBody.safeParse(body);
    if (direct.success) return direct.data;
    const nested = ErrorBody.safeParse((body as { error?: unknown } | null)?.error);
    return nested.success ? nested.data : null;
  } catch {
    return null;
  }
}

function unreachable(url: string, e: unknown): BandejaError {
  const err = e as Error & { cause?: Error };
  return new BandejaError(
    'SERVER_UNREACHABLE',
    `Cannot reach the server at ${url} (${err.cause ? String(err.cause.message) : err.message}). Check the address and that the server is running.`,
  );
}

/** Asks the address whether it is a Bandeja server this app can talk to (GET /api/health), before any
 *  password is sent there. */
export async function checkServer(serverUrl: string): Promise<void> {
  const url = normalizeServerUrl(serverUrl);
  let res: Response;
  try {
    // Redirects are not followed: the password must go to the address the person typed, nowhere else.
    res = await fetch(url + Paths.health, { redirect: 'manual', signal: AbortSignal.timeout(LOGIN_TIMEOUT_MS) });
  } catch (e) {
    throw unreachable(url, e);
  }
  if (res.status >= 300 && res.status < 400) {
    const to = res.headers.get('location');
    throw new BandejaError(
      'NOT_A_BANDEJA_SERVER',
      `The address ${url} sends visitors elsewhere${to ? ` (${to})` : ''}. Enter the Bandeja server's own address.`,
    );
  }
  const health = HealthResponse.safeParse(res.ok ? await res.json().catch(() => null) : null);
  if (!health.success)
    throw new BandejaError(
      'NOT_A_BANDEJA_SERVER',
      `The address ${url} answers (HTTP ${res.status}), but not as a Bandeja server. Check the address with whoever runs your Bandeja server.`,
    );
  if (health.data.protocol !== PROTOCOL_VERSION || health.data.schema !== SCHEMA_VERSION)
    throw new BandejaError('PROTOCOL_MISMATCH', `The server at ${url} runs another version of Bandeja. Update the app (or the server).`);
}

/** How this device describes itself to the server when it signs in (admins see it in the user's sessions). */
export function deviceDescription(version: string, hostKind: string, platform: string): string {
  return `Bandeja/${version} (${hostKind}; ${platform})`;
}

export async function requestLogin(serverUrl: string, email: string, password: string, device?: string): Promise<LoginResponse> {
  const url = normalizeServerUrl(serverUrl) + Paths.login;
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(device ? { 'user-agent': device } : {}) },
      body: JSON.stringify({ email, password }),
      // A redirect would re-send the password to wherever it points.
      redirect: 'error',
      signal: AbortSignal.timeout(LOGIN_TIMEOUT_MS),
    });
  } catch (e) {
    throw unreachable(normalizeServerUrl(serverUrl), e);
  }
  if (res.status === 401) {
    const body = await errorFrom(res);
    throw new BandejaError('INVALID_CREDENTIALS', body?.message ?? 'Wrong email or password.');
  }
  if (!res.ok) {
    const body = await errorFrom(res);
    if (body) throw new BandejaError(body.code, body.message, body.params);
    throw new BandejaError('INTERNAL', `The server answered the sign-in with HTTP ${res.status}.`);
  }
  const parsed = LoginResponse.safeParse(await res.json().catch(() => null));
  if (!parsed.success) throw new BandejaError('INTERNAL', 'The server answered the sign-in with something unexpected.');
  return parsed.data;
}

/** Tells the server the token is no longer used. Best effort: signing out works offline too. */
export async function requestLogout(serverUrl: string, token: string): Promise<void> {
  try {
    await fetch(normalizeServerUrl(serverUrl) + Paths.logout, {
      method: 'POST',
      redirect: 'error',
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(2_000),
    });
  } catch {
    // Offline: the token simply stays valid on the server until it expires.
  }
}
