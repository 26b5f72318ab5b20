// Live sync connections by tenant, so a commit can reach everyone who must catch up: on this process at
// once, and on the other processes of the same PostgreSQL through `remote` (fanout/channel.ts). A poke
// reads the new page of the log once per tenant and wakes only the connections in its audience (an index
// by user, team and role, sync/audience.ts); the others move past it without a frame (ARCHITECTURE.md
// "Catch-up").
import type { FanoutChannel } from '../fanout/channel';
import { AudienceIndex } from './audience';
import { CHANGE_PAGE_ROWS, type SyncConnection } from './connection';
import type { ChangeFeed } from './feed';

/** One tenant's connections on this process, and its fan-out passes (one at a time, pokes coalesced). */
class TenantFanout {
  readonly index = new AudienceIndex<SyncConnection>();
  private running = false;
  /** When the oldest poke not yet handled by a pass arrived (null: none waiting). */
  private pokedAt: number | null = null;

  constructor(
    private readonly tenantId: string,
    private readonly hub: SyncHub,
  ) {}

  poke(): void {
    this.pokedAt ??= performance.now();
    if (!this.running) void this.run();
  }

  private async run(): Promise<void> {
    this.running = true;
    try {
      while (this.pokedAt !== null) {
        const pokedAt = this.pokedAt;
        this.pokedAt = null;
        const feed = this.hub.feed;
        if (!feed) {
          for (const conn of this.index.all) void conn.catchUp();
          continue;
        }
        await this.pass(feed, pokedAt);
      }
    } catch (e) {
      // A pass that failed (the database away) wakes everyone: each catches up on its own, as before.
      this.hub.log?.(`fan-out pass failed: ${e instanceof Error ? e.message : String(e)}`);
      for (const conn of this.index.all) void conn.catchUp();
    } finally {
      this.running = false;
    }
  }

  /** Reads the tenant's head, then for every idle connection behind it the page after its cursor (once per
   *  distinct cursor: usually one); wakes the page's audience and passes the others over. Connections
   *  busy catching up are woken as before (their pass may have read the head before this commit). */
  private async pass(feed: ChangeFeed, pokedAt: number): Promise<void> {
    const mark = feed.mark();
    const tenant = await feed.tenant(this.tenantId, mark);
    if (!tenant) return;
    const woken: Promise<void>[] = [];
    const wake = (conn: SyncConnection) => woken.push(conn.catchUp(mark));
    for (const conn of this.index.all) if (conn.idleCursor() === null) wake(conn);
    for (;;) {
      const behind = new Map<number, SyncConnection[]>();
      for (const conn of this.index.all) {
        const cursor = conn.idleCursor();
        if (cursor === null || cursor >= tenant.version) continue;
        const group = behind.get(cursor);
        if (group) group.push(conn);
        else behind.set(cursor, [conn]);
      }
      if (behind.size === 0) break;
      for (const [from, group] of behind) {
        const page = await feed.changes(this.tenantId, from, tenant.version, CHANGE_PAGE_ROWS);
        const audience = this.index.members(page.audience);
        for (const conn of group) if (audience.has(conn) || !conn.passOver(from, page.to)) wake(conn);
      }
    }
    const observe = this.hub.onFanout;
    if (observe && woken.length > 0) void Promise.all(woken).then(() => observe((performance.now() - pokedAt) / 1000));
  }
}

export class SyncHub {
  private readonly byTenant = new Map<string, TenantFanout>();
  /** Told how long each poke took until every connection it woke (those that may see the change) had
   *  sent what it may see (metrics). */
  onFanout: ((seconds: number) => void) | null = null;
  /** The other processes on the same database (null under PGlite: this process is the only one). */
  remote: FanoutChannel | null = null;
  /** Where problems of a fan-out pass are told. */
  log: ((line: string) => void) | null = null;
  /** The store's shared change feed (set from the first connection added). */
  feed: ChangeFeed | null = null;

  add(tenantId: string, conn: SyncConnection): void {
    let fanout = this.byTenant.get(tenantId);
    if (!fanout) this.byTenant.set(tenantId, (fanout = new TenantFanout(tenantId, this)));
    this.feed ??= conn.feed;
    this.log ??= conn.log;
    fanout.index.set(conn, conn.viewer);
  }

  /** The connection's user was read again (role, teams): it is indexed anew. */
  reindex(tenantId: string, conn: SyncConnection): void {
    const index = this.byTenant.get(tenantId)?.index;
    if (index?.all.has(conn)) index.set(conn, conn.viewer);
  }

  remove(tenantId: string, conn: SyncConnection): void {
    const fanout = this.byTenant.get(tenantId);
    fanout?.index.remove(conn);
    if (fanout?.index.size === 0) this.byTenant.delete(tenantId);
  }

  private connections(tenantId: string): Iterable<SyncConnection> {
    return this.byTenant.get(tenantId)?.index.all ?? [];
  }

  /** Whether the user has a live connection on this node (their presence). */
  isConnected(tenantId: string, userId: string): boolean {
    for (const conn of this.connections(tenantId)) if (conn.userId === userId) return true;
    return false;
  }

  /** Brings every connection of the tenant up to the change log, on every process. `except` (the pusher,
   *  which has just caught up) is left out when it is idle at the head anyway. */
  poke(tenantId: string, except?: SyncConnection): void {
    this.pokeHere(tenantId, except);
    this.remote?.tenantMoved(tenantId);
  }

  /** Each user with a live connection on this process, once. */
  users(): { tenantId: string; userId: string }[] {
    const seen = new Map<string, { tenantId: string; userId: string }>();
    for (const [tenantId, fanout] of this.byTenant)
      for (const conn of fanout.index.all) if (conn.userId) seen.set(conn.userId, { tenantId, userId: conn.userId });
    return [...seen.values()];
  }

  /** The tenants with a live connection on this process. */
  tenants(): string[] {
    return [...this.byTenant.keys()];
  }

  /** Brings every connection of the tenant on this process up to the change log (a fan-out pass). */
  pokeHere(tenantId: string, _except?: SyncConnection): void {
    this.byTenant.get(tenantId)?.poke();
  }

  /** Each live connection's tenant and the change-log version it has read up to (metrics). */
  *cursors(): Iterable<{ tenantId: string; cursor: number | null }> {
    for (const [tenantId, fanout] of this.byTenant) for (const conn of fanout.index.all) yield { tenantId, cursor: conn.syncedVersion };
  }

  /** The token hashes of every signed-in connection on this node (their sessions are renewed and checked). */
  tokenHashes(): string[] {
    const hashes = new Set<string>();
    for (const fanout of this.byTenant.values()) for (const conn of fanout.index.all) if (conn.tokenHash) hashes.add(conn.tokenHash);
    return [...hashes];
  }

  /** Closes the connections signed in with this token (after logout), on every process. */
  closeSession(tokenHash: string): void {
    this.closeSessionHere(tokenHash);
    this.remote?.sessionEnded(tokenHash);
  }

  /** Closes the connections signed in with this token on this process. */
  closeSessionHere(tokenHash: string): void {
    for (const fanout of this.byTenant.values()) for (const conn of [...fanout.index.all]) if (conn.tokenHash === tokenHash) conn.signOut();
  }
}
