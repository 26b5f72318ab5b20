// Everything the renderer reads from the mirror goes through TanStack Query: one key builder and
// one queryOptions factory per resource. The core's events decide when the cache is stale.
import { QueryClient, infiniteQueryOptions, queryOptions, type InfiniteData, type QueryKey } from '@tanstack/react-query';
import type { ConversationStatus } from '../../src-shared/domain';
import type { ConversationItem, EarlierConversation, InboxCursor, IpcEventPayload, MessagePage, SyncStatus } from '../../src-shared/ipc';
import { viewKey, type ViewRef } from '../../src-shared/rules/visibility';
import { call, subscribe } from '../bridge/client';

export type Sort = 'newest' | 'oldest';
export interface InboxListParams {
  view: ViewRef;
  status: ConversationStatus;
  sort: Sort;
}

// Everything under 'mirror' is read from the local mirror and goes stale on `mirror.changed`.
export const keys = {
  mirror: ['mirror'] as const,
  appInfo: ['app', 'info'] as const,
  localDemo: ['app', 'localDemo'] as const,
  session: ['session'] as const,
  syncStatus: ['sync', 'status'] as const,
  directory: ['mirror', 'directory'] as const,
  inboxLists: ['mirror', 'inbox', 'list'] as const,
  inboxList: (p: InboxListParams) => ['mirror', 'inbox', 'list', viewKey(p.view), p.status, p.sort] as const,
  inboxPages: (p: InboxListParams) => ['mirror', 'inbox', 'list', viewKey(p.view), p.status, p.sort, 'pages'] as const,
  counts: ['mirror', 'inbox', 'counts'] as const,
  conversation: (id: string) => ['mirror', 'conversation', id] as const,
  messages: (id: string) => ['mirror', 'messages', id] as const,
  messagePages: (id: string) => ['mirror', 'messages', id, 'pages'] as const,
  earlierAll: ['mirror', 'earlier'] as const,
  earlier: (id: string) => ['mirror', 'earlier', id] as const,
  contacts: ['mirror', 'contact'] as const,
  contact: (id: string) => ['mirror', 'contact', id] as const,
  savedViews: ['mirror', 'views'] as const,
  notifications: ['mirror', 'notifications'] as const,
  tags: ['mirror', 'tags'] as const,
  snippets: (includeShadowed: boolean) => ['mirror', 'snippets', includeShadowed] as const,
  templates: ['mirror', 'templates'] as const,
  templatesOf: (inboxId: string | null) => ['mirror', 'templates', inboxId ?? 'all'] as const,
  reminders: ['mirror', 'reminders'] as const,
  remindersOf: (conversationId: string | null) => ['mirror', 'reminders', conversationId ?? 'mine'] as const,
  badge: ['mirror', 'badge'] as const,
  notificationSettings: ['settings', 'notifications'] as const,
  desktopSettings: ['settings', 'desktop'] as const,
  searches: ['mirror', 'search'] as const,
  search: (q: string) => ['mirror', 'search', q] as const,
};

export const appInfoQuery = () => queryOptions({ queryKey: keys.appInfo, queryFn: () => call('app.info', {}), staleTime: Infinity });

export const sessionQuery = () => queryOptions({ queryKey: keys.session, queryFn: () => call('session.get', {}) });

export const syncStatusQuery = () => queryOptions({ queryKey: keys.syncStatus, queryFn: () => call('sync.status', {}) });

export const directoryQuery = () => queryOptions({ queryKey: keys.directory, queryFn: () => call('directory.get', {}) });

export const inboxListQuery = (p: InboxListParams) =>
  queryOptions({
    queryKey: keys.inboxList(p),
    queryFn: () => call('inbox.list', { view: p.view, status: p.status, sort: p.sort, limit: 500 }),
    placeholderData: (previous) => previous,
  });

/** Rows per inbox page: the list shows one page at start and reads the next as it is scrolled near. */
export const INBOX_PAGE = 200;

/** The list of a view and tab in keyset pages (the cursor is the last row of the page before). On a
 *  mirror change every page read so far is read again from the first, so the rows stay in order. */
export const inboxPagesQuery = (p: InboxListParams) =>
  infiniteQueryOptions({
    queryKey: keys.inboxPages(p),
    queryFn: ({ pageParam }) =>
      call('inbox.list', { view: p.view, status: p.status, sort: p.sort, limit: INBOX_PAGE, ...(pageParam ? { after: pageParam } : {}) }),
    initialPageParam: null as InboxCursor | null,
    getNextPageParam: (last: ConversationItem[]): InboxCursor | undefined =>
      last.length < INBOX_PAGE ? undefined : { lastMessageAt: last.at(-1)!.lastMessageAt, id: last.at(-1)!.id },
    placeholderData: (previous) => previous,
  });

/** Messages per timeline page. */
export const MESSAGE_PAGE = 100;

/** Where a timeline page starts: before a seq (older pages), and how far the newest page reaches. */
export interface MessagePageParam {
  before: number | null;
  reach: string | null;
}

/** A conversation's timeline in pages, newest first (pages[0] is the newest). When the mirror changes the
 *  pages read so far are read again from the newest, which reaches down to exactly the oldest message it
 *  held before (or to a message opened from search, with some older ones): only new messages make it
 *  longer; neither the oldest messages read nor the earlier conversations above them move out of the
 *  timeline, and the older pages do not shift. */
export const messagePagesQuery = (conversationId: string) =>
  infiniteQueryOptions({
    queryKey: keys.messagePages(conversationId),
    queryFn: ({ pageParam, client }): Promise<MessagePage> => {
      const held =
        pageParam.before === null
          ? client
              .getQueryData<InfiniteData<MessagePage>>(keys.messagePages(conversationId))
              ?.pages[0]?.messages.find((m) => m.seq !== null)
          : undefined;
      const reach = held?.id ?? pageParam.reach;
      return call('conversation.messagePage', {
        conversationId,
        limit: MESSAGE_PAGE,
        ...(pageParam.before !== null ? { before: pageParam.before } : {}),
        // Read again, the page keeps its oldest message: no context below it, or each change would add some.
        ...(reach !== null ? { reach, ...(held ? { reachContext: 0 } : {}) } : {}),
      });
    },
    initialPageParam: { before: null, reach: null } as MessagePageParam,
    getNextPageParam: (last: MessagePage): MessagePageParam | undefined => {
      const oldest = last.messages.find((m) => m.seq !== null);
      return last.hasOlder && oldest ? { before: oldest.seq!, reach: null } : undefined;
    },
  });

export const countsQuery = () => queryOptions({ queryKey: keys.counts, queryFn: () => call('inbox.counts', {}) });

export const conversationQuery = (id: string) =>
  queryOptions({ queryKey: keys.conversation(id), queryFn: () => call('conversation.get', { id }) });

/** The contact's conversations before this one, oldest first, with what the timeline shows of each. */
export const earlierQuery = (conversationId: string) =>
  queryOptions({ queryKey: keys.earlier(conversationId), queryFn: () => call('conversation.earlier', { conversationId }) });

export const contactQuery = (id: string) => queryOptions({ queryKey: keys.contact(id), queryFn: () => call('contact.get', { id }) });

export const savedViewsQuery = () => queryOptions({ queryKey: keys.savedViews, queryFn: () => call('view.list', {}) });

export const notificationsQuery = () => queryOptions({ queryKey: keys.notifications, queryFn: () => call('notifications.list', {}) });

/** Tags in use on the mirror, most used first: the tag autocomplete's words. */
export const tagsQuery = () => queryOptions({ queryKey: keys.tags, queryFn: () => call('tags.list', {}) });

/** Shared snippets and the user's own (a personal one hides the shared one with its shortcut unless
 *  includeShadowed, which the managers use to reach every snippet). */
export const snippetsQuery = (includeShadowed = false) =>
  queryOptions({ queryKey: keys.snippets(includeShadowed), queryFn: () => call('snippet.list', { includeShadowed }) });

/** Message templates of one inbox (approved first), or of every inbox for the admin screen. */
export const templatesQuery = (inboxId: string | null) =>
  queryOptions({ queryKey: keys.templatesOf(inboxId), queryFn: () => call('template.list', inboxId ? { inboxId } : {}) });

/** My reminders: of one conversation (all but deleted), or every active and dismissed one; soonest first. */
export const remindersQuery = (conversationId: string | null) =>
  queryOptions({
    queryKey: keys.remindersOf(conversationId),
    queryFn: () => call('reminder.list', conversationId ? { conversationId } : {}),
  });

/** How many conversations wait for me (the page title and favicon, like the dock badge and the tray). */
export const badgeQuery = () => queryOptions({ queryKey: keys.badge, queryFn: () => call('badge.get', {}) });

/** This device's notification settings (never synced). */
export const notificationSettingsQuery = () =>
  queryOptions({ queryKey: keys.notificationSettings, queryFn: () => call('notifications.settings.get', {}) });

export const desktopSettingsQuery = () => queryOptions({ queryKey: keys.desktopSettings, queryFn: () => call('desktop.settings.get', {}) });

export const searchQuery = (q: string) =>
  queryOptions({
    queryKey: keys.search(q),
    queryFn: () => call('search.query', { q, limit: 20 }),
    enabled: q.trim().length > 0,
    placeholderData: (previous) => previous,
  });

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      // The mirror is local and pushes change events: no polling, no refetch on focus, no retries
      // that would hide an error from the person looking at the screen.
      queries: { staleTime: Infinity, retry: false, refetchOnWindowFocus: false, networkMode: 'always' },
      mutations: { networkMode: 'always' },
    },
  });
}

function mirrorChanged(client: QueryClient, change: IpcEventPayload<'mirror.changed'>): void {
  if (change.all) {
    void client.invalidateQueries({ queryKey: keys.mirror });
    void client.invalidateQueries({ queryKey: keys.session });
    return;
  }
  // Conversation changes also move contacts' timelines, notifications and search results; those are
  // cheap local reads, so they go stale with any change rather than tracking exactly which.
  const stale: QueryKey[] = [
    keys.inboxLists,
    keys.counts,
    keys.contacts,
    keys.notifications,
    keys.savedViews,
    keys.directory,
    keys.tags,
    keys.searches,
    keys.templates,
    keys.reminders,
    keys.badge,
  ];
  for (const id of change.conversationIds) stale.push(keys.conversation(id), keys.messages(id));
  for (const queryKey of stale) void client.invalidateQueries({ queryKey });
  // Earlier conversations go stale with the conversation they sit above or with one of them.
  const changed = new Set(change.conversationIds);
  void client.invalidateQueries({
    queryKey: keys.earlierAll,
    predicate: (q) =>
      changed.has(q.queryKey[2] as string) ||
      ((q.state.data as EarlierConversation[] | undefined) ?? []).some((e) => changed.has(e.conversationId)),
  });
}

/** Wires the core's events into the cache. Returns the unsubscribe function. */
export function connectMirrorEvents(client: QueryClient): () => void {
  const offChanged = subscribe('mirror.changed', (change) => mirrorChanged(client, change));
  let lastState: SyncStatus['state'] | null = null;
  const offStatus = subscribe('sync.status', (status) => {
    client.setQueryData(keys.syncStatus, status);
    // Signing in or out (or the server refusing our token) changes who we are.
    if (lastState !== null && (status.state === 'signedOut') !== (lastState === 'signedOut'))
      void client.invalidateQueries({ queryKey: keys.session });
    lastState = status.state;
  });
  return () => {
    offChanged();
    offStatus();
  };
}
