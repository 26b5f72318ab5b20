// The UI in each language and theme, against the real stack: screenshots of login, inbox,
// conversation and offline banner for a person to look at, plus the checks a person would make:
// the text is in their language, and labels are not cut off at the narrowest supported width.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startClientProcess, type ClientProcess } from '../support/client-process';
import { startServerProcess, type ServerProcess } from '../support/server-process';
import { openView, pane, reply, row, WAIT_MS } from './agent-ui';
import { openBrowser, screenshot, type Browser } from './chromium';
import { clipped, THEMES } from './looks';
import { say, startChat } from './customer-page';

const CASES = [
  { lang: 'en', locale: 'en-US', login: 'Sign in to Bandeja', mine: 'Mine', unassigned: 'Unassigned', offline: 'Offline' },
  { lang: 'es', locale: 'es-ES', login: 'Iniciar sesión en Bandeja', mine: 'Mío', unassigned: 'Sin asignar', offline: 'Sin conexión' },
  { lang: 'pt-BR', locale: 'pt-BR', login: 'Entrar no Bandeja', mine: 'Minhas', unassigned: 'Não atribuídas', offline: 'Offline' },
] as const;

describe('looks', () => {
  let server: ServerProcess;
  let ana: ClientProcess;
  const browsers: Browser[] = [];

  beforeAll(async () => {
    server = await startServerProcess({ demo: true });
    ana = await startClientProcess({ serverUrl: server.url });
  });
  afterAll(async () => {
    for (const b of browsers) await b.close();
    await ana?.stop();
    await server?.kill();
  });

  it('speaks the system language, in light and dark, at 1024 px, online and offline', { timeout: 180_000 }, async () => {
    const pages: { page: Page; name: string; c: (typeof CASES)[number] }[] = [];
    for (const c of CASES)
      for (const theme of THEMES) {
        const b = await openBrowser({ locale: c.locale, colorScheme: theme });
        browsers.push(b);
        await b.page.setViewportSize({ width: 1024, height: 720 });
        pages.push({ page: b.page, name: `${c.lang}-${theme}`, c });
      }

    for (const { page, name, c } of pages) {
      await page.goto(ana.url);
      await page.getByRole('heading', { name: c.login }).waitFor({ timeout: WAIT_MS });
      expect(await page.locator('html').getAttribute('lang')).toBe(c.lang);
      await screenshot(page, `look-login-${name}`);
    }

    // Sign in once (the session lives in the client process), and give Ana a conversation.
    await ana.ipc.ok('session.login', { serverUrl: server.url, email: 'ana@demo.test', password: 'demo1234' });
    const customer = await openBrowser();
    browsers.push(customer);
    await startChat(customer.page, server.url, 'Maria Aparecida dos Santos Oliveira');
    await say(customer.page, 'Olá! Meu pedido ainda não chegou e já se passaram dez dias úteis desde a compra.');

    for (const { page, name, c } of pages) {
      await page.reload();
      await page.locator(`.view-item[data-view="unassigned"]`, { hasText: c.unassigned }).click();
      await row(page, 'Maria Aparecida').click();
      await pane(page).locator('.message-in').first().waitFor({ timeout: WAIT_MS });
      expect(await page.locator('.view-item[data-view="mine"] .view-name').textContent()).toBe(c.mine);
      expect(await clipped(page, '.tab > span:first-child, .view-name, .pane-actions .button, .composer-hint')).toEqual([]);
      await screenshot(page, `look-inbox-${name}`);
    }
    const first = pages[0]!.page;
    await reply(first, 'Hi Maria, let me check that for you.');

    await server.kill();
    for (const { page, name, c } of pages) {
      await openView(page, 'mine');
      await row(page, 'Maria Aparecida').click();
      const banner = page.getByTestId('offline-banner');
      await banner.waitFor({ timeout: WAIT_MS });
      expect(await banner.textContent()).toContain(c.offline);
      await screenshot(page, `look-offline-${name}`);
    }
  });

  it('switches language and theme from the user menu', async () => {
    const b = await openBrowser({ locale: 'en-US' });
    browsers.push(b);
    await b.page.goto(ana.url);
    await b.page.getByRole('button', { name: /Account and settings for Ana/ }).click();
    await b.page.getByRole('radio', { name: 'Español' }).check();
    await b.page.locator('.view-item[data-view="mine"]', { hasText: 'Mío' }).waitFor({ timeout: WAIT_MS });
    await b.page.getByRole('radio', { name: 'Oscuro' }).check();
    expect(await b.page.locator('html').getAttribute('data-theme')).toBe('dark');
    await screenshot(b.page, 'look-menu-es-dark');
    // The choice is this device's: it survives a reload.
    await b.page.reload();
    await b.page.locator('.view-item[data-view="mine"]', { hasText: 'Mío' }).waitFor({ timeout: WAIT_MS });
    expect(await b.page.locator('html').getAttribute('data-theme')).toBe('dark');
  });
});
