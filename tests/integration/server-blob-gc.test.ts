// Blob garbage collection on a real server process and its data folder: files no message and no snippet
// holds disappear (rows and bytes) once a day old, at the next start; everything in use, and anything
// recent, stays readable.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, expect, it } from 'vitest';
import type { Attachment } from '../../src-shared/domain';
import { Paths } from '../../src-shared/http';
import { openStore } from '../../src-server/app';
import { startServerProcess, type ServerProcess } from '../support/server-process';
import { login, SyncPeer } from '../support/sync-peer';
import { WebchatCustomer } from '../support/webchat-customer';

let server: ServerProcess | undefined;
afterAll(async () => {
  await server?.stop();
});

const DAY = 24 * 3_600_000;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const text = (s: string) => Buffer.from(`${s}\n${'x'.repeat(200)}\n`);

it('removes blobs nothing holds once a day old, and keeps those messages and snippets hold, and recent ones', async () => {
  server = await startServerProcess({ demo: true });
  const { token } = await login(server.url, 'ana@demo.test');
  const files = {
    sent: text('factura enviada'),
    snippet: text('catalogo del snippet'),
    abandoned: text('subido y nunca enviado'),
    recent: text('recien subido'),
  };
  const attachment = (name: keyof typeof files): Attachment => ({
    sha256: sha(files[name]),
    name: `${name}.txt`,
    mime: 'text/plain',
    size: files[name].length,
    kind: 'file',
    durationMs: null,
  });
  for (const bytes of Object.values(files)) {
    const res = await fetch(server.url + Paths.blob(sha(bytes)), {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'text/plain' },
      body: bytes,
    });
    expect(res.status).toBe(201);
  }

  const ana = await SyncPeer.connect(server.url, { token });
  const customer = await WebchatCustomer.join(server.url, 'demo', 'Gabriela');
  const said = await customer.say('¿Me mandan la factura?');
  await ana.waitFor(() => ana.messages.has(said), 'the customer message');
  const conversationId = ana.messages.get(said)!.conversationId;
  expect(
    await ana.push('message.send', { id: uuidv7(), conversationId, body: 'Aquí está', attachments: [attachment('sent')] }),
  ).toMatchObject({ status: 'ok' });
  expect(
    await ana.push('snippet.save', {
      id: uuidv7(),
      title: 'Catálogo',
      shortcut: 'catalogo',
      body: 'Te paso el catálogo',
      attachment: attachment('snippet'),
      shared: false,
    }),
  ).toMatchObject({ status: 'ok' });
  ana.close();
  customer.close();
  await server.stop();

  // A day passes for everything but the recent upload (rows and files), and a file without any row
  // (left by a crash between the rename and the row) is as old.
  const dayAgo = Date.now() - DAY - 60_000;
  const store = await openStore({ dataDir: server.dataDir });
  await store.query('UPDATE blobs SET created_at = $1, used_at = $1 WHERE sha256 <> $2', [dayAgo, sha(files.recent)]);
  await store.close();
  const blobPath = (hash: string) => join(server!.dataDir, 'server', 'blobs', hash.slice(0, 2), hash);
  const orphan = text('sin fila');
  mkdirSync(join(server.dataDir, 'server', 'blobs', sha(orphan).slice(0, 2)), { recursive: true });
  writeFileSync(blobPath(sha(orphan)), orphan);
  for (const hash of [sha(files.sent), sha(files.snippet), sha(files.abandoned), sha(orphan)])
    utimesSync(blobPath(hash), dayAgo / 1000, dayAgo / 1000);

  await server.restart();
  expect(existsSync(blobPath(sha(files.abandoned)))).toBe(false);
  expect(existsSync(blobPath(sha(orphan)))).toBe(false);
  for (const kept of [files.sent, files.snippet, files.recent]) expect(existsSync(blobPath(sha(kept)))).toBe(true);

  const read = (bytes: Buffer) => fetch(server!.url + Paths.blob(sha(bytes)), { headers: { authorization: `Bearer ${token}` } });
  expect((await read(files.sent)).status).toBe(200);
  expect((await read(files.snippet)).status).toBe(200);
  expect((await read(files.recent)).status).toBe(200);
  expect((await read(files.abandoned)).status).toBe(404);
  // The collected file can no longer be sent: its upload is gone, so it must be attached again.
  const again = await SyncPeer.connect(server.url, { token });
  expect(
    await again.push('message.send', { id: uuidv7(), conversationId, body: 'Otro', attachments: [attachment('abandoned')] }),
  ).toMatchObject({
    status: 'rejected',
    error: { code: 'ATTACHMENT_MISSING' },
  });
  again.close();
});
