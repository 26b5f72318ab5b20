// End to end, the complete inbox in Chromium through real headless hosts and a real server: views by
// role, an internal note with an @mention (Bruno's bell, opened at the note; the customer never
// sees it), assign (keyboard), tag, transfer to Bruno (he gets it in Mine), close with note and category, a new customer
// message after the close (a new pending conversation with the earlier history above it), search
// with and without accents opening the conversation at the message, the command palette and `?`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startClientProcess, type ClientProcess } from '../support/client-process';
import { startServerProcess, type ServerProcess } from '../support/server-process';
import { openView, pane, row, signIn, until, WAIT_MS } from './agent-ui';
import { openBrowser, screenshot, type Browser } from './chromium';
import { agentMessages, say, startChat } from './customer-page';

const CUSTOMER = 'Lucía Benítez';
const FIRST = 'Necesito información sobre mi factura de octubre';

function viewNames(page: Page): Promise<string[]> {
  return page.locator('.view-item').evaluateAll((els) => els.map((el) => el.getAttribute('data-view') ?? ''));
}

describe('complete inbox', () => {
  let root: string;
  let server: ServerProcess;
  const clients: ClientProcess[] = [];
  const browsers: Browser[] = [];
  let ana: Page;
  let bruno: Page;
  let sofia: Page;
  let customer: Page;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'bandeja-e2e-inbox-'));
    server = await startServerProcess({ demo: true, dataDir: join(root, 'server') });
    const pages: Page[] = [];
    for (const [who, email] of [
      ['ana', 'ana@demo.test'],
      ['bruno', 'bruno@demo.test'],
      ['sofia', 'sofia@demo.test'],
    ] as const) {
      const client = await startClientProcess({ serverUrl: server.url, dataDir: join(root, who) });
      clients.push(client);
      const b = await openBrowser();
      browsers.push(b);
      await signIn(b.page, client.url, email);
      pages.push(b.page);
    }
    [ana, bruno, sofia] = pages as [Page, Page, Page];
    const c = await openBrowser();
    browsers.push(c);
    customer = c.page;
  }, 120_000);

  afterAll(async () => {
    for (const b of browsers) await b.close();
    for (const c of clients) await c.stop();
    await server?.kill();
    rmSync(root, { recursive: true, force: true });
  });

  it('shows All and Teammates to a supervisor (Sofía) and not to an agent (Ana); team queues by team', async () => {
    await until(
      () => viewNames(sofia),
      (v) => v.includes('team:team-ventas'),
      'Sofía to see every team queue',
    );
    expect(await viewNames(sofia)).toEqual(
      expect.arrayContaining(['mine', 'unassigned', 'all', 'teammates', 'team:team-soporte', 'team:team-ventas']),
    );
    await until(
      () => viewNames(ana),
      (v) => v.includes('team:team-soporte'),
      'Ana to see her team queue',
    );
    const anaViews = await viewNames(ana);
    expect(anaViews).toContain('mine');
    expect(anaViews).toContain('unassigned');
    expect(anaViews).not.toContain('all');
    expect(anaViews).not.toContain('teammates');
    // Ana is only in Soporte: the Ventas queue is not hers.
    expect(anaViews).not.toContain('team:team-ventas');
    await screenshot(sofia, 'inbox-sofia-views');
    await screenshot(ana, 'inbox-ana-views');
  });

  it('assigns, tags, notes with a mention, transfers, closes, and a new message reopens with the earlier history', async () => {
    await startChat(customer, server.url, CUSTOMER);
    await say(customer, FIRST);

    // Ana opens it from the queue.
    await openView(ana, 'unassigned');
    await row(ana, CUSTOMER).click();
    await pane(ana).locator('.message-in', { hasText: FIRST }).waitFor({ timeout: WAIT_MS });

    // An internal note mentioning Bruno, picked from the @ list with the keyboard, while the conversation is
    // in Soporte's queue: the @ list offers only people who may see it.
    await ana.keyboard.press('n');
    const box = pane(ana).locator('textarea');
    expect(await pane(ana).locator('.note-privacy').textContent()).toBe('Only your team sees this');
    await box.pressSequentially('Bruno, revisa esto @Bru');
    await pane(ana).getByRole('option', { name: /Bruno/ }).waitFor({ timeout: WAIT_MS });
    await screenshot(ana, 'flow-mention-list');
    await box.press('Enter');
    expect(await box.inputValue()).toBe('Bruno, revisa esto @Bruno ');
    await box.pressSequentially('por favor');
    await box.press('Enter');
    const note = pane(ana).locator('.message-note', { hasText: 'revisa esto' });
    await note.waitFor({ timeout: WAIT_MS });
    expect(await note.locator('.mention').textContent()).toBe('@Bruno');
    expect(await note.locator('.note-label').textContent()).toBe('Internal note');
    // Bruno's bell counts the mention.
    await until(
      () =>
        bruno
          .getByTestId('bell-count')
          .textContent()
          .catch(() => null),
      (t) => t === '1',
      "Bruno's bell to show 1",
    );
    // Bruno opens the mention from the bell: the conversation, at the note, highlighted.
    await bruno.getByRole('button', { name: /Notifications, 1 unread/ }).click();
    await screenshot(bruno, 'flow-bell-open');
    await bruno.locator('.bell-item', { hasText: 'Ana mentioned you' }).click();
    await pane(bruno).locator('.message-focused', { hasText: 'revisa esto' }).waitFor({ timeout: WAIT_MS });
    await bruno.getByTestId('bell-count').waitFor({ state: 'detached', timeout: WAIT_MS });
    await ana.keyboard.press('Escape');

    // Ana takes it with the keyboard: `a`.
    await ana.keyboard.press('a');
    await until(
      () => pane(ana).getByTestId('assignee').textContent(),
      (t) => t === 'Ana',
      'Ana to be the assignee',
    );
    await pane(ana).locator('.event-line', { hasText: 'Assigned to Ana by Ana' }).waitFor({ timeout: WAIT_MS });

    // Tag with `l`: the dialog adds it; the header and an event line show it.
    await ana.keyboard.press('l');
    const tagBox = ana.getByRole('combobox', { name: 'Add a tag' });
    await tagBox.fill('facturación');
    await tagBox.press('Enter');
    await ana.getByRole('dialog').locator('.tag', { hasText: 'facturación' }).waitFor({ timeout: WAIT_MS });
    await screenshot(ana, 'flow-tag-dialog');
    await tagBox.press('Escape');
    await pane(ana).getByTestId('tags').locator('.tag', { hasText: 'facturación' }).waitFor({ timeout: WAIT_MS });
    await pane(ana).locator('.event-line', { hasText: 'Ana tagged it “facturación”' }).waitFor({ timeout: WAIT_MS });

    // A reply after the note: when the customer has it, the note would have arrived too — and did not.
    await ana.keyboard.press('Escape');
    await ana.keyboard.press('r');
    await box.fill('Hola Lucía, ya lo reviso.');
    await box.press('Enter');
    await agentMessages(customer).filter({ hasText: 'Hola Lucía, ya lo reviso.' }).waitFor({ timeout: WAIT_MS });
    expect(await agentMessages(customer).locator('.body').allTextContents()).toEqual(['Hola Lucía, ya lo reviso.']);
    expect(await customer.locator('body').textContent()).not.toContain('revisa esto');
    await screenshot(ana, 'flow-note-and-reply');

    // Transfer to Bruno with `t`: he is shown online; Ana loses the conversation, Bruno gets it in Mine.
    await pane(ana).locator('.messages').click();
    await ana.keyboard.press('t');
    const picker = ana.getByRole('combobox', { name: 'Transfer to a person or team' });
    await picker.fill('Bru');
    const brunoOption = ana.getByRole('option', { name: /Bruno/ });
    await until(
      () => brunoOption.locator('.presence').getAttribute('class'),
      (c) => c?.includes('presence-online') ?? false,
      'Bruno shown online',
    );
    await screenshot(ana, 'flow-transfer-picker');
    await picker.press('Enter');
    await openView(ana, 'mine');
    await row(ana, CUSTOMER).waitFor({ state: 'detached', timeout: WAIT_MS });
    await openView(bruno, 'mine');
    await row(bruno, CUSTOMER).waitFor({ timeout: WAIT_MS });

    await row(bruno, CUSTOMER).click();
    await pane(bruno).locator('.event-line', { hasText: 'Transferred to Bruno by Ana' }).waitFor({ timeout: WAIT_MS });

    // Close with `c`: category and note, shown in the event line.
    await pane(bruno).locator('.messages').click();
    await bruno.keyboard.press('c');
    const dialog = bruno.getByRole('dialog', { name: 'Close conversation' });
    await dialog.getByLabel('Closing category').selectOption({ label: 'Resuelto' });
    await dialog.getByLabel('Closing note (optional)').fill('Factura reenviada por correo');
    await screenshot(bruno, 'flow-close-dialog');
    await dialog.getByRole('button', { name: 'Close conversation' }).click();
    const closedLine = pane(bruno).locator('.event-line', { hasText: 'Closed by Bruno' });
    await closedLine.waitFor({ timeout: WAIT_MS });
    expect(await closedLine.locator('.event-detail').textContent()).toBe('Category: Resuelto');
    expect(await closedLine.locator('.event-note').textContent()).toBe('Factura reenviada por correo');
    expect(await pane(bruno).locator('.status-pill').first().textContent()).toBe('Closed');

    // The customer writes again: a new pending conversation, the earlier one shown above it.
    await say(customer, 'Perdón, una pregunta más');
    await openView(bruno, 'unassigned');
    await bruno.locator('.tab[data-status="pending"]').click();
    await row(bruno, CUSTOMER).click();
    await pane(bruno).locator('.message-in', { hasText: 'una pregunta más' }).waitFor({ timeout: WAIT_MS });
    await pane(bruno).locator('.history-divider', { hasText: 'Earlier conversation' }).first().waitFor({ timeout: WAIT_MS });
    const timeline = await pane(bruno)
      .locator('.message-list > li.message, .message-list > li.history-divider')
      .evaluateAll((els) =>
        els.map((el) => (el.classList.contains('history-divider') ? '---' : (el.querySelector('.bubble-body')?.textContent ?? ''))),
      );
    expect(timeline.indexOf(FIRST)).toBeGreaterThanOrEqual(0);
    expect(timeline.indexOf(FIRST)).toBeLessThan(timeline.indexOf('Perdón, una pregunta más'));
    expect(timeline.lastIndexOf('---')).toBeLessThan(timeline.indexOf('Perdón, una pregunta más'));
    expect(await pane(bruno).locator('.status-pill').first().textContent()).toBe('Pending');
    await screenshot(bruno, 'flow-earlier-history');

    // Search without the accent finds the accented word, highlighted; Enter opens it at the message.
    await pane(bruno).locator('.messages').click();
    await bruno.keyboard.press('Control+f');
    const search = bruno.getByRole('combobox', { name: 'Search contacts and messages' });
    await search.fill('informacion');
    const hit = bruno.locator('.search-group[data-group="messages"] .search-hit').first();
    await hit.waitFor({ timeout: WAIT_MS });
    expect(await hit.locator('mark').first().textContent()).toBe('información');
    await screenshot(bruno, 'flow-search');
    await search.press('Enter');
    await pane(bruno).locator('.message-focused', { hasText: FIRST }).waitFor({ timeout: WAIT_MS });
    // And with the accent, and by the contact's name without it.
    await bruno.keyboard.press('/');
    await search.fill('factura información');
    await bruno.locator('.search-group[data-group="messages"] .search-hit', { hasText: 'octubre' }).waitFor({ timeout: WAIT_MS });
    await search.fill('lucia');
    await bruno.locator('.search-group[data-group="contacts"] .search-hit', { hasText: CUSTOMER }).waitFor({ timeout: WAIT_MS });
    await search.press('Escape');
    await until(
      () => bruno.getByRole('combobox', { name: 'Search contacts and messages' }).count(),
      (n) => n === 0,
      'search to close',
    );
  });

  it('opens the command palette with Ctrl+K and the shortcut sheet with ?', async () => {
    await sofia.locator('.messages, .pane-empty').first().click();
    await sofia.keyboard.press('Control+k');
    const palette = sofia.getByRole('combobox', { name: 'Commands' });
    await palette.fill('tems');
    // Fuzzy: "tems" finds "Go to Teammates".
    await sofia.getByRole('option', { name: /Go to Teammates/ }).waitFor({ timeout: WAIT_MS });
    await screenshot(sofia, 'flow-palette');
    await palette.press('Enter');
    await until(
      () => sofia.locator('.view-item[aria-current="page"]').getAttribute('data-view'),
      (v) => v === 'teammates',
      'Teammates to open',
    );

    await sofia.keyboard.press('?');
    const sheet = sofia.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await sheet.waitFor({ timeout: WAIT_MS });
    for (const id of [
      'assignToMe',
      'transfer',
      'close',
      'reopen',
      'noteMode',
      'replyMode',
      'tag',
      'markUnread',
      'toggleSelect',
      'palette',
      'search',
    ])
      expect(await sheet.locator(`.sheet-row[data-command="${id}"] kbd`).count(), id).toBeGreaterThan(0);
    await screenshot(sofia, 'flow-shortcut-sheet');
    await sofia.keyboard.press('Escape');
    await sheet.waitFor({ state: 'detached', timeout: WAIT_MS });
    // Typing in a field does not trigger single-key shortcuts.
    await sofia.keyboard.press('/');
    await sofia.keyboard.type('?');
    expect(await sofia.getByRole('dialog', { name: 'Keyboard shortcuts' }).count()).toBe(0);
  });
});
