// The headless Host: secrets in a 0600 file, notifications and badge on the console.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writePrivateFile } from '../../core/privateFile';
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

export function createHeadlessHost(dataDir: string, log: (message: string) => void = console.error): Host {
  return {
    kind: 'headless',
    dataDir,
    secrets: fileSecretStore(secretsPath(dataDir)),
    notify: (title, body) => log(`notification: ${title}: ${body}`),
    // A browser tab has no dock icon; the UI shows its own counters.
    setBadge: () => {},
  };
}
