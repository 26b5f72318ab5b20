// Change-log reads shared by a tenant's connections. A commit pokes every connection of the tenant at
// once, and each would read the same tenant row and the same page of the log: with a thousand agents
// online that was thousands of identical queries per customer message (bench/benchmarks/fanOut.ts).
// A read still in flight is handed to every caller that may use it.
import { readChanges, type LogEntry } from '../store/changeLog';
import type { Db } from '../store/db';
import { getTenant, type TenantRow } from '../store/tenants';
import { currentScopes, type ConversationScope } from '../visibility';
import { conversationsTouched } from './visibleChanges';

export class ChangeFeed {
  /** Counts catch-up requests; a read is stamped with the count when it is issued. */
  private requests = 0;
  private readonly tenants = new Map<string, { issuedAt: number; row: Promise<TenantRow | null> }>();
  private readonly pages = new Map<string, Promise<FeedPage>>();

  constructor(private readonly db: Db) {}

  /** Called when a connection is asked to catch up (after the commit that asked it). */
  mark(): number {
    return ++this.requests;
  }

  /** The tenant row as of a read issued after the caller's `mark`: one issued earlier may predate the
   *  commit that poked the caller, and would make it stop short of that commit. */
  tenant(tenantId: string, mark: number): Promise<TenantRow | null> {
    const shared = this.tenants.get(tenantId);
    if (shared && shared.issuedAt >= mark) return shared.row;
    const entry = { issuedAt: this.requests, row: getTenant(this.db, tenantId) };
    this.tenants.set(tenantId, entry);
    const forget = () => {
      if (this.tenants.get(tenantId) === entry) this.tenants.delete(tenantId);
    };
    entry.row.then(forget, forget);
    return entry.row;
  }

  /** A page of the log. Versions up to the tenant's version are final (commits take versions in
   *  order under the tenant row lock), so the same range always reads the same rows. With it, the scope
   *  now of every conversation it touches, read after the page (visibleChanges.ts visibleOps). */
  changes(tenantId: string, after: number, upTo: number, limit: number): Promise<FeedPage> {
    const key = `${tenantId}\n${after}\n${upTo}\n${limit}`;
    const shared = this.pages.get(key);
    if (shared) return shared;
    const page = readChanges(this.db, tenantId, after, upTo, limit).then(async ({ entries, to }) => ({
      entries,
      to,
      scopes: await currentScopes(this.db, conversationsTouched(entries)),
    }));
    this.pages.set(key, page);
    const forget = () => {
      if (this.pages.get(key) === page) this.pages.delete(key);
    };
    page.then(forget, forget);
    return page;
  }
}

export interface FeedPage {
  entries: LogEntry[];
  to: number;
  scopes: Map<string, ConversationScope>;
}

const feeds = new WeakMap<Db, ChangeFeed>();

export function changeFeed(db: Db): ChangeFeed {
  let feed = feeds.get(db);
  if (!feed) feeds.set(db, (feed = new ChangeFeed(db)));
  return feed;
}
