// Debian's Chromium driven by playwright-core, a context of its own per browser, and the
// screenshot folder the end-to-end tests write to (git-ignored).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser as ChromiumBrowser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll } from 'vitest';

export const SCREENSHOTS = resolve(__dirname, '../.artifacts/screenshots');
const ROOT = resolve(__dirname, '../..');

function newestSource(dir: string): number {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const st = statSync(path);
    newest = Math.max(newest, st.isDirectory() ? newestSource(path) : st.mtimeMs);
  }
  return newest;
}

let built = false;
/** `npm test` builds the renderer first; when a single e2e file is run alone, build it here if
 *  dist/renderer is missing or older than the sources, so the test never drives a stale UI. */
export function ensureRendererBuilt(): void {
  if (built) return;
  let builtAt = 0;
  try {
    builtAt = statSync(join(ROOT, 'dist/renderer/index.html')).mtimeMs;
  } catch {
    // Not built yet.
  }
  const sourcesAt = Math.max(newestSource(join(ROOT, 'src-renderer')), newestSource(join(ROOT, 'src-shared')));
  if (builtAt < sourcesAt) {
    const vite = spawnSync(
      process.execPath,
      [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'src-renderer/vite.config.ts'],
      {
        cwd: ROOT,
        encoding: 'utf8',
      },
    );
    if (vite.status !== 0) throw new Error(`Building the renderer failed:\n${vite.stdout}\n${vite.stderr}`);
  }
  built = true;
}

/** Chromium's fake microphone (a tone), allowed without a prompt: for voice note tests. */
export const FAKE_MICROPHONE = ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'];

const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export interface Browser {
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

// One Chromium process per test file and set of flags; each openBrowser() gets its own context in it
// (cookies, localStorage, caches and permissions of its own, as a fresh profile has) instead of launching
// a new Chromium, which costs a second or two each. Closed when the file's tests end.
const launched = new Map<string, Promise<ChromiumBrowser>>();

function chromiumWith(args: string[]): Promise<ChromiumBrowser> {
  const key = args.join(' ');
  let browser = launched.get(key);
  if (!browser) {
    browser = chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: [...ARGS, ...args] });
    launched.set(key, browser);
  }
  return browser;
}

afterAll(async () => {
  const browsers = [...launched.values()];
  launched.clear();
  for (const b of browsers) await (await b.catch(() => null))?.close();
});

/** A fresh Chromium page in a context of its own (so localStorage, cookies, caches are its own). */
export async function openBrowser(opts: { locale?: string; colorScheme?: 'light' | 'dark'; args?: string[] } = {}): Promise<Browser> {
  ensureRendererBuilt();
  const browser = await chromiumWith(opts.args ?? []);
  const context = await browser.newContext({
    viewport: { width: 1280, height: 800 },
    locale: opts.locale ?? 'en-US',
    colorScheme: opts.colorScheme ?? 'light',
  });
  const page = await context.newPage();
  // A page error is a bug the test should show, not hide.
  page.on('pageerror', (e) => console.error('[page error]', e));
  return {
    context,
    page,
    async close() {
      await context.close().catch(() => undefined);
    },
  };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
}
