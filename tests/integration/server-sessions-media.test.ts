// Lifetimes against a real server process with tiny configured values (issue 12, class 4): a session
// unused past its idle lifetime, or older than its absolute lifetime, is refused like a bad token (a live
// socket is signed out with 4401); one in use is renewed. Webchat media links expire, and the customer's
// page (real Chromium) keeps working links and says in words when it sends too fast.
import { createHash } from 'node:crypto';
import { chromium, type Browser } from 'playwright-core';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Paths } from '../../src-shared/http';
import { CloseCode } from '../../src-shared/protocol';
import { startServerProcess, type ServerProcess } from '../support/server-process';
import { login, SyncPeer } from '../support/sync-peer';

const IDLE_MS = 2500;
const ABSOLUTE_MS = 6000;
const MEDIA_TTL_MS = 2000;

let server: ServerProcess;

beforeAll(async () => {
  server = await startServerProcess({
    demo: true,
    env: {
      BANDEJA_SESSION_IDLE_MS: String(IDLE_MS),
      BANDEJA_SESSION_ABSOLUTE_MS: String(ABSOLUTE_MS),
      BANDEJA_WEBCHAT_MEDIA_TTL_MS: String(MEDIA_TTL_MS),
      BANDEJA_LIMIT_WEBCHAT_SAY_PER_ADDRESS: '3/1m',
    },
  });
});
afterAll(async () => {
  await server?.stop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const PDF = Buffer.from('%PDF-1.7\n% Presupuesto\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n');

/** An authenticated use of the token that changes nothing: 404 when the session is alive, 401 when not. */
async function use(token: string): Promise<number> {
  const res = await fetch(server.url + Paths.blob('0'.repeat(64)), { headers: { authorization: `Bearer ${token}` } });
  return res.status;
}

describe('session lifetimes', () => {
  it('refuses a session unused past its idle lifetime, like a bad token', async () => {
    const { token } = await login(server.url, 'ana@demo.test');
    await sleep(IDLE_MS + 300);
    const peer = await SyncPeer.connect(server.url, { token, skipHello: true });
    await expect(peer.hello()).rejects.toThrow(/UNAUTHORIZED/);
    expect((await peer.closed).code).toBe(CloseCode.unauthorized);
    expect(await use(token)).toBe(401);
  });

  it('renews a session while it is used, and ends it at its absolute lifetime, signing its socket out', async () => {
    const started = Date.now();
    const { token } = await login(server.url, 'bruno@demo.test');
    // Used every 700 ms, it outlives its idle lifetime.
    const statuses: number[] = [];
    while (Date.now() - started < IDLE_MS + 1200) {
      await sleep(700);
      statuses.push(await use(token));
    }
    expect(statuses.every((s) => s === 404)).toBe(true);
    // A live socket keeps it alive too, until the absolute lifetime ends it.
    const live = await SyncPeer.connect(server.url, { token });
    const closed = await live.closed;
    expect(closed.code).toBe(CloseCode.unauthorized);
    expect(Date.now() - started).toBeGreaterThanOrEqual(ABSOLUTE_MS - 100);
    expect(await use(token)).toBe(401);
  });
});

describe('webchat media links', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu'] });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('expire, and the open page gets fresh ones; a visitor sending too fast is told in words', async () => {
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${server.url}/webchat/demo?lang=es`);
    await page.locator('#name').fill('Olga');
    await page.locator('#start').click();
    const log = page.locator('#log');
    for (const text of ['uno', 'dos', 'tres']) {
      await page.locator('#message').fill(text);
      await page.locator('#send').click();
      await log.locator('.msg[data-from="customer"]:not(.pending)', { hasText: text }).waitFor();
    }
    await page.locator('#message').fill('cuatro');
    await page.locator('#send').click();
    await expect
      .poll(() => page.locator('#notice').textContent())
      .toMatch(/^Estás enviando mensajes muy rápido\. Enviaremos el tuyo en \d+ segundos?\.$/);
    // Kept, waiting to be sent again.
    expect(await log.locator('.msg.pending', { hasText: 'cuatro' }).count()).toBe(1);

    // An agent sends a file.
    const { token } = await login(server.url, 'ana@demo.test');
    const ana = await SyncPeer.connect(server.url, { token });
    await ana.waitFor(() => [...ana.messages.values()].some((m) => m.body === 'tres'), 'the visitor’s messages');
    const conversationId = [...ana.messages.values()].find((m) => m.body === 'tres')!.conversationId;
    expect(
      (
        await fetch(server.url + Paths.blob(sha(PDF)), {
          method: 'PUT',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/pdf' },
          body: PDF,
        })
      ).status,
    ).toBe(201);
    const attachment = {
      sha256: sha(PDF),
      name: 'presupuesto.pdf',
      mime: 'application/pdf',
      size: PDF.length,
      kind: 'file',
      durationMs: null,
    };
    const id = uuidv7();
    expect(await ana.push('message.send', { id, conversationId, body: 'Aquí va', attachments: [attachment] })).toMatchObject({
      status: 'ok',
    });
    const link = log.locator(`.msg[data-id="${id}"] .att a`);
    await link.waitFor();
    const first = (await link.getAttribute('href'))!;
    expect((await fetch(server.url + first)).status).toBe(200);

    // Past its expiry the first link answers like an unknown one; the page meanwhile holds a fresh one.
    await sleep(MEDIA_TTL_MS + 200);
    expect((await fetch(server.url + first)).status).toBe(404);
    const fresh = (await link.getAttribute('href'))!;
    expect(fresh).not.toBe(first);
    const res = await fetch(server.url + fresh);
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(PDF)).toBe(true);
    // A link whose expiry was moved is refused too.
    const moved = new URL(first, server.url);
    moved.searchParams.set('e', String(Date.now() + 3_600_000));
    expect((await fetch(moved)).status).toBe(404);
    ana.close();
  });
});
