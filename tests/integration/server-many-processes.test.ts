// Three real server processes on one PostgreSQL (issue 13): a change made through any of them reaches the
// agents and visitors connected to the others live (LISTEN/NOTIFY, src-server/fanout/), an admin ending a
// session on one closes its socket on another at once, and presence lives in the database: an agent whose
// process was killed shows offline to the others within 30 s, and online again after reconnecting elsewhere.
// Needs BANDEJA_TEST_DATABASE_URL (set by .ci/run); the schema there is dropped first.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AdminSessionsResponse, Paths } from '../../src-shared/http';
import { CloseCode } from '../../src-shared/protocol';
import { openStore } from '../../src-server/app';
import { DB_NOW } from '../../src-server/store/timers';
import { prepareDemoStore, startServerProcess, type ServerProcess } from '../support/server-process';
import { login, SyncPeer } from '../support/sync-peer';
import { WebchatCustomer } from '../support/webchat-customer';

const pgUrl = process.env.BANDEJA_TEST_DATABASE_URL;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One sample of a metric in Prometheus text (0 when absent). */
function sample(text: string, name: string, labels = ''): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels ? `{${labels}}` : ''} `));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

/** Resolves with what `p` gave, or rejects once `ms` passed (a socket that should close "at once"). */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([p, sleep(ms).then(() => Promise.reject(new Error(`${what} not within ${ms} ms`)))]);
}

/** Polls until `peer` holds user `userId` with `presence`, for at most `ms`; returns how long it took. */
async function presenceOf(peer: SyncPeer, userId: string, presence: string, ms: number): Promise<number> {
  const started = Date.now();
  while (peer.rowsOf('user').get(userId)?.presence !== presence) {
    if (Date.now() - started > ms)
      throw new Error(`${userId} not ${presence} within ${ms} ms (is ${peer.rowsOf('user').get(userId)?.presence})`);
    await sleep(100);
  }
  return Date.now() - started;
}

describe.runIf(pgUrl)('several server processes on one PostgreSQL', () => {
  let a: ServerProcess;
  let b: ServerProcess;
  let c: ServerProcess;
  const open: { close(): void }[] = [];
  const env = { DATABASE_URL: pgUrl! };

  beforeAll(async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'bandeja-many-'));
    const reset = await openStore({ dataDir, databaseUrl: pgUrl });
    await reset.exec('DROP SCHEMA public CASCADE; CREATE SCHEMA public;');
    await reset.close();
    await prepareDemoStore({ dataDir, databaseUrl: pgUrl });
    [a, b, c] = await Promise.all([startServerProcess({ env }), startServerProcess({ env }), startServerProcess({ env })]);
  }, 60_000);
  // Each test starts with nobody connected (Ana still connected from an earlier test would stay online).
  afterEach(() => {
    for (const o of open.splice(0)) o.close();
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop(), c?.stop()]);
  });

  const peer = async (server: ServerProcess, email: string) => {
    const { token } = await login(server.url, email);
    const p = await SyncPeer.connect(server.url, { token });
    open.push(p);
    return p;
  };

  it('carries a customer’s message to agents on the other processes, and an agent’s reply to the customer on another', async () => {
    const ana = await peer(b, 'ana@demo.test');
    const sofia = await peer(c, 'sofia@demo.test');
    const carla = await WebchatCustomer.join(a.url, 'demo', 'Carla');
    // Her second tab, on another process: it sees what she writes in the first.
    const carlaTab = await WebchatCustomer.join(c.url, 'demo', 'Carla', carla.identity);
    open.push(carla, carlaTab);

    const said = await carla.say('Hola, ¿hacen envíos?');
    for (const agent of [ana, sofia]) await agent.waitForOp((op) => op.kind === 'message' && op.row.id === said, 'the customer message');
    await carlaTab.waitFor((f) => f.type === 'message' && f.message.id === said, 'her own message in her other tab');
    const conversationId = ana.messages.get(said)!.conversationId;

    const replyId = uuidv7();
    expect(await ana.push('message.send', { id: replyId, conversationId, body: 'Sí, a todo el país.' })).toMatchObject({ status: 'ok' });
    expect((await carla.waitForAgentMessage((m) => m.id === replyId)).body).toBe('Sí, a todo el país.');
    expect((await carlaTab.waitForAgentMessage((m) => m.id === replyId)).body).toBe('Sí, a todo el país.');
    // Sofía (a supervisor), on the third process, sees the reply too, and that it reached her page.
    await sofia.waitForOp((op) => op.kind === 'message' && op.row.id === replyId && op.row.state === 'delivered', 'the reply delivered');

    // Each process counts the notifications it sent and those it acted on (/metrics, read from this machine).
    const [onA, onB, onC] = await Promise.all([a, b, c].map(async (s) => (await fetch(s.url + '/metrics')).text()));
    expect(sample(onA!, 'bandeja_fanout_notifications_sent_total')).toBeGreaterThan(0);
    expect(sample(onB!, 'bandeja_fanout_notifications_sent_total')).toBeGreaterThan(0);
    for (const text of [onB!, onC!])
      expect(sample(text, 'bandeja_fanout_notifications_received_total', 'kind="tenants"')).toBeGreaterThan(0);
    // Carla's other tab on C heard of her message and of Ana's reply from A and B.
    expect(sample(onC!, 'bandeja_fanout_notifications_received_total', 'kind="visitor"')).toBeGreaterThan(0);
  });

  it('counts periodic jobs due by the database’s clock in the timer backlog', async () => {
    const backlog = async () => sample(await (await fetch(a.url + '/metrics')).text(), 'bandeja_timer_backlog', 'timer="periodic"');
    const before = await backlog();
    // A job due a minute ago by the database's clock, held by nobody: due, whatever this process's clock says.
    const store = await openStore({ dataDir: mkdtempSync(join(tmpdir(), 'bandeja-many-')), databaseUrl: pgUrl });
    try {
      await store.query(`INSERT INTO server_timers (name, due_at) VALUES ('test-overdue', ${DB_NOW} - 60000)`);
      expect(await backlog()).toBe(before + 1);
      await store.query(`DELETE FROM server_timers WHERE name = 'test-overdue'`);
    } finally {
      await store.close();
    }
  });

  it('closes a session’s socket on another process at once when an admin ends it', async () => {
    const { token: adminToken } = await login(a.url, 'admin@demo.test');
    const sofia = await peer(b, 'sofia@demo.test');
    const auth = { authorization: `Bearer ${adminToken}` };
    const listed = AdminSessionsResponse.parse(
      await (await fetch(a.url + Paths.adminUserSessions('user-sofia'), { headers: auth })).json(),
    );
    const session = listed.sessions.find((s) => s.clientId === sofia.clientId)!;
    expect((await fetch(a.url + Paths.adminSession(session.id), { method: 'DELETE', headers: auth })).status).toBe(200);
    // Well before any periodic session sweep: the end travels through the database's notifications.
    expect((await within(sofia.closed, 2_000, 'the session’s socket on the other process closing')).code).toBe(CloseCode.unauthorized);
  });

  it('catches up on what was written while a process’s listening connection was cut', async () => {
    const ana = await peer(b, 'ana@demo.test');
    const admin = new pg.Client({ connectionString: pgUrl });
    await admin.connect();
    try {
      const listeners = async () =>
        (
          await admin.query<{ pid: number }>(
            `SELECT pid FROM pg_stat_activity WHERE query = 'LISTEN "bandeja_fanout"' AND datname = current_database()`,
          )
        ).rows;
      expect(await listeners()).toHaveLength(3);
      // Every process loses its listener; a customer writes through A before they come back (after ~1 s),
      // so B never hears of it: it must catch up on reconnecting.
      // Only this database's: the other test worker's servers listen on theirs.
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = $1 AND datname = current_database()', [
        'LISTEN "bandeja_fanout"',
      ]);
      const carla = await WebchatCustomer.join(a.url, 'demo', 'Carla');
      open.push(carla);
      const said = await carla.say('¿Alguien ahí?');
      await ana.waitForOp((op) => op.kind === 'message' && op.row.id === said, 'the message written during the cut');
      await expect.poll(async () => (await listeners()).length, { timeout: 10_000 }).toBe(3);
      const later = await carla.say('¿Y ahora?');
      await ana.waitForOp((op) => op.kind === 'message' && op.row.id === later, 'a message after the listeners came back');
    } finally {
      await admin.end();
    }
  });

  it('shows an agent whose process died offline within 30 s, and online again once she reconnects elsewhere', async () => {
    const bruno = await peer(c, 'bruno@demo.test');
    const { token } = await login(a.url, 'ana@demo.test');
    const ana = await SyncPeer.connect(a.url, { token });
    await presenceOf(bruno, 'user-ana', 'online', 10_000);
    await a.kill();
    await ana.closed;
    const tookMs = await presenceOf(bruno, 'user-ana', 'offline', 30_000);
    console.log(`Ana offline to Bruno ${tookMs} ms after her process died`);
    const again = await SyncPeer.connect(b.url, { token });
    open.push(again);
    await presenceOf(bruno, 'user-ana', 'online', 10_000);
  }, 60_000);
});
