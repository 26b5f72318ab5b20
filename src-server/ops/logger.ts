// The server's structured log (pino), also Fastify's own request log. JSON lines in production (NODE_ENV=production
// or BANDEJA_LOG_FORMAT=json); readable lines through pino-pretty in development when it is installed (it is a
// devDependency). What may reach a line is decided here, not at each call: requests are logged by method, route
// pattern (never the raw URL, whose path or query may hold an invitation token or a media link's signature),
// status and request id; headers and bodies never; errors by kind, never a database's own words (which may quote a
// value) or a parser's (which may quote the body). Redaction is the second guard for anything a call adds.
import { createRequire } from 'node:module';
import pino, { type DestinationStream, type Logger } from 'pino';
import { describeWriteError } from '../store/writeErrors';

export type { Logger } from 'pino';

/** Keys that must never reach a line, wherever a call puts them (pino redaction paths). */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-hub-signature-256"]',
  'req.query',
  'req.body',
  'headers.authorization',
  'headers.cookie',
  'body',
  'password',
  'token',
  'text',
  'email',
  'phone',
  '*.password',
  '*.token',
  '*.text',
  '*.body',
  '*.email',
  '*.phone',
];

interface LoggedRequest {
  method?: string;
  id?: string;
  ip?: string;
  routeOptions?: { url?: string };
}

/** A request as logged: its route's pattern (`/invite/:token`), never what filled it in. */
export function serializeRequest(req: LoggedRequest): Record<string, unknown> {
  return { method: req.method, route: req.routeOptions?.url ?? '(no route)', remoteAddress: req.ip };
}

/** An error as logged: its kind and where, never a value it may quote. */
export function serializeError(e: unknown): Record<string, unknown> {
  const err = e as { name?: unknown; code?: unknown; statusCode?: unknown } | null;
  return {
    type: typeof err?.name === 'string' ? err.name : typeof e,
    code: typeof err?.code === 'string' ? err.code : undefined,
    statusCode: typeof err?.statusCode === 'number' ? err.statusCode : undefined,
    detail: describeWriteError(e),
  };
}

export type LogFormat = 'json' | 'pretty';

/** JSON in production or when asked (BANDEJA_LOG_FORMAT=json); pretty otherwise, when pino-pretty is there. */
export function logFormat(env: NodeJS.ProcessEnv): LogFormat {
  const asked = env.BANDEJA_LOG_FORMAT;
  if (asked === 'json' || env.NODE_ENV === 'production') return 'json';
  if (asked !== undefined && asked !== 'pretty') throw new Error(`BANDEJA_LOG_FORMAT must be json or pretty, not "${asked}".`);
  return prettyAvailable() ? 'pretty' : 'json';
}

function prettyAvailable(): boolean {
  try {
    createRequire(import.meta.url).resolve('pino-pretty');
    return true;
  } catch {
    return false;
  }
}

export interface ServerLogOptions {
  env?: NodeJS.ProcessEnv;
  /** Where lines go; default stderr (fd 2). */
  destination?: DestinationStream;
}

export const LOG_OPTIONS = {
  redact: { paths: REDACT_PATHS, censor: '[redacted]' },
  serializers: { req: serializeRequest, res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }), err: serializeError },
} as const;

/** The server's logger. Level from BANDEJA_LOG_LEVEL (default info). */
export async function createServerLogger(opts: ServerLogOptions = {}): Promise<Logger> {
  const env = opts.env ?? process.env;
  const level = env.BANDEJA_LOG_LEVEL ?? 'info';
  if (!(level in pino.levels.values) && level !== 'silent') throw new Error(`BANDEJA_LOG_LEVEL must be a pino level, not "${level}".`);
  const options = { ...LOG_OPTIONS, level, base: { pid: process.pid } };
  if (opts.destination) return pino(options, opts.destination);
  if (logFormat(env) === 'json') return pino(options, pino.destination({ fd: 2, sync: true }));
  const { default: pretty } = await import('pino-pretty');
  return pino(options, pretty({ destination: 2, sync: true, ignore: 'pid,hostname', translateTime: 'SYS:HH:MM:ss.l' }));
}

/** A logger that writes nothing (the desktop app's embedded server, which logs through `log` alone). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
