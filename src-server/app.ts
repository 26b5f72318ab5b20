// startServer(): the whole sync server (HTTP API, /sync, webchat) over one store. Used by the
// CLI and, in-process, by the desktop app's embedded server (src-main/launch.ts).
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import { WebSocketServer, type WebSocket } from 'ws';
import { Paths } from '../src-shared/http';
import { CloseCode, MAX_FRAME_BYTES, PROTOCOL_VERSION, SCHEMA_VERSION } from '../src-shared/protocol';
import { registerAdminSessionRoutes } from './auth/adminSessions';
import { registerInviteRoutes } from './auth/invite';
import { registerAuthRoutes, sendError } from './auth/routes';
import { lifetimesFromEnv, millisFromEnv, Sessions, tokenHash, type SessionLifetimes } from './auth/sessions';
import { BLOB_GC_EVERY_MS, collectBlobGarbage } from './blobs/gc';
import { adoptFolderBlobs } from './blobs/adopt';
import { registerBlobRoutes } from './blobs/routes';
import type { BlobStore } from './blobs/store';
import { blobFolder, blobStoreFromEnv } from './blobs/stores';
import { WebchatLimits } from './channels/webchat/limits';
import { WebchatMedia } from './channels/webchat/media';
import { applyWhatsAppAccount, whatsAppAccountFromEnv, type WhatsAppAccountOptions } from './channels/whatsapp/account';
import { WhatsAppDispatcher } from './channels/whatsapp/dispatcher';
import { registerWhatsAppWebhook, WEBHOOK_PATH } from './channels/whatsapp/webhook';
import { registerWebchatMediaRoute } from './channels/webchat/mediaRoute';
import { notFoundPage, webchatCsp, webchatPage } from './channels/webchat/page';
import { deliverToVisitors, handleVisitorSocket, relayToVisitor, type WebchatDeps } from './channels/webchat/socket';
import { VisitorSockets } from './channels/webchat/visitors';
import { seedDemo } from './demo';
import { resolveLimits, type Limits } from './limits/config';
import { RATE_SWEEP_EVERY_MS, RateCounters } from './limits/counters';
import { clientAddress, registerRateLimiting, trustFunction, trustProxyFromEnv, type TrustProxy } from './limits/http';
import { nodeIdFromFile } from './nodeId';
import { PeriodicRunner } from './periodic';
import { silentLogger, type Logger } from './ops/logger';
import { ServerMetrics } from './ops/metrics';
import { Readiness } from './ops/readiness';
import { metricsTokenFromEnv, registerOpsRoutes } from './ops/routes';
import { retentionFromEnv, trimChangeLog } from './store/changeLogTrim';
import { openPg, openPglite, type Db } from './store/db';
import { findInboxBySlug } from './store/directory';
import { loadMigrations, migrate } from './store/migrate';
import { SyncConnection } from './sync/connection';
import { SyncHub } from './sync/hub';
import { FanoutChannel } from './fanout/channel';
import type { AfterCommit } from './sync/mutators';
import { markEveryoneOffline, PresenceTracker } from './sync/presence';
import { SnoozeWaker } from './sync/snoozes';

export interface StartServerOptions {
  /** 0 picks a free port. */
  port: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** The PGlite store lives in <dataDir>/server/pgdata. */
  dataDir: string;
  /** A PostgreSQL URL: use it instead of PGlite. */
  databaseUrl?: string;
  /** Seed the demo tenant (idempotent). */
  demo?: boolean;
  /** The address people reach this server at (invitation links); default: the Host the client used. */
  publicUrl?: string;
  /** Lines about the server's own work (warnings and failures); by default they go to `logger`. */
  log?: (line: string) => void;
  /** The structured log (ops/logger.ts), also Fastify's request log; by default nothing is logged. */
  logger?: Logger;
  /** Who may read /readyz and /metrics besides callers on this machine; else BANDEJA_METRICS_TOKEN. */
  metricsToken?: string;
  /** The WhatsApp Cloud API account of a WhatsApp inbox (default: the demo's `inbox-whatsapp`). When
   *  absent, BANDEJA_WHATSAPP_* variables are read; when those are absent too, a stored account stays. */
  whatsapp?: WhatsAppAccountOptions;
  /** First retry delay of a WhatsApp delivery after a transient failure (default 2 s; doubles each try). */
  whatsappRetryBaseMs?: number;
  /** Rate limits (limits/config.ts); absent ones come from BANDEJA_LIMIT_* or the defaults. */
  limits?: Partial<Limits>;
  /** Session lifetimes; else BANDEJA_SESSION_IDLE_MS / BANDEJA_SESSION_ABSOLUTE_MS, else 14 and 90 days. */
  sessions?: Partial<SessionLifetimes>;
  /** How long webchat media links work; else BANDEJA_WEBCHAT_MEDIA_TTL_MS, else 1 h. */
  webchatMediaTtlMs?: number;
  /** Behind a reverse proxy (TLS): whose X-Forwarded-For to believe, as Fastify's trustProxy; else
   *  BANDEJA_TRUST_PROXY. Without it every client behind the proxy shares the proxy's address limits. */
  trustProxy?: TrustProxy;
  /** The time for sessions, rate limits and media links (tests). */
  clock?: () => number;
}

export interface RunningServer {
  url: string;
  port: number;
  /** /readyz answers 503 from now on (SIGTERM, before close), so load balancers send nothing new. */
  drain(): void;
  close(): Promise<void>;
}

/** How often sockets are pinged; one without a pong by the next round is dropped. */
export const HEARTBEAT_MS = 15_000;
/** How long close() lets sockets answer the 1012 close before it cuts them. */
const CLOSE_GRACE_MS = 1000;
/** How long close() waits for pushes being applied to finish and be answered before it cuts their sockets
 *  (their clients then send them again elsewhere and are answered `already` for what was applied). */
export const PUSH_DRAIN_MS = 10_000;

/** The path of a request target, or null when it is not one (`//`, `http://[`). */
function pathOf(url: string | undefined): string | null {
  try {
    return new URL(url ?? '/', 'http://localhost').pathname;
  } catch {
    return null;
  }
}

/** A path segment with its percent-escapes undone, or null when one is broken (`%E0%A4%A`). */
function decodeSegment(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

export async function openStore(opts: Pick<StartServerOptions, 'dataDir' | 'databaseUrl'>): Promise<Db> {
  if (opts.databaseUrl) return openPg(opts.databaseUrl);
  const dir = join(opts.dataDir, 'server', 'pgdata');
  mkdirSync(dir, { recursive: true });
  return openPglite(dir);
}

export async function startServer(opts: StartServerOptions): Promise<RunningServer> {
  const logger = opts.logger ?? silentLogger();
  const log = opts.log ?? ((line: string) => logger.warn(line));
  const info = opts.log ?? ((line: string) => logger.info(line));
  const host = opts.host ?? '127.0.0.1';
  // Abuse guards' settings first: a malformed variable stops the start before anything opens.
  const limits = resolveLimits(process.env, opts.limits);
  const lifetimes = lifetimesFromEnv(process.env, opts.sessions);
  const retention = retentionFromEnv(process.env);
  const trustProxy = opts.trustProxy ?? trustProxyFromEnv(process.env.BANDEJA_TRUST_PROXY);
  const mediaTtl = opts.webchatMediaTtlMs ?? millisFromEnv(process.env, 'BANDEJA_WEBCHAT_MEDIA_TTL_MS');
  const metricsToken = opts.metricsToken ?? metricsTokenFromEnv(process.env);
  const db = await openStore(opts);
  // Where attachment bytes live (blobs/stores): a malformed setting stops the start.
  let blobs: BlobStore;
  try {
    blobs = blobStoreFromEnv(process.env, { db, dataDir: opts.dataDir });
    const applied = await migrate(db);
    if (applied.length > 0) info(`Applied migrations ${applied.join(', ')}`);
    if (opts.demo && (await seedDemo(db))) info('Seeded the demo tenant');
    // Under PostgreSQL other processes may hold connections: presence.start() settles who is connected.
    if (db.kind === 'pglite') await markEveryoneOffline(db);
    const whatsapp = opts.whatsapp ?? whatsAppAccountFromEnv(process.env);
    if (whatsapp) await applyWhatsAppAccount(db, whatsapp, info);
  } catch (e) {
    await db.close();
    throw e;
  }

  const hub = new SyncHub();
  const metrics = new ServerMetrics({ db, syncCursors: () => hub.cursors() });
  hub.onFanout = (seconds) => metrics.fanoutSeconds.observe(seconds);
  const readiness = new Readiness(db, loadMigrations().length);
  // This process, in the database's presence rows and in fan-out notifications.
  const processId = randomUUID();
  const presence = new PresenceTracker(db, hub, log, processId);
  // Conversations whose time came while the server was down wake now.
  const snoozes = new SnoozeWaker(db, hub, log);
  void snoozes.schedule();
  const visitors = new VisitorSockets();
  // Files an older server kept in this node's data folder move into a shared store (in the background).
  if (blobs.kind !== 'folder')
    void adoptFolderBlobs(blobFolder(opts.dataDir), blobs, info, log).catch((e: unknown) =>
      log(`Moving blob files into the ${blobs.kind} store failed: ${e instanceof Error ? e.message : String(e)}`),
    );
  // Abuse guards (issue 12): rate limits, session lifetimes, expiring media links, trusted proxies.
  const clock = opts.clock ?? Date.now;
  const counters = new RateCounters(db, clock);
  const sessions = new Sessions(db, lifetimes, clock);
  const media = await WebchatMedia.fromDatabase(db, join(opts.dataDir, 'server', 'webchat-media.key'), mediaTtl, clock);
  const webchat: WebchatDeps = { db, hub, visitors, media, limits: new WebchatLimits(counters, limits), log };
  const nodeId = nodeIdFromFile(join(opts.dataDir, 'server', 'node-id'));
  // Periodic jobs run once per period across every process on this database (periodic.ts), each leased
  // by this run of this process. Blob collection is one job for all when the store is shared (PostgreSQL,
  // S3), one per node when each node keeps files in its own data folder.
  const runId = `${nodeId}:${randomUUID()}`;
  const periodic = [
    new PeriodicRunner(
      db,
      {
        name: blobs.kind === 'folder' ? `blob-gc:${nodeId}` : `blob-gc:${blobs.kind}`,
        everyMs: BLOB_GC_EVERY_MS,
        leaseMs: 5 * 60_000,
        atStart: true,
        run: async () => {
          const removed = await collectBlobGarbage(db, blobs, Date.now());
          if (removed.rows + removed.files > 0) info(`Removed unused blobs: ${removed.rows} rows, ${removed.files} files`);
        },
      },
      runId,
      (line) => log(`Blob garbage collection failed: ${line}`),
    ),
    new PeriodicRunner(
      db,
      { name: 'session-sweep', everyMs: sessions.sweepEveryMs, leaseMs: 60_000, run: () => sessions.deleteExpired() },
      runId,
      (line) => log(`Session sweep failed: ${line}`),
    ),
    new PeriodicRunner(
      db,
      {
        name: 'change-log-trim',
        everyMs: retention.everyMs,
        leaseMs: 10 * 60_000,
        run: async () => {
          const trimmed = await trimChangeLog(db, retention.retentionMs);
          if (trimmed.rows > 0) info(`Trimmed the change log: ${trimmed.rows} rows of ${trimmed.tenants} tenants`);
        },
      },
      runId,
      (line) => log(`Change-log trim failed: ${line}`),
    ),
    new PeriodicRunner(
      db,
      { name: 'rate-limit-sweep', everyMs: RATE_SWEEP_EVERY_MS, leaseMs: 60_000, run: async () => void (await counters.sweep()) },
      runId,
      (line) => log(`Rate-limit sweep failed: ${line}`),
    ),
  ];
  for (const job of periodic) await job.start();
  // This process's own sockets: their sessions are renewed, and those ended elsewhere are signed out.
  const sweep = async () => {
    try {
      for (const gone of await sessions.sweep(hub.tokenHashes())) hub.closeSessionHere(gone);
    } catch (e) {
      log(`Session sweep failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  };
  // Under PostgreSQL, the other processes on the same database (fanout/channel.ts).
  hub.remote = await FanoutChannel.open(
    db,
    processId,
    {
      tenantsMoved: (tenantIds) => {
        for (const tenantId of tenantIds) hub.pokeHere(tenantId);
      },
      sessionEnded: (hash) => hub.closeSessionHere(hash),
      visitorMessage: (m) => void relayToVisitor(webchat, m).catch((e) => log(`webchat relay failed: ${String(e)}`)),
      resync: () => {
        for (const tenantId of hub.tenants()) hub.pokeHere(tenantId);
        void sweep();
      },
    },
    log,
    { sent: (n) => metrics.notificationsSent.inc(n), received: (kind) => metrics.notificationsReceived.inc({ kind }) },
  );
  await presence.start();
  const sessionSweep = setInterval(() => void sweep(), sessions.sweepEveryMs);
  sessionSweep.unref();
  const dispatcher = new WhatsAppDispatcher(db, hub, blobs, log, {
    nodeId,
    retryBaseMs: opts.whatsappRetryBaseMs,
    onFailure: (outcome) => metrics.deliveryFailures.inc({ outcome }),
  });
  // forceCloseConnections: on close, every HTTP connection is cut, not only idle keep-alive ones.
  // Browsers open spare connections that never send a request; Node counts those as busy, and
  // close() would wait for its 60 s headers timeout (a webchat page open in Chromium did that).
  // Request ids are ours (a client's x-request-id is not believed); ops/logger.ts decides what a line holds.
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    bodyLimit: MAX_FRAME_BYTES,
    forceCloseConnections: true,
    trustProxy: trustFunction(trustProxy),
  });
  let shuttingDown = false;
  // This process's sync connections, so close() can let their pushes finish.
  const syncConnections = new Set<SyncConnection>();
  const syncWebSockets = new WeakSet<WebSocket>();

  app.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
    const status = error.statusCode ?? 500;
    if (status < 500) return sendError(reply, status, 'INVALID_ARGS', error.message);
    if (opts.log) opts.log(`HTTP error: ${error.stack ?? error.message}`);
    else request.log.error({ err: error }, 'request failed');
    return sendError(reply, 500, 'INTERNAL', 'The server hit an unexpected error.');
  });

  await registerRateLimiting(app, counters);
  registerAuthRoutes(app, { db, sessions, limits, counters, onLogout: (token) => hub.closeSession(tokenHash(token)) });
  registerAdminSessionRoutes(app, db, sessions, (hash) => hub.closeSession(hash));
  registerInviteRoutes(app, db, (tenantId) => hub.poke(tenantId), { limits, counters });
  registerBlobRoutes(app, db, blobs, { sessions, limits, counters });
  registerWebchatMediaRoute(app, db, blobs, media);
  registerWhatsAppWebhook(app, { db, hub, files: blobs, log, onRefused: (n) => metrics.webhookFailures.inc({ reason: 'refused' }, n) });
  app.addHook('onResponse', async (request, reply) => {
    if (request.routeOptions.url === WEBHOOK_PATH && request.method === 'POST' && reply.statusCode >= 400)
      metrics.webhookFailures.inc({ reason: String(reply.statusCode) });
  });
  registerOpsRoutes(app, { metrics, readiness, metricsToken });
  app.get(Paths.health, async () => ({ ok: true, protocol: PROTOCOL_VERSION, schema: SCHEMA_VERSION }));
  app.get<{ Params: { slug: string } }>('/webchat/:slug', async (request, reply) => {
    const inbox = await findInboxBySlug(db, request.params.slug);
    reply.header('content-security-policy', webchatCsp(request.headers.host));
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('cache-control', 'no-store');
    reply.type('text/html; charset=utf-8');
    if (!inbox || inbox.channel !== 'webchat') return reply.code(404).send(notFoundPage());
    return reply.send(
      webchatPage({
        slug: request.params.slug,
        inboxName: inbox.name,
        socketPath: Paths.webchatSocket(request.params.slug),
        mediaTtlMs: media.ttlMs,
      }),
    );
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  let port = opts.port;
  const alive = new WeakMap<WebSocket, boolean>();
  const track = (ws: WebSocket) => {
    alive.set(ws, true);
    ws.on('pong', () => alive.set(ws, true));
  };
  const refuse = (socket: Duplex, status: string) => {
    socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  };
  const afterCommit = (effects: readonly AfterCommit[]) => {
    if (effects.some((e) => e.kind === 'deliver')) {
      void deliverToVisitors(webchat, effects).catch((e) => log(`webchat delivery failed: ${String(e)}`));
      dispatcher.kick();
    }
    // Only a push that snoozed a conversation until some time can bring the timer forward.
    if (effects.some((e) => e.kind === 'snoozed')) void snoozes.schedule();
  };

  app.server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => undefined);
    // A page told to go away reconnects at once; it must not get in while the server closes.
    if (shuttingDown) return refuse(socket, '503 Service Unavailable');
    // A request target that is not a URL, or a slug that is not percent-encoded text, is the client's
    // mistake: it gets a 400, not an exception on this process.
    const path = pathOf(request.url);
    if (path === null) return refuse(socket, '400 Bad Request');
    if (path === Paths.sync) {
      // Links the server makes (invitations) use the address this client reached it at.
      const publicUrl = opts.publicUrl ?? `http://${request.headers.host ?? `${host}:${port}`}`;
      wss.handleUpgrade(request, socket, head, (ws) => {
        track(ws);
        metrics.track(ws, 'sync');
        const connection = new SyncConnection(ws, { db, hub, log, afterCommit, presence, sessions, metrics }, publicUrl);
        syncConnections.add(connection);
        syncWebSockets.add(ws);
        ws.once('close', () => syncConnections.delete(connection));
      });
      return;
    }
    const m = /^\/webchat\/([^/]+)\/socket$/.exec(path);
    if (!m) return refuse(socket, '404 Not Found');
    const slug = decodeSegment(m[1]!);
    if (slug === null) return refuse(socket, '400 Bad Request');
    // Read now: once the lookup below has waited, a peer that already hung up has no address left.
    let address: string;
    try {
      address = clientAddress(request, trustProxy);
    } catch {
      return refuse(socket, '400 Bad Request');
    }
    void findInboxBySlug(db, slug)
      .then((inbox) => {
        if (shuttingDown) return refuse(socket, '503 Service Unavailable');
        if (!inbox || inbox.channel !== 'webchat') return refuse(socket, '404 Not Found');
        wss.handleUpgrade(request, socket, head, (ws) => {
          track(ws);
          metrics.track(ws, 'webchat');
          handleVisitorSocket(ws, inbox, webchat, address);
        });
        return undefined;
      })
      .catch((e: unknown) => {
        log(`webchat upgrade failed: ${e instanceof Error ? e.message : String(e)}`);
        refuse(socket, '500 Internal Server Error');
      });
  });

  const heartbeat = setInterval(() => {
    for (const ws of wss.clients) {
      if (alive.get(ws) === false) {
        ws.terminate();
        continue;
      }
      alive.set(ws, false);
      ws.ping();
    }
  }, HEARTBEAT_MS);
  heartbeat.unref();

  try {
    await app.listen({ port: opts.port, host });
    await dispatcher.start();
  } catch (e) {
    clearInterval(heartbeat);
    clearInterval(sessionSweep);
    for (const job of periodic) await job.stop();
    await dispatcher.stop();
    await app.close();
    await snoozes.stop();
    await presence.stop();
    await blobs.close();
    await db.close();
    throw e;
  }
  const address = app.server.address();
  port = typeof address === 'object' && address ? address.port : opts.port;
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  let closing: Promise<void> | null = null;

  return {
    url: `http://${shownHost}:${port}`,
    port,
    drain: () => readiness.drain(),
    close() {
      closing ??= (async () => {
        readiness.drain();
        shuttingDown = true;
        clearInterval(heartbeat);
        clearInterval(sessionSweep);
        for (const job of periodic) await job.stop();
        // New sockets are refused from now on (503: a load balancer tries another process). Webchat pages are
        // told "restarting" (1012) at once: a message being stored completes, and the page sends it again on
        // reconnecting, answered with the stored one. Sync connections first finish the push they are applying
        // and send its result, then get the same 1012; both reconnect at once, to another process.
        for (const ws of wss.clients) if (!syncWebSockets.has(ws)) ws.close(CloseCode.serviceRestart, 'Server restarting');
        await Promise.race([
          Promise.all([...syncConnections].map((c) => c.restart())),
          new Promise((resolve) => setTimeout(resolve, PUSH_DRAIN_MS).unref()),
        ]);
        // Whoever does not answer the close in time is cut.
        await new Promise<void>((resolve) => {
          const deadline = setTimeout(resolve, CLOSE_GRACE_MS);
          const check = () => {
            if (wss.clients.size === 0) {
              clearTimeout(deadline);
              resolve();
            } else setTimeout(check, 20);
          };
          check();
        });
        for (const ws of wss.clients) ws.terminate();
        await new Promise<void>((resolve) => wss.close(() => resolve()));
        await app.close();
        // A POST to WhatsApp in flight finishes (and is recorded) before the store closes.
        await dispatcher.stop();
        await snoozes.stop();
        await presence.stop();
        await blobs.close();
        await db.close();
      })();
      return closing;
    },
  };
}
