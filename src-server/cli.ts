// `npm run server -- [--demo] [--port N] [--host H] [--data-dir DIR] [--public-url URL]`; DATABASE_URL selects PostgreSQL.
// --public-url (or BANDEJA_PUBLIC_URL) is the address invitation links use; by default the one each client used.
// BANDEJA_WHATSAPP_PHONE_NUMBER_ID, _TOKEN, _APP_SECRET, _VERIFY_TOKEN (and _GRAPH_URL, _INBOX_ID) connect a
// WhatsApp inbox to the Cloud API (read by startServer; see channels/whatsapp/account.ts).
// Abuse guards (read by startServer): BANDEJA_TRUST_PROXY (behind a TLS proxy: true, a hop count, or its
// addresses), BANDEJA_LIMIT_<NAME>=<max>/<window> (limits/config.ts), BANDEJA_SESSION_IDLE_MS,
// BANDEJA_SESSION_ABSOLUTE_MS, BANDEJA_WEBCHAT_MEDIA_TTL_MS.
import { homedir } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startServer } from './app';

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
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

const log = (line: string) => process.stderr.write(`${line}\n`);
const server = await startServer({
  port,
  host: values.host,
  dataDir,
  databaseUrl: process.env.DATABASE_URL || undefined,
  demo: values.demo,
  publicUrl: (values['public-url'] ?? process.env.BANDEJA_PUBLIC_URL)?.replace(/\/+$/, '') || undefined,
  log,
}).catch((e: unknown) => fail(`Bandeja server could not start: ${e instanceof Error ? e.message : String(e)}`));

process.stdout.write(`Bandeja server listening on http://127.0.0.1:${server.port}\n`);

let stopping = false;
const stop = (signal: string) => {
  if (stopping) return;
  stopping = true;
  log(`${signal}: closing`);
  server.close().then(
    () => process.exit(0),
    (e: unknown) => {
      log(`Close failed: ${e instanceof Error ? e.message : String(e)}`);
      process.exit(1);
    },
  );
};
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));
