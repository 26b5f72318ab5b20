// Stopping the server (SIGTERM) while customers, agents and browsers are connected: every socket is
// told "restarting" (1012: reconnect now, elsewhere), every HTTP connection is closed, and the process exits cleanly at once
// instead of waiting out the connections (a webchat page open in Chromium held it ~60 s).
import { Agent, request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import { CloseCode, MAX_PUSH_MUTATIONS } from '../../src-shared/protocol';
import { openStore } from '../../src-server/app';
import { Paths } from '../../src-shared/http';
import { startServerProcess, type ServerProcess } from '../support/server-process';
import { login, SyncPeer } from '../support/sync-peer';
import { WebchatCustomer } from '../support/webchat-customer';

let server: ServerProcess | null = null;
const agent = new Agent({ keepAlive: true });
const sockets: Socket[] = [];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  agent.destroy();
  await server?.kill();
});

/** A GET on a keep-alive connection that stays open in the agent's pool afterwards. */
function keepAliveGet(url: string): Promise<{ status: number; socket: Socket }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent }, (res) => {
      const socket = res.socket as Socket;
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, socket }));
    });
    req.on('error', reject);
    req.end();
  });
}

function closedSocket(socket: Socket): Promise<void> {
  return new Promise((resolve) => (socket.destroyed ? resolve() : socket.once('close', () => resolve())));
}

describe('server shutdown', () => {
  // Without closing every connection, the exit waits for Node's 60 s headers timeout: longer than this test may take.
  it('closes sockets with 1012 and HTTP connections, and exits with code 0', { timeout: 30_000 }, async () => {
    server = await startServerProcess({ demo: true });
    const carla = await WebchatCustomer.join(server.url, 'demo', 'Carla');
    await carla.say('Hola, ¿siguen ahí?');
    const { token } = await login(server.url, 'ana@demo.test');
    const ana = await SyncPeer.connect(server.url, { token });

    // The page itself, fetched over a keep-alive connection that stays open, idle.
    const page = await keepAliveGet(server.url + Paths.webchatPage('demo'));
    expect(page.status).toBe(200);
    expect(page.socket.destroyed).toBe(false);
    // A connection that never sends a request, as browsers open ahead of time.
    const spare = connect(server.port, '127.0.0.1');
    sockets.push(spare);
    await new Promise<void>((resolve, reject) => spare.once('connect', () => resolve()).once('error', reject));

    await server.stop();

    expect(server.exitCode()).toBe(0);
    expect(await carla.closed).toMatchObject({ code: CloseCode.serviceRestart });
    expect(await ana.closed).toMatchObject({ code: CloseCode.serviceRestart });
    await Promise.all([closedSocket(page.socket), closedSocket(spare)]);
    expect(server.stderr()).toContain('SIGTERM: closing');
  });

  // A push being applied when SIGTERM comes completes and its result is sent before the 1012 close; what
  // the server had not started is not applied, and a resend after reconnecting is answered `already` for
  // what was. Either way each message is stored once.
  it('answers a push it is applying before closing with 1012, and applies nothing twice on the resend', { timeout: 60_000 }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'bandeja-shutdown-'));
    server = await startServerProcess({ demo: true, dataDir });
    const { token } = await login(server.url, 'ana@demo.test');
    const ana = await SyncPeer.connect(server.url, { token });
    const mutations = Array.from({ length: MAX_PUSH_MUTATIONS }, (_, i) => ({
      id: i + 1,
      name: 'message.send',
      args: { id: uuidv7(), conversationId: 'conversation-wa-lucia', body: `Respuesta ${i + 1}` },
      clientTime: Date.now(),
    }));
    const start = ana.frames.length;
    ana.send({ type: 'push', mutations });
    // Sent, and being applied (a hundred messages take a while): now the process is told to stop.
    await sleep(100);
    const stopped = server.stop();
    const closed = await ana.closed;
    await stopped;
    expect(server.exitCode()).toBe(0);
    expect(closed.code).toBe(CloseCode.serviceRestart);
    const answered = ana.frames.slice(start).some((f) => f.type === 'pushResult');
    console.log(`push ${answered ? 'answered' : 'not started'} before the close`);

    // The client comes back and sends again what was not answered, with the same ids.
    await server.restart();
    const again = await SyncPeer.connect(server.url, { token, clientId: ana.clientId });
    const results = answered ? [] : await again.pushMany(mutations);
    again.close();
    expect(results.every((r) => r.status === 'ok' || r.status === 'already')).toBe(true);
    await server.stop();
    const db = await openStore({ dataDir });
    try {
      const rows = await db.query<{ body: string; n: number }>(
        "SELECT body, count(*)::int AS n FROM messages WHERE body LIKE 'Respuesta %' GROUP BY body",
      );
      expect(rows).toHaveLength(MAX_PUSH_MUTATIONS);
      expect(rows.every((r) => r.n === 1)).toBe(true);
    } finally {
      await db.close();
    }
  });
});
