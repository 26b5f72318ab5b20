// The customer page in real Chromium against a real server process: offline typing, resend
// on reconnect (stored once), live agent replies, history after a reload.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startServerProcess, type ServerProcess } from '../support/server-process';
import { login, SyncPeer } from '../support/sync-peer';

let server: ServerProcess;
let browser: Browser;

beforeAll(async () => {
  server = await startServerProcess({ demo: true, dataDir: mkdtempSync(join(tmpdir(), 'bandeja-webchat-')) });
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

it('resends a message typed while the server is down once, and shows the agent’s reply live and after a reload', async () => {
  const page = await (await browser.newContext()).newPage();
  await page.goto(`${server.url}/webchat/demo?lang=en`);
  await page.getByLabel('Your name').fill('Olga');
  await page.getByRole('button', { name: 'Start chat' }).click();
  const log = page.getByRole('log', { name: 'Conversation' });
  await page.getByLabel('Message').fill('First question');
  await page.getByRole('button', { name: 'Send' }).click();
  await log.locator('.msg[data-from="customer"]:not(.pending)', { hasText: 'First question' }).waitFor();

  await server.stop();
  await page.getByLabel('Message').fill('Typed while offline');
  await page.getByRole('button', { name: 'Send' }).click();
  const offline = log.locator('.msg[data-from="customer"]', { hasText: 'Typed while offline' });
  await offline.waitFor();
  const offlineId = await offline.getAttribute('data-id');
  expect(await offline.getAttribute('class')).toContain('pending');

  await server.restart();
  await log.locator(`.msg[data-from="customer"][data-id="${offlineId}"]:not(.pending)`).waitFor({ timeout: 30_000 });

  const { token } = await login(server.url, 'ana@demo.test');
  const ana = await SyncPeer.connect(server.url, { token });
  const stored = [...ana.messages.values()].filter((m) => m.body === 'Typed while offline');
  expect(stored.map((m) => m.id)).toEqual([offlineId]);

  const replyId = uuidv7();
  const conversationId = stored[0]!.conversationId;
  expect(await ana.push('message.send', { id: replyId, conversationId, body: 'Hi Olga, Ana here.' })).toMatchObject({ status: 'ok' });
  const reply = log.locator(`.msg[data-from="agent"][data-id="${replyId}"]`);
  await reply.waitFor();
  expect(await reply.textContent()).toContain('Hi Olga, Ana here.');
  ana.close();

  await page.reload();
  await log.locator(`.msg[data-id="${replyId}"]`).waitFor();
  expect(
    await log
      .locator('.msg')
      .evaluateAll((els) => els.map((e) => `${e.getAttribute('data-from')}:${e.querySelector('.body')?.textContent}`)),
  ).toEqual(['customer:First question', 'customer:Typed while offline', 'agent:Hi Olga, Ana here.']);
});
