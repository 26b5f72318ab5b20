// The reply window, templates, resend and forward on a WhatsApp inbox, end to end: a real headless client
// (its /ipc), the real server process and a fake WhatsApp Cloud API on a real port (tests/support).
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import { afterEach, describe, expect, it } from 'vitest';
import type { Inbox } from '../../src-shared/domain';
import { HOUR_MS } from '../../src-shared/rules/channelWindow';
import { startClientProcess, type ClientProcess } from '../support/client-process';
import { startServerProcess, type ServerProcess } from '../support/server-process';
import { login, SyncPeer } from '../support/sync-peer';
import { startUploadGate, type UploadGate } from '../support/upload-gate';
import { startWhatsAppCloud, type WhatsAppCloud } from '../support/whatsapp-cloud';
import { WebchatCustomer } from '../support/webchat-customer';
import { signIn } from './sync-helpers';

let server: ServerProcess | undefined;
let client: ClientProcess | undefined;
let wa: WhatsAppCloud | undefined;
let gate: UploadGate | undefined;
const closers: (() => void)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) close();
  await client?.stop();
  await gate?.close();
  await server?.stop();
  await wa?.close();
  client = server = wa = gate = undefined;
});

// A supervisor sees every conversation, whatever team the demo WhatsApp inbox belongs to.
const AGENT = 'sofia@demo.test';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
// Server and client restarts (and, in one test, waiting for a reply window to close) take longer than
// the default minute on a busy machine.
const LONG = 240_000;

/** A server with the demo tenant and its WhatsApp inbox pointed at the fake Cloud API. */
async function start(): Promise<{ inbox: Inbox; admin: SyncPeer }> {
  wa = await startWhatsAppCloud();
  server = await startServerProcess({ demo: true, env: wa.env });
  const { token } = await login(server.url, 'admin@demo.test');
  const admin = await SyncPeer.connect(server.url, { token });
  closers.push(() => admin.close());
  const inbox = [...admin.rowsOf('inbox').values()].find((i) => i.channel === 'whatsapp');
  if (!inbox) throw new Error('The demo tenant has no WhatsApp inbox.');
  return { inbox, admin };
}

/** A WhatsApp customer writes (at `at`), and the client sees the conversation. */
async function customerWrites(c: ClientProcess, phone: string, name: string, text: string, at = Date.now()): Promise<string> {
  const { response } = await wa!.inbound(server!.url, { from: phone, name, text, at });
  expect(response.status).toBe(200);
  const list = await c.ipc.until('inbox.list', { view: { kind: 'all' }, status: 'open' }, (items) =>
    items.some((i) => i.contactName === name && i.lastMessagePreview === text),
  );
  return list.find((i) => i.contactName === name)!.id;
}

function sentWithText(text: string) {
  return wa!.sent.filter((m) => m.type === 'text' && m.request?.text?.body === text);
}

describe('WhatsApp reply window', () => {
  it(
    'a template sent offline reaches the customer once when back online, and shows delivered',
    async () => {
      const { inbox, admin } = await start();
      const templateId = uuidv7();
      expect(
        await admin.push('admin.template.save', {
          id: templateId,
          inboxId: inbox.id,
          name: 'seguimiento_caso',
          language: 'es',
          category: 'utility',
          body: 'Hola {{1}}, seguimos con tu caso {{2}}.',
          status: 'approved',
        }),
      ).toMatchObject({ status: 'ok' });

      client = await startClientProcess({ serverUrl: server!.url });
      await signIn(client, server!.url, AGENT);
      const conversationId = await customerWrites(client, '5491155559001', 'Nora', 'Hola, ¿novedades?', Date.now() - 30 * HOUR_MS);
      await client.ipc.until('template.list', { inboxId: inbox.id }, (list) => list.some((t) => t.id === templateId));

      // The mirror knows the window is closed: free text is refused at once, nothing is queued.
      expect(await client.ipc.call('message.send', { conversationId, body: 'Hola Nora' })).toMatchObject({
        ok: false,
        error: { code: 'REPLY_WINDOW_CLOSED' },
      });
      expect((await client.ipc.ok('sync.status', {})).pending).toBe(0);

      await server!.stop();
      await client.ipc.until('sync.status', {}, (s) => s.state === 'offline');
      const { id } = await client.ipc.ok('message.sendTemplate', { conversationId, templateId, variables: ['Nora', '#4411'] });
      const shown = (await client.ipc.ok('conversation.messages', { conversationId })).find((m) => m.id === id)!;
      expect(shown).toMatchObject({
        body: 'Hola Nora, seguimos con tu caso #4411.',
        delivery: 'pending',
        template: { templateId, name: 'seguimiento_caso', language: 'es', variables: ['Nora', '#4411'] },
      });
      await client.restart();
      await client.ipc.until('sync.status', {}, (s) => s.state === 'offline' && s.pending === 1);
      await server!.restart();
      await client.ipc.until('sync.status', {}, (s) => s.state === 'online' && s.pending === 0);

      const sent = await wa!.waitForSent((m) => m.type === 'template', 'the template');
      expect(sent.request.template).toMatchObject({ name: 'seguimiento_caso', language: { code: 'es' } });
      await wa!.status(server!.url, { wamid: sent.wamid, status: 'delivered' });
      const timeline = await client.ipc.until('conversation.messages', { conversationId }, (ms) =>
        ms.some((m) => m.id === id && m.delivery === 'delivered'),
      );
      expect(timeline.filter((m) => m.direction === 'out').map((m) => [m.id, m.delivery])).toEqual([[id, 'delivered']]);
      expect(wa!.sent.filter((m) => m.type === 'template')).toHaveLength(1);
    },
    LONG,
  );

  it(
    'free text written while the window was open and pushed after it closed is held as failed; resent once the customer writes again',
    async () => {
      const { inbox } = await start();
      client = await startClientProcess({ serverUrl: server!.url });
      await signIn(client, server!.url, AGENT);
      // The customer wrote 23 h 59 m 15 s ago: the window closes in 45 seconds (WhatsApp timestamps are seconds).
      const wroteAt = Date.now() - 24 * HOUR_MS + 45_000;
      const closesAt = Math.floor(wroteAt / 1000) * 1000 + 24 * HOUR_MS;
      const conversationId = await customerWrites(client, '5491155559002', 'Olga', '¿Me ayudas?', wroteAt);
      expect((await client.ipc.ok('conversation.get', { id: conversationId }))!.conversation.inboxId).toBe(inbox.id);

      await server!.stop();
      await client.ipc.until('sync.status', {}, (s) => s.state === 'offline');
      const { id } = await client.ipc.ok('message.send', { conversationId, body: 'Ya lo reviso' });
      expect(Date.now(), 'the reply must be written while the window is still open').toBeLessThan(closesAt);
      // The server comes back only after the window closed.
      await sleep(closesAt - Date.now() + 1500);
      await server!.restart();
      const rejected = await client.ipc.waitForEvent('mutation.rejected', (r) => r.conversationId === conversationId, 45_000);
      expect(rejected.error.code).toBe('REPLY_WINDOW_CLOSED');
      const held = await client.ipc.until('conversation.messages', { conversationId }, (ms) =>
        ms.some((m) => m.id === id && m.delivery === 'failed'),
      );
      expect(held.find((m) => m.id === id)).toMatchObject({
        body: 'Ya lo reviso',
        delivery: 'failed',
        failure: { code: 'REPLY_WINDOW_CLOSED' },
      });
      expect(sentWithText('Ya lo reviso')).toHaveLength(0);

      // Still closed: resending is refused and the held reply stays.
      expect(await client.ipc.call('message.resend', { id })).toMatchObject({ ok: false, error: { code: 'REPLY_WINDOW_CLOSED' } });
      expect((await client.ipc.ok('conversation.messages', { conversationId })).map((m) => m.id)).toContain(id);

      // The customer writes again: the reply goes out once, as a new message replacing the held one.
      await customerWrites(client, '5491155559002', 'Olga', '¿Sigues ahí?');
      const resent = await client.ipc.ok('message.resend', { id });
      await client.ipc.until('sync.status', {}, (s) => s.state === 'online' && s.pending === 0);
      await wa!.waitForSent((m) => m.type === 'text' && m.request?.text?.body === 'Ya lo reviso', 'the resent reply');
      const after = await client.ipc.until('conversation.messages', { conversationId }, (ms) =>
        ms.some((m) => m.id === resent.id && m.delivery === 'sent'),
      );
      expect(after.filter((m) => m.direction === 'out').map((m) => [m.id, m.body, m.delivery])).toEqual([
        [resent.id, 'Ya lo reviso', 'sent'],
      ]);
      await client.restart();
      await client.ipc.until('sync.status', {}, (s) => s.state === 'online');
      expect(
        (await client.ipc.ok('conversation.messages', { conversationId })).filter((m) => m.direction === 'out').map((m) => m.id),
      ).toEqual([resent.id]);
      expect(sentWithText('Ya lo reviso')).toHaveLength(1);
    },
    LONG,
  );

  it(
    'forwards a file the customer sent (never on this device) to a WhatsApp and a webchat conversation: once each, no upload',
    async () => {
      await start();
      gate = await startUploadGate(server!.url);
      client = await startClientProcess({ serverUrl: gate.url });
      await signIn(client, gate.url, AGENT);
      const PDF = Buffer.from('%PDF-1.7\n% Comprobante 7781\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n');
      const { response } = await wa!.inbound(server!.url, {
        from: '5491155559003',
        name: 'Pablo',
        document: { bytes: PDF, mime: 'application/pdf', filename: 'comprobante.pdf', caption: 'El comprobante' },
      });
      expect(response.status).toBe(200);
      const withFile = await client.ipc.until('inbox.list', { view: { kind: 'all' }, status: 'open' }, (items) =>
        items.some((i) => i.contactName === 'Pablo'),
      );
      const fromId = withFile.find((i) => i.contactName === 'Pablo')!.id;
      const received = await client.ipc.until('conversation.messages', { conversationId: fromId }, (ms) =>
        ms.some((m) => m.attachments.length > 0),
      );
      const source = received.find((m) => m.attachments.length > 0)!;
      expect(source.attachments[0]).toMatchObject({ sha256: sha(PDF), mime: 'application/pdf' });

      const toWhatsApp = await customerWrites(client, '5491155559004', 'Rita', 'Mándame el comprobante de Pablo');
      const webchat = await WebchatCustomer.join(server!.url, 'demo', 'Sergio');
      closers.push(() => webchat.close());
      await webchat.say('Y a mí también');
      const list = await client.ipc.until('inbox.list', { view: { kind: 'all' }, status: 'open' }, (items) =>
        items.some((i) => i.contactName === 'Sergio'),
      );
      const toWebchat = list.find((i) => i.contactName === 'Sergio')!.id;

      await client.ipc.ok('message.forward', { messageId: source.id, toConversationIds: [toWhatsApp, toWebchat] });
      await client.ipc.until('sync.status', {}, (s) => s.state === 'online' && s.pending === 0);
      const toRita = await wa!.waitForSent((m) => m.type === 'document' && m.to === '5491155559004', 'the forwarded document');
      expect(toRita.request.document).toMatchObject({ filename: 'comprobante.pdf' });
      const got = await webchat.waitForAgentMessage((m) => m.attachments.length > 0);
      expect(got.attachments.map((a) => a.name)).toEqual(['comprobante.pdf']);
      const media = await fetch(server!.url + got.attachments[0]!.url);
      expect(Buffer.from(await media.arrayBuffer()).equals(PDF)).toBe(true);
      for (const id of [toWhatsApp, toWebchat])
        expect(
          (
            await client.ipc.until('conversation.messages', { conversationId: id }, (ms) =>
              ms.some((m) => m.forwarded && m.delivery !== 'pending'),
            )
          )
            .filter((m) => m.forwarded)
            .map((m) => m.attachments.map((a) => a.name)),
        ).toEqual([['comprobante.pdf']]);
      expect(wa!.sent.filter((m) => m.to === '5491155559004' && m.type === 'document')).toHaveLength(1);
      const again = await WebchatCustomer.join(server!.url, 'demo', 'Sergio', webchat.identity);
      again.close();
      expect(again.history.filter((m) => m.from === 'agent')).toHaveLength(1);
      expect(gate.puts()).toEqual({ started: 0, completed: 0 });
      expect(existsSync(join(client.dataDir, 'client', 'blobs', sha(PDF)))).toBe(false);
    },
    LONG,
  );
});
