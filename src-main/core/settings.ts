// The client's settings file (<dataDir>/client/settings.json), written whole (privateFile.ts) so a crash
// mid-write leaves the previous settings, never half a file.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { Session } from '../../src-shared/ipc';
import { writePrivateFile } from './privateFile';

const Settings = z.object({ session: Session.nullable().default(null) });
export type Settings = z.infer<typeof Settings>;

export function settingsPath(dataDir: string): string {
  return join(dataDir, 'client', 'settings.json');
}

export function readSettings(dataDir: string): Settings {
  let raw: string;
  try {
    raw = readFileSync(settingsPath(dataDir), 'utf8');
  } catch {
    return { session: null };
  }
  // Unreadable settings are ignored rather than crashing the app: the person signs in again.
  try {
    const parsed = Settings.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : { session: null };
  } catch {
    return { session: null };
  }
}

export function writeSettings(dataDir: string, settings: Settings): void {
  writePrivateFile(settingsPath(dataDir), JSON.stringify(settings, null, 2));
}
