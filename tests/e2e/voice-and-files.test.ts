// End to end in Chromium: Ana records a voice note with the fake microphone (timer moves, play back,
// delete, record again, send) and the customer's page plays it; a file attached while the server is
// down reaches the customer once after it is back; a blocked microphone gives a clear message.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startClientProcess } from '../support/client-process';
import { startServerProcess } from '../support/server-process';
import { openView, pane, row, signIn, until, WAIT_MS } from './agent-ui';
import { FAKE_MICROPHONE, openBrowser, screenshot } from './chromium';
import { agentMessages, say, startChat } from './customer-page';

// The page-side shapes these tests touch (the test code is compiled without the DOM library).
interface MediaEl {
  readyState: number;
  duration: number;
  currentTime: number;
  muted: boolean;
  play(): Promise<void>;
  pause(): void;
  addEventListener(type: string, listener: (e: unknown) => void, opts?: { once: boolean }): void;
}
interface Canvas2d {
  fillStyle: string;
  fillRect(x: number, y: number, w: number, h: number): void;
  beginPath(): void;
  arc(x: number, y: number, r: number, a: number, b: number): void;
  fill(): void;
}
declare const document: {
  createElement(tag: 'canvas'): { width: number; height: number; getContext(kind: '2d'): Canvas2d | null; toDataURL(type: string): string };
};

const timer = (page: Page) => pane(page).getByRole('timer');
const seconds = (text: string | null) => {
  const m = /^(\d+):(\d\d)$/.exec(text ?? '');
  return m ? Number(m[1]) * 60 + Number(m[2]) : -1;
};

describe('voice notes and files', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'bandeja-e2e-voice-'));
    cleanups.push(() => rmSync(root, { recursive: true, force: true }));
  });
  afterEach(async () => {
    for (const clean of cleanups.splice(0).reverse()) await clean();
  });

  async function setUp(customerName: string, browserArgs: string[] = FAKE_MICROPHONE) {
    const server = await startServerProcess({ demo: true, dataDir: join(root, 'server') });
    cleanups.push(() => server.stop());
    const ana = await startClientProcess({ serverUrl: server.url, dataDir: join(root, 'ana') });
    cleanups.push(() => ana.stop());
    const anaUi = await openBrowser({ args: browserArgs });
    const customer = await openBrowser();
    cleanups.push(
      () => anaUi.close(),
      () => customer.close(),
    );
    await signIn(anaUi.page, ana.url, 'ana@demo.test');
    await startChat(customer.page, server.url, customerName);
    await say(customer.page, 'Hola, ¿me pueden ayudar?');
    await openView(anaUi.page, 'unassigned');
    await row(anaUi.page, customerName).click();
    return { server, ana, page: anaUi.page, customer: customer.page };
  }

  it('records, plays back, deletes, records again and sends a voice note the customer can play', async () => {
    const { page, customer } = await setUp('Valentina Ruiz');
    const p = pane(page);

    await p.getByRole('button', { name: 'Record a voice note' }).click();
    await until(
      () => timer(page).textContent(),
      (t) => seconds(t) >= 1,
      'the timer to move',
    );
    await expect(p.getByRole('meter', { name: 'Microphone level' }).count()).resolves.toBe(1);
    await screenshot(page, 'voice-1-recording');
    await p.getByRole('button', { name: 'Stop recording' }).click();
    const take = p.getByRole('group', { name: /Voice note to send/ }).locator('audio');
    await take.waitFor({ timeout: WAIT_MS });
    await screenshot(page, 'voice-2-recorded');

    // Delete, then record again for about 3 s.
    await p.getByRole('button', { name: 'Delete the voice note' }).click();
    await take.waitFor({ state: 'detached', timeout: WAIT_MS });
    await p.getByRole('button', { name: 'Record a voice note' }).click();
    await until(
      () => timer(page).textContent(),
      (t) => seconds(t) >= 3,
      'three seconds of recording',
    );
    await p.getByRole('button', { name: 'Stop recording' }).click();
    await take.waitFor({ timeout: WAIT_MS });
    // Play it back before sending: it really has sound to play.
    const playable = await take.evaluate(async (el: MediaEl) => {
      if (el.readyState < 1) await new Promise((r) => el.addEventListener('loadedmetadata', r, { once: true }));
      el.muted = true;
      await el.play();
      await new Promise((r) => el.addEventListener('timeupdate', r, { once: true }));
      const at = el.currentTime;
      el.pause();
      return at;
    });
    expect(playable).toBeGreaterThan(0);
    await p.getByRole('button', { name: 'Send voice note' }).click();

    // Inline in Ana's timeline, then on the customer's page, where it plays.
    const sent = p.locator('.message-out .attachment-audio audio');
    await sent.waitFor({ timeout: WAIT_MS });
    await until(
      () => p.locator('.message-out').last().getAttribute('data-delivery'),
      (d) => d === 'sent' || d === 'delivered' || d === 'read',
      'the voice note to leave the outbox',
    );
    const onPage = agentMessages(customer).locator('.att-voice audio');
    await onPage.waitFor({ timeout: WAIT_MS });
    expect(await onPage.count()).toBe(1);
    const duration = await onPage.evaluate(async (el: MediaEl) => {
      if (el.readyState < 1) await new Promise((r) => el.addEventListener('loadedmetadata', r, { once: true }));
      return el.duration;
    });
    expect(duration).toBeGreaterThan(0);
    const played = await onPage.evaluate(async (el: MediaEl) => {
      el.muted = true;
      await el.play();
      await new Promise((r) => el.addEventListener('timeupdate', r, { once: true }));
      return el.currentTime;
    });
    expect(played).toBeGreaterThan(0);
    await screenshot(page, 'voice-3-sent-timeline');
    await screenshot(customer, 'voice-4-customer-page');
  });

  it('delivers a file attached while offline exactly once after reconnecting', async () => {
    const { server, page, customer } = await setUp('Tomás Pérez');
    const pdf = join(root, 'presupuesto.pdf');
    writeFileSync(pdf, '%PDF-1.7\n% Presupuesto 17\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n');
    const png = join(root, 'captura.png');
    // A real picture, drawn by Chromium itself.
    const dataUrl = await page.evaluate(() => {
      const c = document.createElement('canvas');
      c.width = 160;
      c.height = 100;
      const g = c.getContext('2d')!;
      g.fillStyle = '#0ea5e9';
      g.fillRect(0, 0, 160, 100);
      g.fillStyle = '#facc15';
      g.beginPath();
      g.arc(120, 30, 18, 0, Math.PI * 2);
      g.fill();
      g.fillStyle = '#166534';
      g.fillRect(0, 70, 160, 30);
      return c.toDataURL('image/png');
    });
    writeFileSync(png, Buffer.from(dataUrl.split(',')[1]!, 'base64'));

    await server.stop();
    await page.getByTestId('offline-banner').waitFor({ timeout: WAIT_MS });
    const p = pane(page);
    await p.getByTestId('attach-input').setInputFiles([pdf, png]);
    const tray = p.getByRole('list', { name: 'Attachments to send' });
    await tray.getByText('presupuesto.pdf').waitFor({ timeout: WAIT_MS });
    await tray.getByRole('img', { name: 'Image captura.png' }).waitFor({ timeout: WAIT_MS });
    await screenshot(page, 'files-1-tray-offline');
    await p.locator('textarea').fill('Te mando el presupuesto');
    await p.locator('textarea').press('Enter');
    const mine = p.locator('.message-out', { hasText: 'Te mando el presupuesto' });
    await mine.waitFor({ timeout: WAIT_MS });
    expect(await mine.getAttribute('data-delivery')).toBe('pending');
    await tray.waitFor({ state: 'detached', timeout: WAIT_MS });

    await server.restart();
    await until(
      () => mine.getAttribute('data-delivery'),
      (d) => d === 'sent' || d === 'delivered' || d === 'read',
      'the message with files to leave the outbox',
    );
    const got = agentMessages(customer).filter({ hasText: 'Te mando el presupuesto' });
    await got.waitFor({ timeout: WAIT_MS });
    await got.getByRole('link', { name: 'Download: presupuesto.pdf' }).waitFor({ timeout: WAIT_MS });
    await got.getByRole('img', { name: 'Image: captura.png' }).waitFor({ timeout: WAIT_MS });
    await until(
      () => got.getByRole('img').evaluate((el: { naturalWidth: number }) => el.naturalWidth),
      (w) => w === 160,
      'the image to load',
    );
    expect(await agentMessages(customer).filter({ hasText: 'Te mando el presupuesto' }).count()).toBe(1);
    await screenshot(page, 'files-2-sent-timeline');
    await screenshot(customer, 'files-3-customer-page');
  });

  it('refuses a file of a forbidden type before staging, and says why when the microphone is blocked', async () => {
    // No fake-UI flag: the permission prompt cannot be answered, so the microphone is denied.
    const { page } = await setUp('Camila Soto', ['--use-fake-device-for-media-stream', '--deny-permission-prompts']);
    const p = pane(page);
    const exe = join(root, 'factura.pdf');
    writeFileSync(exe, Buffer.concat([Buffer.from('MZ'), Buffer.alloc(200, 1)]));
    await p.getByTestId('attach-input').setInputFiles(exe);
    await p.getByRole('alert').filter({ hasText: 'factura.pdf: This type of file cannot be sent' }).waitFor({ timeout: WAIT_MS });
    expect(await p.getByRole('list', { name: 'Attachments to send' }).count()).toBe(0);

    await p.getByRole('button', { name: 'Record a voice note' }).click();
    await p.getByRole('alert').filter({ hasText: 'The microphone is blocked' }).waitFor({ timeout: WAIT_MS });
    // Nothing broke: the box still sends words.
    await p.locator('textarea').fill('Te escribo por aquí');
    await p.locator('textarea').press('Enter');
    await p.locator('.message-out', { hasText: 'Te escribo por aquí' }).waitFor({ timeout: WAIT_MS });
    await screenshot(page, 'voice-5-microphone-blocked');
  });

  it('looks right in every language and theme: recorder, recorded take and attachments', { timeout: 240_000 }, async () => {
    const server = await startServerProcess({ demo: true, dataDir: join(root, 'server') });
    cleanups.push(() => server.stop());
    const ana = await startClientProcess({ serverUrl: server.url, dataDir: join(root, 'ana') });
    cleanups.push(() => ana.stop());
    const customer = await openBrowser();
    cleanups.push(() => customer.close());
    await startChat(customer.page, server.url, 'Lucía Gómez');
    await say(customer.page, '¿Me mandas la factura?');
    const pdf = join(root, 'factura.pdf');
    writeFileSync(pdf, '%PDF-1.7\n% Factura\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n');
    const cases = [
      { lang: 'en', locale: 'en-US', record: 'Record a voice note', stop: 'Stop recording' },
      { lang: 'es', locale: 'es-ES', record: 'Grabar una nota de voz', stop: 'Detener la grabación' },
      { lang: 'pt-BR', locale: 'pt-BR', record: 'Gravar uma mensagem de voz', stop: 'Parar a gravação' },
    ];
    for (const c of cases)
      for (const theme of ['light', 'dark'] as const) {
        const b = await openBrowser({ locale: c.locale, colorScheme: theme, args: FAKE_MICROPHONE });
        try {
          const page = b.page;
          await page.goto(ana.url);
          // The first browser signs in; later ones find the host already signed in.
          await page.locator('.sidebar, input[type="email"]').first().waitFor({ timeout: WAIT_MS });
          if ((await page.locator('.sidebar').count()) === 0) {
            await page.locator('input[type="email"]').fill('ana@demo.test');
            await page.locator('input[type="password"]').fill('demo1234');
            await page.locator('form button[type="submit"]').click();
          }
          await page.locator('.sidebar').waitFor({ timeout: WAIT_MS });
          await page.locator('.view-item[data-view="unassigned"]').click();
          await row(page, 'Lucía Gómez').click();
          const p = pane(page);
          await p.getByTestId('attach-input').setInputFiles(pdf);
          await p.locator('.attachment-tray').getByText('factura.pdf').waitFor({ timeout: WAIT_MS });
          await p.getByRole('button', { name: c.record }).click();
          await until(
            () => timer(page).textContent(),
            (t) => seconds(t) >= 1,
            'the timer to move',
          );
          await screenshot(page, `voice-looks-${c.lang}-${theme}-recording`);
          await p.getByRole('button', { name: c.stop }).click();
          await p.locator('.voice-recorded audio').waitFor({ timeout: WAIT_MS });
          await screenshot(page, `voice-looks-${c.lang}-${theme}-recorded`);
        } finally {
          await b.close();
        }
      }
  });
});
