// The customer's side: the server's webchat page in its own browser profile.
import type { Locator, Page } from 'playwright-core';
import { WAIT_MS } from './agent-ui';

export async function startChat(page: Page, serverUrl: string, name: string): Promise<void> {
  await page.goto(`${serverUrl}/webchat/demo?lang=en`);
  await page.locator('#name').fill(name);
  await page.locator('#start').click();
  await page.locator('#chat-view').waitFor({ state: 'visible', timeout: WAIT_MS });
}

export async function say(page: Page, body: string): Promise<void> {
  await page.locator('#message').fill(body);
  await page.locator('#send').click();
  await page.locator('.msg[data-from="customer"]', { hasText: body }).waitFor({ timeout: WAIT_MS });
}

export function agentMessages(page: Page): Locator {
  return page.locator('.msg[data-from="agent"]');
}
