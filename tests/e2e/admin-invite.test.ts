// End to end, inviting a new agent: the admin (at 1024 px) invites Nora to Soporte and copies the
// link shown; Nora opens it in her browser (the server's /invite page), sets a password, signs in on
// a fresh headless client and sees the Soporte unassigned queue. The link works once. The users
// table is also checked in en, es and pt-BR: the role select shows its whole value.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startClientProcess } from '../support/client-process';
import { openView, row, signIn, until, WAIT_MS } from './agent-ui';
import { openBrowser, screenshot } from './chromium';
import { Fixture, type Agent } from './fixture';

/** Role selects whose chosen option does not fit (text wider than the box minus padding and arrow).
 *  Written as page script text: this project's Node typings have no DOM. */
function cutRoleSelects(page: Page): Promise<string[]> {
  return page.evaluate(`(() => {
    const ctx = document.createElement('canvas').getContext('2d');
    return [...document.querySelectorAll('.admin-table select')]
      .filter((el) => {
        const st = getComputedStyle(el);
        ctx.font = st.fontWeight + ' ' + st.fontSize + ' ' + st.fontFamily;
        const text = el.options[el.selectedIndex] ? el.options[el.selectedIndex].text : '';
        const room = el.clientWidth - parseFloat(st.paddingLeft) - parseFloat(st.paddingRight) - 16;
        return ctx.measureText(text).width > room;
      })
      .map((el) => el.options[el.selectedIndex].text);
  })()`);
}

describe('admin invite', () => {
  const f = new Fixture();
  let admin: Agent;

  beforeAll(async () => {
    await f.start();
    admin = await f.agent('admin@demo.test', { viewport: { width: 1024, height: 720 } });
    await f.customer('Quique Salas', 'Hola, ¿me ayudan con el alta?');
  }, 180_000);

  afterAll(() => f.stop());

  it('invites Nora to Soporte; she sets a password once and signs in to the Soporte queue', async () => {
    const page = admin.page;
    await admin.browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(admin.client.url).origin });
    await page.keyboard.press('Shift+D');
    const form = page.getByRole('form', { name: 'Invite someone' });
    await form.getByLabel('Name').fill('Nora Díaz');
    await form.getByLabel('Email').fill('nora@demo.test');
    expect(await form.getByLabel('Role').inputValue()).toBe('agent');
    await form.getByLabel('Soporte').check();
    await form.getByRole('button', { name: 'Create invite link' }).click();
    const notice = form.getByRole('status');
    const link = notice.getByTestId('invite-link');
    await link.waitFor({ timeout: WAIT_MS });
    await notice.getByRole('button', { name: 'Copy' }).click();
    await notice.getByRole('button', { name: 'Copied' }).waitFor({ timeout: WAIT_MS });
    const copied = String(await page.evaluate('navigator.clipboard.readText()'));
    expect(copied).toBe(await link.inputValue());
    expect(copied).toMatch(new RegExp(`^${f.server.url}/invite/[^/]+$`));
    const noraRow = page.locator('tr', { hasText: 'nora@demo.test' });
    expect(await noraRow.locator('.state-pill').textContent()).toBe('Invited');
    await screenshot(page, 'invite-1-link-shown');

    // Nora's browser: two tabs on the link, to try it twice.
    const nora = await openBrowser();
    f.later(() => nora.close());
    const second = await nora.context.newPage();
    await nora.page.goto(copied);
    await second.goto(copied);
    expect(await nora.page.locator('h1').textContent()).toBe('Join Bandeja');
    expect(await nora.page.locator('main').textContent()).toContain(
      'Hi Nora Díaz, choose a password to finish setting up your account (nora@demo.test).',
    );
    await nora.page.getByLabel('Password').fill('nora-clave-1');
    await screenshot(nora.page, 'invite-2-set-password');
    await nora.page.getByRole('button', { name: 'Set password' }).click();
    await until(
      () => nora.page.getByRole('status').textContent(),
      (t) => t === 'Your password is set. Open Bandeja and sign in with nora@demo.test.',
      'the password to be set',
    );
    await screenshot(nora.page, 'invite-3-password-set');

    // The link is spent: the other tab's submit fails, and opening it again says so.
    await second.getByLabel('Password').fill('otra-clave-2');
    await second.getByRole('button', { name: 'Set password' }).click();
    await until(
      () => second.getByRole('status').textContent(),
      (t) => t?.startsWith('The password could not be set.') ?? false,
      'the second use to fail',
    );
    await second.goto(copied);
    expect(await second.locator('main').textContent()).toContain('This invitation link is not valid any more.');
    await screenshot(second, 'invite-4-link-used');

    // The admin sees her active; Nora signs in on a fresh client and has the Soporte queue.
    await until(
      () => noraRow.locator('.state-pill').textContent(),
      (t) => t === 'Active',
      'Nora to be active in the users table',
    );
    const client = await startClientProcess({ serverUrl: f.server.url });
    f.later(() => client.stop());
    const ui = await openBrowser();
    f.later(() => ui.close());
    await signIn(ui.page, client.url, 'nora@demo.test', 'nora-clave-1');
    await ui.page.locator('.view-item[data-view="team:team-soporte"]').waitFor({ timeout: WAIT_MS });
    expect(await ui.page.locator('.view-item[data-view="team:team-ventas"]').count()).toBe(0);
    await openView(ui.page, 'unassigned');
    await row(ui.page, 'Quique Salas').waitFor({ timeout: WAIT_MS });
    await screenshot(ui.page, 'invite-5-nora-signed-in');
    // The password the second tab tried was never stored.
    const refused = await client.ipc
      .call('session.logout', {})
      .then(() => client.ipc.call('session.login', { serverUrl: f.server.url, email: 'nora@demo.test', password: 'otra-clave-2' }));
    expect(refused.ok ? null : refused.error.code).toBe('INVALID_CREDENTIALS');
  });

  it('fits the role select in the users table at 1024 px in en, es and pt-BR', async () => {
    const page = admin.page;
    for (const lang of ['en', 'es', 'pt-BR']) {
      await page.evaluate(
        `localStorage.setItem('bandeja.preferences', ${JSON.stringify(JSON.stringify({ theme: 'light', chosenLanguage: lang }))})`,
      );
      await page.reload();
      // A reload starts on the inbox.
      await page.locator('.sidebar').waitFor({ timeout: WAIT_MS });
      await page.keyboard.press('Shift+D');
      await page.locator('.admin-table select').first().waitFor({ timeout: WAIT_MS });
      expect(await page.locator('html').getAttribute('lang')).toBe(lang);
      expect(await cutRoleSelects(page)).toEqual([]);
      const back = page.locator('.admin-nav .button').first();
      const box = await back.evaluate((el) => ({ over: el.scrollWidth > el.clientWidth + 1, right: el.getBoundingClientRect().right }));
      const navRight = await page.locator('.admin-nav').evaluate((el) => el.getBoundingClientRect().right);
      expect(box.over).toBe(false);
      expect(box.right).toBeLessThanOrEqual(navRight);
      await screenshot(page, `invite-6-users-table-${lang}`);
    }
  });
});
