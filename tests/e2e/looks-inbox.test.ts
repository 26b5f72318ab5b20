// The complete inbox's screens in each language and theme, for a person to look at: contact panel,
// close / transfer / tag / saved-view dialogs, note mode with the @ list, search, the bell, the
// palette and the shortcut sheet, the bulk bar, and the admin screens — with the checks a person
// would make: their language, and labels not cut off at 1024 px.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startClientProcess, type ClientProcess } from '../support/client-process';
import { startServerProcess, type ServerProcess } from '../support/server-process';
import { pane, row, WAIT_MS } from './agent-ui';
import { openBrowser, screenshot, type Browser } from './chromium';
import { say, startChat } from './customer-page';

const CASES = [
  {
    lang: 'en',
    locale: 'en-US',
    close: 'Close conversation',
    transfer: 'Transfer',
    admin: 'Administration',
    note: 'Only your team sees this',
  },
  {
    lang: 'es',
    locale: 'es-ES',
    close: 'Cerrar conversación',
    transfer: 'Transferir',
    admin: 'Administración',
    note: 'Solo tu equipo lo ve',
  },
  {
    lang: 'pt-BR',
    locale: 'pt-BR',
    close: 'Encerrar conversa',
    transfer: 'Transferir',
    admin: 'Administração',
    note: 'Só sua equipe vê isto',
  },
] as const;
const THEMES = ['light', 'dark'] as const;
const NAME = 'Maria Aparecida dos Santos Oliveira';

async function clipped(page: Page, selector: string): Promise<string[]> {
  return page.$$eval(selector, (els) =>
    els.filter((el) => el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1).map((el) => el.textContent ?? ''),
  );
}

async function closeDialog(page: Page): Promise<void> {
  await page.keyboard.press('Escape');
  await page.getByRole('dialog').waitFor({ state: 'detached', timeout: WAIT_MS });
}

describe('looks of the complete inbox', () => {
  let server: ServerProcess;
  let admin: ClientProcess;
  const browsers: Browser[] = [];

  beforeAll(async () => {
    server = await startServerProcess({ demo: true });
    admin = await startClientProcess({ serverUrl: server.url });
    await admin.ipc.ok('session.login', { serverUrl: server.url, email: 'admin@demo.test', password: 'demo1234' });
    const customer = await openBrowser();
    browsers.push(customer);
    await startChat(customer.page, server.url, NAME);
    await say(customer.page, 'Olá! Meu pedido ainda não chegou e já se passaram dez dias úteis desde a compra.');
  }, 120_000);
  afterAll(async () => {
    for (const b of browsers) await b.close();
    await admin?.stop();
    await server?.kill();
  });

  for (const c of CASES)
    for (const theme of THEMES)
      it(`${c.lang} ${theme}`, { timeout: 120_000 }, async () => {
        const b = await openBrowser({ locale: c.locale, colorScheme: theme });
        browsers.push(b);
        const page = b.page;
        const name = `${c.lang}-${theme}`;
        await page.setViewportSize({ width: 1024, height: 720 });
        await page.goto(admin.url);
        await page.locator('.view-item[data-view="unassigned"]').click();
        await row(page, 'Maria Aparecida').click();
        await pane(page).locator('.message-in').first().waitFor({ timeout: WAIT_MS });
        expect(await page.locator('html').getAttribute('lang')).toBe(c.lang);
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

        await page.keyboard.press('Shift+D');
        await page.getByTestId('admin').getByRole('heading', { name: c.admin }).waitFor({ timeout: WAIT_MS });
        for (const section of ['users', 'teams', 'inboxes', 'contactFields', 'closingCategories']) {
          await page.locator(`.admin-nav [data-section="${section}"]`).click();
          await page.locator('.admin-main .admin-card, .admin-main .admin-table').first().waitFor({ timeout: WAIT_MS });
          await screenshot(page, `look3-admin-${section}-${name}`);
        }
        await page.keyboard.press('Shift+D');
        await pane(page).waitFor({ timeout: WAIT_MS });
      });
});
