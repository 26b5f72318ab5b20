// The customer page in real Chromium against a real server process, when a message or a join is not
// taken at once: a passing failure is sent again by itself soon (the message says "not sent yet"
// meanwhile); a visitor held back as new is told how long and her message goes by itself after the wait;
// a refusal naming a message (here: an id stored elsewhere) is shown on that message; a refused join
// (this browser's chat is not hers) starts a new chat instead of waiting forever. Each page comes from its
// own address (X-Forwarded-For through a trusted proxy) so the limits count it alone.
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SCREENSHOTS } from '../e2e/chromium';
import { startServerProcess, type ServerProcess } from '../support/server-process';
import { login, SyncPeer } from '../support/sync-peer';
import { freshDemoStore } from '../support/test-store';
import { WebchatCustomer } from '../support/webchat-customer';
import { WRITE_FAULTS } from '../support/write-faults';

let server: ServerProcess;
let browser: Browser;
let ana: SyncPeer;
const databaseUrl = process.env.BANDEJA_TEST_DATABASE_URL;
const WAIT = 20_000;

beforeAll(async () => {
  const { db, dataDir } = await freshDemoStore(databaseUrl);
  await db.exec(WRITE_FAULTS);
  await db.close();
  server = await startServerProcess({
    dataDir,
    env: {
      ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
      BANDEJA_TRUST_PROXY: 'loopback',
      BANDEJA_LIMIT_WEBCHAT_NEW_VISITORS_PER_ADDRESS: '1/12s',
    },
  });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu'] });
  ana = await SyncPeer.connect(server.url, { token: (await login(server.url, 'ana@demo.test')).token });
  mkdirSync(SCREENSHOTS, { recursive: true });
});
afterAll(async () => {
  ana?.close();
  await browser?.close();
  await server?.stop();
});

let addresses = 0;
/** A page in a fresh profile, from an address of its own; `storage`: what this browser remembers of the chat. */
async function openPage(lang: string, storage?: Record<string, unknown>, address = `198.51.100.${++addresses}`): Promise<Page> {
  const context = await browser.newContext({ extraHTTPHeaders: { 'x-forwarded-for': address } });
  // Seeded once, before the page's script runs (a reload keeps what the page stored since).
  if (storage)
    await context.addInitScript({
      content: `if (!sessionStorage.getItem('seeded')) {
        for (const [k, v] of Object.entries(${JSON.stringify(storage)})) localStorage.setItem(k, JSON.stringify(v));
        sessionStorage.setItem('seeded', '1');
      }`,
    });
  const page = await context.newPage();
  await page.goto(`${server.url}/webchat/demo?lang=${lang}`);
  return page;
}

async function startChat(page: Page, name: string): Promise<void> {
  await page.locator('#name').fill(name);
  await page.locator('#start').click();
  await page.locator('#chat-view').waitFor({ state: 'visible', timeout: WAIT });
}

async function type(page: Page, body: string): Promise<void> {
  await page.locator('#message').fill(body);
  await page.locator('#send').click();
}

const bubble = (page: Page, text: string) => page.locator('.msg[data-from="customer"]', { hasText: text });
const shot = (page: Page, name: string) => page.screenshot({ path: join(SCREENSHOTS, `webchat-${name}.png`) });

it('sends a message again by itself soon after a passing failure, saying "not sent yet" meanwhile', async () => {
  const page = await openPage('en');
  await startChat(page, 'Flavia');
  // The database refuses this message's first two tries with a serialization conflict (write-faults.ts).
  await type(page, 'flaky: are you open today?');
  const meta = bubble(page, 'flaky: are you open today?').locator('.meta');
  await expect.poll(() => meta.textContent(), { timeout: WAIT }).toMatch(/^Not sent yet · trying again in \d+ sec$/);
  await shot(page, 'not-sent-yet-en');
  // No reload, no reconnect: it goes by itself within seconds, and is stored once.
  await page.locator('.msg[data-from="customer"]:not(.pending)', { hasText: 'flaky: are you open today?' }).waitFor({ timeout: WAIT });
  await ana.waitFor(() => [...ana.messages.values()].some((m) => m.body === 'flaky: are you open today?'), 'the message');
  expect([...ana.messages.values()].filter((m) => m.body === 'flaky: are you open today?')).toHaveLength(1);
  await page.context().close();
});

it('tells a visitor held back as a new one how long, and sends her message by itself after the wait', async () => {
  // The page is open first; then another new visitor from the same address writes, using its allowance (1 per 12 s).
  const page = await openPage('es', undefined, '203.0.113.77');
  await startChat(page, 'Segunda');
  const first = await WebchatCustomer.join(server.url, 'demo', 'Primera', undefined, { 'x-forwarded-for': '203.0.113.77' });
  await first.say('hola, soy la primera');
  await type(page, 'hola, soy la segunda');
  await expect
    .poll(() => page.locator('#notice').textContent(), { timeout: WAIT })
    .toMatch(/^Muchas personas están iniciando chats ahora mismo\. Enviaremos tu mensaje en \d+ segundos?\.$/);
  expect(await bubble(page, 'hola, soy la segunda').locator('.meta').textContent()).toMatch(/^Aún no enviado · reintentando en \d+ s$/);
  await shot(page, 'held-back-es');
  await page.locator('.msg[data-from="customer"]:not(.pending)', { hasText: 'hola, soy la segunda' }).waitFor({ timeout: WAIT });
  first.close();
  await page.context().close();
});

it('shows a refusal on the message it names: an id stored elsewhere is refused and not sent again', async () => {
  const other = await WebchatCustomer.join(server.url, 'demo', 'Otra', undefined, { 'x-forwarded-for': '192.0.2.31' });
  const taken = await other.say('mensagem de outra pessoa');
  // This browser holds an unsent message whose id is already another visitor's.
  const key = 'bandeja.webchat.demo';
  const page = await openPage('pt-BR', {
    [key]: { visitorId: randomUUID(), secret: 'a'.repeat(64), name: 'Paula' },
    [`${key}.outbox`]: [{ id: taken, body: 'cópia do id', createdAt: Date.now() }],
  });
  const refused = page.locator(`.msg.failed[data-id="${taken}"]`);
  await refused.waitFor({ timeout: WAIT });
  expect(await refused.locator('.meta').textContent()).toBe(
    'Não enviada · Não foi possível enviar esta mensagem. Altere-a e tente novamente.',
  );
  expect(await page.locator('#message').inputValue()).toBe('cópia do id');
  await shot(page, 'refused-pt-BR');
  // Her other messages still go; the other visitor's message is untouched.
  await page.locator('#message').fill('');
  await type(page, 'outra mensagem');
  await page.locator('.msg[data-from="customer"]:not(.pending)', { hasText: 'outra mensagem' }).waitFor({ timeout: WAIT });
  const back = await WebchatCustomer.join(server.url, 'demo', 'Otra', other.identity, { 'x-forwarded-for': '192.0.2.31' });
  expect(back.history.map((m) => m.body)).toEqual(['mensagem de outra pessoa']);
  other.close();
  back.close();
  await page.context().close();
});

it('starts a new chat when the join is refused, instead of waiting forever', async () => {
  const owner = await WebchatCustomer.join(server.url, 'demo', 'Dueña', undefined, { 'x-forwarded-for': '192.0.2.32' });
  await owner.say('mi chat');
  owner.close();
  // This browser remembers a chat whose secret is not that chat's.
  const page = await openPage('en', {
    'bandeja.webchat.demo': { visitorId: owner.identity.visitorId, secret: 'b'.repeat(64), name: 'Eve' },
  });
  await page.locator('#start-form').waitFor({ state: 'visible', timeout: WAIT });
  expect(await page.locator('#intro').textContent()).toBe('This chat could not be opened here. Start a new chat.');
  await shot(page, 'join-refused-en');
  await startChat(page, 'Eve');
  await type(page, 'a chat of my own');
  await page.locator('.msg[data-from="customer"]:not(.pending)', { hasText: 'a chat of my own' }).waitFor({ timeout: WAIT });
  expect(await page.locator('.msg', { hasText: 'mi chat' }).count()).toBe(0);
  await page.context().close();
});
