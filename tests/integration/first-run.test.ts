// The first run of an app started without --server or --demo (the packaged desktop app, the headless host):
// no server starts and the sign-in screen is told to ask for one; the local demo (published passwords)
// starts only when asked; the server chosen at sign-in is remembered, so later starts go straight to it,
// offline too. Sign-in first checks that the address answers as a Bandeja server, before any password
// is sent. Real launch() (core + embedded server), real server process, real sockets.
import { mkdtempSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { connect, createServer as createTcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { IpcOp, IpcResult } from '../../src-shared/ipc';
import { PROTOCOL_VERSION, SCHEMA_VERSION } from '../../src-shared/protocol';
import { createHeadlessHost } from '../../src-main/host/headless/host';
import { launch, type Launched } from '../../src-main/launch';
import { startServerProcess, type ServerProcess } from '../support/server-process';
import { DEMO_PASSWORD } from '../support/sync-peer';

const tmp = () => mkdtempSync(join(tmpdir(), 'bandeja-first-run-'));

async function freePort(): Promise<number> {
  const probe = createTcpServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** Whether something accepts connections on 127.0.0.1:port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

const opened: Launched[] = [];
async function start(argv: string[]): Promise<Launched> {
  const app = await launch({ argv, makeHost: (dataDir) => createHeadlessHost(dataDir, () => undefined), log: () => undefined });
  opened.push(app);
  return app;
}
async function close(app: Launched): Promise<void> {
  opened.splice(opened.indexOf(app), 1);
  await app.close();
}

async function ok<K extends IpcOp>(app: Launched, op: K, args: unknown): Promise<IpcResult<K>> {
  const reply = await app.dispatch(op, args);
  if (!reply.ok) throw new Error(`${op} failed: ${reply.error.code} ${reply.error.message}`);
  return reply.result as IpcResult<K>;
}

async function online(app: Launched): Promise<void> {
  const deadline = Date.now() + 30_000;
  while ((await ok(app, 'sync.status', {})).state !== 'online') {
    if (Date.now() > deadline) throw new Error('never online');
    await new Promise((r) => setTimeout(r, 50));
  }
}

let server: ServerProcess;
beforeAll(async () => {
  server = await startServerProcess({ demo: true });
});
afterAll(async () => {
  await server?.stop();
});
afterEach(async () => {
  for (const app of opened.splice(0)) await app.close();
});

describe('first run without a server', () => {
  it('starts no server and tells the sign-in screen to ask; the local demo starts only when asked and is remembered', async () => {
    const dataDir = tmp();
    const port = await freePort();
    const argv = ['--server-port', String(port), '--data-dir', dataDir];
    const app = await start(argv);
    expect(await ok(app, 'app.info', {})).toMatchObject({ defaultServerUrl: null, localDemo: 'available' });
    expect(await ok(app, 'session.get', {})).toBeNull();
    // No demo tenant with published passwords is listening unless asked.
    expect(await listening(port)).toBe(false);

    const demo = await ok(app, 'demo.start', {});
    expect(demo.serverUrl).toBe(`http://127.0.0.1:${port}`);
    expect(demo.logins.map((l) => [l.email, l.role])).toEqual(
      expect.arrayContaining([
        ['ana@demo.test', 'agent'],
        ['sofia@demo.test', 'supervisor'],
        ['admin@demo.test', 'admin'],
      ]),
    );
    expect(demo.logins.every((l) => l.password === DEMO_PASSWORD)).toBe(true);
    expect(await listening(port)).toBe(true);
    // Asking again starts nothing new.
    expect((await ok(app, 'demo.start', {})).serverUrl).toBe(demo.serverUrl);
    expect(await ok(app, 'app.info', {})).toMatchObject({ defaultServerUrl: demo.serverUrl, localDemo: 'running' });
    const ana = demo.logins.find((l) => l.email === 'ana@demo.test')!;
    await ok(app, 'session.login', { serverUrl: demo.serverUrl, email: ana.email, password: ana.password });
    await online(app);
    await close(app);
    expect(await listening(port)).toBe(false);

    // Next start, no flags: the demo chosen before starts again and Ana's session syncs with it.
    const again = await start(argv);
    expect(await ok(again, 'app.info', {})).toMatchObject({ defaultServerUrl: demo.serverUrl, localDemo: 'running' });
    expect((await ok(again, 'session.get', {}))?.user.email).toBe('ana@demo.test');
    await online(again);
    // Signed out, the sign-in screen still offers the demo's address.
    await ok(again, 'session.logout', {});
    expect(await ok(again, 'app.info', {})).toMatchObject({ defaultServerUrl: demo.serverUrl });
  });

  it('remembers a real server chosen at sign-in: the next start goes straight to it, starts no demo, and opens offline', async () => {
    const dataDir = tmp();
    const port = await freePort();
    const argv = ['--server-port', String(port), '--data-dir', dataDir];
    const app = await start(argv);
    await ok(app, 'session.login', { serverUrl: `${server.url}/`, email: 'ana@demo.test', password: DEMO_PASSWORD });
    await online(app);
    await close(app);

    await server.stop();
    try {
      const again = await start(argv);
      expect(await ok(again, 'app.info', {})).toMatchObject({ defaultServerUrl: server.url, localDemo: 'available' });
      expect(await listening(port)).toBe(false);
      // The inbox opens from the mirror with the server away.
      expect((await ok(again, 'session.get', {}))?.serverUrl).toBe(server.url);
      expect((await ok(again, 'inbox.list', { view: { kind: 'mine' }, status: 'open' })).length).toBeGreaterThan(0);
      await close(again);
    } finally {
      await server.restart();
    }
  });

  it('offers no demo to an app started for one server (--server)', async () => {
    const withServer = await start(['--server', server.url, '--data-dir', tmp()]);
    expect(await ok(withServer, 'app.info', {})).toMatchObject({ defaultServerUrl: server.url, localDemo: 'unavailable' });
    expect(await withServer.dispatch('demo.start', {})).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  });
});

describe('signing in to an address', () => {
  let other: Server;
  let otherUrl = '';
  const received: { method?: string; url?: string; body: string }[] = [];
  beforeAll(async () => {
    // A web server that is not Bandeja: a 404 page for everything, and a JSON health of its own.
    other = createServer((req: IncomingMessage, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        received.push({ method: req.method, url: req.url, body });
        // An address that passes everything on elsewhere (where a look-alike answers as Bandeja would):
        // following it would post the password there.
        if (req.url?.startsWith('/moved/')) {
          res.writeHead(308, { location: req.url.replace('/moved/', '/lookalike/') });
          res.end();
          return;
        }
        if (req.url === '/lookalike/api/health') {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ ok: true, protocol: PROTOCOL_VERSION, schema: SCHEMA_VERSION }));
          return;
        }
        if (req.url === '/json/api/health') {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end('{"status":"UP"}');
          return;
        }
        res.writeHead(404, { 'content-type': 'text/html' });
        res.end('<h1>Not found</h1>');
      });
    });
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    otherUrl = `http://127.0.0.1:${(other.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => other?.close(resolve));
  });

  it('says when the address answers but is not a Bandeja server, and never sends it the password', async () => {
    const app = await start(['--server-port', String(await freePort()), '--data-dir', tmp()]);
    for (const url of [otherUrl, `${otherUrl}/json`, `${otherUrl}/moved`]) {
      const reply = await app.dispatch('session.login', { serverUrl: url, email: 'ana@demo.test', password: DEMO_PASSWORD });
      expect(reply, url).toMatchObject({ ok: false, error: { code: 'NOT_A_BANDEJA_SERVER' } });
    }
    expect(received.length).toBeGreaterThan(0);
    expect(received.every((r) => r.method === 'GET' && !r.body.includes(DEMO_PASSWORD))).toBe(true);
    // Nothing listens there: unreachable, as before.
    const gone = await app.dispatch('session.login', {
      serverUrl: `http://127.0.0.1:${await freePort()}`,
      email: 'ana@demo.test',
      password: DEMO_PASSWORD,
    });
    expect(gone).toMatchObject({ ok: false, error: { code: 'SERVER_UNREACHABLE' } });
    // Not an http(s) address at all: refused at the boundary.
    for (const serverUrl of [
      'bandeja.example.com',
      'ftp://bandeja.example.com',
      'file:///etc/passwd',
      'http://',
      'http://ana:secret@bandeja.example.com',
    ]) {
      const bad = await app.dispatch('session.login', { serverUrl, email: 'ana@demo.test', password: DEMO_PASSWORD });
      expect(bad, serverUrl).toMatchObject({ ok: false, error: { code: 'INVALID_ARGS' } });
    }
    expect(await ok(app, 'session.get', {})).toBeNull();
  });
});
