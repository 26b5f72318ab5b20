// What the client core needs from the program hosting it (Electron or the headless Node host).
// Declared here, below the hosts, so the core never imports a host; src-main/host/types.ts re-exports it.
import type { DesktopNotification } from '../../src-shared/ipc';

export interface SecretStore {
  get(key: string): Promise<string | null>;
  set(key: string, value: string): Promise<void>;
  delete(key: string): Promise<void>;
}

export interface Host {
  kind: 'electron' | 'headless';
  /** Root data folder; the client keeps its files under `<dataDir>/client`. */
  dataDir: string;
  secrets: SecretStore;
  /** A desktop notification, shown even when every window is hidden. Notifications with the same `tag`
   *  replace each other. Clicking one opens `conversationId` (the host emits the `app.open` IPC event;
   *  the headless host hands it to the renderer as `notification.show`, which shows it and does that). */
  notify(notification: DesktopNotification): void;
  /** Count shown on the dock/taskbar icon (and the tray); 0 clears it. */
  setBadge(count: number): void;
  /** Calls `listener` when the system resumed from sleep or its clock was changed, so the core re-arms
   *  its timers at once (Electron: powerMonitor). Optional: without it the core still looks at the wall
   *  clock periodically. Returns the function that stops listening. */
  onWake?(listener: () => void): () => void;
}
