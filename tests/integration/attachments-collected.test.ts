// A file this device uploaded days ago for a message that never reached the server (refused, discarded)
// is collected by the server after a day (src-server/blobs/gc.ts) while the device still counts it as
// uploaded. Sent again, through the real client core against a real server process, it is uploaded again
// before the message is pushed: the message is delivered, not refused once with ATTACHMENT_MISSING.
import { mkdtempSync, readdirSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { BLOB_GRACE_MS, Paths } from '../../src-shared/http';
import { openStore } from '../../src-server/app';
import { createCore, type Core } from '../../src-main/core';
import { markUpload } from '../../src-main/core/mirror/blobUploads';
import type { WritableDb } from '../../src-main/core/mirror/db';
import { createHeadlessHost } from '../../src-main/host/headless/host';
import { startServerProcess, type ServerProcess } from '../support/server-process';
import { DEMO_PASSWORD, login } from '../support/sync-peer';
import { WebchatCustomer } from '../support/webchat-customer';

let server: ServerProcess | undefined;
let core: Core | undefined;
let customer: WebchatCustomer | undefined;
afterAll(async () => {
  customer?.close();
  await core?.close();
  await server?.stop();
});

async function until<T>(probe: () => T | Promise<T>, what: string, ms = 30_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const PDF = Buffer.from('%PDF-1.7\n% Presupuesto 0815\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n');

it('a file the server collected while this device counted it uploaded is uploaded again before it is sent', async () => {
  server = await startServerProcess({ demo: true });
  core = createCore({
    host: createHeadlessHost(mkdtempSync(join(tmpdir(), 'bandeja-collected-')), () => {}),
    lang: 'en',
    defaultServerUrl: server.url,
    log: () => {},
  });
  await core.ready;
  await core.login(server.url, 'ana@demo.test', DEMO_PASSWORD);
  await until(() => core!.syncStatus().state === 'online', 'online');
  customer = await WebchatCustomer.join(server.url, 'demo', 'Graciela');
  await customer.say('¿Me mandan el presupuesto?');
  const conversationId = await until(
    () =>
      core!
        .reader()
        .db.prepare<[], { id: string }>(
          "SELECT c.id FROM conversations c JOIN contacts ct ON ct.id = c.contact_id WHERE ct.name = 'Graciela'",
        )
        .get()?.id,
    'the conversation',
  );

  // Two days ago this device uploaded the file for a message that never reached the server.
  const attachment = core.stageAttachment({ name: 'presupuesto.pdf', mime: 'application/pdf', bytes: PDF, kind: 'file', durationMs: null });
  const { token } = await login(server.url, 'ana@demo.test');
  const put = await fetch(server.url + Paths.blob(attachment.sha256), {
    method: 'PUT',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/pdf' },
    body: PDF,
  });
  expect(put.status).toBe(201);
  const twoDaysAgo = Date.now() - 2 * BLOB_GRACE_MS;
  markUpload(core.reader().db as unknown as WritableDb, attachment.sha256, { state: 'uploaded' }, twoDaysAgo);

  // The server's collection after a day (at its next start) removes it: nothing holds it.
  await server.stop();
  const store = await openStore({ dataDir: server.dataDir });
  await store.query('UPDATE blobs SET created_at = $1, used_at = $1 WHERE sha256 = $2', [twoDaysAgo, attachment.sha256]);
  await store.close();
  const blobsDir = join(server.dataDir, 'server', 'blobs');
  const stored = readdirSync(blobsDir, { recursive: true, withFileTypes: true }).find((e) => e.name === attachment.sha256)!;
  utimesSync(join(stored.parentPath, stored.name), twoDaysAgo / 1000, twoDaysAgo / 1000);
  await server.restart();
  const read = () => fetch(server!.url + Paths.blob(attachment.sha256), { headers: { authorization: `Bearer ${token}` } });
  expect((await read()).status).toBe(404);

  // The agent sends it now: it goes up again first, and the message is delivered.
  await until(() => core!.syncStatus().state === 'online', 'online again');
  const sent = core.sendMessage(conversationId, 'Aquí está el presupuesto', [attachment]);
  await until(() => core!.syncStatus().pending === 0, 'the message confirmed');
  const message = core.reader().db.prepare<[string], { id: string }>('SELECT id FROM messages WHERE id = ?').get(sent.id);
  expect(message?.id).toBe(sent.id);
  expect(core.reader().db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM pending_messages WHERE id = ?').get(sent.id)!.n).toBe(
    0,
  );
  expect(core.syncStatus().lastError).toBeNull();
  expect((await read()).status).toBe(200);
});
