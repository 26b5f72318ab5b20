// Shared start-up of both hosts: reads the flags, starts the embedded server unless --server
// points elsewhere, creates the core and the IPC dispatcher. Must never import electron.
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import packageJson from '../package.json';
import { startServer } from '../src-server/app';
import { createCore, type Core } from './core';
import type { Host } from './core/host';
import { normalizeServerUrl } from './core/session';
import type { DesktopShell } from './ipc/desktop';
import { createDispatch, createHandlers, type Dispatch } from './ipc/dispatch';
import type { IpcEventEmitter } from './ipc/events';

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

export interface Launched {
  flags: LaunchFlags;
  core: Core;
  dispatch: Dispatch;
  events: IpcEventEmitter;
  defaultServerUrl: string;
  /** Stops sync, closes the mirror, then the embedded server (if any). */
  close(): Promise<void>;
}

export interface LaunchOptions {
  argv: readonly string[];
  env?: NodeJS.ProcessEnv;
  makeHost: (dataDir: string) => Host;
  log?: (message: string) => void;
  /** Called with the embedded server's URL once it listens (hosts print their ready line). */
  onServerReady?: (url: string) => void;
  /** The host's windows, layouts and login item (Electron); the headless host has none. */
  shell?: DesktopShell;
}

export async function launch(opts: LaunchOptions): Promise<Launched> {
  const log = opts.log ?? ((m: string) => console.error(m));
  const flags = parseLaunchFlags(opts.argv, opts.env);
  let embedded: { url: string; close(): Promise<void> } | null = null;
  let defaultServerUrl: string;
  if (flags.server) {
    defaultServerUrl = flags.server;
  } else {
    const started = await startServer({
      port: flags.serverPort,
      host: '127.0.0.1',
      dataDir: flags.dataDir,
      databaseUrl: opts.env?.DATABASE_URL ?? process.env.DATABASE_URL,
      demo: flags.demo,
      log,
    });
    embedded = started;
    opts.onServerReady?.(started.url);
    defaultServerUrl = normalizeServerUrl(started.url);
  }
  const host = opts.makeHost(flags.dataDir);
  const core = createCore({ host, lang: flags.lang, defaultServerUrl, version: packageJson.version, log });
  await core.ready;
  const dispatch = createDispatch(createHandlers(core, opts.shell), log);
  return {
    flags,
    core,
    dispatch,
    events: core.events,
    defaultServerUrl,
    async close() {
      await core.close();
      if (embedded) await embedded.close();
    },
  };
}
