import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { get, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../src-main/core';
import { createHeadlessHost } from '../../src-main/host/headless/host';
import { startHeadlessServer, type HeadlessServer } from '../../src-main/host/headless/server';
import { createDispatch, createHandlers } from '../../src-main/ipc/dispatch';
import { connectIpc } from '../support/ipc-client';

let core: Core;
let ui: HeadlessServer;
let missing: HeadlessServer;
const TOKEN = 'test-token-123';

beforeAll(async () => {
  const root = mkdtempSync(join(tmpdir(), 'bandeja-ui-'));
  const rendererDir = join(root, 'renderer');
  mkdirSync(join(rendererDir, 'assets'), { recursive: true });
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><html><head><title>Bandeja</title></head><body></body></html>');
  writeFileSync(join(rendererDir, 'assets', 'app-1a2b.js'), 'console.log(1)');
  core = createCore({ host: createHeadlessHost(join(root, 'data'), () => {}), lang: null, defaultServerUrl: null, log: () => {} });
  const opts = { port: 0, token: TOKEN, dispatch: createDispatch(createHandlers(core), () => {}), events: core.events, log: () => {} };
  ui = await startHeadlessServer({ ...opts, rendererDir });
  missing = await startHeadlessServer({ ...opts, rendererDir: join(root, 'not-built') });
});

afterAll(async () => {
  await ui?.close();
  await missing?.close();
  await core?.close();
});

describe('headless host HTTP', () => {
  it('serves index.html with the launch token, a CSP and no caching; SPA routes fall back to it', async () => {
    for (const path of ['/', '/conversations/abc']) {
      const res = await fetch(ui.url + path);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(await res.text()).toContain(`<meta name="bandeja-ipc-token" content="${TOKEN}">`);
    }
    const js = await fetch(`${ui.url}/assets/app-1a2b.js`);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect((await fetch(`${ui.url}/assets/missing.js`)).status).toBe(404);
    // An encoded ../ (which fetch would normalise away, so sent raw) cannot leave the renderer folder.
    const escaped = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      get(`${ui.url}/..%2f..%2f..%2f..%2fetc%2fpasswd`, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      }).on('error', reject);
    });
    expect(escaped.status).toBe(404);
    expect(escaped.body).not.toContain('root:');
  });

  it('says how to build the UI when dist/renderer is missing', async () => {
    const res = await fetch(missing.url);
    expect(res.status).toBe(503);
    expect(await res.text()).toContain('npm run build:renderer');
  });

  it('accepts /ipc only with the token and from its own origin', async () => {
    const attempt = (token: string, origin: string) =>
      new Promise<number>((resolve) => {
        const ws = new WebSocket(`${ui.url.replace('http', 'ws')}/ipc?token=${token}`, { origin });
        ws.on('open', () => {
          ws.close();
          resolve(101);
        });
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.on('error', () => resolve(-1));
      });
    expect(await attempt('wrong', ui.url)).toBe(403);
    expect(await attempt(TOKEN, 'http://evil.example')).toBe(403);
    expect(await attempt(TOKEN, ui.url.replace('127.0.0.1', 'localhost'))).toBe(101);
    const ipc = await connectIpc(ui.url, TOKEN);
    expect(await ipc.call('app.info', {})).toMatchObject({ ok: true, result: { host: 'headless' } });
    ipc.close();
  });
});

/** A raw request with the headers as given (fetch would set Host itself). */
function raw(
  url: string,
  headers: Record<string, string>,
  method = 'GET',
): Promise<{ status: number; body: string; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The status a WebSocket upgrade to /ipc gets with these Host and Origin headers (101: accepted). */
function upgrade(url: string, token: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`${url.replace('http', 'ws')}/ipc?token=${token}`, { headers, origin: headers.origin });
    ws.on('open', () => {
      ws.close();
      resolve(101);
    });
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('error', () => resolve(-1));
  });
}

describe('headless host against DNS rebinding', () => {
  // A page at http://attacker.example:<port> whose name the attacker re-points at 127.0.0.1 reaches this
  // port with its own name in Host (and Origin): it must get neither the page nor its token.
  it('serves nothing, and no token, to a Host that is not its own loopback address', async () => {
    const port = ui.port;
    for (const host of [
      `attacker.example:${port}`,
      'attacker.example',
      `127.0.0.1:${port + 1}`,
      `localhost`,
      `127.0.0.1.attacker.example:${port}`,
    ]) {
      for (const path of ['/', '/index.html', '/conversations/abc', '/assets/app-1a2b.js']) {
        const res = await raw(`${ui.url}${path}`, { host });
        expect(res.status, `${host} ${path}`).toBe(421);
        expect(res.body).not.toContain(TOKEN);
        expect(res.body).not.toContain('console.log');
      }
    }
    const head = await raw(ui.url, { host: `attacker.example:${port}` }, 'HEAD');
    expect(head.status).toBe(421);
    // Its own names still work.
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`]) {
      const res = await raw(ui.url, { host });
      expect(res.status, host).toBe(200);
      expect(res.body).toContain(TOKEN);
    }
  });

  it('refuses a request another origin makes, even to its own address', async () => {
    for (const origin of ['http://attacker.example', `http://attacker.example:${ui.port}`, 'null', `https://127.0.0.1:${ui.port}`]) {
      const res = await raw(ui.url, { host: `127.0.0.1:${ui.port}`, origin });
      expect(res.status, origin).toBe(403);
      expect(res.body).not.toContain(TOKEN);
    }
    const own = await raw(ui.url, { host: `127.0.0.1:${ui.port}`, origin: ui.url });
    expect(own.status).toBe(200);
  });

  it('opens /ipc only when both Host and Origin are its own', async () => {
    const own = `127.0.0.1:${ui.port}`;
    const evil = `attacker.example:${ui.port}`;
    // A rebound page: its Host and Origin both name the attacker's site.
    expect(await upgrade(ui.url, TOKEN, { host: evil, origin: `http://${evil}` })).toBe(421);
    // Host forged, Origin copied from the real page: still not this host's own request.
    expect(await upgrade(ui.url, TOKEN, { host: evil, origin: ui.url })).toBe(421);
    expect(await upgrade(ui.url, TOKEN, { host: own, origin: `http://${evil}` })).toBe(403);
    expect(await upgrade(ui.url, TOKEN, { host: own, origin: 'null' })).toBe(403);
    expect(await upgrade(ui.url, TOKEN, { host: own })).toBe(403);
    expect(await upgrade(ui.url, TOKEN, { host: own, origin: ui.url })).toBe(101);
    expect(await upgrade(ui.url, TOKEN, { host: `localhost:${ui.port}`, origin: `http://localhost:${ui.port}` })).toBe(101);
  });
});
