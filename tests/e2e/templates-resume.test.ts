// End to end in Chromium through the headless host, with the server talking to a fake WhatsApp Cloud
// API: João wrote 30 h ago, so the composer says the reply window closed before Ana types (notes still
// allowed); she resumes with an approved template, filling its values with a live preview; WhatsApp
// receives that template with those values; its statuses move the ticks; once João writes again the box
// opens, and a reply the provider refuses shows the provider's reason and can be resent.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFaultProxy } from '../support/fault-proxy';
import { startServerProcess } from '../support/server-process';
import { startWhatsAppCloud, type WhatsAppCloud } from '../support/whatsapp-cloud';
import { openView, pane, row, until, WAIT_MS } from './agent-ui';
import { screenshot } from './chromium';
import { Fixture, synced, type Agent } from './fixture';

const JOAO = '5511988880202';
const composer = (page: Page) => pane(page).locator('textarea');
const outgoingWith = (page: Page, text: string) =>
  pane(page).locator('.message-out', { has: page.locator('.bubble-body', { hasText: text }) });

describe('resuming a WhatsApp conversation outside the reply window', () => {
  const fx = new Fixture();
  let wa: WhatsAppCloud;
  let ana: Agent;

  beforeAll(async () => {
    wa = await startWhatsAppCloud();
    fx.later(() => wa.close());
    fx.server = await startServerProcess({ demo: true, dataDir: `${fx.root}/server`, env: wa.env });
    fx.later(() => fx.server.kill());
    ana = await fx.agent('ana@demo.test');
  }, 120_000);
  afterAll(() => fx.stop());

  it('says the window closed before typing, sends a filled template, and shows its delivery', { timeout: 120_000 }, async () => {
    const page = ana.page;
    await openView(page, 'mine');
    await row(page, 'João Pereira').click();

    const closedNotice = pane(page).locator('[data-window="closed"]');
    await closedNotice.waitFor({ timeout: WAIT_MS });
    expect(await closedNotice.textContent()).toContain('The 24-hour reply window closed');
    expect(await composer(page).isDisabled()).toBe(true);
    await screenshot(page, 'templates-1-window-closed');
    // Notes are still allowed.
    await pane(page).getByRole('button', { name: 'Internal note' }).click();
    expect(await composer(page).isDisabled()).toBe(false);
    await pane(page).getByRole('button', { name: 'Reply', exact: true }).click();
    expect(await composer(page).isDisabled()).toBe(true);

    await closedNotice.getByRole('button', { name: 'Resume conversation' }).click();
    const dialog = page.getByRole('dialog', { name: 'Resume the conversation with João Pereira' });
    await dialog.locator('.template-choice').first().waitFor({ timeout: WAIT_MS });
    // Only approved templates are offered.
    expect((await dialog.locator('.template-choice').evaluateAll((els) => els.map((e) => e.getAttribute('data-template')))).sort()).toEqual(
      ['retomar_atencion', 'retomar_conversa', 'seguimiento'],
    );
    await dialog.locator('.template-choice[data-template="seguimiento"]').click();
    const send = dialog.getByRole('button', { name: 'Send template' });
    await dialog.getByLabel('Value of 1').fill('João');
    expect(await send.isDisabled()).toBe(true);
    expect(await dialog.getByTestId('template-preview').textContent()).toBe(
      'Hola João, te escribimos para dar seguimiento a tu consulta sobre {{2}}. ¿Podemos ayudarte en algo más?',
    );
    await dialog.getByLabel('Value of 2').fill('la entrega del sábado');
    expect(await dialog.getByTestId('template-preview').textContent()).toBe(
      'Hola João, te escribimos para dar seguimiento a tu consulta sobre la entrega del sábado. ¿Podemos ayudarte en algo más?',
    );
    await screenshot(page, 'templates-2-resume-dialog');
    // A double click sends it once.
    await send.dblclick();
    await dialog.waitFor({ state: 'detached', timeout: WAIT_MS });

    const sentTemplate = outgoingWith(page, 'te escribimos para dar seguimiento');
    await sentTemplate.waitFor({ timeout: WAIT_MS });
    expect(await sentTemplate.locator('[data-label="template"]').textContent()).toBe('Template: seguimiento');
    const received = await wa.waitForSent((m) => m.type === 'template');
    expect(received.to).toBe(JOAO);
    expect(received.request.template.name).toBe('seguimiento');
    expect(received.request.template.language.code).toBe('es');
    expect(received.request.template.components[0].parameters.map((p: { text: string }) => p.text)).toEqual([
      'João',
      'la entrega del sábado',
    ]);
    await synced(ana.client);
    expect(await pane(page).locator('.message-out [data-label="template"]').count()).toBe(1);
    expect(wa.sent.filter((m) => m.type === 'template')).toHaveLength(1);

    await until(
      () => sentTemplate.getAttribute('data-delivery'),
      (d) => d === 'sent',
      'the template to be sent',
    );
    await wa.status(fx.server.url, { wamid: received.wamid, status: 'delivered', recipientId: JOAO });
    await until(
      () => sentTemplate.getAttribute('data-delivery'),
      (d) => d === 'delivered',
      'the template to be delivered',
    );
    await wa.status(fx.server.url, { wamid: received.wamid, status: 'read', recipientId: JOAO });
    await until(
      () => sentTemplate.getAttribute('data-delivery'),
      (d) => d === 'read',
      'the template to be read',
    );
    expect(await sentTemplate.getByRole('img', { name: 'Read' }).count()).toBe(1);
    // Still closed: only the customer's answer reopens the window.
    expect(await composer(page).isDisabled()).toBe(true);
    await screenshot(page, 'templates-3-template-read');
  });

  it('opens the box when the customer answers, and resends a reply the provider refused', { timeout: 120_000 }, async () => {
    const page = ana.page;
    await wa.inbound(fx.server.url, { from: JOAO, name: 'João Pereira', text: 'Sim, obrigado!' });
    await pane(page).locator('[data-window="open"]').waitFor({ timeout: WAIT_MS });
    expect(await pane(page).locator('[data-window="open"]').textContent()).toMatch(/^Reply window closes in (24|23) hours$/);
    await until(
      () => composer(page).isDisabled(),
      (d) => !d,
      'the box to open',
    );

    await composer(page).fill('Perfeito, *até sábado*!');
    await composer(page).press('Enter');
    const sent = await wa.waitForSent((m) => m.type === 'text' && m.request.text.body === 'Perfeito, *até sábado*!');
    const reply = outgoingWith(page, 'Perfeito');
    await until(
      () => reply.getAttribute('data-delivery'),
      (d) => d === 'sent',
      'the reply to be sent',
    );
    await wa.status(fx.server.url, {
      wamid: sent.wamid,
      status: 'failed',
      recipientId: JOAO,
      error: {
        code: 131026,
        title: 'Message undeliverable',
        message: 'Message undeliverable',
        error_data: { details: 'Message Undeliverable.' },
      },
    });
    await until(
      () => reply.getAttribute('data-delivery'),
      (d) => d === 'failed',
      'the provider to refuse the reply',
    );
    await reply.getByRole('button', { name: 'Not sent' }).focus();
    const reason = await reply.getByRole('tooltip').textContent();
    expect(reason).toMatch(/^The channel refused it: .*131026/);
    // A failure the server holds is kept (no Discard), and can be sent again.
    expect(await reply.getByRole('button', { name: 'Discard this message' }).count()).toBe(0);
    await screenshot(page, 'templates-4-provider-refused');
    await reply.getByRole('button', { name: 'Resend' }).click();
    await until(
      () => Promise.resolve(wa.sent.filter((m) => m.type === 'text' && m.request.text.body === 'Perfeito, *até sábado*!').length),
      (n) => n === 2,
      'the resend to reach WhatsApp',
    );
    await until(
      () => outgoingWith(page, 'Perfeito').evaluateAll((els) => els.map((e) => e.getAttribute('data-delivery'))),
      (d) => d.length === 2 && d[0] === 'failed' && d[1] === 'sent',
      'the failed copy and the resent one',
    );
  });

  it("double-clicking an admin's Add or Delete of a template saves or deletes it once", { timeout: 120_000 }, async () => {
    const admin = await fx.agent('admin@demo.test');
    const page = admin.page;
    await page.keyboard.press('Shift+D');
    await page.locator('.admin-nav [data-section="templates"]').click();
    const added = page.locator('.template-form[data-template="aviso_doble"]');
    const fresh = page.locator('.template-form[data-template="new"]').first();
    await fresh.getByLabel('Name (as approved)').fill('aviso_doble');
    await fresh.getByLabel('Language code').fill('es');
    await fresh.getByLabel(/^Text, with/).fill('Hola {{1}}, tu pedido está listo.');
    await fresh.getByRole('button', { name: 'Add' }).dblclick();
    await added.waitFor({ timeout: WAIT_MS });
    await synced(admin.client);
    const named = async () => (await admin.client.ipc.ok('template.list', {})).filter((x) => x.name === 'aviso_doble');
    expect(await named()).toHaveLength(1);
    // A second save would be refused (one name and language per inbox) and say so.
    expect(await page.locator('.toast-error').count()).toBe(0);

    await added.getByRole('button', { name: 'Delete' }).dblclick();
    await added.waitFor({ state: 'detached', timeout: WAIT_MS });
    await synced(admin.client);
    expect(await named()).toEqual([]);
    // A second delete would be refused (it no longer exists) and say so.
    expect(await page.locator('.toast-error').count()).toBe(0);
  });

  it(
    'holds a reply written offline while the window was open and pushed after it closed, and offers to resume',
    { timeout: 180_000 },
    async () => {
      const proxy = await startFaultProxy(fx.server.url);
      fx.later(() => proxy.close());
      // Marcos wrote almost 24 h ago: the window closes within a minute, while Bruno's reply waits offline.
      const closesAt = Date.now() + 45_000;
      await wa.inbound(fx.server.url, {
        from: '5491100000303',
        name: 'Marcos Rivas',
        text: 'Hola, ¿siguen ahí?',
        at: closesAt - 24 * 3600_000,
      });
      const bruno = await fx.agent('bruno@demo.test', { serverUrl: proxy.url });
      const page = bruno.page;
      await openView(page, 'unassigned');
      await row(page, 'Marcos Rivas').click();
      await pane(page).getByRole('button', { name: 'Assign to me' }).click();
      await until(
        () => pane(page).getByTestId('assignee').textContent(),
        (t) => t === 'Bruno',
        'Bruno to be the assignee',
      );
      await synced(bruno.client);
      await pane(page).locator('[data-window="open"]').waitFor({ timeout: WAIT_MS });

      proxy.refuse();
      await page.getByTestId('offline-banner').waitFor({ timeout: WAIT_MS });
      await composer(page).fill('Sí, te respondo enseguida.');
      await composer(page).press('Enter');
      const held = outgoingWith(page, 'te respondo enseguida');
      await held.waitFor({ timeout: WAIT_MS });
      expect(await held.getAttribute('data-delivery')).toBe('pending');
      // The window closes while the reply waits offline; the box says so at that moment.
      await pane(page).locator('[data-window="closed"]').waitFor({ timeout: 60_000 });
      // Not before it closed (the provider's timestamp is in whole seconds).
      expect(Date.now()).toBeGreaterThanOrEqual(closesAt - 1000);
      proxy.pass();

      await until(
        () => held.getAttribute('data-delivery'),
        (d) => d === 'failed',
        'the server to hold the reply',
        30_000,
      );
      expect(await held.getAttribute('data-delivery')).toBe('failed');
      await held.getByRole('button', { name: 'Held' }).focus();
      expect(await held.getByRole('tooltip').textContent()).toBe(
        'Held: the reply window closed before it was sent, so it never reached the customer. Resume the conversation with a template.',
      );
      expect(await held.getByRole('button', { name: 'Resend' }).count()).toBe(0);
      await screenshot(page, 'templates-5-held');
      await held.getByRole('button', { name: 'Resume conversation' }).click();
      await page
        .getByRole('dialog', { name: 'Resume the conversation with Marcos Rivas' })
        .locator('.template-choice')
        .first()
        .waitFor({ timeout: WAIT_MS });
      await page.keyboard.press('Escape');
      // Nothing reached the customer.
      expect(wa.sent.filter((m) => m.to === '5491100000303')).toEqual([]);
    },
  );
});
