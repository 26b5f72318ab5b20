// Bundles the Electron main process and the core's worker thread (ESM), and the preload (CommonJS:
// sandboxed preloads cannot be ESM) into dist/main. npm packages stay external in main and the worker
// (native better-sqlite3, PGlite's wasm files); the preload is bundled whole because a sandboxed preload
// can require nothing but 'electron'.
import { cpSync, rmSync } from 'node:fs';
import { build } from 'esbuild';

rmSync('dist/main', { recursive: true, force: true });

const common = { bundle: true, platform: 'node', target: 'node22', sourcemap: true, logLevel: 'warning' };

// The core's thread (src-main/thread/worker.ts) is a file of its own: main.ts starts it as a Worker.
await build({
  ...common,
  entryPoints: { 'electron-main': 'src-main/host/electron/main.ts', 'core-worker': 'src-main/thread/worker.ts' },
  outdir: 'dist/main',
  format: 'esm',
  outExtension: { '.js': '.mjs' },
  packages: 'external',
});

await build({
  ...common,
  entryPoints: { preload: 'src-preload/index.ts' },
  outdir: 'dist/main',
  format: 'cjs',
  outExtension: { '.js': '.cjs' },
  external: ['electron'],
});
// The server's migrations are read at run time next to the bundle (src-server/store/migrate.ts).
cpSync('src-server/store/migrations', 'dist/main/migrations', { recursive: true });
console.log('built dist/main/electron-main.mjs, dist/main/core-worker.mjs and dist/main/preload.cjs');
