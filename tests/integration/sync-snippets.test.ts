// Snippets through a real server, real client processes and their SQLite mirrors: the demo's shared
// snippets reach everyone, shared ones need an admin (also when the client is bypassed), personal ones
// never reach another person's mirror, and a forged delete changes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startClientProcess, type ClientProcess } from '../support/client-process';
import { startServerProcess, type ServerProcess } from '../support/server-process';
import { login, SyncPeer } from '../support/sync-peer';
import { readMirrorFile, signIn } from './sync-helpers';

let server: ServerProcess;
let admin: ClientProcess;
let ana: ClientProcess;
let bruno: ClientProcess;
const peers: SyncPeer[] = [];

beforeAll(async () => {
  server = await startServerProcess({ demo: true });
  [admin, ana, bruno] = await Promise.all([
    startClientProcess({ serverUrl: server.url }),
    startClientProcess({ serverUrl: server.url }),
    startClientProcess({ serverUrl: server.url }),
  ]);
  await Promise.all([
    signIn(admin, server.url, 'admin@demo.test'),
    signIn(ana, server.url, 'ana@demo.test'),
    signIn(bruno, server.url, 'bruno@demo.test'),
  ]);
});

afterAll(async () => {
  for (const p of peers) p.close();
  await Promise.all([admin?.stop(), ana?.stop(), bruno?.stop()]);
  await server?.stop();
});

const settled = (c: ClientProcess) => c.ipc.until('sync.status', {}, (s) => s.state === 'online' && s.pending === 0);

/** A device that skips the client core's own checks: only the server stands in the way. */
async function rawPeer(email: string): Promise<SyncPeer> {
  const p = await SyncPeer.connect(server.url, { token: (await login(server.url, email)).token });
  peers.push(p);
  return p;
}

const snippetIdsInMirror = (c: ClientProcess) =>
  readMirrorFile(c, (db) =>
    (db.prepare('SELECT id FROM snippets UNION SELECT id FROM overlay_snippets').all() as { id: string }[]).map((r) => r.id),
  );

describe('snippets through the server', () => {
  it('the demo’s shared snippets reach every mirror', async () => {
    for (const c of [admin, ana, bruno]) {
      const list = await c.ipc.until('snippet.list', {}, (l) => l.length >= 3);
      expect(list.map((s) => s.shortcut)).toEqual(expect.arrayContaining(['saludo', 'gracias', 'horario']));
      expect(list.find((s) => s.shortcut === 'saludo')).toMatchObject({
        ownerId: null,
        body: expect.stringContaining('{{contact.first_name}}'),
      });
    }
  });

  it('a shared snippet needs an admin: the core refuses it at once, the server refuses a forged one', async () => {
    const args = { title: 'Promo', shortcut: 'promo', body: '20% off', attachment: null, shared: true };
    const refused = await ana.ipc.call('snippet.save', args);
    expect(refused).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });

    const forger = await rawPeer('ana@demo.test');
    const id = '0190a7a0-0000-7000-8000-00000000f00d';
    const result = await forger.push('snippet.save', { ...args, id });
    expect(result).toMatchObject({ status: 'rejected', error: { code: 'FORBIDDEN' } });
    // Nothing stored: a fresh snapshot of another user holds no such snippet.
    const witness = await rawPeer('bruno@demo.test');
    expect(witness.rowsOf('snippet').has(id)).toBe(false);
    expect(witness.rowsOf('snippet').size).toBeGreaterThanOrEqual(3);

    // An admin may, and everyone gets it.
    const { id: sharedId } = await admin.ipc.ok('snippet.save', args);
    await settled(admin);
    await bruno.ipc.until('snippet.list', {}, (l) => l.some((s) => s.id === sharedId && s.ownerId === null));
  });

  it('a personal snippet shadows the shared one for its owner and never reaches another person’s mirror', async () => {
    const { id } = await ana.ipc.ok('snippet.save', {
      title: 'Mi saludo',
      shortcut: 'saludo',
      body: '¡Buenas, {{contact.first_name}}!',
      attachment: null,
      shared: false,
    });
    // Shown at once (offline-first), before the server confirms.
    expect((await ana.ipc.ok('snippet.list', {})).find((s) => s.shortcut === 'saludo')).toMatchObject({ id, ownerId: 'user-ana' });
    await settled(ana);
    await ana.ipc.until('snippet.list', {}, (l) => l.some((s) => s.id === id && s.version > 0));
    const anaList = await ana.ipc.ok('snippet.list', {});
    expect(anaList.filter((s) => s.shortcut === 'saludo').map((s) => s.id)).toEqual([id]);
    // The shadowed shared one is still there for the managers.
    expect((await ana.ipc.ok('snippet.list', { includeShadowed: true })).filter((s) => s.shortcut === 'saludo')).toHaveLength(2);

    // Bruno: his own list keeps the shared one, and the file on his disk never held Ana's.
    await settled(bruno);
    expect((await bruno.ipc.ok('snippet.list', {})).find((s) => s.shortcut === 'saludo')).toMatchObject({
      id: 'snippet-saludo',
      ownerId: null,
    });
    expect(snippetIdsInMirror(bruno)).not.toContain(id);
    expect(snippetIdsInMirror(admin)).not.toContain(id);
    const brunoPeer = await rawPeer('bruno@demo.test');
    expect(brunoPeer.rowsOf('snippet').has(id)).toBe(false);
  });

  it('a forged delete of someone else’s snippet, or of a shared one by an agent, is refused and changes nothing', async () => {
    const { id } = await ana.ipc.ok('snippet.save', {
      title: 'Firma',
      shortcut: 'firma',
      body: 'Ana, Soporte',
      attachment: null,
      shared: false,
    });
    await settled(ana);
    await ana.ipc.until('snippet.list', {}, (l) => l.some((s) => s.id === id && s.version > 0));

    const forger = await rawPeer('bruno@demo.test');
    // Ana's personal snippet is answered like an id nobody uses; a shared one he may see but not change.
    expect(await forger.push('snippet.delete', { id })).toMatchObject({ status: 'rejected', error: { code: 'NOT_FOUND' } });
    expect(await forger.push('snippet.delete', { id: 'snippet-horario' })).toMatchObject({
      status: 'rejected',
      error: { code: 'FORBIDDEN' },
    });
    expect(
      await forger.push('snippet.save', { id, title: 'Robado', shortcut: 'firma', body: 'x', attachment: null, shared: false }),
    ).toMatchObject({
      // Saving over it: answered like an id another tenant holds (taken), naming nothing.
      status: 'rejected',
      error: { code: 'INVALID_ARGS', message: 'This id is already in use.' },
    });
    // Bad input: a taken shortcut, an over-long body, a missing blob.
    expect(
      await forger.push('snippet.save', {
        id: '0190a7a0-0000-7000-8000-0000000000b1',
        title: 'Otro',
        shortcut: 'bruno',
        body: 'a',
        attachment: null,
        shared: false,
      }),
    ).toMatchObject({
      status: 'ok',
    });
    expect(
      await forger.push('snippet.save', {
        id: '0190a7a0-0000-7000-8000-0000000000b2',
        title: 'Dup',
        shortcut: 'bruno',
        body: 'b',
        attachment: null,
        shared: false,
      }),
    ).toMatchObject({
      status: 'rejected',
      error: { code: 'INVALID_ARGS' },
    });
    expect(
      await forger.push('snippet.save', {
        id: '0190a7a0-0000-7000-8000-0000000000b3',
        title: 'Larga',
        shortcut: 'larga',
        body: 'x'.repeat(5000),
        attachment: null,
        shared: false,
      }),
    ).toMatchObject({
      status: 'rejected',
      error: { code: 'INVALID_ARGS' },
    });
    const ghost = { sha256: 'a'.repeat(64), name: 'lista.pdf', mime: 'application/pdf', size: 10, kind: 'file', durationMs: null };
    expect(
      await forger.push('snippet.save', {
        id: '0190a7a0-0000-7000-8000-0000000000b4',
        title: 'Pdf',
        shortcut: 'pdf',
        body: 'ver',
        attachment: ghost,
        shared: false,
      }),
    ).toMatchObject({
      status: 'rejected',
      error: { code: 'ATTACHMENT_MISSING' },
    });

    // Ana's snippet and the shared one are untouched.
    const again = await rawPeer('ana@demo.test');
    expect(again.rowsOf('snippet').get(id)).toMatchObject({ title: 'Firma', body: 'Ana, Soporte', ownerId: 'user-ana' });
    expect(again.rowsOf('snippet').has('snippet-horario')).toBe(true);
    // Ana deletes her own; an admin deletes a shared one; both leave every mirror.
    await ana.ipc.ok('snippet.delete', { id });
    const promo = (await admin.ipc.ok('snippet.list', {})).find((s) => s.shortcut === 'promo')!;
    await admin.ipc.ok('snippet.delete', { id: promo.id });
    await Promise.all([settled(ana), settled(admin)]);
    await ana.ipc.until('snippet.list', {}, (l) => !l.some((s) => s.id === id || s.id === promo.id));
    await bruno.ipc.until('snippet.list', {}, (l) => !l.some((s) => s.id === promo.id));
    expect(snippetIdsInMirror(ana)).not.toContain(id);
  });
});
