// WhatsApp deliveries left 'sending' when a server node starts, with several nodes sharing one database
// (PGlite and, when BANDEJA_TEST_DATABASE_URL is set, PostgreSQL): the starting node fails as "uncertain"
// only what its own previous run left and what a dead node's lapsed claim holds — never another live
// node's send in flight, whatever its own clock says — and a node whose claim lapsed cannot bring its
// delivery back.
import { join } from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FolderBlobStore } from '../../src-server/blobs/stores/folder';
import { DELIVERY_UNCERTAIN, SENDING_LEASE_MS, WhatsAppDispatcher } from '../../src-server/channels/whatsapp/dispatcher';
import type { Db } from '../../src-server/store/db';
import { finishDelivery, renewClaim, retryDeliveryLater } from '../../src-server/store/deliveries';
import { getUser } from '../../src-server/store/directory';
import { SyncHub } from '../../src-server/sync/hub';
import { processPush } from '../../src-server/sync/push';
import { backends, freshDemoStore } from '../support/test-store';

const toClose: Db[] = [];
afterEach(async () => {
  for (const db of toClose.splice(0)) await db.close();
});

/** Ana replies on the demo's WhatsApp conversation: each reply is a message with a queued delivery. */
async function replies(db: Db, n: number): Promise<string[]> {
  const ana = (await getUser(db, 'user-ana'))!;
  await db.query("INSERT INTO clients (id, user_id, last_mutation_id, created_at) VALUES ('client-ana', 'user-ana', 0, 0)");
  const ids = Array.from({ length: n }, () => uuidv7());
  const outcome = await processPush(
    db,
    ana,
    'client-ana',
    ids.map((id, i) => ({
      id: i + 1,
      name: 'message.send',
      args: { id, conversationId: 'conversation-wa-lucia', body: `Respuesta ${i + 1}` },
      clientTime: 0,
    })),
    expect.fail,
    'http://x',
  );
  expect(outcome.results.map((r) => r.status)).toEqual(ids.map(() => 'ok'));
  return ids;
}

/** The delivery is being sent by `nodeId`, whose claim was last renewed `agoMs` ago by the database's clock. */
async function claimed(db: Db, messageId: string, nodeId: string, agoMs: number): Promise<void> {
  await db.query(
    `UPDATE channel_deliveries SET state = 'sending', claimed_by = $2, attempts = 1,
       updated_at = (extract(epoch from clock_timestamp()) * 1000)::bigint - $3::bigint WHERE message_id = $1`,
    [messageId, nodeId, agoMs],
  );
}

async function stateOf(db: Db, messageId: string) {
  const [row] = await db.query<{ delivery: string; message: string; error: string | null }>(
    'SELECT d.state AS delivery, m.state AS message, m.error FROM channel_deliveries d JOIN messages m ON m.id = d.message_id WHERE d.message_id = $1',
    [messageId],
  );
  return row;
}

describe.each(backends)('claims on WhatsApp deliveries on %s', (_name, databaseUrl) => {
  it("a starting node fails only its own left-over sends and lapsed claims, not another node's send in flight", async () => {
    const { db, dataDir } = await freshDemoStore(databaseUrl);
    toClose.push(db);
    const [inFlight, lapsed, leftByMe] = await replies(db, 3);
    await claimed(db, inFlight!, 'node-b', 0);
    await claimed(db, lapsed!, 'node-c', SENDING_LEASE_MS + 1000);
    await claimed(db, leftByMe!, 'node-a', 0);

    const lines: string[] = [];
    const dispatcher = new WhatsAppDispatcher(
      db,
      new SyncHub(),
      new FolderBlobStore(join(dataDir, 'server', 'blobs')),
      (l) => lines.push(l),
      {
        nodeId: 'node-a',
      },
    );
    await dispatcher.start();
    await dispatcher.stop();

    // Node B is still sending it: the customer may get it any moment, so nothing about it changes.
    expect(await stateOf(db, inFlight!)).toEqual({ delivery: 'sending', message: 'sent', error: null });
    for (const id of [lapsed!, leftByMe!])
      expect(await stateOf(db, id)).toEqual({ delivery: 'failed', message: 'failed', error: DELIVERY_UNCERTAIN });
    expect(lines.filter((l) => l.includes('marked failed (uncertain)'))).toHaveLength(2);

    // Node C wakes up: its claim is gone, so it may not send, retry or finish what was declared uncertain.
    expect(await renewClaim(db, lapsed!, 'node-c')).toBe(false);
    await retryDeliveryLater(db, lapsed!, 'node-c', 0, 'late', Date.now());
    await finishDelivery(db, lapsed!, 'node-c', Date.now());
    expect(await stateOf(db, lapsed!)).toEqual({ delivery: 'failed', message: 'failed', error: DELIVERY_UNCERTAIN });
    // Node B's claim is alive and stays its own.
    expect(await renewClaim(db, inFlight!, 'node-b')).toBe(true);
  });
});

// Nodes whose clocks disagree share only a database server: PGlite runs inside the node's process and reads
// the node's own clock, so there the two cannot differ.
describe.each(backends.filter(([name]) => name === 'PostgreSQL'))(
  'claims on WhatsApp deliveries on %s, across clocks',
  (_name, databaseUrl) => {
    it("a node whose clock runs ahead still leaves another node's send in flight alone", async () => {
      const { db, dataDir } = await freshDemoStore(databaseUrl);
      toClose.push(db);
      const [inFlight] = await replies(db, 1);
      await claimed(db, inFlight!, 'node-b', 0);

      // Node A's clock is an hour ahead of node B's and of the database's.
      const realNow = Date.now.bind(Date);
      const skewed = vi.spyOn(Date, 'now').mockImplementation(() => realNow() + 3_600_000);
      try {
        const dispatcher = new WhatsAppDispatcher(db, new SyncHub(), new FolderBlobStore(join(dataDir, 'server', 'blobs')), () => {}, {
          nodeId: 'node-a',
        });
        await dispatcher.start();
        await dispatcher.stop();
      } finally {
        skewed.mockRestore();
      }

      // The customer may get it any moment: it is not failed as uncertain (the agent would send it again).
      expect(await stateOf(db, inFlight!)).toEqual({ delivery: 'sending', message: 'sent', error: null });
      expect(await renewClaim(db, inFlight!, 'node-b')).toBe(true);
    });
  },
);
