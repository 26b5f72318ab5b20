// What the client core needs from the program hosting it (Electron or the headless Node host).
// Declared here, below the hosts, so the core never imports a host; src-main/host/types.ts re-exports it.
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
  /** A native notification (or its nearest equivalent). */
  notify(title: string, body: string): void;
  /** Count shown on the dock/taskbar icon; 0 clears it. */
  setBadge(count: number): void;
}
