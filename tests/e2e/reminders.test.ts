// Reminders end to end, through the headless host in Chromium with notifications allowed: an agent sets
// "Remind me" at a chosen time a few seconds ahead with "Postpone contact" on (the default); the
// conversation moves to Snoozed and stays there when the customer writes; at the due time it comes back
// to Open, a desktop notification fires, the page title counts it as waiting for me, and clicking the
// notification opens the conversation, which says "Overdue" until the agent marks the reminder done.
// The page's Notification is wrapped (addInitScript) to record what was shown and to click it.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startClientProcess, type ClientProcess } from '../support/client-process';
import { startServerProcess, type ServerProcess } from '../support/server-process';
import { WebchatCustomer } from '../support/webchat-customer';
import { pane, row, until, WAIT_MS } from './agent-ui';
import { openBrowser, type Browser } from './chromium';

interface Shown {
  title: string;
  body: string;
  tag: string;
  silent: boolean;
}

/** Runs in the page before its scripts (as source: this file is typed without the DOM): every
 *  Notification shown is recorded, and can be clicked. */
const RECORD_NOTIFICATIONS = `
  (() => {
    const Real = window.Notification;
    const instances = [];
    window.__shown = [];
    window.__clickNotification = (i) => instances[i].dispatchEvent(new Event('click'));
    window.Notification = class extends Real {
      constructor(title, options = {}) {
        super(title, options);
        instances.push(this);
        window.__shown.push({ title, body: options.body ?? '', tag: options.tag ?? '', silent: options.silent ?? false });
      }
    };
  })();
`;

const shownIn = (page: Page) => page.evaluate('window.__shown') as Promise<Shown[]>;

/** The value of an <input type="datetime-local"> for `at`, to the second, in this machine's time zone. */
function localInput(at: number): string {
  const d = new Date(at);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** "(3) Bandeja" -> 3; "Bandeja" -> 0. */
function waitingIn(title: string): number {
  return Number(/^\((\d+)\) /.exec(title)?.[1] ?? 0);
}

async function showTab(page: Page, status: 'open' | 'snoozed'): Promise<void> {
  await page.locator(`.tab[data-status="${status}"]`).click();
}

describe('reminders through the headless host', () => {
  let server: ServerProcess;
  let ana: ClientProcess;
  let browser: Browser;
  let carla: WebchatCustomer;

  beforeAll(async () => {
    server = await startServerProcess({ demo: true });
    ana = await startClientProcess({ serverUrl: server.url });
    await ana.ipc.ok('session.login', { serverUrl: server.url, email: 'ana@demo.test', password: 'demo1234' });
    carla = await WebchatCustomer.join(server.url, 'demo', 'Carla Rinaldi');
    await carla.say('Hola, ¿me llaman cuando tengan el presupuesto?');
    const list = await ana.ipc.until('inbox.list', { view: { kind: 'unassigned' }, status: 'open' }, (l) =>
      l.some((c) => c.contactName === 'Carla Rinaldi'),
    );
    const conversation = list.find((c) => c.contactName === 'Carla Rinaldi')!;
    await ana.ipc.ok('conversation.assign', { conversationId: conversation.id, assigneeId: 'user-ana' });
    await ana.ipc.until('sync.status', {}, (s) => s.state === 'online' && s.pending === 0);

    browser = await openBrowser();
    await browser.context.grantPermissions(['notifications'], { origin: ana.url });
    await browser.context.addInitScript({ content: RECORD_NOTIFICATIONS });
    await browser.page.goto(ana.url);
    await browser.page.locator('.sidebar').waitFor({ timeout: WAIT_MS });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    carla?.close();
    await ana?.stop();
    await server?.kill();
  });

  it(
    'snoozes until the chosen time despite the customer, then notifies, and the notification opens the conversation',
    { timeout: 120_000 },
    async () => {
      const page = browser.page;
      // Notifications are allowed, so the page does not ask.
      expect(await page.getByTestId('notification-prompt').count()).toBe(0);
      await page.locator('.view-item[data-view="mine"]').click();
      await row(page, 'Carla Rinaldi').click();
      await pane(page).getByText('me llaman cuando tengan el presupuesto').waitFor({ timeout: WAIT_MS });

      // Remind me (H): a chosen time 15 s ahead, a note, "Postpone contact" left on.
      await page.keyboard.press('h');
      const dialog = page.getByRole('dialog');
      await dialog.locator('.reminder-preset[data-preset="custom"] input').check();
      const dueAt = Date.now() + 15_000;
      await dialog.locator('input[type="datetime-local"]').fill(localInput(dueAt));
      await dialog.getByLabel('Note (optional)').fill('Send Carla the quote');
      expect(await dialog.getByLabel('Postpone contact until the reminder').isChecked()).toBe(true);
      await dialog.getByRole('button', { name: 'Set reminder' }).click();
      await dialog.waitFor({ state: 'detached', timeout: WAIT_MS });

      // The conversation waits in Snoozed with its reminder; the bar says when.
      await pane(page).locator('.status-pill', { hasText: 'Snoozed' }).waitFor({ timeout: WAIT_MS });
      expect(await pane(page).getByTestId('reminder-bar').textContent()).toContain('Send Carla the quote');
      await showTab(page, 'snoozed');
      await row(page, 'Carla Rinaldi').getByTestId('row-reminder').waitFor({ timeout: WAIT_MS });
      expect(await page.locator('.tab[data-status="snoozed"] .tab-count').textContent()).toBe('1');
      await row(page, 'Carla Rinaldi').click();

      // The customer writes meanwhile: the message arrives, and the conversation stays snoozed.
      await carla.say('¿Alguna novedad?');
      await pane(page).getByText('¿Alguna novedad?').waitFor({ timeout: WAIT_MS });
      expect(Date.now()).toBeLessThan(dueAt);
      expect(await pane(page).locator('.status-pill').textContent()).toBe('Snoozed');
      await row(page, 'Carla Rinaldi').locator('.row-preview', { hasText: '¿Alguna novedad?' }).waitFor({ timeout: WAIT_MS });
      expect(await page.locator('.tab[data-status="snoozed"] .tab-count').textContent()).toBe('1');
      const waitingBefore = waitingIn(await page.title());

      // Leave the conversation, so the notification's click has something to do.
      await showTab(page, 'open');
      await page.locator('.pane-empty').waitFor({ timeout: WAIT_MS });

      // Due: a desktop notification for the reminder, with its note; the conversation is back in Open,
      // at the top, and waits for me (the page title counts it).
      const shown = await until(
        () => shownIn(page),
        (list) => list.some((n) => n.title === 'Reminder: Carla Rinaldi'),
        'the reminder notification',
        40_000,
      );
      expect(Date.now()).toBeGreaterThanOrEqual(dueAt);
      const index = shown.findIndex((n) => n.title === 'Reminder: Carla Rinaldi');
      expect(shown[index]).toMatchObject({ body: 'Send Carla the quote' });
      expect(shown[index]!.tag).toMatch(/^reminder:/);
      expect(shown.filter((n) => n.title === 'Reminder: Carla Rinaldi')).toHaveLength(1);
      await page.locator('.row').first().locator('.row-name', { hasText: 'Carla Rinaldi' }).waitFor({ timeout: WAIT_MS });
      await until(
        () => page.title(),
        (title) => waitingIn(title) === waitingBefore + 1,
        'the page title to count the waiting conversation',
      );

      // Clicking the notification opens the conversation, whose reminder is now overdue.
      await page.evaluate(`window.__clickNotification(${index})`);
      const bar = pane(page).getByTestId('reminder-bar');
      await bar.waitFor({ timeout: WAIT_MS });
      expect(await pane(page).locator('h2').textContent()).toBe('Carla Rinaldi');
      // The server's wake-up reaches the mirror around the same moment as the client's notification.
      await until(
        () => pane(page).locator('.status-pill').textContent(),
        (status) => status === 'Open',
        'the conversation to be open again',
      );
      expect(await bar.textContent()).toMatch(/^.*Overdue: /);
      expect(await row(page, 'Carla Rinaldi').getByTestId('row-reminder').textContent()).toContain('Overdue: ');

      // Done: the reminder leaves the conversation, the row and my list.
      await bar.getByRole('button', { name: 'Done' }).click();
      await bar.waitFor({ state: 'detached', timeout: WAIT_MS });
      expect(await row(page, 'Carla Rinaldi').getByTestId('row-reminder').count()).toBe(0);
      await ana.ipc.until('reminder.list', {}, (l) => l.length === 0);
    },
  );

  it('opens the conversation in a new window (a tab here) on the same route, live like the first', { timeout: 60_000 }, async () => {
    const page = browser.page;
    await row(page, 'Carla Rinaldi').click();
    await pane(page).locator('h2', { hasText: 'Carla Rinaldi' }).waitFor({ timeout: WAIT_MS });
    const route = new URL(page.url()).hash;
    expect(route).toMatch(/^#\/mine\/open\/c\/[\w-]+$/);
    const [second] = await Promise.all([browser.context.waitForEvent('page'), pane(page).locator('[data-action="new-window"]').click()]);
    await second!.waitForLoadState();
    expect(new URL(second!.url()).hash).toBe(route);
    await pane(second!).locator('h2', { hasText: 'Carla Rinaldi' }).waitFor({ timeout: WAIT_MS });
    expect(await second!.locator('.view-item[data-view="mine"]').getAttribute('aria-current')).toBe('page');

    // Both are live views of the same mirror.
    await carla.say('Sigo esperando');
    await pane(page).getByText('Sigo esperando').waitFor({ timeout: WAIT_MS });
    await pane(second!).getByText('Sigo esperando').waitFor({ timeout: WAIT_MS });
    await second!.close();
  });

  it('sends the presence chosen in the user menu to the server, and shows it', { timeout: 60_000 }, async () => {
    const page = browser.page;
    await page.locator('.user-button').click();
    await page.getByTestId('presence-choice').getByLabel('Away').check();
    await page.keyboard.press('Escape');
    expect(await page.getByTestId('my-presence').getAttribute('data-presence')).toBe('away');
    // Confirmed by the server: the directory every teammate reads says Away.
    await ana.ipc.until('directory.get', {}, (d) => d.users.find((u) => u.id === 'user-ana')?.presence === 'away');
    await until(
      () => page.getByTestId('my-presence').getAttribute('data-presence'),
      (p) => p === 'away',
      'my presence after confirmation',
    );
  });
});
