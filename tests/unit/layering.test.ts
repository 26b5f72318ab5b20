// Imports only go downward (docs/ARCHITECTURE.md): this test reads every source file's imports.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative, resolve, dirname } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(__dirname, '../..');
const NODE_BUILTINS = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(root, dir))) {
    const path = join(dir, name);
    const st = statSync(join(root, path));
    if (st.isDirectory()) {
      if (name !== 'node_modules') out.push(...sourceFiles(path));
    } else if (/\.(ts|tsx|mts)$/.test(name)) out.push(path);
  }
  return out;
}

function importsOf(file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  const specs: string[] = [];
  const re = /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s*['"]([^'"]+)['"]/gm;
  for (const m of text.matchAll(re)) specs.push((m[1] ?? m[2] ?? m[3])!);
  return specs;
}

/** The top-level folder a relative import lands in, or the package name for a bare import. */
function target(file: string, spec: string): { folder?: string; pkg?: string } {
  if (!spec.startsWith('.')) return { pkg: spec };
  const abs = relative(root, resolve(root, dirname(file), spec));
  return {
    folder: abs
      .split(/[\\/]/)
      .slice(0, abs.startsWith('src-main') ? 3 : 1)
      .join('/'),
  };
}

function violations(dir: string, rule: (file: string, t: { folder?: string; pkg?: string }, spec: string) => string | null): string[] {
  const found: string[] = [];
  for (const file of sourceFiles(dir))
    for (const spec of importsOf(file)) {
      const why = rule(file, target(file, spec), spec);
      if (why) found.push(`${file}: ${spec} (${why})`);
    }
  return found;
}

const exists = (dir: string) => {
  try {
    return statSync(join(root, dir)).isDirectory();
  } catch {
    return false;
  }
};

describe('layering', () => {
  it('keeps src-shared pure: no Node, Electron, DOM libraries or other layers', () => {
    const bad = violations('src-shared', (_f, t, spec) => {
      if (t.pkg && (NODE_BUILTINS.has(spec) || spec === 'electron' || spec.startsWith('react'))) return 'platform import';
      if (t.folder && !t.folder.startsWith('src-shared')) return 'imports another layer';
      return null;
    });
    expect(bad).toEqual([]);
  });

  it('imports electron only in the Electron host and the preload', () => {
    const bad = ['src-main', 'src-server', 'src-renderer', 'src-shared']
      .filter(exists)
      .flatMap((dir) =>
        violations(dir, (file, t) =>
          t.pkg === 'electron' && !file.startsWith(join('src-main', 'host', 'electron')) ? 'electron outside the Electron host' : null,
        ),
      );
    expect(bad).toEqual([]);
  });

  it('lets the renderer and preload import only the shared contract', () => {
    const bad = ['src-renderer', 'src-preload'].filter(exists).flatMap((dir) =>
      violations(dir, (file, t, spec) => {
        // Sounds and images from assets/ are data the bundler copies, not code of another layer.
        const asset = t.folder === 'assets' && !/\.[cm]?[jt]sx?$/.test(spec);
        if (t.folder && !t.folder.startsWith(dir) && t.folder !== 'src-shared' && !asset) return 'imports another layer';
        if (dir === 'src-renderer' && t.pkg && NODE_BUILTINS.has(spec) && !file.endsWith('vite.config.ts'))
          return 'Node import in the renderer';
        return null;
      }),
    );
    expect(bad).toEqual([]);
  });

  it('keeps the server and the client main apart (only the launcher starts the embedded server)', () => {
    const server = exists('src-server')
      ? violations('src-server', (_f, t) =>
          t.folder && /^src-(main|renderer|preload)/.test(t.folder) ? 'server imports a client layer' : null,
        )
      : [];
    const main = exists('src-main')
      ? violations('src-main', (file, t) => {
          if (t.folder?.startsWith('src-renderer') || t.folder?.startsWith('src-preload')) return 'main imports the renderer or preload';
          if (t.folder?.startsWith('src-server') && file !== join('src-main', 'launch.ts'))
            return 'only src-main/launch.ts may start the server';
          return null;
        })
      : [];
    expect([...server, ...main]).toEqual([]);
  });

  it('never lets the client core import the hosts or IPC above it', () => {
    const bad = exists('src-main/core')
      ? violations('src-main/core', (_f, t) =>
          t.folder && (t.folder.startsWith('src-main/host') || t.folder.startsWith('src-main/ipc'))
            ? 'core imports a layer above it'
            : null,
        )
      : [];
    expect(bad).toEqual([]);
  });
});
