// The desktop shell behind the `window.open` and `desktop.*` ops: windows of their own, the saved
// layout and start at login, kept in electron-store (the core never sees any of it).
import { app, shell } from 'electron';
import Store from 'electron-store';
import type { DesktopSettings } from '../../../src-shared/ipc';
import type { DesktopShell } from '../../ipc/desktop';
import { shellStoreOptions, type ShellSettingsShape } from './shellSettings';
import type { AppWindows } from './windows';

export type ShellStore = Store<ShellSettingsShape>;

export function openShellStore(cwd: string): ShellStore {
  return new Store<ShellSettingsShape>(shellStoreOptions(cwd));
}

/** Electron lets an app start at login on macOS and Windows only. */
export const START_AT_LOGIN_AVAILABLE = process.platform === 'darwin' || process.platform === 'win32';

export function electronShell(store: ShellStore, windows: () => AppWindows | null): DesktopShell {
  const settings = (): DesktopSettings => ({
    desktop: true,
    startAtLoginAvailable: START_AT_LOGIN_AVAILABLE,
    startAtLogin: START_AT_LOGIN_AVAILABLE && store.get('startAtLogin'),
    layoutWindows: store.get('layout').length,
  });
  return {
    openWindow(route) {
      const w = windows();
      if (!w) return false;
      w.open(route);
      return true;
    },
    settings,
    setSettings(patch) {
      if (patch.startAtLogin !== undefined && START_AT_LOGIN_AVAILABLE) {
        app.setLoginItemSettings({ openAtLogin: patch.startAtLogin });
        store.set('startAtLogin', patch.startAtLogin);
      }
      return settings();
    },
    saveLayout() {
      const w = windows();
      if (w) store.set('layout', w.snapshot());
      return settings();
    },
    clearLayout() {
      store.set('layout', []);
      return settings();
    },
    openPath(path) {
      // Resolves with an error text when no viewer took it; the page has already been told it opened.
      void shell.openPath(path).then((problem) => problem && console.error(`The log could not be opened: ${problem}`));
      return true;
    },
  };
}

/** The system's login item follows the setting (it may have been changed in the system's own settings). */
export function syncLoginItem(store: ShellStore): void {
  if (!START_AT_LOGIN_AVAILABLE) return;
  store.set('startAtLogin', app.getLoginItemSettings().openAtLogin);
}
