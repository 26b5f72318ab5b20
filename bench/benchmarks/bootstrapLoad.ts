// (i) Confirmations during a big first sync: supervisors push notes at a steady rate (one in flight each)
// to one real server process, and the time from `push` to its `pushResult` is taken for every note: first
// with nothing else going on, then while the bench agent (10,000 visible conversations at scale 1) signs in
// on a fresh device and streams its snapshot. Two readers of the snapshot, one after the other: a fast one
// (reads as fast as the socket gives: the most the server can be made to send) and a slow one (reads about
// 4 MB/s, pausing its socket: what a client applying pages does), with the server's RSS during each.
// Target (issue 13): p99 during a bootstrap at most 2x p99 without one.
import Database from 'better-sqlite3';
import { v7 as uuidv7 } from 'uuid';
import WebSocket from 'ws';
import { BENCH_AGENT, helloFrame, supervisorId } from '../lib/dataset';
import type { BenchContext } from '../lib/context';
import { percentile, round, rssMiB, sleep, type Result } from '../lib/measure';
import { serverDataCopy, startServer } from '../lib/processes';

const PUSHERS = 8;
/** Each pusher waits this long after a confirmation before its next note (about PUSHERS * 1000 / PAUSE_MS notes/s). */
const PAUSE_MS = 100;
const BASELINE_MS = 15_000;
const SLOW_READER_BYTES_PER_SEC = 4 * 1024 * 1024;

const nowMs = () => Number(process.hrtime.bigint()) / 1e6;

function open(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false, maxPayload: 4 * 1024 * 1024 });
    ws.once('error', reject);
    ws.once('open', () => resolve(ws));
  });
}

/** A supervisor pushing notes, one in flight, recording each confirmation's delay into `sink`. */
class Pusher {
  private nextId = 1;
  private stopped = false;
  private pending: { at: number; resolve: () => void } | null = null;
  sink: number[] = [];
  private constructor(
    private readonly ws: WebSocket,
    private readonly conversations: string[],
  ) {
    ws.on('message', (data: Buffer) => {
      if (!this.pending || !data.subarray(0, 40).toString().includes('"pushResult"')) return;
      this.sink.push(nowMs() - this.pending.at);
      const done = this.pending.resolve;
      this.pending = null;
      done();
    });
  }

  static async connect(syncUrl: string, userId: string, conversations: string[]): Promise<Pusher> {
    const ws = await open(syncUrl);
    const welcomed = new Promise<void>((resolve) => ws.once('message', () => resolve()));
    ws.send(helloFrame(userId));
    await welcomed;
    return new Pusher(ws, conversations);
  }

  async run(): Promise<void> {
    let i = 0;
    while (!this.stopped) {
      const conversationId = this.conversations[i++ % this.conversations.length]!;
      const done = new Promise<void>((resolve) => (this.pending = { at: nowMs(), resolve }));
      this.ws.send(
        JSON.stringify({
          type: 'push',
          mutations: [
            {
              id: this.nextId++,
              name: 'note.add',
              args: { id: uuidv7(), conversationId, body: 'bench note', mentions: [] },
              clientTime: Date.now(),
            },
          ],
        }),
      );
      await done;
      await sleep(PAUSE_MS);
    }
  }

  stop(): void {
    this.stopped = true;
  }

  close(): void {
    this.ws.close();
  }
}

/** Signs the bench agent in on a fresh device and reads its whole snapshot; resolves at snapshotEnd. */
async function bootstrap(
  syncUrl: string,
  bytesPerSec: number | null,
  serverPid: number,
): Promise<{ ms: number; bytes: number; frames: number; serverRssPeakMiB: number }> {
  const ws = await open(syncUrl);
  const started = nowMs();
  let bytes = 0;
  let frames = 0;
  let peak = rssMiB(serverPid);
  const rss = setInterval(() => (peak = Math.max(peak, rssMiB(serverPid))), 200);
  try {
    await new Promise<void>((resolve, reject) => {
      ws.once('close', (code) => reject(new Error(`The bootstrapping socket closed (${code}).`)));
      ws.on('message', (data: Buffer) => {
        bytes += data.length;
        frames++;
        if (data.subarray(0, 40).toString().includes('"snapshotEnd"')) resolve();
        if (bytesPerSec !== null) {
          // Reading at bytesPerSec: stop reading the socket until this frame's share of a second is over.
          const due = started + (bytes / bytesPerSec) * 1000;
          const wait = due - nowMs();
          if (wait > 5) {
            ws.pause();
            setTimeout(() => ws.resume(), wait);
          }
        }
      });
      ws.send(helloFrame(BENCH_AGENT, null));
    });
  } finally {
    clearInterval(rss);
    ws.close();
  }
  return { ms: nowMs() - started, bytes, frames, serverRssPeakMiB: peak };
}

function summary(values: number[]): { n: number; p50: number; p99: number; max: number } {
  return { n: values.length, p50: round(percentile(values, 50)), p99: round(percentile(values, 99)), max: round(Math.max(...values)) };
}

export async function bootstrapLoad(ctx: BenchContext): Promise<Result> {
  const mirror = new Database(ctx.data.mirror, { readonly: true });
  const conversations = mirror
    .prepare<[], { id: string }>("SELECT id FROM conversations WHERE status <> 'closed' ORDER BY id LIMIT 400")
    .all()
    .map((r) => r.id);
  mirror.close();
  const server = await startServer(serverDataCopy(ctx));
  const syncUrl = server.url.replace(/^http/, 'ws') + '/sync';
  const pushers: Pusher[] = [];
  try {
    for (let i = 0; i < PUSHERS; i++)
      pushers.push(await Pusher.connect(syncUrl, supervisorId(i), conversations.slice(i * 50, i * 50 + 50)));
    const phase = (name: string) => {
      const values: number[] = [];
      for (const p of pushers) p.sink = values;
      return { name, values };
    };
    const warm = phase('warm-up');
    const running = pushers.map((p) => p.run());
    await sleep(3_000);
    const baseline = phase('baseline');
    await sleep(BASELINE_MS);
    const fast = phase('fast reader');
    const fastRun = await bootstrap(syncUrl, null, server.pid);
    const between = phase('between');
    await sleep(3_000);
    const slow = phase('slow reader');
    const slowRun = await bootstrap(syncUrl, SLOW_READER_BYTES_PER_SEC, server.pid);
    const after = phase('baseline after');
    await sleep(BASELINE_MS);
    for (const p of pushers) p.stop();
    await Promise.all(running);
    void warm;
    void between;
    const base = summary([...baseline.values, ...after.values]);
    const during = summary([...fast.values, ...slow.values]);
    const ratio = round(during.p99 / base.p99, 2);
    return {
      name: 'bootstrap load',
      ratioLabel: 'confirm p99 during a bootstrap / without one',
      ratio,
      target: '<= 2',
      met: ratio <= 2,
      figures: {
        pushers: PUSHERS,
        confirmWithoutBootstrapMs: base,
        confirmDuringBootstrapMs: during,
        confirmDuringFastReaderMs: summary(fast.values),
        confirmDuringSlowReaderMs: summary(slow.values),
        confirmBaselineBeforeMs: summary(baseline.values),
        confirmBaselineAfterMs: summary(after.values),
        fastReader: { ...fastRun, ms: round(fastRun.ms), bytes: fastRun.bytes },
        slowReader: { ...slowRun, ms: round(slowRun.ms), bytes: slowRun.bytes },
      },
      notes: [],
    };
  } finally {
    for (const p of pushers) p.close();
    await server.stop();
  }
}
