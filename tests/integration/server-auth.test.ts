// Sign-in over HTTP against a real server process.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Paths } from '../../src-shared/http';
import { CloseCode } from '../../src-shared/protocol';
import { openStore } from '../../src-server/app';
import { ChangeBatch } from '../../src-server/store/changeLog';
import { setUserActive } from '../../src-server/store/directory';
import { nextVersion } from '../../src-server/store/tenants';
import { startServerProcess, type ServerProcess } from '../support/server-process';
import { login, loginRaw, SyncPeer } from '../support/sync-peer';

let server: ServerProcess;

beforeAll(async () => {
  server = await startServerProcess({ demo: true, dataDir: mkdtempSync(join(tmpdir(), 'bandeja-auth-')) });
});
afterAll(async () => {
  await server?.stop();
});

describe('login', () => {
  it('signs in a demo agent and returns the user and tenant', async () => {
    const res = await login(server.url, 'ana@demo.test');
    expect(res.token.length).toBeGreaterThanOrEqual(32);
    expect(res.user).toMatchObject({ id: 'user-ana', name: 'Ana', role: 'agent', active: true, teamIds: ['team-soporte'] });
    expect(res.tenant).toEqual({ id: 'demo', name: 'Demo' });
    const sofia = await login(server.url, 'SOFIA@demo.test');
    expect(sofia.user).toMatchObject({ name: 'Sofía', role: 'supervisor' });
  });

  it('refuses a wrong password and an unknown email with the same answer', async () => {
    const wrong = await loginRaw(server.url, { email: 'ana@demo.test', password: 'demo12345' });
    const unknown = await loginRaw(server.url, { email: 'zoe@demo.test', password: 'demo1234' });
    const expected = { error: { code: 'INVALID_CREDENTIALS', message: 'Email or password is incorrect.' } };
    expect(wrong).toEqual({ status: 401, body: expected });
    expect(unknown).toEqual({ status: 401, body: expected });
  });

  it('answers a malformed body with INVALID_ARGS', async () => {
    expect(await loginRaw(server.url, { email: 'not an email' })).toMatchObject({ status: 400, body: { error: { code: 'INVALID_ARGS' } } });
  });

  it('ends a session on logout: the token no longer opens a sync socket', async () => {
    const { token } = await login(server.url, 'bruno@demo.test');
    const live = await SyncPeer.connect(server.url, { token });
    const res = await fetch(server.url + Paths.logout, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    expect((await live.closed).code).toBe(CloseCode.unauthorized);
    const again = await SyncPeer.connect(server.url, { token, skipHello: true });
    await expect(again.hello()).rejects.toThrow(/UNAUTHORIZED/);
  });

  it('refuses an inactive user, and their old session, across a restart', async () => {
    const { token } = await login(server.url, 'bruno@demo.test');
    await server.stop();
    // Deactivate Bruno in the server's own store while it is down (there is no admin API yet).
    const db = await openStore({ dataDir: server.dataDir });
    await db.tx(async (tx) => {
      const batch = new ChangeBatch('demo', await nextVersion(tx, 'demo'));
      await setUserActive(tx, batch, 'user-bruno', false);
      await batch.write(tx);
    });
    await db.close();
    await server.restart();

    // The right password of a deactivated account answers like a wrong one (nothing tells who exists).
    const right = await loginRaw(server.url, { email: 'bruno@demo.test', password: 'demo1234' });
    expect(right).toEqual(await loginRaw(server.url, { email: 'bruno@demo.test', password: 'nope' }));
    expect(right).toMatchObject({ status: 401, body: { error: { code: 'INVALID_CREDENTIALS' } } });
    const old = await SyncPeer.connect(server.url, { token, skipHello: true });
    await expect(old.hello()).rejects.toThrow(/UNAUTHORIZED/);
    // Others are unaffected, and see Bruno as inactive.
    const ana = await SyncPeer.connect(server.url, { token: (await login(server.url, 'ana@demo.test')).token });
    const users = ana.frames.flatMap((f) => (f.type === 'snapshotPage' ? f.ops : [])).filter((op) => op.kind === 'user');
    expect(users.find((op) => op.kind === 'user' && op.row.id === 'user-bruno')).toMatchObject({ row: { active: false } });
    ana.close();
  });

  it('reports health', async () => {
    const res = await fetch(server.url + Paths.health);
    expect(await res.json()).toMatchObject({ ok: true, protocol: 1 });
  });
});
