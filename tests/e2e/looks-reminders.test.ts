// The screens of reminders, notification settings and presence in each language and theme, for a person
// to look at: list rows with a reminder time and an overdue one, the conversation's reminder bar (overdue,
// with Done / Dismiss / Change), the Remind me dialog, the Reminders list, the settings dialog (also saying
// a change it could not keep) and the user menu with presence. With the checks a person would make: their
// words, nothing cut off at 1024 px.
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { startClientProcess, type ClientProcess } from '../support/client-process';
import { startServerProcess, type ServerProcess } from '../support/server-process';
import { WebchatCustomer } from '../support/webchat-customer';
import { pane, row, WAIT_MS } from './agent-ui';
import { screenshot } from './chromium';
import { blockSettingsFile } from './fixture';
import { clipped, closeDialog, itLooks } from './looks';

const CASES = [
  {
    lang: 'en',
    locale: 'en-US',
    overdue: 'Overdue:',
    remind: 'Remind me',
    reminders: 'Reminders',
    settings: 'Settings',
    away: 'Away',
    notSaved: 'This change was not saved',
  },
  {
    lang: 'es',
    locale: 'es-ES',
    overdue: 'Vencido:',
    remind: 'Recordarme',
    reminders: 'Recordatorios',
    settings: 'Ajustes',
    away: 'Ausente',
    notSaved: 'Este cambio no se guardó',
  },
  {
    lang: 'pt-BR',
    locale: 'pt-BR',
    overdue: 'Atrasado:',
    remind: 'Lembrar-me',
    reminders: 'Lembretes',
    settings: 'Configurações',
    away: 'Ausente',
    notSaved: 'Esta alteração não foi salva',
  },
] as const;

describe('looks of reminders, notification settings and presence', () => {
  let server: ServerProcess;
  let admin: ClientProcess;
  let customers: WebchatCustomer[] = [];

  beforeAll(async () => {
    server = await startServerProcess({ demo: true });
    admin = await startClientProcess({ serverUrl: server.url });
    await admin.ipc.ok('session.login', { serverUrl: server.url, email: 'admin@demo.test', password: 'demo1234' });
    const marta = await WebchatCustomer.join(server.url, 'demo', 'Marta Souza');
    const pedro = await WebchatCustomer.join(server.url, 'demo', 'Pedro Alves');
    customers = [marta, pedro];
    await marta.say('¿Me avisan cuando llegue el repuesto?');
    await pedro.say('Bom dia, preciso da segunda via da fatura');
    const list = await admin.ipc.until('inbox.list', { view: { kind: 'all' }, status: 'open' }, (l) =>
      ['Marta Souza', 'Pedro Alves'].every((n) => l.some((c) => c.contactName === n)),
    );
    const martaConversation = list.find((c) => c.contactName === 'Marta Souza')!;
    const pedroConversation = list.find((c) => c.contactName === 'Pedro Alves')!;
    // Marta's reminder came due an hour ago (Overdue); Pedro's is tomorrow and keeps nothing snoozed.
    await admin.ipc.ok('reminder.set', {
      conversationId: martaConversation.id,
      dueAt: Date.now() - 3600_000,
      note: 'Llamar al depósito por el repuesto',
      postpone: false,
    });
    await admin.ipc.ok('reminder.set', {
      conversationId: pedroConversation.id,
      dueAt: Date.now() + 26 * 3600_000,
      note: null,
      postpone: false,
    });
    await admin.ipc.until('sync.status', {}, (s) => s.pending === 0);
  }, 120_000);
  afterAll(async () => {
    for (const c of customers) c.close();
    await admin?.stop();
    await server?.kill();
  });

  itLooks(
    CASES,
    () => admin.url,
    async (page, c, name) => {
      await page.locator('.view-item[data-view="all"]').click();

      // The list: Marta's row says Overdue, Pedro's the time.
      const martaRow = row(page, 'Marta Souza');
      await martaRow.locator('[data-testid="row-reminder"] [data-overdue="true"]').waitFor({ timeout: WAIT_MS });
      expect(await martaRow.locator('[data-testid="row-reminder"]').textContent()).toContain(c.overdue);
      await row(page, 'Pedro Alves').locator('[data-testid="row-reminder"] [data-overdue="false"]').waitFor({ timeout: WAIT_MS });
      expect(await clipped(page, '.row-reminder')).toEqual([]);

      // The conversation: the overdue reminder bar with its note and actions.
      await martaRow.click();
      const bar = pane(page).getByTestId('reminder-bar');
      await bar.waitFor({ timeout: WAIT_MS });
      expect(await bar.textContent()).toContain(c.overdue);
      expect(await bar.textContent()).toContain('Llamar al depósito');
      expect(await clipped(page, '.reminder-bar .button, .pane-actions .button')).toEqual([]);
      await screenshot(page, `look5-overdue-${name}`);

      // Remind me: presets with their times, a chosen time, a note, postpone on by default.
      await page.keyboard.press('h');
      const dialog = page.getByRole('dialog');
      await dialog.locator('.reminder-preset').first().waitFor({ timeout: WAIT_MS });
      expect(await dialog.locator('h2').textContent()).toBe(c.remind);
      expect(await dialog.locator('input[type="checkbox"]').isChecked()).toBe(true);
      expect(await clipped(page, '.reminder-preset, .modal .button')).toEqual([]);
      await screenshot(page, `look5-remind-dialog-${name}`);
      await closeDialog(page);

      // My reminders.
      await page.locator('.view-item[data-view="reminders"]').click();
      await page.getByTestId('reminders-list').locator('.reminder-entry').nth(1).waitFor({ timeout: WAIT_MS });
      expect(await page.getByRole('dialog').locator('h2').textContent()).toBe(c.reminders);
      expect(await clipped(page, '.reminder-entry .button')).toEqual([]);
      await screenshot(page, `look5-reminders-${name}`);
      await closeDialog(page);

      // The user menu with presence, then the settings dialog.
      await page.locator('.user-button').click();
      const presence = page.getByTestId('presence-choice');
      await presence.waitFor({ timeout: WAIT_MS });
      expect(await presence.textContent()).toContain(c.away);
      await screenshot(page, `look5-user-menu-${name}`);
      await page.locator('.menu-link[data-action="settings"]').click();
      await page.getByTestId('notification-settings').waitFor({ timeout: WAIT_MS });
      expect(await page.getByRole('dialog').locator('h2').textContent()).toBe(c.settings);
      expect(await clipped(page, '.settings-group .button, .settings-group .check')).toEqual([]);
      await screenshot(page, `look5-settings-${name}`);
      // A change that cannot be kept is said in the dialog.
      const unblock = blockSettingsFile(admin);
      try {
        await page.getByTestId('notification-settings').locator('[data-kind="sound"] input').click();
        await page.getByTestId('settings-error').waitFor({ timeout: WAIT_MS });
        expect(await page.getByTestId('settings-error').textContent()).toContain(c.notSaved);
        expect(await clipped(page, '.settings-group .button, .settings-group .check')).toEqual([]);
        await screenshot(page, `look5-settings-not-saved-${name}`);
      } finally {
        unblock();
      }
      await closeDialog(page);
    },
  );
});
