// End to end: the server's database refuses one of Ana's replies for good (here a trigger stands for a
// value it cannot hold). Ana sees that reply failed with the reason in her words, and the reply she writes
// next is delivered: nothing waits behind the refused one.
import { afterEach, expect, it } from 'vitest';
import { startClientProcess } from '../support/client-process';
import { startServerProcess } from '../support/server-process';
import { freshDemoStore } from '../support/test-store';
import { WebchatCustomer } from '../support/webchat-customer';
import { WRITE_FAULTS } from '../support/write-faults';
import { openView, outgoing, pane, reply, row, signIn, until, WAIT_MS } from './agent-ui';
import { openBrowser, screenshot } from './chromium';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const clean of cleanups.splice(0).reverse()) await clean();
});

it('shows a reply the server cannot store as failed with its reason, and sends the next one', async () => {
  const { db, dataDir } = await freshDemoStore(undefined);
  await db.exec(WRITE_FAULTS);
  await db.close();
  const server = await startServerProcess({ dataDir });
  cleanups.push(() => server.stop());
  const ana = await startClientProcess({ serverUrl: server.url });
  cleanups.push(() => ana.stop());
  const customer = await WebchatCustomer.join(server.url, 'demo', 'Irene Sola');
  cleanups.push(async () => customer.close());
  await customer.say('¿Me ayudan con mi pedido?');

  for (const look of [
    { locale: 'en-US', colorScheme: 'dark' as const, mark: 'Not sent', reason: 'Not sent: The server could not store this action' },
    { locale: 'es-ES', colorScheme: 'light' as const, mark: 'No enviado', reason: 'No enviado: El servidor no pudo guardar esta acción' },
    {
      locale: 'pt-BR',
      colorScheme: 'dark' as const,
      mark: 'Não enviada',
      reason: 'Não enviada: O servidor não conseguiu salvar esta ação',
    },
  ]) {
    const ui = await openBrowser(look);
    cleanups.push(() => ui.close());
    const page = ui.page;
    if (look.locale === 'en-US') {
      await signIn(page, ana.url, 'ana@demo.test');
      await openView(page, 'unassigned');
      await row(page, 'Irene Sola').click();
      await reply(page, 'poison: this reply cannot be stored');
      const failed = outgoing(page, 'poison: this reply cannot be stored');
      await until(
        () => failed.getAttribute('data-delivery'),
        (d) => d === 'failed',
        'the reply to be refused',
        30_000,
      );
      await reply(page, 'Sí, te ayudo ahora mismo.');
      await customer.waitForAgentMessage((m) => m.body === 'Sí, te ayudo ahora mismo.');
      await until(
        () => outgoing(page, 'Sí, te ayudo ahora mismo.').getAttribute('data-delivery'),
        (d) => d !== 'pending' && d !== 'failed',
        'the next reply to be sent',
      );
    } else {
      // Same session, another language and theme: the reason is translated.
      await page.goto(ana.url);
      await page.locator('.sidebar').waitFor({ timeout: WAIT_MS });
      await page.locator('.view-item[data-view="mine"]').click();
      await row(page, 'Irene Sola').click();
    }
    const failed = outgoing(page, 'poison: this reply cannot be stored');
    await failed.waitFor({ timeout: WAIT_MS });
    await failed.getByRole('button', { name: look.mark }).focus();
    const tooltip = failed.getByRole('tooltip');
    expect(await tooltip.textContent()).toContain(look.reason);
    await screenshot(page, `unprocessable-reply-${look.locale}-${look.colorScheme}`);
    expect(await pane(page).locator('.message-out').count()).toBe(2);
    await ui.close();
  }
}, 120_000);
