// End to end, the contact panel: fields edited in place (name, phones, the custom field Plan) are
// saved and listed in the field history; two agents editing the same field from the same base — the
// later write wins and the overwritten value stays in history marked as a conflict; edits of
// different fields both survive; a contact added by hand; two contacts merged (the merged one
// disappears and its conversation shows under the one kept).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { openView, pane, row, until, WAIT_MS } from './agent-ui';
import { screenshot } from './chromium';
import { conversationOf, Fixture, synced, type Agent } from './fixture';

function panel(page: Page): Locator {
  return page.getByTestId('contact-panel');
}

function field(page: Page, key: string): Locator {
  return panel(page).locator(`.field[data-field="${key}"]`);
}

async function startEdit(page: Page, key: string, label: string): Promise<Locator> {
  await panel(page)
    .getByRole('button', { name: `Edit ${label}` })
    .click();
  return panel(page).locator(`form.field-editing[data-field="${key}"]`);
}

function history(page: Page): Promise<string[]> {
  return panel(page)
    .locator('.history li')
    .evaluateAll((els) =>
      els.map((el) => `${el.querySelector('span')?.textContent ?? ''}${el.classList.contains('history-conflict') ? ' [conflict]' : ''}`),
    );
}

async function openContact(page: Page, contactName: string): Promise<void> {
  await openView(page, 'unassigned');
  await row(page, contactName).click();
  await pane(page).locator('.message-in').first().waitFor({ timeout: WAIT_MS });
  if (!(await panel(page).isVisible())) await pane(page).getByRole('button', { name: 'Contact details' }).click();
  await panel(page).locator('.contact-name').waitFor({ timeout: WAIT_MS });
}

describe('contacts', () => {
  const f = new Fixture();
  let ana: Agent;
  let bruno: Agent;

  beforeAll(async () => {
    await f.start();
    ana = await f.agent('ana@demo.test');
    bruno = await f.agent('bruno@demo.test');
    await f.customer('Gabriela Soto', 'Hola, quiero cambiar mi plan');
    await f.customer('Gabi Soto', 'Soy Gabriela otra vez, desde otro navegador');
    await conversationOf(ana.client, 'Gabi Soto');
    await conversationOf(bruno.client, 'Gabi Soto');
  }, 180_000);

  afterAll(() => f.stop());

  it('saves inline edits of name, phones and Plan, each in the field history', async () => {
    const page = ana.page;
    await openContact(page, 'Gabriela Soto');

    let form = await startEdit(page, 'name', 'Name');
    await form.getByLabel('Name').fill('Gabriela Soto Ruiz');
    await form.getByRole('button', { name: 'Save' }).click();
    await until(
      () => panel(page).locator('.contact-name').textContent(),
      (t) => t === 'Gabriela Soto Ruiz',
      'the new name in the panel',
    );

    form = await startEdit(page, 'phones', 'Phones');
    await form.getByLabel('Phones').fill('+54 11 5555 0101, +54 11 5555 0202');
    await form.getByRole('button', { name: 'Save' }).click();
    await until(
      () => field(page, 'phones').locator('.field-value').textContent(),
      (t) => t === '+54 11 5555 0101, +54 11 5555 0202',
      'the phones',
    );

    form = await startEdit(page, 'custom.plan', 'Plan');
    await form.getByLabel('Plan').selectOption('Pro');
    await form.getByRole('button', { name: 'Save' }).click();
    await until(
      () => field(page, 'custom.plan').locator('.field-value').textContent(),
      (t) => t === 'Pro',
      'Plan to be Pro',
    );

    await until(
      () => history(page),
      (h) =>
        h.includes('Name: Gabriela Soto → Gabriela Soto Ruiz') &&
        h.includes('Phones: — → +54 11 5555 0101, +54 11 5555 0202') &&
        h.includes('Plan: — → Pro'),
      'the three changes in the history',
    );
    // Saved on the server: the list shows the new name, and Bruno's mirror has all three.
    await row(page, 'Gabriela Soto Ruiz').waitFor({ timeout: WAIT_MS });
    await synced(ana.client);
    const conversation = await conversationOf(bruno.client, 'Gabriela Soto Ruiz');
    const seen = await bruno.client.ipc.until('contact.get', { id: conversation.contactId }, (c) => c?.contact.custom.plan === 'Pro');
    expect(seen?.contact.phones).toEqual(['+54 11 5555 0101', '+54 11 5555 0202']);
    await screenshot(page, 'contacts-1-edited-with-history');
  });

  it('the later of two edits of the same field wins; the overwritten value is kept as a conflict', async () => {
    await openContact(bruno.page, 'Gabriela Soto Ruiz');
    // Both start editing Plan from the same value (Pro).
    const anaForm = await startEdit(ana.page, 'custom.plan', 'Plan');
    const brunoForm = await startEdit(bruno.page, 'custom.plan', 'Plan');
    await anaForm.getByLabel('Plan').selectOption('Empresa');
    await anaForm.getByRole('button', { name: 'Save' }).click();
    await synced(ana.client);
    const { contactId } = await conversationOf(bruno.client, 'Gabriela Soto Ruiz');
    await bruno.client.ipc.until('contact.get', { id: contactId }, (c) => c?.contact.custom.plan === 'Empresa');
    // Bruno, still on his form opened from Pro, saves Básico after Ana's Empresa arrived.
    await brunoForm.getByLabel('Plan').selectOption('Básico');
    await brunoForm.getByRole('button', { name: 'Save' }).click();
    await synced(bruno.client);

    for (const page of [ana.page, bruno.page])
      await until(
        () => field(page, 'custom.plan').locator('.field-value').textContent(),
        (t) => t === 'Básico',
        'Básico (the later write) on both screens',
      );
    await until(
      () => history(ana.page),
      (h) => h.includes('Plan: Empresa → Básico [conflict]'),
      'the overwritten Empresa kept as a conflict',
    );
    const h = await history(ana.page);
    expect(h).toContain('Plan: Pro → Empresa');
    const conflictRow = panel(ana.page).locator('.history-conflict');
    expect(await conflictRow.count()).toBe(1);
    expect(await conflictRow.locator('.muted').textContent()).toMatch(/^Bruno · .* · overwrote a newer value$/);
    await screenshot(ana.page, 'contacts-2-same-field-conflict');
  });

  it('keeps both edits when two agents change different fields', async () => {
    const anaForm = await startEdit(ana.page, 'emails', 'Emails');
    const brunoForm = await startEdit(bruno.page, 'custom.documento', 'Documento');
    await anaForm.getByLabel('Emails').fill('gabriela@example.com');
    await brunoForm.getByLabel('Documento').fill('DNI 30111222');
    await anaForm.getByRole('button', { name: 'Save' }).click();
    await brunoForm.getByRole('button', { name: 'Save' }).click();
    await synced(ana.client);
    await synced(bruno.client);
    for (const page of [ana.page, bruno.page]) {
      await until(
        () => field(page, 'emails').locator('.field-value').textContent(),
        (t) => t === 'gabriela@example.com',
        'the email on both screens',
      );
      await until(
        () => field(page, 'custom.documento').locator('.field-value').textContent(),
        (t) => t === 'DNI 30111222',
        'the document on both screens',
      );
    }
    const h = await history(bruno.page);
    expect(h).toContain('Emails: — → gabriela@example.com');
    expect(h).toContain('Documento: — → DNI 30111222');
    expect(await panel(bruno.page).locator('.history-conflict').count()).toBe(1);
    await screenshot(bruno.page, 'contacts-3-different-fields');
  });

  it('adds a contact by hand', async () => {
    const page = ana.page;
    await panel(page).getByRole('button', { name: 'New contact' }).click();
    const dialog = page.getByRole('dialog', { name: 'New contact' });
    await dialog.getByLabel('Name').fill('Iván Herrera');
    await dialog.getByLabel('Phones').fill('+54 9 351 555 1234');
    await dialog.getByLabel('Emails').fill('ivan@example.com');
    await dialog.getByRole('button', { name: 'Add contact' }).click();
    await until(
      () => panel(page).locator('.contact-name').textContent(),
      (t) => t === 'Iván Herrera',
      'the new contact in the panel',
    );
    expect(await field(page, 'phones').locator('.field-value').textContent()).toBe('+54 9 351 555 1234');
    expect(await panel(page).textContent()).toContain('Added by hand: no channel yet.');
    await synced(ana.client);
    // The server has it: Bruno finds it by phone.
    const hits = await bruno.client.ipc.until('search.query', { q: '351 555' }, (r) => r.contacts.some((c) => c.name === 'Iván Herrera'));
    expect(hits.contacts.find((c) => c.name === 'Iván Herrera')?.emails).toEqual(['ivan@example.com']);
    await screenshot(page, 'contacts-4-added-by-hand');
  });

  it('merges a duplicate: it disappears and its conversation shows under the contact kept', async () => {
    const page = ana.page;
    // Merging is refused while both have an open conversation in the same inbox: close the duplicate's.
    const dup = await conversationOf(ana.client, 'Gabi Soto');
    await ana.client.ipc.ok('conversation.close', { conversationId: dup.id, note: null, categoryId: null });
    await synced(ana.client);
    await openContact(page, 'Gabriela Soto Ruiz');
    await panel(page).getByRole('button', { name: 'Merge with another contact' }).click();
    const dialog = page.getByRole('dialog', { name: 'Merge into Gabriela Soto Ruiz' });
    await dialog.getByRole('combobox').fill('Gabi');
    await dialog.getByRole('option', { name: /Gabi Soto/ }).click();
    expect(await dialog.textContent()).toContain('Merge Gabi Soto into Gabriela Soto Ruiz?');
    await screenshot(page, 'contacts-5-merge-confirm');
    await dialog.getByRole('button', { name: 'Merge' }).click();
    await dialog.waitFor({ state: 'detached', timeout: WAIT_MS });

    // The kept contact's timeline now holds both conversations, the duplicate's closed one included.
    const timeline = panel(page).locator('.timeline-item');
    await until(
      () => timeline.count(),
      (n) => n === 2,
      'two conversations under Gabriela',
    );
    expect(await panel(page).locator('.timeline-item', { hasText: 'Soy Gabriela otra vez' }).locator('.status-pill').textContent()).toBe(
      'Closed',
    );
    await screenshot(page, 'contacts-6-merged');
    // The duplicate is gone: search no longer finds it, and the closed list names the kept contact.
    await synced(ana.client);
    for (const client of [ana.client, bruno.client]) {
      await client.ipc.until('search.query', { q: 'Gabi Soto' }, (r) => !r.contacts.some((c) => c.name === 'Gabi Soto'));
      await client.ipc.until('contact.get', { id: dup.contactId }, (c) => c === null || c.contact.mergedIntoId !== null);
    }
    await page.locator('.view-item[data-view="unassigned"]').click();
    await page.locator('.tab[data-status="closed"]').click();
    await row(page, 'Gabriela Soto Ruiz').waitFor({ timeout: WAIT_MS });
    expect(await row(page, 'Gabi Soto').count()).toBe(0);
  });
});
