// End to end, acting on many conversations at once: Ana checks rows (checkboxes and a Shift-click
// range) and tags them, assigns others to Bruno, then closes several with a category. Every
// conversation gets its own event line, and each lands where the action says.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { openView, pane, row, until, WAIT_MS } from './agent-ui';
import { screenshot } from './chromium';
import { conversationOf, Fixture, synced, type Agent } from './fixture';

const PEOPLE = ['Paula Uno', 'Pedro Dos', 'Pilar Tres', 'Pablo Cuatro', 'Patricia Cinco', 'Pascual Seis'];

function check(page: Page, name: string) {
  return page.getByRole('checkbox', { name: `Select ${name}` });
}

/** The rows of this test's customers, in list order (the demo seeds conversations of its own). */
async function listNames(page: Page): Promise<string[]> {
  return (await page.locator('.row .row-name').allTextContents()).filter((n) => (PEOPLE as readonly string[]).includes(n));
}

async function eventLine(page: Page, name: string, text: string): Promise<string> {
  await row(page, name).click();
  const line = pane(page).locator('.event-line', { hasText: text });
  await line.waitFor({ timeout: WAIT_MS });
  return (await line.locator('> span').first().textContent()) ?? '';
}

describe('bulk actions', () => {
  const f = new Fixture();
  let ana: Agent;
  let bruno: Agent;
  let sofia: Agent;

  beforeAll(async () => {
    await f.start();
    ana = await f.agent('ana@demo.test');
    bruno = await f.agent('bruno@demo.test');
    sofia = await f.agent('sofia@demo.test');
    for (const [i, name] of PEOPLE.entries()) await f.customer(name, `Consulta número ${i + 1}`);
    await conversationOf(ana.client, PEOPLE[5]!);
    await openView(ana.page, 'unassigned');
    await until(
      () => listNames(ana.page),
      (n) => n.length === 6,
      'six conversations in Unassigned',
    );
  }, 180_000);

  afterAll(() => f.stop());

  it('tags a Shift-click range', async () => {
    const page = ana.page;
    // Newest first: Seis, Cinco, Cuatro, Tres, Dos, Uno.
    expect(await listNames(page)).toEqual([...PEOPLE].reverse());
    await check(page, 'Pascual Seis').click();
    await check(page, 'Pablo Cuatro').click({ modifiers: ['Shift'] });
    const bar = page.getByTestId('bulk-bar');
    expect(await bar.locator('.bulk-all span').textContent()).toBe('3 selected');
    expect(await check(page, 'Patricia Cinco').isChecked()).toBe(true);
    expect(await check(page, 'Pilar Tres').isChecked()).toBe(false);
    await screenshot(page, 'bulk-1-range-selected');

    await bar.getByRole('button', { name: 'Tag' }).click();
    const dialog = page.getByRole('dialog', { name: 'Tag 3 conversations' });
    await dialog.getByRole('combobox', { name: 'Add a tag' }).fill('urgente');
    await dialog.getByRole('combobox', { name: 'Add a tag' }).press('Enter');
    await dialog.waitFor({ state: 'detached', timeout: WAIT_MS });
    for (const name of ['Pascual Seis', 'Patricia Cinco', 'Pablo Cuatro'])
      await row(page, name).locator('.chip-tag', { hasText: 'urgente' }).waitFor({ timeout: WAIT_MS });
    expect(await row(page, 'Pilar Tres').locator('.chip-tag').count()).toBe(0);
    await screenshot(page, 'bulk-2-tagged');
    await page.keyboard.press('Escape');
    await bar.waitFor({ state: 'detached', timeout: WAIT_MS });
    for (const name of ['Pascual Seis', 'Patricia Cinco', 'Pablo Cuatro'])
      expect(await eventLine(page, name, 'tagged it')).toBe('Ana tagged it “urgente”');
  });

  it('assigns several: Ana takes two for herself (only she is offered), Sofía gives two to Bruno', async () => {
    const page = ana.page;
    await check(page, 'Pilar Tres').click();
    await check(page, 'Pedro Dos').click();
    await page.getByTestId('bulk-bar').getByRole('button', { name: 'Assign' }).click();
    const dialog = page.getByRole('dialog', { name: 'Assign 2 conversations' });
    // An agent may only take conversations; giving one to a teammate is a transfer.
    expect(await dialog.getByRole('option').allTextContents()).toEqual([expect.stringContaining('Ana'), 'Nobody (unassign)']);
    await screenshot(page, 'bulk-3-agent-assign-dialog');
    await dialog.getByRole('option', { name: /Ana/ }).click();
    await dialog.waitFor({ state: 'detached', timeout: WAIT_MS });
    await until(
      () => listNames(page),
      (n) => !n.includes('Pilar Tres') && !n.includes('Pedro Dos'),
      'both to leave Unassigned',
    );
    await openView(page, 'mine');
    await until(
      () => listNames(page),
      (n) => [...n].sort().join() === 'Pedro Dos,Pilar Tres',
      "both in Ana's Mine",
    );
    for (const name of ['Pilar Tres', 'Pedro Dos']) expect(await eventLine(page, name, 'Assigned to')).toBe('Assigned to Ana by Ana');

    // A supervisor assigns two of Ana's to Bruno at once.
    const s = sofia.page;
    await openView(s, 'all');
    await check(s, 'Pilar Tres').click();
    await check(s, 'Pedro Dos').click();
    await s.getByTestId('bulk-bar').getByRole('button', { name: 'Assign' }).click();
    const sDialog = s.getByRole('dialog', { name: 'Assign 2 conversations' });
    await sDialog.getByRole('combobox').fill('Bru');
    await sDialog.getByRole('option', { name: /Bruno/ }).click();
    await sDialog.waitFor({ state: 'detached', timeout: WAIT_MS });
    await openView(bruno.page, 'mine');
    await until(
      () => listNames(bruno.page),
      (n) => [...n].sort().join() === 'Pedro Dos,Pilar Tres',
      "both in Bruno's Mine",
    );
    for (const name of ['Pilar Tres', 'Pedro Dos'])
      expect(await eventLine(bruno.page, name, 'by Sofía')).toBe('Assigned to Bruno by Sofía');
    await until(
      () => listNames(page),
      (n) => n.length === 0,
      "Ana's Mine to empty",
    );
    await screenshot(bruno.page, 'bulk-4-bruno-mine');
  });

  it('closes four with a category, each with its event line', async () => {
    const page = ana.page;
    await openView(page, 'unassigned');
    await until(
      () => listNames(page),
      (n) => n.length === 4,
      'four left in Unassigned',
    );
    await check(page, 'Pascual Seis').click();
    await check(page, 'Paula Uno').click({ modifiers: ['Shift'] });
    expect(await page.getByTestId('bulk-bar').locator('.bulk-all span').textContent()).toBe('4 selected');
    await page.getByTestId('bulk-bar').getByRole('button', { name: 'Close' }).click();
    const dialog = page.getByRole('dialog', { name: 'Close 4 conversations' });
    await dialog.getByLabel('Closing category').selectOption({ label: 'Resuelto' });
    await screenshot(page, 'bulk-5-close-dialog');
    await dialog.getByRole('button', { name: 'Close 4 conversations' }).click();
    await dialog.waitFor({ state: 'detached', timeout: WAIT_MS });
    await until(
      () => listNames(page),
      (n) => n.length === 0,
      'the Open tab to empty',
    );
    await synced(ana.client);
    await page.locator('.tab[data-status="closed"]').click();
    await until(
      () => listNames(page),
      (n) => n.length === 4,
      'four in Closed',
    );
    for (const name of ['Pascual Seis', 'Patricia Cinco', 'Pablo Cuatro', 'Paula Uno']) {
      expect(await eventLine(page, name, 'Closed by')).toContain('Closed by Ana');
      expect(await pane(page).locator('.event-line', { hasText: 'Closed by Ana' }).locator('.event-detail').textContent()).toBe(
        'Category: Resuelto',
      );
    }
    await screenshot(page, 'bulk-6-closed');
    // The server agrees: Bruno's mirror has none of them open.
    const open = await bruno.client.ipc.ok('inbox.list', { view: { kind: 'unassigned' }, status: 'open' });
    expect(open.map((c) => c.contactName).filter((n) => (PEOPLE as readonly string[]).includes(n))).toEqual([]);
  });
});
