// An admin sees a person's sessions (device, signed in, last used) in the users section and ends one:
// that device is signed out at once (its client shows "signed out by the server"), the other stays.
// The dialog is also looked at in en, es and pt-BR, light and dark, with nothing cut off at 1024 px.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { Paths } from '../../src-shared/http';
import { startClientProcess, type ClientProcess } from '../support/client-process';
import { startServerProcess, type ServerProcess } from '../support/server-process';
import { until, WAIT_MS } from './agent-ui';
import { openBrowser, screenshot } from './chromium';
import { clipped, closeDialog, itLooks } from './looks';

const CASES = [
  { lang: 'en', locale: 'en-US', sessionsOf: 'Sessions of Sofía', end: 'End session', device: 'In a browser · Linux' },
  { lang: 'es', locale: 'es-ES', sessionsOf: 'Sesiones de Sofía', end: 'Cerrar sesión', device: 'En un navegador · Linux' },
  { lang: 'pt-BR', locale: 'pt-BR', sessionsOf: 'Sessões de Sofía', end: 'Encerrar sessão', device: 'Em um navegador · Linux' },
] as const;

describe('sessions in the admin screen', () => {
  let server: ServerProcess;
  let admin: ClientProcess;
  let sofia: ClientProcess;

  beforeAll(async () => {
    server = await startServerProcess({ demo: true });
    admin = await startClientProcess({ serverUrl: server.url });
    await admin.ipc.ok('session.login', { serverUrl: server.url, email: 'admin@demo.test', password: 'demo1234' });
    sofia = await startClientProcess({ serverUrl: server.url });
    await sofia.ipc.ok('session.login', { serverUrl: server.url, email: 'sofia@demo.test', password: 'demo1234' });
    await sofia.ipc.until('sync.status', {}, (s) => s.state === 'online');
    // A second device of hers, signed in from the desktop app on Windows.
    const res = await fetch(server.url + Paths.login, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'Bandeja/0.1.0 (electron; win32)' },
      body: JSON.stringify({ email: 'sofia@demo.test', password: 'demo1234' }),
    });
    expect(res.status).toBe(200);
  }, 120_000);
  afterAll(async () => {
    await sofia?.stop();
    await admin?.stop();
    await server?.kill();
  });

  async function openSessions(page: Page, sessionsOf: string) {
    await page.keyboard.press('Shift+D');
    await page.getByRole('button', { name: sessionsOf }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByTestId('user-sessions').locator('tbody tr').nth(1).waitFor({ timeout: WAIT_MS });
    return dialog;
  }

  itLooks(
    CASES,
    () => admin.url,
    async (page, c, name) => {
      const dialog = await openSessions(page, c.sessionsOf);
      expect(await dialog.locator('h2').textContent()).toBe(c.sessionsOf);
      const text = await dialog.getByTestId('user-sessions').textContent();
      expect(text).toContain(c.device);
      expect(await dialog.locator('tbody button').first().textContent()).toBe(c.end);
      expect(await clipped(page, '.modal .admin-table td, .modal .button')).toEqual([]);
      await screenshot(page, `look12-sessions-${name}`);
      await closeDialog(page);
    },
  );

  it('ends the session of one device: it is signed out at once, the other stays', async () => {
    const b = await openBrowser({ locale: 'en-US' });
    try {
      const page = b.page;
      await page.setViewportSize({ width: 1024, height: 720 });
      await page.goto(admin.url);
      await page.locator('.sidebar').waitFor({ timeout: WAIT_MS });
      const dialog = await openSessions(page, 'Sessions of Sofía');
      const rows = dialog.getByTestId('user-sessions').locator('tbody tr');
      expect(await rows.count()).toBe(2);
      expect(await dialog.getByTestId('user-sessions').textContent()).toContain('Desktop app · Windows · Bandeja 0.1.0');
      await dialog.getByRole('button', { name: /^End session on In a browser · Linux/ }).click();
      await sofia.ipc.until('sync.status', {}, (s) => s.state === 'signedOut');
      await until(
        () => rows.count(),
        (n) => n === 1,
        'the ended session to leave the list',
      );
      expect(await dialog.getByTestId('user-sessions').textContent()).toContain('Desktop app · Windows');
    } finally {
      await b.close();
    }
  });
});
