// Live sync connections by tenant, so a commit can poke everyone who must catch up: on this process at
// once, and on the other processes of the same PostgreSQL through `remote` (fanout/channel.ts).
import type { FanoutChannel } from '../fanout/channel';
import type { SyncConnection } from './connection';

export class SyncHub {
  private readonly byTenant = new Map<string, Set<SyncConnection>>();
  /** Told how long each poke took until every poked connection had caught up (metrics). */
  onFanout: ((seconds: number) => void) | null = null;
  /** The other processes on the same database (null under PGlite: this process is the only one). */
  remote: FanoutChannel | null = null;

  add(tenantId: string, conn: SyncConnection): void {
    let set = this.byTenant.get(tenantId);
    if (!set) this.byTenant.set(tenantId, (set = new Set()));
    set.add(conn);
  }

  remove(tenantId: string, conn: SyncConnection): void {
    const set = this.byTenant.get(tenantId);
    set?.delete(conn);
    if (set?.size === 0) this.byTenant.delete(tenantId);
  }

  /** Whether the user has a live connection on this node (their presence). */
  isConnected(tenantId: string, userId: string): boolean {
    for (const conn of this.byTenant.get(tenantId) ?? []) if (conn.userId === userId) return true;
    return false;
  }

  /** Makes every connection of the tenant (but `except`) read the change log, on every process. */
  poke(tenantId: string, except?: SyncConnection): void {
    this.pokeHere(tenantId, except);
    this.remote?.tenantMoved(tenantId);
  }

  /** Each user with a live connection on this process, once. */
  users(): { tenantId: string; userId: string }[] {
    const seen = new Map<string, { tenantId: string; userId: string }>();
    for (const [tenantId, set] of this.byTenant)
      for (const conn of set) if (conn.userId) seen.set(conn.userId, { tenantId, userId: conn.userId });
    return [...seen.values()];
  }

  /** The tenants with a live connection on this process. */
  tenants(): string[] {
    return [...this.byTenant.keys()];
  }

  /** Makes every connection of the tenant on this process (but `except`) read the change log. */
  pokeHere(tenantId: string, except?: SyncConnection): void {
    const started = performance.now();
    const caughtUp: Promise<void>[] = [];
    for (const conn of this.byTenant.get(tenantId) ?? []) if (conn !== except) caughtUp.push(conn.catchUp());
    const observe = this.onFanout;
    if (observe && caughtUp.length > 0) void Promise.all(caughtUp).then(() => observe((performance.now() - started) / 1000));
  }

  /** Each live connection's tenant and the change-log version it has sent up to (metrics). */
  *cursors(): Iterable<{ tenantId: string; cursor: number | null }> {
    for (const [tenantId, set] of this.byTenant) for (const conn of set) yield { tenantId, cursor: conn.syncedVersion };
  }

  /** The token hashes of every signed-in connection on this node (their sessions are renewed and checked). */
  tokenHashes(): string[] {
    const hashes = new Set<string>();
    for (const set of this.byTenant.values()) for (const conn of set) if (conn.tokenHash) hashes.add(conn.tokenHash);
    return [...hashes];
  }

  /** Closes the connections signed in with this token (after logout), on every process. */
  closeSession(tokenHash: string): void {
    this.closeSessionHere(tokenHash);
    this.remote?.sessionEnded(tokenHash);
  }

  /** Closes the connections signed in with this token on this process. */
  closeSessionHere(tokenHash: string): void {
    for (const set of this.byTenant.values()) for (const conn of set) if (conn.tokenHash === tokenHash) conn.signOut();
  }
}
