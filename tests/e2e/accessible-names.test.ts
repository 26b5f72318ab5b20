// Every control has an accessible name: a screen-reader user (and anyone driving the app by voice)
// can reach each one. Read from Chromium's own accessibility tree, in every language, on each screen.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startClientProcess, type ClientProcess } from '../support/client-process';
import { startServerProcess, type ServerProcess } from '../support/server-process';
import { WebchatCustomer } from '../support/webchat-customer';
import { pane, row, signIn, WAIT_MS } from './agent-ui';
import { openBrowser, type Browser } from './chromium';

const INTERACTIVE = new Set([
  'button',
  'link',
  'textbox',
  'searchbox',
  'combobox',
  'listbox',
  'checkbox',
  'radio',
  'switch',
  'tab',
  'menuitem',
  'menuitemcheckbox',
  'menuitemradio',
  'option',
  'slider',
  'spinbutton',
]);

interface AXNode {
  ignored?: boolean;
  role?: { value?: string };
  name?: { value?: string };
  backendDOMNodeId?: number;
}

/** Controls Chromium exposes with an empty accessible name, described by their outer HTML. */
async function unnamedControls(page: Page): Promise<string[]> {
  const cdp = await page.context().newCDPSession(page);
  try {
    const { nodes } = (await cdp.send('Accessibility.getFullAXTree')) as { nodes: AXNode[] };
    const unnamed: string[] = [];
    for (const node of nodes) {
      const role = node.role?.value ?? '';
      if (node.ignored || !INTERACTIVE.has(role) || (node.name?.value ?? '').trim() !== '') continue;
      let html = `<${role}>`;
      if (node.backendDOMNodeId !== undefined) {
        const { outerHTML } = (await cdp.send('DOM.getOuterHTML', { backendNodeId: node.backendDOMNodeId })) as { outerHTML: string };
        html = outerHTML.slice(0, 160);
      }
      unnamed.push(`${role}: ${html}`);
    }
    return unnamed;
  } finally {
    await cdp.detach();
  }
}

describe('accessible names', () => {
  let root: string;
  let server: ServerProcess;
  let customer: WebchatCustomer;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'bandeja-a11y-'));
    server = await startServerProcess({ demo: true, dataDir: join(root, 'server') });
    customer = await WebchatCustomer.join(server.url, 'demo', 'Lucía Benítez');
    await customer.say('¿Tienen envíos a Córdoba?');
  });

  afterAll(async () => {
    customer?.close();
    await server?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('catches a control without a name (so the checks below can fail)', async () => {
    const browser = await openBrowser();
    try {
      await browser.page.setContent('<button><svg width="8" height="8"></svg></button><input type="text"><button>Send</button>');
      const unnamed = await unnamedControls(browser.page);
      expect(unnamed).toHaveLength(2);
      expect(unnamed[0]).toMatch(/^button: <button>/);
    } finally {
      await browser.close();
    }
  });

  for (const locale of ['en-US', 'es-ES', 'pt-BR']) {
    it(`names every control on the login, inbox, conversation and menu screens (${locale})`, async () => {
      // A client of its own per language: a signed-in session would skip the login screen.
      const client: ClientProcess = await startClientProcess({ serverUrl: server.url, dataDir: join(root, `ana-${locale}`) });
      const browser: Browser = await openBrowser({ locale });
      try {
        const { page } = browser;
        await page.goto(client.url);
        await page.locator('form').first().waitFor({ timeout: WAIT_MS });
        expect(await unnamedControls(page), 'login').toEqual([]);

        // Sign in through the English helper's labels only when the UI is English; otherwise by field type.
        if (locale === 'en-US') await signIn(page, client.url, 'ana@demo.test');
        else {
          await page.locator('input[type="email"]').fill('ana@demo.test');
          await page.locator('input[type="password"]').fill('demo1234');
          await page.locator('button[type="submit"]').click();
          await page.locator('.sidebar').waitFor({ timeout: WAIT_MS });
        }
        await page.locator('.view-item[data-view="unassigned"]').click();
        await row(page, 'Lucía Benítez').waitFor({ timeout: WAIT_MS });
        expect(await unnamedControls(page), 'inbox').toEqual([]);

        await row(page, 'Lucía Benítez').click();
        await pane(page).locator('textarea').waitFor({ timeout: WAIT_MS });
        expect(await unnamedControls(page), 'conversation').toEqual([]);

        await page.locator('.user-menu > button').last().click();
        await page.locator('.menu-panel').waitFor({ timeout: WAIT_MS });
        expect(await unnamedControls(page), 'user menu').toEqual([]);
      } finally {
        await browser.close();
        await client.stop();
      }
    });
  }
});
