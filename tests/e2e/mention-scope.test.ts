// End to end, @mentions reach only people who may see the conversation (issue 12): Ana picks Bruno in a
// note while the conversation is in Soporte's queue; a supervisor gives it to Ana before she sends, so
// Bruno may no longer see it. The server refuses the note: Ana is told why, naming Bruno, and the note's
// words stay on her screen, marked as not sent; the @ list now offers Bruno no more.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { login, SyncPeer } from '../support/sync-peer';
import { openView, pane, row, until, WAIT_MS } from './agent-ui';
import { screenshot } from './chromium';
import { conversationOf, Fixture, type Agent } from './fixture';
import { itLooks } from './looks';

const NOTE = 'Elena pregunta por la factura';
const CASES = [
  { lang: 'en', locale: 'en-US', reason: 'Not sent: The note was not added: Bruno cannot see this conversation.' },
  { lang: 'es', locale: 'es-ES', reason: 'No enviado: La nota no se agregó: Bruno no puede ver esta conversación.' },
  { lang: 'pt-BR', locale: 'pt-BR', reason: 'Não enviada: A nota não foi adicionada: Bruno não pode ver esta conversa.' },
] as const;

describe('a note mentioning someone who cannot see the conversation', () => {
  const f = new Fixture();
  let ana: Agent;

  beforeAll(async () => {
    await f.start();
    ana = await f.agent('ana@demo.test');
    await f.customer('Elena Mención', 'Hola, ¿y mi factura?');
    await conversationOf(ana.client, 'Elena Mención');
  }, 180_000);

  afterAll(() => f.stop());

  it('is refused naming Bruno; the words stay, marked not sent; the @ list no longer offers him', async () => {
    const page = ana.page;
    await openView(page, 'unassigned');
    await row(page, 'Elena Mención').click();
    await pane(page).locator('.message-in', { hasText: 'Hola, ¿y mi factura?' }).waitFor({ timeout: WAIT_MS });
    await page.keyboard.press('n');
    const box = pane(page).locator('textarea');
    await box.pressSequentially(`${NOTE} @Bru`);
    await pane(page).getByRole('option', { name: /Bruno/ }).waitFor({ timeout: WAIT_MS });
    await box.press('Enter');

    // Before Ana sends, Sofía gives the conversation to Ana: Bruno may no longer see it.
    const sofia = await SyncPeer.connect(f.server.url, { token: (await login(f.server.url, 'sofia@demo.test')).token });
    f.later(() => sofia.close());
    const { id } = await conversationOf(ana.client, 'Elena Mención');
    expect(await sofia.push('conversation.assign', { conversationId: id, assigneeId: 'user-ana' })).toMatchObject({ status: 'ok' });
    await until(
      () => pane(page).getByTestId('assignee').textContent(),
      (t) => t === 'Ana',
      'the conversation to be Ana’s',
    );
    await box.press('Enter');

    await page.locator('.toast-error', { hasText: 'Bruno cannot see this conversation' }).waitFor({ timeout: WAIT_MS });
    const note = pane(page).locator('.message-note', { hasText: NOTE });
    await until(
      () => note.getAttribute('data-delivery'),
      (d) => d === 'failed',
      'the note to be refused',
    );
    await screenshot(page, 'mention-refused-toast');

    // The @ list offers only people who may see it now: Sofía (a supervisor), not Bruno.
    await box.pressSequentially('@');
    await pane(page).locator('.mention-list').waitFor({ timeout: WAIT_MS });
    const offered = await pane(page).locator('.mention-list [role="option"]').allTextContents();
    expect(offered.some((o) => o.includes('Sofía'))).toBe(true);
    expect(offered.some((o) => o.includes('Bruno'))).toBe(false);
    await box.fill('');
    await box.press('Escape');
  }, 120_000);

  itLooks(
    CASES,
    () => ana.client.url,
    async (page, c, name) => {
      await page.locator('.view-item[data-view="mine"]').click();
      await row(page, 'Elena Mención').click();
      const note = pane(page).locator('.message-note', { hasText: NOTE });
      await note.waitFor({ timeout: WAIT_MS });
      await note.locator('.failed-reason').focus();
      expect(await note.getByRole('tooltip').textContent()).toContain(c.reason);
      await screenshot(page, `mention-refused-${name}`);
    },
  );
});
