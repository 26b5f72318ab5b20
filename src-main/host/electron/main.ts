// Electron entry point: one instance (a second launch hands over its bandeja:// link and quits), the
// shared launcher (embedded server + core, on their own thread), the windows, the tray, native
// notifications, and the IPC contract wired to ipcMain. Bundled by scripts/build-main.mjs into dist/main.
import { app, dialog, ipcMain, session } from 'electron';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Presence } from '../../../src-shared/domain';
import { openAppLog, type AppLog } from '../../core/appLog';
import { IPC_CHANNEL_PREFIX, IPC_OPS, type IpcResult } from '../../../src-shared/ipc';
import { deepLinkFromArgv, parseDeepLink, type DeepLink } from '../../../src-shared/rules/deepLink';
import { FlagError, parseLaunchFlags } from '../../flags';
import type { Launched } from '../../launch';
import { launchInWorker } from '../../thread/launchInWorker';
import { appPageCheck } from './appPage';
import { electronLaunchArgs } from './args';
import { createElectronHost } from './host';
import { electronShell, openShellStore, syncLoginItem } from './shell';
import { createTray, type AppTray } from './tray';
import { stoppedNotice, trayLang } from './trayMenu';
import { AppWindows } from './windows';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const preload = here('./preload.cjs');
const indexHtml = here('../renderer/index.html');
const isAppPage = appPageCheck(indexHtml);
const icon = here('../../assets/icon.png');
const trayIcon = here('../../assets/tray-32.png');
// The core's thread (src-main/thread/worker.ts), bundled beside this file.
const coreWorker = new URL('./core-worker.mjs', import.meta.url);

// `npm start` runs from the source tree with node_modules built for Node; use the addon built for Electron.
// Set before the core's thread starts: it gets this environment.
const devSqlite = here(`../native/electron-${process.versions.electron}/better_sqlite3.node`);
if (!app.isPackaged && !process.env.BANDEJA_SQLITE_BINDING && existsSync(devSqlite)) process.env.BANDEJA_SQLITE_BINDING = devSqlite;

/** bandeja:// links open this app. Run as `electron .`, the system must be told which folder to start. */
function registerProtocol(): void {
  if (process.defaultApp && process.argv[1]) app.setAsDefaultProtocolClient('bandeja', process.execPath, [resolve(process.argv[1])]);
  else app.setAsDefaultProtocolClient('bandeja');
}

if (!app.requestSingleInstanceLock()) {
  // The first instance receives our argv (and its link) in 'second-instance'.
  app.quit();
} else {
  let launched: Launched | null = null;
  let windows: AppWindows | null = null;
  let tray: AppTray | null = null;
  let waiting = 0;
  let appLog: AppLog | null = null;
  // A link that arrived before the windows exist (the first launch's own argv, macOS open-url at launch).
  let pendingLink: DeepLink | null = deepLinkFromArgv(process.argv);

  // Until the core is up and the first windows are open, a link waits (opening a window earlier would
  // race the saved layout).
  let started = false;
  const openLink = (link: DeepLink) => {
    if (windows && started) windows.openConversation(link.conversationId, link.messageId);
    else pendingLink = link;
  };

  app.on('second-instance', (_event, argv) => {
    const link = deepLinkFromArgv(argv);
    if (link) openLink(link);
    else if (started) windows?.showMain();
  });
  // macOS hands links to the running app (and at launch) through open-url, never through argv.
  app.on('open-url', (event, url) => {
    event.preventDefault();
    const link = parseDeepLink(url);
    if (link) openLink(link);
  });

  const refreshPresence = async () => {
    if (!launched || !tray) return;
    const current = await launched.dispatch('session.get', {});
    const me = current.ok ? (current.result as IpcResult<'session.get'>) : null;
    if (!me) return tray.update({ presence: null });
    const directory = await launched.dispatch('directory.get', {});
    const users = directory.ok ? (directory.result as IpcResult<'directory.get'>).users : [];
    tray.update({ presence: users.find((u) => u.id === me.user.id)?.presence ?? null });
  };

  app.whenReady().then(async () => {
    registerProtocol();
    // No web permissions by default; features that need one (microphone, notifications) opt in here.
    session.defaultSession.setPermissionRequestHandler((_wc, permission, callback) =>
      callback(permission === 'notifications' || permission === 'media'),
    );
    const argv = electronLaunchArgs(process.argv.slice(app.isPackaged ? 1 : 2));
    const env = { ...process.env, BANDEJA_DATA_DIR: process.env.BANDEJA_DATA_DIR ?? app.getPath('userData') };
    try {
      const flags = parseLaunchFlags(argv, env);
      // Main, the core's thread and the renderers' errors, in one rotating file the user menu opens.
      appLog = openAppLog(flags.dataDir, { echo: (line) => console.error(line) });
      const log = appLog.lines('main');
      const store = openShellStore(join(flags.dataDir, 'client'));
      syncLoginItem(store);
      windows = new AppWindows({
        preload,
        indexHtml,
        icon,
        memory: () => store.get('windowMemory'),
        remember: (memory) => store.set('windowMemory', memory),
      });
      launched = await launchInWorker({
        argv,
        env,
        workerModule: coreWorker,
        onCrash: (e) => {
          // Logged already. Windows without their core would answer nothing: say so and quit.
          const notice = stoppedNotice(trayLang(flags.lang ?? app.getLocale()));
          dialog.showErrorBox(notice.title, `${notice.body}\n\n${e.message}`);
          app.exit(1);
        },
        shell: electronShell(store, () => windows),
        makeHost: (dataDir) =>
          createElectronHost(dataDir, {
            onNotificationClick: (n) => (n.conversationId ? windows?.openConversation(n.conversationId, n.messageId) : windows?.showMain()),
            onBadge: (count) => {
              waiting = count;
              tray?.update({ waiting: count });
            },
            playChime: () => {
              const win = windows?.anyOpen();
              if (!win || !windows) return false;
              windows.sendTo(win, 'notification.sound', {});
              return true;
            },
          }),
        log,
        coreLog: appLog.lines('core'),
        supportLog: { path: appLog.path, rendererError: appLog.lines('renderer', 'error') },
      });
      const { dispatch, events } = launched;
      for (const op of IPC_OPS) {
        ipcMain.handle(`${IPC_CHANNEL_PREFIX}${op}`, (event, args: unknown) => {
          // Only the app's own page may call the core (not another file://, data: or web page).
          if (!isAppPage(event.senderFrame?.url)) return { ok: false, error: { code: 'FORBIDDEN', message: 'Unknown caller.' } };
          return dispatch(op, args);
        });
      }
      let presenceTimer: NodeJS.Timeout | null = null;
      events.onAny((name, payload) => {
        for (const win of windows?.list() ?? []) win.webContents.send(`${IPC_CHANNEL_PREFIX}event:${name}`, payload);
        // The directory (my presence) may have changed: the tray follows, at most once a second.
        if (name === 'mirror.changed' && !presenceTimer)
          presenceTimer = setTimeout(() => ((presenceTimer = null), void refreshPresence()), 1000);
      });
      windows.openAtStart(store.get('layout'));
      started = true;
      if (pendingLink) openLink(pendingLink);
      pendingLink = null;
      try {
        tray = createTray({
          iconPath: trayIcon,
          lang: trayLang(flags.lang ?? app.getLocale()),
          onShow: () => windows?.showMain(),
          onQuit: () => app.quit(),
          onPresence: (presence: Presence) => {
            tray?.update({ presence });
            void dispatch('presence.set', { presence });
          },
        });
        tray.update({ waiting });
        void refreshPresence();
      } catch (e) {
        // Some Linux desktops have no tray: the app still works, and quits with its last window.
        log(`No tray icon: ${String(e)}`);
      }
      app.on('activate', () => windows?.showMain());
    } catch (e) {
      const message = e instanceof FlagError ? e.message : `Bandeja could not start: ${String(e)}`;
      if (appLog) appLog.lines('main', 'error')(message);
      else console.error(message);
      appLog?.flush();
      app.exit(e instanceof FlagError ? 2 : 1);
    }
  });

  app.on('window-all-closed', () => {
    // With a tray the app keeps running, so reminders and messages still raise notifications; "Quit" is
    // in the tray menu. Without one, closing the last window quits (except on macOS, as usual there).
    if (!tray && process.platform !== 'darwin') app.quit();
  });

  let closing = false;
  app.on('will-quit', (event) => {
    tray?.destroy();
    if (!launched || closing) return;
    closing = true;
    event.preventDefault();
    void launched.close().finally(() => {
      appLog?.flush();
      app.exit(0);
    });
  });
}
