// (w) The write path under concurrent writers: desktop clients pushing notes through real /sync sockets
// and webchat customers writing through the webchat socket, at once, to one tenant of one real server
// process, for a fixed time. Reported: pushes/s, customer messages/s, confirm p50/p99 of each (a push's
// `pushResult`, a customer's echo of her stored message). Reference, same run and same database: the rows
// those writes stored (each message and its change-log row) inserted again by plain INSERTs, one
// transaction per message from as many concurrent callers as there were writers. On PGlite (a temp
// folder) and on the PostgreSQL of BANDEJA_BENCH_DATABASE_URL (emptied first; skipped with a note when
// unset). Needs no dataset: `npm run bench -- --only writes`.
import { v7 as uuidv7 } from 'uuid';
import { openStore } from '../../src-server/app';
import type { Db } from '../../src-server/store/db';
import { LOAD_TEST_LIMITS } from '../../tests/support/load-test-limits';
import { startServerProcess, type ServerProcess } from '../../tests/support/server-process';
import { login, SyncPeer } from '../../tests/support/sync-peer';
import { emptyTestDatabase } from '../../tests/support/test-store';
import { WebchatCustomer } from '../../tests/support/webchat-customer';
import type { BenchContext } from '../lib/context';
import { percentile, round, type Result } from '../lib/measure';

const CLIENTS = Number(process.env.BANDEJA_BENCH_WRITE_CLIENTS ?? 20);
const CUSTOMERS = Number(process.env.BANDEJA_BENCH_WRITE_CUSTOMERS ?? 10);
const SECONDS = Number(process.env.BANDEJA_BENCH_WRITE_SECONDS ?? 10);

const nowMs = () => Number(process.hrtime.bigint()) / 1e6;
const METRICS_TOKEN = 'bench-writes-metrics-token-0123456789';

/** Writes committed per group (store/groupCommit.ts) from the server's /metrics; null before group commit. */
async function writesPerGroup(url: string): Promise<number | null> {
  const res = await fetch(url + '/metrics', { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  const text = await res.text();
  const value = (name: string) =>
    Number(
      text
        .split('\n')
        .find((l) => l.startsWith(`${name} `))
        ?.split(' ')[1] ?? NaN,
    );
  const ratio = value('bandeja_group_writes') / value('bandeja_write_groups');
  return Number.isFinite(ratio) ? round(ratio, 2) : null;
}

interface Side {
  count: number;
  perSecond: number;
  confirmP50Ms: number;
  confirmP99Ms: number;
}

function side(times: number[], seconds: number): Side {
  return {
    count: times.length,
    perSecond: round(times.length / seconds, 1),
    confirmP50Ms: round(percentile(times, 50), 1),
    confirmP99Ms: round(percentile(times, 99), 1),
  };
}

/** Re-inserts the messages the run stored, and each one's change-log row, one transaction per message
 *  from `callers` concurrent callers: what the same rows cost written with nothing else around them. */
async function rawInserts(db: Db, callers: number): Promise<{ rows: number; perSecond: number }> {
  const messages = await db.query<Record<string, unknown>>(
    `SELECT m.id, m.tenant_id, m.conversation_id, m.direction, m.kind, m.author_id, m.body, m.event, m.mentions, m.attachments,
       m.state, m.error, m.created_at, l.kind AS log_kind, l.scope_kind, l.scope_user_id, l.scope_assignee_id, l.scope_team_id, l.row
     FROM messages m JOIN change_log l ON l.tenant_id = m.tenant_id AND l.entity_id = m.id AND l.kind = 'message'
     WHERE m.body LIKE 'bench %'`,
  );
  const [top] = await db.query<{ v: number }>('SELECT coalesce(max(version), 0) AS v FROM change_log');
  let next = top!.v + 1_000_000;
  let i = 0;
  const started = nowMs();
  const worker = async () => {
    while (i < messages.length) {
      const m = messages[i++]!;
      const id = uuidv7();
      const version = next++;
      await db.tx(async (tx) => {
        await tx.query(
          `INSERT INTO messages (id, tenant_id, conversation_id, direction, kind, author_id, body, event, mentions, attachments, state,
             error, created_at, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
          [
            id,
            m.tenant_id,
            m.conversation_id,
            m.direction,
            m.kind,
            m.author_id,
            m.body,
            m.event === null ? null : JSON.stringify(m.event),
            JSON.stringify(m.mentions),
            JSON.stringify(m.attachments),
            m.state,
            m.error,
            m.created_at,
            version,
          ],
        );
        await tx.query(
          `INSERT INTO change_log (tenant_id, version, seq, kind, entity_id, scope_kind, scope_user_id, scope_assignee_id, scope_team_id,
             prev_assignee_id, prev_team_id, prev_known, row) VALUES ($1, $2, 0, $3, $4, $5, $6, $7, $8, NULL, NULL, false, $9::jsonb)`,
          [
            m.tenant_id,
            version,
            m.log_kind,
            id,
            m.scope_kind,
            m.scope_user_id,
            m.scope_assignee_id,
            m.scope_team_id,
            JSON.stringify(m.row),
          ],
        );
      });
    }
  };
  await Promise.all(Array.from({ length: callers }, worker));
  const seconds = (nowMs() - started) / 1000;
  return { rows: messages.length, perSecond: round(messages.length / seconds, 1) };
}

async function measure(databaseUrl: string | undefined) {
  if (databaseUrl) await emptyTestDatabase(databaseUrl);
  const server: ServerProcess = await startServerProcess({
    demo: true,
    env: { ...LOAD_TEST_LIMITS, BANDEJA_METRICS_TOKEN: METRICS_TOKEN, ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}) },
  });
  const pushTimes: number[] = [];
  const sayTimes: number[] = [];
  const open: { close(): void }[] = [];
  let seconds = SECONDS;
  let grouping: number | null = null;
  try {
    const tokens = [(await login(server.url, 'admin@demo.test')).token, (await login(server.url, 'sofia@demo.test')).token];
    const customers = await Promise.all(
      Array.from({ length: CUSTOMERS }, (_, i) => WebchatCustomer.join(server.url, 'demo', `Cliente ${i}`)),
    );
    open.push(...customers);
    const watcher = await SyncPeer.connect(server.url, { token: tokens[0]! });
    open.push(watcher);
    const conversationIds: string[] = [];
    for (const c of customers) {
      const id = await c.say('bench hola');
      await watcher.waitFor(() => watcher.messages.has(id), 'the first customer message');
      conversationIds.push(watcher.messages.get(id)!.conversationId);
    }
    watcher.close();
    const clients = await Promise.all(
      Array.from({ length: CLIENTS }, (_, i) => SyncPeer.connect(server.url, { token: tokens[i % tokens.length]! })),
    );
    open.push(...clients);

    const started = nowMs();
    const until = started + SECONDS * 1000;
    const pushing = clients.map(async (p, i) => {
      for (let n = 0; nowMs() < until; n++) {
        const conversationId = conversationIds[(i + n) % conversationIds.length]!;
        const t = nowMs();
        const r = await p.push('note.add', { id: uuidv7(), conversationId, body: `bench note ${i}.${n}`, mentions: [] });
        if (r.status !== 'ok') throw new Error(`A push was answered ${JSON.stringify(r)}.`);
        pushTimes.push(nowMs() - t);
      }
    });
    const saying = customers.map(async (c, i) => {
      for (let n = 0; nowMs() < until; n++) {
        const t = nowMs();
        await c.say(`bench customer ${i}.${n}`);
        sayTimes.push(nowMs() - t);
      }
    });
    await Promise.all([...pushing, ...saying]);
    seconds = (nowMs() - started) / 1000;
    grouping = await writesPerGroup(server.url);
  } finally {
    for (const o of open) o.close();
    await server.stop();
  }
  const db = await openStore({ dataDir: server.dataDir, databaseUrl });
  let raw: { rows: number; perSecond: number };
  try {
    raw = await rawInserts(db, CLIENTS + CUSTOMERS);
  } finally {
    await db.close();
  }
  const pushes = side(pushTimes, seconds);
  const says = side(sayTimes, seconds);
  const writesPerSecond = round(pushes.perSecond + says.perSecond, 1);
  return {
    pushes,
    customerMessages: says,
    writesPerSecond,
    writesPerGroup: grouping,
    rawInsert: raw,
    ratioToRaw: round(writesPerSecond / raw.perSecond, 3),
  };
}

export async function writes(ctx: BenchContext): Promise<Result> {
  const notes: string[] = [
    `${CLIENTS} desktop clients pushing one note at a time and ${CUSTOMERS} webchat customers writing, ${SECONDS} s per store`,
  ];
  ctx.log('   PGlite…');
  const pglite = await measure(undefined);
  const pgUrl = process.env.BANDEJA_BENCH_DATABASE_URL;
  let postgres: Awaited<ReturnType<typeof measure>> | null = null;
  if (pgUrl) {
    ctx.log('   PostgreSQL…');
    postgres = await measure(pgUrl);
  } else notes.push('PostgreSQL skipped: set BANDEJA_BENCH_DATABASE_URL to a database it may empty');
  return {
    name: 'writes',
    ratioLabel: 'writes/s (pushes + customer messages) / raw INSERT transactions/s of the same rows (PGlite)',
    ratio: pglite.ratioToRaw,
    target: null,
    met: null,
    figures: { pglite, ...(postgres ? { postgres } : {}) },
    notes,
  };
}
