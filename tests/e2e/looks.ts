// Screens in every language and theme, for a person to look at, with the checks a person would make:
// the page speaks their language, and nothing meant to be read whole is cut off at the narrowest
// supported width (1024 px).
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { WAIT_MS } from './agent-ui';
import { openBrowser } from './chromium';

export const THEMES = ['light', 'dark'] as const;

/** A language the UI speaks, and the browser locale that asks for it. */
export interface Look {
  lang: 'en' | 'es' | 'pt-BR';
  locale: string;
}

/** One test per language and theme: a fresh Chromium in that locale and colour scheme, 1024×720, opens
 *  `url()` signed in, is checked to speak the language, and `look` runs on it (`name` is `<lang>-<theme>`,
 *  for screenshot names). The browser is closed when the test ends. */
export function itLooks<C extends Look>(
  cases: readonly C[],
  url: () => string,
  look: (page: Page, c: C, name: string) => Promise<void>,
): void {
  for (const c of cases)
    for (const theme of THEMES)
      it(`${c.lang} ${theme}`, { timeout: 120_000 }, async () => {
        const b = await openBrowser({ locale: c.locale, colorScheme: theme });
        try {
          const page = b.page;
          await page.setViewportSize({ width: 1024, height: 720 });
          await page.goto(url());
          await page.locator('.sidebar').waitFor({ timeout: WAIT_MS });
          expect(await page.locator('html').getAttribute('lang')).toBe(c.lang);
          await look(page, c, `${c.lang}-${theme}`);
        } finally {
          await b.close();
        }
      });
}

/** The elements matching `selector` whose content is cut off (scrolled or clipped): the start of each. */
export async function clipped(page: Page, selector: string): Promise<string[]> {
  return page.$$eval(selector, (els) =>
    els
      .filter((el) => el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1)
      .map((el) => el.outerHTML.slice(0, 120)),
  );
}

/** Escape closes the dialog that is open. */
export async function closeDialog(page: Page): Promise<void> {
  await page.keyboard.press('Escape');
  await page.getByRole('dialog').waitFor({ state: 'detached', timeout: WAIT_MS });
}
