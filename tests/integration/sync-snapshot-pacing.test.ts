// A snapshot is sent at the pace the client reads it (src-server/sync/connection.ts sendPaced): the
// server stops one window ahead of the last WebSocket ping the client answered, so a slow client's own
// pings are never stuck behind a whole snapshot (it took the server for dead and started over, for ever).
// Real server process, demo store, a window of 4 KB so the demo snapshot spans many of them.
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Paths } from '../../src-shared/http';
import { PROTOCOL_VERSION, SCHEMA_VERSION } from '../../src-shared/protocol';
import { prepareDemoStore, startServerProcess, type ServerProcess } from '../support/server-process';
import { login, SyncPeer } from '../support/sync-peer';

const WINDOW = 4096;
let server: ServerProcess;
let token: string;

beforeAll(async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'bandeja-pacing-'));
  await prepareDemoStore({ dataDir });
  server = await startServerProcess({ dataDir, demo: true, env: { BANDEJA_SNAPSHOT_WINDOW_BYTES: String(WINDOW) } });
  token = (await login(server.url, 'sofia@demo.test')).token;
});

afterAll(async () => {
  await server?.stop();
});

type Received = { kind: 'frame'; type: string; bytes: number; ops: number; text?: string } | { kind: 'ping'; payload: string };

/** A client that answers pings only when told to (autoPong off), recording everything in order. */
async function slowClient() {
  const ws = new WebSocket(server.url.replace(/^http/, 'ws') + Paths.sync, { autoPong: false });
  const received: Received[] = [];
  const waiters: { test: () => boolean; resolve: () => void }[] = [];
  const check = () => {
    for (const w of [...waiters])
      if (w.test()) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
  };
  ws.on('message', (data) => {
    const text = data.toString();
    const frame = JSON.parse(text) as { type: string; ops?: unknown[] };
    received.push({ kind: 'frame', type: frame.type, bytes: Buffer.byteLength(text), ops: frame.ops?.length ?? 0, text });
    check();
  });
  ws.on('ping', (data) => {
    received.push({ kind: 'ping', payload: data.toString() });
    check();
  });
  let probes = 0;
  ws.on('pong', (data) => {
    received.push({ kind: 'frame', type: `pong:${data.toString()}`, bytes: 0, ops: 0 });
    check();
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const until = (test: () => boolean) => new Promise<void>((resolve) => (test() ? resolve() : waiters.push({ test, resolve })));
  return {
    ws,
    received,
    until,
    /** Everything the server had sent before it answered this ping of ours. */
    async probe() {
      const payload = `probe-${++probes}`;
      ws.ping(payload);
      await until(() => received.some((r) => r.kind === 'frame' && r.type === `pong:${payload}`));
    },
  };
}

function hello(c: Awaited<ReturnType<typeof slowClient>>): void {
  c.ws.send(
    JSON.stringify({
      type: 'hello',
      protocol: PROTOCOL_VERSION,
      schema: SCHEMA_VERSION,
      clientId: randomUUID(),
      token,
      epoch: null,
      cursor: null,
    }),
  );
}

describe('snapshot pacing', () => {
  it('stops one window ahead of the pings a slow client has not answered, and completes once it answers', async () => {
    const c = await slowClient();
    hello(c);
    const pings = () => c.received.filter((r): r is Extract<Received, { kind: 'ping' }> => r.kind === 'ping');
    // The server pings after each half window and waits for the previous ping's answer: with none
    // answered it sends two half windows and stops.
    await c.until(() => pings().length >= 2);
    await c.probe();
    const stalled = c.received.filter((r) => r.kind === 'frame' && !r.type.startsWith('pong:'));
    expect(stalled.some((r) => r.kind === 'frame' && r.type === 'snapshotEnd')).toBe(false);
    expect(pings().map((p) => p.payload)).toEqual(['snapshot-1', 'snapshot-2']);
    const lastPing = c.received.findIndex((r) => r.kind === 'ping' && r.payload === 'snapshot-2');
    expect(c.received.slice(lastPing + 1).filter((r) => r.kind === 'frame' && !r.type.startsWith('pong:'))).toEqual([]);
    const unread = stalled.reduce((n, r) => n + (r.kind === 'frame' ? r.bytes : 0), 0);
    expect(unread).toBeLessThan(2 * WINDOW + 64 * 1024);

    // From now on every ping is answered: the rest of the snapshot arrives, then its end.
    const answered = new Set<string>();
    const answer = () => {
      for (const p of pings())
        if (!answered.has(p.payload)) {
          answered.add(p.payload);
          c.ws.pong(p.payload);
        }
    };
    c.ws.on('ping', answer);
    answer();
    await c.until(() => c.received.some((r) => r.kind === 'frame' && r.type === 'snapshotEnd'));
    expect(pings().length).toBeGreaterThan(2);

    // The same snapshot as a client that answers at once gets.
    const ops = (list: Received[]) => list.reduce((n, r) => n + (r.kind === 'frame' && r.type === 'snapshotPage' ? r.ops : 0), 0);
    const peer = await SyncPeer.connect(server.url, { token });
    peer.close();
    expect(ops(c.received)).toBeGreaterThan(0);
    expect(ops(c.received)).toBe(
      peer.frames.filter((f) => f.type === 'snapshotPage').reduce((n, f) => n + (f.type === 'snapshotPage' ? f.ops.length : 0), 0),
    );
    c.ws.close();
  });

  it('paces live changes the same way: a client that stops reading holds the rest in the change log, and gets every change once it reads again', async () => {
    const c = await slowClient();
    // Reads the snapshot at once (answers its pings), then stops answering.
    const answerSnapshot = (data: Buffer) => {
      if (data.toString().startsWith('snapshot-')) c.ws.pong(data);
    };
    c.ws.on('ping', answerSnapshot);
    hello(c);
    await c.until(() => c.received.some((r) => r.kind === 'frame' && r.type === 'snapshotEnd'));
    const afterSnapshot = c.received.length;

    // Another supervisor writes 40 notes of 1,000 characters (about 10 windows of changes), one commit each.
    const writer = await SyncPeer.connect(server.url, { token: (await login(server.url, 'sofia@demo.test')).token });
    const conversationId = [...writer.conversations.keys()][0]!;
    const ids = Array.from({ length: 40 }, () => randomUUID());
    for (const [i, id] of ids.entries()) {
      const result = await writer.push('note.add', { id, conversationId, body: `${i} ${'x'.repeat(1000)}`, mentions: [] });
      expect(result.status).toBe('ok');
    }
    writer.close();

    const livePings = () =>
      c.received.filter((r): r is Extract<Received, { kind: 'ping' }> => r.kind === 'ping' && r.payload.startsWith('changes-'));
    await c.until(() => livePings().length >= 2);
    await c.probe();
    const notesIn = () =>
      ids.filter((id) => c.received.slice(afterSnapshot).some((r) => r.kind === 'frame' && r.text?.includes(id))).length;
    const unread = c.received.slice(afterSnapshot).reduce((n, r) => n + (r.kind === 'frame' && r.type === 'changes' ? r.bytes : 0), 0);
    expect(livePings().map((p) => p.payload.replace(/\d+$/, ''))).toEqual(['changes-', 'changes-']);
    expect(unread).toBeLessThan(2 * WINDOW + 8 * 1024);
    expect(notesIn()).toBeLessThan(ids.length);

    // Reading again: every note arrives.
    const answered = new Set<string>();
    const answer = () => {
      for (const p of livePings())
        if (!answered.has(p.payload)) {
          answered.add(p.payload);
          c.ws.pong(p.payload);
        }
    };
    c.ws.on('ping', answer);
    answer();
    await c.until(() => notesIn() === ids.length);
    expect(notesIn()).toBe(ids.length);
    c.ws.close();
  });
});
