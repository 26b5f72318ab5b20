// Presence: while a user has a live sync connection on this node, the presence they chose (online by
// default, away or offline from the tray); offline otherwise.
// It changes through the change log like any user row, so every client's transfer picker follows it.
import { ChangeBatch } from '../store/changeLog';
import type { Db } from '../store/db';
import { chosenPresence, logUser, setPresence } from '../store/directory';
import { nextVersion } from '../store/tenants';
import type { SyncHub } from './hub';

class NoChange extends Error {}

export class PresenceTracker {
  /** Writes per user, in order, so a quick connect/disconnect ends in the state that is true last. */
  private readonly chains = new Map<string, Promise<void>>();

  constructor(
    private readonly db: Db,
    private readonly hub: SyncHub,
    private readonly log: (line: string) => void,
  ) {}

  /** Records the user's presence as the hub says it is now; resolves once written and announced. */
  refresh(tenantId: string, userId: string): Promise<void> {
    const run = (this.chains.get(userId) ?? Promise.resolve()).then(() => this.write(tenantId, userId));
    const chain = run.catch((e) => this.log(`presence of ${userId} not written: ${e instanceof Error ? e.message : String(e)}`));
    this.chains.set(userId, chain);
    void chain.then(() => {
      if (this.chains.get(userId) === chain) this.chains.delete(userId);
    });
    return chain;
  }

  private async write(tenantId: string, userId: string): Promise<void> {
    const changed = await this.db
      .tx(async (tx) => {
        // The tenant lock first, like every writer, so lock order is the same everywhere.
        const batch = new ChangeBatch(tenantId, await nextVersion(tx, tenantId));
        const presence = this.hub.isConnected(tenantId, userId) ? await chosenPresence(tx, userId) : 'offline';
        if (!(await setPresence(tx, batch, userId, presence))) throw new NoChange();
        await batch.write(tx);
        return true;
      })
      .catch((e) => {
        if (e instanceof NoChange) return false;
        throw e;
      });
    if (changed) this.hub.poke(tenantId);
  }
}

/** At start nobody is connected to this node: everyone still marked online becomes offline. */
export async function markEveryoneOffline(db: Db): Promise<void> {
  const tenants = await db.query<{ tenant_id: string }>("SELECT DISTINCT tenant_id FROM users WHERE presence <> 'offline'");
  for (const { tenant_id: tenantId } of tenants) {
    await db.tx(async (tx) => {
      const batch = new ChangeBatch(tenantId, await nextVersion(tx, tenantId));
      const rows = await tx.query<{ id: string }>(
        "UPDATE users SET presence = 'offline', version = $2 WHERE tenant_id = $1 AND presence <> 'offline' RETURNING id",
        [tenantId, batch.version],
      );
      for (const { id } of rows) await logUser(tx, batch, id);
      await batch.write(tx);
    });
  }
}
