// Shared start-up of both hosts: reads the flags and the server remembered from the last sign-in, starts
// the embedded demo server only when asked (--demo, a demo chosen before, or demo.start from the sign-in
// screen), creates the core and the IPC dispatcher. Must never import electron.
import packageJson from '../package.json';
import { BandejaError } from '../src-shared/errors';
import type { DemoLogin } from '../src-shared/ipc';
import { startServer } from '../src-server/app';
import { DEMO, DEMO_PASSWORD } from '../src-server/demo';
import { createCore, type LocalDemo } from './core';
import type { Host } from './core/host';
import { planStart } from './core/serverChoice';
import { normalizeServerUrl } from './core/session';
import { readSettings } from './core/settings';
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
  /** The sign-in screen's address at start; null on a first run (the screen asks). */
  defaultServerUrl: string | null;
  /** Stops sync, closes the mirror, then the embedded server (if any). */
  close(): Promise<void>;
}

export interface LaunchOptions {
  argv: readonly string[];
  env?: NodeJS.ProcessEnv;
  makeHost: (dataDir: string) => Host;
  log?: (message: string) => void;
  /** Called with the embedded server's URL once it listens, at launch or when asked (hosts print their
   *  ready line). */
  onServerReady?: (url: string) => void;
  /** The host's windows, layouts and login item (Electron); the headless host has none. */
  shell?: DesktopShell;
}

/** The demo tenant's logins, as the sign-in screen lists them. Their password is published. */
const DEMO_LOGINS: DemoLogin[] = DEMO.users.map((u) => ({ email: u.email, name: u.name, role: u.role, password: DEMO_PASSWORD }));

export async function launch(opts: LaunchOptions): Promise<Launched> {
  const log = opts.log ?? ((m: string) => console.error(m));
  const flags = parseLaunchFlags(opts.argv, opts.env);
  const plan = planStart(flags, readSettings(flags.dataDir).server);
  let embedded: { url: string; close(): Promise<void> } | null = null;
  let starting: Promise<string> | null = null;
  const startDemo = (port: number): Promise<string> =>
    (starting ??= startServer({
      port,
      host: '127.0.0.1',
      dataDir: flags.dataDir,
      databaseUrl: opts.env?.DATABASE_URL ?? process.env.DATABASE_URL,
      demo: true,
      log,
    }).then(
      (started) => {
        embedded = started;
        opts.onServerReady?.(started.url);
        return normalizeServerUrl(started.url);
      },
      (e: unknown) => {
        starting = null;
        throw e;
      },
    ));
  if (plan.demoPort !== null) await startDemo(plan.demoPort);
  const localDemo: LocalDemo | undefined =
    plan.localDemo === 'unavailable'
      ? undefined
      : {
          url: () => (embedded ? normalizeServerUrl(embedded.url) : null),
          async start() {
            try {
              return { serverUrl: await startDemo(flags.serverPort), logins: DEMO_LOGINS };
            } catch (e) {
              log(`The local demo could not start: ${e instanceof Error ? e.message : String(e)}`);
              throw new BandejaError(
                'INTERNAL',
                `The local demo could not start on port ${flags.serverPort} (is another Bandeja using it?). The details are in the log.`,
              );
            }
          },
        };
  const host = opts.makeHost(flags.dataDir);
  const core = createCore({
    host,
    lang: flags.lang,
    defaultServerUrl: plan.serverUrl,
    localDemo,
    version: packageJson.version,
    log,
  });
  await core.ready;
  const dispatch = createDispatch(createHandlers(core, opts.shell), log);
  return {
    flags,
    dispatch,
    events: core.events,
    defaultServerUrl: core.info().defaultServerUrl,
    async close() {
      await core.close();
      await starting?.catch(() => undefined);
      if (embedded) await embedded.close();
    },
  };
}
