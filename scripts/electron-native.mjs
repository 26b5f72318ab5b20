// Builds better-sqlite3's native addon for Electron's ABI into dist/native/electron-<version>/ for
// development runs (`npm start`), leaving node_modules built for Node so `npm test` keeps working.
// Installers get theirs from electron-builder (npmRebuild), so packaged apps do not use this.
import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const electronVersion = JSON.parse(readFileSync(join(root, 'node_modules/electron/package.json'), 'utf8')).version;
const out = join(root, 'dist/native', `electron-${electronVersion}`, 'better_sqlite3.node');

if (existsSync(out)) process.exit(0);

const work = mkdtempSync(join(tmpdir(), 'bandeja-native-'));
const pkg = join(work, 'better-sqlite3');
cpSync(join(root, 'node_modules/better-sqlite3'), pkg, { recursive: true, filter: (src) => !src.includes(`${'/'}build${'/'}`) });
// A global `nodedir` (set on some build machines) would silently build against Node's headers instead.
const env = { ...process.env, npm_config_nodedir: '', npm_config_runtime: 'electron', npm_config_target: electronVersion };
const bin = (name) => join(root, 'node_modules/.bin', name);
try {
  try {
    execFileSync(bin('prebuild-install'), ['--runtime', 'electron', '--target', electronVersion], { cwd: pkg, env, stdio: 'inherit' });
  } catch {
    console.log(`No prebuilt better-sqlite3 for Electron ${electronVersion}; compiling it (about two minutes).`);
    try {
      execFileSync(
        bin('node-gyp'),
        ['rebuild', '--release', '--runtime=electron', `--target=${electronVersion}`, '--dist-url=https://electronjs.org/headers'],
        { cwd: pkg, env, stdio: 'inherit' },
      );
    } catch {
      console.error(
        `Could not get better-sqlite3 for Electron ${electronVersion}: it needs github.com (prebuilt) or electronjs.org (headers).\n` +
          'Without the desktop build, `npm run start:headless -- --demo` runs the same app in a browser.',
      );
      process.exit(1);
    }
  }
  mkdirSync(dirname(out), { recursive: true });
  copyFileSync(join(pkg, 'build/Release/better_sqlite3.node'), out);
  console.log(`Built ${out}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
