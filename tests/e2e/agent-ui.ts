// What an agent does in the Bandeja UI, written once for the end-to-end tests. Locators use what
// the agent sees (labels, roles, text) where the UI offers it.
import type { Locator, Page } from 'playwright-core';

export const WAIT_MS = 15_000;

export async function signIn(page: Page, uiUrl: string, email: string, password = 'demo1234'): Promise<void> {
  await page.goto(uiUrl);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('.sidebar').waitFor({ timeout: WAIT_MS });
}

export async function openView(page: Page, view: 'mine' | 'unassigned' | 'all' | 'teammates' | `team:${string}`): Promise<void> {
  await page.locator(`.view-item[data-view="${view}"]`).click();
}

export function row(page: Page, contactName: string): Locator {
  return page.locator('.row', { has: page.locator('.row-name', { hasText: contactName }) });
}

export function pane(page: Page): Locator {
  return page.getByTestId('conversation-pane');
}

export function outgoing(page: Page, body: string): Locator {
  return page.locator('.message-out', { has: page.locator('.bubble-body', { hasText: body }) });
}

export async function reply(page: Page, body: string): Promise<void> {
  const box = pane(page).locator('textarea');
  await box.fill(body);
  await box.press('Enter');
  await outgoing(page, body).waitFor({ timeout: WAIT_MS });
}

/** Resolves once `read()` returns `want` (the UI updates by itself; nothing here sleeps). */
export async function until<T>(read: () => Promise<T>, want: (v: T) => boolean, what: string, timeout = WAIT_MS): Promise<T> {
  const deadline = Date.now() + timeout;
  let last: T = await read();
  while (!want(last)) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}; last value: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 50));
    last = await read();
  }
  return last;
}
