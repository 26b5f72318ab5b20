// The settings dialog in Chromium through the headless host: a change this device cannot keep (its
// settings file cannot be written) is said in the dialog, which stays open showing what is kept, and
// nothing changes on disk; turning notifications on from Settings takes down the banner that asked.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until, WAIT_MS } from './agent-ui';
import { screenshot } from './chromium';
import { blockSettingsFile, Fixture, type Agent } from './fixture';

describe('settings', () => {
  const fx = new Fixture();
  let ana: Agent;

  beforeAll(async () => {
    await fx.start();
    ana = await fx.agent('ana@demo.test');
  }, 120_000);
  afterAll(() => fx.stop());

  async function openSettings(): Promise<void> {
    await ana.page.locator('.user-button').click();
    await ana.page.locator('.menu-link[data-action="settings"]').click();
    await ana.page.getByTestId('notification-settings').waitFor({ timeout: WAIT_MS });
  }

  it('a change that cannot be kept is said in the dialog, which stays open; the next one is kept', async () => {
    const page = ana.page;
    await openSettings();
    const sound = page.getByTestId('notification-settings').locator('[data-kind="sound"] input');
    expect(await sound.isChecked()).toBe(true);

    const unblock = blockSettingsFile(ana.client);
    try {
      await sound.click();
      const error = page.getByTestId('settings-error');
      await error.waitFor({ timeout: WAIT_MS });
      expect(await error.textContent()).toBe('This change was not saved: Something went wrong inside Bandeja. Try again.');
      expect(await sound.isChecked()).toBe(true);
      expect(await page.getByRole('dialog', { name: 'Settings' }).isVisible()).toBe(true);
      await screenshot(page, 'settings-not-saved');
    } finally {
      unblock();
    }

    // The disk is back: the same change is kept, and the error goes.
    await sound.click();
    await page.getByTestId('settings-error').waitFor({ state: 'detached', timeout: WAIT_MS });
    // The box follows the kept setting once the host answers (under load, a moment after the error goes).
    await until(
      () => sound.isChecked(),
      (checked) => !checked,
      'the sound box to be unticked',
    );
    const file = join(ana.client.dataDir, 'client', 'settings.json');
    expect(JSON.parse(readFileSync(file, 'utf8')).notifications.sound).toBe(false);
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'detached', timeout: WAIT_MS });
  });

  it('turning notifications on from Settings takes down the banner that asked for them', async () => {
    const page = ana.page;
    const banner = page.getByTestId('notification-prompt');
    await banner.waitFor({ timeout: WAIT_MS });
    await ana.browser.context.grantPermissions(['notifications'], { origin: ana.client.url });
    await openSettings();
    const permission = page.getByTestId('browser-permission');
    await permission.getByRole('button', { name: 'Turn on notifications' }).click();
    await banner.waitFor({ state: 'detached', timeout: WAIT_MS });
    expect(await permission.locator('p').textContent()).toBe('This browser shows Bandeja’s notifications.');
  });

  it('the user menu tells a browser tab where the log file is, in every language and theme; the page’s errors reach that file', async () => {
    const page = ana.page;
    const logFile = join(ana.client.dataDir, 'client', 'logs', 'bandeja.log');
    // An uncaught error in the page is written to the host's log, tagged as the renderer's.
    await page.evaluate(() =>
      setTimeout(() => {
        throw new Error('renderer-boom-for-support');
      }, 0),
    );
    await expect
      .poll(() => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : ''), { timeout: WAIT_MS })
      .toMatch(/"source":"renderer","msg":"[^"]*renderer-boom-for-support/);

    const expected = { en: 'Open the log file', es: 'Abrir el registro', 'pt-BR': 'Abrir o arquivo de log' } as const;
    // The test before leaves its dialog open.
    if (await page.getByRole('dialog').isVisible()) {
      await page.getByRole('dialog').getByRole('button', { name: 'Done' }).click();
      await page.getByRole('dialog').waitFor({ state: 'detached', timeout: WAIT_MS });
    }
    await page.locator('.user-button').click();
    for (const lang of ['en', 'es', 'pt-BR'] as const) {
      await page.locator(`.menu-panel input[name="language"][value="${lang}"]`).check();
      for (const theme of ['light', 'dark'] as const) {
        await page.locator(`.menu-panel input[name="theme"][value="${theme}"]`).check();
        const item = page.locator('.menu-link[data-action="open-log"]');
        expect(await item.textContent()).toBe(expected[lang]);
        await screenshot(page, `user-menu-log-${lang}-${theme}`);
      }
    }
    await page.locator('.menu-panel input[name="language"][value="en"]').check();
    await page.locator('.menu-panel input[name="theme"][value="system"]').check();
    await page.locator('.menu-link[data-action="open-log"]').click();
    const toast = page.locator('.toast-notice[data-notice="supportLog.openedAt"]');
    await toast.waitFor({ timeout: WAIT_MS });
    expect(await toast.locator('span').first().textContent()).toBe(`The log file is at ${logFile}`);
    await screenshot(page, 'user-menu-log-path');
  });
});
