// End to end: Ana replies while cut off, but a supervisor closed the conversation meanwhile. The
// server rejects the reply; Ana sees it failed with the reason, and can discard it. The customer
// never receives it.
import { afterEach, describe, expect, it } from 'vitest';
import { startClientProcess } from '../support/client-process';
import { startFaultProxy } from '../support/fault-proxy';
import { startServerProcess } from '../support/server-process';
import { openView, outgoing, pane, reply, row, signIn, until, WAIT_MS } from './agent-ui';
import { openBrowser, screenshot } from './chromium';
import { agentMessages, say, startChat } from './customer-page';

describe('rejected reply', () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const clean of cleanups.splice(0).reverse()) await clean();
  });

  it('shows why a reply failed and lets Ana discard it', async () => {
    const server = await startServerProcess({ demo: true });
    cleanups.push(() => server.kill());
    const proxy = await startFaultProxy(server.url);
    cleanups.push(() => proxy.close());
    const ana = await startClientProcess({ serverUrl: proxy.url });
    cleanups.push(() => ana.stop());
    const sofia = await startClientProcess({ serverUrl: server.url });
    cleanups.push(() => sofia.stop());
    await sofia.ipc.ok('session.login', { serverUrl: server.url, email: 'sofia@demo.test', password: 'demo1234' });
    const anaUi = await openBrowser();
    const customer = await openBrowser();
    cleanups.push(
      () => anaUi.close(),
      () => customer.close(),
    );
    const page = anaUi.page;

    // The login form is prefilled with the server the host was started with (here, the proxy).
    await page.goto(ana.url);
    expect(await page.getByLabel('Server address').inputValue()).toBe(proxy.url);
    await signIn(page, ana.url, 'ana@demo.test');

    await startChat(customer.page, server.url, 'Elena Ruiz');
    await say(customer.page, 'Hi, I need an invoice copy');
    await openView(page, 'unassigned');
    await row(page, 'Elena Ruiz').click();
    await pane(page).getByRole('button', { name: 'Assign to me' }).click();
    await until(
      () => pane(page).getByTestId('assignee').textContent(),
      (t) => t === 'Ana',
      'Ana to be the assignee',
    );
    await pane(page).locator('.event-line', { hasText: 'Assigned to Ana by Ana' }).waitFor({ timeout: WAIT_MS });

    proxy.refuse();
    await page.getByTestId('offline-banner').waitFor({ timeout: WAIT_MS });
    const [conversation] = (await sofia.ipc.ok('inbox.list', { view: { kind: 'all' }, status: 'open' })).filter(
      (c) => c.contactName === 'Elena Ruiz',
    );
    await sofia.ipc.ok('conversation.close', { conversationId: conversation!.id, note: null, categoryId: null });
    await reply(page, 'Here is your invoice copy.');
    expect(await outgoing(page, 'Here is your invoice copy.').getAttribute('data-delivery')).toBe('pending');

    proxy.pass();
    const failed = outgoing(page, 'Here is your invoice copy.');
    await until(
      () => failed.getAttribute('data-delivery'),
      (d) => d === 'failed',
      'the reply to be rejected',
      30_000,
    );
    await pane(page).locator('.event-line', { hasText: 'Closed by Sofía' }).waitFor({ timeout: WAIT_MS });
    // The reason shows when the failure mark gets focus (and on hover).
    await failed.getByRole('button', { name: 'Not sent' }).focus();
    const tooltip = failed.getByRole('tooltip');
    expect(await tooltip.textContent()).toBe('Not sent: This conversation was closed. Reopen it to reply.');
    expect(await tooltip.isVisible()).toBe(true);
    await screenshot(page, 'rejected-1-failed-with-reason');

    await failed.getByRole('button', { name: 'Discard this message' }).click();
    await failed.waitFor({ state: 'detached', timeout: WAIT_MS });
    await screenshot(page, 'rejected-2-discarded');
    expect(await agentMessages(customer.page).locator('.body').allTextContents()).toEqual([]);
  });
});
