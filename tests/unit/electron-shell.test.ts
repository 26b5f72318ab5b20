// The Electron shell cannot run here (no Electron binary), so these check what would break the real app:
// the bundle's imports resolve to installed packages, the preload needs nothing but 'electron',
// the server migrations ship next to the bundle, and Bandeja's flags are told apart from Chromium's.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { electronLaunchArgs } from '../../src-main/host/electron/args';

const root = resolve(__dirname, '../..');
const dist = join(root, 'dist/main');
const require = createRequire(join(root, 'package.json'));

describe('the Electron bundle', () => {
  beforeAll(() => {
    execFileSync(process.execPath, ['scripts/build-main.mjs'], { cwd: root, stdio: 'pipe' });
  });

  it('imports only Node built-ins, electron, and packages that are installed as dependencies', () => {
    const main = readFileSync(join(dist, 'electron-main.mjs'), 'utf8');
    const specs = [...main.matchAll(/^import .*?from "([^"]+)";?$|^import "([^"]+)";?$/gm)].map((m) => (m[1] ?? m[2])!);
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    const packages = [...new Set(specs.filter((s) => !s.startsWith('node:') && s !== 'electron'))];
    expect(packages.length).toBeGreaterThan(0);
    for (const spec of packages) {
      const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;
      // A devDependency would be missing from the installed app.
      expect(pkg.dependencies, `${name} must be a runtime dependency`).toHaveProperty(name);
      expect(() => require.resolve(spec), spec).not.toThrow();
    }
  });

  it('keeps the sandboxed preload free of any require but electron', () => {
    const preload = readFileSync(join(dist, 'preload.cjs'), 'utf8');
    const required = [...preload.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]);
    expect(new Set(required)).toEqual(new Set(['electron']));
    expect(preload).toContain('exposeInMainWorld');
  });

  it('ships the server migrations next to the bundle', () => {
    const shipped = readdirSync(join(dist, 'migrations')).sort();
    expect(shipped).toEqual(readdirSync(join(root, 'src-server/store/migrations')).sort());
  });

  it('points electron at the bundle it builds', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { main: string };
    expect(existsSync(join(root, pkg.main))).toBe(true);
  });
});

describe('Electron launch arguments', () => {
  it('starts no demo unless asked: the packaged app, started bare, asks for its server', () => {
    expect(electronLaunchArgs([])).toEqual([]);
    expect(electronLaunchArgs(['--no-sandbox', '--enable-logging'])).toEqual([]);
    expect(electronLaunchArgs(['--demo'])).toEqual(['--demo']);
  });

  it('`npm start` (a checkout) asks for the demo itself', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.start).toMatch(/electron \. --demo$/);
  });

  it('keeps Bandeja flags with their values and drops Chromium switches', () => {
    expect(electronLaunchArgs(['--no-sandbox', '--server', 'http://10.0.0.2:8787', '--lang=es', '--enable-logging'])).toEqual([
      '--server',
      'http://10.0.0.2:8787',
      '--lang=es',
    ]);
  });

  it('does not add the demo tenant when a server is given', () => {
    expect(electronLaunchArgs(['--server=http://127.0.0.1:8787'])).not.toContain('--demo');
  });
});
