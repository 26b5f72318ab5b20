// End to end: the server goes away while Ana works. Her replies wait in the outbox (shown as
// pending, counted in the offline banner), survive a restart of her client process (the page she
// has open comes back to the restarted host by itself), and reach the customer exactly once, in
// order, when the server is back.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startClientProcess, type ClientProcess } from '../support/client-process';
import { startServerProcess, type ServerProcess } from '../support/server-process';
import { openView, outgoing, pane, reply, row, signIn, until, WAIT_MS } from './agent-ui';
import { openBrowser, screenshot } from './chromium';
import { agentMessages, say, startChat } from './customer-page';

describe('offline replies', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  let root: string;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'bandeja-e2e-'));
    cleanups.push(() => rmSync(root, { recursive: true, force: true }));
  });
  afterEach(async () => {
    for (const clean of cleanups.splice(0).reverse()) await clean();
  });

  it('keeps replies written offline across a client restart and delivers them once, in order', async () => {
    const serverDir = join(root, 'server');
    const anaDir = join(root, 'ana');
    const server: ServerProcess = await startServerProcess({ demo: true, dataDir: serverDir });
    cleanups.push(() => server.stop());
    const ana: ClientProcess = await startClientProcess({ serverUrl: server.url, dataDir: anaDir });
    cleanups.push(() => ana.stop());
    const anaUi = await openBrowser();
    const customer = await openBrowser();
    cleanups.push(
      () => anaUi.close(),
      () => customer.close(),
    );
    const page = anaUi.page;

    await signIn(page, ana.url, 'ana@demo.test');
    await startChat(customer.page, server.url, 'Diego Díaz');
    await say(customer.page, 'Can I change my delivery address?');
    await openView(page, 'unassigned');
    await row(page, 'Diego Díaz').click();
    await reply(page, 'Sure, one moment.');
    await agentMessages(customer.page).filter({ hasText: 'Sure, one moment.' }).waitFor({ timeout: WAIT_MS });

    // The server stops (SIGTERM) with the customer's page and Ana's client connected: it exits
    // cleanly, the customer's page sees its socket close, Ana's UI says it is offline and keeps working.
    await server.stop();
    expect(server.exitCode()).toBe(0);
    await customer.page.locator('#subtitle[data-state="offline"]').waitFor({ timeout: WAIT_MS });
    const banner = page.getByTestId('offline-banner');
    await banner.waitFor({ timeout: WAIT_MS });
    await screenshot(page, 'offline-1-banner');

    await reply(page, 'First offline reply');
    await reply(page, 'Second offline reply');
    expect(await outgoing(page, 'First offline reply').getAttribute('data-delivery')).toBe('pending');
    expect(await outgoing(page, 'Second offline reply').getAttribute('data-delivery')).toBe('pending');
    await until(
      () => banner.textContent(),
      (t) => t === 'Offline — 2 actions waiting to be sent',
      'the banner to count 2 actions',
    );
    await screenshot(page, 'offline-2-two-pending');

    // Ana's client process restarts while offline, on the same port. The page she has open is not
    // sent anywhere: it finds the restarted host by itself (it may reload itself) and shows the
    // inbox and the conversation, offline, with no sign-in.
    // The hash follows what the page shows (its route), so only the address before it must stay.
    const pageUrl = page.url().split('#')[0];
    await ana.restart();
    await page.locator('.sidebar').waitFor({ timeout: WAIT_MS });
    await openView(page, 'mine');
    await row(page, 'Diego Díaz').click();
    for (const body of ['First offline reply', 'Second offline reply'])
      await until(
        () => outgoing(page, body).getAttribute('data-delivery'),
        (d) => d === 'pending',
        `"${body}" pending after the restart`,
      );
    // A reply written now can only be recorded by the restarted host: the page really is talking to it.
    await reply(page, 'Third offline reply');
    await until(
      () => banner.textContent(),
      (t) => t === 'Offline — 3 actions waiting to be sent',
      'the banner after the restart',
    );
    expect(page.url().split('#')[0]).toBe(pageUrl);
    await screenshot(page, 'offline-3-after-client-restart');

    // The server is back: the replies go out, once each, in order.
    await server.restart();
    for (const body of ['First offline reply', 'Second offline reply', 'Third offline reply'])
      await until(
        () => outgoing(page, body).getAttribute('data-delivery'),
        (d) => d === 'sent' || d === 'delivered' || d === 'read',
        `"${body}" to be sent`,
        30_000,
      );
    await banner.waitFor({ state: 'detached', timeout: WAIT_MS });
    await screenshot(page, 'offline-4-sent');

    const expected = ['Sure, one moment.', 'First offline reply', 'Second offline reply', 'Third offline reply'];
    await until(
      () => agentMessages(customer.page).locator('.body').allTextContents(),
      (t) => t.length >= 4,
      'the customer page to show the replies',
      30_000,
    );
    expect(await agentMessages(customer.page).locator('.body').allTextContents()).toEqual(expected);
    // What the server stored (the page's history after a reload) has each reply once, in order.
    await customer.page.reload();
    await until(
      () => agentMessages(customer.page).locator('.body').allTextContents(),
      (t) => t.length >= 4,
      'the history after reload',
    );
    expect(await agentMessages(customer.page).locator('.body').allTextContents()).toEqual(expected);
    await screenshot(customer.page, 'offline-5-customer');
    // And Ana's conversation has each reply once.
    expect(await pane(page).locator('.message-out .bubble-body').allTextContents()).toEqual(expected);
  });
});
