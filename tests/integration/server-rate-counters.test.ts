// The database side of the abuse guards, on PGlite and (with BANDEJA_TEST_DATABASE_URL) PostgreSQL, with
// an injected clock: rate counters (fixed windows, atomic under parallel hits, shared by two handles as by
// two server processes) and session lifetimes (idle, absolute, renewal, ending, the sweep of live sockets).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src-server/app';
import { Sessions, tokenHash } from '../../src-server/auth/sessions';
import { RateCounters } from '../../src-server/limits/counters';
import type { Db } from '../../src-server/store/db';
import { backends, freshDemoStore } from '../support/test-store';

describe.each(backends)('%s', (_name, databaseUrl) => {
  // One store for the file (each test uses its own keys and users): a fresh PGlite costs seconds.
  const open: Db[] = [];
  let shared: { db: Db; dataDir: string };
  beforeAll(async () => {
    shared = await freshDemoStore(databaseUrl);
    open.push(shared.db);
  });
  afterAll(async () => {
    for (const db of open.splice(0)) await db.close();
  });
  const store = async () => shared;

  it('counts hits in fixed windows, refuses past the limit with the time left, and sweeps ended windows', async () => {
    const { db } = await store();
    let now = 1_000_000;
    const counters = new RateCounters(db, () => now);
    const limit = { max: 2, windowMs: 60_000 };
    expect(await counters.take('login-account', 'ana@demo.test', limit)).toEqual({ ok: true });
    now += 10_000;
    expect(await counters.take('login-account', 'ana@demo.test', limit)).toEqual({ ok: true });
    expect(await counters.take('login-account', 'ana@demo.test', limit)).toEqual({ ok: false, retryAfterMs: 50_000 });
    // Another key, and another bucket with the same key, count apart.
    expect(await counters.take('login-account', 'bruno@demo.test', limit)).toEqual({ ok: true });
    expect(await counters.take('upload-account', 'ana@demo.test', limit)).toEqual({ ok: true });
    expect(await counters.peek('login-account', 'ana@demo.test')).toEqual({ count: 3, ttlMs: 50_000 });
    now += 50_000;
    expect(await counters.peek('login-account', 'ana@demo.test')).toEqual({ count: 0, ttlMs: 0 });
    expect(await counters.take('login-account', 'ana@demo.test', limit)).toEqual({ ok: true });
    await counters.clear('login-account', 'ana@demo.test');
    expect(await counters.peek('login-account', 'ana@demo.test')).toEqual({ count: 0, ttlMs: 0 });
    now += 60_000;
    expect(await counters.sweep()).toBe(2);
  });

  it('counts parallel hits exactly, from two handles on one database as from two processes', async () => {
    const { db, dataDir } = await store();
    // PGlite is one process's own store; PostgreSQL is shared by every process.
    const other = databaseUrl ? await openStore({ dataDir, databaseUrl }) : db;
    if (other !== db) open.push(other);
    const a = new RateCounters(db);
    const b = new RateCounters(other);
    const limit = { max: 10, windowMs: 60_000 };
    const verdicts = await Promise.all(
      Array.from({ length: 30 }, (_, i) => (i % 2 ? a : b).take('webchat-new-inbox', 'inbox-demo', limit)),
    );
    expect(verdicts.filter((v) => v.ok)).toHaveLength(10);
    expect((await a.peek('webchat-new-inbox', 'inbox-demo')).count).toBe(30);
  });

  it('counts a chain of limits in one statement, each only while the ones before it pass, exactly under parallel hits', async () => {
    const { db, dataDir } = await store();
    const other = databaseUrl ? await openStore({ dataDir, databaseUrl }) : db;
    if (other !== db) open.push(other);
    let now = 9_000_000;
    const a = new RateCounters(db, () => now);
    const b = new RateCounters(other, () => now);
    const perAddress = { max: 2, windowMs: 60_000 };
    const perInbox = { max: 5, windowMs: 30_000 };
    const chain = (address: string) => [
      { bucket: 'chain-address', key: address, limit: perAddress },
      { bucket: 'chain-inbox', key: 'inbox-demo', limit: perInbox },
    ];
    // One address past its limit is refused by that step, and never spends the inbox's budget.
    const fromOne = [];
    for (let i = 0; i < 5; i++) fromOne.push(await a.takeChain(chain('203.0.113.1')));
    expect(fromOne.map((v) => v.ok)).toEqual([true, true, false, false, false]);
    expect(fromOne[2]).toEqual({ ok: false, retryAfterMs: 60_000, step: 0 });
    expect((await a.peek('chain-inbox', 'inbox-demo')).count).toBe(2);
    // Many addresses at once, from two handles: exactly the inbox's remaining 3 pass, the rest are refused by it.
    now += 1_000;
    const verdicts = await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 ? a : b).takeChain(chain(`198.51.100.${i}`))));
    expect(verdicts.filter((v) => v.ok)).toHaveLength(3);
    expect(verdicts.filter((v) => !v.ok).every((v) => !v.ok && v.step === 1 && v.retryAfterMs === 29_000)).toBe(true);
    expect(await a.takeChain([])).toEqual({ ok: true });
  });

  it('ends a session after its idle or absolute lifetime, renews it while used, and lets an admin end it', async () => {
    const { db } = await store();
    let now = 5_000_000;
    const sessions = new Sessions(db, { idleMs: 10_000, absoluteMs: 30_000 }, () => now);
    const idle = await sessions.create('user-ana', 'Bandeja/0.1.0 (headless; linux)');
    const used = await sessions.create('user-ana', 'Bandeja/0.1.0 (electron; win32)');
    expect((await sessions.userFor(used, 'client-1'))?.id).toBe('user-ana');
    for (let i = 0; i < 3; i++) {
      now += 8_000;
      expect((await sessions.userFor(used))?.id).toBe('user-ana');
    }
    // Unused for 24 s: gone, like an unknown token.
    expect(await sessions.userFor(idle)).toBeNull();
    const listed = await sessions.listForUser('user-ana');
    expect(listed.map((s) => [s.device, s.clientId, s.lastSeenAt])).toEqual([['Bandeja/0.1.0 (electron; win32)', 'client-1', now]]);
    // Past the absolute lifetime, however much it is used.
    now += 7_000;
    expect(await sessions.userFor(used)).toBeNull();

    // An admin ends one by its id; the sweep names the live sockets whose session is gone.
    const kept = await sessions.create('user-bruno', '');
    const ended = await sessions.create('user-bruno', '');
    const endedId = (await sessions.listForUser('user-bruno')).find((s) => s.tokenHash === tokenHash(ended))!.id;
    expect(await sessions.end(endedId)).toBe(tokenHash(ended));
    expect(await sessions.end(endedId)).toBeNull();
    expect(await sessions.userFor(ended)).toBeNull();
    expect(await sessions.sweep([tokenHash(kept), tokenHash(ended)])).toEqual([tokenHash(ended)]);
    // A live socket's session is renewed by the sweep, so it never idles out while connected.
    for (let i = 0; i < 3; i++) {
      now += 8_000;
      expect(await sessions.sweep([tokenHash(kept)])).toEqual([]);
    }
    now += 7_000;
    expect(await sessions.sweep([tokenHash(kept)])).toEqual([tokenHash(kept)]);
  });
});
