// The headless Host: secrets in a 0600 file; notifications go to the renderer as the `notification.show`
// IPC event (the page shows a web Notification and opens the conversation when it is clicked).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writePrivateFile } from '../../core/privateFile';
import type { DesktopNotification } from '../../../src-shared/ipc';
import type { IpcEventEmitter } from '../../ipc/events';
import type { Host, SecretStore } from '../types';

export function secretsPath(dataDir: string): string {
  return join(dataDir, 'client', 'secrets.json');
}

/** A JSON file only this OS user may read. Without Electron there is no OS keychain to lean on. */
export function fileSecretStore(path: string): SecretStore {
  function load(): Record<string, string> {
    try {
      return JSON.parse(readFileSync(path, 'utf8')) as Record<string, string>;
    } catch {
      return {};
    }
  }
  function save(all: Record<string, string>): void {
    writePrivateFile(path, JSON.stringify(all));
  }
  return {
    get: async (key) => load()[key] ?? null,
    set: async (key, value) => save({ ...load(), [key]: value }),
    delete: async (key) => {
      const all = load();
      delete all[key];
      save(all);
    },
  };
}

export interface HeadlessHost extends Host {
  /** Where notifications go as `notification.show` events. Those raised before (a reminder that came due
   *  while the app was closed fires during start-up) are handed over now. */
  showNotificationsOn(events: IpcEventEmitter): void;
}

/** Notifications kept while nothing shows them; the oldest go first past this many. */
const KEPT_NOTIFICATIONS = 50;

export function createHeadlessHost(dataDir: string, log: (message: string) => void = console.error): HeadlessHost {
  let target: IpcEventEmitter | null = null;
  const kept: DesktopNotification[] = [];
  return {
    kind: 'headless',
    dataDir,
    secrets: fileSecretStore(secretsPath(dataDir)),
    notify(n) {
      // Its title and body are a customer's name and words: only that one was shown goes to the log.
      log(`notification shown (conversation ${n.conversationId ?? 'none'})`);
      if (target) target.emit('notification.show', n);
      else if (kept.push(n) > KEPT_NOTIFICATIONS) kept.shift();
    },
    showNotificationsOn(events) {
      target = events;
      for (const n of kept.splice(0)) events.emit('notification.show', n);
    },
    // A browser tab has no dock icon; the UI shows its own counters.
    setBadge: () => {},
  };
}
