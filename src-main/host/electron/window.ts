// One app window (the main one, or a view opened in a window of its own): sandboxed renderer, context
// isolation, no Node, no navigation away from the app; external links open in the system browser.
import { BrowserWindow, shell } from 'electron';
import type { Rect } from '../../../src-shared/rules/windowLayout';
import { externalLink } from './links';

/** Opens web, mail and phone links in the system's handlers; anything else is dropped. */
function openOutside(url: string): void {
  const link = externalLink(url);
  if (link) void shell.openExternal(link);
}

export interface AppWindowOptions {
  preload: string;
  indexHtml: string;
  icon: string;
  /** What the window shows (rules/route.ts, with its '#'); none: the default view. */
  route?: string;
  bounds?: Rect;
  maximized?: boolean;
}

export function createMainWindow(opts: AppWindowOptions): BrowserWindow {
  const win = new BrowserWindow({
    width: opts.bounds?.width ?? 1280,
    height: opts.bounds?.height ?? 820,
    ...(opts.bounds ? { x: opts.bounds.x, y: opts.bounds.y } : {}),
    // The UI is laid out for 1024 px and up (styles.css).
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
  win.once('ready-to-show', () => {
    if (opts.maximized) win.maximize();
    win.show();
  });
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
  void win.loadFile(opts.indexHtml, opts.route ? { hash: opts.route.replace(/^#/, '') } : undefined);
  return win;
}
