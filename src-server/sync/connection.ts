// One client's /sync socket: hello, bootstrap, catch-up and pushes, strictly in arrival order.
import type { WebSocket } from 'ws';
import type { ErrorBody } from '../../src-shared/errors';
import {
  CLIENT_FRAME_TYPES,
  ClientFrame,
  CloseCode,
  MAX_FRAME_BYTES,
  PROTOCOL_VERSION,
  SCHEMA_VERSION,
  parseFrame,
  type Hello,
  type Push,
  type ServerFrame,
} from '../../src-shared/protocol';
import { tokenHash, type Sessions } from '../auth/sessions';
import { handshakeFromEnv } from '../limits/config';
import { listMessages } from '../store/conversations';
import type { Db } from '../store/db';
import { getUser, publicUser, viewerOf, type UserWithTenant } from '../store/directory';
import { getTenant } from '../store/tenants';
import { changeFeed } from './feed';
import type { SyncHub } from './hub';
import type { AfterCommit } from './mutators';
import type { PresenceTracker } from './presence';
import { lastMutationId, processPush } from './push';
import { streamSnapshot, type SnapshotSink } from './snapshot';
import { chunkOps, visibleOps } from './visibleChanges';

export const CHANGE_PAGE_ROWS = 1000;
/** Time and frames a socket gets before its hello (BANDEJA_HANDSHAKE_TIMEOUT_MS, BANDEJA_HANDSHAKE_MAX_FRAMES). */
const HANDSHAKE = handshakeFromEnv(process.env);
// Frames we send stay well under the peer's MAX_FRAME_BYTES.
const FRAME_BUDGET = Math.floor(MAX_FRAME_BYTES / 2);
/** Snapshot bytes sent ahead of what the client has read (see paced): about 7,000 messages, a few
 *  seconds of applying. BANDEJA_SNAPSHOT_WINDOW_BYTES sets another (tests page a small store with it). */
export const SNAPSHOT_WINDOW_BYTES = Number(process.env.BANDEJA_SNAPSHOT_WINDOW_BYTES) || 2 * 1024 * 1024;

export interface ConnectionDeps {
  db: Db;
  hub: SyncHub;
  log: (line: string) => void;
  afterCommit: (effects: AfterCommit[]) => void;
  presence: PresenceTracker;
  sessions: Sessions;
  /** Told each push's results and duration (ops/metrics.ts). */
  metrics?: { pushed(results: readonly { status: string }[], seconds: number): void };
}

export class SyncConnection {
  private user: UserWithTenant | null = null;
  private clientId = '';
  tokenHash = '';
  /** Version up to which this client has been sent the log; null until bootstrap/welcome. */
  private cursor: number | null = null;
  private lmidSent = 0;
  /** The user's scope_version this connection's snapshot (or cursor) reflects; a newer one re-bootstraps. */
  private scopeSeen = 0;
  private closed = false;
  /** The server is shutting down (restart()): frames read from now on are left for the client to resend. */
  private restarting = false;
  /** The push being applied, if any (restart() waits for it). */
  private pushing: Promise<void> | null = null;
  private frames: Promise<void> = Promise.resolve();
  private catchUpChain: Promise<void> = Promise.resolve();
  private catchUpQueued = false;
  /** When this connection was last asked to catch up (see ChangeFeed.tenant). */
  private catchUpMark = 0;
  /** A push of ours was processed since lmid was last read. */
  private lmidStale = false;
  /** The client's counter as last read (sent with the next changes frame that reaches the log's end). */
  private lmidRead = 0;
  /** Pings sent to pace snapshots and change pages. */
  private pings = 0;
  /** Bytes sent since the last pacing ping, and that ping's pong (paced()). */
  private sinceMark = 0;
  private previousMark: Promise<void> = Promise.resolve();
  /** A hello frame arrived; until then the socket gets HANDSHAKE.timeoutMs and HANDSHAKE.maxFrames. */
  private helloSeen = false;
  private framesBeforeHello = 0;
  private readonly helloTimer: NodeJS.Timeout;

  constructor(
    private readonly ws: WebSocket,
    private readonly deps: ConnectionDeps,
    /** The server's address as this client reached it (for links made by its mutations). */
    private readonly publicUrl: string,
  ) {
    ws.on('message', (data, isBinary) => {
      if (this.restarting) return;
      const text = isBinary ? '' : Array.isArray(data) ? Buffer.concat(data).toString('utf8') : data.toString('utf8');
      this.frames = this.frames.then(() => this.onFrame(isBinary ? null : text)).catch((e) => this.fail(e));
    });
    ws.on('close', () => this.dispose());
    ws.on('error', () => this.dispose());
    // A socket that never says hello is closed, not kept open until the heartbeat.
    this.helloTimer = setTimeout(
      () => this.closeBeforeHello(`hello expected within ${Math.ceil(HANDSHAKE.timeoutMs / 1000)} s`),
      HANDSHAKE.timeoutMs,
    );
    this.helloTimer.unref();
  }

  private closeBeforeHello(reason: string): void {
    this.send({ type: 'error', error: { code: 'BAD_FRAME', message: `Say hello first: ${reason}.` }, fatal: true });
    if (this.ws.readyState === this.ws.OPEN) this.ws.close(CloseCode.policyViolation, reason);
    this.dispose();
  }

  /** The change-log version this connection has sent up to; null before its snapshot (metrics). */
  get syncedVersion(): number | null {
    return this.cursor;
  }

  get userId(): string | null {
    return this.user?.id ?? null;
  }

  private dispose(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.helloTimer);
    if (this.user) {
      this.deps.hub.remove(this.user.tenantId, this);
      void this.deps.presence.refresh(this.user.tenantId, this.user.id);
    }
  }

  private send(frame: ServerFrame): void {
    if (!this.closed && this.ws.readyState === this.ws.OPEN) this.ws.send(JSON.stringify(frame));
  }

  private sendError(error: ErrorBody, fatal: boolean, closeCode?: number): void {
    this.send({ type: 'error', error, fatal });
    if (fatal) {
      this.ws.close(closeCode ?? CloseCode.policyViolation, error.code);
      this.dispose();
    }
  }

  private fail(e: unknown): void {
    this.deps.log(`sync connection error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    this.sendError({ code: 'INTERNAL', message: 'The server hit an unexpected error. Reconnect to continue.' }, true, 1011);
  }

  /** Logged out elsewhere: this socket may not continue. */
  signOut(): void {
    this.sendError({ code: 'UNAUTHORIZED', message: 'This session was signed out. Sign in again.' }, true, CloseCode.unauthorized);
  }

  /** The server is shutting down: nothing new is read (the client's outbox sends it again wherever it
   *  reconnects), a push being applied completes and its result is sent, then the socket is closed with
   *  1012 so the client reconnects at once, elsewhere. The caller bounds the wait. */
  async restart(): Promise<void> {
    this.restarting = true;
    await this.pushing?.catch(() => undefined);
    if (!this.closed && this.ws.readyState === this.ws.OPEN) this.ws.close(CloseCode.serviceRestart, 'Server restarting');
  }

  private async onFrame(text: string | null): Promise<void> {
    if (this.closed || this.restarting) return;
    if (!this.helloSeen && ++this.framesBeforeHello > HANDSHAKE.maxFrames) {
      this.closeBeforeHello(`at most ${HANDSHAKE.maxFrames} frames before hello`);
      return;
    }
    if (text === null) {
      this.sendError({ code: 'BAD_FRAME', message: 'Frames must be JSON text.' }, false);
      return;
    }
    const parsed = parseFrame(ClientFrame, CLIENT_FRAME_TYPES, text);
    if (!parsed.ok) {
      this.sendError({ code: parsed.code, message: parsed.message }, false);
      return;
    }
    const frame = parsed.value;
    if (frame.type === 'hello') {
      this.helloSeen = true;
      clearTimeout(this.helloTimer);
      await this.onHello(frame);
    } else await this.onPush(frame);
  }

  private async onHello(hello: Hello): Promise<void> {
    if (this.user) {
      this.sendError({ code: 'BAD_FRAME', message: 'This connection already said hello.' }, false);
      return;
    }
    if (hello.protocol !== PROTOCOL_VERSION || hello.schema !== SCHEMA_VERSION) {
      this.sendError(
        {
          code: 'PROTOCOL_MISMATCH',
          message: `This server speaks protocol ${PROTOCOL_VERSION} (schema ${SCHEMA_VERSION}); update Bandeja to connect.`,
        },
        true,
        CloseCode.protocolMismatch,
      );
      return;
    }
    const { db } = this.deps;
    const user = await this.deps.sessions.userFor(hello.token, hello.clientId);
    if (!user) {
      this.sendError({ code: 'UNAUTHORIZED', message: 'Your session has ended. Sign in again.' }, true, CloseCode.unauthorized);
      return;
    }
    // The first hello binds a clientId to its user for good.
    await db.query('INSERT INTO clients (id, user_id, created_at) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING', [
      hello.clientId,
      user.id,
      Date.now(),
    ]);
    const [client] = await db.query<{ user_id: string; last_mutation_id: number }>(
      'SELECT user_id, last_mutation_id FROM clients WHERE id = $1',
      [hello.clientId],
    );
    if (!client || client.user_id !== user.id) {
      this.sendError(
        { code: 'CLIENT_MISMATCH', message: 'This device id belongs to another user. Sign in again to start fresh.' },
        true,
        CloseCode.policyViolation,
      );
      return;
    }
    const tenant = await getTenant(db, user.tenantId);
    if (!tenant) throw new Error(`Tenant ${user.tenantId} vanished.`);
    if (this.closed) return;

    this.user = user;
    this.clientId = hello.clientId;
    this.tokenHash = tokenHash(hello.token);
    this.lmidSent = client.last_mutation_id;
    this.lmidRead = client.last_mutation_id;
    // A cursor from before the user's last role/team change may hold rows they may no longer see.
    const bootstrap =
      hello.epoch !== tenant.epoch ||
      hello.cursor === null ||
      hello.cursor < tenant.log_floor ||
      hello.cursor > tenant.version ||
      hello.cursor < user.scopeVersion;
    this.scopeSeen = user.scopeVersion;
    this.send({
      type: 'welcome',
      epoch: tenant.epoch,
      version: tenant.version,
      lmid: client.last_mutation_id,
      user: publicUser(user),
      tenant: { id: tenant.id, name: tenant.name },
      bootstrap,
    });
    // Join the hub before reading, so a commit that lands meanwhile still pokes us.
    this.deps.hub.add(user.tenantId, this);
    // Online before the snapshot, so the user's own row in it already says so.
    await this.deps.presence.refresh(user.tenantId, user.id);
    if (bootstrap) await this.bootstrap(user);
    else this.cursor = hello.cursor;
    await this.catchUp();
  }

  /** Streams a snapshot of what the user may see now; the client replaces its base tables with it.
   *  Each page is read in a short transaction of its own once the client has room for it (paced()), so
   *  neither the database (PGlite has one connection) nor this process's memory waits on a slow client.
   *  Unpaced, a 10,000-conversation snapshot (~100 MB) sat in socket buffers ahead of every ping and pong:
   *  the client, still applying pages, took the server for dead and reconnected, for ever
   *  (bench/benchmarks/initialSync.ts). When the user's scope changes meanwhile it starts over with the
   *  new one. Returns false when it did not finish (closed, or the user was signed out). */
  private async bootstrap(user: UserWithTenant): Promise<boolean> {
    const open = () => !this.closed && this.ws.readyState === this.ws.OPEN;
    const sink: SnapshotSink = {
      begin: async (version, epoch) => {
        await this.paced(JSON.stringify({ type: 'snapshotBegin', epoch, version } satisfies ServerFrame), 'snapshot');
        return open();
      },
      page: async (ops) => {
        for (const part of chunkOps(ops, FRAME_BUDGET))
          await this.paced(JSON.stringify({ type: 'snapshotPage', ops: part } satisfies ServerFrame), 'snapshot');
        return open();
      },
    };
    for (;;) {
      const outcome = await streamSnapshot(this.deps.db, user, sink);
      switch (outcome.kind) {
        case 'stopped':
          return false;
        case 'signedOut':
          this.signOut();
          return false;
        case 'scopeChanged':
          this.user = user = outcome.user;
          this.scopeSeen = user.scopeVersion;
          continue;
        case 'done':
          await this.paced(JSON.stringify({ type: 'snapshotEnd', version: outcome.version } satisfies ServerFrame), 'snapshot');
          // Only now: a catch-up before the last snapshot frame is sent would overtake it.
          this.cursor = outcome.version;
          return true;
      }
    }
  }

  /** Sends a frame so that no more than SNAPSHOT_WINDOW_BYTES are ahead of what the client has read: a
   *  WebSocket ping after each half window is answered once the client has read every frame before it,
   *  so awaiting the previous one's pong keeps at most one window unread. Snapshots and change pages
   *  share the window (a slow client's backlog of changes waits in the change log, not in this
   *  process's socket buffers). */
  private async paced(frame: string, label: string): Promise<void> {
    if (this.closed || this.ws.readyState !== this.ws.OPEN) return;
    this.ws.send(frame);
    this.sinceMark += Buffer.byteLength(frame);
    if (this.sinceMark < SNAPSHOT_WINDOW_BYTES / 2) return;
    this.sinceMark = 0;
    const previous = this.previousMark;
    this.previousMark = this.pongFor(`${label}-${++this.pings}`);
    await previous;
  }

  /** Sends a ping; resolves on its pong, or when the socket closes (the heartbeat closes a silent one). */
  private pongFor(payload: string): Promise<void> {
    return new Promise((resolve) => {
      const onPong = (data: Buffer) => {
        if (data.toString() === payload) done();
      };
      const done = () => {
        this.ws.off('pong', onPong);
        this.ws.off('close', done);
        resolve();
      };
      this.ws.on('pong', onPong);
      this.ws.on('close', done);
      this.ws.ping(payload);
    });
  }

  private async onPush(push: Push): Promise<void> {
    const user = this.user;
    if (!user) {
      this.sendError({ code: 'UNAUTHORIZED', message: 'Say hello with a valid session before pushing.' }, true, CloseCode.unauthorized);
      return;
    }
    const pushing = this.applyPush(user, push);
    this.pushing = pushing;
    try {
      await pushing;
    } finally {
      if (this.pushing === pushing) this.pushing = null;
    }
  }

  private async applyPush(user: UserWithTenant, push: Push): Promise<void> {
    const started = performance.now();
    const outcome = await processPush(this.deps.db, user, this.clientId, push.mutations, this.deps.log, this.publicUrl);
    this.lmidStale = true;
    // The pusher sees the effects of its own push before the results, so an "ok" is already in its base.
    // A user deactivated meanwhile gets no more frames but the sign-out.
    if (outcome.signedOut) this.signOut();
    else {
      await this.catchUp();
      this.send({ type: 'pushResult', results: outcome.results, lmid: outcome.lmid });
    }
    this.deps.metrics?.pushed(outcome.results, (performance.now() - started) / 1000);
    if (outcome.committed) this.deps.hub.poke(user.tenantId, this);
    if (outcome.effects.length > 0) this.deps.afterCommit(outcome.effects);
  }

  /** Sends what the change log holds beyond the cursor. Calls are serialised; a call made while
   *  one runs coalesces into one more pass after it. */
  catchUp(): Promise<void> {
    this.catchUpMark = changeFeed(this.deps.db).mark();
    if (this.catchUpQueued) return this.catchUpChain;
    this.catchUpQueued = true;
    this.catchUpChain = this.catchUpChain
      .then(async () => {
        this.catchUpQueued = false;
        await this.catchUpNow();
      })
      .catch((e) => this.fail(e));
    return this.catchUpChain;
  }

  private async catchUpNow(): Promise<void> {
    if (this.closed || !this.user || this.cursor === null) return;
    const { db } = this.deps;
    const feed = changeFeed(db);
    let user = this.user;
    for (;;) {
      if (this.closed) return;
      // lmid is read before the log, so it never claims a mutation whose effects are not in what we send.
      // It moves only with this client's pushes, so it is read again only after one.
      if (this.lmidStale) {
        this.lmidStale = false;
        this.lmidRead = await lastMutationId(db, this.clientId);
      }
      const lmid = this.lmidRead;
      const tenant = await feed.tenant(user.tenantId, this.catchUpMark);
      if (!tenant || tenant.version <= this.cursor) return;
      const from = this.cursor;
      const { entries, to, scopes } = await feed.changes(user.tenantId, from, tenant.version, CHANGE_PAGE_ROWS);
      // A change of the user's role, teams or active flag always logs their row: only then is the user
      // read again. Their clients start over with what they may see now, so everything that left their
      // scope is purged.
      if (entries.some((e) => e.kind === 'user' && e.entity_id === user.id)) {
        const fresh = await getUser(db, user.id);
        if (!fresh || !fresh.active) {
          this.signOut();
          return;
        }
        this.user = user = fresh;
        if (fresh.scopeVersion > this.scopeSeen) {
          this.scopeSeen = fresh.scopeVersion;
          await this.bootstrap(fresh);
          continue;
        }
      }
      const viewer = viewerOf(user);
      const ops = await visibleOps(entries, viewer, scopes, (id) => listMessages(db, id));
      const finalLmid = to === tenant.version ? Math.max(lmid, this.lmidSent) : this.lmidSent;
      const parts = chunkOps(ops, FRAME_BUDGET);
      // Only the last part moves the cursor: a client that drops after an earlier part re-reads the whole page.
      for (const [i, part] of parts.entries()) {
        const last = i === parts.length - 1;
        const frame: ServerFrame = { type: 'changes', from, to: last ? to : from, ops: part, lmid: last ? finalLmid : this.lmidSent };
        await this.paced(JSON.stringify(frame), 'changes');
      }
      this.lmidSent = finalLmid;
      this.cursor = to;
    }
  }
}
