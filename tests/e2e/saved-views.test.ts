// End to end, saved views: Ana builds a view (tag "facturación", unread only) shared with Soporte
// and its counters match the conversations it holds; Bruno, in Soporte, sees it in his sidebar
// with the same counters; Ana edits it (Bruno sees the new name and contents) and deletes it (it
// leaves Bruno's sidebar). A personal view of Ana's never reaches Bruno.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { until, WAIT_MS } from './agent-ui';
import { screenshot } from './chromium';
import { conversationOf, Fixture, synced, type Agent } from './fixture';

function savedView(page: Page, name: string): Locator {
  const exact = new RegExp(`^${name}$`);
  return page.locator('.view-item', { has: page.locator('.view-name', { hasText: exact }) });
}

async function counters(item: Locator): Promise<{ waiting: string | null; unread: string | null }> {
  const waiting = item.locator('.count-waiting > [aria-hidden]');
  const unread = item.locator('.count-unread > [aria-hidden]');
  return {
    waiting: (await waiting.count()) ? await waiting.textContent() : null,
    unread: (await unread.count()) ? await unread.textContent() : null,
  };
}

function listNames(page: Page): Promise<string[]> {
  return page.locator('.row .row-name').allTextContents();
}

describe('saved views', () => {
  const f = new Fixture();
  let ana: Agent;
  let bruno: Agent;

  beforeAll(async () => {
    await f.start();
    ana = await f.agent('ana@demo.test');
    bruno = await f.agent('bruno@demo.test');
    // Three Soporte conversations: two tagged facturación (one of them read), one untagged unread.
    await f.customer('Carla Méndez', 'La factura vino duplicada');
    await f.customer('Diego Paz', 'Necesito la factura A');
    await f.customer('Elsa Ríos', 'No puedo entrar a mi cuenta');
    const carla = await conversationOf(ana.client, 'Carla Méndez');
    const diego = await conversationOf(ana.client, 'Diego Paz');
    await conversationOf(ana.client, 'Elsa Ríos');
    for (const c of [carla, diego]) await ana.client.ipc.ok('conversation.tag', { conversationId: c.id, add: ['facturación'], remove: [] });
    await ana.client.ipc.ok('conversation.markRead', { conversationId: diego.id });
    await synced(ana.client);
    await conversationOf(bruno.client, 'Elsa Ríos');
  }, 180_000);

  afterAll(() => f.stop());

  it('creates a shared view whose counters match; a teammate sees it; edit and delete reach him; a personal view never does', async () => {
    const page = ana.page;
    await page.getByRole('button', { name: 'New saved view' }).click();
    const dialog = page.getByRole('dialog', { name: 'New saved view' });
    await dialog.getByLabel('Name').fill('Facturación sin leer');
    await dialog.getByLabel('Who sees it').selectOption({ label: 'Shared with Soporte' });
    await dialog.getByLabel('Tags (any of)').fill('facturación');
    await dialog.getByLabel('Unread only').check();
    await screenshot(page, 'views-1-new-shared-view');
    await dialog.getByRole('button', { name: 'Save view' }).click();
    await dialog.waitFor({ state: 'detached', timeout: WAIT_MS });

    // The new view is opened: only Carla (tagged and unread); one waiting, one unread.
    const anaItem = savedView(page, 'Facturación sin leer');
    await until(
      () => anaItem.getAttribute('aria-current'),
      (a) => a === 'page',
      'the new view to be the current one',
    );
    await until(
      () => listNames(page),
      (n) => n.join() === 'Carla Méndez',
      'the view to list only Carla',
    );
    await until(
      () => counters(anaItem),
      (c) => c.waiting === '1' && c.unread === '1',
      'the view counters to be 1 waiting, 1 unread',
    );
    expect(await page.locator('.tab[data-status="open"] .tab-count').textContent()).toBe('1');
    await screenshot(page, 'views-2-ana-shared-view');

    // Bruno (Soporte) gets it with the same counters and contents.
    const brunoItem = savedView(bruno.page, 'Facturación sin leer');
    await brunoItem.waitFor({ timeout: WAIT_MS });
    await until(
      () => counters(brunoItem),
      (c) => c.waiting === '1' && c.unread === '1',
      "Bruno's counters to match",
    );
    await brunoItem.click();
    await until(
      () => listNames(bruno.page),
      (n) => n.join() === 'Carla Méndez',
      'Bruno to see only Carla in it',
    );
    await screenshot(bruno.page, 'views-3-bruno-sees-shared');

    // A personal view of Ana's.
    await page.getByRole('button', { name: 'New saved view' }).click();
    const personal = page.getByRole('dialog', { name: 'New saved view' });
    await personal.getByLabel('Name').fill('Mis pendientes');
    expect(await personal.getByLabel('Who sees it').inputValue()).toBe('');
    await personal.getByRole('button', { name: 'Save view' }).click();
    await savedView(page, 'Mis pendientes').waitFor({ timeout: WAIT_MS });
    await synced(ana.client);

    // Ana edits the shared view: a new name and no longer unread-only (Diego, read, joins).
    await page.getByRole('button', { name: 'Edit view Facturación sin leer' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit view “Facturación sin leer”' });
    expect(await edit.getByLabel('Tags (any of)').inputValue()).toBe('facturación');
    await edit.getByLabel('Name').fill('Facturación');
    await edit.getByLabel('Unread only').uncheck();
    await edit.getByRole('button', { name: 'Save view' }).click();
    await edit.waitFor({ state: 'detached', timeout: WAIT_MS });
    const renamed = savedView(page, 'Facturación');
    await until(
      () => listNames(page),
      (n) => [...n].sort().join() === 'Carla Méndez,Diego Paz',
      'the edited view to list Carla and Diego',
    );
    await until(
      () => counters(renamed),
      (c) => c.waiting === '2' && c.unread === '1',
      'counters of 2 waiting, 1 unread',
    );

    // The edit was recorded after the personal view: once Bruno has the edit he has everything before it.
    const brunoRenamed = savedView(bruno.page, 'Facturación');
    await until(
      () => brunoRenamed.locator('.view-name').allTextContents(),
      (n) => n.includes('Facturación'),
      'Bruno to see the new name',
    );
    await until(
      () => listNames(bruno.page),
      (n) => [...n].sort().join() === 'Carla Méndez,Diego Paz',
      "Bruno's list to follow the edit",
    );
    expect(await bruno.page.locator('.view-name').allTextContents()).not.toContain('Mis pendientes');
    expect((await bruno.client.ipc.ok('view.list', {})).map((v) => v.name)).toEqual(['Facturación']);
    await screenshot(bruno.page, 'views-4-bruno-after-edit');

    // Ana deletes it: gone from both sidebars; Bruno's screen falls back to a view he has.
    await page.getByRole('button', { name: 'Edit view Facturación' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete view' }).click();
    await renamed.waitFor({ state: 'detached', timeout: WAIT_MS });
    await brunoRenamed.waitFor({ state: 'detached', timeout: WAIT_MS });
    expect(await bruno.page.locator('.view-name').allTextContents()).not.toContain('Mis pendientes');
    await until(
      () => bruno.page.locator('.view-item[data-view="mine"]').getAttribute('aria-current'),
      (a) => a === 'page',
      'Bruno to fall back to Mine',
    );
    await screenshot(bruno.page, 'views-5-bruno-after-delete');
    await screenshot(page, 'views-6-ana-after-delete');
    expect(await page.locator('.view-name').allTextContents()).toContain('Mis pendientes');
  });
});
