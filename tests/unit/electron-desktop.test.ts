// The pure parts of the desktop shell (issue 5) that Electron itself cannot run here: what a window shows
// (its route), where the main window comes back per display, the tray's words and menu, the shell's
// settings file (electron-store's schema, checked with `conf`, the library under it), and the shell's
// IPC ops with their argument checks.
import Conf from 'conf';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ipcContract, type DesktopSettings } from '../../src-shared/ipc';
import { DEFAULT_ROUTE, formatRoute, parseRoute } from '../../src-shared/rules/route';
import { EMPTY_WINDOW_MEMORY, placeWindow, rememberWindow, restoreLayout, type Display } from '../../src-shared/rules/windowLayout';
import { SHELL_SETTINGS_DEFAULTS, shellStoreOptions, type ShellSettingsShape } from '../../src-main/host/electron/shellSettings';
import { trayLang, trayModel } from '../../src-main/host/electron/trayMenu';
import { browserShell, desktopHandlers, type DesktopShell } from '../../src-main/ipc/desktop';
import { createDispatch } from '../../src-main/ipc/dispatch';
import type { IpcHandlers } from '../../src-main/ipc/handlers';

describe('routes: what a window shows', () => {
  it('writes and reads back every kind of view, tab and open conversation', () => {
    const routes = [
      DEFAULT_ROUTE,
      { view: { kind: 'unassigned' as const }, status: 'snoozed' as const, conversationId: null },
      {
        view: { kind: 'team' as const, teamId: 'team-soporte' },
        status: 'open' as const,
        conversationId: '0190abcd-1234-7000-8000-000000000001',
      },
      { view: { kind: 'saved' as const, viewId: 'v_1' }, status: 'closed' as const, conversationId: null },
    ];
    for (const r of routes) expect(parseRoute(formatRoute(r))).toEqual(r);
    expect(formatRoute({ view: { kind: 'team', teamId: 't1' }, status: 'pending', conversationId: 'c9' })).toBe('#/team/t1/pending/c/c9');
  });

  it('refuses what is not a route, so a window never opens on something else', () => {
    for (const bad of [
      '',
      '#',
      '#/inbox/open',
      '#/mine',
      '#/mine/archived',
      '#/team//open',
      '#/mine/open/c/',
      '#/mine/open/c/a/b',
      '#/mine/open/x/c1',
      '#/team/../open',
      'javascript:alert(1)',
    ])
      expect(parseRoute(bad), bad).toBeNull();
    expect(ipcContract['window.open'].args.safeParse({ route: '#/mine/open' }).success).toBe(true);
    expect(ipcContract['window.open'].args.safeParse({ route: 'https://example.com/#/mine/open' }).success).toBe(false);
  });
});

const laptop: Display = { id: '1', primary: true, workArea: { x: 0, y: 0, width: 1440, height: 900 } };
const monitor: Display = { id: '2', primary: false, workArea: { x: 1440, y: 0, width: 2560, height: 1440 } };

describe('the main window, remembered per display', () => {
  it('comes back on the display it was last on, where it was there', () => {
    let memory = rememberWindow(EMPTY_WINDOW_MEMORY, { x: 100, y: 50, width: 1200, height: 800 }, false, [laptop, monitor]);
    memory = rememberWindow(memory, { x: 1600, y: 100, width: 2000, height: 1200 }, true, [laptop, monitor]);
    expect(memory.lastDisplayId).toBe('2');
    expect(placeWindow(memory, [laptop, monitor], { width: 1280, height: 820 })).toEqual({
      bounds: { x: 1600, y: 100, width: 2000, height: 1200 },
      maximized: true,
      displayId: '2',
    });
    // The monitor unplugged: back where it was on the laptop.
    expect(placeWindow(memory, [laptop], { width: 1280, height: 820 })).toEqual({
      bounds: { x: 100, y: 50, width: 1200, height: 800 },
      maximized: false,
      displayId: '1',
    });
  });

  it('opens centred on a display it never was on, never larger than the screen', () => {
    expect(placeWindow(EMPTY_WINDOW_MEMORY, [laptop], { width: 1280, height: 820 })!.bounds).toEqual({
      x: 80,
      y: 40,
      width: 1280,
      height: 820,
    });
    const small: Display = { id: '9', primary: true, workArea: { x: 0, y: 25, width: 1024, height: 743 } };
    const placed = placeWindow(EMPTY_WINDOW_MEMORY, [small], { width: 1280, height: 820 })!;
    expect(placed.bounds).toEqual({ x: 0, y: 25, width: 1024, height: 743 });
    expect(placeWindow(EMPTY_WINDOW_MEMORY, [], { width: 1280, height: 820 })).toBeNull();
  });

  it('keeps a saved layout of routes, moving the windows of a missing monitor onto the primary', () => {
    const layout = [
      { view: '#/mine/open', displayId: '1', bounds: { x: 0, y: 0, width: 1440, height: 900 }, maximized: true },
      { view: '#/unassigned/open', displayId: '2', bounds: { x: 0, y: 0, width: 1280, height: 1440 }, maximized: false },
      { view: '#/all/pending', displayId: '2', bounds: { x: 1280, y: 0, width: 1280, height: 1440 }, maximized: false },
    ];
    const placed = restoreLayout(layout, [laptop]);
    expect(placed.map((p) => p.view)).toEqual(['#/mine/open', '#/unassigned/open', '#/all/pending']);
    expect(placed.filter((p) => p.moved).map((p) => p.displayId)).toEqual(['1', '1']);
    for (const p of placed) {
      expect(p.bounds.x + p.bounds.width).toBeLessThanOrEqual(1440);
      expect(p.bounds.y + p.bounds.height).toBeLessThanOrEqual(900);
    }
  });
});

describe('the tray', () => {
  it('says how many conversations wait, in the person\u2019s language', () => {
    expect(trayModel('en', 3, 'online').tooltip).toBe('Bandeja — 3 conversations wait for you');
    expect(trayModel('en', 1, 'online').tooltip).toBe('Bandeja — 1 conversation waits for you');
    expect(trayModel('es', 0, 'online').tooltip).toBe('Bandeja — Nada te espera');
    expect(trayModel('pt-BR', 12, 'away').title).toBe('12');
    expect(trayModel('en', 0, 'away').title).toBe('');
  });

  it('offers presence (the current one checked), show and quit', () => {
    const items = trayModel('es', 0, 'away').items;
    expect(
      items.filter((i) => i.kind === 'presence').map((i) => [i.kind === 'presence' && i.presence, i.kind === 'presence' && i.checked]),
    ).toEqual([
      ['online', false],
      ['away', true],
      ['offline', false],
    ]);
    expect(items.map((i) => i.kind)).toEqual(['presence', 'presence', 'presence', 'separator', 'show', 'quit']);
    expect(items.find((i) => i.kind === 'quit')).toMatchObject({ label: 'Salir de Bandeja' });
  });

  it('follows the system language as the renderer does', () => {
    expect(trayLang('es-AR')).toBe('es');
    expect(trayLang('pt')).toBe('pt-BR');
    expect(trayLang('pt_PT')).toBe('pt-BR');
    expect(trayLang('de-DE')).toBe('en');
    expect(trayLang(null)).toBe('en');
  });
});

describe('the shell settings file', () => {
  const dirs: string[] = [];
  const open = (dir: string) => {
    const { name, ...rest } = shellStoreOptions(dir);
    return new Conf<ShellSettingsShape>({ ...rest, configName: name });
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('starts from the defaults and keeps what was saved', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bandeja-shell-'));
    dirs.push(dir);
    const store = open(dir);
    expect(store.store).toEqual(SHELL_SETTINGS_DEFAULTS);
    const memory = rememberWindow(EMPTY_WINDOW_MEMORY, { x: 10, y: 20, width: 1200, height: 800 }, false, [laptop]);
    store.set('windowMemory', memory);
    store.set('layout', [{ view: '#/all/open', displayId: '1', bounds: { x: 0, y: 0, width: 1440, height: 900 }, maximized: true }]);
    expect(open(dir).get('windowMemory')).toEqual(memory);
    expect(open(dir).get('layout')).toHaveLength(1);
  });

  it('refuses a value outside the schema and changes nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bandeja-shell-'));
    dirs.push(dir);
    const store = open(dir);
    expect(() =>
      store.set('layout', [
        { view: 'https://evil.example', displayId: '1', bounds: { x: 0, y: 0, width: 10, height: 10 }, maximized: false },
      ]),
    ).toThrow();
    expect(() => store.set('startAtLogin', 'yes' as unknown as boolean)).toThrow();
    expect(open(dir).store).toEqual(SHELL_SETTINGS_DEFAULTS);
  });

  it('opens with the defaults when the file was damaged, instead of failing to start', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bandeja-shell-'));
    dirs.push(dir);
    open(dir).set('startAtLogin', true);
    const file = join(dir, 'shell.json');
    expect(JSON.parse(readFileSync(file, 'utf8')).startAtLogin).toBe(true);
    writeFileSync(file, JSON.stringify({ layout: 'not a list', startAtLogin: 7 }));
    expect(open(dir).store).toEqual(SHELL_SETTINGS_DEFAULTS);
  });
});

describe('the shell ops', () => {
  const settings = (layoutWindows: number): DesktopSettings => ({
    desktop: true,
    startAtLoginAvailable: true,
    startAtLogin: false,
    layoutWindows,
  });

  it('open a window on a route in the desktop app, and say a browser tab must open it itself', async () => {
    const opened: string[] = [];
    const desktop: DesktopShell = { ...browserShell, openWindow: (route) => (opened.push(route), true), settings: () => settings(0) };
    const dispatch = createDispatch(desktopHandlers(desktop) as unknown as IpcHandlers, () => undefined);
    expect(await dispatch('window.open', { route: '#/team/t1/open/c/c1' })).toEqual({ ok: true, result: { opened: true } });
    expect(opened).toEqual(['#/team/t1/open/c/c1']);
    const refused = await dispatch('window.open', { route: 'file:///etc/passwd' });
    expect(refused).toMatchObject({ ok: false, error: { code: 'INVALID_ARGS' } });
    expect(opened).toHaveLength(1);

    const browser = createDispatch(desktopHandlers(browserShell) as unknown as IpcHandlers, () => undefined);
    expect(await browser('window.open', { route: '#/mine/open' })).toEqual({ ok: true, result: { opened: false } });
    expect(await browser('desktop.settings.get', {})).toMatchObject({ ok: true, result: { desktop: false } });
  });

  it('check the settings they are given', async () => {
    let saved = 0;
    const desktop: DesktopShell = { ...browserShell, settings: () => settings(saved), saveLayout: () => settings((saved = 2)) };
    const dispatch = createDispatch(desktopHandlers(desktop) as unknown as IpcHandlers, () => undefined);
    expect(await dispatch('desktop.settings.set', { startAtLogin: 'yes' })).toMatchObject({ ok: false, error: { code: 'INVALID_ARGS' } });
    expect(await dispatch('desktop.settings.set', { startAtLogin: true, other: 1 })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_ARGS' },
    });
    expect(await dispatch('desktop.layout.save', {})).toEqual({ ok: true, result: settings(2) });
  });
});
