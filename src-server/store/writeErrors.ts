// Errors by kind: a write that failed for a passing reason (the connection, a serialization conflict, a
// deadlock, a server shutting down) is tried again; any other failure is a definitive answer for that one
// write, so nothing queued behind it waits forever. Used by every path that writes for someone else:
// pushes, webchat messages, webhooks, login and invitations.
import { BandejaError, isBandejaError } from '../../src-shared/errors';

/** SQLSTATE classes and codes that say "try again": 08 connection exception, 40001 serialization failure,
 *  40P01 deadlock, 53 insufficient resources, 55P03 lock not available, 57014 cancelled (timeout),
 *  57P01-57P05 admin or crash shutdown, cannot connect now, idle session timeout. */
const TRANSIENT_SQLSTATE = /^(08...|40001|40P01|53...|55P03|57014|57P0[1-5])$/;
/** Node's network errors (the pg driver raises these when the socket fails). */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
/** The pg driver's and PGlite's own words for a lost or closed connection. */
const CONNECTION_LOST =
  /Connection terminated|connection error|Client was closed|Cannot use a pool after calling end|timeout exceeded when trying to connect|PGlite is closed/i;

function codeOf(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** True when trying the same write again later may succeed. BandejaErrors are answers, never transient. */
export function isTransientWriteError(e: unknown): boolean {
  if (isBandejaError(e)) return false;
  const code = codeOf(e);
  if (code && (TRANSIENT_SQLSTATE.test(code) || NETWORK_CODES.has(code))) return true;
  return e instanceof Error && CONNECTION_LOST.test(e.message);
}

/** What a definitive failure is answered with: the error itself when it is already an answer, else
 *  UNPROCESSABLE (the database's own message may quote what was written, so it is never passed on). */
export function definitiveRefusal(e: unknown): BandejaError {
  if (isBandejaError(e)) return e;
  return new BandejaError('UNPROCESSABLE', 'The server cannot store this: it holds a value the database refuses. It will not be retried.');
}

/** A log line about a failed write that holds no value written (no message text, no address): the
 *  SQLSTATE and where it happened for a database error, the name and first line of anything else. */
export function describeWriteError(e: unknown): string {
  const db = e as { code?: unknown; table?: unknown; column?: unknown; constraint?: unknown; routine?: unknown } | null;
  const code = codeOf(e);
  if (code && /^[0-9A-Z]{5}$/.test(code)) {
    const where = [db?.table, db?.column, db?.constraint, db?.routine].filter((x) => typeof x === 'string' && x).join(' ');
    return `database error ${code}${where ? ` (${where})` : ''}`;
  }
  if (e instanceof Error)
    return `${e.name}${code ? ` ${code}` : ''}: ${e.message.split('\n')[0]}\n${e.stack?.split('\n').slice(1, 6).join('\n') ?? ''}`;
  return String(e);
}
