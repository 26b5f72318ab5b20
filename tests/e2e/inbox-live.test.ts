// End to end: a customer writes on the webchat page; Ana's and Bruno's Bandeja (real headless
// hosts, real server, Debian Chromium) show it live; Ana replies and takes it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startClientProcess, type ClientProcess } from '../support/client-process';
import { startServerProcess, type ServerProcess } from '../support/server-process';
import { openView, outgoing, pane, reply, row, signIn, until, WAIT_MS } from './agent-ui';
import { openBrowser, screenshot, type Browser } from './chromium';
import { agentMessages, say, startChat } from './customer-page';

describe('live inbox', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  let root: string;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'bandeja-e2e-'));
    cleanups.push(() => rmSync(root, { recursive: true, force: true }));
  });
  afterEach(async () => {
    for (const clean of cleanups.splice(0).reverse()) await clean();
  });

  async function track<T extends { stop(): Promise<void> } | Browser>(thing: T): Promise<T> {
    cleanups.push(() => ('close' in thing ? thing.close() : thing.stop()));
    return thing;
  }

  it('shows a new webchat conversation to Ana and Bruno; Ana replies, takes it, and the customer sees the reply', async () => {
    const server: ServerProcess = await track(await startServerProcess({ demo: true, dataDir: join(root, 'server') }));
    const ana: ClientProcess = await track(await startClientProcess({ serverUrl: server.url, dataDir: join(root, 'ana') }));
    const bruno: ClientProcess = await track(await startClientProcess({ serverUrl: server.url, dataDir: join(root, 'bruno') }));

    const anaUi = await track(await openBrowser());
    const brunoUi = await track(await openBrowser());
    const customer = await track(await openBrowser());

    await signIn(anaUi.page, ana.url, 'ana@demo.test');
    await signIn(brunoUi.page, bruno.url, 'bruno@demo.test');
    await openView(anaUi.page, 'unassigned');
    await openView(brunoUi.page, 'unassigned');
    await screenshot(anaUi.page, 'live-1-ana-inbox-before');

    await startChat(customer.page, server.url, 'Carla Customer');
    await say(customer.page, 'Hello, my order #123 has not arrived');
    await screenshot(customer.page, 'live-2-customer-wrote');

    for (const ui of [anaUi, brunoUi]) {
      const r = row(ui.page, 'Carla Customer');
      await r.waitFor({ timeout: WAIT_MS });
      expect(await r.locator('.row-preview').textContent()).toContain('Hello, my order #123 has not arrived');
      expect(await r.locator('.badge').textContent()).toBe('1');
      expect(await r.locator('.row-assignee').textContent()).toBe('Unassigned');
    }
    await screenshot(anaUi.page, 'live-3-ana-unassigned');
    await screenshot(brunoUi.page, 'live-3-bruno-unassigned');

    await row(anaUi.page, 'Carla Customer').click();
    await pane(anaUi.page).locator('.message-in', { hasText: 'Hello, my order #123 has not arrived' }).waitFor({ timeout: WAIT_MS });
    await reply(anaUi.page, 'Hi Carla, I am checking your order now.');

    // The reply took the conversation: it left Unassigned and is in Mine, with an event line.
    await row(anaUi.page, 'Carla Customer').waitFor({ state: 'detached', timeout: WAIT_MS });
    await openView(anaUi.page, 'mine');
    await row(anaUi.page, 'Carla Customer').click();
    const eventLine = pane(anaUi.page).locator('.event-line', { hasText: 'Assigned to Ana' });
    await eventLine.waitFor({ timeout: WAIT_MS });
    expect(await pane(anaUi.page).getByTestId('assignee').textContent()).toMatch(/^Ana/);
    await until(
      () => outgoing(anaUi.page, 'Hi Carla, I am checking your order now.').getAttribute('data-delivery'),
      (d) => d !== 'pending',
      'the reply to be confirmed by the server',
    );
    // The timeline reads as it happened: the reply assigned the conversation, so the event line is
    // right above the reply, both in the DOM and on screen.
    const timeline = await pane(anaUi.page)
      .locator('.message-list > li:not(.day)')
      .evaluateAll((items) => items.map((li) => (li.querySelector('.bubble-body, .event-line > span')?.textContent ?? '').trim()));
    expect(timeline).toEqual(['Hello, my order #123 has not arrived', 'Assigned to Ana by Ana', 'Hi Carla, I am checking your order now.']);
    const eventBox = await eventLine.boundingBox();
    const replyBox = await outgoing(anaUi.page, 'Hi Carla, I am checking your order now.').boundingBox();
    expect(eventBox && replyBox && eventBox.y + eventBox.height <= replyBox.y).toBe(true);
    await screenshot(anaUi.page, 'live-4-ana-replied');

    // Shift+Enter is a new line; Enter sends the whole thing.
    const box = pane(anaUi.page).locator('textarea');
    await box.pressSequentially('It left the warehouse yesterday.');
    await box.press('Shift+Enter');
    await box.pressSequentially('Tracking: BR123');
    expect(await box.inputValue()).toBe('It left the warehouse yesterday.\nTracking: BR123');
    await box.press('Enter');
    await outgoing(anaUi.page, 'Tracking: BR123').waitFor({ timeout: WAIT_MS });
    expect(await box.inputValue()).toBe('');

    // The customer sees the reply in real time, once.
    await agentMessages(customer.page).filter({ hasText: 'Tracking: BR123' }).waitFor({ timeout: WAIT_MS });
    expect(await agentMessages(customer.page).locator('.body').allTextContents()).toEqual([
      'Hi Carla, I am checking your order now.',
      'It left the warehouse yesterday.\nTracking: BR123',
    ]);
    await screenshot(customer.page, 'live-5-customer-got-reply');

    // Bruno no longer sees it as unassigned.
    await row(brunoUi.page, 'Carla Customer').waitFor({ state: 'detached', timeout: WAIT_MS });
    await screenshot(brunoUi.page, 'live-6-bruno-after');
  });
});
