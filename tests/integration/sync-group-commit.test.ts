// Many desktop clients pushing to one tenant at once, through a real server process and real /sync sockets,
// on PGlite and PostgreSQL: the server commits their writes in groups (store/groupCommit.ts), and still every
// mutation lands exactly once, a watching agent receives every change once with no gap between frames, each
// client's counter ends where it should, a refused mutation leaves the rest applied, and a group whose
// COMMIT fails for a passing reason is run again whole without doubling anything.
import pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MutationEnvelope } from '../../src-shared/mutations';
import type { PushResultItem } from '../../src-shared/protocol';
import { demoPeople } from '../support/demo-people';
import { startServerProcess, type ServerProcess } from '../support/server-process';
import { login, SyncPeer } from '../support/sync-peer';
import { backends, freshDemoStore } from '../support/test-store';
import { WRITE_FAULTS } from '../support/write-faults';

const METRICS_TOKEN = 'metrics-token-group-commit-0123456789';

/** The first transaction that stores a 'commitflaky…' message fails at its COMMIT with a serialization
 *  conflict (a deferred trigger, as SERIALIZABLE conflicts surface): the whole transaction is lost. */
const COMMIT_FAULT = `
CREATE SEQUENCE test_commit_flaky;
CREATE FUNCTION test_commit_fault() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.body LIKE 'commitflaky%' AND nextval('test_commit_flaky') = 1 THEN
    RAISE EXCEPTION 'could not serialize access due to read/write dependencies among transactions' USING ERRCODE = '40001';
  END IF;
  RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER test_commit_fault AFTER INSERT ON messages DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION test_commit_fault();
CREATE SEQUENCE test_slow;
CREATE FUNCTION test_slow_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.body LIKE 'slowcut%' AND nextval('test_slow') = 1 THEN PERFORM pg_sleep(20); END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER test_slow_insert BEFORE INSERT ON messages FOR EACH ROW EXECUTE FUNCTION test_slow_insert();`;

const CLIENTS = 8;
const ROUNDS = 3;
const PER_PUSH = 3;

function sample(text: string, name: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

describe.each(backends)('group commit on %s', (_name, databaseUrl) => {
  let server: ServerProcess;
  const { peer, newConversation, signInAll, closeAll } = demoPeople(() => server);
  const tokens: string[] = [];

  const metrics = async () => {
    const res = await fetch(server.url + '/metrics', { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(res.status).toBe(200);
    const text = await res.text();
    return {
      groups: sample(text, 'bandeja_write_groups'),
      writes: sample(text, 'bandeja_group_writes'),
      retries: sample(text, 'bandeja_write_group_retries'),
    };
  };

  beforeAll(async () => {
    const { db, dataDir } = await freshDemoStore(databaseUrl);
    await db.exec(WRITE_FAULTS);
    await db.exec(COMMIT_FAULT);
    await db.close();
    server = await startServerProcess({
      dataDir,
      env: { BANDEJA_METRICS_TOKEN: METRICS_TOKEN, ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}) },
    });
    await signInAll();
    tokens.push((await login(server.url, 'admin@demo.test')).token, (await login(server.url, 'sofia@demo.test')).token);
  });

  afterAll(async () => {
    closeAll();
    await server?.stop();
  });

  /** CLIENTS sockets of the admin and the supervisor, as many devices. */
  async function clients(): Promise<SyncPeer[]> {
    return Promise.all(Array.from({ length: CLIENTS }, (_, i) => peer(i % 2 ? 'sofia' : 'admin')));
  }

  /** Every message op the watcher received, by message id: how many times each came. */
  function deliveries(watcher: SyncPeer, from: number): Map<string, number> {
    const seen = new Map<string, number>();
    for (const f of watcher.frames.slice(from))
      if (f.type === 'changes') for (const op of f.ops) if (op.kind === 'message') seen.set(op.row.id, (seen.get(op.row.id) ?? 0) + 1);
    return seen;
  }

  /** The watcher's change frames follow each other with no gap and no overlap. */
  function expectContiguous(watcher: SyncPeer, from: number): void {
    const frames = watcher.frames.slice(from).filter((f) => f.type === 'changes');
    for (let i = 1; i < frames.length; i++) {
      const [a, b] = [frames[i - 1]!, frames[i]!];
      if (a.type !== 'changes' || b.type !== 'changes') continue;
      expect(b.from).toBe(a.to);
    }
  }

  it('applies every mutation of many concurrent pushes once; a refused one leaves the rest of its group applied', async () => {
    const { conversationId } = await newConversation('Grupo Uno');
    const watcher = await peer('admin');
    const mark = watcher.frames.length;
    const before = await metrics();
    const devices = await clients();
    const expected = new Map<string, PushResultItem['status']>();
    const answers = await Promise.all(
      devices.map(async (device, d) => {
        const out: PushResultItem[] = [];
        for (let r = 0; r < ROUNDS; r++) {
          const batch: MutationEnvelope[] = Array.from({ length: PER_PUSH }, (_, k) => {
            const id = r * PER_PUSH + k + 1;
            // Every device's second round carries a note the database refuses, between two good ones.
            const body = r === 1 && k === 1 ? `poison ${d}.${id}` : `note ${d}.${id}`;
            const args = { id: uuidv7(), conversationId, body, mentions: [] };
            expected.set(args.id, body.startsWith('poison') ? 'rejected' : 'ok');
            return { id, name: 'note.add', args, clientTime: Date.now() };
          });
          out.push(...(await device.pushMany(batch)));
        }
        return out;
      }),
    );
    for (const [d, results] of answers.entries()) {
      expect(results.map((x) => x.id)).toEqual(Array.from({ length: ROUNDS * PER_PUSH }, (_, i) => i + 1));
      for (const x of results) {
        const wanted = x.id === PER_PUSH + 2 ? 'rejected' : 'ok';
        expect([d, x.id, x.status]).toEqual([d, x.id, wanted]);
      }
    }

    const good = [...expected].filter(([, s]) => s === 'ok').map(([id]) => id);
    await watcher.waitFor(() => good.every((id) => watcher.messages.has(id)), 'every good note');
    // Each good note arrived exactly once, no refused one arrived, and the frames left no gap.
    const seen = deliveries(watcher, mark);
    for (const id of good) expect(seen.get(id)).toBe(1);
    for (const [id, s] of expected) if (s === 'rejected') expect(seen.has(id)).toBe(false);
    expectContiguous(watcher, mark);

    // Each device's counter is at its last mutation: a resend of any of them is answered `already`.
    for (const [d, device] of devices.entries()) {
      const again = await SyncPeer.connect(server.url, { token: tokens[d % 2]!, clientId: device.clientId });
      expect(again.welcome?.lmid).toBe(ROUNDS * PER_PUSH);
      again.close();
    }
    // The writes were committed in groups, not one COMMIT each.
    const after = await metrics();
    const writes = after.writes - before.writes;
    const groups = after.groups - before.groups;
    expect(writes).toBeGreaterThanOrEqual(CLIENTS * ROUNDS);
    expect(groups).toBeLessThan(writes);
  });

  it('runs a group whose COMMIT failed for a passing reason again, whole, with nothing doubled', async () => {
    const { conversationId } = await newConversation('Grupo Dos');
    const watcher = await peer('admin');
    const mark = watcher.frames.length;
    const before = await metrics();
    const devices = await clients();
    const sent: string[] = [];
    // All at once, so that the flaky note shares its group with others.
    const results = await Promise.all(
      devices.map((device, d) => {
        const mutations: MutationEnvelope[] = [1, 2].map((id) => {
          const args = {
            id: uuidv7(),
            conversationId,
            body: d === CLIENTS / 2 && id === 1 ? 'commitflaky note' : `note ${d}.${id}`,
            mentions: [],
          };
          sent.push(args.id);
          return { id, name: 'note.add', args, clientTime: Date.now() };
        });
        return device.pushMany(mutations);
      }),
    );
    // Nobody saw the failure: the group ran again and every push was applied at the first try.
    expect(results.flat().map((r) => r.status)).toEqual(Array.from({ length: CLIENTS * 2 }, () => 'ok'));
    expect((await metrics()).retries - before.retries).toBeGreaterThanOrEqual(1);
    await watcher.waitFor(() => sent.every((id) => watcher.messages.has(id)), 'every note');
    const seen = deliveries(watcher, mark);
    for (const id of sent) expect(seen.get(id)).toBe(1);
    expectContiguous(watcher, mark);
    // And once in the conversation's timeline (a resend is not stored twice either).
    const notes = [...watcher.messages.values()].filter((m) => m.conversationId === conversationId && m.kind === 'note');
    expect(notes).toHaveLength(CLIENTS * 2);
  });

  // Under PostgreSQL the group's connection can be lost for real: the first try of a 'slowcut' note sleeps in
  // a trigger, and the test ends that backend (pg_terminate_backend) while the group waits on it.
  // PostgreSQL only: PGlite runs in the server's own process, with no connection to cut.
  if (databaseUrl)
    it('runs a group whose database connection was cut midway again, whole, with nothing doubled', async () => {
      const { conversationId } = await newConversation('Grupo Tres');
      const watcher = await peer('admin');
      const mark = watcher.frames.length;
      const before = await metrics();
      const devices = await clients();
      const sent: string[] = [];
      const pushes = devices.map((device, d) => {
        const mutations: MutationEnvelope[] = [1, 2].map((id) => {
          const body = d === 0 && id === 2 ? 'slowcut note' : `note ${d}.${id}`;
          const args = { id: uuidv7(), conversationId, body, mentions: [] };
          sent.push(args.id);
          return { id, name: 'note.add', args, clientTime: Date.now() };
        });
        return device.pushMany(mutations);
      });
      const admin = new pg.Client({ connectionString: databaseUrl });
      await admin.connect();
      try {
        let cut = 0;
        for (let i = 0; i < 200 && cut === 0; i++) {
          const rows = await admin.query<{ ended: boolean }>(
            "SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity WHERE datname = current_database() AND wait_event = 'PgSleep'",
          );
          cut = rows.rows.filter((r) => r.ended).length;
          if (cut === 0) await new Promise((r) => setTimeout(r, 50));
        }
        expect(cut).toBe(1);
      } finally {
        await admin.end();
      }
      const results = await Promise.all(pushes);
      expect(results.flat().map((r) => r.status)).toEqual(Array.from({ length: CLIENTS * 2 }, () => 'ok'));
      expect((await metrics()).retries - before.retries).toBeGreaterThanOrEqual(1);
      await watcher.waitFor(() => sent.every((id) => watcher.messages.has(id)), 'every note');
      const seen = deliveries(watcher, mark);
      for (const id of sent) expect(seen.get(id)).toBe(1);
      expectContiguous(watcher, mark);
    });
});
