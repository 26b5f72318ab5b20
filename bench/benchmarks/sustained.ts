// (s) Sustained load: every user of the dataset's directory (1,000 agents, supervisors and admins at scale 1)
// holds a /sync connection while webchat customers write and agents reply at a steady rate for a while
// (BENCH_SUSTAINED_SECONDS, 60 by default). Customers write into the big team's webchat inbox, each at its
// own steady pace with at most one message unconfirmed (a tick that finds the last one unconfirmed is
// counted as missed, so the offered and the carried rates are both reported); the team's agents reply in
// the conversations they receive, likewise. Reported per store (PGlite in the server's data folder, and
// PostgreSQL when BANDEJA_BENCH_DATABASE_URL names a database this benchmark may empty): messages/s and
// actions/s carried; confirm and delivery p50/p99; frames and bytes sent per message, and frames sent to
// sockets that may not see the message; server CPU per message (from /proc); server memory at 1,000
// agents. References measured in the same run: a raw INSERT of the same message rows into the same
// database at the same concurrency, and a bare `ws` process broadcasting the same frames at the same rate
// to as many sockets as may see a message. On PostgreSQL the load is also spread over 3 server processes.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import WebSocket from 'ws';
import { openPg, openPglite, type Db } from '../../src-server/store/db';
import { Paths } from '../../src-shared/http';
import { seesEverything } from '../../src-shared/rules/visibility';
import { LOAD_TEST_LIMITS } from '../../tests/support/load-test-limits';
import type { BenchContext } from '../lib/context';
import { WEBCHAT_SLUG, buildDirectory, helloFrame, shapeFor, teamId } from '../lib/dataset';
import { percentile, round, rssMiB, sleep, until, type Result } from '../lib/measure';
import { spawnReady, type Child } from '../lib/processes';
import { writeDirectory } from '../lib/serverStore';

const SECONDS = Number(process.env.BENCH_SUSTAINED_SECONDS) || 60;
/** Offered rates at scale 1 (the target: 1,000 customer messages/s with 1,000 agents). */
const CUSTOMER_RATE = Number(process.env.BENCH_CUSTOMER_RATE) || 1000;
const ACTION_RATE = Number(process.env.BENCH_ACTION_RATE) || 200;
const CUSTOMERS = Number(process.env.BENCH_CUSTOMERS) || 200;
const CONNECT_CONCURRENCY = 50;
const CLK_TCK = 100;

const nowMs = () => Number(process.hrtime.bigint()) / 1e6;
/** Message bodies carry `bm-<n>-` so a frame is searched once for every message it holds. */
const MARK = /bm-(\d+)-/g;

interface Peer {
  ws: WebSocket;
  userId: string;
  receiver: boolean;
  frames: number;
  bytes: number;
  /** Frames that held no measured message (sent to a socket during the window). */
  idleFrames: number;
  lastFrameAt: number;
}

interface Load {
  sentAt: Map<number, number>;
  confirm: number[];
  delivery: number[];
  /** Deliveries counted per message, to find messages that reached fewer receivers than they should. */
  delivered: Map<number, number>;
  measuring: boolean;
}

function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after "pid (comm) ".
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

function startServerOn(dataDir: string, env: NodeJS.ProcessEnv): Promise<Child> {
  return spawnReady(
    ['src-server/cli.ts', '--port', '0', '--data-dir', dataDir],
    /Bandeja server listening on (http:\/\/127\.0\.0\.1:\d+)/,
    { ...LOAD_TEST_LIMITS, ...env },
    600_000,
  );
}

function connectPeer(syncUrl: string, userId: string, receiver: boolean, load: Load): Promise<Peer> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(syncUrl, { perMessageDeflate: false });
    const peer: Peer = { ws, userId, receiver, frames: 0, bytes: 0, idleFrames: 0, lastFrameAt: nowMs() };
    ws.once('error', reject);
    ws.once('open', () => ws.send(helloFrame(userId)));
    let welcomed = false;
    ws.on('message', (data: Buffer) => {
      const at = nowMs();
      peer.lastFrameAt = at;
      const text = data.toString();
      if (!welcomed) {
        if (text.includes('"type":"welcome"')) {
          welcomed = true;
          resolve(peer);
        } else if (text.includes('"type":"error"')) reject(new Error(`${userId}: ${text.slice(0, 300)}`));
        return;
      }
      if (!load.measuring) return;
      peer.frames++;
      peer.bytes += data.length;
      let any = false;
      for (const m of text.matchAll(MARK)) {
        const n = Number(m[1]);
        const sent = load.sentAt.get(n);
        if (sent === undefined) continue;
        any = true;
        // A message is counted once per socket: its row may come again (delivered, read).
        const key = n * 4096 + (peerIndex.get(peer) ?? 0);
        if (seenPairs.has(key)) continue;
        seenPairs.add(key);
        load.delivery.push(at - sent);
        load.delivered.set(n, (load.delivered.get(n) ?? 0) + 1);
      }
      if (!any) peer.idleFrames++;
    });
  });
}

const peerIndex = new WeakMap<Peer, number>();
const seenPairs = new Set<number>();

async function connectAll(urls: string[], users: { id: string; receiver: boolean }[], load: Load): Promise<Peer[]> {
  const peers: Peer[] = [];
  for (let i = 0; i < users.length; i += CONNECT_CONCURRENCY) {
    const batch = users.slice(i, i + CONNECT_CONCURRENCY);
    const made = await Promise.all(
      batch.map((u, j) => connectPeer(urls[(i + j) % urls.length]!.replace('http', 'ws') + '/sync', u.id, u.receiver, load)),
    );
    for (const p of made) peerIndex.set(p, peers.push(p) - 1);
  }
  return peers;
}

/** A webchat visitor that sends one message per tick when its last one was confirmed. */
class Customer {
  ws!: WebSocket;
  conversationId: string | null = null;
  private waiting: { id: string; n: number; at: number } | null = null;
  missed = 0;

  static async open(serverUrl: string, name: string, load: Load): Promise<Customer> {
    const c = new Customer();
    c.ws = new WebSocket(serverUrl.replace(/^http/, 'ws') + Paths.webchatSocket(WEBCHAT_SLUG), { perMessageDeflate: false });
    await new Promise<void>((resolve, reject) => {
      c.ws.once('open', () => resolve());
      c.ws.once('error', reject);
    });
    const joined = new Promise<void>((resolve, reject) => {
      c.ws.on('message', (data: Buffer) => {
        const f = JSON.parse(data.toString()) as { type: string; message?: { id: string; conversationId?: string }; error?: unknown };
        if (f.type === 'joined') resolve();
        else if (f.type === 'error' && !c.waiting) reject(new Error(`join refused: ${JSON.stringify(f.error)}`));
        else if (f.type === 'message' && c.waiting && f.message?.id === c.waiting.id) {
          if (load.measuring) load.confirm.push(nowMs() - c.waiting.at);
          c.waiting = null;
        } else if (f.type === 'error' && c.waiting) {
          load.sentAt.delete(c.waiting.n);
          c.waiting = null;
        }
      });
    });
    c.ws.send(JSON.stringify({ type: 'join', visitorId: uuidv7(), secret: randomBytes(24).toString('hex'), name }));
    await joined;
    return c;
  }

  tick(n: number, load: Load): boolean {
    if (this.waiting) {
      this.missed++;
      return false;
    }
    const id = uuidv7();
    const at = nowMs();
    this.waiting = { id, n, at };
    load.sentAt.set(n, at);
    this.ws.send(JSON.stringify({ type: 'say', id, body: `bm-${n}- hola, sigo esperando mi pedido número ${n}` }));
    return true;
  }

  get idle(): boolean {
    return this.waiting === null;
  }
}

/** An agent who replies in the conversations she receives, one push at a time. */
class Actor {
  private nextId = 0;
  private waiting: number | null = null;
  private readonly conversations: string[] = [];
  missed = 0;
  readonly confirm: number[] = [];
  rejected = 0;

  constructor(
    readonly peer: Peer,
    private readonly load: Load,
  ) {
    peer.ws.on('message', (data: Buffer) => {
      const text = data.toString();
      if (text.startsWith('{"type":"pushResult"')) {
        const f = JSON.parse(text) as { results: { status: string }[] };
        for (const r of f.results) if (r.status === 'rejected' || r.status === 'error') this.rejected++;
        if (this.waiting !== null && this.load.measuring) this.confirm.push(nowMs() - this.waiting);
        this.waiting = null;
      } else if (text.includes('"kind":"conversation"') && this.conversations.length < 50) {
        const f = JSON.parse(text) as { ops?: { kind: string; row: { id: string; inboxId: string } }[] };
        for (const op of f.ops ?? [])
          if (op.kind === 'conversation' && op.row.inboxId === 'ib-01' && !this.conversations.includes(op.row.id))
            this.conversations.push(op.row.id);
      }
    });
  }

  tick(n: number): boolean {
    if (this.waiting !== null || this.conversations.length === 0) {
      this.missed++;
      return false;
    }
    const conversationId = this.conversations[n % this.conversations.length]!;
    this.waiting = nowMs();
    this.peer.ws.send(
      JSON.stringify({
        type: 'push',
        mutations: [
          {
            id: ++this.nextId,
            name: 'message.send',
            args: { id: uuidv7(), conversationId, body: `ba-${n} con gusto le ayudo con su pedido` },
            clientTime: Date.now(),
          },
        ],
      }),
    );
    return true;
  }
}

/** Calls `fire(i)` `rate` times a second, spread evenly, for `seconds`; returns how many fired. */
async function steady(rate: number, seconds: number, fire: (i: number) => boolean): Promise<{ offered: number; fired: number }> {
  const start = nowMs();
  const total = Math.round(rate * seconds);
  let fired = 0;
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - nowMs();
    if (wait > 1) await sleep(wait);
    if (fire(i)) fired++;
  }
  return { offered: total, fired };
}

interface Run {
  label: string;
  processes: number;
  customerMsgsPerS: number;
  actionsPerS: number;
  customerOffered: number;
  customerMissedTicks: number;
  actionMissedTicks: number;
  actionRejected: number;
  confirmP50Ms: number;
  confirmP99Ms: number;
  deliveryP50Ms: number;
  deliveryP99Ms: number;
  actionConfirmP50Ms: number;
  actionConfirmP99Ms: number;
  framesPerMessage: number;
  bytesPerMessage: number;
  framesToSocketsThatSeeNothing: number;
  messagesShort: number;
  serverCpuMsPerMessage: number;
  serverRssMiBAt1000: number[];
}

async function loadRun(
  label: string,
  servers: Child[],
  users: { id: string; receiver: boolean }[],
  scale: number,
  log: (line: string) => void,
): Promise<Run> {
  seenPairs.clear();
  const load: Load = { sentAt: new Map(), confirm: [], delivery: [], delivered: new Map(), measuring: false };
  const urls = servers.map((s) => s.url);
  const peers = await connectAll(urls, users, load);
  await until(() => nowMs() - Math.max(...peers.map((p) => p.lastFrameAt)) > 2000, 600_000, 'the connections to go quiet', 200);
  const rss = servers.map((s) => round(rssMiB(s.pid), 1));
  const customerCount = Math.max(5, Math.round(CUSTOMERS * scale));
  const customers: Customer[] = [];
  for (let i = 0; i < customerCount; i += CONNECT_CONCURRENCY)
    customers.push(
      ...(await Promise.all(
        Array.from({ length: Math.min(CONNECT_CONCURRENCY, customerCount - i) }, (_, j) =>
          Customer.open(urls[(i + j) % urls.length]!, `Cliente ${i + j + 1}`, load),
        ),
      )),
    );
  // Each customer's first message opens a conversation the agents then reply in.
  let n = 0;
  for (const c of customers) c.tick(n++, load);
  await until(() => customers.every((c) => c.idle), 120_000, 'the first messages to be confirmed', 20);
  const receivers = peers.filter((p) => p.receiver);
  const actors = receivers
    .filter((p) => users.find((u) => u.id === p.userId) && p.userId.startsWith('u-agent'))
    .slice(0, Math.max(2, Math.round(50 * scale)))
    .map((p) => new Actor(p, load));
  await sleep(2000);

  const rate = CUSTOMER_RATE * scale;
  const actionRate = ACTION_RATE * scale;
  const cpu0 = servers.map((s) => cpuSeconds(s.pid));
  load.measuring = true;
  const startedAt = nowMs();
  const base = n;
  const [customersRun, actorsRun] = await Promise.all([
    steady(rate, SECONDS, (i) => customers[i % customers.length]!.tick(base + i, load)),
    steady(actionRate, SECONDS, (i) => actors[i % actors.length]!.tick(i)),
  ]);
  const elapsed = (nowMs() - startedAt) / 1000;
  // Let what was sent arrive; then stop counting.
  await until(() => customers.every((c) => c.idle), 120_000, 'the last messages to be confirmed', 20).catch(() => undefined);
  await sleep(2000);
  load.measuring = false;
  const cpu = servers.reduce((sum, s, i) => sum + cpuSeconds(s.pid) - cpu0[i]!, 0);
  const measured = [...load.sentAt.keys()].filter((k) => k >= base);
  const confirmed = load.confirm.length;
  const frames = peers.reduce((s, p) => s + p.frames, 0);
  const bytes = peers.reduce((s, p) => s + p.bytes, 0);
  const strangers = peers.filter((p) => !p.receiver).reduce((s, p) => s + p.frames, 0);
  const short = measured.filter((k) => (load.delivered.get(k) ?? 0) < receivers.length).length;
  const actionConfirm = actors.flatMap((a) => a.confirm);
  const run: Run = {
    label,
    processes: servers.length,
    customerMsgsPerS: round(confirmed / elapsed, 1),
    actionsPerS: round(actionConfirm.length / elapsed, 1),
    customerOffered: customersRun.offered,
    customerMissedTicks: customersRun.offered - customersRun.fired,
    actionMissedTicks: actorsRun.offered - actorsRun.fired,
    actionRejected: actors.reduce((s, a) => s + a.rejected, 0),
    confirmP50Ms: round(percentile(load.confirm, 50), 1),
    confirmP99Ms: round(percentile(load.confirm, 99), 1),
    deliveryP50Ms: round(percentile(load.delivery, 50), 1),
    deliveryP99Ms: round(percentile(load.delivery, 99), 1),
    actionConfirmP50Ms: round(percentile(actionConfirm, 50), 1),
    actionConfirmP99Ms: round(percentile(actionConfirm, 99), 1),
    framesPerMessage: round(frames / Math.max(1, measured.length + actionConfirm.length), 1),
    bytesPerMessage: Math.round(bytes / Math.max(1, measured.length + actionConfirm.length)),
    framesToSocketsThatSeeNothing: strangers,
    messagesShort: short,
    serverCpuMsPerMessage: round((cpu * 1000) / Math.max(1, confirmed + actionConfirm.length), 2),
    serverRssMiBAt1000: rss,
  };
  log(`   ${label}: ${JSON.stringify(run)}`);
  for (const c of customers) c.ws.terminate();
  for (const p of peers) p.ws.terminate();
  return run;
}

/** Raw INSERTs of message rows like the ones the load wrote, one per transaction, `concurrency` at a time. */
async function rawInserts(db: Db, seconds: number, concurrency: number): Promise<number> {
  await db.exec(
    'CREATE TABLE IF NOT EXISTS bench_raw_messages (id uuid PRIMARY KEY, conversation_id text NOT NULL, body text NOT NULL, created_at bigint NOT NULL)',
  );
  const until = nowMs() + seconds * 1000;
  let done = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (nowMs() < until) {
        await db.tx(async (tx) => {
          await tx.query('INSERT INTO bench_raw_messages (id, conversation_id, body, created_at) VALUES ($1, $2, $3, $4)', [
            uuidv7(),
            'c-bench',
            `bm-${done}- hola, sigo esperando mi pedido número ${done}`,
            Date.now(),
          ]);
        });
        done++;
      }
    }),
  );
  await db.exec('DROP TABLE bench_raw_messages');
  return done / seconds;
}

/** A bare ws process broadcasting frames of `frameBytes` at `rate` a second to `sockets` sockets. */
async function rawBroadcast(sockets: number, rate: number, seconds: number, frameBytes: number) {
  const raw = await spawnReady(['bench/lib/rawBroadcastServer.ts'], /raw broadcast on (ws:\/\/127\.0\.0\.1:\d+)/);
  const delivery: number[] = [];
  const sentAt = new Map<number, number>();
  try {
    const peers: WebSocket[] = [];
    for (let i = 0; i < sockets; i++) {
      const ws = new WebSocket(raw.url, { perMessageDeflate: false });
      await new Promise((r) => ws.once('open', r));
      ws.on('message', (data: Buffer) => {
        const at = nowMs();
        for (const m of data.toString().matchAll(MARK)) {
          const s = sentAt.get(Number(m[1]));
          if (s !== undefined) delivery.push(at - s);
        }
      });
      peers.push(ws);
    }
    const trigger = new WebSocket(raw.url, { perMessageDeflate: false });
    await new Promise((r) => trigger.once('open', r));
    const pad = 'x'.repeat(Math.max(0, frameBytes - 40));
    await steady(rate, seconds, (i) => {
      sentAt.set(i, nowMs());
      trigger.send(`broadcast {"type":"changes","body":"bm-${i}-","pad":"${pad}"}`);
      return true;
    });
    await sleep(1000);
    trigger.close();
    for (const p of peers) p.terminate();
  } finally {
    await raw.stop();
  }
  return { p50: round(percentile(delivery, 50), 1), p99: round(percentile(delivery, 99), 1), deliveries: delivery.length };
}

async function emptyDatabase(url: string): Promise<void> {
  const db = await openPg(url);
  try {
    await db.exec('DROP SCHEMA public CASCADE; CREATE SCHEMA public;');
  } finally {
    await db.close();
  }
}

export async function sustained(ctx: BenchContext): Promise<Result> {
  // Its own store of the dataset's directory (users, teams, inboxes, contacts): no conversations needed.
  const shape = shapeFor(ctx.scale);
  const dir = buildDirectory(shape);
  const big = teamId(0);
  const users = dir.users.map((u) => ({ id: u.id, receiver: seesEverything(u.role) || u.teamIds.includes(big) }));
  const receivers = users.filter((u) => u.receiver).length;
  const seconds = SECONDS;
  const runs: Run[] = [];
  const references: Record<string, unknown> = {};
  const notes: string[] = [];

  // PGlite: the server's own data folder, one process.
  const liteDir = join(ctx.work, 'sustained-pglite');
  rmSync(liteDir, { recursive: true, force: true });
  mkdirSync(join(liteDir, 'server'), { recursive: true });
  {
    const db = await openPglite(join(liteDir, 'server', 'pgdata'));
    await writeDirectory(db, dir);
    await db.close();
    const server = await startServerOn(liteDir, {});
    try {
      runs.push(await loadRun('pglite, 1 process', [server], users, ctx.scale, ctx.log));
    } finally {
      await server.stop();
    }
    const db2 = await openPglite(join(liteDir, 'server', 'pgdata'));
    references.pgliteRawInsertsPerS = round(await rawInserts(db2, Math.min(10, seconds), 8), 1);
    await db2.close();
  }

  const pgUrl = process.env.BANDEJA_BENCH_DATABASE_URL;
  if (pgUrl) {
    for (const processes of [1, 3]) {
      await emptyDatabase(pgUrl);
      const db = await openPg(pgUrl);
      await writeDirectory(db, dir);
      await db.close();
      const servers: Child[] = [];
      try {
        for (let i = 0; i < processes; i++) servers.push(await startServerOn(join(ctx.work, `sustained-pg-${i}`), { DATABASE_URL: pgUrl }));
        runs.push(await loadRun(`postgresql, ${processes} process${processes > 1 ? 'es' : ''}`, servers, users, ctx.scale, ctx.log));
      } finally {
        for (const s of servers) await s.stop();
      }
    }
    const db = await openPg(pgUrl);
    references.postgresqlRawInsertsPerS = round(await rawInserts(db, Math.min(10, seconds), 10), 1);
    await db.close();
  } else notes.push('PostgreSQL not measured: set BANDEJA_BENCH_DATABASE_URL to a database this benchmark may empty.');

  const best = runs.find((r) => r.label.startsWith('postgresql, 1')) ?? runs[0]!;
  const frameBytes = Math.round(best.bytesPerMessage / Math.max(1, best.framesPerMessage));
  const raw = await rawBroadcast(receivers, CUSTOMER_RATE * ctx.scale, Math.min(10, seconds), frameBytes);
  references.rawBroadcast = { sockets: receivers, ...raw };
  const ratio = best.deliveryP99Ms / raw.p99;
  const three = runs.find((r) => r.label.startsWith('postgresql, 3'));
  const one = runs.find((r) => r.label.startsWith('postgresql, 1'));
  if (three && one)
    references.threeProcesses = {
      p99Ratio: round(three.deliveryP99Ms / one.deliveryP99Ms, 2),
      throughputRatio: round(three.customerMsgsPerS / one.customerMsgsPerS, 2),
      targets: 'p99 <= 1.5x one process, throughput > one process',
    };
  return {
    name: 'sustained load',
    ratioLabel: `delivery p99 / raw ws broadcast p99 (${best.label})`,
    ratio: round(ratio, 2),
    target: `<= 3, with >= ${CUSTOMER_RATE * ctx.scale} customer msgs/s`,
    met: ratio <= 3 && best.customerMsgsPerS >= CUSTOMER_RATE * ctx.scale * 0.95,
    figures: { seconds, users: users.length, receiversPerMessage: receivers, runs, ...references },
    notes,
  };
}
