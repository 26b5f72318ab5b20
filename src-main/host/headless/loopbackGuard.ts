// Who may talk to the headless host: only pages it served itself, reached by its own loopback name. A
// site whose DNS name is re-pointed at 127.0.0.1 (DNS rebinding) reaches this port with its own name in
// Host and Origin; it must get neither the page (and its IPC token) nor the /ipc socket.
import type { IncomingHttpHeaders } from 'node:http';

/** Why a request is refused, as an HTTP status: 421 = not addressed to this host, 403 = another site asks. */
export type LoopbackRefusal = { status: 421; reason: string } | { status: 403; reason: string };

/** The origins of the pages this host serves on `port`. */
export function ownOrigins(port: number): string[] {
  return [`http://127.0.0.1:${port}`, `http://localhost:${port}`];
}

/**
 * Checks one request (or WebSocket upgrade) to the headless host on `port`. Host must be exactly
 * 127.0.0.1:<port> or localhost:<port>; an Origin, when sent, must be exactly one of ours. `needOrigin`:
 * the /ipc upgrade, which browsers always send with an Origin, must have one.
 */
export function refuseForeign(headers: IncomingHttpHeaders, port: number, needOrigin = false): LoopbackRefusal | null {
  const own = ownOrigins(port);
  const host = headers.host?.toLowerCase();
  if (host === undefined || !own.includes(`http://${host}`)) return { status: 421, reason: 'not addressed to this host' };
  const origin = headers.origin;
  if (origin === undefined) return needOrigin ? { status: 403, reason: 'no Origin' } : null;
  if (!own.includes(origin.toLowerCase())) return { status: 403, reason: 'another origin' };
  return null;
}

export const REFUSAL_TEXT: Record<LoopbackRefusal['status'], string> = {
  421: '421 Misdirected Request',
  403: '403 Forbidden',
};
