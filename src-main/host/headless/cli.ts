// `npm run start:headless -- [--demo] [--server URL] [--port N] [--server-port N] [--data-dir DIR] [--lang en|es|pt-BR]`
// The agent UI in any browser: the real core and IPC, served on loopback.
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { openAppLog, type AppLog } from '../../core/appLog';
import { FlagError, parseLaunchFlags } from '../../flags';
import { launchInWorker } from '../../thread/launchInWorker';
import { createHeadlessHost, type HeadlessHost } from './host';
import { startHeadlessServer } from './server';

const rendererDir = fileURLToPath(new URL('../../../dist/renderer', import.meta.url));
const echo = (line: string) => process.stderr.write(`${line}\n`);
let logFile: AppLog | null = null;

function fail(message: string, code: number): never {
  if (logFile) logFile.lines('main', 'error')(message);
  else echo(message);
  logFile?.flush();
  process.exit(code);
}

// The log file (core/appLog.ts) lives in the data folder the flags name; bad flags are said on stderr alone.
let flags: ReturnType<typeof parseLaunchFlags>;
try {
  flags = parseLaunchFlags(process.argv.slice(2), process.env);
} catch (e) {
  fail(e instanceof Error ? e.message : String(e), e instanceof FlagError ? 2 : 1);
}
const appLog = (logFile = openAppLog(flags.dataDir, { echo }));
const log = appLog.lines('main');

let host: HeadlessHost | null = null;
// The core and the embedded server run on their own thread; this one serves the UI and its socket.
const app = await launchInWorker({
  argv: process.argv.slice(2),
  makeHost: (dataDir) => (host = createHeadlessHost(dataDir, log)),
  log,
  coreLog: appLog.lines('core'),
  supportLog: { path: appLog.path, rendererError: appLog.lines('renderer', 'error') },
  onServerReady: (url) => process.stdout.write(`Bandeja server listening on ${url}\n`),
  // Logged already; without its core the host has nothing left to serve.
  onCrash: (e) => fail(`Bandeja stopped: ${e.message}`, 1),
}).catch((e: unknown) =>
  e instanceof FlagError ? fail(e.message, 2) : fail(`Bandeja could not start: ${e instanceof Error ? e.message : String(e)}`, 1),
);

// Tests set BANDEJA_IPC_TOKEN to talk to the host without reading the page.
const token = process.env.BANDEJA_IPC_TOKEN || randomBytes(32).toString('base64url');
const ui = await startHeadlessServer({
  port: app.flags.port,
  rendererDir,
  token,
  dispatch: app.dispatch,
  events: app.events,
  log,
}).catch(async (e: unknown) => {
  await app.close();
  return fail(`Bandeja headless UI could not start on port ${app.flags.port}: ${e instanceof Error ? e.message : String(e)}`, 1);
});

// Only now: the server listens for notification.show and keeps what no page has shown yet, so the
// notifications the host kept during start-up (a reminder that came due while closed) are not lost.
host!.showNotificationsOn(app.events);

process.stdout.write(`Bandeja headless UI on ${ui.url}\n`);

let stopping = false;
function stop(signal: string): void {
  if (stopping) return;
  stopping = true;
  log(`${signal}: closing`);
  ui.close()
    .then(() => app.close())
    .then(
      () => {
        appLog.flush();
        process.exit(0);
      },
      (e: unknown) => {
        log(`Close failed: ${e instanceof Error ? e.message : String(e)}`);
        appLog.flush();
        process.exit(1);
      },
    );
}
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));
