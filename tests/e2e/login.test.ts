// End to end: the login screen says what went wrong in the agent's language, by error code.
import { afterEach, describe, expect, it } from 'vitest';
import { startClientProcess } from '../support/client-process';
import { startServerProcess } from '../support/server-process';
import { WAIT_MS } from './agent-ui';
import { openBrowser, screenshot } from './chromium';

describe('login', () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const clean of cleanups.splice(0).reverse()) await clean();
  });

  it('explains a wrong password and an unreachable server, then signs in', async () => {
    const server = await startServerProcess({ demo: true });
    cleanups.push(() => server.kill());
    const ana = await startClientProcess({ serverUrl: server.url });
    cleanups.push(() => ana.stop());
    const ui = await openBrowser({ locale: 'es-ES' });
    cleanups.push(() => ui.close());
    const page = ui.page;

    await page.goto(ana.url);
    await page.getByLabel('Correo electrónico').fill('ana@demo.test');
    await page.getByLabel('Contraseña').fill('wrong-password');
    await page.getByRole('button', { name: 'Entrar' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor({ timeout: WAIT_MS });
    expect(await alert.getAttribute('data-code')).toBe('INVALID_CREDENTIALS');
    expect(await alert.textContent()).toBe('El correo y la contraseña no coinciden. Revísalos e inténtalo de nuevo.');
    await screenshot(page, 'login-es-invalid-credentials');

    // A server address where nothing listens (the server's port after it is gone would race; port 9 is discard).
    await page.getByLabel('Dirección del servidor').fill('http://127.0.0.1:9');
    await page.getByLabel('Contraseña').fill('demo1234');
    await page.getByRole('button', { name: 'Entrar' }).click();
    await page.locator('[role="alert"][data-code="SERVER_UNREACHABLE"]').waitFor({ timeout: WAIT_MS });
    expect(await alert.textContent()).toBe('No se puede conectar con el servidor. Revisa la dirección y tu conexión.');

    await page.getByLabel('Dirección del servidor').fill(server.url);
    await page.getByRole('button', { name: 'Entrar' }).click();
    await page.locator('.view-item[data-view="mine"]', { hasText: 'Mío' }).waitFor({ timeout: WAIT_MS });

    // Signing out comes back to the login screen, which says so.
    await page.getByRole('button', { name: /Cuenta y ajustes de Ana/ }).click();
    await page.getByRole('button', { name: 'Cerrar sesión' }).click();
    await page.getByRole('status').filter({ hasText: 'Cerraste la sesión' }).waitFor({ timeout: WAIT_MS });
    await screenshot(page, 'login-es-signed-out');
  });
});
