// End to end in Chromium through the headless host: WhatsApp markup and links in the timeline (a web
// link opens outside the app), Ctrl+B and the emoji picker by keyboard in the composer, "Copy link" of
// a message and that bandeja:// link opening the conversation at the message, forwarding a message to
// another conversation (it arrives there, and at its customer, exactly once), and resending a reply the
// server refused.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startClientProcess } from '../support/client-process';
import { startFaultProxy } from '../support/fault-proxy';
import type { WebchatCustomer } from '../support/webchat-customer';
import { openView, outgoing, pane, row, until, WAIT_MS } from './agent-ui';
import { screenshot } from './chromium';
import { conversationOf, Fixture, synced, type Agent } from './fixture';

const composer = (page: Page) => pane(page).locator('textarea');
const bubble = (page: Page, text: string) => pane(page).locator('.message', { has: page.locator('.bubble-body', { hasText: text }) });

/** What a webchat customer received from agents, one entry per message id. */
function agentBodies(customer: WebchatCustomer): string[] {
  const byId = new Map<string, string>();
  for (const f of customer.frames) if (f.type === 'message' && f.message.from === 'agent') byId.set(f.message.id, f.message.body);
  return [...byId.values()];
}

async function openActions(message: ReturnType<typeof bubble>): Promise<void> {
  await message.hover();
  await message.getByRole('button', { name: 'Message actions' }).click();
  await message.getByRole('menu').waitFor({ timeout: WAIT_MS });
}

describe('message actions', () => {
  const fx = new Fixture();
  let ana: Agent;
  let carla: WebchatCustomer;
  let bruno: WebchatCustomer;

  beforeAll(async () => {
    await fx.start();
    carla = await fx.customer('Carla Gómez', 'Hola, mi pedido: https://shop.example.com/orders/42. *urgente* por favor, 2*3*4');
    bruno = await fx.customer('Bruno Díaz', 'Buenas, consulta de facturación');
    ana = await fx.agent('ana@demo.test');
    await ana.browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: ana.client.url });
  }, 120_000);
  afterAll(() => fx.stop());

  it(
    'shows markup and links, formats with Ctrl+B, inserts an emoji by keyboard, and copies a link that opens the message',
    { timeout: 120_000 },
    async () => {
      const page = ana.page;
      await openView(page, 'unassigned');
      await row(page, 'Carla Gómez').click();

      // The customer's link, without the sentence's full stop, opens outside the app.
      const inbound = bubble(page, 'mi pedido');
      const link = inbound.locator('a');
      await link.waitFor({ timeout: WAIT_MS });
      expect(await link.getAttribute('href')).toBe('https://shop.example.com/orders/42');
      expect(await link.textContent()).toBe('https://shop.example.com/orders/42');
      expect(await link.getAttribute('target')).toBe('_blank');
      expect(await link.getAttribute('rel')).toBe('noopener noreferrer');
      expect(await inbound.locator('strong').allTextContents()).toEqual(['urgente']);
      expect(await inbound.locator('.bubble-body').textContent()).toContain('2*3*4');

      // Ctrl+B wraps the selected word; the emoji picker is reached and used from the keyboard.
      const box = composer(page);
      await box.fill('Hola Carla');
      await box.evaluate((el) => (el as unknown as { setSelectionRange(start: number, end: number): void }).setSelectionRange(5, 10));
      await box.press('Control+b');
      expect(await box.inputValue()).toBe('Hola *Carla*');
      await box.press('End');
      await box.pressSequentially(' ');
      await pane(page).getByRole('button', { name: 'Insert an emoji' }).focus();
      await page.keyboard.press('Enter');
      const picker = page.getByRole('dialog', { name: 'Emoji' });
      await picker.getByRole('searchbox').pressSequentially('thumbs up');
      await picker.getByRole('button', { name: 'thumbs up' }).waitFor({ timeout: WAIT_MS });
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('Enter');
      await picker.waitFor({ state: 'detached', timeout: WAIT_MS });
      // Unicode's thumbs up with its emoji presentation selector.
      expect(await box.inputValue()).toBe('Hola *Carla* 👍\uFE0F');
      await screenshot(page, 'actions-1-composer-formatted');
      await box.press('Enter');

      const sent = outgoing(page, 'Hola');
      await sent.locator('strong', { hasText: 'Carla' }).waitFor({ timeout: WAIT_MS });
      // The customer receives the markup as typed (the channel shows it), once.
      await carla.waitForAgentMessage((m) => m.body === 'Hola *Carla* 👍\uFE0F');
      await until(
        () => sent.getAttribute('data-delivery'),
        (d) => d !== 'pending',
        'the reply to be confirmed',
      );

      // Copy link: the message's bandeja:// link on the clipboard, and the toast says so.
      const conversation = await conversationOf(ana.client, 'Carla Gómez', 'mine');
      const messageId = (await sent.getAttribute('data-message-id'))!;
      await openActions(sent);
      await screenshot(page, 'actions-2-menu');
      await page.getByRole('menuitem', { name: 'Copy link' }).click();
      await page.locator('.toast', { hasText: 'Link copied' }).waitFor({ timeout: WAIT_MS });
      const copied = await page.evaluate(() =>
        (globalThis as unknown as { navigator: { clipboard: { readText(): Promise<string> } } }).navigator.clipboard.readText(),
      );
      expect(copied).toBe(`bandeja://conversation/${conversation.id}/message/${messageId}`);

      // The link written in a note of another conversation opens Carla's conversation at that message.
      await row(page, 'Bruno Díaz').click();
      await pane(page).getByRole('button', { name: 'Internal note' }).click();
      await composer(page).fill(`Mirá lo que le dije a Carla: ${copied}`);
      await composer(page).press('Enter');
      const appLink = pane(page).locator('.message-note a.app-link');
      await appLink.waitFor({ timeout: WAIT_MS });
      expect(await appLink.getAttribute('target')).toBeNull();
      await appLink.click();
      await pane(page).locator(`.message-focused[data-message-id="${messageId}"]`).waitFor({ timeout: WAIT_MS });
      expect(await pane(page).locator('h2').textContent()).toBe('Carla Gómez');
      await screenshot(page, 'actions-3-deep-link-opened');
    },
  );

  it('forwards a message to another conversation, where it arrives once', { timeout: 120_000 }, async () => {
    const page = ana.page;
    await openView(page, 'unassigned');
    await row(page, 'Bruno Díaz').click();
    await pane(page).getByRole('button', { name: 'Assign to me' }).click();
    await openView(page, 'mine');
    await row(page, 'Carla Gómez').click();
    const inbound = bubble(page, 'mi pedido');
    await openActions(inbound);
    await page.getByRole('menuitem', { name: 'Forward…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Forward message' });
    await dialog.getByLabel('Find conversations').fill('bruno');
    const target = dialog.locator('.forward-target', { hasText: 'Bruno Díaz' });
    await target.waitFor({ timeout: WAIT_MS });
    // The conversation the message comes from is not offered.
    expect(await dialog.locator('.forward-target', { hasText: 'Carla Gómez' }).count()).toBe(0);
    await target.locator('input').check();
    await screenshot(page, 'actions-4-forward-dialog');
    await dialog.getByRole('button', { name: 'Forward', exact: true }).click();
    await page.locator('.toast', { hasText: 'Forwarded to 1 conversation' }).waitFor({ timeout: WAIT_MS });
    await dialog.waitFor({ state: 'detached', timeout: WAIT_MS });

    await synced(ana.client);
    await row(page, 'Bruno Díaz').click();
    const forwarded = pane(page).locator('.message-out', { has: page.locator('[data-label="forwarded"]') });
    await forwarded.first().waitFor({ timeout: WAIT_MS });
    expect(await forwarded.count()).toBe(1);
    expect(await forwarded.locator('.bubble-body').textContent()).toBe(
      'Hola, mi pedido: https://shop.example.com/orders/42. urgente por favor, 2*3*4',
    );
    expect(await forwarded.locator('[data-label="forwarded"]').textContent()).toBe('Forwarded');
    await bruno.waitForAgentMessage((m) => m.body.startsWith('Hola, mi pedido'));
    expect(agentBodies(bruno).filter((b) => b.startsWith('Hola, mi pedido'))).toHaveLength(1);
    const bruno2 = (await conversationOf(ana.client, 'Bruno Díaz', 'mine')).id;
    const stored = (await ana.client.ipc.ok('conversation.messages', { conversationId: bruno2 })).filter((m) => m.forwarded);
    expect(stored.map((m) => m.body)).toEqual(['Hola, mi pedido: https://shop.example.com/orders/42. *urgente* por favor, 2*3*4']);
    await screenshot(page, 'actions-5-forwarded');
  });

  it('keeps a file with a personal snippet, and inserting it puts the file in the tray and sends it', { timeout: 120_000 }, async () => {
    const page = ana.page;
    const pdf = join(fx.root, 'horario.pdf');
    writeFileSync(pdf, '%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');
    await page.locator('.user-button').click();
    await page.getByRole('button', { name: 'My snippets' }).click();
    const dialog = page.getByRole('dialog', { name: 'My snippets' });
    await dialog.getByRole('button', { name: 'New snippet' }).click();
    await dialog.getByLabel('Title').fill('Horario en PDF');
    await dialog.getByLabel('Shortcut').fill('horariopdf');
    await dialog.getByLabel('Text').fill('Te paso el horario.');
    await dialog.getByTestId('snippet-attachment').locator('input[type="file"]').setInputFiles(pdf);
    await dialog.getByTestId('snippet-attachment').locator('.attachment-file', { hasText: 'horario.pdf' }).waitFor({ timeout: WAIT_MS });
    await dialog.getByRole('button', { name: 'Save' }).click();
    const saved = dialog.locator('.snippet-row[data-shortcut="horariopdf"]');
    await saved.waitFor({ timeout: WAIT_MS });
    expect(await saved.locator('.snippet-attachment-name').textContent()).toBe('📎 horario.pdf');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached', timeout: WAIT_MS });

    await openView(page, 'mine');
    await row(page, 'Carla Gómez').click();
    await pane(page).getByRole('button', { name: 'Reply', exact: true }).click();
    await composer(page).click();
    await page.keyboard.type('/horariopdf');
    await page.locator('.snippet-list [data-shortcut="horariopdf"]').waitFor({ timeout: WAIT_MS });
    await page.keyboard.press('Enter');
    expect(await composer(page).inputValue()).toBe('Te paso el horario.');
    await pane(page).locator('.attachment-tray .attachment-file', { hasText: 'horario.pdf' }).waitFor({ timeout: WAIT_MS });
    await composer(page).press('Enter');
    await outgoing(page, 'Te paso el horario.').locator('.attachment-file', { hasText: 'horario.pdf' }).waitFor({ timeout: WAIT_MS });
    const got = await carla.waitForAgentMessage((m) => m.body === 'Te paso el horario.');
    expect(got.attachments.map((a) => a.name)).toEqual(['horario.pdf']);
    expect(await pane(page).locator('.attachment-tray').count()).toBe(0);
  });

  it('resends a reply the server refused, once the conversation is reopened', { timeout: 120_000 }, async () => {
    const proxy = await startFaultProxy(fx.server.url);
    fx.later(() => proxy.close());
    const sofia = await startClientProcess({ serverUrl: fx.server.url });
    fx.later(() => sofia.stop());
    await sofia.ipc.ok('session.login', { serverUrl: fx.server.url, email: 'sofia@demo.test', password: 'demo1234' });
    const elena = await fx.customer('Elena Ruiz', 'Necesito una copia de la factura');
    const bruno = await fx.agent('bruno@demo.test', { serverUrl: proxy.url });
    const page = bruno.page;
    await openView(page, 'unassigned');
    await row(page, 'Elena Ruiz').click();
    await pane(page).getByRole('button', { name: 'Assign to me' }).click();
    await until(
      () => pane(page).getByTestId('assignee').textContent(),
      (t) => t === 'Bruno',
      'Bruno to be the assignee',
    );
    await synced(bruno.client);

    proxy.refuse();
    await page.getByTestId('offline-banner').waitFor({ timeout: WAIT_MS });
    const conversation = await conversationOf(sofia, 'Elena Ruiz', 'all');
    await sofia.ipc.ok('conversation.close', { conversationId: conversation.id, note: null, categoryId: null });
    await composer(page).fill('Aquí tienes la _factura_.');
    await composer(page).press('Enter');
    // The markup shows as formatting: the bubble reads "Aquí tienes la factura." with the word in italics.
    await outgoing(page, 'Aquí tienes la factura.').locator('em', { hasText: 'factura' }).waitFor({ timeout: WAIT_MS });
    expect(await outgoing(page, 'Aquí tienes la').getAttribute('data-delivery')).toBe('pending');
    proxy.pass();

    const failed = outgoing(page, 'Aquí tienes la');
    await until(
      () => failed.getAttribute('data-delivery'),
      (d) => d === 'failed',
      'the reply to be refused',
      30_000,
    );
    await failed.getByRole('button', { name: 'Not sent' }).focus();
    expect(await failed.getByRole('tooltip').textContent()).toBe('Not sent: This conversation was closed. Reopen it to reply.');
    await screenshot(page, 'actions-6-failed');

    await pane(page).getByRole('button', { name: 'Reopen' }).click();
    await failed.getByRole('button', { name: 'Resend' }).click();
    await until(
      () => outgoing(page, 'Aquí tienes la').evaluateAll((els) => els.map((e) => e.getAttribute('data-delivery'))),
      (d) => d.length === 1 && d[0] !== 'failed' && d[0] !== 'pending',
      'one confirmed copy',
    );
    await elena.waitForAgentMessage((m) => m.body === 'Aquí tienes la _factura_.');
    await synced(bruno.client);
    expect(agentBodies(elena).filter((b) => b.startsWith('Aquí'))).toHaveLength(1);
    const bodies = (
      await sofia.ipc.until('conversation.messages', { conversationId: conversation.id }, (l) => l.some((m) => m.body.startsWith('Aquí')))
    ).filter((m) => m.body.startsWith('Aquí'));
    expect(bodies).toHaveLength(1);
    await screenshot(page, 'actions-7-resent');
  });
});
