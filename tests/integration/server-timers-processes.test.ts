// Timers and secrets with several server processes on one PostgreSQL database (real processes, real
// sockets): a snooze wakes its conversation once whichever process armed it, even after that process is
// killed (-9); a webchat media link signed by one process is served by another; a periodic job's lease is
// taken by one process at a time and taken again once its holder stops renewing it. The lease itself is
// also checked on PGlite (one process, the default).
import { createHash } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Paths } from '../../src-shared/http';
import { openStore } from '../../src-server/app';
import type { Db } from '../../src-server/store/db';
import { finishTimer, takeTimer } from '../../src-server/store/timers';
import { startServerProcess, type ServerProcess } from '../support/server-process';
import { login, SyncPeer } from '../support/sync-peer';
import { backends, freshDemoStore } from '../support/test-store';
import { WebchatCustomer } from '../support/webchat-customer';
import { startWhatsAppCloud, type WhatsAppCloud } from '../support/whatsapp-cloud';

const pgUrl = process.env.BANDEJA_TEST_DATABASE_URL;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe.each(backends)('a periodic job’s lease on %s', (_name, databaseUrl) => {
  const dbs: Db[] = [];
  afterEach(async () => {
    for (const db of dbs.splice(0)) await db.close();
  });

  it('is taken by one taker at a time, and by another once its holder stops renewing it', async () => {
    const { db, dataDir } = await freshDemoStore(databaseUrl);
    dbs.push(db);
    // PostgreSQL: a second pool, as another process has. PGlite is one process: the same store.
    const other = databaseUrl ? await openStore({ dataDir, databaseUrl }) : db;
    if (other !== db) dbs.push(other);
    // A lease long enough that twelve takers on loaded cores all ask before it ends.
    const lease = 4000;
    const takers = Array.from({ length: 12 }, (_, i) => takeTimer(i % 2 ? other : db, 'sweep', `node-${i}`, lease));
    const taken = (await Promise.all(takers)).filter((t) => t !== null);
    expect(taken).toHaveLength(1);
    const holder = taken[0]!;
    // Its holder "dies" (never finishes, never renews): nobody may take it before the lease ends...
    expect(await takeTimer(other, 'sweep', 'node-late', lease)).toBeNull();
    await sleep(lease + 100);
    // ...and someone does after.
    const next = await takeTimer(other, 'sweep', 'node-late', lease);
    expect(next).not.toBeNull();
    // The first holder, come back, cannot finish the run it lost.
    expect(await finishTimer(db, holder, 60_000)).toBe(false);
    expect(await finishTimer(other, next!, 60_000)).toBe(true);
    // Done: not due again for a minute, by anyone.
    expect(await takeTimer(db, 'sweep', 'node-0', lease)).toBeNull();
  });
});

describe.runIf(pgUrl)('two server processes on one PostgreSQL database', () => {
  let db: Db;
  let a: ServerProcess;
  let b: ServerProcess;
  let wa: WhatsAppCloud;
  const open: { close(): void }[] = [];

  beforeAll(async () => {
    ({ db } = await freshDemoStore(pgUrl));
    wa = await startWhatsAppCloud();
    [a, b] = await Promise.all([
      startServerProcess({ env: { ...wa.env, DATABASE_URL: pgUrl } }),
      startServerProcess({ env: { ...wa.env, DATABASE_URL: pgUrl } }),
    ]);
  });
  afterEach(() => {
    for (const o of open.splice(0)) o.close();
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await wa?.close();
    await db?.close();
  });

  async function peer(server: ServerProcess): Promise<SyncPeer> {
    const p = await SyncPeer.connect(server.url, { token: (await login(server.url, 'ana@demo.test')).token });
    open.push(p);
    return p;
  }

  /** A customer writes through `server`; Ana (on `agentOn`) takes the conversation. */
  async function conversationOf(name: string, server: ServerProcess, ana: SyncPeer): Promise<{ id: string; customer: WebchatCustomer }> {
    const customer = await WebchatCustomer.join(server.url, 'demo', name);
    open.push(customer);
    const from = ana.frames.length;
    await customer.say(`Hola, soy ${name}`);
    const frame = await ana.waitForOp((op) => op.kind === 'message' && op.row.body === `Hola, soy ${name}`, name, from);
    const op = frame.ops.find((o) => o.kind === 'message' && o.row.body === `Hola, soy ${name}`)!;
    const id = op.kind === 'message' ? op.row.conversationId : '';
    expect(await ana.push('conversation.assign', { conversationId: id, assigneeId: 'user-ana' })).toMatchObject({ status: 'ok' });
    return { id, customer };
  }

  /** Waits until the stored conversation is open again (agents on the other process would only see it
   *  once changes reach every process: that is the fan-out's work, not the timers'). */
  async function wokenInStore(conversationId: string): Promise<void> {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const [row] = await db.query<{ status: string }>('SELECT status FROM conversations WHERE id = $1', [conversationId]);
      if (row?.status === 'open') return;
      if (Date.now() > deadline) throw new Error(`Conversation ${conversationId} still ${row?.status} after 15 s.`);
      await sleep(100);
    }
  }

  /** Status events the server wrote for the conversation at or after `at` (a wake writes one). */
  async function wakes(conversationId: string, at: number): Promise<number> {
    const [row] = await db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM messages WHERE conversation_id = $1 AND kind = 'event' AND author_id IS NULL AND created_at >= $2",
      [conversationId, at],
    );
    return row!.n;
  }

  it('a snooze due while both run wakes its conversation once', async () => {
    const onA = await peer(a);
    const { id } = await conversationOf('Carla', a, onA);
    const dueAt = Date.now() + 2500;
    expect(await onA.push('reminder.set', { id: uuidv7(), conversationId: id, dueAt, note: null, postpone: true })).toMatchObject({
      status: 'ok',
    });
    await wokenInStore(id);
    // Both processes look again within 5 s: neither wakes it a second time.
    await sleep(6000);
    expect(await wakes(id, dueAt)).toBe(1);
    // Ana, connecting to either process, finds it open.
    for (const server of [a, b]) expect((await peer(server)).conversations.get(id)).toMatchObject({ status: 'open', snoozedUntil: null });
  });

  it('a snooze armed by a process killed (-9) before it is due is woken once by the other', async () => {
    const onA = await peer(a);
    const { id } = await conversationOf('Dora', a, onA);
    const dueAt = Date.now() + 2500;
    expect(await onA.push('reminder.set', { id: uuidv7(), conversationId: id, dueAt, note: null, postpone: true })).toMatchObject({
      status: 'ok',
    });
    onA.close();
    await a.kill();
    try {
      // Only B runs: it wakes it, though the push that snoozed it went to A.
      await wokenInStore(id);
    } finally {
      await a.restart();
    }
    await sleep(6000);
    expect(await wakes(id, dueAt)).toBe(1);
    // Ana, connecting again, finds it open.
    const again = await peer(b);
    expect(again.conversations.get(id)).toMatchObject({ status: 'open', snoozedUntil: null });
  });

  it('a webchat media link signed by one process is served by the other', async () => {
    const onA = await peer(a);
    const { id: conversationId, customer } = await conversationOf('Elsa', a, onA);
    const pdf = Buffer.from(`%PDF-1.7\n% Presupuesto ${uuidv7()}\n%%EOF\n`);
    const { token } = await login(a.url, 'ana@demo.test');
    const put = await fetch(a.url + Paths.blob(sha(pdf)), {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/pdf' },
      body: pdf,
    });
    expect(put.status).toBe(201);
    const attachment = {
      sha256: sha(pdf),
      name: 'presupuesto.pdf',
      mime: 'application/pdf',
      size: pdf.length,
      kind: 'file',
      durationMs: null,
    };
    expect(await onA.push('message.send', { id: uuidv7(), conversationId, body: 'Aquí va', attachments: [attachment] })).toMatchObject({
      status: 'ok',
    });
    const sent = await customer.waitForAgentMessage((m) => m.attachments.length === 1);
    const link = sent.attachments[0]!.url;
    // The file is in the database's blob store, which B reads as A does.
    const res = await fetch(b.url + link);
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(pdf)).toBe(true);
  });

  it('a WhatsApp delivery that failed for a while is tried again once, by one of the two', async () => {
    const onA = await peer(a);
    const body = `Respuesta ${uuidv7()}`;
    const posts = () =>
      wa.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/messages') && JSON.stringify(r.body).includes(body));
    wa.failNext(wa.errors.serverError());
    const id = uuidv7();
    expect(await onA.push('message.send', { id, conversationId: 'conversation-wa-lucia', body })).toMatchObject({ status: 'ok' });
    await wa.waitForSent((m) => JSON.stringify(m.request).includes(body), 'the retried reply');
    // Both processes poll for due deliveries every 5 s: neither sends it again.
    await sleep(6000);
    expect(posts().map((r) => r.status)).toEqual([500, 200]);
    expect(wa.sent.filter((m) => JSON.stringify(m.request).includes(body))).toHaveLength(1);
    const [row] = await db.query<{ state: string; attempts: number }>(
      'SELECT state, attempts FROM channel_deliveries WHERE message_id = $1',
      [id],
    );
    expect(row).toEqual({ state: 'done', attempts: 2 });
  });
});
