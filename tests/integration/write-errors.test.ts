// A write the database refuses is classified: a transient failure (serialization conflict) is retried and
// lands once; any other failure is a definitive refusal with a code, and nothing waits behind it. The
// refusals come from a trigger the test puts on the messages table of a real store (PGlite, and
// PostgreSQL when BANDEJA_TEST_DATABASE_URL is set), through a real server process, the sync socket,
// the webchat socket and page (Chromium) and signed WhatsApp webhooks.
import { chromium, type Browser } from 'playwright-core';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Message } from '../../src-shared/domain';
import { startServerProcess, type ServerProcess } from '../support/server-process';
import { demoPeople } from '../support/demo-people';
import { backends, freshDemoStore } from '../support/test-store';
import { WRITE_FAULTS } from '../support/write-faults';
import { startWhatsAppCloud, type WhatsAppCloud } from '../support/whatsapp-cloud';

describe.each(backends)('write errors on %s', (_name, databaseUrl) => {
  let wa: WhatsAppCloud;
  let server: ServerProcess;
  let browser: Browser | undefined;
  const { peer, customer, signInAll, closeAll } = demoPeople(() => server);

  beforeAll(async () => {
    wa = await startWhatsAppCloud();
    const { db, dataDir } = await freshDemoStore(databaseUrl);
    await db.exec(WRITE_FAULTS);
    await db.close();
    server = await startServerProcess({ dataDir, env: { ...wa.env, ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}) } });
    await signInAll();
  });

  afterAll(async () => {
    closeAll();
    await browser?.close();
    await server?.stop();
    await wa?.close();
  });

  it('a push: refused for good with a code (the counter moves on), retried when transient', async () => {
    const ana = await peer('ana');
    const sofia = await peer('sofia');
    const c = await customer('Tomás');
    const said = await c.say('Hola');
    const frame = await sofia.waitForOp((op) => op.kind === 'message' && op.row.id === said, 'the customer message');
    const op = frame.ops.find((o) => o.kind === 'message' && o.row.id === said);
    if (op?.kind !== 'message') throw new Error('unreachable');
    const conversationId = op.row.conversationId;
    const note = (body: string) => ({ id: uuidv7(), conversationId, body, mentions: [] });

    const poison = note('poison note');
    const first = await ana.pushMany([
      { id: 1, name: 'note.add', args: poison, clientTime: Date.now() },
      { id: 2, name: 'note.add', args: note('next one'), clientTime: Date.now() },
    ]);
    expect(first.map((r) => [r.status, r.error?.code ?? null])).toEqual([
      ['rejected', 'UNPROCESSABLE'],
      ['ok', null],
    ]);
    // The reason is in words, without the database's own message (it may quote what was written).
    expect(first[0]!.error!.message).not.toMatch(/UTF8|0x00/);
    // A resend of the refused one (its answer lost) gets the stored refusal.
    expect(await ana.pushMany([{ id: 1, name: 'note.add', args: poison, clientTime: Date.now() }])).toMatchObject([
      { id: 1, status: 'already', error: { code: 'UNPROCESSABLE' } },
    ]);

    const flaky = note('flaky note');
    const tries: string[] = [];
    for (let i = 0; i < 3; i++) {
      const [r] = await ana.pushMany([{ id: 3, name: 'note.add', args: flaky, clientTime: Date.now() }]);
      tries.push(r!.status);
      if (r!.status === 'ok') break;
    }
    expect(tries).toEqual(['error', 'error', 'ok']);
    await ana.waitFor(() => [...ana.messages.values()].some((m) => m.id === flaky.id), 'the flaky note');
    const bodies = [...ana.messages.values()].filter((m) => m.conversationId === conversationId && m.kind === 'note').map((m) => m.body);
    expect(bodies).toEqual(['next one', 'flaky note']);
  });

  it('a webchat message: the customer is told it cannot be sent, or it is retried when transient', async () => {
    const c = await customer('Úrsula');
    const start = c.frames.length;
    const id = crypto.randomUUID();
    c.send({ type: 'say', id, body: 'poison hello' });
    const refused = await c.waitFor((f) => f.type === 'error', 'the refusal', start);
    expect(refused).toMatchObject({ type: 'error', error: { code: 'UNPROCESSABLE' }, messageId: id });
    await c.say('still here');

    const flakyId = crypto.randomUUID();
    const before = c.frames.length;
    c.send({ type: 'say', id: flakyId, body: 'flaky hello' });
    expect(await c.waitFor((f) => f.type === 'error', 'the transient error', before)).toMatchObject({ error: { code: 'INTERNAL' } });
    // The page keeps a transient failure and sends it again (here: on the same socket).
    let stored = false;
    for (let i = 0; i < 3 && !stored; i++) {
      const at = c.frames.length;
      c.send({ type: 'say', id: flakyId, body: 'flaky hello' });
      const f = await c.waitFor((x) => (x.type === 'message' && x.message.id === flakyId) || x.type === 'error', 'an answer', at);
      stored = f.type === 'message';
    }
    expect(stored).toBe(true);
  });

  it('the webchat page shows the refusal in the visitor’s words and does not send it again', async () => {
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu'] });
    const page = await (await browser.newContext()).newPage();
    const says: string[] = [];
    page.on('websocket', (ws) =>
      ws.on('framesent', (f) => {
        if (typeof f.payload === 'string' && f.payload.includes('"say"')) says.push(f.payload);
      }),
    );
    await page.goto(`${server.url}/webchat/demo?lang=es`);
    await page.locator('#name').fill('Valeria');
    await page.locator('#start').click();
    await page.locator('#message').fill('poison de la página');
    await page.locator('#send').click();
    await expect.poll(() => page.locator('#notice').textContent()).toBe('No se pudo enviar este mensaje. Cámbialo e inténtalo de nuevo.');
    // The words go back to the box; nothing stays pending.
    expect(await page.locator('#message').inputValue()).toBe('poison de la página');
    expect(await page.locator('.msg.pending').count()).toBe(0);
    // A reconnect (reload) does not send it again.
    await page.reload();
    await page.locator('#chat-view').waitFor({ state: 'visible' });
    await page.locator('#message').fill('hola de nuevo');
    await page.locator('#send').click();
    await page.locator('.msg[data-from="customer"]:not(.pending)', { hasText: 'hola de nuevo' }).waitFor();
    expect(says.filter((s) => s.includes('poison'))).toHaveLength(1);
  });

  it('a WhatsApp batch: the refused item is reported, the rest stored; a transient one is retried by Meta', async () => {
    const admin = await peer('admin');
    const ts = String(Math.floor(Date.now() / 1000));
    const item = (id: string, body: string) => ({ from: '5491166660001', id, timestamp: ts, type: 'text', text: { body } });
    const inbound = (re: RegExp) => [...admin.messages.values()].filter((m: Message) => m.direction === 'in' && re.test(m.body));

    const batch = wa.change({
      contacts: [{ profile: { name: 'Wanda' }, wa_id: '5491166660001' }],
      messages: [item('wamid.faults.1', 'poison from whatsapp'), item('wamid.faults.2', 'after the poison')],
    });
    const res = await wa.postWebhook(server.url, batch);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { refused?: { id: string; code: string }[] }).refused).toEqual([
      expect.objectContaining({ id: 'wamid.faults.1', code: 'UNPROCESSABLE' }),
    ]);
    await admin.waitFor(() => inbound(/^after the poison$/).length === 1, 'the good item');
    expect(server.stderr()).not.toContain('poison from whatsapp');

    const flaky = wa.change({ contacts: [], messages: [item('wamid.faults.3', 'flaky from whatsapp'), item('wamid.faults.4', 'plain')] });
    const statuses: number[] = [];
    for (let i = 0; i < 4 && statuses.at(-1) !== 200; i++) statuses.push((await wa.postWebhook(server.url, flaky)).status);
    expect(statuses.at(-1)).toBe(200);
    expect(statuses[0]).toBe(500);
    await admin.waitFor(() => inbound(/^flaky from whatsapp$/).length === 1, 'the flaky item');
    await new Promise((r) => setTimeout(r, 200));
    expect(inbound(/^(flaky from whatsapp|plain)$/).map((m) => m.body)).toHaveLength(2);
  });
});
