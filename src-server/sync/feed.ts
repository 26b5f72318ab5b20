// Change-log reads shared by a tenant's connections. A commit pokes every connection of the tenant at
// once, and each would read the same tenant row and the same page of the log: with a thousand agents
// online that was thousands of identical queries per customer message (bench/benchmarks/fanOut.ts).
// A read still in flight is handed to every caller that may use it, and the last few pages are kept:
// the hub reads a page to find its audience (sync/audience.ts), then the connections in it read the same
// page, and those with the same decisions share one serialized payload of it (FeedPage.payload).
import type { Message } from '../../src-shared/domain';
import { readChanges, type LogEntry } from '../store/changeLog';
import type { Db } from '../store/db';
import { getTenant, type TenantRow } from '../store/tenants';
import { currentScopes, type ConversationScope, type Viewer } from '../visibility';
import { audienceOf, type Audience } from './audience';
import { conversationsTouched, decisions, opsFor, receivesNothing, serializeParts } from './visibleChanges';

/** Pages kept after their read (the same range is read by every connection a commit wakes). */
const KEPT_PAGES = 8;

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
    // Kept once read: it still answers every caller whose mark is older (the connections a fan-out pass
    // wakes with its own mark), and a newer mark reads again.
    const forget = () => {
      if (this.tenants.get(tenantId) === entry) this.tenants.delete(tenantId);
    };
    entry.row.catch(forget);
    return entry.row;
  }

  /** A page of the log. Versions up to the tenant's version are final (commits take versions in
   *  order under the tenant row lock), so the same range always reads the same rows. With it, the scope
   *  now of every conversation it touches, read after the page (visibleChanges.ts visibleOps). */
  changes(tenantId: string, after: number, upTo: number, limit: number): Promise<FeedPage> {
    const key = `${tenantId}\n${after}\n${upTo}\n${limit}`;
    const shared = this.pages.get(key);
    if (shared) return shared;
    const page = readChanges(this.db, tenantId, after, upTo, limit).then(
      async ({ entries, to }) => new FeedPage(entries, to, await currentScopes(this.db, conversationsTouched(entries))),
    );
    this.pages.set(key, page);
    // Oldest first out (a Map keeps insertion order).
    if (this.pages.size > KEPT_PAGES) this.pages.delete(this.pages.keys().next().value!);
    const forget = () => {
      if (this.pages.get(key) === page) this.pages.delete(key);
    };
    page.catch(forget);
    return page;
  }
}

/** One page of the log: versions in (after, to], with the scope now of every conversation it touches. */
export class FeedPage {
  private audienceMemo: Audience | null = null;
  /** Serialized ops by decisions (visibleChanges.ts `decisions`). */
  private readonly payloads = new Map<string, Promise<string[]>>();

  constructor(
    readonly entries: LogEntry[],
    readonly to: number,
    readonly scopes: Map<string, ConversationScope>,
  ) {}

  /** Who may receive anything from this page (a superset: see sync/audience.ts). */
  get audience(): Audience {
    return (this.audienceMemo ??= audienceOf(this.entries));
  }

  /** What this page gives the viewer as serialized ops arrays, each small enough for one frame (none when
   *  nothing in it is hers). Viewers with the same decisions share one serialization; `serialized` is how
   *  many arrays this call serialized (0 when it found them made). */
  async payload(
    viewer: Viewer,
    messagesOf: (conversationId: string) => Promise<Message[]>,
    maxBytes: number,
  ): Promise<{ parts: string[]; serialized: number }> {
    const decided = decisions(this.entries, viewer, this.scopes);
    if (receivesNothing(decided)) return { parts: [], serialized: 0 };
    const shared = this.payloads.get(decided);
    if (shared) return { parts: await shared, serialized: 0 };
    const made = opsFor(this.entries, decided, messagesOf).then((ops) => (ops.length === 0 ? [] : serializeParts(ops, maxBytes)));
    this.payloads.set(decided, made);
    made.catch(() => this.payloads.delete(decided));
    const parts = await made;
    return { parts, serialized: parts.length };
  }
}

const feeds = new WeakMap<Db, ChangeFeed>();

export function changeFeed(db: Db): ChangeFeed {
  let feed = feeds.get(db);
  if (!feed) feeds.set(db, (feed = new ChangeFeed(db)));
  return feed;
}
