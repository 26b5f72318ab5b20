// An HTTP proxy in front of a real server that can hold blob uploads halfway: everything else (login,
// the /sync and webchat sockets) passes through untouched. Used to kill a client mid-upload.
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import WebSocket, { WebSocketServer } from 'ws';

export interface UploadGate {
  url: string;
  /** PUT /blobs requests seen, and how many of them reached the end of their body. */
  puts(): { started: number; completed: number };
  /** From now on, uploads stop after this many body bytes and wait (until the client goes away). */
  holdAfter(bytes: number | null): void;
  /** Resolves once an upload is being held halfway. */
  held(): Promise<void>;
  close(): Promise<void>;
}

export async function startUploadGate(target: string): Promise<UploadGate> {
  const to = new URL(target);
  let hold: number | null = null;
  let started = 0;
  let completed = 0;
  const heldWaiters: (() => void)[] = [];
  let heldNow = false;

  const server: Server = createServer((req: IncomingMessage, res) => {
    const isUpload = req.method === 'PUT' && req.url?.startsWith('/blobs/');
    if (isUpload) started++;
    const up = request({ host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    up.on('error', () => res.destroy());
    // The client went away (killed): the server sees its upload cut.
    const limit = isUpload ? hold : null;
    let sent = 0;
    // The client went away (killed) while its upload was held: the server sees the upload cut.
    const cutOff = () => {
      if (!req.complete || (limit !== null && sent >= limit)) up.destroy();
    };
    req.socket.on('close', cutOff);
    req.on('data', (chunk: Buffer) => {
      if (limit === null) return void up.write(chunk);
      if (sent >= limit) return;
      const part = chunk.subarray(0, limit - sent);
      sent += part.length;
      up.write(part);
      if (sent >= limit) {
        heldNow = true;
        for (const w of heldWaiters.splice(0)) w();
      }
    });
    req.on('end', () => {
      if (limit !== null && sent >= limit) return;
      if (isUpload) completed++;
      up.end();
    });
  });
  // Sockets are bridged message by message (as the fault proxy does).
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 * 1024 });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => undefined);
    wss.handleUpgrade(req, socket, head, (down) => {
      const up = new WebSocket(`ws://${to.host}${req.url ?? '/'}`, { maxPayload: 64 * 1024 * 1024 });
      const queued: string[] = [];
      up.on('open', () => {
        for (const text of queued.splice(0)) up.send(text);
      });
      down.on('message', (data) => {
        const text = data.toString();
        if (up.readyState === WebSocket.OPEN) up.send(text);
        else queued.push(text);
      });
      up.on('message', (data) => {
        if (down.readyState === WebSocket.OPEN) down.send(data.toString());
      });
      up.on('close', (code) => {
        if (down.readyState === WebSocket.OPEN) down.close(code >= 3000 && code < 5000 ? code : 1001);
      });
      down.on('close', () => up.terminate());
      up.on('error', () => down.terminate());
      down.on('error', () => up.terminate());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    puts: () => ({ started, completed }),
    holdAfter(bytes) {
      hold = bytes;
      heldNow = false;
    },
    held: () => (heldNow ? Promise.resolve() : new Promise((resolve) => heldWaiters.push(resolve))),
    async close() {
      for (const ws of wss.clients) ws.terminate();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
