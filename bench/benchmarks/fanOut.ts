// (f) Server fan-out: every user of the dataset (1,000 agents, supervisors, admins at scale 1) holds a
// /sync connection to one real server process (hello with the dataset's epoch and cursor: no bootstrap).
// A webchat customer writes in the big team's inbox; the delay from `say` to the `changes` frame holding
// that message is taken at every connection that may see it (supervisors, admins, the team's agents).
// Reference, same run: a bare `ws` server process broadcasting a frame of the same size to as many
// sockets. Also how long connecting everyone took to settle (each connection's presence change is
// announced to all the others), and memory per idle connection: a fresh server process (and a fresh bare
// `ws` one) under lib/memoryProbe.ts gets its connections in steps (0, 1/4, ... all the users), and after
// each step, once quiet, two full collections in the server and its heap, external memory and VmRSS;
// the figure is the slope of a least-squares line through the steps (bytes per connection).
import WebSocket from 'ws';
import { v7 as uuidv7 } from 'uuid';
import { seesEverything } from '../../src-shared/rules/visibility';
import { WebchatCustomer } from '../../tests/support/webchat-customer';
import { WEBCHAT_SLUG, buildDirectory, helloFrame, teamId } from '../lib/dataset';
import type { BenchContext } from '../lib/context';
import { percentile, round, rssMiB, sleep, until, type Result } from '../lib/measure';
import type { ProbeMemory } from '../lib/memoryProbe';
import { memoryOf, serverDataCopy, spawnReady, startServer, type Child } from '../lib/processes';

const MESSAGES = 5;
const CONNECT_CONCURRENCY = 50;
/** Memory is read with 0, 1/STEPS, 2/STEPS ... of the users connected. */
const STEPS = 4;
/** Connections opened and closed before the first memory step, so what the first connection sets up
 *  once (statements, caches) is not counted as the steps' cost. */
const WARM_CONNECTIONS = 20;

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
    ws.once('open', () => ws.send(helloFrame(userId)));
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

function rawPeer(url: string, userId: string, markers: Set<string>): Promise<Peer> {
  return new Promise<Peer>((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    const peer: Peer = { ws, userId, lastFrameAt: 0, frames: 0, seen: new Map() };
    ws.once('open', () => resolve(peer));
    ws.once('error', reject);
    ws.on('message', (data) => {
      const at = nowMs();
      const text = data.toString();
      for (const m of markers) if (!peer.seen.has(m) && text.includes(m)) peer.seen.set(m, at);
    });
  });
}

interface MemoryStep extends ProbeMemory {
  connections: number;
}

/** Least-squares slope and r² of y over x. */
function fit(xs: number[], ys: number[]): { slope: number; r2: number } {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i]! - mx) * (ys[i]! - my);
    sxx += (xs[i]! - mx) ** 2;
    syy += (ys[i]! - my) ** 2;
  }
  return { slope: sxy / sxx, r2: syy === 0 ? 1 : (sxy * sxy) / (sxx * syy) };
}

function perConnection(steps: MemoryStep[]) {
  const xs = steps.map((s) => s.connections);
  const kib = (ys: number[]) => {
    const f = fit(xs, ys);
    return { kib: round(f.slope / 1024, 1), r2: round(f.r2, 3) };
  };
  return {
    heapPlusExternal: kib(steps.map((s) => s.heapUsed + s.external)),
    heap: kib(steps.map((s) => s.heapUsed)),
    external: kib(steps.map((s) => s.external)),
    rss: kib(steps.map((s) => s.rss)),
    steps: steps.map((s) => ({
      connections: s.connections,
      heapMiB: round(s.heapUsed / 2 ** 20, 1),
      externalMiB: round(s.external / 2 ** 20, 1),
      rssMiB: round(s.rss / 2 ** 20, 1),
    })),
  };
}

/** Opens connections in steps up to `total`, reading the server's memory after each (see the top). */
async function memorySteps(
  child: Child,
  total: number,
  open: (from: number, to: number) => Promise<Peer[]>,
  settle: (peers: Peer[]) => Promise<void>,
): Promise<MemoryStep[]> {
  const warm = await open(0, Math.min(WARM_CONNECTIONS, total));
  await settle(warm);
  for (const p of warm) p.ws.terminate();
  await sleep(1000);
  const peers: Peer[] = [];
  const steps: MemoryStep[] = [];
  for (let k = 0; k <= STEPS; k++) {
    const to = Math.round((k * total) / STEPS);
    if (to > peers.length) {
      peers.push(...(await open(peers.length, to)));
      await settle(peers);
    }
    steps.push({ connections: peers.length, ...(await memoryOf(child)) });
  }
  for (const p of peers) p.ws.terminate();
  return steps;
}

async function inBatches<T>(count: number, from: number, make: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let i = from; i < count; i += CONNECT_CONCURRENCY)
    out.push(...(await Promise.all(Array.from({ length: Math.min(CONNECT_CONCURRENCY, count - i) }, (_, j) => make(i + j)))));
  return out;
}

/** Memory per idle connection: the sync server (authenticated, welcomed, idle) and the bare ws server. */
async function idleMemory(serverDir: string, userIds: string[]) {
  const noMarkers = new Set<string>();
  const server = await startServer(serverDir, 0, { probe: true });
  let sync: MemoryStep[];
  try {
    const syncUrl = server.url.replace('http', 'ws') + '/sync';
    sync = await memorySteps(
      server,
      userIds.length,
      (from, to) => inBatches(to, from, (i) => connectPeer(syncUrl, userIds[i]!, noMarkers)),
      (peers) => quiet(peers, 1000, 600_000),
    );
  } finally {
    await server.stop();
  }
  const rawServer = await spawnReady(
    ['bench/lib/rawBroadcastServer.ts'],
    /raw broadcast on (ws:\/\/127\.0\.0\.1:\d+)/,
    {},
    60_000,
    undefined,
    true,
  );
  let raw: MemoryStep[];
  try {
    raw = await memorySteps(
      rawServer,
      userIds.length,
      (from, to) => inBatches(to, from, (i) => rawPeer(rawServer.url, userIds[i]!, noMarkers)),
      () => sleep(500),
    );
  } finally {
    await rawServer.stop();
  }
  const s = perConnection(sync);
  const r = perConnection(raw);
  return {
    sync: s,
    raw: r,
    ratioHeapPlusExternal: round(s.heapPlusExternal.kib / r.heapPlusExternal.kib, 1),
    ratioRss: round(s.rss.kib / r.rss.kib, 1),
  };
}

export async function fanOut(ctx: BenchContext): Promise<Result> {
  const dir = buildDirectory(ctx.manifest.shape);
  const users = dir.users;
  const big = teamId(0);
  const receivers = new Set(users.filter((u) => seesEverything(u.role) || u.teamIds.includes(big)).map((u) => u.id));
  const serverDir = serverDataCopy(ctx);
  const server = await startServer(serverDir);
  const syncUrl = server.url.replace('http', 'ws') + '/sync';
  const markers = new Set<string>();
  const notes: string[] = [];
  let latency: Record<string, unknown>;
  let ratio: number;
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
    const frameBytes = Math.round(percentile(frameSizes, 50));
    customer.close();
    for (const p of peers) p.ws.terminate();

    // Reference: a bare ws broadcast from its own process to as many sockets.
    const raw = await spawnReady(['bench/lib/rawBroadcastServer.ts'], /raw broadcast on (ws:\/\/127\.0\.0\.1:\d+)/);
    const rawTimes: number[] = [];
    try {
      const rawPeers = await inBatches(users.length, 0, (i) => rawPeer(raw.url, users[i]!.id, markers));
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
    ratio = p99 / rawP99;
    latency = {
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
      serverRssAllConnectedMiB: round(rssIdle, 1),
      allWelcomedMs: round(welcomedMs),
      connectSettledMs: round(settledMs),
      framesWhileConnecting,
    };
  } finally {
    await server.stop();
  }
  const memory = await idleMemory(
    serverDir,
    users.map((u) => u.id),
  );
  return {
    name: 'server fan-out',
    ratioLabel: 'delivery p99 / raw ws broadcast p99',
    ratio: round(ratio, 2),
    target: '<= 3',
    met: ratio <= 3,
    figures: {
      ...latency,
      // Heap + external after full collections; VmRSS slopes are in the details (the sync server's moves
      // with PGlite's and malloc's own memory more than with its connections: see its r2).
      idleConnectionKiB: {
        sync: memory.sync.heapPlusExternal.kib,
        raw: memory.raw.heapPlusExternal.kib,
        ratio: memory.ratioHeapPlusExternal,
      },
      idleMemorySync: memory.sync,
      idleMemoryRaw: memory.raw,
    },
    notes,
  };
}
