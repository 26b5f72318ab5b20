// The Host implementation for Electron: secrets sealed with safeStorage (the OS keychain/DPAPI/libsecret),
// native notifications and the dock/taskbar badge.
import { app, Notification, safeStorage } from 'electron';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writePrivateFile } from '../../core/privateFile';
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

export function createElectronHost(dataDir: string): Host {
  return {
    kind: 'electron',
    dataDir,
    secrets: sealedSecrets(dataDir),
    notify(title, body) {
      if (Notification.isSupported()) new Notification({ title, body }).show();
    },
    setBadge(count) {
      app.setBadgeCount(count);
    },
  };
}
