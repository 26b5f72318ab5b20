// The client's settings file (<dataDir>/client/settings.json), written whole (privateFile.ts) so a crash
// mid-write leaves the previous settings, never half a file. One file per data folder: per device.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { DEFAULT_NOTIFICATION_SETTINGS, NotificationSettings, Session } from '../../src-shared/ipc';
import { writePrivateFile } from './privateFile';

/** The server chosen at the last sign-in on this device: later starts go straight to it (demo: the local
 *  demo server, which such a start runs again). */
export const RememberedServer = z.object({ url: z.string().url(), demo: z.boolean() });
export type RememberedServer = z.infer<typeof RememberedServer>;

export interface Settings {
  session: Session | null;
  server: RememberedServer | null;
  /** Which desktop notifications this device shows (ipc.ts NotificationSettings). */
  notifications: NotificationSettings;
}

export function settingsPath(dataDir: string): string {
  return join(dataDir, 'client', 'settings.json');
}

export function readSettings(dataDir: string): Settings {
  let raw: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(readFileSync(settingsPath(dataDir), 'utf8'));
    if (parsed && typeof parsed === 'object') raw = parsed as Record<string, unknown>;
  } catch {
    // Missing or unreadable settings are ignored rather than crashing the app: the defaults apply.
  }
  // Each part on its own: a bad notifications entry must not sign the person out, nor the reverse.
  const session = Session.nullable().safeParse(raw.session ?? null);
  const notifications = NotificationSettings.partial().safeParse(raw.notifications ?? {});
  const server = RememberedServer.nullable().safeParse(raw.server ?? null);
  return {
    session: session.success ? session.data : null,
    server: server.success ? server.data : null,
    notifications: { ...DEFAULT_NOTIFICATION_SETTINGS, ...(notifications.success ? notifications.data : {}) },
  };
}

export function writeSettings(dataDir: string, settings: Settings): void {
  writePrivateFile(settingsPath(dataDir), JSON.stringify(settings, null, 2));
}

/** Changes some settings and keeps the rest as they are on disk. */
export function updateSettings(dataDir: string, patch: Partial<Settings>): Settings {
  const next = { ...readSettings(dataDir), ...patch };
  writeSettings(dataDir, next);
  return next;
}
