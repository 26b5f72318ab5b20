// The IPC contract between the renderer and the main process: declared once, here.
// The preload, the headless bridge, the main-side handlers and the renderer's types are all
// derived from `ipcContract` and `ipcEvents`; nothing re-declares them by hand.
import { z } from 'zod';
import {
  Attachment,
  Channel,
  ClosingCategory,
  Contact,
  ContactFieldChange,
  ContactFieldDefinition,
  Conversation,
  ConversationStatus,
  Id,
  Inbox,
  Invite,
  Message,
  MessageTemplate,
  NotificationEntry,
  Reminder,
  Role,
  SavedView,
  Snippet,
  Tag,
  Team,
  Tenant,
  User,
} from './domain';
import { ErrorBody } from './errors';
import { AdminSession } from './http';
import { mutationArgs } from './mutations';
import { isRoute } from './rules/route';
import { isServerAddress, SERVER_ADDRESS_MAX } from './rules/serverAddress';
import { VIEWS } from './rules/visibility';
import { finite, key, line, text } from './values';

function op<A extends z.ZodTypeAny, R extends z.ZodTypeAny>(args: A, result: R) {
  return { args, result };
}

export const ViewSchema = z.enum(VIEWS);
/** Matches rules/visibility.ts ViewRef. */
export const ViewRefSchema = z.discriminatedUnion('kind', [
  z.object({ kind: ViewSchema }),
  z.object({ kind: z.literal('team'), teamId: Id }),
  z.object({ kind: z.literal('saved'), viewId: Id }),
]);
export const Sort = z.enum(['newest', 'oldest']);

export const Session = z.object({ serverUrl: z.string().url(), user: User, tenant: Tenant });
export type Session = z.infer<typeof Session>;

export const SyncState = z.enum(['signedOut', 'connecting', 'bootstrapping', 'online', 'offline']);
export const SyncStatus = z.object({
  state: SyncState,
  /** Actions recorded locally and not yet confirmed by the server. */
  pending: z.number().int().nonnegative(),
  /** When the next reconnect attempt happens (epoch ms), while offline. */
  retryAt: z.number().nullable(),
  lastError: ErrorBody.nullable(),
});
export type SyncStatus = z.infer<typeof SyncStatus>;

/** This agent's active reminder on a conversation (the soonest), for "Overdue: <date> <time>". */
export const ReminderBadge = z.object({ id: Id, dueAt: z.number(), note: z.string().nullable() });

export const ConversationItem = Conversation.extend({
  contactName: z.string(),
  channel: Channel,
  inboxName: z.string(),
  assigneeName: z.string().nullable(),
  /** Some change to this conversation waits in the outbox. */
  pending: z.boolean(),
  reminder: ReminderBadge.nullable(),
});
export type ConversationItem = z.infer<typeof ConversationItem>;

export const Delivery = z.enum(['pending', 'sent', 'delivered', 'read', 'failed']);
export type Delivery = z.infer<typeof Delivery>;

export const MessageItem = Message.omit({ state: true }).extend({
  /** Null while the message is only in this device's outbox; pending messages come after confirmed ones. */
  seq: z.number().int().positive().nullable(),
  delivery: Delivery,
  authorName: z.string().nullable(),
  /** Why a failed message failed (a rejection code or the provider's reason). */
  failure: ErrorBody.nullable(),
});
export type MessageItem = z.infer<typeof MessageItem>;

/** A timeline page in timeline order (oldest first); `hasOlder` when confirmed messages remain before it. */
export const MessagePage = z.object({ messages: z.array(MessageItem), hasOlder: z.boolean() });
export type MessagePage = z.infer<typeof MessagePage>;

/** One of the contact's earlier conversations, as a timeline shows it above itself. */
export const EarlierConversation = z.object({
  conversationId: Id,
  /** When its first message was written, also when that one is left out of `messages`. */
  startedAt: z.number(),
  /** Its newest messages, in timeline order. */
  messages: z.array(MessageItem),
  /** Older messages of it are left out (opening it shows them). */
  hasOlder: z.boolean(),
});
export type EarlierConversation = z.infer<typeof EarlierConversation>;

/** Keyset position in an inbox list: its sort is (lastMessageAt, id), both descending or both ascending. */
export const InboxCursor = z.object({ lastMessageAt: finite, id: Id });
export type InboxCursor = z.infer<typeof InboxCursor>;

export const TabCounts = z.object({
  open: z.number().int(),
  pending: z.number().int(),
  snoozed: z.number().int(),
  closed: z.number().int(),
  /** Conversations whose customer waits for a reply (not closed). */
  waiting: z.number().int(),
  /** Conversations with unread customer messages (not closed). */
  unread: z.number().int(),
});
export type TabCounts = z.infer<typeof TabCounts>;

/** Counters of every view the user has, by viewKey(): 'mine', 'unassigned', 'all', 'teammates',
 *  'team:<id>', 'saved:<id>'. */
export const InboxCounts = z.record(z.string(), TabCounts);
export type InboxCounts = z.infer<typeof InboxCounts>;

export const ConversationDetail = z.object({
  conversation: ConversationItem,
  contact: Contact,
});
export type ConversationDetail = z.infer<typeof ConversationDetail>;

export const SearchHits = z.object({
  contacts: z.array(
    z.object({ id: Id, name: z.string(), phones: z.array(z.string()), emails: z.array(z.string()), conversationId: Id.nullable() }),
  ),
  messages: z.array(
    z.object({
      messageId: Id,
      conversationId: Id,
      contactName: z.string(),
      /** Text around the match; the matched words are wrapped in \u0002…\u0003 for highlighting. */
      snippet: z.string(),
      createdAt: z.number(),
    }),
  ),
});
export type SearchHits = z.infer<typeof SearchHits>;

export const NotificationItem = NotificationEntry.extend({
  byName: z.string().nullable(),
  contactName: z.string().nullable(),
  excerpt: z.string(),
});
export type NotificationItem = z.infer<typeof NotificationItem>;

export const ReminderItem = Reminder.extend({ contactName: z.string().nullable() });
export type ReminderItem = z.infer<typeof ReminderItem>;

/** Per device (kept with the client's settings). */
export const NotificationSettings = z.object({
  newMessage: z.boolean(),
  newConversation: z.boolean(),
  mention: z.boolean(),
  reminder: z.boolean(),
  doNotDisturb: z.boolean(),
  sound: z.boolean(),
});
export type NotificationSettings = z.infer<typeof NotificationSettings>;
export const DEFAULT_NOTIFICATION_SETTINGS: NotificationSettings = {
  newMessage: true,
  newConversation: true,
  mention: true,
  reminder: true,
  doNotDisturb: false,
  sound: true,
};

/** What a desktop notification shows; clicking it opens `link`. */
export const DesktopNotification = z.object({
  /** Notifications with the same tag replace each other (one grouped toast, not a storm). */
  tag: z.string(),
  title: z.string(),
  body: z.string(),
  conversationId: Id.nullable(),
  messageId: Id.nullable(),
  sound: z.boolean(),
});
export type DesktopNotification = z.infer<typeof DesktopNotification>;

/** The desktop shell's own settings (Electron; a browser tab has none of these). */
export const DesktopSettings = z.object({
  /** Running as the desktop app: windows, saved layouts and start at login exist. */
  desktop: z.boolean(),
  /** The system lets an app start at login (Windows and macOS). */
  startAtLoginAvailable: z.boolean(),
  startAtLogin: z.boolean(),
  /** Windows in the saved layout, restored at start (0: no layout saved). */
  layoutWindows: z.number().int().nonnegative(),
});
export type DesktopSettings = z.infer<typeof DesktopSettings>;

/** What a window shows, as its URL's hash (rules/route.ts). */
export const WindowRoute = z.string().max(300).refine(isRoute, 'Not a Bandeja route.');

const Empty = z.object({}).strict();
/** A server's address as the sign-in screen takes it (rules/serverAddress.ts): http(s), a host, nothing else. */
export const ServerAddress = z
  .string()
  .max(SERVER_ADDRESS_MAX)
  .refine(isServerAddress, 'A server address starts with https:// or http:// and names a host, e.g. https://bandeja.example.com.');
/** Whether this app may start the local demo server (its published logins): not offered when started for
 *  one server (--server); running when started with --demo, asked for, or chosen at an earlier start. */
export const LocalDemoState = z.enum(['unavailable', 'available', 'running']);
export type LocalDemoState = z.infer<typeof LocalDemoState>;
/** A login of the local demo tenant. Its password is published: the demo holds no real customers. */
export const DemoLogin = z.object({ email: z.string(), name: z.string(), role: Role, password: z.string() });
export type DemoLogin = z.infer<typeof DemoLogin>;
const Queued = z.object({ mutationId: z.number().int().positive() });
const QueuedMany = z.object({ mutationIds: z.array(z.number().int().positive()) });

export const ipcContract = {
  'app.info': op(
    Empty,
    z.object({
      version: z.string(),
      host: z.enum(['electron', 'headless']),
      platform: z.string(),
      /** Language picked by --lang, or null to follow the system. */
      lang: z.string().nullable(),
      /** The server to prefill on the sign-in screen: --server, the local demo when it runs, else the one
       *  signed in to last. Null on a first run: the screen asks for the address. */
      defaultServerUrl: z.string().nullable(),
      localDemo: LocalDemoState,
    }),
  ),
  /** Starts the local demo server on this computer (once; later calls return the running one). */
  'demo.start': op(Empty, z.object({ serverUrl: z.string(), logins: z.array(DemoLogin) })),
  'session.get': op(Empty, Session.nullable()),
  'session.login': op(z.object({ serverUrl: ServerAddress, email: key(254, { min: 1 }), password: z.string().min(1).max(256) }), Session),
  'session.logout': op(Empty, z.object({ ok: z.literal(true) })),
  'sync.status': op(Empty, SyncStatus),
  'directory.get': op(
    Empty,
    z.object({
      users: z.array(User),
      teams: z.array(Team),
      inboxes: z.array(Inbox),
      contactFields: z.array(ContactFieldDefinition),
      closingCategories: z.array(ClosingCategory),
      /** Only for admins; empty for others. */
      invites: z.array(Invite),
    }),
  ),
  'inbox.list': op(
    z.object({
      view: ViewRefSchema,
      status: ConversationStatus,
      sort: Sort.default('newest'),
      limit: z.number().int().min(1).max(500).default(100),
      /** The next page: rows after this one (the last row of the previous page) in the list's sort. */
      after: InboxCursor.optional(),
    }),
    z.array(ConversationItem),
  ),
  'inbox.counts': op(Empty, InboxCounts),
  /** Marks every unread conversation of a view and tab read (one mutation each). */
  'inbox.markAllRead': op(z.object({ view: ViewRefSchema, status: ConversationStatus }), QueuedMany),
  'conversation.get': op(z.object({ id: Id }), ConversationDetail.nullable()),
  'conversation.messages': op(z.object({ conversationId: Id }), z.array(MessageItem)),
  /** One page of the timeline, newest first: without `before`, the newest `limit` confirmed messages and
   *  this device's unconfirmed ones; with it, the `limit` confirmed ones just older than that seq. `reach`
   *  widens the page down to that message and `reachContext` (20 unless given) older ones: opening a
   *  conversation at an old message; 0 reads a page again with the same oldest message. */
  'conversation.messagePage': op(
    z.object({
      conversationId: Id,
      before: z.number().int().positive().optional(),
      limit: z.number().int().min(1).max(1000).default(100),
      reach: Id.optional(),
      reachContext: z.number().int().min(0).max(1000).optional(),
    }),
    MessagePage,
  ),
  /** The contact's conversations before this one (through previousConversationId), oldest first: as many
   *  as the timeline shows above itself, each with its newest messages; the chain stops at one the viewer
   *  may not see or that holds no message. */
  'conversation.earlier': op(z.object({ conversationId: Id }), z.array(EarlierConversation)),
  'conversation.markRead': op(z.object({ conversationId: Id }), Queued),
  'conversation.assign': op(z.object({ conversationId: Id, assigneeId: Id.nullable() }), Queued),
  'conversation.setStatus': op(z.object({ conversationId: Id, status: ConversationStatus }), Queued),
  'conversation.transfer': op(z.object({ conversationId: Id, toUserId: Id.nullable(), toTeamId: Id.nullable() }), Queued),
  'conversation.close': op(z.object({ conversationId: Id, note: text(2000).nullable(), categoryId: Id.nullable() }), Queued),
  'conversation.reopen': op(z.object({ conversationId: Id }), Queued),
  'conversation.markUnread': op(z.object({ conversationId: Id }), Queued),
  'conversation.tag': op(mutationArgs['conversation.tag'], Queued),
  'conversation.setBot': op(z.object({ conversationId: Id, active: z.boolean() }), Queued),
  /** The same action on many conversations: one mutation each, recorded in one transaction. */
  'conversation.bulk': op(
    z.object({
      conversationIds: z.array(Id).min(1).max(500),
      action: z.discriminatedUnion('type', [
        z.object({ type: z.literal('close'), note: text(2000).nullable(), categoryId: Id.nullable() }),
        z.object({ type: z.literal('assign'), assigneeId: Id.nullable() }),
        z.object({ type: z.literal('tag'), add: z.array(Tag).max(20), remove: z.array(Tag).max(20) }),
        z.object({ type: z.literal('markRead') }),
      ]),
    }),
    QueuedMany,
  ),
  'message.send': op(
    z.object({ conversationId: Id, body: text(100_000), attachments: z.array(Attachment).max(10).default([]) }),
    Queued.extend({ id: Id }),
  ),
  /** Keeps a file or recording on this device by sha256 (checked against the size and type limits) so a
   *  message can carry it; it is uploaded when the message leaves the outbox. Bytes travel as base64. */
  'attachment.stage': op(
    z.object({
      name: line(200, { min: 1 }),
      mime: key(200),
      dataBase64: z.string().max(Math.ceil((16 * 1024 * 1024 * 4) / 3) + 4),
      kind: z.enum(['image', 'audio', 'voice', 'video', 'file']),
      durationMs: z.number().int().positive().nullable().default(null),
    }),
    Attachment,
  ),
  /** The bytes of an attachment, from this device or fetched once from the server (then kept). */
  'attachment.read': op(z.object({ sha256: z.string().regex(/^[0-9a-f]{64}$/) }), z.object({ mime: z.string(), dataBase64: z.string() })),
  /** Drafts are kept per conversation on this device, across restarts. */
  'draft.get': op(z.object({ conversationId: Id }), z.object({ body: z.string() })),
  'draft.set': op(z.object({ conversationId: Id, body: text(100_000) }), z.object({ ok: z.literal(true) })),
  /** Shared snippets and this user's own, by shortcut; a personal one hides a shared one with the same
   *  shortcut unless includeShadowed (the admin screen lists every shared snippet). */
  'snippet.list': op(z.object({ includeShadowed: z.boolean().optional() }).strict(), z.array(Snippet)),
  'snippet.save': op(
    z.object({
      id: Id.optional(),
      title: line(80),
      shortcut: key(32),
      body: text(100_000),
      attachment: Attachment.nullable(),
      shared: z.boolean(),
    }),
    Queued.extend({ id: Id }),
  ),
  'snippet.delete': op(z.object({ id: Id }), Queued),
  'note.add': op(z.object({ conversationId: Id, body: text(100_000), mentions: z.array(Id).max(20) }), Queued.extend({ id: Id })),
  'contact.get': op(
    z.object({ id: Id }),
    z.object({ contact: Contact, conversations: z.array(ConversationItem), history: z.array(ContactFieldChange) }).nullable(),
  ),
  'contact.create': op(mutationArgs['contact.create'].omit({ id: true }), Queued.extend({ id: Id })),
  'contact.update': op(mutationArgs['contact.update'], Queued),
  'contact.merge': op(mutationArgs['contact.merge'], Queued),
  /** Tags in use in the mirror, most used first (for autocomplete). */
  'tags.list': op(Empty, z.array(z.object({ tag: z.string(), count: z.number().int().nonnegative() }))),
  'search.query': op(z.object({ q: line(200), limit: z.number().int().min(1).max(100).default(20) }), SearchHits),
  'notifications.list': op(Empty, z.array(NotificationItem)),
  'notification.markRead': op(mutationArgs['notification.markRead'], Queued),
  'view.list': op(Empty, z.array(SavedView)),
  'view.save': op(mutationArgs['view.save'].omit({ id: true }).extend({ id: Id.optional() }), Queued.extend({ id: Id })),
  'view.delete': op(mutationArgs['view.delete'], Queued),
  'admin.user.invite': op(mutationArgs['admin.user.invite'].omit({ id: true }), Queued.extend({ id: Id })),
  'admin.user.update': op(mutationArgs['admin.user.update'], Queued),
  'admin.team.save': op(mutationArgs['admin.team.save'].omit({ id: true }).extend({ id: Id.optional() }), Queued.extend({ id: Id })),
  'admin.inbox.update': op(mutationArgs['admin.inbox.update'], Queued),
  'admin.contactField.save': op(
    mutationArgs['admin.contactField.save'].omit({ id: true }).extend({ id: Id.optional() }),
    Queued.extend({ id: Id }),
  ),
  'admin.closingCategory.save': op(
    mutationArgs['admin.closingCategory.save'].omit({ id: true }).extend({ id: Id.optional() }),
    Queued.extend({ id: Id }),
  ),
  'message.discard': op(z.object({ id: Id }), z.object({ ok: z.literal(true) })),
  /** This agent's reminders (of one conversation, or all not finished), soonest first. */
  'reminder.list': op(z.object({ conversationId: Id.optional() }).strict(), z.array(ReminderItem)),
  'reminder.set': op(mutationArgs['reminder.set'].omit({ id: true }).extend({ id: Id.optional() }), Queued.extend({ id: Id })),
  'reminder.setState': op(mutationArgs['reminder.setState'], Queued),
  'presence.set': op(mutationArgs['presence.set'], Queued),
  'notifications.settings.get': op(Empty, NotificationSettings),
  'notifications.settings.set': op(NotificationSettings.partial(), NotificationSettings),
  /** Sends a failed message again as a new message (same words, files or template); a failed copy that
   *  only this device held (refused by the server) is removed in the same transaction. */
  'message.resend': op(z.object({ id: Id }), Queued.extend({ id: Id })),
  /** Forwards a message (its words and files) to other conversations: one new message each. */
  'message.forward': op(z.object({ messageId: Id, toConversationIds: z.array(Id).min(1).max(20) }), QueuedMany),
  /** An approved template of the conversation's inbox, with its variables in order ({{1}}, {{2}}…). */
  'message.sendTemplate': op(mutationArgs['message.sendTemplate'].omit({ id: true }), Queued.extend({ id: Id })),
  /** Templates of one inbox (or of all), approved ones first. */
  'template.list': op(z.object({ inboxId: Id.optional() }).strict(), z.array(MessageTemplate)),
  'admin.template.save': op(
    mutationArgs['admin.template.save'].omit({ id: true }).extend({ id: Id.optional() }),
    Queued.extend({ id: Id }),
  ),
  'admin.template.delete': op(mutationArgs['admin.template.delete'], Queued),
  /** A user's live sign-in sessions, asked from the server (admins; SERVER_UNREACHABLE offline). */
  'admin.sessions.list': op(z.object({ userId: Id }), z.array(AdminSession)),
  /** Ends one session: that device is signed out at once. */
  'admin.session.end': op(z.object({ sessionId: z.string().uuid() }), z.object({ ok: z.literal(true) })),
  /** How many conversations wait for me (the dock badge, the tray, the page title): mine, open or pending,
   *  waiting for a reply or unread. */
  'badge.get': op(Empty, z.object({ count: z.number().int().nonnegative() })),
  /** Opens a view in a window of its own (Electron). `opened: false` where the host has no windows of its
   *  own (headless): the page opens a browser tab itself. */
  'window.open': op(z.object({ route: WindowRoute }), z.object({ opened: z.boolean() })),
  'desktop.settings.get': op(Empty, DesktopSettings),
  'desktop.settings.set': op(z.object({ startAtLogin: z.boolean() }).partial().strict(), DesktopSettings),
  /** Saves which views are open on which monitor; they come back at the next start. */
  'desktop.layout.save': op(Empty, DesktopSettings),
  'desktop.layout.clear': op(Empty, DesktopSettings),
  /** Opens the app's log file for support (Electron: in the system's viewer). `opened: false` where the host
   *  cannot open files (a browser tab): the page shows `path` instead; null when this host keeps no log. */
  'desktop.log.open': op(Empty, z.object({ opened: z.boolean(), path: z.string().nullable() })),
  /** A renderer's uncaught error, written to the app's log (its message and stack, cut to a few KB). */
  'desktop.log.report': op(
    z.object({ message: z.string().max(2000), stack: z.string().max(8000).nullable(), where: z.string().max(200).nullable() }).strict(),
    z.object({ ok: z.literal(true) }),
  ),
} as const;

export type IpcContract = typeof ipcContract;
export type IpcOp = keyof IpcContract;
export type IpcArgs<K extends IpcOp> = z.input<IpcContract[K]['args']>;
export type IpcResult<K extends IpcOp> = z.output<IpcContract[K]['result']>;
export const IPC_OPS = Object.keys(ipcContract) as IpcOp[];

/** Pushed from main to renderer. */
export const ipcEvents = {
  /** The mirror changed: refetch what depends on it. `conversationIds` empty with `all` true means everything. */
  'mirror.changed': z.object({ all: z.boolean(), conversationIds: z.array(Id) }),
  'sync.status': SyncStatus,
  /** The server refused one of this device's actions for good. Messages and notes also stay in their
   *  conversation as failed with the reason; for any other action this is how the person learns why. */
  /** Headless host: the renderer shows this as a web Notification (Electron shows a native one itself). */
  'notification.show': DesktopNotification,
  /** Open a conversation (a notification or a bandeja:// link was clicked, or a second launch handed one over). */
  'app.open': z.object({ conversationId: Id, messageId: Id.nullable() }),
  /** Electron: a native notification was shown; one window plays the app's own sound (assets/) for it. */
  'notification.sound': z.object({}),
  'mutation.rejected': z.object({
    mutationId: z.number().int().positive(),
    name: z.string(),
    error: ErrorBody,
    conversationId: Id.nullable(),
  }),
} as const;
export type IpcEvents = typeof ipcEvents;
export type IpcEventName = keyof IpcEvents;
export type IpcEventPayload<K extends IpcEventName> = z.output<IpcEvents[K]>;
export const IPC_EVENTS = Object.keys(ipcEvents) as IpcEventName[];

/** What every transport returns for a call. */
export type IpcReply<K extends IpcOp> = { ok: true; result: IpcResult<K> } | { ok: false; error: ErrorBody };

/** What `window.bandeja` is (installed by the preload in Electron, by the headless bridge in a browser).
 *  Each method resolves to an IpcReply rather than throwing, because Electron's contextBridge and
 *  ipcRenderer.invoke drop everything of an Error but its message. */
export type BandejaBridge = {
  [K in IpcOp]: (args: IpcArgs<K>) => Promise<IpcReply<K>>;
} & {
  on<E extends IpcEventName>(event: E, listener: (payload: IpcEventPayload<E>) => void): () => void;
};

/** Builds the bridge object from one `call` function: used by the preload and the headless bridge. */
export function buildBridge(
  call: (op: IpcOp, args: unknown) => Promise<unknown>,
  on: (event: IpcEventName, listener: (payload: unknown) => void) => () => void,
): BandejaBridge {
  const bridge: Record<string, unknown> = {};
  for (const name of IPC_OPS) bridge[name] = (args: unknown) => call(name, args ?? {});
  bridge.on = on;
  return bridge as BandejaBridge;
}

/** Channel names used on Electron's ipcMain/ipcRenderer. */
export const IPC_CHANNEL_PREFIX = 'bandeja:';
