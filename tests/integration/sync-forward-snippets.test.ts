// Forwarding and snippet files through real headless clients and a real server process: a forwarded
// file the device never had reaches each customer once without being uploaded, and a snippet with a
// file made offline is uploaded first, then saved.
import { createHash, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Paths } from '../../src-shared/http';
import { startClientProcess, type ClientProcess } from '../support/client-process';
import { startServerProcess, type ServerProcess } from '../support/server-process';
import { login, SyncPeer } from '../support/sync-peer';
import { startUploadGate, type UploadGate } from '../support/upload-gate';
import { WebchatCustomer } from '../support/webchat-customer';
import { readMirrorFile, signIn } from './sync-helpers';

let server: ServerProcess | undefined;
let client: ClientProcess | undefined;
let gate: UploadGate | undefined;
const closers: (() => void)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) close();
  await client?.stop();
  await gate?.close();
  await server?.stop();
  client = gate = server = undefined;
});

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const PDF = Buffer.from('%PDF-1.7\n% Factura 0099\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n');
// A 1x1 PNG.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

async function customerWrites(serverUrl: string, name: string, text: string): Promise<WebchatCustomer> {
  const customer = await WebchatCustomer.join(serverUrl, 'demo', name);
  closers.push(() => customer.close());
  await customer.say(text);
  return customer;
}

describe('forward', () => {
  it('forwards a file this device never had to two conversations: each customer gets it once, nothing is uploaded', async () => {
    server = await startServerProcess({ demo: true });
    gate = await startUploadGate(server.url);
    // Bruno sends Carla a PDF from his own device.
    const bruno = await login(server.url, 'bruno@demo.test');
    const brunoPeer = await SyncPeer.connect(server.url, { token: bruno.token });
    closers.push(() => brunoPeer.close());
    const carla = await customerWrites(server.url, 'Carla', '¿Me mandas la factura?');
    await brunoPeer.waitForOp((op) => op.kind === 'conversation' && op.row.lastMessagePreview === '¿Me mandas la factura?', 'Carla');
    const fromCarla = [...brunoPeer.conversations.values()].find((c) => c.lastMessagePreview === '¿Me mandas la factura?')!;
    const put = await fetch(server.url + Paths.blob(sha(PDF)), {
      method: 'PUT',
      headers: { authorization: `Bearer ${bruno.token}`, 'content-type': 'application/pdf' },
      body: PDF,
    });
    expect(put.status).toBe(201);
    const pdf = { sha256: sha(PDF), name: 'factura.pdf', mime: 'application/pdf', size: PDF.length, kind: 'file', durationMs: null };
    const sourceId = randomUUID();
    expect(
      await brunoPeer.push('message.send', { id: sourceId, conversationId: fromCarla.id, body: 'Tu factura', attachments: [pdf] }),
    ).toMatchObject({
      status: 'ok',
    });
    await carla.waitForAgentMessage((m) => m.id === sourceId);
    const diego = await customerWrites(server.url, 'Diego', 'Yo también necesito la factura');
    const elena = await customerWrites(server.url, 'Elena', 'Y yo');

    // Sofía (supervisor) forwards Bruno's message from her device, through a gate counting uploads.
    client = await startClientProcess({ serverUrl: gate.url });
    await signIn(client, gate.url, 'sofia@demo.test');
    const open = await client.ipc.until('inbox.list', { view: { kind: 'all' }, status: 'open' }, (items) =>
      ['Carla', 'Diego', 'Elena'].every((n) => items.some((c) => c.contactName === n)),
    );
    const idOf = (name: string) => open.find((c) => c.contactName === name)!.id;
    const source = (await client.ipc.ok('conversation.messages', { conversationId: idOf('Carla') })).find((m) => m.id === sourceId)!;
    expect(source.attachments.map((a) => a.name)).toEqual(['factura.pdf']);

    const { mutationIds } = await client.ipc.ok('message.forward', {
      messageId: sourceId,
      toConversationIds: [idOf('Diego'), idOf('Elena')],
    });
    expect(mutationIds).toHaveLength(2);
    await client.ipc.until('sync.status', {}, (s) => s.state === 'online' && s.pending === 0);

    for (const [customer, name] of [
      [diego, 'Diego'],
      [elena, 'Elena'],
    ] as const) {
      const got = await customer.waitForAgentMessage((m) => m.body === 'Tu factura');
      expect(got.attachments.map((a) => a.name)).toEqual(['factura.pdf']);
      const media = await fetch(server.url + got.attachments[0]!.url);
      expect(Buffer.from(await media.arrayBuffer()).equals(PDF)).toBe(true);
      const again = await WebchatCustomer.join(server.url, 'demo', name, customer.identity);
      again.close();
      expect(again.history.filter((m) => m.from === 'agent').map((m) => m.body)).toEqual(['Tu factura']);
      // The customer's page is open: the forwarded message shows delivered.
      const timeline = await client.ipc.until('conversation.messages', { conversationId: idOf(name) }, (ms) =>
        ms.some((m) => m.direction === 'out' && m.delivery === 'delivered'),
      );
      expect(timeline.filter((m) => m.direction === 'out').map((m) => [m.body, m.forwarded, m.delivery])).toEqual([
        ['Tu factura', true, 'delivered'],
      ]);
    }
    // Nothing was uploaded and the file never came to Sofía's device.
    expect(gate.puts()).toEqual({ started: 0, completed: 0 });
    expect(existsSync(join(client.dataDir, 'client', 'blobs', sha(PDF)))).toBe(false);

    // A target whose conversation is closed refuses the whole forward: nothing is recorded.
    await client.ipc.ok('conversation.close', { conversationId: idOf('Elena'), note: null, categoryId: null });
    const refused = await client.ipc.call('message.forward', { messageId: sourceId, toConversationIds: [idOf('Diego'), idOf('Elena')] });
    expect(refused).toMatchObject({ ok: false, error: { code: 'CONVERSATION_CLOSED', params: { conversationId: idOf('Elena') } } });
    expect(
      (await client.ipc.ok('conversation.messages', { conversationId: idOf('Diego') })).filter((m) => m.direction === 'out'),
    ).toHaveLength(1);
  });
});

describe('snippets with a file', () => {
  it('a snippet with a file made offline is uploaded, then saved; it survives a restart while offline', async () => {
    server = await startServerProcess({ demo: true });
    client = await startClientProcess({ serverUrl: server.url });
    await signIn(client, server.url, 'ana@demo.test');
    await server.stop();
    await client.ipc.until('sync.status', {}, (s) => s.state === 'offline');

    const map = await client.ipc.ok('attachment.stage', {
      name: 'mapa.png',
      mime: 'image/png',
      dataBase64: PNG.toString('base64'),
      kind: 'image',
      durationMs: null,
    });
    const { id } = await client.ipc.ok('snippet.save', {
      title: 'Cómo llegar',
      shortcut: 'mapa',
      body: 'Así llegas a la tienda',
      attachment: map,
      shared: false,
    });
    expect((await client.ipc.ok('snippet.list', {})).find((s) => s.id === id)).toMatchObject({
      attachment: { sha256: sha(PNG) },
      version: 0,
    });

    await client.restart();
    await client.ipc.until('sync.status', {}, (s) => s.state === 'offline' && s.pending === 1);
    await server.restart();
    await client.ipc.until('sync.status', {}, (s) => s.state === 'online' && s.pending === 0);
    const saved = await client.ipc.until('snippet.list', {}, (list) => (list.find((s) => s.id === id)?.version ?? 0) > 0);
    expect(saved.find((s) => s.id === id)).toMatchObject({ shortcut: 'mapa', attachment: { sha256: sha(PNG), name: 'mapa.png' } });
    expect((await client.ipc.ok('sync.status', {})).lastError).toBeNull();
    expect(readMirrorFile(client, (db) => db.prepare('SELECT sha256, state FROM blob_uploads').all())).toEqual([
      { sha256: sha(PNG), state: 'uploaded' },
    ]);
    // The server holds the file and the snippet (seen by another device of Ana's).
    const ana = await login(server.url, 'ana@demo.test');
    const res = await fetch(server.url + Paths.blob(sha(PNG)), { headers: { authorization: `Bearer ${ana.token}` } });
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(PNG)).toBe(true);
    const peer = await SyncPeer.connect(server.url, { token: ana.token });
    closers.push(() => peer.close());
    expect(peer.rowsOf('snippet').get(id)).toMatchObject({ shortcut: 'mapa', attachment: { sha256: sha(PNG) } });
  });
});
