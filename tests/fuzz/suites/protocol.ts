// Protocol fuzzing over raw TCP (issue 12, class 1): random and hand-picked WebSocket frames on /sync
// (before and after hello), the anonymous webchat socket and the headless host's /ipc; broken upgrade
// requests; garbage HTTP against every route of the server and the host; and plain non-HTTP bytes.
// One server process and one headless host serve the whole run. After every case both still answer
// (/api/health, a call on /ipc); every FULL_CHECK_EVERY cases and at the end a visitor joins and talks
// and a device syncs. A frame the protocol forbids must close its socket with the code RFC 6455 asks
// for (1002, 1007, 1009); no case may get a 5xx or a 1011 (the server's own failure).
import { isUtf8 } from 'node:buffer';
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { INVITE_ACCEPT_PATH } from '../../../src-server/auth/invite';
import { WEBHOOK_PATH } from '../../../src-server/channels/whatsapp/webhook';
import { Paths } from '../../../src-shared/http';
import { MAX_FRAME_BYTES, PROTOCOL_VERSION, SCHEMA_VERSION } from '../../../src-shared/protocol';
import { startClientProcess, type ClientProcess } from '../../support/client-process';
import { encodeFrame, lengthForm, Opcode, rawExchange, RawWebSocket, upgradeRequest, type FrameSpec } from '../../support/raw-socket';
import { LOAD_TEST_LIMITS, startServerProcess, type ServerProcess } from '../../support/server-process';
import { ipcStillServes, stillServing, type StillServing } from '../../support/still-serving';
import { login } from '../../support/sync-peer';
import { checkProperty, type FuzzSuite } from '../harness';

/** The headless host's /ipc limit (src-main/host/headless/server.ts). */
const IPC_MAX_FRAME_BYTES = 16 * 1024 * 1024;
const FULL_CHECK_EVERY = 20;
/** How long a socket that must be closed may take; how long a valid one is watched. */
const CLOSE_WAIT_MS = 3000;
const OPEN_WAIT_MS = 120;
/** How long an HTTP exchange is watched (a server still waiting for bytes is not a failure). */
const HTTP_WAIT_MS = 1500;

type SocketTarget = 'webchat' | 'sync' | 'syncHello' | 'ipc';
/** Close codes /sync may choose itself after a valid message (bad token, protocol, client mismatch). */
const SYNC_APP_CODES = new Set([1008, 4400, 4401]);
/** The webchat socket closes 1008 itself after a few frames before a join (BANDEJA_HANDSHAKE_MAX_FRAMES). */
const WEBCHAT_APP_CODES = new Set([1008]);

interface Env {
  server: ServerProcess;
  host: ClientProcess;
  token: string;
  clientId: string;
  /** The host answers 503 on its pages when the renderer is not built (a bare checkout). */
  hostPagesBuilt: boolean;
}

type Case =
  | { kind: 'frames'; target: SocketTarget; frames: FrameSpec[]; chunk: number }
  | { kind: 'upgrade'; to: 'server' | 'host'; request: string }
  | { kind: 'http'; to: 'server' | 'host'; request: Buffer }
  | { kind: 'garbage'; to: 'server' | 'host'; bytes: Buffer };

// ---- What ws must do with a sequence of client frames (RFC 6455 section 5, as ws 8 checks it) ----

type Expected = { close: number | null; reason: string } | { close: 'none'; reason: string };

function isValidCloseCode(code: number): boolean {
  return (code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) || (code >= 3000 && code <= 4999);
}

function expectedOutcome(frames: FrameSpec[], maxPayload: number): Expected {
  let fragmented = 0;
  let total = 0n;
  let parts: Buffer[] = [];
  for (const [i, f] of frames.entries()) {
    const at = `frame ${i + 1}`;
    const payload = f.payload ?? Buffer.alloc(0);
    const length = f.declaredLength ?? BigInt(payload.length);
    const form = lengthForm(length, f.lengthForm);
    const field = form === 'short' ? Number(length & 0x7fn) : form === '16' ? 126 : 127;
    const rsv = f.rsv ?? 0;
    const fin = f.fin ?? true;
    if (rsv !== 0) return { close: 1002, reason: `${at}: a reserved bit set` };
    const op = f.opcode;
    if (op === Opcode.continuation) {
      if (!fragmented) return { close: 1002, reason: `${at}: a continuation with no message started` };
    } else if (op === Opcode.text || op === Opcode.binary) {
      if (fragmented) return { close: 1002, reason: `${at}: a new message inside a fragmented one` };
    } else if (op >= 0x8 && op <= 0xa) {
      if (!fin) return { close: 1002, reason: `${at}: a fragmented control frame` };
      if (field > 125 || (op === Opcode.close && field === 1)) return { close: 1002, reason: `${at}: a control frame of length ${length}` };
    } else return { close: 1002, reason: `${at}: reserved opcode ${op}` };
    if (f.mask === false) return { close: 1002, reason: `${at}: unmasked` };
    if (length > 2n ** 53n - 1n) return { close: 1009, reason: `${at}: a 64-bit length of ${length}` };
    if (op < 0x8) {
      if (!fin && !fragmented) fragmented = op;
      total += length;
      if (total > BigInt(maxPayload)) return { close: 1009, reason: `${at}: a message of ${total} bytes` };
    }
    // A length larger than the bytes that follow: the server waits for the rest.
    if (length > BigInt(payload.length)) return { close: 'none', reason: `${at}: waits for ${length} bytes` };
    if (op === Opcode.close) {
      if (payload.length === 0) return { close: null, reason: `${at}: a close without a code` };
      const code = payload.readUInt16BE(0);
      if (!isValidCloseCode(code)) return { close: 1002, reason: `${at}: close code ${code}` };
      if (!isUtf8(payload.subarray(2))) return { close: 1007, reason: `${at}: a close reason that is not UTF-8` };
      return { close: code, reason: `${at}: close ${code} echoed` };
    }
    if (op >= 0x8) continue;
    parts.push(payload);
    if (!fin) continue;
    const messageOpcode = fragmented || op;
    if (messageOpcode === Opcode.text && !isUtf8(Buffer.concat(parts))) return { close: 1007, reason: `${at}: text that is not UTF-8` };
    fragmented = 0;
    total = 0n;
    parts = [];
  }
  return { close: 'none', reason: fragmented ? 'a message left unfinished' : 'valid frames' };
}

// ---- Arbitraries ----

const INVALID_UTF8 = [
  [0xff],
  [0xc3, 0x28],
  [0xe2, 0x82],
  [0xed, 0xa0, 0x80],
  [0xc0, 0xaf],
  [0xf4, 0x90, 0x80, 0x80],
  [0xf8, 0x88, 0x80, 0x80, 0x80],
].map((b) => Buffer.from(b));

function jsonFrames(token: string, clientId: string): string[] {
  const hello = { type: 'hello', protocol: PROTOCOL_VERSION, schema: SCHEMA_VERSION, clientId, token, epoch: null, cursor: null };
  return [
    JSON.stringify({ ...hello, token: 'not-a-token' }),
    JSON.stringify({ ...hello, protocol: PROTOCOL_VERSION + 1 }),
    JSON.stringify({ ...hello, clientId: 'not-a-uuid', cursor: -1 }),
    JSON.stringify({ type: 'push', mutations: [{ id: 1, name: 'conversation.assign', args: {} }] }),
    JSON.stringify({ type: 'push', mutations: [{ id: 2 ** 53, name: 'note.add', args: { conversationId: 'x', body: '\u0000' } }] }),
    JSON.stringify({ type: 'join', visitorId: randomUUID(), secret: 'x'.repeat(48), name: 'Fuzz' }),
    JSON.stringify({ type: 'join', visitorId: 'nope', secret: '', name: '\u0000'.repeat(3) }),
    JSON.stringify({ type: 'say', id: randomUUID(), body: 'hello' }),
    JSON.stringify({ type: 'seen', messageId: 'x' }),
    JSON.stringify({ t: 'call', id: 1, op: 'app.info', args: {} }),
    JSON.stringify({ t: 'call', id: 2, op: '__proto__', args: null }),
    JSON.stringify({ t: 'call', id: 3, op: 'constructor', args: [] }),
    JSON.stringify({ t: 'call', id: 4, op: 'session.login', args: { serverUrl: 'http://[', email: 1 } }),
    '{"type":"__proto__","__proto__":{"polluted":true}}',
    '{"type":',
    'null',
    '[]',
    '"' + 'a'.repeat(1000) + '"',
  ];
}

function payloadArb(token: string, clientId: string): fc.Arbitrary<Buffer> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)) },
    { weight: 3, arbitrary: fc.string({ maxLength: 200, unit: 'grapheme' }).map((s) => Buffer.from(s)) },
    {
      weight: 3,
      arbitrary: fc
        .tuple(fc.string({ maxLength: 40 }), fc.constantFrom(...INVALID_UTF8), fc.string({ maxLength: 40 }))
        .map(([a, bad, b]) => Buffer.concat([Buffer.from(a), bad, Buffer.from(b)])),
    },
    { weight: 4, arbitrary: fc.constantFrom(...jsonFrames(token, clientId)).map((s) => Buffer.from(s)) },
    { weight: 2, arbitrary: fc.constantFrom(125, 126, 127, 65535, 65536).map((n) => Buffer.alloc(n, 0x61)) },
    // Around the server's 1 MiB limit: the last accepted size and the first refused one.
    { weight: 1, arbitrary: fc.constantFrom(MAX_FRAME_BYTES - 1, MAX_FRAME_BYTES, MAX_FRAME_BYTES + 1).map((n) => Buffer.alloc(n, 0x20)) },
  );
}

function closePayloadArb(): fc.Arbitrary<Buffer> {
  const code = fc.oneof(
    fc.constantFrom(1000, 1001, 1002, 1003, 1004, 1005, 1006, 1007, 1011, 1014, 1015, 999, 2999, 3000, 4999, 5000, 0, 65535),
    fc.integer({ min: 0, max: 65535 }),
  );
  const reason = fc.oneof(
    fc.string({ maxLength: 60 }).map((s) => Buffer.from(s).subarray(0, 120)),
    fc.constantFrom(...INVALID_UTF8),
  );
  return fc.oneof(
    fc.constant(Buffer.alloc(0)),
    fc.constant(Buffer.from([0x03])),
    fc.tuple(code, reason).map(([c, r]) => {
      const b = Buffer.alloc(2);
      b.writeUInt16BE(c);
      return Buffer.concat([b, r]);
    }),
  );
}

function frameArb(payload: fc.Arbitrary<Buffer>): fc.Arbitrary<FrameSpec> {
  const often = <T>(usual: T, other: fc.Arbitrary<T>) =>
    fc.oneof({ weight: 6, arbitrary: fc.constant(usual) }, { weight: 1, arbitrary: other });
  const common = {
    fin: often(true, fc.boolean()),
    rsv: often(0, fc.integer({ min: 1, max: 7 })),
    mask: often(true, fc.constant(false)),
    lengthForm: often<FrameSpec['lengthForm']>(undefined, fc.constantFrom<FrameSpec['lengthForm']>('16', '64')),
  };
  const data = fc.record({ ...common, opcode: fc.constantFrom(Opcode.text, Opcode.binary, Opcode.continuation), payload });
  const control = fc.record({
    ...common,
    opcode: fc.constantFrom(Opcode.close, Opcode.ping, Opcode.pong),
    payload: fc.oneof(
      closePayloadArb(),
      fc.uint8Array({ maxLength: 130 }).map((a) => Buffer.from(a)),
    ),
  });
  const anyOpcode = fc.record({
    ...common,
    opcode: fc.integer({ min: 0, max: 15 }),
    payload: fc.uint8Array({ maxLength: 40 }).map((a) => Buffer.from(a)),
  });
  // Lengths the bytes do not follow: 64-bit giants and just over a limit.
  const lying = fc.record({
    fin: fc.constant(true),
    opcode: fc.constantFrom(Opcode.text, Opcode.binary, Opcode.ping),
    declaredLength: fc.constantFrom(
      2n ** 53n,
      2n ** 63n - 1n,
      2n ** 64n - 1n,
      BigInt(MAX_FRAME_BYTES + 1),
      BigInt(IPC_MAX_FRAME_BYTES + 1),
    ),
  });
  return fc.oneof(
    { weight: 6, arbitrary: data },
    { weight: 3, arbitrary: control },
    { weight: 1, arbitrary: anyOpcode },
    { weight: 1, arbitrary: lying },
  );
}

/** Path pieces that parsers trip on. */
const PATH_PIECES = ['/', '//', '%', '%0', '%zz', '%E0%A4%A', '%00', '%ff', '%2e%2e', '..', '?', '#', '[', ']', '@', ':', ';', '\\', '*'];

function pathPieceArb(): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constantFrom(...PATH_PIECES, 'demo', 'ventas', 'webchat', 'socket', 'sync', 'ipc', 'media', 'a'.repeat(3000)),
    fc.string({ maxLength: 12 }).map((s) => encodeURIComponent(s)),
  );
}

function segmentArb(): fc.Arbitrary<string> {
  return fc.array(pathPieceArb(), { minLength: 1, maxLength: 4 }).map((p) => p.join(''));
}

function queryArb(): fc.Arbitrary<string> {
  const key = fc.constantFrom(
    'lang',
    'v',
    's',
    'token',
    'hub.mode',
    'hub.verify_token',
    'hub.challenge',
    'lang[]',
    'v[a]',
    '__proto__',
    'constructor',
    'x',
  );
  return fc.oneof(
    fc.constant(''),
    fc.array(fc.tuple(key, segmentArb()), { minLength: 1, maxLength: 4 }).map((kv) => `?${kv.map(([k, v]) => `${k}=${v}`).join('&')}`),
  );
}

function upgradeArb(env: Env): fc.Arbitrary<Case> {
  const to = fc.constantFrom<'server' | 'host'>('server', 'host');
  return to.chain((target) => {
    const url = target === 'server' ? env.server.url : env.host.url;
    const hostHeader = new URL(url).host;
    const path = fc.oneof(
      fc.constantFrom(
        Paths.sync,
        '/webchat/demo/socket',
        '/webchat/ventas/socket',
        '/webchat/nope/socket',
        '/webchat/%E0%A4%A/socket',
        '/webchat/%/socket',
        '/webchat/de%00mo/socket',
        '//',
        '///sync',
        'http://[/sync',
        'http://[::1/sync',
        'http://127.0.0.1:99999/sync',
        `http://${hostHeader}/sync`,
        'http:/sync',
        'ws://x/ipc',
        '*',
        '/sync?%zz',
        '/ipc',
        `/ipc?token=${encodeURIComponent(env.host.token)}`,
        '/ipc?token=%zz',
        'http://[/ipc',
      ),
      fc
        .tuple(fc.constantFrom('/webchat/', '/', '/ipc', 'http://', '/sync/'), segmentArb(), fc.constantFrom('', '/socket', '/'))
        .map((p) => p.join('')),
    );
    const header = (valid: string) =>
      fc.oneof(
        { weight: 5, arbitrary: fc.constant<string | null>(valid) },
        { weight: 1, arbitrary: fc.constant(null) },
        { weight: 1, arbitrary: fc.constantFrom('', ' ', 'x', '13, 8', 'websocket, h2c', 'a'.repeat(9000), 'ünïcödé') },
      );
    const method = fc.constantFrom('GET', 'GET', 'GET', 'POST', 'get', 'CONNECT', 'GARBAGE');
    const version = fc.constantFrom('HTTP/1.1', 'HTTP/1.1', 'HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'HTTP/9.9', '');
    const extra = fc.constantFrom(
      '',
      'X-Big: ' + 'a'.repeat(20_000) + '\r\n',
      'Host: other\r\n',
      'no colon here\r\n',
      ' folded\r\n',
      'X: \x01\r\n',
    );
    return fc
      .record({
        path,
        method,
        version,
        extra,
        upgrade: header('websocket'),
        connection: header('Upgrade'),
        key: header('dGhlIHNhbXBsZSBub25jZQ=='),
        wsVersion: header('13'),
        origin: header(new URL(url).origin),
      })
      .map((r): Case => {
        const base = upgradeRequest(url, r.path, {
          Upgrade: r.upgrade,
          Connection: r.connection,
          'Sec-WebSocket-Key': r.key,
          'Sec-WebSocket-Version': r.wsVersion,
          Origin: r.origin,
        });
        // The request line with this case's method and version; the extra header line before the blank line.
        const [, ...headers] = base.split('\r\n');
        const request = [`${r.method} ${r.path} ${r.version}`.trimEnd(), ...headers]
          .join('\r\n')
          .replace(/\r\n\r\n$/, `\r\n${r.extra}\r\n`);
        return { kind: 'upgrade', to: target, request };
      });
  });
}

function serverPathArb(): fc.Arbitrary<string> {
  const seg = segmentArb();
  const sha = fc.oneof(
    fc.constant('a'.repeat(64)),
    fc.uint8Array({ minLength: 32, maxLength: 32 }).map((a) => Buffer.from(a).toString('hex')),
    seg,
  );
  return fc.oneof(
    fc.constantFrom(
      Paths.health,
      Paths.login,
      Paths.logout,
      INVITE_ACCEPT_PATH,
      WEBHOOK_PATH,
      Paths.sync,
      '/webchat/demo/socket',
      '/',
      '*',
    ),
    seg.map((s) => `/invite/${s}`),
    sha.map((s) => `/blobs/${s}`),
    fc.constantFrom('demo', 'ventas', 'nope', '%00', '%E0%A4%A').map((s) => `/webchat/${s}`),
    seg.map((s) => `/webchat/${s}`),
    fc.tuple(fc.constantFrom('demo', 'ventas', '%00'), sha).map(([s, h]) => `/webchat/${s}/media/${h}`),
    seg.map((s) => `/${s}`),
  );
}

function hostPathArb(): fc.Arbitrary<string> {
  const seg = segmentArb();
  return fc.oneof(
    fc.constantFrom('/', '/index.html', '/ipc', '/assets/', '/..%2f..%2fetc%2fpasswd', '/%2e%2e/%2e%2e/etc/passwd', '//', 'http://['),
    seg.map((s) => `/assets/${s}`),
    seg.map((s) => `/${s}`),
  );
}

function httpArb(env: Env): fc.Arbitrary<Case> {
  const bodies = [
    '',
    '{"email":"ana@demo.test","password":"wrong"}',
    '{"email":"a\\u0000@x.co","password":"\\u0000"}',
    '{"email":["ana@demo.test"],"password":{"$gt":""}}',
    '{"__proto__":{"polluted":true}}',
    '{"constructor":{"prototype":{"polluted":true}}}',
    '{"token":"x","password":"12345678"}',
    '{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{}}]}]}',
    '[',
    'null',
    '"\\ud800"',
  ];
  const body = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...bodies).map((s) => Buffer.from(s)) },
    { weight: 2, arbitrary: fc.uint8Array({ maxLength: 400 }).map((a) => Buffer.from(a)) },
    { weight: 2, arbitrary: fc.string({ maxLength: 200 }).map((s) => Buffer.from(s)) },
    { weight: 1, arbitrary: fc.constant(Buffer.alloc(MAX_FRAME_BYTES + 1, 0x7b)) },
  );
  const contentType = fc.constantFrom(
    null,
    'application/json',
    'application/json; charset=utf-16',
    'text/plain',
    'image/png',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'multipart/form-data',
    '',
    ';;;',
    'application/json\x7f',
  );
  const authorization = fc.constantFrom(
    null,
    `Bearer ${env.token}`,
    'Bearer nope',
    'Bearer',
    'Bearer a b',
    'Basic YTpi',
    'bearer ' + 'x'.repeat(5000),
  );
  const extra = fc.constantFrom(
    '',
    'Range: bytes=0-\r\n',
    'Range: bytes=-5\r\n',
    'Range: bytes=5-1\r\n',
    'Range: bytes=99999999999999999999-\r\n',
    'Range: bytes=0-1,2-3\r\n',
    'X-Hub-Signature-256: sha256=' + '0'.repeat(64) + '\r\n',
    'X-Hub-Signature-256: sha256=zz\r\n',
    'Accept-Language: ' + 'es;q=0.9,'.repeat(200) + '\r\n',
    'Accept-Language: \xff\xfe\r\n',
    'Content-Encoding: gzip\r\n',
    'Expect: 100-continue\r\n',
    'Transfer-Encoding: chunked\r\nContent-Length: 3\r\n',
  );
  const framing = fc.constantFrom('length', 'length', 'chunked', 'none', 'short');
  return fc.constantFrom<'server' | 'host'>('server', 'server', 'server', 'host').chain((to) =>
    fc
      .record({
        method: fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'BREW', 'get'),
        path: to === 'server' ? serverPathArb() : hostPathArb(),
        query: queryArb(),
        body,
        contentType,
        authorization,
        extra,
        framing,
      })
      .map((r): Case => {
        const url = to === 'server' ? env.server.url : env.host.url;
        const head = [`${r.method} ${r.path}${r.query} HTTP/1.1`, `Host: ${new URL(url).host}`, 'Connection: close'];
        if (r.contentType !== null) head.push(`Content-Type: ${r.contentType}`);
        if (r.authorization !== null) head.push(`Authorization: ${r.authorization}`);
        let payload = r.body;
        if (r.framing === 'length') head.push(`Content-Length: ${payload.length}`);
        else if (r.framing === 'short') head.push(`Content-Length: ${Math.max(0, payload.length - 3)}`);
        else if (r.framing === 'chunked') {
          head.push('Transfer-Encoding: chunked');
          payload = Buffer.concat([Buffer.from(`${payload.length.toString(16)}\r\n`), payload, Buffer.from('\r\n0\r\n\r\n')]);
        } else payload = Buffer.alloc(0);
        const request = Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n${r.extra}\r\n`, 'latin1'), payload]);
        return { kind: 'http', to, request };
      }),
  );
}

function garbageArb(): fc.Arbitrary<Case> {
  const bytes = fc.oneof(
    fc.uint8Array({ minLength: 1, maxLength: 2000 }).map((a) => Buffer.from(a)),
    fc.string({ maxLength: 300 }).map((s) => Buffer.from(s)),
    fc.constantFrom(
      Buffer.from('\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03'),
      Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'),
      Buffer.from(`GET / HTTP/1.1\r\nX: ${'a'.repeat(100_000)}\r\n\r\n`),
      Buffer.from(`GET /${'a'.repeat(100_000)} HTTP/1.1\r\n\r\n`),
      Buffer.from('GET / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n'),
      Buffer.from('GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n'),
      Buffer.from('GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n'),
      Buffer.from('\r\n\r\n\r\n'),
    ),
  );
  return fc.record({ to: fc.constantFrom<'server' | 'host'>('server', 'host'), bytes }).map((r): Case => ({ kind: 'garbage', ...r }));
}

function caseArb(env: Env): fc.Arbitrary<Case> {
  const payload = payloadArb(env.token, env.clientId);
  const frames = fc
    .record({
      target: fc.constantFrom<SocketTarget>('webchat', 'sync', 'syncHello', 'ipc'),
      frames: fc.array(frameArb(payload), { minLength: 1, maxLength: 4 }),
      chunk: fc.constantFrom(0, 0, 1, 7, 100),
    })
    .map((r): Case => ({ kind: 'frames', ...r }));
  const any = fc.oneof(
    { weight: 10, arbitrary: frames },
    { weight: 3, arbitrary: upgradeArb(env) },
    { weight: 5, arbitrary: httpArb(env) },
    { weight: 2, arbitrary: garbageArb() },
  );
  // fast-check prints a failing case with this: one line, however big its payload.
  return any.map((c) => Object.assign(c, { [fc.toStringMethod]: () => describeCase(c) }));
}

/** One line per case, short even when a payload is a megabyte. */
function describeCase(c: Case): string {
  const text = (b: Buffer) => JSON.stringify(b.subarray(0, 120).toString('latin1')) + (b.length > 120 ? `…(${b.length} bytes)` : '');
  switch (c.kind) {
    case 'frames':
      return `${c.target}${c.chunk ? ` in ${c.chunk} KiB writes` : ''}: ${c.frames
        .map(
          (f) =>
            `[op ${f.opcode}${f.fin === false ? ' !fin' : ''}${f.rsv ? ` rsv ${f.rsv}` : ''}${f.mask === false ? ' unmasked' : ''}${f.lengthForm ? ` len${f.lengthForm}` : ''}${f.declaredLength !== undefined ? ` declares ${f.declaredLength}` : ''} ${text(f.payload ?? Buffer.alloc(0))}]`,
        )
        .join(' ')}`;
    case 'upgrade':
      return `upgrade to ${c.to}: ${text(Buffer.from(c.request, 'latin1'))}`;
    case 'http':
      return `http to ${c.to}: ${text(c.request)}`;
    case 'garbage':
      return `bytes to ${c.to}: ${text(c.bytes)}`;
  }
}

// ---- Running a case ----

const socketPath = (target: SocketTarget, env: Env) =>
  target === 'webchat' ? '/webchat/demo/socket' : target === 'ipc' ? `/ipc?token=${encodeURIComponent(env.host.token)}` : Paths.sync;

async function openSocket(target: SocketTarget, env: Env): Promise<RawWebSocket> {
  const url = target === 'ipc' ? env.host.url : env.server.url;
  const ws = await RawWebSocket.open(url, socketPath(target, env), target === 'ipc' ? { Origin: new URL(url).origin } : {});
  if (target !== 'syncHello') return ws;
  const hello = {
    type: 'hello',
    protocol: PROTOCOL_VERSION,
    schema: SCHEMA_VERSION,
    clientId: env.clientId,
    token: env.token,
    epoch: null,
    cursor: null,
  };
  ws.write(encodeFrame({ opcode: Opcode.text, payload: Buffer.from(JSON.stringify(hello)) }));
  const deadline = Date.now() + CLOSE_WAIT_MS * 3;
  while (!ws.frames.some((f) => f.opcode === Opcode.text && /"type":"snapshotEnd"/.test(f.payload.toString()))) {
    if (Date.now() > deadline) throw new Error('A signed-in /sync socket got no snapshot.');
    await new Promise((r) => setTimeout(r, 10));
  }
  return ws;
}

async function runFrames(c: Extract<Case, { kind: 'frames' }>, env: Env): Promise<void> {
  const ws = await openSocket(c.target, env);
  try {
    const bytes = Buffer.concat(c.frames.map((f) => encodeFrame(f)));
    if (c.chunk === 0) ws.write(bytes);
    else for (let i = 0; i < bytes.length; i += c.chunk * 1024) ws.write(bytes.subarray(i, i + c.chunk * 1024));
    const expected = expectedOutcome(c.frames, c.target === 'ipc' ? IPC_MAX_FRAME_BYTES : MAX_FRAME_BYTES);
    const appCodes = c.target === 'sync' ? SYNC_APP_CODES : c.target === 'webchat' ? WEBCHAT_APP_CODES : new Set<number>();
    const mayCloseItself = appCodes.size > 0;
    if (expected.close !== 'none') {
      const got = await ws.closeFrameWithin(CLOSE_WAIT_MS);
      if (!got) throw new Error(`Expected close ${expected.close} (${expected.reason}); the socket stayed open.`);
      if (got.tcpOnly) throw new Error(`Expected close ${expected.close} (${expected.reason}); the connection ended with no close frame.`);
      if (got.code !== expected.close && !(mayCloseItself && got.code !== null && appCodes.has(got.code)))
        throw new Error(`Expected close ${expected.close} (${expected.reason}); got ${got.code}.`);
    } else {
      const got = await ws.closeFrameWithin(OPEN_WAIT_MS);
      if (got && !(mayCloseItself && got.code !== null && appCodes.has(got.code)))
        throw new Error(
          `Expected the socket to stay open (${expected.reason}); got ${got.tcpOnly ? 'the connection cut' : `close ${got.code}`}.`,
        );
    }
    const errorFrame = ws.frames.find((f) => f.opcode === Opcode.text && /"code":"INTERNAL"/.test(f.payload.toString()));
    if (errorFrame) throw new Error(`The server failed on it: ${errorFrame.payload.toString().slice(0, 300)}`);
  } finally {
    ws.destroy();
  }
}

async function runExchange(to: 'server' | 'host', bytes: string | Buffer, env: Env): Promise<void> {
  const url = to === 'server' ? env.server.url : env.host.url;
  const reply = await rawExchange(url, bytes, HTTP_WAIT_MS);
  const status = reply.status;
  if (status === null || status < 500) return;
  if (to === 'host' && status === 503 && !env.hostPagesBuilt) return;
  throw new Error(`Answered ${status}: ${reply.bytes.subarray(0, 300).toString('latin1')}`);
}

async function runCase(c: Case, env: Env): Promise<void> {
  if (c.kind === 'frames') return runFrames(c, env);
  if (c.kind === 'upgrade') return runExchange(c.to, Buffer.from(c.request, 'latin1'), env);
  if (c.kind === 'http') return runExchange(c.to, c.request, env);
  return runExchange(c.to, c.bytes, env);
}

const suite: FuzzSuite = {
  name: 'protocol',
  description:
    'raw TCP frames, upgrades, HTTP and garbage against /sync, the webchat socket, every route and the headless host; both processes must keep serving',
  async run(opts) {
    const started = Date.now();
    const server = await startServerProcess({ demo: true, env: LOAD_TEST_LIMITS });
    let host: ClientProcess | undefined;
    const figures = { frames: 0, upgrades: 0, requests: 0, garbage: 0, fullChecks: 0 };
    try {
      let check: StillServing;
      [host, check] = await Promise.all([startClientProcess({ serverUrl: server.url }), stillServing(server.url)]);
      const page = await fetch(host.url);
      await page.body?.cancel();
      const env: Env = {
        server,
        host,
        token: (await login(server.url, 'ana@demo.test')).token,
        clientId: randomUUID(),
        hostPagesBuilt: page.status !== 503,
      };
      const exited = () => new Error(`The server process exited (code ${server.exitCode()}):\n${server.stderr().slice(-1500)}`);
      const stillUp = async (full: boolean) => {
        if (server.exitCode() !== null) throw exited();
        await (full ? check.full() : check.health()).catch(async (e: unknown) => {
          // A process that just died may not have been reaped yet: say so, with what it printed.
          await new Promise((r) => setTimeout(r, 300));
          throw server.exitCode() !== null ? exited() : e;
        });
        await ipcStillServes(env.host).catch((e: unknown) => {
          throw new Error(
            `The headless host stopped serving: ${e instanceof Error ? e.message : String(e)}\n${env.host.stderr().slice(-2000)}`,
          );
        });
        if (full) figures.fullChecks++;
      };
      opts.log(`the server and the headless host are ready (${((Date.now() - started) / 1000).toFixed(1)} s)`);
      let n = 0;
      const property = fc.asyncProperty(fc.noShrink(caseArb(env)), async (c) => {
        n++;
        try {
          await runCase(c, env);
          await stillUp(n % FULL_CHECK_EVERY === 0);
        } catch (e) {
          throw new Error(`${describeCase(c)}\n  ${e instanceof Error ? e.message : String(e)}`);
        }
        if (c.kind === 'frames') figures.frames += c.frames.length;
        else if (c.kind === 'upgrade') figures.upgrades++;
        else if (c.kind === 'http') figures.requests++;
        else figures.garbage++;
        if (n % FULL_CHECK_EVERY === 0) opts.log(`${n} cases: the server and the host still serve a visitor, a device and /ipc`);
      });
      const result = await checkProperty('protocol', property, opts, () => ({ ...figures }));
      if (result.failures === 0) {
        try {
          await stillUp(true);
          result.figures = { ...figures };
        } catch (e) {
          result.failures = 1;
          result.failure = `After the last case: ${e instanceof Error ? e.message : String(e)}`;
        }
      }
      return result;
    } finally {
      await host?.stop();
      await server.stop();
    }
  },
};

export default suite;
