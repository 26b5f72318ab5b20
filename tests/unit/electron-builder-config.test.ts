// The installers' configuration, checked the way `npm run dist` would check it (electron-builder's own
// validation against its schema) without running the packagers, plus what the issue asks of it.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(__dirname, '../..');
const require = createRequire(join(root, 'package.json'));
const yaml = require('js-yaml') as { load(text: string): unknown };
const { validateConfiguration } = require('app-builder-lib/out/util/config/config') as {
  validateConfiguration(config: unknown, logger: unknown): Promise<void>;
};
const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };

interface BuilderConfig {
  appId: string;
  files: string[];
  asarUnpack: string[];
  npmRebuild: boolean;
  protocols: { name: string; schemes: string[] }[];
  win: { target: string[]; icon: string };
  mac: { target: string[]; icon: string };
  linux: { target: string[]; icon: string };
}

const config = yaml.load(readFileSync(join(root, 'electron-builder.yml'), 'utf8')) as BuilderConfig;

/** Width and height of a PNG, from its IHDR chunk. */
function pngSize(path: string): { width: number; height: number } {
  const bytes = readFileSync(path);
  expect(bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

describe('electron-builder.yml', () => {
  it('passes electron-builder\u2019s own schema validation', async () => {
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined();
    // The validation is real: a wrong key is refused.
    await expect(validateConfiguration({ ...config, nsis: { oneClicks: false } }, new DebugLogger(false))).rejects.toThrow(
      /Invalid configuration/,
    );
  });

  it('builds NSIS, DMG, AppImage and deb, registers bandeja:// and keeps the native SQLite outside the asar', () => {
    expect(config.appId).toBe('org.bandeja.desktop');
    expect(config.win.target).toEqual(['nsis']);
    expect(config.mac.target).toEqual(['dmg']);
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.protocols.flatMap((p) => p.schemes)).toEqual(['bandeja']);
    expect(config.asarUnpack).toContain('node_modules/better-sqlite3/**');
    expect(config.npmRebuild).toBe(true);
    expect(config.files).toEqual(expect.arrayContaining(['dist/**/*', 'assets/**/*']));
  });

  it('has icons big enough for every platform (macOS wants 512 px and up, Windows 256)', () => {
    for (const icon of new Set([config.win.icon, config.mac.icon, config.linux.icon])) {
      const size = pngSize(join(root, icon));
      expect(size.width).toBe(size.height);
      expect(size.width).toBeGreaterThanOrEqual(512);
    }
    expect(pngSize(join(root, 'assets/icon-512.png'))).toEqual({ width: 512, height: 512 });
    expect(pngSize(join(root, 'assets/tray-32.png'))).toEqual({ width: 32, height: 32 });
  });
});
