// Electron entry point: one instance, the shared launcher (embedded server + core), the window,
// and the IPC contract wired to ipcMain. Bundled by scripts/build-main.mjs into dist/main.
import { app, BrowserWindow, ipcMain, session } from 'electron';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { IPC_CHANNEL_PREFIX, IPC_OPS } from '../../../src-shared/ipc';
import { FlagError, launch, type Launched } from '../../launch';
import { electronLaunchArgs } from './args';
import { createElectronHost } from './host';
import { createMainWindow } from './window';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const preload = here('./preload.cjs');
const indexHtml = here('../renderer/index.html');
const icon = here('../../assets/icon.png');

// `npm start` runs from the source tree with node_modules built for Node; use the addon built for Electron.
const devSqlite = here(`../native/electron-${process.versions.electron}/better_sqlite3.node`);
if (!app.isPackaged && !process.env.BANDEJA_SQLITE_BINDING && existsSync(devSqlite)) process.env.BANDEJA_SQLITE_BINDING = devSqlite;

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  let launched: Launched | null = null;
  let window: BrowserWindow | null = null;

  const showWindow = () => {
    if (!window || window.isDestroyed()) window = createMainWindow({ preload, indexHtml, icon });
    if (window.isMinimized()) window.restore();
    window.focus();
  };

  app.on('second-instance', showWindow);

  app.whenReady().then(async () => {
    // No web permissions by default; features that need one (microphone, notifications) opt in here.
    session.defaultSession.setPermissionRequestHandler((_wc, permission, callback) =>
      callback(permission === 'notifications' || permission === 'media'),
    );
    try {
      launched = await launch({
        argv: electronLaunchArgs(process.argv.slice(app.isPackaged ? 1 : 2)),
        env: { ...process.env, BANDEJA_DATA_DIR: process.env.BANDEJA_DATA_DIR ?? app.getPath('userData') },
        makeHost: createElectronHost,
        log: (line) => console.error(line),
      });
    } catch (e) {
      console.error(e instanceof FlagError ? e.message : `Bandeja could not start: ${String(e)}`);
      app.exit(e instanceof FlagError ? 2 : 1);
      return;
    }
    const { dispatch, events } = launched;
    for (const op of IPC_OPS) {
      ipcMain.handle(`${IPC_CHANNEL_PREFIX}${op}`, (event, args: unknown) => {
        // Only our own page may call the core.
        if (!event.senderFrame?.url.startsWith('file://')) return { ok: false, error: { code: 'FORBIDDEN', message: 'Unknown caller.' } };
        return dispatch(op, args);
      });
    }
    events.onAny((name, payload) => {
      for (const win of BrowserWindow.getAllWindows()) win.webContents.send(`${IPC_CHANNEL_PREFIX}event:${name}`, payload);
    });
    showWindow();
    app.on('activate', showWindow);
  });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  let closing = false;
  app.on('will-quit', (event) => {
    if (!launched || closing) return;
    closing = true;
    event.preventDefault();
    void launched.close().finally(() => app.exit(0));
  });
}
