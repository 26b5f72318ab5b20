// Prometheus metrics (prom-client) of one server process, on a registry of its own (the desktop app may run
// an embedded server beside tests' servers in one process). Counts and timings only: no label carries a
// tenant, a user, an inbox or anything typed by a person, so /metrics tells nothing of anyone's data.
// Gauges that need the database (change-log lag, timer backlog) are read when scraped; due times are read by
// the database's clock, the one every process sharing it agrees on.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { WebSocket } from 'ws';
import type { Db } from '../store/db';
import { DB_NOW } from '../store/timers';
import { groupCommitStats } from '../store/groupCommit';

export type SocketKind = 'sync' | 'webchat';

/** What the gauges read at scrape time. */
export interface MetricSources {
  db: Db;
  /** The change-log version each live sync connection has sent up to, by tenant (null before its snapshot). */
  syncCursors(): Iterable<{ tenantId: string; cursor: number | null }>;
}

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export class ServerMetrics {
  readonly registry = new Registry();
  readonly connections: Gauge<'kind'>;
  readonly pushes: Counter<'status'>;
  readonly pushSeconds: Histogram;
  readonly fanoutSeconds: Histogram;
  readonly framesSent: Counter<'kind'>;
  readonly bytesSent: Counter<'kind'>;
  readonly webhookFailures: Counter<'reason'>;
  readonly deliveryFailures: Counter<'outcome'>;
  readonly notificationsSent: Counter;
  readonly notificationsReceived: Counter<'kind'>;

  constructor(sources: MetricSources) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.connections = new Gauge({ name: 'bandeja_connections', help: 'Open sockets on this process.', labelNames: ['kind'], registers });
    for (const kind of ['sync', 'webchat']) this.connections.set({ kind }, 0);
    this.pushes = new Counter({
      name: 'bandeja_push_mutations_total',
      help: 'Mutations pushed by agents, by result (ok, rejected, already, error).',
      labelNames: ['status'],
      registers,
    });
    this.pushSeconds = new Histogram({
      name: 'bandeja_push_duration_seconds',
      help: 'From a push frame read to its pushResult sent.',
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.fanoutSeconds = new Histogram({
      name: 'bandeja_fanout_duration_seconds',
      help: "From a commit's poke to every other connection of its tenant having sent what it may see.",
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.framesSent = new Counter({ name: 'bandeja_frames_sent_total', help: 'WebSocket frames sent.', labelNames: ['kind'], registers });
    this.bytesSent = new Counter({
      name: 'bandeja_bytes_sent_total',
      help: 'WebSocket payload bytes sent.',
      labelNames: ['kind'],
      registers,
    });
    this.webhookFailures = new Counter({
      name: 'bandeja_webhook_failures_total',
      help: 'Channel webhooks answered with an error (reason: the status) or items refused in one (reason: refused).',
      labelNames: ['reason'],
      registers,
    });
    this.deliveryFailures = new Counter({
      name: 'bandeja_delivery_failures_total',
      help: 'Outbound channel deliveries that failed: retry (to be tried again) or failed (for good).',
      labelNames: ['outcome'],
      registers,
    });
    this.notificationsSent = new Counter({
      name: 'bandeja_fanout_notifications_sent_total',
      help: 'PostgreSQL NOTIFY payloads this process sent to the others (fanout/channel.ts).',
      registers,
    });
    this.notificationsReceived = new Counter({
      name: 'bandeja_fanout_notifications_received_total',
      help: "NOTIFY payloads received from other processes, by what they carried (tenants, session, visitor); this process's own and unreadable ones count as ignored.",
      labelNames: ['kind'],
      registers,
    });
    for (const kind of ['tenants', 'session', 'visitor', 'ignored']) this.notificationsReceived.inc({ kind }, 0);
    for (const kind of ['sync', 'webchat']) {
      this.framesSent.inc({ kind }, 0);
      this.bytesSent.inc({ kind }, 0);
    }
    for (const outcome of ['retry', 'failed']) this.deliveryFailures.inc({ outcome }, 0);

    new Gauge({
      name: 'bandeja_changelog_lag_versions',
      help: 'How far the live sync connection furthest behind is from its tenant’s head version (max over connections).',
      registers,
      async collect() {
        const byTenant = new Map<string, number[]>();
        for (const { tenantId, cursor } of sources.syncCursors()) {
          if (cursor === null) continue;
          const list = byTenant.get(tenantId) ?? [];
          list.push(cursor);
          byTenant.set(tenantId, list);
        }
        if (byTenant.size === 0) return this.set(0);
        const rows = await sources.db
          .query<{ id: string; version: number }>('SELECT id, version FROM tenants WHERE id = ANY($1)', [[...byTenant.keys()]])
          // The database is away: the last value stays, and /readyz tells why.
          .catch(() => null);
        if (!rows) return;
        let lag = 0;
        for (const row of rows) for (const cursor of byTenant.get(row.id) ?? []) lag = Math.max(lag, row.version - cursor);
        this.set(lag);
      },
    });
    new Gauge({
      name: 'bandeja_timer_backlog',
      help: 'Timers whose time has come (by the database clock) and that have not run yet: snoozed conversations to wake, channel deliveries to send, periodic jobs free to take.',
      labelNames: ['timer'],
      registers,
      async collect() {
        const rows = await sources.db
          .query<{ snoozes: number; deliveries: number; periodic: number }>(
            `WITH clock AS (SELECT ${DB_NOW} AS now) SELECT
             (SELECT count(*)::int FROM conversations, clock WHERE status = 'snoozed' AND snoozed_until IS NOT NULL AND snoozed_until <= clock.now) AS snoozes,
             (SELECT count(*)::int FROM channel_deliveries, clock WHERE state = 'queued' AND next_attempt_at <= clock.now) AS deliveries,
             (SELECT count(*)::int FROM server_timers, clock WHERE due_at <= clock.now AND (lease_until IS NULL OR lease_until <= clock.now)) AS periodic`,
          )
          .catch(() => null);
        if (!rows) return;
        const [row] = rows;
        this.set({ timer: 'snooze' }, row?.snoozes ?? 0);
        this.set({ timer: 'delivery' }, row?.deliveries ?? 0);
        this.set({ timer: 'periodic' }, row?.periodic ?? 0);
      },
    });
    // Group commit (store/groupCommit.ts), counted since the process started: writes per group is the batching.
    const groups = groupCommitStats(sources.db);
    new Gauge({
      name: 'bandeja_write_groups',
      help: 'Write groups committed (one transaction and one COMMIT each) since the process started.',
      registers,
      collect() {
        this.set(groups.groups);
      },
    });
    new Gauge({
      name: 'bandeja_group_writes',
      help: 'Writes (pushes, customer messages, other tenant writes) committed in those groups.',
      registers,
      collect() {
        this.set(groups.writes);
      },
    });
    new Gauge({
      name: 'bandeja_write_group_retries',
      help: 'Groups run again whole after their transaction failed for a passing reason.',
      registers,
      collect() {
        this.set(groups.retries);
      },
    });
    new Gauge({
      name: 'bandeja_db_pool_connections',
      help: 'Database connections: total open, idle, and callers waiting for one (PGlite: one connection).',
      labelNames: ['state'],
      registers,
      collect() {
        const pool = sources.db.pool();
        this.set({ state: 'total' }, pool.total);
        this.set({ state: 'idle' }, pool.idle);
        this.set({ state: 'waiting' }, pool.waiting);
      },
    });
  }

  /** Counts the socket while open, and every frame and byte it sends. */
  track(ws: WebSocket, kind: SocketKind): void {
    this.connections.inc({ kind });
    ws.once('close', () => this.connections.dec({ kind }));
    const send = ws.send.bind(ws) as (data: unknown, ...rest: unknown[]) => void;
    const frames = this.framesSent.labels(kind);
    const bytes = this.bytesSent.labels(kind);
    (ws as { send: (data: unknown, ...rest: unknown[]) => void }).send = (data, ...rest) => {
      frames.inc();
      bytes.inc(typeof data === 'string' ? Buffer.byteLength(data) : ((data as { byteLength?: number }).byteLength ?? 0));
      send(data, ...rest);
    };
  }

  /** A push handled: its mutations by result, and how long it took. */
  pushed(results: readonly { status: string }[], seconds: number): void {
    for (const r of results) this.pushes.inc({ status: r.status });
    this.pushSeconds.observe(seconds);
  }

  async text(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
