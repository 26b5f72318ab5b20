// The command-line flags both hosts take, parsed and checked. Apart from launch.ts so a host's main
// thread can read them without loading the core or the server (they run on the core's thread).
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { normalizeServerUrl } from './core/session';

export const LANGS = ['en', 'es', 'pt-BR'] as const;

export interface LaunchFlags {
  demo: boolean;
  /** A running server to sync with; null starts the embedded one. */
  server: string | null;
  /** UI port of the headless host (0 picks a free one). */
  port: number;
  /** Port of the embedded server. */
  serverPort: number;
  dataDir: string;
  lang: (typeof LANGS)[number] | null;
}

export class FlagError extends Error {}

function portFlag(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new FlagError(`--${name} must be a port number (0-65535), got "${raw}".`);
  return n;
}

export function parseLaunchFlags(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): LaunchFlags {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        demo: { type: 'boolean' },
        server: { type: 'string' },
        port: { type: 'string' },
        'server-port': { type: 'string' },
        'data-dir': { type: 'string' },
        lang: { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    throw new FlagError((e as Error).message);
  }
  const server = values.server as string | undefined;
  if (server !== undefined) {
    try {
      const url = new URL(server);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http');
    } catch {
      throw new FlagError(`--server must be an http(s) URL such as http://127.0.0.1:8787, got "${server}".`);
    }
  }
  const lang = values.lang as string | undefined;
  if (lang !== undefined && !(LANGS as readonly string[]).includes(lang))
    throw new FlagError(`--lang must be one of ${LANGS.join(', ')}, got "${lang}".`);
  const dataDir = (values['data-dir'] as string | undefined) ?? env.BANDEJA_DATA_DIR ?? join(homedir(), '.bandeja');
  return {
    demo: values.demo === true,
    server: server === undefined ? null : normalizeServerUrl(server),
    port: portFlag('port', values.port as string | undefined, 5174),
    serverPort: portFlag('server-port', values['server-port'] as string | undefined, 8787),
    dataDir: resolve(dataDir),
    lang: (lang as LaunchFlags['lang'] | undefined) ?? null,
  };
}
