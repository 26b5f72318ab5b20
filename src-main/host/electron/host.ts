// The Host implementation for Electron: secrets sealed with safeStorage (the OS keychain/DPAPI/libsecret),
// native notifications and the dock/taskbar badge.
import { app, Notification, powerMonitor, safeStorage } from 'electron';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writePrivateFile } from '../../core/privateFile';
import type { DesktopNotification } from '../../../src-shared/ipc';
import type { Host, SecretStore } from '../types';

function sealedSecrets(dataDir: string): SecretStore {
  const file = join(dataDir, 'client', 'secrets.electron.json');
  const readAll = (): Record<string, string> => {
    try {
      return JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
    } catch {
      return {};
    }
  };
  const writeAll = (all: Record<string, string>) => writePrivateFile(file, JSON.stringify(all));
  return {
    async get(key) {
      const sealed = readAll()[key];
      if (!sealed) return null;
      try {
        return safeStorage.decryptString(Buffer.from(sealed, 'base64'));
      } catch {
        // Sealed by another OS user or keychain: treat as absent, the person signs in again.
        return null;
      }
    },
    async set(key, value) {
      // Without OS encryption (some Linux desktops) the token is not written at all: sign-in lasts the session.
      if (!safeStorage.isEncryptionAvailable()) return;
      writeAll({ ...readAll(), [key]: safeStorage.encryptString(value).toString('base64') });
    },
    async delete(key) {
      const all = readAll();
      delete all[key];
      writeAll(all);
    },
  };
}

export interface ElectronHostOptions {
  /** A notification was clicked: open its conversation (main.ts emits `app.open` and shows a window). */
  onNotificationClick?: (notification: DesktopNotification) => void;
  /** The count on the dock/taskbar changed: the tray shows it too. */
  onBadge?: (count: number) => void;
  /** Asks an open window to play the app's chime (assets/); false when no window can, and the system's
   *  own notification sound plays instead. */
  playChime?: () => boolean;
}

export function createElectronHost(dataDir: string, opts: ElectronHostOptions = {}): Host {
  // Shown notifications by tag: a new one with the same tag replaces the last (one grouped toast, not a
  // pile), and holding them keeps their click handlers from being garbage-collected.
  const shownByTag = new Map<string, Notification>();
  return {
    kind: 'electron',
    dataDir,
    secrets: sealedSecrets(dataDir),
    notify(n) {
      if (!Notification.isSupported()) return;
      const chimed = n.sound && (opts.playChime?.() ?? false);
      const shown = new Notification({ title: n.title, body: n.body, silent: !n.sound || chimed });
      shown.on('click', () => opts.onNotificationClick?.(n));
      shown.on('close', () => {
        if (shownByTag.get(n.tag) === shown) shownByTag.delete(n.tag);
      });
      shownByTag.get(n.tag)?.close();
      shownByTag.set(n.tag, shown);
      shown.show();
    },
    onWake(listener) {
      // A laptop waking up: timers slept with it, and the clock may have moved.
      powerMonitor.on('resume', listener);
      return () => powerMonitor.off('resume', listener);
    },
    setBadge(count) {
      // macOS dock and Unity launchers; Windows has no count badge (the tray and the title say it).
      app.setBadgeCount(count);
      opts.onBadge?.(count);
    },
  };
}
