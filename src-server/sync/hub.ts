// Live sync connections by tenant, so a commit can poke everyone who must catch up.
import type { SyncConnection } from './connection';

export class SyncHub {
  private readonly byTenant = new Map<string, Set<SyncConnection>>();
  /** Told how long each poke took until every poked connection had caught up (metrics). */
  onFanout: ((seconds: number) => void) | null = null;

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

  /** Makes every connection of the tenant (but `except`) read the change log. */
  poke(tenantId: string, except?: SyncConnection): void {
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

  /** Closes the connections signed in with this token (after logout). */
  closeSession(tokenHash: string): void {
    for (const set of this.byTenant.values()) for (const conn of set) if (conn.tokenHash === tokenHash) conn.signOut();
  }
}
