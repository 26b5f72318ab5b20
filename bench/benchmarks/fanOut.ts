// (f) Server fan-out: every user of the dataset (1,000 agents, supervisors, admins at scale 1) holds a
// /sync connection to one real server process (hello with the dataset's epoch and cursor: no bootstrap).
// A webchat customer writes in the big team's inbox; the delay from `say` to the `changes` frame holding
// that message is taken at every connection that may see it (supervisors, admins, the team's agents).
// Reference, same run: a bare `ws` server process broadcasting a frame of the same size to as many
// sockets. Also: server memory per idle connection, and how long connecting everyone took to settle
// (each connection's presence change is announced to all the others).
import WebSocket from 'ws';
import { v7 as uuidv7 } from 'uuid';
import { PROTOCOL_VERSION, SCHEMA_VERSION } from '../../src-shared/protocol';
import { seesEverything } from '../../src-shared/rules/visibility';
import { WebchatCustomer } from '../../tests/support/webchat-customer';
import { EPOCH, VERSION, WEBCHAT_SLUG, buildDirectory, teamId, tokenOf } from '../lib/dataset';
import type { BenchContext } from '../lib/context';
import { percentile, round, rssMiB, sleep, until, type Result } from '../lib/measure';
import { serverDataCopy, spawnReady, startServer } from '../lib/processes';

const MESSAGES = 5;
const CONNECT_CONCURRENCY = 50;

interface Peer {
  ws: WebSocket;
  userId: string;
  lastFrameAt: number;
  frames: number;
  /** marker -> arrival (hrtime ms) */
  seen: Map<string, number>;
}

const nowMs = () => Number(process.hrtime.bigint()) / 1e6;

function connectPeer(syncUrl: string, userId: string, markers: Set<string>): Promise<Peer> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(syncUrl, { perMessageDeflate: false });
    const peer: Peer = { ws, userId, lastFrameAt: nowMs(), frames: 0, seen: new Map() };
    ws.once('error', reject);
    ws.once('open', () =>
      ws.send(
        JSON.stringify({
          type: 'hello',
          protocol: PROTOCOL_VERSION,
          schema: SCHEMA_VERSION,
          token: tokenOf(userId),
          clientId: uuidv7(),
          epoch: EPOCH,
          cursor: VERSION,
        }),
      ),
    );
    ws.on('message', (data) => {
      const at = nowMs();
      peer.lastFrameAt = at;
      peer.frames++;
      const text = data.toString();
      if (text.includes('"type":"welcome"')) resolve(peer);
      if (text.includes('"type":"error"')) reject(new Error(`${userId}: ${text}`));
      for (const m of markers)
        if (!peer.seen.has(m) && text.includes(m)) {
          peer.seen.set(m, at);
          frameSizes.push(text.length);
        }
    });
  });
}

/** Sizes of the frames that carried a measured message (the reference broadcasts as much). */
const frameSizes: number[] = [];

async function connectAll(url: string, userIds: string[], markers: Set<string>): Promise<Peer[]> {
  const peers: Peer[] = [];
  for (let i = 0; i < userIds.length; i += CONNECT_CONCURRENCY)
    peers.push(...(await Promise.all(userIds.slice(i, i + CONNECT_CONCURRENCY).map((u) => connectPeer(url, u, markers)))));
  return peers;
}

async function quiet(peers: Peer[], forMs: number, timeoutMs: number): Promise<void> {
  await until(() => nowMs() - Math.max(...peers.map((p) => p.lastFrameAt)) > forMs, timeoutMs, 'the connections to go quiet', 100);
}

export async function fanOut(ctx: BenchContext): Promise<Result> {
  const dir = buildDirectory(ctx.manifest.shape);
  const users = dir.users;
  const big = teamId(0);
  const receivers = new Set(users.filter((u) => seesEverything(u.role) || u.teamIds.includes(big)).map((u) => u.id));
  const server = await startServer(serverDataCopy(ctx));
  const syncUrl = server.url.replace('http', 'ws') + '/sync';
  const markers = new Set<string>();
  const notes: string[] = [];
  try {
    await sleep(1000);
    const rssBefore = rssMiB(server.pid);
    const t0 = nowMs();
    const peers = await connectAll(
      syncUrl,
      users.map((u) => u.id),
      markers,
    );
    const welcomedMs = nowMs() - t0;
    await quiet(peers, 2000, 600_000);
    const settledMs = nowMs() - t0 - 2000;
    const framesWhileConnecting = peers.reduce((n, p) => n + p.frames, 0);
    const rssIdle = rssMiB(server.pid);

    const customer = await WebchatCustomer.join(server.url, WEBCHAT_SLUG, 'Cliente Benchmark');
    await customer.say('primer mensaje para abrir la conversación');
    await quiet(peers, 1000, 120_000);
    const real: number[] = [];
    let frameBytes = 0;
    for (let i = 0; i < MESSAGES; i++) {
      const marker = `fanout-marker-${i}-${uuidv7()}`;
      markers.add(marker);
      const sent = nowMs();
      await customer.say(`Hola, sigo esperando mi pedido ${marker}`);
      await until(
        () => peers.filter((p) => p.seen.has(marker)).length >= receivers.size,
        120_000,
        `${receivers.size} deliveries of message ${i}`,
        5,
      );
      for (const p of peers) if (p.seen.has(marker)) real.push(p.seen.get(marker)! - sent);
      const strangers = peers.filter((p) => p.seen.has(marker) && !receivers.has(p.userId)).length;
      if (strangers) notes.push(`message ${i} reached ${strangers} connections that may not see it`);
      await quiet(peers, 500, 60_000);
    }
    frameBytes = Math.round(percentile(frameSizes, 50));
    customer.close();
    for (const p of peers) p.ws.terminate();

    // Reference: a bare ws broadcast from its own process to as many sockets.
    const raw = await spawnReady(['bench/lib/rawBroadcastServer.ts'], /raw broadcast on (ws:\/\/127\.0\.0\.1:\d+)/);
    const rawTimes: number[] = [];
    try {
      const rawPeers: Peer[] = [];
      for (let i = 0; i < users.length; i += CONNECT_CONCURRENCY)
        rawPeers.push(
          ...(await Promise.all(
            users.slice(i, i + CONNECT_CONCURRENCY).map(
              (u) =>
                new Promise<Peer>((resolve, reject) => {
                  const ws = new WebSocket(raw.url, { perMessageDeflate: false });
                  const peer: Peer = { ws, userId: u.id, lastFrameAt: 0, frames: 0, seen: new Map() };
                  ws.once('open', () => resolve(peer));
                  ws.once('error', reject);
                  ws.on('message', (data) => {
                    const at = nowMs();
                    const text = data.toString();
                    for (const m of markers) if (!peer.seen.has(m) && text.includes(m)) peer.seen.set(m, at);
                  });
                }),
            ),
          )),
        );
      const trigger = new WebSocket(raw.url, { perMessageDeflate: false });
      await new Promise((r) => trigger.once('open', r));
      for (let i = 0; i < MESSAGES; i++) {
        const marker = `raw-marker-${i}-${uuidv7()}`;
        markers.add(marker);
        const payload = JSON.stringify({ type: 'changes', marker, pad: 'x'.repeat(frameBytes) });
        const sent = nowMs();
        trigger.send(`broadcast ${payload}`);
        await until(() => rawPeers.every((p) => p.seen.has(marker)), 60_000, 'raw broadcast', 2);
        for (const p of rawPeers) rawTimes.push(p.seen.get(marker)! - sent);
        await sleep(300);
      }
      trigger.close();
      for (const p of rawPeers) p.ws.terminate();
    } finally {
      await raw.stop();
    }

    const p50 = percentile(real, 50);
    const p99 = percentile(real, 99);
    const rawP50 = percentile(rawTimes, 50);
    const rawP99 = percentile(rawTimes, 99);
    const ratio = p99 / rawP99;
    return {
      name: 'server fan-out',
      ratioLabel: 'delivery p99 / raw ws broadcast p99',
      ratio: round(ratio, 2),
      target: '<= 3',
      met: ratio <= 3,
      figures: {
        connections: peers.length,
        receiversPerMessage: receivers.size,
        messages: MESSAGES,
        frameBytes,
        deliveryP50Ms: round(p50, 1),
        deliveryP99Ms: round(p99, 1),
        rawBroadcastSockets: users.length,
        rawP50Ms: round(rawP50, 1),
        rawP99Ms: round(rawP99, 1),
        ratioP50: round(p50 / rawP50, 2),
        serverRssBeforeMiB: round(rssBefore, 1),
        serverRssIdleMiB: round(rssIdle, 1),
        kibPerIdleConnection: round(((rssIdle - rssBefore) * 1024) / peers.length, 1),
        allWelcomedMs: round(welcomedMs),
        connectSettledMs: round(settledMs),
        framesWhileConnecting,
      },
      notes,
    };
  } finally {
    await server.stop();
  }
}
