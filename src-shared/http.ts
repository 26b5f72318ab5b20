// The server's HTTP API used by client cores (not by customers).
import { z } from 'zod';
import { Tenant, User } from './domain';
import { email } from './values';

export const LoginRequest = z.object({ email, password: z.string().min(1).max(256) });
export type LoginRequest = z.infer<typeof LoginRequest>;

export const LoginResponse = z.object({ token: z.string(), user: User, tenant: Tenant });
export type LoginResponse = z.infer<typeof LoginResponse>;

/** GET /api/health: how a client tells a Bandeja server from any other web server before signing in. */
export const HealthResponse = z.object({ ok: z.literal(true), protocol: z.number().int(), schema: z.number().int() });
export type HealthResponse = z.infer<typeof HealthResponse>;
/** One sign-in session of a user, as an admin sees it (GET Paths.adminUserSessions). */
export const AdminSession = z.object({
  id: z.string(),
  /** The device's own description (its User-Agent: app, version, host kind, system). */
  device: z.string(),
  /** The device id of the first sync connection made with it; null until it connects. */
  clientId: z.string().nullable(),
  createdAt: z.number(),
  lastSeenAt: z.number(),
  /** The session the asking admin is using. */
  current: z.boolean(),
});
export type AdminSession = z.infer<typeof AdminSession>;
export const AdminSessionsResponse = z.object({ sessions: z.array(AdminSession) });

/** How long the server keeps an uploaded file that no message or snippet holds (src-server/blobs/gc.ts):
 *  a client counting an older upload as held uploads it again before sending (blobUploads.ts). */
export const BLOB_GRACE_MS = 24 * 3_600_000;

export const Paths = {
  login: '/api/login',
  logout: '/api/logout',
  health: '/api/health',
  /** GET (Bearer token of an admin): the user's live sessions. */
  adminUserSessions: (userId: string) => `/api/admin/users/${encodeURIComponent(userId)}/sessions`,
  /** DELETE (Bearer token of an admin): ends the session; its sockets are closed (4401). */
  adminSession: (sessionId: string) => `/api/admin/sessions/${encodeURIComponent(sessionId)}`,
  sync: '/sync',
  /** PUT (raw bytes, Content-Type = the attachment's mime, Bearer token): idempotent, checked against the
   *  sha256, size and type limits. GET (Bearer token): the bytes, for a user who may see a message holding it. */
  blob: (sha256: string) => `/blobs/${sha256}`,
  webchatPage: (slug: string) => `/webchat/${encodeURIComponent(slug)}`,
  webchatSocket: (slug: string) => `/webchat/${encodeURIComponent(slug)}/socket`,
} as const;
