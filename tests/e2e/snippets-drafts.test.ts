// End to end in Chromium through the headless host: snippets typed with "/" (filled with the contact's
// and the agent's names; a variable without a value is highlighted and blocks sending until filled),
// a personal snippet made from the user menu, and drafts that survive switching conversations and a
// restart of the client process. Screenshots of the "/" list and the managers in every language and theme.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startClientProcess, type ClientProcess } from '../support/client-process';
import { startServerProcess, type ServerProcess } from '../support/server-process';
import { openView, outgoing, pane, row, signIn, until, WAIT_MS } from './agent-ui';
import { openBrowser, screenshot, type Browser } from './chromium';
import { agentMessages, say, startChat } from './customer-page';

const composer = (page: Page) => pane(page).locator('textarea');
const snippetList = (page: Page) => page.locator('.snippet-list');
const selectedShortcut = (page: Page) => snippetList(page).locator('[aria-selected="true"]').getAttribute('data-shortcut');

describe('snippets and drafts', () => {
  let root: string;
  let server: ServerProcess;
  let ana: ClientProcess;
  const browsers: Browser[] = [];

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'bandeja-e2e-snippets-'));
    server = await startServerProcess({ demo: true, dataDir: join(root, 'server') });
    ana = await startClientProcess({ serverUrl: server.url, dataDir: join(root, 'ana') });
  });
  afterAll(async () => {
    for (const b of browsers) await b.close();
    await ana?.stop();
    await server?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it(
    'inserts snippets with "/", fills variables, blocks sending while one is unfilled, and uses a personal snippet',
    { timeout: 120_000 },
    async () => {
      const customer = await openBrowser();
      const ui = await openBrowser();
      browsers.push(customer, ui);
      const page = ui.page;
      await startChat(customer.page, server.url, 'Lucía Benítez');
      await say(customer.page, 'Hola, tengo una consulta sobre mi plan');
      await signIn(page, ana.url, 'ana@demo.test');
      await openView(page, 'unassigned');
      await row(page, 'Lucía Benítez').click();

      // "/" lists every snippet; arrows move the selection; typing filters (and the selection starts over).
      const box = composer(page);
      await box.click();
      await page.keyboard.type('/');
      await snippetList(page).waitFor({ timeout: WAIT_MS });
      const all = await snippetList(page)
        .locator('[role="option"]')
        .evaluateAll((els) => els.map((e) => e.getAttribute('data-shortcut')));
      expect(all).toEqual(expect.arrayContaining(['gracias', 'horario', 'plan', 'saludo']));
      expect(await selectedShortcut(page)).toBe(all[0]);
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('ArrowDown');
      expect(await selectedShortcut(page)).toBe(all[2]);
      await page.keyboard.press('ArrowUp');
      expect(await selectedShortcut(page)).toBe(all[1]);
      await page.keyboard.type('sal');
      await until(
        () => snippetList(page).locator('[role="option"]').count(),
        (n) => n === 1,
        'the list to narrow to /saludo',
      );
      expect(await selectedShortcut(page)).toBe('saludo');
      await page.keyboard.press('Enter');
      const greeting = 'Hola Lucía, soy Ana. ¿En qué puedo ayudarte?';
      expect(await box.inputValue()).toBe(greeting);
      expect(await snippetList(page).count()).toBe(0);
      await page.keyboard.press('Enter');
      await outgoing(page, greeting).waitFor({ timeout: WAIT_MS });
      await agentMessages(customer.page).filter({ hasText: greeting }).waitFor({ timeout: WAIT_MS });

      // Escape closes the list and leaves what was typed.
      await box.click();
      await page.keyboard.type('/hor');
      await snippetList(page).waitFor({ timeout: WAIT_MS });
      await page.keyboard.press('Escape');
      expect(await snippetList(page).count()).toBe(0);
      expect(await box.inputValue()).toBe('/hor');
      await box.fill('');

      // The contact has no Plan: the variable stays a placeholder, named under the box, and nothing is sent.
      await page.keyboard.type('/plan');
      await snippetList(page).waitFor({ timeout: WAIT_MS });
      await page.keyboard.press('Tab');
      expect(await box.inputValue()).toBe('Veo que tienes el plan {{contact.plan}}, Lucía. Te cuento qué incluye.');
      const unfilled = page.getByTestId('unfilled-variables');
      await unfilled.waitFor({ timeout: WAIT_MS });
      expect(await unfilled.getByRole('button').allTextContents()).toEqual(['{{contact.plan}}']);
      expect(await pane(page).getByText('Fill in the highlighted placeholders before sending.').count()).toBe(1);
      expect(await pane(page).getByRole('button', { name: 'Send' }).isDisabled()).toBe(true);
      await screenshot(page, 'snippets-unfilled-en-light');
      await page.keyboard.press('Enter');
      expect(await outgoing(page, 'Veo que tienes el plan').count()).toBe(0);
      // The placeholder was selected on insert (and Enter did not replace it): typing fills it.
      await unfilled.getByRole('button', { name: '{{contact.plan}}' }).click();
      await page.keyboard.type('Pro');
      const filled = 'Veo que tienes el plan Pro, Lucía. Te cuento qué incluye.';
      expect(await box.inputValue()).toBe(filled);
      expect(await unfilled.count()).toBe(0);
      await page.keyboard.press('Enter');
      await outgoing(page, filled).waitFor({ timeout: WAIT_MS });
      await agentMessages(customer.page).filter({ hasText: filled }).waitFor({ timeout: WAIT_MS });

      // A personal snippet, made from the user menu, then used.
      await page.locator('.user-button').click();
      await page.getByRole('button', { name: 'My snippets' }).click();
      const dialog = page.getByRole('dialog', { name: 'My snippets' });
      await dialog.getByRole('button', { name: 'New snippet' }).click();
      await dialog.getByLabel('Title').fill('Despedida');
      await dialog.getByLabel('Shortcut').fill('chau');
      await dialog.getByLabel('Text').fill('Chau ');
      await dialog.getByRole('button', { name: '{{contact.first_name}}' }).click();
      await dialog.getByLabel('Text').press('End');
      await page.keyboard.type(', ¡buen día!');
      await dialog.getByRole('button', { name: 'Save' }).click();
      await dialog.locator('.snippet-row[data-shortcut="chau"]').waitFor({ timeout: WAIT_MS });
      await screenshot(page, 'snippets-manager-after-save');
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached', timeout: WAIT_MS });
      await box.click();
      await page.keyboard.type('/chau');
      await snippetList(page).locator('[data-shortcut="chau"]').waitFor({ timeout: WAIT_MS });
      await page.keyboard.press('Enter');
      expect(await box.inputValue()).toBe('Chau Lucía, ¡buen día!');
      await page.keyboard.press('Enter');
      await agentMessages(customer.page).filter({ hasText: 'Chau Lucía, ¡buen día!' }).waitFor({ timeout: WAIT_MS });
      // The server holds it as Ana's own.
      await ana.ipc.until('snippet.list', {}, (l) => l.some((s) => s.shortcut === 'chau' && s.ownerId === 'user-ana' && s.version > 0));
    },
  );

  it('keeps a draft across switching conversations and a restart of the client process', { timeout: 120_000 }, async () => {
    const first = await openBrowser();
    const second = await openBrowser();
    const ui = await openBrowser();
    browsers.push(first, second, ui);
    await startChat(first.page, server.url, 'Ramiro Paz');
    await say(first.page, 'Buenas, ¿hacen envíos?');
    await startChat(second.page, server.url, 'Sara Molina');
    await say(second.page, '¿Tienen stock?');
    const page = ui.page;
    await page.goto(ana.url);
    await page.locator('.sidebar').waitFor({ timeout: WAIT_MS });
    await openView(page, 'unassigned');
    await row(page, 'Ramiro Paz').click();
    const draft = 'Hola Ramiro, sí hacemos envíos a todo el país; te paso';
    await composer(page).click();
    await page.keyboard.type(draft);
    await row(page, 'Sara Molina').click();
    await until(
      () => composer(page).inputValue(),
      (v) => v === '',
      'an empty box in the other conversation',
    );
    await composer(page).click();
    await page.keyboard.type('Hola Sara');
    await row(page, 'Ramiro Paz').click();
    await until(
      () => composer(page).inputValue(),
      (v) => v === draft,
      'the draft back after switching',
    );

    // Both drafts are in the mirror (not only in the page), so a restart keeps them.
    const ramiro = (await ana.ipc.ok('inbox.list', { view: { kind: 'unassigned' }, status: 'open' })).find(
      (c) => c.contactName === 'Ramiro Paz',
    )!;
    await ana.ipc.until('draft.get', { conversationId: ramiro.id }, (d) => d.body === draft);
    await ana.restart();
    // A fresh page: nothing of the old one's memory.
    await page.goto(ana.url);
    await page.locator('.sidebar').waitFor({ timeout: WAIT_MS });
    await openView(page, 'unassigned');
    await row(page, 'Ramiro Paz').click();
    await until(
      () => composer(page).inputValue(),
      (v) => v === draft,
      'the draft after a restart',
    );
    await row(page, 'Sara Molina').click();
    await until(
      () => composer(page).inputValue(),
      (v) => v === 'Hola Sara',
      'the other draft after a restart',
    );

    // Sending clears the draft in the mirror too: after another restart the box is empty.
    await row(page, 'Ramiro Paz').click();
    await until(
      () => composer(page).inputValue(),
      (v) => v === draft,
      'the draft',
    );
    await composer(page).click();
    await page.keyboard.type(' el catálogo.');
    await page.keyboard.press('Enter');
    await outgoing(page, `${draft} el catálogo.`).waitFor({ timeout: WAIT_MS });
    await ana.ipc.until('draft.get', { conversationId: ramiro.id }, (d) => d.body === '');
    await ana.restart();
    await page.goto(ana.url);
    await page.locator('.sidebar').waitFor({ timeout: WAIT_MS });
    await openView(page, 'mine');
    await row(page, 'Ramiro Paz').click();
    await pane(page).locator('.message-out').first().waitFor({ timeout: WAIT_MS });
    expect(await composer(page).inputValue()).toBe('');
  });

  it('looks right in every language and theme: the "/" list and the snippet managers', { timeout: 180_000 }, async () => {
    const CASES = [
      { lang: 'en', locale: 'en-US', menu: 'My snippets' },
      { lang: 'es', locale: 'es-ES', menu: 'Mis respuestas rápidas' },
      { lang: 'pt-BR', locale: 'pt-BR', menu: 'Minhas respostas rápidas' },
    ] as const;
    for (const c of CASES)
      for (const theme of ['light', 'dark'] as const) {
        const b = await openBrowser({ locale: c.locale, colorScheme: theme });
        browsers.push(b);
        const page = b.page;
        await page.setViewportSize({ width: 1024, height: 720 });
        await page.goto(ana.url);
        await page.locator('.sidebar').waitFor({ timeout: WAIT_MS });
        await openView(page, 'mine');
        await row(page, 'Lucía Benítez').click();
        await composer(page).click();
        await page.keyboard.type('/');
        await snippetList(page).waitFor({ timeout: WAIT_MS });
        await screenshot(page, `snippets-list-${c.lang}-${theme}`);
        await page.keyboard.type('plan');
        await page.keyboard.press('Enter');
        await page.getByTestId('unfilled-variables').waitFor({ timeout: WAIT_MS });
        await screenshot(page, `snippets-unfilled-${c.lang}-${theme}`);
        await composer(page).fill('');
        await page.locator('.user-button').click();
        await page.getByRole('button', { name: c.menu }).click();
        const dialog = page.getByRole('dialog', { name: c.menu });
        await dialog.locator('.snippet-row').first().waitFor({ timeout: WAIT_MS });
        await dialog.locator('.snippet-row .button').first().click();
        await dialog.locator('.snippet-form').waitFor({ timeout: WAIT_MS });
        await screenshot(page, `snippets-manager-${c.lang}-${theme}`);
        await b.close();
      }

    // The shared snippets in the admin screen.
    const adminClient = await startClientProcess({ serverUrl: server.url, dataDir: join(root, 'admin') });
    try {
      const b = await openBrowser({ locale: 'es-ES', colorScheme: 'dark' });
      browsers.push(b);
      await adminClient.ipc.ok('session.login', { serverUrl: server.url, email: 'admin@demo.test', password: 'demo1234' });
      await b.page.goto(adminClient.url);
      await b.page.locator('.sidebar').waitFor({ timeout: WAIT_MS });
      await b.page.locator('.user-button').click();
      await b.page.locator('.menu-link').first().click();
      await b.page.locator('[data-section="snippets"]').click();
      const shared = b.page.getByTestId('shared-snippets');
      await shared.locator('.snippet-row[data-shortcut="saludo"]').waitFor({ timeout: WAIT_MS });
      await shared.locator('.snippet-row[data-shortcut="saludo"] .button').first().click();
      await screenshot(b.page, 'snippets-admin-es-dark');
    } finally {
      await adminClient.stop();
    }
  });
});
