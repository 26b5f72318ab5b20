// Live sync connections by tenant, so a commit can poke everyone who must catch up.
import type { SyncConnection } from './connection';

export class SyncHub {
  private readonly byTenant = new Map<string, Set<SyncConnection>>();

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
    for (const conn of this.byTenant.get(tenantId) ?? []) if (conn !== except) conn.catchUp();
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
