// Presence: while a user has a live sync connection on this node, the presence they chose (online by
// default, away or offline from the tray); offline otherwise.
// It changes through the change log like any user row, so every client's transfer picker follows it.
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

  constructor(
    private readonly db: Db,
    private readonly hub: SyncHub,
    private readonly log: (line: string) => void,
  ) {}

  /** Records the user's presence as the hub says it is now; resolves once written and announced
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
        const presence = this.hub.isConnected(tenantId, userId) ? await chosenPresence(tx, userId) : 'offline';
        await setPresence(tx, batch, userId, presence);
      }
    });
    if (changed) this.hub.poke(tenantId);
  }
}

/** At start nobody is connected to this node: everyone still marked online becomes offline. */
export async function markEveryoneOffline(db: Db): Promise<void> {
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
