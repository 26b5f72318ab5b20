// A headless Host for core tests: secrets in a file under the data folder, and what the core shows
// (notifications, dock/taskbar counts) kept in arrays the test reads.
import { join } from 'node:path';
import type { Host } from '../../src-main/core/host';
import { fileSecretStore } from '../../src-main/host/headless/host';
import type { DesktopNotification } from '../../src-shared/ipc';

export interface RecordingHost {
  host: Host;
  shown: DesktopNotification[];
  badges: number[];
}

/** `onBadge` runs after each count is kept (a test may make it throw). */
export function recordingHost(dataDir: string, onBadge?: (count: number) => void): RecordingHost {
  const shown: DesktopNotification[] = [];
  const badges: number[] = [];
  const host: Host = {
    kind: 'headless',
    dataDir,
    secrets: fileSecretStore(join(dataDir, 'client', 'secrets.json')),
    notify: (n) => shown.push(n),
    setBadge: (count) => {
      badges.push(count);
      onBadge?.(count);
    },
  };
  return { host, shown, badges };
}
