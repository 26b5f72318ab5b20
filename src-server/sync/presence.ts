// Presence: while a user has a live sync connection on any server process, the presence they chose
// (online by default, away or offline from the tray); offline otherwise.
// It changes through the change log like any user row, so every client's transfer picker follows it.
// The database holds who is connected where (migration 011): each process renews its row in
// server_processes every PRESENCE_HEARTBEAT_MS and keeps one presence_connections row per user it holds
// a connection of. A process that stops renewing for PRESENCE_DEAD_AFTER_S (killed, cut off) is removed
// by whichever process sweeps first, with its rows, and its users are written offline unless they are
// connected elsewhere: they show offline within ~25 s. Every time is the database's clock (now()).
import { writeTenantChanges } from '../store/changeLog';
import type { Db } from '../store/db';
import { chosenPresence, logUser, setPresence } from '../store/directory';
import type { SyncHub } from './hub';

interface Pending {
  users: Set<string>;
  written: Array<() => void>;
}

/** After a presence write, how long changes are gathered before the next one (see PresenceTracker). */
export const PRESENCE_BATCH_MS = 250;
/** How often a process renews its row and sweeps dead processes. */
export const PRESENCE_HEARTBEAT_MS = 5_000;
/** A process not seen for this long is dead (three missed heartbeats). */
export const PRESENCE_DEAD_AFTER_S = 15;

/** The users some live process holds a connection of (by the database's clock). */
const LIVE_CONNECTION = `EXISTS (SELECT 1 FROM presence_connections pc JOIN server_processes sp ON sp.id = pc.process_id
  WHERE pc.user_id = u.id AND sp.seen_at >= now() - make_interval(secs => ${PRESENCE_DEAD_AFTER_S}))`;

/** Presence changes are written in batches, one commit per tenant for every user whose connection came
 *  or went since the last write: each commit pokes every connection of the tenant, so a thousand agents
 *  connecting one commit each sent ~n² frames (513,602 for 1,012, bench/benchmarks/fanOut.ts). The first
 *  change after a quiet spell is written at once; what comes during a write or the PRESENCE_BATCH_MS
 *  after it waits for the next one (a connection's hello waits that long at most). Each user's state is
 *  read from the hub when the batch is written, so a quick connect/disconnect still ends in the state
 *  that is true last. */
export class PresenceTracker {
  private readonly pending = new Map<string, Pending>();
  private writing = false;
  private timer: NodeJS.Timeout | null = null;
  private beating: Promise<void> = Promise.resolve();

  /** `processId`: this process's row in server_processes (fanout/channel.ts names it). */
  constructor(
    private readonly db: Db,
    private readonly hub: SyncHub,
    private readonly log: (line: string) => void,
    readonly processId: string,
  ) {}

  /** Registers this process, sweeps the dead ones, and keeps doing both every PRESENCE_HEARTBEAT_MS. */
  async start(): Promise<void> {
    await this.heartbeat();
    this.timer = setInterval(() => {
      this.beating = this.beating.then(() => this.heartbeat()).catch((e) => this.log(`presence heartbeat failed: ${String(e)}`));
    }, PRESENCE_HEARTBEAT_MS);
    this.timer.unref();
  }

  /** Stops renewing and removes this process's row: its users are offline at the next sweep elsewhere. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.beating;
    await this.db.query('DELETE FROM server_processes WHERE id = $1', [this.processId]).catch(() => undefined);
  }

  private async heartbeat(): Promise<void> {
    const [row] = await this.db.query<{ fresh: boolean }>(
      `INSERT INTO server_processes (id) VALUES ($1) ON CONFLICT (id) DO UPDATE SET seen_at = now() RETURNING (xmax = 0) AS fresh`,
      [this.processId],
    );
    // Removed by another process while cut off (or just started): our connections are written again.
    if (row?.fresh) for (const { tenantId, userId } of this.hub.users()) void this.refresh(tenantId, userId);
    await this.db.query(`DELETE FROM server_processes WHERE seen_at < now() - make_interval(secs => ${PRESENCE_DEAD_AFTER_S})`);
    // Anyone shown present whom no live process holds: their process died (or the server was down).
    const stale = await this.db.query<{ tenant_id: string; id: string }>(
      `SELECT u.tenant_id, u.id FROM users u WHERE u.presence <> 'offline' AND NOT ${LIVE_CONNECTION}`,
    );
    await Promise.all(stale.map((u) => this.refresh(u.tenant_id, u.id)));
  }

  /** Records the user's presence as the hub (here) and the database (other processes) say it is now; resolves once written and announced
   *  (or once the failure is logged: presence never fails a connection). */
  refresh(tenantId: string, userId: string): Promise<void> {
    let batch = this.pending.get(tenantId);
    if (!batch) this.pending.set(tenantId, (batch = { users: new Set(), written: [] }));
    batch.users.add(userId);
    const done = new Promise<void>((resolve) => batch.written.push(resolve));
    if (!this.writing) {
      this.writing = true;
      // After the current turn, so connections that arrive together share the first write too.
      setImmediate(() => void this.writeAll());
    }
    return done;
  }

  private async writeAll(): Promise<void> {
    while (this.pending.size > 0) {
      const batches = [...this.pending];
      this.pending.clear();
      for (const [tenantId, batch] of batches) {
        try {
          await this.write(tenantId, [...batch.users]);
        } catch (e) {
          this.log(`presence of ${[...batch.users].join(', ')} not written: ${e instanceof Error ? e.message : String(e)}`);
        }
        for (const resolve of batch.written) resolve();
      }
      // A write is quick next to agents connecting one after another: without a pause each would get a
      // commit of its own again.
      await new Promise((resolve) => setTimeout(resolve, PRESENCE_BATCH_MS));
    }
    this.writing = false;
  }

  private async write(tenantId: string, userIds: string[]): Promise<void> {
    const { changed } = await writeTenantChanges(this.db, tenantId, async (tx, batch) => {
      for (const userId of userIds) {
        if (this.hub.isConnected(tenantId, userId))
          await tx.query(
            `INSERT INTO presence_connections (user_id, process_id, tenant_id) SELECT $1, id, $3 FROM server_processes WHERE id = $2
             ON CONFLICT DO NOTHING`,
            [userId, this.processId, tenantId],
          );
        else await tx.query('DELETE FROM presence_connections WHERE user_id = $1 AND process_id = $2', [userId, this.processId]);
        // Read under the tenant's lock (logTenantChanges): another process's write for this user is committed or waits.
        const [live] = await tx.query<{ live: boolean }>(`SELECT ${LIVE_CONNECTION} AS live FROM users u WHERE u.id = $1`, [userId]);
        const presence = live?.live ? await chosenPresence(tx, userId) : 'offline';
        await setPresence(tx, batch, userId, presence);
      }
    });
    if (changed) this.hub.poke(tenantId);
  }
}

/** Under PGlite (one process) nobody is connected at start: everyone still marked online becomes offline.
 *  Under PostgreSQL other processes may hold connections: their heartbeats' sweep settles it instead. */
export async function markEveryoneOffline(db: Db): Promise<void> {
  await db.query('DELETE FROM server_processes');
  const tenants = await db.query<{ tenant_id: string }>("SELECT DISTINCT tenant_id FROM users WHERE presence <> 'offline'");
  for (const { tenant_id: tenantId } of tenants)
    await writeTenantChanges(db, tenantId, async (tx, batch) => {
      const rows = await tx.query<{ id: string }>(
        "UPDATE users SET presence = 'offline', version = $2 WHERE tenant_id = $1 AND presence <> 'offline' RETURNING id",
        [tenantId, batch.version],
      );
      for (const { id } of rows) await logUser(tx, batch, id);
    });
}
