// Renders assets/icon.svg to the PNG icons electron-builder and the tray use (needs /usr/bin/chromium).
import { chromium } from 'playwright-core';
import { readFileSync } from 'node:fs';
const svg = readFileSync('assets/icon.svg', 'utf8');
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
  ],
});
for (const size of [1024, 512, 256, 32, 16]) {
  const page = await browser.newPage({ viewport: { width: size, height: size } });
  await page.setContent(
    `<html><body style="margin:0;background:transparent">${svg.replace('width="1024" height="1024"', `width="${size}" height="${size}"`)}</body></html>`,
  );
  const name = size === 1024 ? 'icon.png' : size >= 256 ? `icon-${size}.png` : `tray-${size}.png`;
  await page.screenshot({ path: `assets/${name}`, omitBackground: true });
  await page.close();
}
await browser.close();
