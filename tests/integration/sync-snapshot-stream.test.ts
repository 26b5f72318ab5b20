// A snapshot streams from short reads while others write: pages are read only as the client makes room
// (src-server/sync/snapshot.ts), so rows change, move out of scope and are deleted between pages, and the
// user's own teams change mid-stream. The client's mirror (the real apply path of src-main/core, on a real
// SQLite file) must end equal to the mirror of a fresh bootstrap taken afterwards.
// Real server process (PostgreSQL with BANDEJA_TEST_DATABASE_URL, else PGlite), demo store with 10 webchat conversations, 2 rows a page and a 2 KB window.
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyChanges, applySnapshotBegin, applySnapshotEnd, applySnapshotPage } from '../../src-main/core/mirror/apply';
import { openMirror, type Mirror } from '../../src-main/core/mirror/db';
import { readCursor, writeSessionUser } from '../../src-main/core/mirror/meta';
import { Paths } from '../../src-shared/http';
import { PROTOCOL_VERSION, SCHEMA_VERSION, ServerFrame, type Op } from '../../src-shared/protocol';
import { canSeeConversation, type Viewer } from '../../src-shared/rules/visibility';
import { LOAD_TEST_LIMITS, type ServerProcess } from '../support/server-process';
import { startDemoServerOnTestDatabase } from '../support/test-store';
import { login, SyncPeer } from '../support/sync-peer';
import { WebchatCustomer } from '../support/webchat-customer';

const WINDOW = 2048;
let server: ServerProcess;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bandeja-snapshot-stream-'));
  server = await startDemoServerOnTestDatabase({
    ...LOAD_TEST_LIMITS,
    BANDEJA_SNAPSHOT_WINDOW_BYTES: String(WINDOW),
    BANDEJA_SNAPSHOT_PAGE_ROWS: '2',
  });
  // Five conversations in Soporte's inbox and five in Ventas'.
  for (const slug of ['demo', 'ventas'])
    for (let i = 0; i < 5; i++) {
      const customer = await WebchatCustomer.join(server.url, slug, `${slug} customer ${i}`);
      await customer.say(`hello ${i}`);
      customer.close();
    }
});

afterAll(async () => {
  await server?.stop();
});

/** A desktop client's mirror fed by its own socket, applying every frame as SyncClient does; it answers
 *  the server's pacing pings only when told to, so the test decides how far the snapshot goes. */
class MirrorClient {
  readonly mirror: Mirror;
  readonly frames: ServerFrame[] = [];
  private readonly pings: Buffer[] = [];
  private autoPong = false;
  private waiters: (() => void)[] = [];
  private constructor(
    private readonly ws: WebSocket,
    path: string,
  ) {
    this.mirror = openMirror(path);
    ws.on('message', (data: Buffer) => this.apply(ServerFrame.parse(JSON.parse(data.toString()))));
    ws.on('ping', (data: Buffer) => {
      if (this.autoPong) ws.pong(data);
      else this.pings.push(data);
      this.wake();
    });
  }

  static async open(name: string, token: string): Promise<MirrorClient> {
    const ws = new WebSocket(server.url.replace(/^http/, 'ws') + Paths.sync, { autoPong: false });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const client = new MirrorClient(ws, join(dir, `${name}.sqlite`));
    ws.send(
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
    return client;
  }

  private apply(frame: ServerFrame): void {
    // Frames still arriving after close() have no file to go to.
    if (!this.mirror.db.open) return;
    this.frames.push(frame);
    const db = this.mirror.db;
    if (frame.type === 'welcome') writeSessionUser(db, frame.user);
    else if (frame.type === 'snapshotBegin') applySnapshotBegin(db, frame.epoch);
    else if (frame.type === 'snapshotPage') applySnapshotPage(db, frame.ops);
    else if (frame.type === 'snapshotEnd') applySnapshotEnd(db, frame.version);
    else if (frame.type === 'changes') applyChanges(db, frame);
    this.wake();
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  async until(test: () => boolean, what: string): Promise<void> {
    const deadline = Date.now() + 20_000;
    while (!test()) {
      if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}.`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 200);
      });
    }
  }

  /** Waits until the server stops for an answer, then answers one ping: one more window comes. */
  async step(): Promise<void> {
    await this.until(() => this.pings.length > 0 || this.snapshotDone(), 'a pacing ping');
    const ping = this.pings.shift();
    if (ping) this.ws.pong(ping);
  }

  flow(): void {
    this.autoPong = true;
    for (const p of this.pings.splice(0)) this.ws.pong(p);
  }

  snapshotDone(): boolean {
    return this.frames.some((f) => f.type === 'snapshotEnd');
  }

  get cursor(): number | null {
    return readCursor(this.mirror.read).version;
  }

  close(): void {
    this.ws.close();
    this.mirror.close();
  }
}

/** Everything server-made in a mirror, table by table (outbox and overlays aside). */
function contents(m: Mirror): Record<string, unknown[]> {
  const tables = [
    'users',
    'teams',
    'inboxes',
    'contacts',
    'contact_fields',
    'contact_changes',
    'closing_categories',
    'conversations',
    'messages',
    'notifications',
    'saved_views',
    'snippets',
    'templates',
    'reminders',
    'conversation_tags',
  ];
  return Object.fromEntries(tables.map((t) => [t, m.read.prepare(`SELECT * FROM ${t} ORDER BY 1, 2`).all()]));
}

const conversationsIn = (ops: readonly Op[]) => ops.filter((o): o is Extract<Op, { kind: 'conversation' }> => o.kind === 'conversation');

describe('a snapshot streamed while others write', () => {
  it('ends, after its catch-up, equal to a fresh bootstrap: through changes, moves out of scope, deletes and a scope change of its own', async () => {
    const admin = await SyncPeer.connect(server.url, { token: (await login(server.url, 'admin@demo.test')).token });
    const bruno = (await login(server.url, 'bruno@demo.test')).token;
    const soporte = [...admin.conversations.values()].filter((c) => c.teamId === 'team-soporte');
    const ventas = [...admin.conversations.values()].filter((c) => c.teamId === 'team-ventas');
    expect(soporte.length).toBeGreaterThanOrEqual(5);
    expect(ventas.length).toBeGreaterThanOrEqual(5);
    // A snippet and a shared saved view, to be deleted mid-stream.
    const snippetId = randomUUID();
    expect(
      (await admin.push('snippet.save', { id: snippetId, shortcut: 'bye', title: 'Bye', body: 'Bye!', attachment: null, shared: true }))
        .status,
    ).toBe('ok');

    const slow = await MirrorClient.open('slow', bruno);
    await slow.until(() => slow.frames.some((f) => f.type === 'snapshotBegin'), 'the snapshot to begin');
    const pagesBefore = () => slow.frames.filter((f) => f.type === 'snapshotPage').length;

    // One window in: the server waits for the client. Meanwhile a Soporte conversation is taken by Ana
    // (out of Bruno's scope), another gets a note, the snippet is deleted.
    await slow.step();
    expect(slow.snapshotDone()).toBe(false);
    const [taken, noted, ...restSoporte] = soporte;
    expect((await admin.push('conversation.assign', { conversationId: taken!.id, assigneeId: 'user-ana' })).status).toBe('ok');
    expect(
      (await admin.push('note.add', { id: randomUUID(), conversationId: noted!.id, body: 'mid-snapshot note', mentions: [] })).status,
    ).toBe('ok');
    expect((await admin.push('snippet.delete', { id: snippetId })).status).toBe('ok');
    await slow.step();
    await slow.step();

    // Bruno leaves Ventas while his snapshot streams; one of Ventas' conversations is assigned to him.
    const [kept, ...restVentas] = ventas;
    expect((await admin.push('conversation.assign', { conversationId: kept!.id, assigneeId: 'user-bruno' })).status).toBe('ok');
    expect((await admin.push('admin.user.update', { userId: 'user-bruno', teamIds: ['team-soporte'] })).status).toBe('ok');
    const changedAt = slow.frames.length;
    // Pages read from now on see him as he is now: no Ventas queue conversation reaches him any more.
    const viewerNow: Viewer = { id: 'user-bruno', role: 'agent', teamIds: ['team-soporte'] };
    for (let i = 0; i < 4 && !slow.snapshotDone(); i++) await slow.step();
    const readAfter = slow.frames.slice(changedAt + 1);
    for (const f of readAfter)
      if (f.type === 'snapshotPage' || f.type === 'changes')
        for (const c of conversationsIn(f.ops)) expect(canSeeConversation(viewerNow, c.row)).toBe(true);

    // More writes while it goes on, then it reads freely to the end.
    expect((await admin.push('conversation.assign', { conversationId: restSoporte[0]!.id, assigneeId: 'user-bruno' })).status).toBe('ok');
    expect((await admin.push('note.add', { id: randomUUID(), conversationId: kept!.id, body: 'for Bruno', mentions: [] })).status).toBe(
      'ok',
    );
    expect((await admin.push('conversation.assign', { conversationId: restVentas[0]!.id, assigneeId: 'user-ana' })).status).toBe('ok');
    slow.flow();
    await slow.until(() => slow.snapshotDone(), 'the end of the snapshot');
    expect(pagesBefore()).toBeGreaterThan(4);
    // It started over once, with his new teams.
    expect(slow.frames.filter((f) => f.type === 'snapshotBegin').length).toBe(2);

    // The head of the log, as a client connecting now is told.
    const head = await SyncPeer.connect(server.url, { token: (await login(server.url, 'admin@demo.test')).token });
    const version = head.welcome!.version;
    head.close();
    await slow.until(() => (slow.cursor ?? 0) >= version, `the catch-up to reach version ${version}`);

    const fresh = await MirrorClient.open('fresh', bruno);
    fresh.flow();
    await fresh.until(() => fresh.snapshotDone() && (fresh.cursor ?? 0) >= version, 'a fresh bootstrap');
    const got = contents(slow.mirror);
    const want = contents(fresh.mirror);
    expect(got).toEqual(want);
    // What the writes left: Ana's and out-of-scope conversations gone, his own present, the note in.
    const ids = (got.conversations as { id: string }[]).map((c) => c.id);
    expect(ids).not.toContain(taken!.id);
    expect(ids).not.toContain(restVentas[0]!.id);
    expect(ids).toContain(kept!.id);
    expect(ids).toContain(restSoporte[0]!.id);
    expect((got.messages as { body: string }[]).some((m) => m.body === 'mid-snapshot note')).toBe(true);
    expect((got.snippets as { id: string }[]).map((s) => s.id)).not.toContain(snippetId);
    slow.close();
    fresh.close();
    admin.close();
  });

  it('reads each page only once the client has room: what is written while it is not reading arrives in the later pages', async () => {
    const admin = await SyncPeer.connect(server.url, { token: (await login(server.url, 'admin@demo.test')).token });
    const ana: Viewer = { id: 'user-ana', role: 'agent', teamIds: ['team-soporte'] };
    const target = [...admin.conversations.values()].find((c) => canSeeConversation(ana, c))!;
    expect(target).toBeDefined();
    const slow = await MirrorClient.open('stalled', (await login(server.url, 'ana@demo.test')).token);
    // The client stops reading after one window; the server waits, holding no more than that.
    await slow.step();
    const body = `written while the snapshot waited ${randomUUID()}`;
    expect((await admin.push('note.add', { id: randomUUID(), conversationId: target.id, body, mentions: [] })).status).toBe('ok');
    slow.flow();
    await slow.until(() => slow.snapshotDone(), 'the end of the snapshot');
    const inPages = slow.frames.some((f) => f.type === 'snapshotPage' && f.ops.some((o) => o.kind === 'message' && o.row.body === body));
    expect(inPages).toBe(true);
    slow.close();
    admin.close();
  });
});
