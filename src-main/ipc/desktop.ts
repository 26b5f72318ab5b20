// The desktop shell's ops: windows of their own, saved layouts, start at login. The shell belongs to the
// host (Electron), whose main thread answers these ops (thread/launchInWorker.ts); a browser tab served
// by the headless host has none, and says so (the page then opens a tab itself).
import type { DesktopSettings } from '../../src-shared/ipc';
import { rendererErrorLine } from '../core/appLog';
import type { AreaHandlers } from './handlers';

export interface DesktopShell {
  /** Opens `route` (rules/route.ts) in a new window; false when this host has no windows of its own. */
  openWindow(route: string): boolean;
  settings(): DesktopSettings;
  setSettings(patch: { startAtLogin?: boolean }): DesktopSettings;
  /** Saves the windows open now (view and place on which monitor) as the layout restored at start. */
  saveLayout(): DesktopSettings;
  clearLayout(): DesktopSettings;
  /** Opens a file in the system's viewer (the log, for support); false where the host cannot. */
  openPath(path: string): boolean;
}

/** The app's log file as the desktop ops see it (core/appLog.ts). */
export interface SupportLog {
  path: string;
  /** Writes one renderer error line. */
  rendererError(line: string): void;
}

const BROWSER: DesktopSettings = { desktop: false, startAtLoginAvailable: false, startAtLogin: false, layoutWindows: 0 };

/** The headless host: no windows, layouts or login items of its own. */
export const browserShell: DesktopShell = {
  openWindow: () => false,
  settings: () => BROWSER,
  setSettings: () => BROWSER,
  saveLayout: () => BROWSER,
  clearLayout: () => BROWSER,
  openPath: () => false,
};

export function desktopHandlers(shell: DesktopShell, log?: SupportLog): AreaHandlers<'desktop.'> & AreaHandlers<'window.'> {
  return {
    'desktop.log.open': () => ({ opened: log ? shell.openPath(log.path) : false, path: log?.path ?? null }),
    'desktop.log.report': (args) => {
      log?.rendererError(rendererErrorLine(args));
      return { ok: true as const };
    },
    'window.open': (args) => ({ opened: shell.openWindow(args.route) }),
    'desktop.settings.get': () => shell.settings(),
    'desktop.settings.set': (args) => shell.setSettings(args),
    'desktop.layout.save': () => shell.saveLayout(),
    'desktop.layout.clear': () => shell.clearLayout(),
  };
}
