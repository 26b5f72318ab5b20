// The screens of channels, delivery states and templates in each language and theme, for a person to
// look at: a closed WhatsApp window above the composer and the Resume conversation dialog, an open
// window's countdown, formatted messages with links and the message menu, the emoji picker, the forward
// dialog, the admin's templates, a snippet with a file. With the checks a person would make: their
// language, and nothing cut off at 1024 px.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { startClientProcess, type ClientProcess } from '../support/client-process';
import { startServerProcess, type ServerProcess } from '../support/server-process';
import { WebchatCustomer } from '../support/webchat-customer';
import { pane, row, WAIT_MS } from './agent-ui';
import { screenshot } from './chromium';
import { clipped, closeDialog, itLooks } from './looks';

const CASES = [
  {
    lang: 'en',
    locale: 'en-US',
    closed: 'reply window closed',
    open: 'Reply window closes',
    templates: 'Templates',
    forwarded: 'Forwarded',
  },
  {
    lang: 'es',
    locale: 'es-ES',
    closed: 'ventana de respuesta de 24 horas se cerró',
    open: 'La ventana de respuesta se cierra',
    templates: 'Plantillas',
    forwarded: 'Reenviado',
  },
  {
    lang: 'pt-BR',
    locale: 'pt-BR',
    closed: 'janela de resposta de 24 horas fechou',
    open: 'A janela de resposta fecha',
    templates: 'Modelos',
    forwarded: 'Encaminhada',
  },
] as const;

describe('looks of channels, delivery states and templates', () => {
  let server: ServerProcess;
  let admin: ClientProcess;
  let customers: WebchatCustomer[] = [];
  let pdf: string;

  beforeAll(async () => {
    server = await startServerProcess({ demo: true });
    admin = await startClientProcess({ serverUrl: server.url });
    await admin.ipc.ok('session.login', { serverUrl: server.url, email: 'admin@demo.test', password: 'demo1234' });
    const marta = await WebchatCustomer.join(server.url, 'demo', 'Marta Souza');
    const pedro = await WebchatCustomer.join(server.url, 'demo', 'Pedro Alves');
    customers = [marta, pedro];
    await marta.say('Oi! Meu pedido *4411* não chegou: https://loja.example.com/pedidos/4411. Podem ver? _obrigada_');
    await pedro.say('Bom dia');
    const list = await admin.ipc.until(
      'inbox.list',
      { view: { kind: 'all' }, status: 'open' },
      (l) => l.some((c) => c.contactName === 'Marta Souza') && l.some((c) => c.contactName === 'Pedro Alves'),
    );
    const martaConversation = list.find((c) => c.contactName === 'Marta Souza')!;
    const pedroConversation = list.find((c) => c.contactName === 'Pedro Alves')!;
    await admin.ipc.ok('message.send', {
      conversationId: martaConversation.id,
      body: 'Olá Marta! Vou verificar o pedido *4411* agora mesmo. Acompanhe em www.example.com/rastreio',
    });
    const messages = await admin.ipc.until(
      'conversation.messages',
      { conversationId: martaConversation.id },
      (l) => l.length >= 2 && l.every((m) => m.seq !== null),
    );
    await admin.ipc.ok('message.forward', { messageId: messages[0]!.id, toConversationIds: [pedroConversation.id] });
    await admin.ipc.until('sync.status', {}, (s) => s.pending === 0);
    pdf = join(server.dataDir, 'horario.pdf');
    writeFileSync(pdf, '%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');
  }, 120_000);
  afterAll(async () => {
    for (const c of customers) c.close();
    await admin?.stop();
    await server?.kill();
  });

  itLooks(
    CASES,
    () => admin.url,
    async (page, c, name) => {
      await page.locator('.view-item[data-view="all"]').click();

      // WhatsApp outside the window: said before typing; the Resume dialog with a value filled.
      await row(page, 'João Pereira').click();
      const closed = pane(page).locator('[data-window="closed"]');
      await closed.waitFor({ timeout: WAIT_MS });
      expect(await closed.textContent()).toContain(c.closed);
      expect(await clipped(page, '.composer-window-closed .button, .composer-tool')).toEqual([]);
      await screenshot(page, `look4-window-closed-${name}`);
      await closed.locator('.button').click();
      const dialog = page.getByRole('dialog');
      await dialog.locator('.template-choice[data-template="seguimiento"]').click();
      await dialog.locator('.template-variable input').first().fill('João');
      await screenshot(page, `look4-resume-${name}`);
      await closeDialog(page);

      // WhatsApp inside the window: the countdown.
      await row(page, 'Lucía Fernández').click();
      await pane(page).locator('[data-window="open"]').waitFor({ timeout: WAIT_MS });
      expect(await pane(page).locator('[data-window="open"]').textContent()).toContain(c.open);
      await screenshot(page, `look4-window-open-${name}`);

      // Formatting, links, delivery ticks and the message menu.
      await row(page, 'Marta Souza').click();
      await pane(page).locator('.message-in a').waitFor({ timeout: WAIT_MS });
      const out = pane(page).locator('.message-out').last();
      await out.hover();
      await out.locator('.message-actions-button').click();
      await out.getByRole('menu').waitFor({ timeout: WAIT_MS });
      expect(await clipped(page, '.menu-item')).toEqual([]);
      await screenshot(page, `look4-message-menu-${name}`);
      await page.keyboard.press('Escape');

      // The emoji picker, opened from the toolbar, in the reader's language.
      await pane(page).locator('.emoji-anchor button').click();
      await page.locator('.emoji-cell').first().waitFor({ timeout: WAIT_MS });
      await screenshot(page, `look4-emoji-${name}`);
      await page.keyboard.press('Escape');

      // The forward dialog.
      const inbound = pane(page).locator('.message-in').first();
      await inbound.hover();
      await inbound.locator('.message-actions-button').click();
      await page.locator('[data-action="forward"]').click();
      await page.getByRole('dialog').locator('.forward-target').first().waitFor({ timeout: WAIT_MS });
      await page.getByRole('dialog').locator('.forward-target input').first().check();
      await screenshot(page, `look4-forward-${name}`);
      await closeDialog(page);

      // The forwarded message where it arrived.
      await row(page, 'Pedro Alves').click();
      expect(await pane(page).locator('[data-label="forwarded"]').textContent()).toBe(c.forwarded);
      await screenshot(page, `look4-forwarded-${name}`);

      // Administration: templates per inbox, and a shared snippet with a file.
      await page.keyboard.press('Shift+D');
      await page.locator('.admin-nav [data-section="templates"]').click();
      await page.locator('.template-form').first().waitFor({ timeout: WAIT_MS });
      expect(await page.locator('.admin-title').textContent()).toBe(c.templates);
      expect(await clipped(page, '.template-form .button, .template-form label')).toEqual([]);
      await screenshot(page, `look4-admin-templates-${name}`);
      await page.locator('.admin-nav [data-section="snippets"]').click();
      await page.locator('.snippet-new').click();
      await page.getByTestId('snippet-attachment').locator('input[type="file"]').setInputFiles(pdf);
      await page.getByTestId('snippet-attachment').locator('.attachment-file').waitFor({ timeout: WAIT_MS });
      await page.getByTestId('snippet-attachment').scrollIntoViewIfNeeded();
      await screenshot(page, `look4-snippet-file-${name}`);
    },
  );
});
