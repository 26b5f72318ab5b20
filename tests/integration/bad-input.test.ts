// Input that used to stop the process (issue 12, class 1): one bad WebSocket frame or one malformed
// request, sent over raw TCP to a real server process and a real headless host. Each closes at most its
// own connection, with the right close code or a 400, and the process goes on serving normal clients.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MAX_FRAME_BYTES } from '../../src-shared/protocol';
import { startClientProcess, type ClientProcess } from '../support/client-process';
import { encodeFrame, Opcode, rawExchange, RawWebSocket, upgradeRequest } from '../support/raw-socket';
import { startServerProcess, type ServerProcess } from '../support/server-process';
import { ipcStillServes, stillServing, type StillServing } from '../support/still-serving';

let server: ServerProcess;
let host: ClientProcess;
let check: StillServing;

beforeAll(async () => {
  server = await startServerProcess({ demo: true });
  [host, check] = await Promise.all([startClientProcess({ serverUrl: server.url }), stillServing(server.url)]);
}, 90_000);

afterAll(async () => {
  await host?.stop();
  await server?.stop();
});

// A test that stopped a process does not take the next ones with it: each starts on live processes.
beforeEach(async () => {
  if (
    server.exitCode() !== null ||
    (await check.health().then(
      () => false,
      () => true,
    ))
  ) {
    await server.restart();
    check = await stillServing(server.url);
  }
  if (
    await ipcStillServes(host).then(
      () => false,
      () => true,
    )
  )
    await host.restart();
}, 90_000);

const text = (payload: Buffer | string, more: { rsv?: number; mask?: boolean } = {}) =>
  encodeFrame({ opcode: Opcode.text, payload: Buffer.isBuffer(payload) ? payload : Buffer.from(payload), ...more });
const INVALID_UTF8 = Buffer.from([0x7b, 0x22, 0xc3, 0x28, 0xff, 0x22, 0x7d]);

// The three the issue names, first; the webchat socket also gets the rest of what ws refuses (the fuzz
// suite covers every kind on every socket).
const NAMED: [string, () => Buffer, number][] = [
  ['a text frame over the 1 MiB limit', () => text(Buffer.alloc(MAX_FRAME_BYTES + 1, 0x61)), 1009],
  ['a text frame with invalid UTF-8', () => text(INVALID_UTF8), 1007],
  ['a frame with RSV1 set', () => text('{}', { rsv: 4 }), 1002],
];
const MORE: [string, () => Buffer, number][] = [
  ['a 64-bit length near 2^63', () => encodeFrame({ opcode: Opcode.text, declaredLength: 2n ** 63n - 1n }), 1009],
  ['a frame with RSV3 set', () => text('{}', { rsv: 1 }), 1002],
  ['an unmasked frame', () => text('{}', { mask: false }), 1002],
  ['a reserved opcode', () => encodeFrame({ opcode: 0x3, payload: Buffer.from('x') }), 1002],
  ['a continuation with nothing to continue', () => encodeFrame({ opcode: Opcode.continuation, payload: Buffer.from('x') }), 1002],
  ['a fragmented ping', () => encodeFrame({ opcode: Opcode.ping, fin: false }), 1002],
  ['a ping longer than 125 bytes', () => encodeFrame({ opcode: Opcode.ping, payload: Buffer.alloc(126) }), 1002],
  ['a close with an invalid code', () => encodeFrame({ opcode: Opcode.close, payload: Buffer.from([0x03, 0xe7]) }), 1002],
];

describe.each([
  ['the anonymous webchat socket', '/webchat/demo/socket', [...NAMED, ...MORE]],
  ['/sync', '/sync', NAMED],
])('one bad frame on %s', (_name, path, frames) => {
  it.each(frames)('%s closes that socket only, with the right code, and the server goes on', async (_what, frame, code) => {
    const bystander = await RawWebSocket.open(server.url, path);
    const ws = await RawWebSocket.open(server.url, path);
    ws.write(frame());
    expect((await ws.closedWithin()).code).toBe(code);
    await check.full();
    // Another socket on the same path was left alone: it still answers a ping.
    bystander.write(encodeFrame({ opcode: Opcode.ping, payload: Buffer.from('still') }));
    await expect.poll(() => bystander.frames.some((f) => f.opcode === Opcode.pong && f.payload.toString() === 'still')).toBe(true);
    bystander.destroy();
    expect(server.exitCode()).toBeNull();
  });
});

describe('one malformed upgrade or request to the server', () => {
  it.each([
    ['a bad percent-escape in the webchat path', 400, (url: string) => upgradeRequest(url, '/webchat/%E0%A4%A/socket')],
    ['an absolute-form target that is not a URL', 400, (url: string) => upgradeRequest(url, 'http://[/sync')],
    ['a target of two slashes', 400, (url: string) => upgradeRequest(url, '//')],
    ['a webchat slug holding a NUL', 404, (url: string) => upgradeRequest(url, '/webchat/de%00mo/socket')],
    ['a bad Sec-WebSocket-Key', 400, (url: string) => upgradeRequest(url, '/sync', { 'Sec-WebSocket-Key': 'short' })],
    ['Sec-WebSocket-Version 99', 400, (url: string) => upgradeRequest(url, '/webchat/demo/socket', { 'Sec-WebSocket-Version': '99' })],
    ['no request line at all', 400, () => '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 not HTTP\r\n\r\n'],
    [
      'a webchat page slug holding a NUL',
      404,
      (url: string) => `GET /webchat/de%00mo HTTP/1.1\r\nHost: ${new URL(url).host}\r\nConnection: close\r\n\r\n`,
    ],
    [
      'an invitation link asking two languages',
      404,
      () => 'GET /invite/nope?lang=es&lang=en HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    ],
  ])('%s is answered %i and the server goes on', async (_what, status, request) => {
    const reply = await rawExchange(server.url, request(server.url));
    expect(reply.status).toBe(status);
    await check.full();
    expect(server.exitCode()).toBeNull();
  });
});

describe('the headless host’s own port', () => {
  const ipcPath = () => `/ipc?token=${encodeURIComponent(host.token)}`;
  const origin = () => new URL(host.url).origin;

  it.each([
    ['an absolute-form target that is not a URL', () => upgradeRequest(host.url, 'http://[/ipc', { Origin: origin() })],
    ['a target of two slashes', () => upgradeRequest(host.url, '//', { Origin: origin() })],
    ['a bad percent-escape in a page path', () => `GET /%E0%A4%A HTTP/1.1\r\nHost: ${new URL(host.url).host}\r\nConnection: close\r\n\r\n`],
    ['no request line at all', () => '\x00\x01garbage\r\n\r\n'],
  ])('%s is answered 400 and the host goes on', async (_what, request) => {
    const reply = await rawExchange(host.url, request());
    expect(reply.status).toBe(400);
    await ipcStillServes(host);
  });

  it.each([
    ['a text frame with invalid UTF-8', () => text(INVALID_UTF8), 1007],
    ['a frame with RSV2 set', () => text('{}', { rsv: 2 }), 1002],
    ['a frame over its 16 MiB limit', () => encodeFrame({ opcode: Opcode.binary, declaredLength: 16n * 1024n * 1024n + 1n }), 1009],
  ])('%s on /ipc closes that socket with the right code and the host goes on', async (_what, frame, code) => {
    const ws = await RawWebSocket.open(host.url, ipcPath(), { Origin: origin() });
    ws.write(frame());
    expect((await ws.closedWithin()).code).toBe(code);
    await ipcStillServes(host);
  });
});

describe('the headless app with its embedded server', () => {
  it('keeps running when a visitor’s socket on its embedded server gets a bad frame', async () => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'src-main/host/headless/cli.ts',
        '--demo',
        '--server-port',
        '0',
        '--port',
        '0',
        '--data-dir',
        mkdtempSync(join(tmpdir(), 'bandeja-app-')),
      ],
      { cwd: resolve(import.meta.dirname, '../..'), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.resume();
    try {
      await expect.poll(() => /Bandeja headless UI on/.test(out), { timeout: 60_000, interval: 100 }).toBe(true);
      const serverUrl = /Bandeja server listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)![1]!;
      const ws = await RawWebSocket.open(serverUrl, '/webchat/demo/socket');
      ws.write(text(INVALID_UTF8));
      expect((await ws.closedWithin()).code).toBe(1007);
      await (await stillServing(serverUrl)).full();
      expect(child.exitCode).toBeNull();
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  }, 90_000);
});
