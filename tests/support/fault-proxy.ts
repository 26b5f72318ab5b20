// A man-in-the-middle on a real socket between a client core and the server, for fault tests.
// HTTP (login) is forwarded as is; WebSocket upgrades (/sync) are bridged frame by frame, and
// server->client frames can be dropped, or the connection cut right after a chosen frame.
//
//   const proxy = await startFaultProxy(server.url);
//   client --server proxy.url
//   proxy.dropServerFrames((f) => f.type === 'pushResult');     // the ack never arrives
//   const seen = proxy.cutAfter((f) => f.type === 'pushResult'); // drop it and cut both sides
//   proxy.refuse();  // every connection is reset: the server looks unreachable
//   proxy.pass();    // back to normal
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import WebSocket, { WebSocketServer } from 'ws';

export type ServerFrameLike = { type?: string; [key: string]: unknown };
type Predicate = (frame: ServerFrameLike) => boolean;

export interface FaultProxy {
  url: string;
  pass(): void;
  refuse(): void;
  dropServerFrames(predicate?: Predicate): void;
  /** Resolves with the first server frame matching `predicate`, which is dropped and both sides cut. */
  cutAfter(predicate: Predicate): Promise<ServerFrameLike>;
  /** Resolves when the server sends a frame matching `predicate` (whether or not it is passed on). */
  waitForServerFrame(predicate: Predicate, timeoutMs?: number): Promise<ServerFrameLike>;
  /** Open bridged WebSocket connections. */
  connections(): number;
  close(): Promise<void>;
}

interface Watch {
  predicate: Predicate;
  resolve: (frame: ServerFrameLike) => void;
}

export async function startFaultProxy(targetUrl: string): Promise<FaultProxy> {
  const target = new URL(targetUrl);
  let refusing = false;
  let drop: Predicate | null = null;
  let cut: Watch | null = null;
  const watches = new Set<Watch>();
  const sockets = new Set<Socket>();
  const pairs = new Set<{ down: WebSocket; up: WebSocket }>();

  function forwardHttp(req: IncomingMessage, res: ServerResponse): void {
    const upstream = request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host } },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => {
      res.destroy();
    });
    req.pipe(upstream);
  }

  const http = createServer(forwardHttp);
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 * 1024 });

  http.on('connection', (socket: Socket) => {
    if (refusing) {
      socket.destroy();
      return;
    }
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => undefined);
    if (refusing) {
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (down) => bridge(down, req.url ?? '/'));
  });

  function bridge(down: WebSocket, path: string): void {
    const up = new WebSocket(`ws://${target.host}${path}`, { maxPayload: 64 * 1024 * 1024 });
    const pair = { down, up };
    pairs.add(pair);
    const queued: string[] = [];
    const closeBoth = () => {
      pairs.delete(pair);
      down.terminate();
      up.terminate();
    };
    up.on('open', () => {
      for (const text of queued.splice(0)) up.send(text);
    });
    down.on('message', (data) => {
      const text = data.toString();
      if (up.readyState === WebSocket.OPEN) up.send(text);
      else queued.push(text);
    });
    up.on('message', (data) => {
      const text = data.toString();
      let frame: ServerFrameLike = {};
      try {
        frame = JSON.parse(text) as ServerFrameLike;
      } catch {
        // pass non-JSON through untouched
      }
      for (const w of [...watches])
        if (w.predicate(frame)) {
          watches.delete(w);
          w.resolve(frame);
        }
      if (cut && cut.predicate(frame)) {
        const watch = cut;
        cut = null;
        closeBoth();
        watch.resolve(frame);
        return;
      }
      if (drop && drop(frame)) return;
      if (down.readyState === WebSocket.OPEN) down.send(text);
    });
    up.on('close', (code) => {
      pairs.delete(pair);
      if (down.readyState === WebSocket.OPEN) down.close(code >= 3000 && code < 5000 ? code : 1001);
    });
    down.on('close', () => {
      pairs.delete(pair);
      if (up.readyState === WebSocket.OPEN || up.readyState === WebSocket.CONNECTING) up.terminate();
    });
    up.on('error', () => closeBoth());
    down.on('error', () => closeBoth());
  }

  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', () => resolve()));
  const port = (http.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    pass() {
      refusing = false;
      drop = null;
      cut = null;
    },
    refuse() {
      refusing = true;
      for (const p of [...pairs]) {
        p.down.terminate();
        p.up.terminate();
      }
      pairs.clear();
      for (const s of sockets) s.destroy();
    },
    dropServerFrames(predicate = () => true) {
      drop = predicate;
    },
    cutAfter(predicate) {
      return new Promise((resolve) => {
        cut = { predicate, resolve };
      });
    },
    waitForServerFrame(predicate, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const watch: Watch = {
          predicate,
          resolve: (f) => {
            clearTimeout(timer);
            resolve(f);
          },
        };
        const timer = setTimeout(() => {
          watches.delete(watch);
          reject(new Error(`the server sent no matching frame within ${timeoutMs} ms`));
        }, timeoutMs);
        watches.add(watch);
      });
    },
    connections: () => pairs.size,
    async close() {
      for (const p of pairs) {
        p.down.terminate();
        p.up.terminate();
      }
      for (const s of sockets) s.destroy();
      wss.close();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
