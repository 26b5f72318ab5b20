// The WhatsApp Cloud API channel against a real server process and a fake Graph API on a real port
// (tests/support/whatsapp-cloud.ts): signed webhooks in, deliveries out, the 24-h window, statuses,
// provider refusals, retries and crashes, seen from a sync client as agents would see them.
import { createHash, randomUUID } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import { chromium } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Message } from '../../src-shared/domain';
import { Paths } from '../../src-shared/http';
import { startServerProcess, type ServerProcess } from '../support/server-process';
import { login, SyncPeer } from '../support/sync-peer';
import { startWhatsAppCloud, type WhatsAppCloud } from '../support/whatsapp-cloud';

const HOUR = 3_600_000;
let wa: WhatsAppCloud;
let server: ServerProcess;
let adminToken: string;
const open: SyncPeer[] = [];

beforeAll(async () => {
  wa = await startWhatsAppCloud();
  server = await startServerProcess({ demo: true, env: wa.env });
  adminToken = (await login(server.url, 'admin@demo.test')).token;
});

afterEach(() => {
  for (const p of open.splice(0)) p.close();
});

afterAll(async () => {
  await server?.stop();
  await wa?.close();
});

async function admin(): Promise<SyncPeer> {
  const p = await SyncPeer.connect(server.url, { token: adminToken });
  open.push(p);
  return p;
}

async function until(done: () => boolean, what: string): Promise<void> {
  for (const deadline = Date.now() + 20_000; !done(); await new Promise((r) => setTimeout(r, 25)))
    if (Date.now() > deadline) throw new Error(`Gave up waiting for ${what}.`);
}

let phone = 5491100000000;
const newPhone = () => String(++phone);

/** A customer writes on WhatsApp; returns the conversation and message as the admin's socket gets them. */
async function customerWrites(peer: SyncPeer, opts: { text: string; at?: number; from?: string; name?: string }) {
  const from = opts.from ?? newPhone();
  const { wamid, response } = await wa.inbound(server.url, { from, name: opts.name ?? `Cliente ${from}`, text: opts.text, at: opts.at });
  expect(response.status).toBe(200);
  const m = await messageWhere(peer, (x) => x.body === opts.text && x.direction === 'in');
  return { from, wamid, message: m, conversationId: m.conversationId };
}

async function messageWhere(peer: SyncPeer, match: (m: Message) => boolean, what = 'a message'): Promise<Message> {
  await peer.waitFor(() => [...peer.messages.values()].some(match), what);
  return [...peer.messages.values()].find(match)!;
}

describe('WhatsApp inbound webhooks', () => {
  it('answers the subscription check only with the verify token', async () => {
    const ok = await fetch(
      `${server.url}/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=${wa.account.verifyToken}&hub.challenge=1158201444`,
    );
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('1158201444');
    const wrong = await fetch(`${server.url}/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1158201444`);
    expect(wrong.status).toBe(403);
  });

  it("turns a customer's message into a conversation with a contact named by their profile, once even when Meta repeats it", async () => {
    const peer = await admin();
    const at = Date.now() - 5 * 60_000;
    const first = await customerWrites(peer, { text: 'Hola, quiero cambiar mi plan', at, name: 'Carla Ruiz' });
    const conversation = peer.conversations.get(first.conversationId)!;
    expect(conversation).toMatchObject({ inboxId: 'inbox-whatsapp', teamId: 'team-soporte', status: 'open', unreadCount: 1 });
    // The window counts from the customer's own timestamp (seconds, as WhatsApp sends it).
    expect(conversation.lastCustomerMessageAt).toBe(Math.floor(at / 1000) * 1000);
    const contact = peer.rowsOf('contact').get(conversation.contactId)!;
    expect(contact).toMatchObject({
      name: 'Carla Ruiz',
      phones: [`+${first.from}`],
      identities: [{ inboxId: 'inbox-whatsapp', channel: 'whatsapp', externalId: first.from }],
    });

    const again = await wa.inbound(server.url, { from: first.from, text: 'Hola, quiero cambiar mi plan', wamid: first.wamid, at });
    expect(again.response.status).toBe(200);
    await customerWrites(peer, { from: first.from, text: 'Es el plan Pro' });
    const texts = [...peer.messages.values()].filter((m) => m.conversationId === first.conversationId).map((m) => m.body);
    expect(texts).toEqual(['Hola, quiero cambiar mi plan', 'Es el plan Pro']);
    expect(peer.conversations.get(first.conversationId)!.unreadCount).toBe(2);
  });

  it('refuses a bad or missing signature (401) and a malformed body (400), storing nothing', async () => {
    const peer = await admin();
    const from = newPhone();
    const payload = wa.change({
      contacts: [{ profile: { name: 'Intruso' }, wa_id: from }],
      messages: [
        {
          from,
          id: `wamid.${randomUUID()}`,
          timestamp: String(Math.floor(Date.now() / 1000)),
          type: 'text',
          text: { body: 'mensaje falso' },
        },
      ],
    });
    expect((await wa.postWebhook(server.url, payload, { signature: `sha256=${'0'.repeat(64)}` })).status).toBe(401);
    expect((await wa.postWebhook(server.url, payload, { signature: null })).status).toBe(401);
    // Signed with the right secret, but not what WhatsApp sends.
    expect(
      (
        await wa.postWebhook(server.url, {
          object: 'whatsapp_business_account',
          entry: [
            {
              id: '1',
              changes: [
                {
                  field: 'messages',
                  value: { messaging_product: 'whatsapp', metadata: {}, messages: [{ from, text: { body: 'mensaje falso' } }] },
                },
              ],
            },
          ],
        })
      ).status,
    ).toBe(400);
    expect((await wa.postWebhook(server.url, null, { raw: '{"object": "whatsapp_business_account", "entry": [' })).status).toBe(400);
    // A later good message arrives; none of the refused ones ever does.
    await customerWrites(peer, { from, text: 'mensaje verdadero' });
    expect([...peer.messages.values()].some((m) => m.body === 'mensaje falso')).toBe(false);
    expect([...peer.rowsOf('contact').values()].some((c) => c.name === 'Intruso')).toBe(false);
  });

  it("stores a customer's reaction as its emoji and ignores a removed reaction", async () => {
    const peer = await admin();
    const first = await customerWrites(peer, { text: 'Gracias por la ayuda' });
    const reaction = (emoji?: string) =>
      wa.postWebhook(
        server.url,
        wa.change({
          contacts: [{ profile: { name: `Cliente ${first.from}` }, wa_id: first.from }],
          messages: [
            {
              from: first.from,
              id: `wamid.${randomUUID()}`,
              timestamp: String(Math.floor(Date.now() / 1000)),
              type: 'reaction',
              reaction: emoji === undefined ? { message_id: first.wamid } : { message_id: first.wamid, emoji },
            },
          ],
        }),
      );
    expect((await reaction('👍')).status).toBe(200);
    await messageWhere(peer, (x) => x.body === '👍' && x.conversationId === first.conversationId, 'the reaction');
    // WhatsApp reports taking the reaction back as a reaction without an emoji.
    expect((await reaction()).status).toBe(200);
    await customerWrites(peer, { from: first.from, text: 'Ya está resuelto' });
    const texts = [...peer.messages.values()].filter((m) => m.conversationId === first.conversationId).map((m) => m.body);
    expect(texts).toEqual(['Gracias por la ayuda', '👍', 'Ya está resuelto']);
  });

  it("answers 5xx when a customer's photo cannot be downloaded yet, and keeps it when Meta sends the webhook again", async () => {
    const peer = await admin();
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(500, 0x11)]);
    const from = newPhone();
    wa.failNextDownload(503);
    const first = await wa.inbound(server.url, { from, image: { bytes: png, mime: 'image/png', caption: 'foto del recibo' } });
    expect(first.response.status).toBeGreaterThanOrEqual(500);
    // Meta repeats the same message (same wamid) later; this time the download works.
    const again = await wa.inbound(server.url, {
      from,
      wamid: first.wamid,
      image: { bytes: png, mime: 'image/png', caption: 'foto del recibo' },
    });
    expect(again.response.status).toBe(200);
    const m = await messageWhere(peer, (x) => x.body === 'foto del recibo');
    expect(m.attachments).toMatchObject([{ sha256: createHash('sha256').update(png).digest('hex'), kind: 'image', size: png.length }]);
    expect([...peer.messages.values()].filter((x) => x.conversationId === m.conversationId)).toHaveLength(1);
  });

  it("keeps a customer's photo as an attachment agents can open", async () => {
    const peer = await admin();
    const jpeg = Buffer.concat([
      Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00]),
      Buffer.alloc(2000, 0x42),
      Buffer.from([0xff, 0xd9]),
    ]);
    const { response } = await wa.inbound(server.url, {
      from: newPhone(),
      image: { bytes: jpeg, mime: 'image/jpeg', caption: 'la caja llegó rota' },
    });
    expect(response.status).toBe(200);
    const m = await messageWhere(peer, (x) => x.body === 'la caja llegó rota');
    const sha256 = createHash('sha256').update(jpeg).digest('hex');
    expect(m.attachments).toEqual([{ sha256, name: 'image.jpg', mime: 'image/jpeg', size: jpeg.length, kind: 'image', durationMs: null }]);
    const res = await fetch(server.url + Paths.blob(sha256), { headers: { authorization: `Bearer ${adminToken}` } });
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(jpeg)).toBe(true);
  });
});

describe('WhatsApp deliveries', () => {
  it('refuses free text outside the 24-h window (nothing stored or sent) and resumes with a template carrying its values', async () => {
    const peer = await admin();
    const { from, conversationId } = await customerWrites(peer, { text: 'Oi, alguém aí?', at: Date.now() - 30 * HOUR });
    const sentBefore = wa.sent.length;

    const reply = uuidv7();
    expect(await peer.push('message.send', { id: reply, conversationId, body: 'Hola, ¿seguís ahí?' })).toMatchObject({
      status: 'rejected',
      error: { code: 'REPLY_WINDOW_CLOSED' },
    });
    const id = uuidv7();
    expect(
      await peer.push('message.sendTemplate', {
        id,
        conversationId,
        templateId: 'template-seguimiento',
        variables: ['Carla', 'tu entrega'],
      }),
    ).toMatchObject({
      status: 'ok',
    });
    const sent = await wa.waitForSent((m) => m.to === from, 'the template');
    expect(sent.request).toMatchObject({
      messaging_product: 'whatsapp',
      to: from,
      type: 'template',
      template: {
        name: 'seguimiento',
        language: { code: 'es' },
        components: [
          {
            type: 'body',
            parameters: [
              { type: 'text', text: 'Carla' },
              { type: 'text', text: 'tu entrega' },
            ],
          },
        ],
      },
    });
    expect(wa.sent.slice(sentBefore).map((m) => m.type)).toEqual(['template']);
    expect(peer.messages.has(reply)).toBe(false);
    expect(peer.messages.get(id)).toMatchObject({
      body: 'Hola Carla, te escribimos para dar seguimiento a tu consulta sobre tu entrega. ¿Podemos ayudarte en algo más?',
      template: { templateId: 'template-seguimiento', name: 'seguimiento', language: 'es', variables: ['Carla', 'tu entrega'] },
      state: 'sent',
    });

    // Statuses move the message forward for every agent; a late "delivered" after "read" changes nothing.
    expect((await wa.status(server.url, { wamid: sent.wamid, status: 'delivered' })).status).toBe(200);
    await messageWhere(peer, (m) => m.id === id && m.state === 'delivered', 'delivered');
    await wa.status(server.url, { wamid: sent.wamid, status: 'read' });
    await messageWhere(peer, (m) => m.id === id && m.state === 'read', 'read');
    await wa.status(server.url, { wamid: sent.wamid, status: 'delivered' });
    const later = await SyncPeer.connect(server.url, { token: adminToken });
    open.push(later);
    expect(later.messages.get(id)!.state).toBe('read');
  });

  it('sends a template without variables without components', async () => {
    const peer = await admin();
    const { from, conversationId } = await customerWrites(peer, { text: 'Hola, escribí ayer', at: Date.now() - 26 * HOUR });
    await peer.push('message.sendTemplate', { id: uuidv7(), conversationId, templateId: 'template-retomar-atencion', variables: [] });
    const sent = await wa.waitForSent((m) => m.to === from, 'the template');
    expect(sent.request.template).toEqual({ name: 'retomar_atencion', language: { code: 'es' } });
  });

  it('sends free text inside the window, and stores the provider refusal as the failure reason', async () => {
    const peer = await admin();
    const { from, conversationId } = await customerWrites(peer, { text: 'Necesito ayuda con la factura' });
    const ok = uuidv7();
    await peer.push('message.send', { id: ok, conversationId, body: 'Claro, mirá https://bandeja.example/facturas' });
    const sent = await wa.waitForSent((m) => m.to === from && m.type === 'text');
    expect(sent.request.text).toEqual({ body: 'Claro, mirá https://bandeja.example/facturas', preview_url: true });

    // Refused when posted: the Graph error object becomes the reason.
    wa.failNext(wa.errors.reEngagement());
    const refused = uuidv7();
    await peer.push('message.send', { id: refused, conversationId, body: 'Otro mensaje' });
    const failed = await messageWhere(peer, (m) => m.id === refused && m.state === 'failed', 'the refusal');
    expect(failed.error).toBe(
      '(#131047) Re-engagement message: Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
    );

    // Accepted, then reported failed by a status webhook.
    await wa.status(server.url, { wamid: sent.wamid, status: 'failed', error: wa.errors.undeliverable().error });
    const undeliverable = await messageWhere(peer, (m) => m.id === ok && m.state === 'failed', 'the failed status');
    expect(undeliverable.error).toBe('(#131026) Message undeliverable: Message Undeliverable.');
  });

  it("keeps a status that comes before the message's id is stored, and applies it once the id is stored", async () => {
    const peer = await admin();
    const { from, conversationId } = await customerWrites(peer, { text: '¿Llegó mi pedido?' });
    // WhatsApp accepts the send and reports it delivered before its answer reaches our server.
    wa.holdAnswers();
    const id = uuidv7();
    await peer.push('message.send', { id, conversationId, body: 'Sí, salió hoy' });
    const sent = await wa.waitForSent((m) => m.to === from && m.request.text?.body === 'Sí, salió hoy');
    await wa.waitForHeld();
    expect((await wa.status(server.url, { wamid: sent.wamid, status: 'delivered' })).status).toBe(200);
    expect(peer.messages.get(id)?.state).toBe('sent');
    wa.release();
    await messageWhere(peer, (m) => m.id === id && m.state === 'delivered', 'the early status applied');
    // Later statuses go on as usual.
    await wa.status(server.url, { wamid: sent.wamid, status: 'read' });
    await messageWhere(peer, (m) => m.id === id && m.state === 'read', 'read');
  });

  it('applies early statuses of one webhook in the order they came', async () => {
    const peer = await admin();
    const { from, conversationId } = await customerWrites(peer, { text: '¿Me confirmas la cita?' });
    wa.holdAnswers();
    const id = uuidv7();
    await peer.push('message.send', { id, conversationId, body: 'Confirmada para el martes' });
    const sent = await wa.waitForSent((m) => m.to === from && m.request.text?.body === 'Confirmada para el martes');
    await wa.waitForHeld();
    // Read, then a failure report: once read, a later failure does not make it look unsent.
    const at = String(Math.floor(Date.now() / 1000));
    const statuses = [
      { id: sent.wamid, status: 'read', timestamp: at, recipient_id: from },
      {
        id: sent.wamid,
        status: 'failed',
        timestamp: at,
        recipient_id: from,
        errors: [{ code: 131026, title: 'Message undeliverable', message: 'Message undeliverable', error_data: { details: 'x' } }],
      },
    ];
    expect((await wa.postWebhook(server.url, wa.change({ statuses }))).status).toBe(200);
    wa.release();
    const applied = await messageWhere(peer, (m) => m.id === id && m.state !== 'sent', 'the early statuses applied');
    expect({ state: applied.state, error: applied.error }).toEqual({ state: 'read', error: null });
  });

  it('retries a transient failure (5xx) and delivers once', async () => {
    const peer = await admin();
    const { from, conversationId } = await customerWrites(peer, { text: 'Hola de nuevo' });
    wa.failNext(wa.errors.serverError());
    await peer.push('message.send', { id: uuidv7(), conversationId, body: 'Te respondo enseguida' });
    await wa.waitForSent((m) => m.to === from && m.request.text?.body === 'Te respondo enseguida');
    expect(wa.requests.filter((r) => r.status === 500).length).toBeGreaterThanOrEqual(1);
    expect(wa.sent.filter((m) => m.to === from && m.request.text?.body === 'Te respondo enseguida')).toHaveLength(1);
  });

  it('keeps the order of two replies when the first is rate limited (429) and retried', async () => {
    const peer = await admin();
    const { from, conversationId } = await customerWrites(peer, { text: 'Necesito dos datos' });
    wa.failNext(wa.errors.rateLimited());
    await peer.push('message.send', { id: uuidv7(), conversationId, body: 'Primero: tu número de pedido' });
    // The first is waiting for its retry when the second is written.
    await wa.waitForRequest((r) => r.status === 429 && (r.body as { to?: string } | null)?.to === from, 'the rate-limited first reply');
    await peer.push('message.send', { id: uuidv7(), conversationId, body: 'Segundo: tu dirección' });
    await wa.waitForSent((m) => m.to === from && m.request.text?.body === 'Segundo: tu dirección', 'the second reply');
    expect(wa.sent.filter((m) => m.to === from).map((m) => m.request.text?.body)).toEqual([
      'Primero: tu número de pedido',
      'Segundo: tu dirección',
    ]);
  });

  it('delivers once after the server is killed between the commit and the delivery', async () => {
    const peer = await admin();
    const { from, conversationId } = await customerWrites(peer, { text: 'Sigo esperando' });
    // The first try fails (so the delivery is still queued) and the server dies before retrying.
    wa.failNext(wa.errors.serverError());
    const failedSoFar = wa.requests.filter((r) => r.status === 500).length;
    const id = uuidv7();
    await peer.push('message.send', { id, conversationId, body: 'Ya lo reviso' });
    await wa.waitForRequest(() => wa.requests.filter((r) => r.status === 500).length > failedSoFar, 'the failed try');
    // Killed once the server has put the delivery back in the queue (a kill before that is the
    // mid-send case below).
    await until(() => server.stderr().includes(`delivery of ${id} will be retried`), 'the retry to be queued');
    peer.close();
    await server.kill();
    await server.restart();
    const sent = await wa.waitForSent((m) => m.to === from && m.request.text?.body === 'Ya lo reviso');
    await wa.status(server.url, { wamid: sent.wamid, status: 'delivered' });
    const after = await admin();
    await messageWhere(after, (m) => m.id === id && m.state === 'delivered', 'delivered after the restart');
    expect(wa.sent.filter((m) => m.request.text?.body === 'Ya lo reviso')).toHaveLength(1);
  });

  it('marks a message cut mid-send as failed (uncertain) after a crash, and never sends it again', async () => {
    const peer = await admin();
    const { conversationId } = await customerWrites(peer, { text: 'Hola?' });
    wa.holdNext();
    const id = uuidv7();
    await peer.push('message.send', { id, conversationId, body: 'Respuesta cortada' });
    await wa.waitForHeld();
    peer.close();
    await server.kill();
    // WhatsApp got the request; our server died before hearing back.
    wa.release();
    await server.restart();
    const after = await admin();
    const failed = await messageWhere(after, (m) => m.id === id && m.state === 'failed', 'the uncertain failure');
    expect(failed.error).toMatch(/^Delivery uncertain/);
    // Something else goes out afterwards, and the cut message was posted only the one time.
    expect(await after.push('message.send', { id: uuidv7(), conversationId, body: 'Ahora sí' })).toMatchObject({ status: 'ok' });
    await wa.waitForSent((m) => m.request.text?.body === 'Ahora sí');
    expect(wa.requests.filter((r) => (r.body as { text?: { body?: string } } | null)?.text?.body === 'Respuesta cortada')).toHaveLength(1);
  });
});

/** A voice note as the app records it: Opus in WebM from Chromium's MediaRecorder (a tone, no microphone). */
async function recordVoiceNote(): Promise<Buffer> {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--autoplay-policy=no-user-gesture-required'],
  });
  try {
    const page = await browser.newPage();
    // Page code as a string: this file is type-checked without the DOM library.
    const base64 = await page.evaluate<string>(`(async () => {
      const ctx = new AudioContext();
      await ctx.resume();
      const tone = ctx.createOscillator();
      const out = ctx.createMediaStreamDestination();
      tone.connect(out);
      tone.start();
      const recorder = new MediaRecorder(out.stream, { mimeType: 'audio/webm;codecs=opus' });
      const chunks = [];
      recorder.ondataavailable = (e) => chunks.push(e.data);
      const stopped = new Promise((resolve) => (recorder.onstop = resolve));
      recorder.start();
      await new Promise((resolve) => setTimeout(resolve, 1000));
      recorder.stop();
      await stopped;
      const bytes = new Uint8Array(await new Blob(chunks).arrayBuffer());
      let binary = '';
      for (const b of bytes) binary += String.fromCharCode(b);
      return btoa(binary);
    })()`);
    return Buffer.from(base64, 'base64');
  } finally {
    await browser.close();
  }
}

describe('WhatsApp voice notes and files', () => {
  it('sends a recorded WebM voice note as an Ogg/Opus WhatsApp voice message, and a PDF as a document', async () => {
    const peer = await admin();
    const { from, conversationId } = await customerWrites(peer, { text: 'Mandame un audio' });
    const webm = await recordVoiceNote();
    const pdf = Buffer.from('%PDF-1.7\n% Presupuesto\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n');
    const put = (bytes: Buffer, type: string) =>
      fetch(server.url + Paths.blob(createHash('sha256').update(bytes).digest('hex')), {
        method: 'PUT',
        headers: { authorization: `Bearer ${adminToken}`, 'content-type': type },
        body: bytes,
      });
    expect((await put(webm, 'audio/webm')).status).toBe(201);
    expect((await put(pdf, 'application/pdf')).status).toBe(201);
    const voice = {
      sha256: createHash('sha256').update(webm).digest('hex'),
      name: 'nota.webm',
      mime: 'audio/webm',
      size: webm.length,
      kind: 'voice',
      durationMs: 1000,
    };
    const file = {
      sha256: createHash('sha256').update(pdf).digest('hex'),
      name: 'presupuesto.pdf',
      mime: 'application/pdf',
      size: pdf.length,
      kind: 'file',
      durationMs: null,
    };
    expect(await peer.push('message.send', { id: uuidv7(), conversationId, body: 'Te explico', attachments: [voice, file] })).toMatchObject(
      { status: 'ok' },
    );

    const words = await wa.waitForSent((m) => m.to === from && m.type === 'text', 'the words after the files');
    const parts = wa.sent.filter((m) => m.to === from);
    expect(parts.map((m) => m.type)).toEqual(['audio', 'document', 'text']);
    expect(words.request.text.body).toBe('Te explico');
    const [audio, document] = parts;
    expect(audio!.request.audio).toEqual({ id: expect.any(String), voice: true });
    expect(document!.request.document).toEqual({ id: expect.any(String), filename: 'presupuesto.pdf' });
    const oggUpload = wa.uploads.find((u) => u.mediaId === audio!.request.audio.id)!;
    expect(oggUpload.mime).toBe('audio/ogg');
    // Remuxed, not re-encoded: an Ogg stream holding the same Opus audio.
    expect(oggUpload.bytes.subarray(0, 4).toString('latin1')).toBe('OggS');
    expect(oggUpload.bytes.includes(Buffer.from('OpusHead'))).toBe(true);
    expect(wa.uploads.find((u) => u.mediaId === document!.request.document.id)!.bytes.equals(pdf)).toBe(true);
  });
});

describe('an inbox without a WhatsApp account', () => {
  it('fails the message with a clear reason, sending nothing', async () => {
    const quiet = await startServerProcess({ demo: true });
    try {
      const { token } = await login(quiet.url, 'ana@demo.test');
      const ana = await SyncPeer.connect(quiet.url, { token });
      open.push(ana);
      // Lucía (demo) wrote 2 h ago: the window is open, but nothing connects this inbox to WhatsApp.
      const id = uuidv7();
      expect(await ana.push('message.send', { id, conversationId: 'conversation-wa-lucia', body: 'Hola Lucía' })).toMatchObject({
        status: 'ok',
      });
      const failed = await messageWhere(ana, (m) => m.id === id && m.state === 'failed', 'the failure');
      expect(failed.error).toMatch(/^WhatsApp is not connected for this inbox/);
      expect(wa.requests.some((r) => (r.body as { text?: { body?: string } } | null)?.text?.body === 'Hola Lucía')).toBe(false);
    } finally {
      await quiet.stop();
    }
  });
});
