// The main window: sandboxed renderer, context isolation, no Node, no navigation away from the app;
// external links open in the system browser.
import { BrowserWindow, shell } from 'electron';
import { externalLink } from './links';

/** Opens web, mail and phone links in the system's handlers; anything else is dropped. */
function openOutside(url: string): void {
  const link = externalLink(url);
  if (link) void shell.openExternal(link);
}

export function createMainWindow(opts: { preload: string; indexHtml: string; icon: string }): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 1024,
    minHeight: 640,
    show: false,
    title: 'Bandeja',
    icon: opts.icon,
    webPreferences: {
      preload: opts.preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: true,
    },
  });
  win.once('ready-to-show', () => win.show());
  // The app never navigates away from its own page nor opens windows: links go to the system instead.
  win.webContents.setWindowOpenHandler(({ url }) => {
    openOutside(url);
    return { action: 'deny' };
  });
  win.webContents.on('will-navigate', (event, url) => {
    event.preventDefault();
    openOutside(url);
  });
  win.webContents.on('will-attach-webview', (event) => event.preventDefault());
  void win.loadFile(opts.indexHtml);
  return win;
}
