// `npm run server -- [--demo] [--port N] [--host H] [--data-dir DIR] [--public-url URL]`; DATABASE_URL selects PostgreSQL.
// --public-url (or BANDEJA_PUBLIC_URL) is the address invitation links use; by default the one each client used.
// BANDEJA_WHATSAPP_PHONE_NUMBER_ID, _TOKEN, _APP_SECRET, _VERIFY_TOKEN (and _GRAPH_URL, _INBOX_ID) connect a
// WhatsApp inbox to the Cloud API (read by startServer; see channels/whatsapp/account.ts).
// Abuse guards (read by startServer): BANDEJA_TRUST_PROXY (behind a TLS proxy: true, a hop count, or its
// addresses), BANDEJA_LIMIT_<NAME>=<max>/<window> (limits/config.ts), BANDEJA_SESSION_IDLE_MS,
// BANDEJA_SESSION_ABSOLUTE_MS, BANDEJA_WEBCHAT_MEDIA_TTL_MS.
// Operations (src-server/ops): logs are pino lines on stderr, JSON under NODE_ENV=production or
// BANDEJA_LOG_FORMAT=json, readable otherwise; BANDEJA_LOG_LEVEL (default info). BANDEJA_METRICS_TOKEN lets
// its bearer read /readyz and /metrics from anywhere (else only from this machine, not through a proxy).
// On SIGTERM /readyz turns 503 at once; BANDEJA_DRAIN_DELAY_MS (default 0) is how long the process then
// keeps serving before it closes, so a load balancer polling /readyz stops sending it new connections first.
// Closing refuses new sockets (503), lets pushes being applied finish and answer (at most PUSH_DRAIN_MS),
// closes every socket with 1012 (clients reconnect at once, to another process) and exits 0; a close that
// hangs anyway ends the process with code 1 after STOP_DEADLINE_MS.
import { homedir } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { PUSH_DRAIN_MS, startServer } from './app';
import { createServerLogger, type Logger } from './ops/logger';

let logger: Logger | null = null;
/** The longest close() may take (pushes finishing, sockets closing, the store closing). */
const STOP_DEADLINE_MS = PUSH_DRAIN_MS + 20_000;

function fail(message: string, code = 2): never {
  if (logger) logger.fatal(message);
  else process.stderr.write(`${message}\n`);
  process.exit(code);
}

const { values } = parseArgs({
  options: {
    demo: { type: 'boolean', default: false },
    port: { type: 'string' },
    host: { type: 'string' },
    'data-dir': { type: 'string' },
    'public-url': { type: 'string' },
  },
  strict: true,
});

const portText = values.port ?? process.env.PORT ?? '8787';
const port = Number(portText);
if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port must be a number from 0 to 65535, not "${portText}".`);
const dataDir = resolve(values['data-dir'] ?? process.env.BANDEJA_DATA_DIR ?? resolve(homedir(), '.bandeja'));

const drainDelayText = process.env.BANDEJA_DRAIN_DELAY_MS ?? '0';
const drainDelayMs = Number(drainDelayText);
if (!Number.isInteger(drainDelayMs) || drainDelayMs < 0 || drainDelayMs > 600_000)
  fail(`BANDEJA_DRAIN_DELAY_MS must be a number of milliseconds from 0 to 600000, not "${drainDelayText}".`);
logger = await createServerLogger().catch((e: unknown) => fail(e instanceof Error ? e.message : String(e)));
const log = logger;
const server = await startServer({
  port,
  host: values.host,
  dataDir,
  databaseUrl: process.env.DATABASE_URL || undefined,
  demo: values.demo,
  publicUrl: (values['public-url'] ?? process.env.BANDEJA_PUBLIC_URL)?.replace(/\/+$/, '') || undefined,
  logger,
}).catch((e: unknown) => fail(`Bandeja server could not start: ${e instanceof Error ? e.message : String(e)}`, 1));

log.info({ port: server.port }, 'listening');
process.stdout.write(`Bandeja server listening on http://127.0.0.1:${server.port}\n`);

let stopping = false;
const stop = (signal: string) => {
  if (stopping) return;
  stopping = true;
  // Not ready from now on; existing sockets and requests are served until close().
  server.drain();
  log.info({ signal, drainDelayMs }, `${signal}: closing`);
  setTimeout(() => {
    setTimeout(() => {
      log.error({ deadlineMs: STOP_DEADLINE_MS }, 'close did not finish in time: exiting');
      process.exit(1);
    }, STOP_DEADLINE_MS).unref();
    server.close().then(
      () => process.exit(0),
      (e: unknown) => {
        log.error({ err: e }, 'close failed');
        process.exit(1);
      },
    );
  }, drainDelayMs);
};
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));
