// Attachments against a real server process: uploads checked by size, type and hash (nothing kept
// when refused), read back only by who may see them, and a file attached offline reaching the
// customer's page exactly once after reconnecting, through a real headless client.
import Database from 'better-sqlite3';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_ATTACHMENT_BYTES } from '../../src-shared/domain';
import { Paths } from '../../src-shared/http';
import { startClientProcess, type ClientProcess } from '../support/client-process';
import { startServerProcess, type ServerProcess } from '../support/server-process';
import { login, SyncPeer } from '../support/sync-peer';
import { startUploadGate } from '../support/upload-gate';
import { WebchatCustomer } from '../support/webchat-customer';
import { readMirrorFile, signIn, waitForConversation } from './sync-helpers';

let server: ServerProcess | undefined;
let ana: ClientProcess | undefined;
afterEach(async () => {
  await ana?.stop();
  await server?.stop();
  ana = server = undefined;
});

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const PDF = Buffer.from('%PDF-1.7\n% Factura 0042\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n');
const EXE = Buffer.concat([Buffer.from([0x4d, 0x5a, 0x90, 0x00]), Buffer.alloc(64, 7)]);

function put(url: string, token: string | null, hash: string, body: Buffer, type: string) {
  return fetch(url + Paths.blob(hash), {
    method: 'PUT',
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), 'content-type': type },
    body,
  });
}

/** Every file in the server's blob folder (temporary uploads included). */
function storedBlobs(dataDir: string): string[] {
  const root = join(dataDir, 'server', 'blobs');
  if (!existsSync(root)) return [];
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => e.name);
}

describe('blob uploads', () => {
  it('stores a file once (idempotent), refuses bad ones with their codes keeping nothing, and reads back only for who may see it', async () => {
    server = await startServerProcess({ demo: true });
    const { token } = await login(server.url, 'ana@demo.test');
    const bruno = await login(server.url, 'bruno@demo.test');

    const first = await put(server.url, token, sha(PDF), PDF, 'application/pdf');
    expect(first.status).toBe(201);
    expect(await first.json()).toEqual({ sha256: sha(PDF), size: PDF.length, mime: 'application/pdf' });
    // Again with its bytes: checked again and answered the same (an upload never tells that a file exists).
    expect((await put(server.url, token, sha(PDF), PDF, 'application/pdf')).status).toBe(201);
    expect(storedBlobs(server.dataDir)).toEqual([sha(PDF)]);

    const refusals: [Response, number, string][] = [
      [await put(server.url, token, sha(EXE), EXE, 'application/pdf'), 415, 'FORBIDDEN_FILE_TYPE'],
      [
        await put(
          server.url,
          token,
          sha(PDF).replace(/^./, (c) => (c === '0' ? '1' : '0')),
          PDF,
          'application/pdf',
        ),
        400,
        'HASH_MISMATCH',
      ],
      [await put(server.url, token, sha(PDF), PDF, 'image/png'), 415, 'FORBIDDEN_FILE_TYPE'],
    ];
    const big = Buffer.alloc(MAX_ATTACHMENT_BYTES + 1, 0x61);
    refusals.push([await put(server.url, token, sha(big), big, 'text/plain'), 413, 'FILE_TOO_LARGE']);
    for (const [res, status, code] of refusals) {
      expect(res.status).toBe(status);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe(code);
    }
    const anonymous = await put(server.url, null, sha(PDF), PDF, 'application/pdf');
    expect(anonymous.status).toBe(401);
    expect(storedBlobs(server.dataDir)).toEqual([sha(PDF)]);

    const mine = await fetch(server.url + Paths.blob(sha(PDF)), { headers: { authorization: `Bearer ${token}` } });
    expect(mine.status).toBe(200);
    expect(Buffer.from(await mine.arrayBuffer()).equals(PDF)).toBe(true);
    // Bruno neither uploaded it nor sees a message holding it.
    expect((await fetch(server.url + Paths.blob(sha(PDF)), { headers: { authorization: `Bearer ${bruno.token}` } })).status).toBe(404);
  });
});

describe('attachments through the outbox', () => {
  it('a file attached offline reaches the customer once after reconnecting, with a link only they can open', async () => {
    server = await startServerProcess({ demo: true });
    ana = await startClientProcess({ serverUrl: server.url });
    await signIn(ana, server.url, 'ana@demo.test');
    const customer = await WebchatCustomer.join(server.url, 'demo', 'Gabriela');
    await customer.say('¿Me mandas la factura?');
    const conversation = await waitForConversation(ana, 'unassigned', 'Gabriela');

    await server.stop();
    await ana.ipc.until('sync.status', {}, (s) => s.state === 'offline');
    const staged = await ana.ipc.ok('attachment.stage', {
      name: 'factura.pdf',
      mime: 'application/pdf',
      dataBase64: PDF.toString('base64'),
      kind: 'file',
      durationMs: null,
    });
    expect(staged).toMatchObject({ sha256: sha(PDF), mime: 'application/pdf', kind: 'file' });
    await ana.ipc.ok('message.send', { conversationId: conversation.id, body: '', attachments: [staged] });
    // Shown at once, pending, with its file.
    const pending = (await ana.ipc.ok('conversation.messages', { conversationId: conversation.id })).filter((m) => m.direction === 'out');
    expect(pending.map((m) => [m.delivery, m.attachments.map((a) => a.name)])).toEqual([['pending', ['factura.pdf']]]);

    // A restart while offline keeps it queued.
    await ana.restart();
    await ana.ipc.until('sync.status', {}, (s) => s.state === 'offline' && s.pending === 1);
    await server.restart();
    await ana.ipc.until('sync.status', {}, (s) => s.state === 'online' && s.pending === 0);
    const sent = await ana.ipc.until('conversation.messages', { conversationId: conversation.id }, (ms) =>
      ms.some((m) => m.direction === 'out' && m.delivery === 'sent'),
    );
    expect(sent.filter((m) => m.direction === 'out').map((m) => m.attachments.map((a) => a.sha256))).toEqual([[sha(PDF)]]);
    expect(readMirrorFile(ana, (db) => db.prepare('SELECT sha256, state FROM blob_uploads').all())).toEqual([
      { sha256: sha(PDF), state: 'uploaded' },
    ]);

    const again = await WebchatCustomer.join(server.url, 'demo', 'Gabriela', customer.identity);
    again.close();
    const fromAgent = again.history.filter((m) => m.from === 'agent');
    expect(fromAgent).toHaveLength(1);
    expect(fromAgent[0]!.attachments).toHaveLength(1);
    const link = fromAgent[0]!.attachments[0]!;
    expect(link).toMatchObject({ name: 'factura.pdf', mime: 'application/pdf', kind: 'file' });
    const media = await fetch(server.url + link.url);
    expect(media.status).toBe(200);
    expect(media.headers.get('content-type')).toBe('application/pdf');
    expect(Buffer.from(await media.arrayBuffer()).equals(PDF)).toBe(true);
    // The same link for another visitor, or with its signature changed, opens nothing.
    const other = new URL(link.url, server.url);
    other.searchParams.set('v', '00000000-0000-4000-8000-000000000000');
    expect((await fetch(other)).status).toBe(404);
    // Stored once on the server.
    expect(storedBlobs(server.dataDir)).toEqual([sha(PDF)]);
  });

  it('a message naming a blob the server never received is refused with ATTACHMENT_MISSING, and nothing is stored', async () => {
    server = await startServerProcess({ demo: true });
    const { token } = await login(server.url, 'ana@demo.test');
    const peer = await SyncPeer.connect(server.url, { token });
    const customer = await WebchatCustomer.join(server.url, 'demo', 'Hugo');
    await customer.say('Hola');
    await peer.waitForOp((op) => op.kind === 'conversation', 'conversation');
    const conversation = [...peer.conversations.values()].find((c) => c.lastMessagePreview === 'Hola')!;
    const attachment = { sha256: sha(PDF), name: 'factura.pdf', mime: 'application/pdf', size: PDF.length, kind: 'file', durationMs: null };
    const refused = await peer.push('message.send', {
      id: randomUUID(),
      conversationId: conversation.id,
      body: '',
      attachments: [attachment],
    });
    expect(refused).toMatchObject({ status: 'rejected', error: { code: 'ATTACHMENT_MISSING' } });
    // Once uploaded, the same message goes through and the customer gets it.
    expect((await put(server.url, token, sha(PDF), PDF, 'application/pdf')).status).toBe(201);
    const id = randomUUID();
    expect(
      await peer.push('message.send', { id, conversationId: conversation.id, body: 'Aquí está', attachments: [attachment] }),
    ).toMatchObject({ status: 'ok' });
    const got = await customer.waitForAgentMessage((m) => m.id === id);
    expect(got.attachments.map((a) => a.name)).toEqual(['factura.pdf']);
    peer.close();
    customer.close();
  });

  it('a file the server no longer holds, though this device counted it uploaded, is uploaded again when the refused message is resent', async () => {
    server = await startServerProcess({ demo: true });
    ana = await startClientProcess({ serverUrl: server.url });
    await signIn(ana, server.url, 'ana@demo.test');
    const customer = await WebchatCustomer.join(server.url, 'demo', 'Julia');
    await customer.say('¿Me reenvías el contrato?');
    const conversation = await waitForConversation(ana, 'unassigned', 'Julia');
    const staged = await ana.ipc.ok('attachment.stage', {
      name: 'contrato.pdf',
      mime: 'application/pdf',
      dataBase64: PDF.toString('base64'),
      kind: 'file',
      durationMs: null,
    });
    // As if uploaded an hour ago and since lost by the server (its store restored from a backup, say). An
    // upload older than the server's grace is uploaded again before sending (attachments-collected.test.ts);
    // a recent one is trusted, and the refusal tells the device it was wrong.
    await ana.stop();
    const dir = join(ana.dataDir, 'client', 'mirrors');
    const file = readdirSync(dir).find((f) => f.endsWith('.sqlite'))!;
    const db = new Database(join(dir, file));
    db.prepare("INSERT INTO blob_uploads (sha256, state, error, at) VALUES (?, 'uploaded', NULL, ?)").run(sha(PDF), Date.now() - 3_600_000);
    db.close();
    await ana.restart();
    await ana.ipc.until('sync.status', {}, (s) => s.state === 'online');

    const { id } = await ana.ipc.ok('message.send', { conversationId: conversation.id, body: 'El contrato', attachments: [staged] });
    const failed = await ana.ipc.until('conversation.messages', { conversationId: conversation.id }, (ms) =>
      ms.some((m) => m.id === id && m.delivery === 'failed'),
    );
    expect(failed.find((m) => m.id === id)?.failure?.code).toBe('ATTACHMENT_MISSING');
    expect(readMirrorFile(ana, (d) => d.prepare('SELECT COUNT(*) AS n FROM blob_uploads').get())).toEqual({ n: 0 });

    const resent = await ana.ipc.ok('message.resend', { id });
    await ana.ipc.until('sync.status', {}, (s) => s.state === 'online' && s.pending === 0);
    const got = await customer.waitForAgentMessage((m) => m.id === resent.id);
    expect(got.attachments.map((a) => a.name)).toEqual(['contrato.pdf']);
    const timeline = await ana.ipc.ok('conversation.messages', { conversationId: conversation.id });
    expect(timeline.filter((m) => m.direction === 'out').map((m) => [m.id, m.delivery === 'failed'])).toEqual([[resent.id, false]]);
    expect(storedBlobs(server.dataDir)).toEqual([sha(PDF)]);
    customer.close();
  });

  it('a client killed halfway through an upload uploads again after restarting and sends the message once', async () => {
    server = await startServerProcess({ demo: true });
    const gate = await startUploadGate(server.url);
    try {
      ana = await startClientProcess({ serverUrl: gate.url });
      await signIn(ana, gate.url, 'ana@demo.test');
      const customer = await WebchatCustomer.join(server.url, 'demo', 'Iván');
      await customer.say('¿Me pasas la lista de precios?');
      const conversation = await waitForConversation(ana, 'unassigned', 'Iván');

      // About 1 MB of CSV, held by the gate after 256 KiB.
      const rows = ['producto,precio'];
      for (let i = 0, size = 0; size < 1_000_000; i++) {
        const line = `artículo ${i},${(i * 7919) % 10000}`;
        rows.push(line);
        size += line.length + 1;
      }
      const csv = Buffer.from(rows.join('\n'));
      gate.holdAfter(256 * 1024);
      const staged = await ana.ipc.ok('attachment.stage', {
        name: 'precios.csv',
        mime: 'text/csv',
        dataBase64: csv.toString('base64'),
        kind: 'file',
        durationMs: null,
      });
      await ana.ipc.ok('message.send', { conversationId: conversation.id, body: 'Aquí la lista', attachments: [staged] });
      await gate.held();
      await ana.kill();
      // The server dropped the cut upload: nothing stored, not even a temporary file.
      const deadline = Date.now() + 15_000;
      while (storedBlobs(server.dataDir).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(storedBlobs(server.dataDir)).toEqual([]);

      gate.holdAfter(null);
      await ana.restart();
      await ana.ipc.until('sync.status', {}, (s) => s.state === 'online' && s.pending === 0);
      expect(gate.puts()).toEqual({ started: 2, completed: 1 });
      expect(storedBlobs(server.dataDir)).toEqual([sha(csv)]);
      const reply = await customer.waitForAgentMessage((m) => m.body === 'Aquí la lista');
      expect(reply.attachments.map((a) => a.name)).toEqual(['precios.csv']);
      const again = await WebchatCustomer.join(server.url, 'demo', 'Iván', customer.identity);
      again.close();
      customer.close();
      expect(again.history.filter((m) => m.from === 'agent').map((m) => m.body)).toEqual(['Aquí la lista']);
    } finally {
      await gate.close();
    }
  });
});
