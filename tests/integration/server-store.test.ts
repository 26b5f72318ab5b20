// The store on PGlite and, when BANDEJA_TEST_DATABASE_URL is set, on real PostgreSQL too.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, startServer } from '../../src-server/app';
import { joinVisitor, storeCustomerMessage } from '../../src-server/channels/webchat/store';
import { seedDemo } from '../../src-server/demo';
import { readChanges } from '../../src-server/store/changeLog';
import type { Db } from '../../src-server/store/db';
import { findInboxBySlug } from '../../src-server/store/directory';
import { DatabaseTooNewError, loadMigrations, migrate, schemaVersion } from '../../src-server/store/migrate';
import { getTenant } from '../../src-server/store/tenants';
import { startServerProcess } from '../support/server-process';
import { login, SyncPeer } from '../support/sync-peer';

const pgUrl = process.env.BANDEJA_TEST_DATABASE_URL;
const backends: [string, string | undefined][] = [['PGlite', undefined], ...(pgUrl ? [['PostgreSQL', pgUrl] as [string, string]] : [])];

async function freshStore(databaseUrl: string | undefined): Promise<{ db: Db; dataDir: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bandeja-store-'));
  if (databaseUrl) {
    const reset = await openStore({ dataDir, databaseUrl });
    await reset.exec('DROP SCHEMA public CASCADE; CREATE SCHEMA public;');
    await reset.close();
  }
  return { db: await openStore({ dataDir, databaseUrl }), dataDir };
}

const toClose: Db[] = [];
afterEach(async () => {
  for (const db of toClose.splice(0)) await db.close();
});

it('runs the PostgreSQL cases exactly when BANDEJA_TEST_DATABASE_URL is set', () => {
  expect(backends.map(([name]) => name)).toEqual(pgUrl ? ['PGlite', 'PostgreSQL'] : ['PGlite']);
});

describe.each(backends)('store on %s', (_name, databaseUrl) => {
  it('applies each migration once and records it', async () => {
    const { db } = await freshStore(databaseUrl);
    toClose.push(db);
    const all = loadMigrations();
    expect(await migrate(db)).toEqual(all.map((m) => m.id));
    expect(await migrate(db)).toEqual([]);
    expect(await schemaVersion(db)).toBe(all.length);
    const tables = await db.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name",
    );
    expect(tables.map((t) => t.table_name)).toEqual(
      expect.arrayContaining(['tenants', 'users', 'conversations', 'messages', 'change_log', 'clients', 'mutation_results', 'sessions']),
    );
  });

  it('refuses a database migrated by a newer server', async () => {
    const { db, dataDir } = await freshStore(databaseUrl);
    await migrate(db);
    await db.query('INSERT INTO schema_migrations (id, name, applied_at) VALUES (999, $1, 0)', ['from_the_future']);
    await expect(migrate(db)).rejects.toBeInstanceOf(DatabaseTooNewError);
    await db.close();
    await expect(startServer({ port: 0, dataDir, databaseUrl })).rejects.toThrow(/newer Bandeja server/);
  });

  it('gives concurrent writes distinct versions in commit order, each change at its version', async () => {
    const { db } = await freshStore(databaseUrl);
    toClose.push(db);
    await migrate(db);
    await seedDemo(db);
    const inbox = (await findInboxBySlug(db, 'demo'))!;
    const start = (await getTenant(db, 'demo'))!.version;
    const visitors = await Promise.all(
      Array.from({ length: 8 }, async (_, i) => {
        const visitorId = randomUUID();
        return { visitorId, name: `Visitor ${i}`, joined: await joinVisitor(db, inbox, visitorId, 'secret-'.repeat(4)) };
      }),
    );
    const said = await Promise.all(
      visitors.flatMap((v) =>
        [0, 1, 2].map(async (n) => {
          if (!v.joined.ok) throw new Error('join failed');
          // Her first message makes her contact (in its change), racing her other two.
          return storeCustomerMessage(
            db,
            inbox,
            { visitorId: v.visitorId, secret: 'secret-'.repeat(4), name: v.name },
            randomUUID(),
            `message ${n}`,
          );
        }),
      ),
    );
    expect(said.every((s) => s.stored)).toBe(true);
    const end = (await getTenant(db, 'demo'))!.version;
    expect(end - start).toBe(24);

    const { entries, to } = await readChanges(db, 'demo', start, end, 10_000);
    expect(to).toBe(end);
    const versions = [...new Set(entries.map((e) => e.version))];
    expect(versions).toEqual(Array.from({ length: end - start }, (_, i) => start + 1 + i));
    for (const e of entries) expect((e.row as { version: number }).version).toBe(e.version);
    // Each visitor's messages kept their order and landed in one conversation.
    const messages = entries.filter((e) => e.kind === 'message').map((e) => e.row as { conversationId: string; body: string });
    expect(new Set(messages.map((m) => m.conversationId)).size).toBe(8);

    // Small pages never split a version and cover everything once.
    let cursor = start;
    const paged: string[] = [];
    while (cursor < end) {
      const page = await readChanges(db, 'demo', cursor, end, 3);
      expect(page.to).toBeGreaterThan(cursor);
      paged.push(...page.entries.map((e) => `${e.version}/${e.seq}`));
      cursor = page.to;
    }
    expect(paged).toEqual(entries.map((e) => `${e.version}/${e.seq}`));
  });

  it('keeps the tenant, its epoch and sessions across a server process restart', async () => {
    const { db, dataDir } = await freshStore(databaseUrl);
    await db.close();
    const server = await startServerProcess({ demo: true, dataDir, env: databaseUrl ? { DATABASE_URL: databaseUrl } : {} });
    try {
      const { token } = await login(server.url, 'ana@demo.test');
      const first = await SyncPeer.connect(server.url, { token });
      first.close();
      await server.restart();
      const second = await SyncPeer.connect(server.url, { token, clientId: first.clientId, epoch: first.epoch, cursor: first.cursor });
      expect(second.welcome).toMatchObject({ epoch: first.epoch, bootstrap: false });
      // Only Ana's presence (online, then offline when she left) moved the tenant meanwhile.
      await second.waitForOp((op) => op.kind === 'user' && op.row.id === 'user-ana' && op.row.presence === 'online', 'Ana online again');
      expect(second.welcome!.version).toBeGreaterThan(first.cursor!);
      second.close();
    } finally {
      await server.stop();
    }
  });
});
