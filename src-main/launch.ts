// Shared start-up of both hosts: reads the flags, starts the embedded server unless --server
// points elsewhere, creates the core and the IPC dispatcher. Must never import electron.
import packageJson from '../package.json';
import { startServer } from '../src-server/app';
import { createCore } from './core';
import type { Host } from './core/host';
import { normalizeServerUrl } from './core/session';
import type { DesktopShell } from './ipc/desktop';
import { createHandlers } from './ipc/dispatch';
import { createDispatch, type Dispatch } from './ipc/dispatcher';
import type { IpcEventEmitter } from './ipc/events';
import { parseLaunchFlags, type LaunchFlags } from './flags';

export { FlagError, LANGS, parseLaunchFlags, type LaunchFlags } from './flags';

/** What a host sees of a launch, in-process (launch) or on the core's thread (thread/launchInWorker). */
export interface Launched {
  flags: LaunchFlags;
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
    dispatch,
    events: core.events,
    defaultServerUrl,
    async close() {
      await core.close();
      if (embedded) await embedded.close();
    },
  };
}
