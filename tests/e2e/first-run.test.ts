// End to end: the first run of the headless host started without --server or --demo and with nothing
// saved. The sign-in screen asks for the server's address; a malformed one and one that is not a Bandeja
// server are explained; a real server's address signs in. "Try the local demo" says it is a demo, starts
// it on request, and signs in with one of its published logins. Screens in en, es, pt-BR, light and dark.
import { createServer, type Server } from 'node:http';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startClientProcess, type ClientProcess } from '../support/client-process';
import { startServerProcess, type ServerProcess } from '../support/server-process';
import { openView, row, WAIT_MS } from './agent-ui';
import { openBrowser, screenshot, type Browser } from './chromium';
import { clipped, THEMES } from './looks';

const CASES = [
  { lang: 'en', locale: 'en-US', title: 'Sign in to Bandeja', tryDemo: 'Try the local demo', demoAs: 'Sign in to the demo as' },
  { lang: 'es', locale: 'es-ES', title: 'Iniciar sesión en Bandeja', tryDemo: 'Probar la demo local', demoAs: 'Entrar a la demo como' },
  {
    lang: 'pt-BR',
    locale: 'pt-BR',
    title: 'Entrar no Bandeja',
    tryDemo: 'Experimentar a demonstração local',
    demoAs: 'Entrar na demonstração como',
  },
] as const;

describe('first run', () => {
  let server: ServerProcess;
  let fresh: ClientProcess;
  let other: Server;
  let otherUrl = '';
  const browsers: Browser[] = [];
  const pages: { page: Page; name: string; c: (typeof CASES)[number] }[] = [];

  beforeAll(async () => {
    [server, fresh] = await Promise.all([
      startServerProcess({ demo: true }),
      // No --server, no --demo, a fresh data folder: what the packaged app does on its first start.
      startClientProcess({ serverUrl: null, args: ['--server-port', '0'] }),
    ]);
    // Some other web server: a page for everything, nothing at /api/health.
    other = createServer((_req, res) => {
      res.writeHead(404, { 'content-type': 'text/html' });
      res.end('<h1>Not found</h1>');
    });
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    otherUrl = `http://127.0.0.1:${(other.address() as { port: number }).port}`;
    for (const c of CASES)
      for (const theme of THEMES) {
        const b = await openBrowser({ locale: c.locale, colorScheme: theme });
        browsers.push(b);
        await b.page.setViewportSize({ width: 1024, height: 720 });
        pages.push({ page: b.page, name: `${c.lang}-${theme}`, c });
      }
  }, 180_000);
  afterAll(async () => {
    for (const b of browsers) await b.close();
    await fresh?.stop();
    await server?.kill();
    await new Promise((resolve) => other?.close(resolve));
  });

  it('asks for the server and offers the demo, saying it is one, in every language and theme', { timeout: 120_000 }, async () => {
    // Nothing was started for the demo (its server prints its line only once started).
    expect(fresh.stderr()).not.toContain('Seeded the demo tenant');
    for (const { page, name, c } of pages) {
      await page.goto(fresh.url);
      await page.getByRole('heading', { name: c.title }).waitFor({ timeout: WAIT_MS });
      expect(await page.locator('html').getAttribute('lang')).toBe(c.lang);
      const address = page.locator('input[name="serverUrl"]');
      expect(await address.inputValue()).toBe('');
      await expect.poll(() => address.evaluate((el) => el.ownerDocument.activeElement === el)).toBe(true);
      await page.getByRole('button', { name: c.tryDemo }).waitFor({ timeout: WAIT_MS });
      await screenshot(page, `first-run-${name}`);
      // A bare host name is refused on the screen, before anything is asked of the core.
      await address.fill('bandeja.example.com');
      await page.locator('form button[type="submit"]').click();
      await page.locator('.field-error[data-problem="scheme"]').waitFor({ timeout: WAIT_MS });
      expect(await address.getAttribute('aria-invalid')).toBe('true');
      expect(await clipped(page, '.login-card, .login-demo, .field-error')).toEqual([]);
      await screenshot(page, `first-run-address-${name}`);
    }
  });

  it(
    'explains a wrong address, signs in to a real server, then starts the local demo and signs in to it',
    { timeout: 300_000 },
    async () => {
      const { page } = pages.find((p) => p.name === 'es-light')!;
      await page.goto(fresh.url);
      const alert = page.locator('.form-error[role="alert"]');
      const address = page.getByLabel('Dirección del servidor');
      await address.fill('bandeja.example.com');
      await page.getByRole('button', { name: 'Entrar', exact: true }).click();
      expect(await page.locator('.field-error').textContent()).toBe(
        'Empieza la dirección con https:// (o http:// en tu propia red), por ejemplo https://bandeja.ejemplo.com.',
      );

      // Some other web server: it answers, but not as Bandeja, and gets no password.
      await address.fill(otherUrl);
      await page.getByLabel('Correo electrónico').fill('ana@demo.test');
      await page.getByLabel('Contraseña').fill('demo1234');
      await page.getByRole('button', { name: 'Entrar', exact: true }).click();
      await page.locator('[role="alert"][data-code="NOT_A_BANDEJA_SERVER"]').waitFor({ timeout: WAIT_MS });
      expect(await alert.textContent()).toBe(
        'Esta dirección responde, pero no es un servidor de Bandeja. Confirma la dirección con quien administra el servidor de tu equipo.',
      );
      await screenshot(page, 'first-run-es-not-bandeja');

      // The real server: signed in.
      await address.fill(server.url);
      await page.getByRole('button', { name: 'Entrar', exact: true }).click();
      await page.locator('.view-item[data-view="mine"]', { hasText: 'Mío' }).waitFor({ timeout: WAIT_MS });
      expect((await fresh.ipc.ok('session.get', {}))?.serverUrl).toBe(server.url);
      expect(fresh.stderr()).not.toContain('Seeded the demo tenant');

      // Signed out, the server chosen is still the address; the demo is still only offered.
      await page.getByRole('button', { name: /Cuenta y ajustes de Ana/ }).click();
      await page.getByRole('button', { name: 'Cerrar sesión' }).click();
      await page.getByRole('status').filter({ hasText: 'Cerraste la sesión' }).waitFor({ timeout: WAIT_MS });
      expect(await address.inputValue()).toBe(server.url);

      await page.getByRole('button', { name: 'Probar la demo local' }).click();
      // Its first start migrates and seeds a fresh store: seconds, or much more on a loaded machine.
      await page.getByText('La demo local está funcionando en esta computadora').waitFor({ timeout: 150_000 });
      expect(fresh.stderr()).toContain('Seeded the demo tenant');
      await screenshot(page, 'first-run-es-demo-running');
      await page.getByRole('button', { name: 'Ana · Agente' }).click();
      await page.locator('.view-item[data-view="mine"]', { hasText: 'Mío' }).waitFor({ timeout: WAIT_MS });
      const session = await fresh.ipc.ok('session.get', {});
      expect(session?.user.email).toBe('ana@demo.test');
      expect(session?.serverUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(session?.serverUrl).not.toBe(server.url);
      // The demo's own conversation (João on WhatsApp) reaches her inbox from the local demo server.
      await openView(page, 'mine');
      await row(page, 'João').waitFor({ timeout: WAIT_MS });
    },
  );

  it('lists the demo logins once the demo runs, in every language and theme', { timeout: 120_000 }, async () => {
    await fresh.ipc.ok('session.logout', {});
    for (const { page, name, c } of pages) {
      await page.goto(fresh.url);
      await page.getByRole('heading', { name: c.demoAs }).waitFor({ timeout: WAIT_MS });
      expect(await page.locator('.demo-logins button').count()).toBe(4);
      expect(await clipped(page, '.login-card, .login-demo, .demo-logins button')).toEqual([]);
      await screenshot(page, `first-run-demo-${name}`);
    }
  });
});
