// Every window of the app: the main one (its place remembered per display), views opened in windows of
// their own, and a supervisor's saved layout restored at start onto the displays there are now. Each
// window loads the same renderer on its own route, so each is a full live view of the same mirror.
import { BrowserWindow, screen } from 'electron';
import type { IpcEventName, IpcEventPayload } from '../../../src-shared/ipc';
import { IPC_CHANNEL_PREFIX } from '../../../src-shared/ipc';
import { formatRoute, parseRoute, DEFAULT_ROUTE } from '../../../src-shared/rules/route';
import {
  placeWindow,
  rememberWindow,
  restoreLayout,
  toSavedWindow,
  type Display,
  type SavedWindow,
  type WindowMemory,
} from '../../../src-shared/rules/windowLayout';
import { createMainWindow } from './window';

export interface WindowsOptions {
  preload: string;
  indexHtml: string;
  icon: string;
  memory(): WindowMemory;
  remember(memory: WindowMemory): void;
}

export function currentDisplays(): Display[] {
  const primary = screen.getPrimaryDisplay().id;
  return screen.getAllDisplays().map((d) => ({ id: String(d.id), primary: d.id === primary, workArea: d.workArea }));
}

const CASCADE = 32;

export class AppWindows {
  private main: BrowserWindow | null = null;
  private readonly all = new Set<BrowserWindow>();
  /** Events for a window that is still loading are sent once its page listens. */
  private readonly loaded = new WeakSet<BrowserWindow>();
  private readonly waiting = new Map<BrowserWindow, (() => void)[]>();

  constructor(private readonly opts: WindowsOptions) {}

  count(): number {
    return this.all.size;
  }

  list(): BrowserWindow[] {
    return [...this.all].filter((w) => !w.isDestroyed());
  }

  /** A window that is open (the one in front, else the main one), without opening or showing any. */
  anyOpen(): BrowserWindow | null {
    const focused = BrowserWindow.getFocusedWindow();
    if (focused && this.all.has(focused)) return focused;
    if (this.main && !this.main.isDestroyed()) return this.main;
    return this.list()[0] ?? null;
  }

  /** At start: the saved layout if there is one (windows of a missing display move to the primary), else
   *  the main window where it was. `route` (a deep link at launch) goes to the first window. */
  openAtStart(layout: readonly SavedWindow[], route?: string): BrowserWindow {
    const placed = restoreLayout(layout, currentDisplays());
    if (placed.length === 0) return this.showMain(route);
    let first: BrowserWindow | null = null;
    for (const w of placed) {
      const win = this.create(first ? w.view : (route ?? w.view), w.bounds, w.maximized);
      first ??= win;
    }
    this.main = first;
    this.trackPlace(first!);
    return first!;
  }

  /** Shows (or recreates) the main window and brings it forward. */
  showMain(route?: string): BrowserWindow {
    if (!this.main || this.main.isDestroyed()) {
      const place = placeWindow(this.opts.memory(), currentDisplays(), { width: 1280, height: 820 });
      this.main = this.create(route, place?.bounds, place?.maximized ?? false);
      this.trackPlace(this.main);
    }
    if (this.main.isMinimized()) this.main.restore();
    this.main.show();
    this.main.focus();
    return this.main;
  }

  /** "Open in new window": the route in a new window, cascaded from the one in front. */
  open(route: string): BrowserWindow {
    const from = BrowserWindow.getFocusedWindow() ?? this.main;
    const b = from && !from.isDestroyed() ? from.getNormalBounds() : undefined;
    const win = this.create(route, b ? { x: b.x + CASCADE, y: b.y + CASCADE, width: b.width, height: b.height } : undefined, false);
    win.focus();
    return win;
  }

  /** The window a notification click or a deep link should use: the one in front, else the main one. */
  front(): BrowserWindow {
    const focused = BrowserWindow.getFocusedWindow();
    if (focused && this.all.has(focused)) return focused;
    return this.showMain();
  }

  /** Sends an event to one window (once its page is listening). */
  sendTo<E extends IpcEventName>(win: BrowserWindow, event: E, payload: IpcEventPayload<E>): void {
    const send = () => {
      if (!win.isDestroyed()) win.webContents.send(`${IPC_CHANNEL_PREFIX}event:${event}`, payload);
    };
    if (this.loaded.has(win)) send();
    else this.waiting.set(win, [...(this.waiting.get(win) ?? []), send]);
  }

  /** Opens a conversation (notification click, deep link, second launch) in the window in front. */
  openConversation(conversationId: string, messageId: string | null): void {
    const win = this.front();
    if (win.isMinimized()) win.restore();
    win.show();
    win.focus();
    this.sendTo(win, 'app.open', { conversationId, messageId });
  }

  /** The windows open now, as a layout: each one's route and place relative to its display. */
  snapshot(): SavedWindow[] {
    const displays = currentDisplays();
    const out: SavedWindow[] = [];
    // The main window first: it is the one that comes back as the main window.
    const ordered = [...this.all].sort((a, b) => Number(b === this.main) - Number(a === this.main));
    for (const win of ordered) {
      if (win.isDestroyed()) continue;
      const saved = toSavedWindow(routeOf(win), win.getNormalBounds(), win.isMaximized(), displays);
      if (saved) out.push(saved);
    }
    return out;
  }

  private create(route: string | undefined, bounds: SavedWindow['bounds'] | undefined, maximized: boolean): BrowserWindow {
    const win = createMainWindow({
      preload: this.opts.preload,
      indexHtml: this.opts.indexHtml,
      icon: this.opts.icon,
      route,
      bounds,
      maximized,
    });
    this.all.add(win);
    win.webContents.on('did-finish-load', () => {
      this.loaded.add(win);
      for (const send of this.waiting.get(win) ?? []) send();
      this.waiting.delete(win);
    });
    // A reload runs the page again: events wait for it to listen.
    win.webContents.on('did-start-loading', () => this.loaded.delete(win));
    win.on('closed', () => {
      this.all.delete(win);
      this.waiting.delete(win);
      if (this.main === win) this.main = null;
    });
    return win;
  }

  /** The main window's place is remembered for the display it is on, when it moves, resizes or closes. */
  private trackPlace(win: BrowserWindow): void {
    let timer: NodeJS.Timeout | null = null;
    const save = () => {
      if (timer) clearTimeout(timer);
      timer = null;
      if (win.isDestroyed() || win.isMinimized()) return;
      this.opts.remember(rememberWindow(this.opts.memory(), win.getNormalBounds(), win.isMaximized(), currentDisplays()));
    };
    const later = () => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(save, 500);
    };
    win.on('move', later);
    win.on('resize', later);
    win.on('maximize', save);
    win.on('unmaximize', save);
    win.on('close', save);
  }
}

/** The route a window shows now (the renderer keeps it in the URL's hash). */
export function routeOf(win: BrowserWindow): string {
  try {
    const hash = new URL(win.webContents.getURL()).hash;
    return parseRoute(hash) ? hash : formatRoute(DEFAULT_ROUTE);
  } catch {
    return formatRoute(DEFAULT_ROUTE);
  }
}
