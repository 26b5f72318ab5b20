// Fan-out between server processes on one PostgreSQL (issue 13). Every process holds only its own
// sockets; after a commit, the process that made it tells the others through LISTEN/NOTIFY on the
// channel `bandeja_fanout`, and each of them then does locally what it would have done for its own
// commit: pokes the tenant's connections (which read the change log as always), closes an ended
// session's sockets, or hands a webchat message to the visitor's open pages.
//
// A notification carries ids only (never a message text, never a token: a session is named by its token
// hash, as the sessions table holds it), stays far below PostgreSQL's 8,000-byte payload limit, and is
// sent after the commit. Both ends coalesce: the tenants moved during one turn of the event loop leave in
// one NOTIFY statement, and the tenants received during one turn poke each connection once (a connection
// asked again while it catches up makes one more pass, sync/connection.ts catchUp). A process ignores its
// own notifications: it acted on them before sending. When the listening connection is lost and comes
// back, notifications sent meanwhile are lost: every local tenant is poked and every local session is
// checked again.
import type { Db } from '../store/db';

export const FANOUT_CHANNEL = 'bandeja_fanout';

/** A webchat message for a visitor's open pages on other processes (read from the database there). */
export interface VisitorMessage {
  tenantId: string;
  inboxId: string;
  visitorId: string;
  messageId: string;
}

export interface FanoutHandlers {
  /** The tenant's change log moved: poke its connections on this process. */
  tenantsMoved(tenantIds: readonly string[]): void;
  /** A session ended: close its sockets on this process. */
  sessionEnded(tokenHash: string): void;
  /** A message for a visitor: send it to her pages open on this process. */
  visitorMessage(message: VisitorMessage): void;
  /** The listening connection came back after a loss. */
  resync(): void;
}

type Wire =
  | { p: string; t: string[] }
  | { p: string; s: string }
  | { p: string; v: [tenantId: string, inboxId: string, visitorId: string, messageId: string] };

/** Told of every notification sent and received (ops/metrics.ts). */
export interface FanoutCounts {
  sent(payloads: number): void;
  received(kind: 'tenants' | 'session' | 'visitor' | 'ignored'): void;
}

/** Payloads stay well under PostgreSQL's 8,000 bytes; tenant ids are short, so this is many tenants. */
const MAX_PAYLOAD = 7000;

export class FanoutChannel {
  private readonly outTenants = new Set<string>();
  private readonly outOther: Wire[] = [];
  private flushing = false;
  private readonly inTenants = new Set<string>();
  private delivering = false;

  private constructor(
    private readonly db: Db,
    /** This process, so its own notifications are recognised. */
    readonly processId: string,
    private readonly handlers: FanoutHandlers,
    private readonly log: (line: string) => void,
    private readonly counts?: FanoutCounts,
  ) {}

  /** Listens under PostgreSQL; null under PGlite (one process: the in-memory hub is the whole fan-out). */
  static async open(
    db: Db,
    processId: string,
    handlers: FanoutHandlers,
    log: (line: string) => void,
    counts?: FanoutCounts,
  ): Promise<FanoutChannel | null> {
    const channel = new FanoutChannel(db, processId, handlers, log, counts);
    const listening = db.listen(
      FANOUT_CHANNEL,
      (payload) => channel.receive(payload),
      () => handlers.resync(),
    );
    if (!listening) return null;
    await listening;
    return channel;
  }

  tenantMoved(tenantId: string): void {
    this.outTenants.add(tenantId);
    this.schedule();
  }

  sessionEnded(tokenHash: string): void {
    this.outOther.push({ p: this.processId, s: tokenHash });
    this.schedule();
  }

  visitorMessage(m: VisitorMessage): void {
    this.outOther.push({ p: this.processId, v: [m.tenantId, m.inboxId, m.visitorId, m.messageId] });
    this.schedule();
  }

  private schedule(): void {
    if (this.flushing) return;
    this.flushing = true;
    setImmediate(() => void this.flush());
  }

  private async flush(): Promise<void> {
    const payloads: string[] = this.outOther.splice(0).map((w) => JSON.stringify(w));
    let tenants: string[] = [];
    const tenantPayload = () => JSON.stringify({ p: this.processId, t: tenants } satisfies Wire);
    for (const id of this.outTenants) {
      tenants.push(id);
      if (tenantPayload().length > MAX_PAYLOAD) {
        tenants.pop();
        payloads.push(tenantPayload());
        tenants = [id];
      }
    }
    this.outTenants.clear();
    if (tenants.length > 0) payloads.push(tenantPayload());
    this.flushing = false;
    if (payloads.length === 0) return;
    try {
      // One statement for everything this turn produced.
      await this.db.query('SELECT pg_notify($1, payload) FROM unnest($2::text[]) AS payload', [FANOUT_CHANNEL, payloads]);
      this.counts?.sent(payloads.length);
    } catch (e) {
      // The other processes miss this poke; their clients catch up on the next one or on reconnecting.
      this.log(`fan-out notification not sent: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private receive(payload: string): void {
    let wire: Wire;
    try {
      wire = JSON.parse(payload) as Wire;
    } catch {
      this.counts?.received('ignored');
      return this.log('fan-out notification ignored: not JSON');
    }
    if (typeof wire !== 'object' || wire === null || wire.p === this.processId) return this.counts?.received('ignored');
    if ('t' in wire && Array.isArray(wire.t)) {
      this.counts?.received('tenants');
      for (const id of wire.t) if (typeof id === 'string') this.inTenants.add(id);
      if (!this.delivering) {
        this.delivering = true;
        setImmediate(() => {
          this.delivering = false;
          const ids = [...this.inTenants];
          this.inTenants.clear();
          this.handlers.tenantsMoved(ids);
        });
      }
    } else if ('s' in wire && typeof wire.s === 'string') {
      this.counts?.received('session');
      this.handlers.sessionEnded(wire.s);
    } else if ('v' in wire && Array.isArray(wire.v) && wire.v.length === 4 && wire.v.every((x) => typeof x === 'string')) {
      this.counts?.received('visitor');
      const [tenantId, inboxId, visitorId, messageId] = wire.v;
      this.handlers.visitorMessage({ tenantId, inboxId, visitorId, messageId });
    } else this.counts?.received('ignored');
  }
}
