// The headless host's HTTP side: serves the built renderer on loopback (with this launch's IPC token
// in index.html) and carries the IPC contract over the /ipc WebSocket.
import { timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, resolve, sep } from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Dispatch } from '../../ipc/dispatch';
import type { IpcEventPayload } from '../../../src-shared/ipc';
import type { IpcEventEmitter } from '../../ipc/events';
import { REFUSAL_TEXT, refuseForeign } from './loopbackGuard';

export const TOKEN_META = 'bandeja-ipc-token';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.mp3': 'audio/mpeg',
  '.ogg': 'audio/ogg',
  '.wav': 'audio/wav',
  '.webm': 'audio/webm',
  '.txt': 'text/plain; charset=utf-8',
};

export interface HeadlessServerOptions {
  port: number;
  rendererDir: string;
  token: string;
  dispatch: Dispatch;
  events: IpcEventEmitter;
  log?: (message: string) => void;
}

export interface HeadlessServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

function csp(port: number): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "media-src 'self' blob:",
    "font-src 'self' data:",
    `connect-src 'self' ws://127.0.0.1:${port} ws://localhost:${port}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

function escapeAttr(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

interface CallFrame {
  t: 'call';
  id: number;
  op: string;
  args: unknown;
}

function parseCall(text: string): CallFrame | null {
  try {
    const raw = JSON.parse(text) as Partial<CallFrame> | null;
    if (raw && raw.t === 'call' && typeof raw.id === 'number' && typeof raw.op === 'string') return raw as CallFrame;
  } catch {
    // not JSON
  }
  return null;
}

export async function startHeadlessServer(opts: HeadlessServerOptions): Promise<HeadlessServer> {
  const log = opts.log ?? ((m: string) => console.error(m));
  const rendererDir = resolve(opts.rendererDir);
  const indexPath = join(rendererDir, 'index.html');
  if (!existsSync(indexPath))
    log(
      `The renderer is not built (${indexPath} is missing): run \`npm run build:renderer\`, or start with \`npm run start:headless\`, which builds it first.`,
    );
  let port = opts.port;

  function sendIndex(res: ServerResponse, head: boolean): void {
    let html: string;
    try {
      html = readFileSync(indexPath, 'utf8');
    } catch {
      res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('The Bandeja UI is not built. Run `npm run build:renderer` (or `npm run start:headless`, which builds it), then reload.\n');
      return;
    }
    const meta = `<meta name="${TOKEN_META}" content="${escapeAttr(opts.token)}">`;
    html = html.includes('</head>') ? html.replace('</head>', `    ${meta}\n  </head>`) : meta + html;
    res.writeHead(200, {
      'content-type': CONTENT_TYPES['.html'],
      'content-security-policy': csp(port),
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
    });
    res.end(head ? undefined : html);
  }

  function onRequest(req: IncomingMessage, res: ServerResponse): void {
    const foreign = refuseForeign(req.headers, port);
    if (foreign) {
      res.writeHead(foreign.status, { 'content-type': 'text/plain; charset=utf-8', connection: 'close' });
      res.end(`${REFUSAL_TEXT[foreign.status]}: this is Bandeja's local UI, open it at http://127.0.0.1:${port}\n`);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' });
      res.end();
      return;
    }
    const head = req.method === 'HEAD';
    let pathname: string;
    try {
      pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    } catch {
      res.writeHead(400);
      res.end();
      return;
    }
    if (pathname === '/' || pathname === '/index.html') return sendIndex(res, head);
    const file = resolve(rendererDir, `.${pathname}`);
    if (!file.startsWith(rendererDir + sep)) {
      res.writeHead(404);
      res.end();
      return;
    }
    let isFile = false;
    try {
      isFile = statSync(file).isFile();
    } catch {
      isFile = false;
    }
    if (isFile) {
      res.writeHead(200, {
        'content-type': CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
        'x-content-type-options': 'nosniff',
        // Vite names built assets by content hash: they never change under the same name.
        'cache-control': pathname.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
      });
      res.end(head ? undefined : readFileSync(file));
      return;
    }
    // A missing asset is a 404; any other path is a route of the single-page app.
    if (extname(pathname) !== '') {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('Not found\n');
      return;
    }
    sendIndex(res, head);
  }

  const http = createServer(onRequest);
  const wss = new WebSocketServer({ noServer: true, maxPayload: 16 * 1024 * 1024 });
  // A notification raised while no page is open (the tab closed, or before the first one loads) is
  // shown by the next page that connects, rather than lost.
  const unshown: IpcEventPayload<'notification.show'>[] = [];
  const stopKeeping = opts.events.on('notification.show', (n) => {
    if (wss.clients.size === 0 && unshown.push(n) > 50) unshown.shift();
  });

  function refuse(socket: Duplex, status: string): void {
    socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  }

  http.on('upgrade', (req: IncomingMessage, socket: Duplex, headBuf: Buffer) => {
    socket.on('error', () => undefined);
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      // `//`, `http://[`: not a request target; the client's mistake must not stop the host.
      return refuse(socket, '400 Bad Request');
    }
    if (url.pathname !== '/ipc') return refuse(socket, '404 Not Found');
    // Only pages this host served may drive the core: other sites in the browser cannot know the
    // token, and a page from another origin (or a rebound name) fails the Host and Origin checks.
    const foreign = refuseForeign(req.headers, port, true);
    if (foreign) return refuse(socket, REFUSAL_TEXT[foreign.status]);
    if (!sameSecret(url.searchParams.get('token') ?? '', opts.token)) return refuse(socket, '403 Forbidden');
    wss.handleUpgrade(req, socket, headBuf, (ws) => onIpcSocket(ws));
  });

  function onIpcSocket(ws: WebSocket): void {
    const send = (frame: unknown) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame));
    };
    const unsubscribe = opts.events.onAny((event, payload) => send({ t: 'event', event, payload }));
    for (const payload of unshown.splice(0)) send({ t: 'event', event: 'notification.show', payload });
    ws.on('message', (data, isBinary) => {
      const call = isBinary ? null : parseCall(data.toString());
      if (!call) {
        log('ipc: ignoring a frame that is not a call');
        return;
      }
      void opts.dispatch(call.op, call.args).then((reply) => send({ t: 'reply', id: call.id, reply }));
    });
    ws.on('close', unsubscribe);
    ws.on('error', () => undefined);
  }

  await new Promise<void>((resolveListen, reject) => {
    http.once('error', reject);
    http.listen(opts.port, '127.0.0.1', () => {
      http.off('error', reject);
      resolveListen();
    });
  });
  port = (http.address() as AddressInfo).port;
  let closing: Promise<void> | null = null;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close() {
      stopKeeping();
      closing ??= new Promise<void>((done) => {
        for (const ws of wss.clients) ws.terminate();
        wss.close();
        http.closeAllConnections();
        http.close(() => done());
      });
      return closing;
    },
  };
}
