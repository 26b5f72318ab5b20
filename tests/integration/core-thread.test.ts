// The core on its own thread (src-main/thread): launchInWorker() runs the real launch() (embedded demo
// server, core, dispatcher) in a worker_threads Worker. Calls cross to it and back with the core's real
// answers; the desktop shell's ops, notifications, the badge and secrets stay on the main thread; the
// main thread answers its own work while the core is busy; close() and a crash leave nothing hanging.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DesktopNotification, DesktopSettings, IpcEventName, IpcOp, IpcReply, IpcResult } from '../../src-shared/ipc';
import { openAppLog, type AppLog } from '../../src-main/core/appLog';
import type { Host } from '../../src-main/core/host';
import { mirrorPath } from '../../src-main/core/session';
import { openMirror } from '../../src-main/core/mirror/db';
import { readSessionUser } from '../../src-main/core/mirror/meta';
import { FlagError } from '../../src-main/flags';
import type { DesktopShell } from '../../src-main/ipc/desktop';
import type { Dispatch } from '../../src-main/ipc/dispatcher';
import { launch, type Launched } from '../../src-main/launch';
import { launchInWorker } from '../../src-main/thread/launchInWorker';
import { Paths } from '../../src-shared/http';
import { blankPgliteStore } from '../support/pglite-template';
import { DEMO_PASSWORD } from '../support/sync-peer';

const ROOT = resolve(import.meta.dirname, '../..');

interface MainSide {
  host: (dataDir: string) => Host;
  secrets: Map<string, string>;
  shown: DesktopNotification[];
  badges: number[];
  logs: string[];
}

/** A Host living on the main thread, with its secrets in memory: the worker can reach them only by asking. */
function mainSide(secrets = new Map<string, string>()): MainSide {
  const side: MainSide = {
    secrets,
    shown: [],
    badges: [],
    logs: [],
    host: (dataDir) => ({
      kind: 'headless',
      dataDir,
      secrets: {
        get: async (key) => secrets.get(key) ?? null,
        set: async (key, value) => void secrets.set(key, value),
        delete: async (key) => void secrets.delete(key),
      },
      notify: (n) => side.shown.push(n),
      setBadge: (count) => side.badges.push(count),
    }),
  };
  return side;
}

const SHELL_SETTINGS: DesktopSettings = { desktop: true, startAtLoginAvailable: true, startAtLogin: true, layoutWindows: 2 };
const openedRoutes: string[] = [];
const openedPaths: string[] = [];
const shell: DesktopShell = {
  openWindow: (route) => (openedRoutes.push(route), true),
  settings: () => SHELL_SETTINGS,
  setSettings: (patch) => ({ ...SHELL_SETTINGS, ...patch }),
  saveLayout: () => SHELL_SETTINGS,
  clearLayout: () => ({ ...SHELL_SETTINGS, layoutWindows: 0 }),
  openPath: (path) => (openedPaths.push(path), true),
};

async function until<T>(probe: () => T | Promise<T>, what: string): Promise<NonNullable<T>> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const value = await probe();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function ok<K extends IpcOp>(dispatch: Dispatch, op: K, args: unknown): Promise<IpcResult<K>> {
  const reply = await dispatch(op, args);
  if (!reply.ok) throw new Error(`${op} failed: ${JSON.stringify(reply.error)}`);
  return reply.result as IpcResult<K>;
}

const tmp = (name: string) => mkdtempSync(join(tmpdir(), `bandeja-thread-${name}-`));

let server: Launched;
let serverUrl = '';
const serverSide = mainSide();
const serverEvents: IpcEventName[] = [];
const toClose: Launched[] = [];

let appLog: AppLog;

beforeAll(async () => {
  // A host with its embedded demo server, both on the worker: the other clients sync with it. Its lines
  // also go to the app's log file, as the hosts do.
  const dataDir = tmp('server');
  appLog = openAppLog(dataDir, { echo: (line) => serverSide.logs.push(line) });
  server = await launchInWorker({
    argv: ['--demo', '--server-port', '0', '--data-dir', dataDir],
    makeHost: serverSide.host,
    log: appLog.lines('main'),
    coreLog: appLog.lines('core'),
    supportLog: { path: appLog.path, rendererError: appLog.lines('renderer', 'error') },
    onServerReady: (url) => (serverUrl = url),
    shell,
  });
  server.events.onAny((name) => serverEvents.push(name));
});

afterAll(async () => {
  for (const app of toClose) await app.close();
  await server?.close();
});

describe('the core on its own thread', () => {
  it('writes the core thread’s lines and the renderer’s errors to the log file, which desktop.log.open opens', async () => {
    expect(
      await ok(server.dispatch, 'desktop.log.report', { message: 'TypeError: list is undefined', stack: 'at List', where: null }),
    ).toEqual({
      ok: true,
    });
    expect(await ok(server.dispatch, 'desktop.log.open', {})).toEqual({ opened: true, path: appLog.path });
    expect(openedPaths).toEqual([appLog.path]);
    appLog.flush();
    const lines = readFileSync(appLog.path, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { source: string; msg: string });
    expect(lines).toContainEqual(expect.objectContaining({ source: 'core', msg: 'Seeded the demo tenant' }));
    expect(lines).toContainEqual(expect.objectContaining({ source: 'renderer', msg: 'TypeError: list is undefined\nat List' }));
    // Over-long reports are refused by the contract.
    expect(await server.dispatch('desktop.log.report', { message: 'x'.repeat(2001), stack: null, where: null })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_ARGS' },
    });
  });

  it('answers calls with the core’s real results, and bad arguments with INVALID_ARGS from its dispatcher', async () => {
    expect(serverUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(serverSide.logs).toContain('Seeded the demo tenant');
    const session = await ok(server.dispatch, 'session.login', { serverUrl, email: 'ana@demo.test', password: DEMO_PASSWORD });
    expect(session.user).toMatchObject({ id: 'user-ana', role: 'agent' });
    const mine = await until(async () => {
      const rows = await ok(server.dispatch, 'inbox.list', { view: { kind: 'mine' }, status: 'open' });
      return rows.length > 0 ? rows : null;
    }, 'Ana’s conversations synced');
    expect(mine.map((c) => c.id)).toEqual(['conversation-wa-joao']);
    expect((await ok(server.dispatch, 'search.query', { q: 'sábados' })).messages.map((h) => h.conversationId)).toContain(
      'conversation-wa-joao',
    );
    // The events the core emits (sync status, mirror changes) reach the main thread's emitter.
    expect(serverEvents).toEqual(expect.arrayContaining(['sync.status', 'mirror.changed']));

    expect(await server.dispatch('inbox.list', { view: { kind: 'everything' }, status: 'open' })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_ARGS', message: expect.stringContaining('(view.kind)') },
    });
    expect(await server.dispatch('app.quit', {})).toEqual({
      ok: false,
      error: { code: 'INVALID_ARGS', message: 'Unknown operation: app.quit.' },
    });
    // The flags the worker parsed are the ones the host gave.
    expect(server.flags).toMatchObject({ demo: true, server: null, serverPort: 0 });
    expect(server.defaultServerUrl).toBe(serverUrl);
    // --demo (explicit) started the demo at once: the sign-in screen is told it runs.
    expect(await ok(server.dispatch, 'app.info', {})).toMatchObject({ defaultServerUrl: serverUrl, localDemo: 'running' });
  });

  it('answers the desktop shell’s ops on the main thread, with the host’s shell', async () => {
    // The worker's own dispatcher has only the browser's shell (desktop: false): these answers are the host's.
    expect(await ok(server.dispatch, 'desktop.settings.get', {})).toEqual(SHELL_SETTINGS);
    expect(await ok(server.dispatch, 'desktop.layout.clear', {})).toMatchObject({ layoutWindows: 0 });
    expect(await ok(server.dispatch, 'window.open', { route: '#/mine/open' })).toEqual({ opened: true });
    expect(openedRoutes).toEqual(['#/mine/open']);
    expect(await server.dispatch('desktop.settings.set', { startAtLogin: 'yes' })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_ARGS', message: expect.stringContaining('(startAtLogin)') },
    });
  });

  it('hands the badge and a due reminder’s notification to the main thread’s Host', async () => {
    // Lucía's unread conversation, given to Ana, waits for her: the dock count the core computes.
    await ok(server.dispatch, 'conversation.assign', { conversationId: 'conversation-wa-lucia', assigneeId: 'user-ana' });
    await until(async () => (await ok(server.dispatch, 'badge.get', {})).count === 1, 'Lucía waiting for Ana');
    await until(() => serverSide.badges.at(-1) === 1, 'the badge on the main thread');

    const reminder = await ok(server.dispatch, 'reminder.set', {
      conversationId: 'conversation-wa-joao',
      dueAt: Date.now() + 300,
      note: 'Confirmar la entrega del sábado',
      postpone: false,
    });
    const shown = await until(() => serverSide.shown.find((n) => n.tag === `reminder:${reminder.id}`), 'the reminder shown');
    expect(shown).toMatchObject({
      title: 'Reminder: João Pereira',
      body: 'Confirmar la entrega del sábado',
      conversationId: 'conversation-wa-joao',
    });
  });

  it('keeps secrets in the main thread’s store: the session survives a relaunch, and close() leaves the mirror whole', async () => {
    const dataDir = tmp('bruno');
    const side = mainSide();
    const argv = ['--server', serverUrl, '--data-dir', dataDir];
    const first = await launchInWorker({ argv, makeHost: side.host, log: () => undefined });
    await ok(first.dispatch, 'session.login', { serverUrl, email: 'bruno@demo.test', password: DEMO_PASSWORD });
    // The token went through the proxy into this thread's store, and nowhere else.
    expect([...side.secrets.values()]).toEqual([expect.stringMatching(/.{16,}/)]);
    expect(existsSync(join(dataDir, 'client', 'secrets.json'))).toBe(false);
    await until(async () => (await ok(first.dispatch, 'sync.status', {})).state === 'online', 'Bruno online');
    await first.close();

    // Closed cleanly: SQLite folded its write-ahead log into the file when the last connection closed.
    const file = mirrorPath(dataDir, serverUrl, 'user-bruno');
    expect(existsSync(`${file}-wal`)).toBe(false);
    const mirror = openMirror(file);
    expect(readSessionUser(mirror.read)?.id).toBe('user-bruno');
    mirror.close();
    expect(await first.dispatch('session.get', {})).toEqual({ ok: false, error: { code: 'INTERNAL', message: 'Bandeja is closing.' } });

    // Relaunched on the same folder and store: signed in at start, the token read back through the proxy.
    const again = await launchInWorker({ argv, makeHost: side.host, log: () => undefined });
    toClose.push(again);
    expect((await ok(again.dispatch, 'session.get', {}))?.user.id).toBe('user-bruno');
    await until(async () => (await ok(again.dispatch, 'sync.status', {})).state === 'online', 'Bruno online again');
    expect((await ok(again.dispatch, 'directory.get', {})).users.map((u) => u.id)).toContain('user-bruno');
  });

  it('leaves no thread behind after close(): the process then ends by itself', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'tests/support/launch-and-close.ts', '--server', serverUrl, '--data-dir', tmp('ends')],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    // A thread still running would keep the process alive, and this test would time out.
    const code = await new Promise<number | null>((done) => child.once('exit', (c) => done(c)));
    expect(out).toContain('closed {"ok":true');
    expect(code).toBe(0);
  });

  it('answers the main thread’s own work while the core is busy with a burst of heavy calls', async () => {
    const burst = (dispatch: Dispatch) => {
      const order: ('core' | 'main')[] = [];
      const calls: Promise<IpcReply<IpcOp>>[] = [];
      const heavy: [IpcOp, unknown][] = [
        ['inbox.counts', {}],
        ['search.query', { q: 'pedido' }],
      ];
      for (const kind of ['mine', 'unassigned'] as const)
        for (const status of ['open', 'pending', 'snoozed', 'closed'] as const) heavy.push(['inbox.list', { view: { kind }, status }]);
      for (const [op, args] of heavy) calls.push(dispatch(op, args).then((r) => (order.push('core'), r)));
      // Issued after the burst: answered on the main thread (the window's settings).
      calls.push(dispatch('desktop.settings.get', {}).then((r) => (order.push('main'), r)));
      return Promise.all(calls).then((replies) => ({ order, replies }));
    };

    const onThread = await burst(server.dispatch);
    expect(onThread.replies.every((r) => r.ok)).toBe(true);
    expect(onThread.order[0]).toBe('main');

    // The same burst against the core on the main thread (launch(), as before): the window's own answer
    // waits for every query. This is what the test would see if the hosts ran the core in-process.
    const inProcess = await launch({
      argv: ['--server', serverUrl, '--data-dir', tmp('in-process')],
      makeHost: mainSide().host,
      log: () => undefined,
    });
    toClose.push(inProcess);
    await ok(inProcess.dispatch, 'session.login', { serverUrl, email: 'ana@demo.test', password: DEMO_PASSWORD });
    const onMain = await burst(inProcess.dispatch);
    expect(onMain.replies.every((r) => r.ok)).toBe(true);
    expect(onMain.order.at(-1)).toBe('main');
  });

  it('turns a crash of the core’s thread into errors for waiting calls, logs it and tells the host', async () => {
    // A server that accepts the sign-in request and never answers: the call waits in the worker.
    const silent: Server = createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    const silentUrl = `http://127.0.0.1:${(silent.address() as { port: number }).port}`;
    const logs: string[] = [];
    const crashes: Error[] = [];
    const app = await launchInWorker({
      argv: ['--server', serverUrl, '--data-dir', tmp('crash')],
      makeHost: mainSide().host,
      log: (line) => logs.push(line),
      onCrash: (e) => crashes.push(e),
      workerModule: pathToFileURL(join(ROOT, 'tests/support/crashing-core-worker.ts')),
    });
    toClose.push(app);
    try {
      expect(await ok(app.dispatch, 'session.get', {})).toBeNull();
      // A rejected promise nobody awaited is logged; the thread goes on answering.
      void app.dispatch('test.reject', {});
      await until(() => logs.some((l) => l.includes('core: unhandled rejection: Error: a promise nobody awaited')), 'the log line');
      expect(await ok(app.dispatch, 'session.get', {})).toBeNull();
      expect(crashes).toEqual([]);
      const waiting = app.dispatch('session.login', { serverUrl: silentUrl, email: 'ana@demo.test', password: DEMO_PASSWORD });
      void app.dispatch('test.crash', {});
      expect(await waiting).toEqual({
        ok: false,
        error: { code: 'INTERNAL', message: expect.stringContaining('check before repeating your last action') },
      });
      expect(crashes.map((e) => e.message)).toEqual(['the core tripped over a test']);
      expect(logs.join('\n')).toContain('The core thread stopped: Error: the core tripped over a test');
      // Later calls are answered at once, not left waiting for a thread that is gone.
      expect(await app.dispatch('sync.status', {})).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
      await app.close();
    } finally {
      silent.close();
    }
  });

  it('refuses bad flags before any thread starts', async () => {
    let hosts = 0;
    const attempt = launchInWorker({ argv: ['--port', 'nope'], makeHost: (d) => (hosts++, mainSide().host(d)) });
    await expect(attempt).rejects.toThrow(FlagError);
    await expect(attempt).rejects.toThrow('--port must be a port number (0-65535), got "nope".');
    expect(hosts).toBe(0);
  });
});

describe('the headless host on the core’s thread', () => {
  function runHost(args: string[]) {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src-main/host/headless/cli.ts', ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output = { out: '', err: '' };
    child.stdout.setEncoding('utf8').on('data', (d: string) => (output.out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (output.err += d));
    const exited = new Promise<number | null>((done) => child.once('exit', (c) => done(c)));
    return { child, output, exited };
  }

  it('exits with code 2 and the message on a bad flag', async () => {
    const host = runHost(['--lang', 'fr']);
    expect(await host.exited).toBe(2);
    expect(host.output.err).toBe('--lang must be one of en, es, pt-BR, got "fr".\n');
  });

  it('prints the embedded server’s and the UI’s addresses, serves the server from its thread, and stops on SIGTERM', async () => {
    // A blank PGlite cluster where the embedded server keeps its store: its initdb (run for real by the
    // first launch in this file) would take most of the 30 s wait below on a busy machine.
    const dataDir = tmp('headless');
    await blankPgliteStore(dataDir);
    const host = runHost(['--demo', '--server-port', '0', '--port', '0', '--data-dir', dataDir]);
    const lines = await until(() => (/Bandeja headless UI on/.test(host.output.out) ? host.output.out : null), 'the ready lines');
    const url = /Bandeja server listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(lines)?.[1];
    expect(url).toBeDefined();
    expect(lines.indexOf('Bandeja server listening on')).toBeLessThan(lines.indexOf('Bandeja headless UI on'));
    // The embedded server answers a real sign-in while the host runs.
    const res = await fetch(`${url}${Paths.login}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'ana@demo.test', password: DEMO_PASSWORD }),
    });
    expect(res.status).toBe(200);
    host.child.kill('SIGTERM');
    expect(await host.exited).toBe(0);
  });
});
