// The complete inbox's screens in each language and theme, for a person to look at: contact panel,
// close / transfer / tag / saved-view dialogs, note mode with the @ list, search, the bell, the
// palette and the shortcut sheet, the bulk bar, an earlier conversation above a timeline, and the admin
// screens — with the checks a person would make: their language, and labels not cut off at 1024 px.
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { startClientProcess, type ClientProcess } from '../support/client-process';
import { startServerProcess, type ServerProcess } from '../support/server-process';
import { WebchatCustomer } from '../support/webchat-customer';
import { pane, row, until, WAIT_MS } from './agent-ui';
import { openBrowser, screenshot, type Browser } from './chromium';
import { conversationOf, synced } from './fixture';
import { clipped, closeDialog, itLooks } from './looks';
import { say, startChat } from './customer-page';

const CASES = [
  {
    lang: 'en',
    locale: 'en-US',
    close: 'Close conversation',
    transfer: 'Transfer',
    admin: 'Administration',
    note: 'Only your team sees this',
    earlierMore: 'Older messages of this conversation are not shown here.Open it to read them',
  },
  {
    lang: 'es',
    locale: 'es-ES',
    close: 'Cerrar conversación',
    transfer: 'Transferir',
    admin: 'Administración',
    note: 'Solo tu equipo lo ve',
    earlierMore: 'Los mensajes más antiguos de esta conversación no se muestran aquí.Ábrela para leerlos',
  },
  {
    lang: 'pt-BR',
    locale: 'pt-BR',
    close: 'Encerrar conversa',
    transfer: 'Transferir',
    admin: 'Administração',
    note: 'Só sua equipe vê isto',
    earlierMore: 'As mensagens mais antigas desta conversa não aparecem aqui.Abra-a para lê-las',
  },
] as const;
const NAME = 'Maria Aparecida dos Santos Oliveira';

describe('looks of the complete inbox', () => {
  let server: ServerProcess;
  let admin: ClientProcess;
  let customer: Browser;
  let rosa: WebchatCustomer;

  beforeAll(async () => {
    server = await startServerProcess({ demo: true });
    admin = await startClientProcess({ serverUrl: server.url });
    await admin.ipc.ok('session.login', { serverUrl: server.url, email: 'admin@demo.test', password: 'demo1234' });
    customer = await openBrowser();
    await startChat(customer.page, server.url, NAME);
    await say(customer.page, 'Olá! Meu pedido ainda não chegou e já se passaram dez dias úteis desde a compra.');
    // Rosa's earlier conversation holds more messages than a timeline shows of one above itself.
    rosa = await WebchatCustomer.join(server.url, 'demo', 'Rosa Antunes');
    for (let i = 1; i <= 102; i++) await rosa.say(`Mensagem ${i} da conversa anterior`);
    const earlier = await conversationOf(admin, 'Rosa Antunes');
    await admin.ipc.ok('conversation.close', { conversationId: earlier.id, note: null, categoryId: null });
    await synced(admin);
    await rosa.say('Voltei: o pedido chegou, mas faltou uma peça.');
    await admin.ipc.until('inbox.list', { view: { kind: 'unassigned' }, status: 'pending' }, (l) =>
      l.some((x) => x.contactName === 'Rosa Antunes' && x.previousConversationId === earlier.id),
    );
  }, 120_000);
  afterAll(async () => {
    rosa?.close();
    await customer?.close();
    await admin?.stop();
    await server?.kill();
  });

  itLooks(
    CASES,
    () => admin.url,
    async (page, c, name) => {
      await page.locator('.view-item[data-view="unassigned"]').click();
      await row(page, 'Maria Aparecida').click();
      await pane(page).locator('.message-in').first().waitFor({ timeout: WAIT_MS });
      expect(await pane(page).locator('.pane-actions').textContent()).toContain(c.transfer);
      expect(await clipped(page, '.pane-actions .button, .tab > span:first-child, .view-name, .composer-hint, .mode-button')).toEqual([]);

      await page.keyboard.press('i');
      await page.getByTestId('contact-panel').locator('.contact-name').waitFor({ timeout: WAIT_MS });
      await screenshot(page, `look3-contact-panel-${name}`);
      await page.keyboard.press('i');

      await page.keyboard.press('c');
      await page.getByRole('dialog', { name: c.close }).waitFor({ timeout: WAIT_MS });
      await screenshot(page, `look3-close-${name}`);
      await closeDialog(page);

      await page.keyboard.press('t');
      await page.getByRole('dialog').locator('.presence').first().waitFor({ timeout: WAIT_MS });
      await screenshot(page, `look3-transfer-${name}`);
      await closeDialog(page);

      await page.keyboard.press('l');
      await page.getByRole('dialog').waitFor({ timeout: WAIT_MS });
      await screenshot(page, `look3-tags-${name}`);
      await closeDialog(page);

      await page.keyboard.press('n');
      const box = pane(page).locator('textarea');
      await box.pressSequentially('@');
      await pane(page).locator('.mention-list').waitFor({ timeout: WAIT_MS });
      expect(await pane(page).locator('.note-privacy').textContent()).toBe(c.note);
      await screenshot(page, `look3-note-${name}`);
      await box.fill('');
      await box.press('Escape');
      await page.keyboard.press('r');
      await box.press('Escape');

      await page.keyboard.press('Shift+V');
      await page.getByRole('dialog').waitFor({ timeout: WAIT_MS });
      await screenshot(page, `look3-saved-view-${name}`);
      await closeDialog(page);

      await page.keyboard.press('/');
      await page.getByRole('dialog').locator('input').fill('pedido');
      await page.locator('.search-hit mark').first().waitFor({ timeout: WAIT_MS });
      await screenshot(page, `look3-search-${name}`);
      await closeDialog(page);

      await page.locator('.bell-button').click();
      await page.locator('.bell-panel').waitFor({ timeout: WAIT_MS });
      await screenshot(page, `look3-bell-${name}`);
      await page.keyboard.press('Escape');

      await page.keyboard.press('Control+k');
      await page.getByRole('dialog').waitFor({ timeout: WAIT_MS });
      await screenshot(page, `look3-palette-${name}`);
      await closeDialog(page);

      await page.keyboard.press('?');
      await page.getByRole('dialog').waitFor({ timeout: WAIT_MS });
      await screenshot(page, `look3-shortcuts-${name}`);
      await closeDialog(page);

      await page.keyboard.press('Control+a');
      await page.getByTestId('bulk-bar').waitFor({ timeout: WAIT_MS });
      expect(await clipped(page, '.bulk-bar .button')).toEqual([]);
      await screenshot(page, `look3-bulk-${name}`);
      await page.keyboard.press('Escape');
      await page.getByTestId('bulk-bar').waitFor({ state: 'detached', timeout: WAIT_MS });

      // Rosa's earlier conversation above the new one: its newest messages, below a line with a way to open it.
      await page.locator('.tab[data-status="pending"]').click();
      await row(page, 'Rosa Antunes').click();
      await pane(page).locator('.bubble-body', { hasText: 'Voltei' }).waitFor({ timeout: WAIT_MS });
      const more = pane(page).locator('.history-more');
      await until(
        async () => {
          await pane(page)
            .locator('.messages')
            .evaluate((el) => (el.scrollTop = 0));
          return more.count();
        },
        (n) => n > 0,
        'the earlier conversation',
      );
      expect(await more.textContent()).toBe(c.earlierMore);
      expect(await clipped(page, '.history-more .link-button, .history-divider')).toEqual([]);
      await screenshot(page, `look3-earlier-${name}`);

      await page.keyboard.press('Shift+D');
      await page.getByTestId('admin').getByRole('heading', { name: c.admin }).waitFor({ timeout: WAIT_MS });
      for (const section of ['users', 'teams', 'inboxes', 'contactFields', 'closingCategories']) {
        await page.locator(`.admin-nav [data-section="${section}"]`).click();
        await page.locator('.admin-main .admin-card, .admin-main .admin-table').first().waitFor({ timeout: WAIT_MS });
        await screenshot(page, `look3-admin-${section}-${name}`);
      }
      await page.keyboard.press('Shift+D');
      await pane(page).waitFor({ timeout: WAIT_MS });
    },
  );
});
