// createCore(): the client core behind the IPC handlers. Holds the session, the user's mirror and
// the sync client; knows nothing of Electron or of how the UI reaches it.
import { v7 as uuidv7 } from 'uuid';
import { BandejaError } from '../../src-shared/errors';
import type { Attachment } from '../../src-shared/domain';
import type { MutationArgs, MutationName } from '../../src-shared/mutations';
import type { DemoLogin, LocalDemoState, NotificationSettings, Session, SyncStatus } from '../../src-shared/ipc';
import type { Viewer } from '../../src-shared/rules/visibility';
import { join } from 'node:path';
import { sweepBlobs } from './blobHousekeeping';
import { ClientBlobs, type StageInput } from './blobs';
import type { Host } from './host';
import { Paths, type AdminSession } from '../../src-shared/http';
import { markUpload } from './mirror/blobUploads';
import { openMirror, type Mirror, type ReadonlyDb } from './mirror/db';
import { readDraft, writeDraft } from './mirror/drafts';
import { writeSessionUser } from './mirror/meta';
import { sessionViewer } from './mirror/rebase';
import { waitingForMe } from './mirror/queries';
import { dueUnfired, markFired, soonestUnfired } from './mirror/reminders';
import { Notifier } from './notifications';
import { systemClock, type Clock } from './reminders/clock';
import { ReminderScheduler } from './reminders/scheduler';
import { IpcEventEmitter } from './events';
import { ChangeBurst, type Burst } from './changeBurst';
import { forwardMessage, mustHaveAttachments, resendId, resendMessage } from './messageCopies';
import { discardMessage, record, recordMany, type MutationInput, type Recorded } from './outbox';
import { readSettings, updateSettings } from './settings';
import { checkServer, deviceDescription, mirrorPath, normalizeServerUrl, tokenSecret, requestLogin, requestLogout } from './session';
import { endUserSession, listUserSessions } from './adminSessions';
import { SyncClient } from './sync/client';

export interface CoreOptions {
  host: Host;
  /** Language picked on the command line, or null to follow the system. */
  lang: string | null;
  /** Server the host was started for (--server, or the demo it started), offered on the sign-in screen.
   *  Null: the local demo's when it runs, else the server remembered from the last sign-in, else none. */
  defaultServerUrl: string | null;
  /** The local demo server this app may start on request (launch.ts); none: not offered. */
  localDemo?: LocalDemo;
  version?: string;
  log?: (message: string) => void;
  /** Time for reminders and notification bursts (tests drive it by hand). */
  clock?: Clock;
}

/** Reminders that came due while the app was closed wait this long after sync is online (its catch-up
 *  may say another device dismissed them), or CATCH_UP_LIMIT_MS after start when the server is away. */
const CATCH_UP_SETTLE_MS = 1500;
const CATCH_UP_LIMIT_MS = 10_000;

/** The local demo server (published passwords, no real customers), started only when asked. */
export interface LocalDemo {
  /** Its address while it runs, else null. */
  url(): string | null;
  /** Starts it once; later calls return the running one. */
  start(): Promise<{ serverUrl: string; logins: DemoLogin[] }>;
}

export interface AppInfo {
  version: string;
  host: Host['kind'];
  platform: string;
  lang: string | null;
  defaultServerUrl: string | null;
  localDemo: LocalDemoState;
}

interface Active {
  session: Session;
  mirror: Mirror;
  sync: SyncClient;
  notifier: Notifier;
  scheduler: ReminderScheduler;
  /** Changes of this mirror not yet handed on (changeBurst.ts). */
  changes: ChangeBurst;
  stopCatchUp: () => void;
}

const SIGNED_OUT: SyncStatus = { state: 'signedOut', pending: 0, retryAt: null, lastError: null };

export interface Core {
  readonly events: IpcEventEmitter;
  /** Settles once the last session is restored (from settings, without the network). */
  readonly ready: Promise<void>;
  info(): AppInfo;
  session(): Session | null;
  /** Checks the address is a Bandeja server, signs in, and remembers that server for later starts. */
  login(serverUrl: string, email: string, password: string): Promise<Session>;
  /** Starts the local demo server (LocalDemo.start); FORBIDDEN when this app offers none. */
  startDemo(): Promise<{ serverUrl: string; logins: DemoLogin[] }>;
  logout(): Promise<void>;
  syncStatus(): SyncStatus;
  /** The signed-in user's mirror for reading, and who reads it. Throws NOT_SIGNED_IN. */
  reader(): { db: ReadonlyDb; viewer: Viewer };
  /** Records an action in the outbox (one transaction) and asks sync to send it. */
  mutate<N extends MutationName>(name: N, args: MutationArgs<N>): { mutationId: number };
  /** Records several actions in one transaction (all or none), e.g. a bulk close. */
  mutateMany(inputs: readonly MutationInput[]): { mutationIds: number[] };
  sendMessage(conversationId: string, body: string, attachments?: readonly Attachment[]): { mutationId: number; id: string };
  /** Checks a file and keeps it on this device by sha256 (attachment.stage). */
  stageAttachment(input: StageInput): Attachment;
  /** An attachment's bytes: from this device, else fetched once from the server and kept. */
  readAttachment(sha256: string): Promise<Buffer>;
  addNote(conversationId: string, body: string, mentions: string[]): { mutationId: number; id: string };
  /** An approved template of the conversation's inbox with its values ({{1}}, {{2}}… in order). */
  sendTemplate(conversationId: string, templateId: string, variables: string[]): { mutationId: number; id: string };
  /** A failed message sent again as a new one (same words, files or template). */
  resendMessage(id: string): { mutationId: number; id: string };
  /** A confirmed message forwarded to other conversations: one new message each, all or none. */
  forwardMessage(messageId: string, toConversationIds: readonly string[]): { mutationIds: number[] };
  discardMessage(id: string): void;
  /** This device's draft for a conversation ('' when none). */
  readDraft(conversationId: string): string;
  writeDraft(conversationId: string, body: string): void;
  /** This device's notification settings. */
  notificationSettings(): NotificationSettings;
  setNotificationSettings(patch: Partial<NotificationSettings>): NotificationSettings;
  /** A user's sign-in sessions (admins; asks the server). */
  userSessions(userId: string): Promise<AdminSession[]>;
  /** Ends a session: the server signs that device out at once (admins). */
  endSession(sessionId: string): Promise<void>;
  close(): Promise<void>;
}

export function createCore(opts: CoreOptions): Core {
  const { host } = opts;
  const log = opts.log ?? ((m: string) => console.error(m));
  const events = new IpcEventEmitter();
  let active: Active | null = null;
  // Shared by every user and server on this device: a blob is named by its content.
  const blobs = new ClientBlobs(join(host.dataDir, 'client', 'blobs'));
  const onDevice = (sha256: string) => blobs.has(sha256);
  const clock = opts.clock ?? systemClock;
  const initialSettings = readSettings(host.dataDir);
  let notificationSettings = initialSettings.notifications;
  let remembered = initialSettings.server;
  const stopWake = host.onWake?.(() => active?.scheduler.recompute());

  /** What a burst of changes to `a`'s mirror means outside it: the UI's queries, the badge, notifications,
   *  reminders, and sending what was recorded. */
  function mirrorChanged(a: Active, { applied, reminders, recorded }: Burst): void {
    if (!a.mirror.db.open) return;
    try {
      events.emit('mirror.changed', { all: applied.all, conversationIds: applied.conversationIds });
      const viewer = sessionViewer(a.mirror.read);
      if (viewer) {
        host.setBadge(waitingForMe(a.mirror.read, viewer));
        a.notifier.news(a.mirror.read, viewer, applied.news, applied.newNotifications);
      }
    } finally {
      // Whatever failed above (a listener, the badge, a notification), what was recorded is still sent
      // and a reminder set in the burst still fires.
      try {
        if (reminders) a.scheduler.recompute();
      } finally {
        if (recorded) a.sync.flush();
      }
    }
  }

  function activate(session: Session, token: string): void {
    const mirror = openMirror(mirrorPath(host.dataDir, session.serverUrl, session.user.id));
    writeSessionUser(mirror.db, session.user);
    const userId = session.user.id;
    const notifier = new Notifier({ host, clock, lang: opts.lang, settings: () => notificationSettings });
    const scheduler = new ReminderScheduler({
      clock,
      log,
      holdCatchUp: true,
      held: () => notificationSettings.doNotDisturb || !notificationSettings.reminder,
      source: {
        soonestUnfired: (notBefore) => soonestUnfired(mirror.read, userId, notBefore),
        dueUnfired: (now, notBefore) => dueUnfired(mirror.read, userId, now, notBefore),
        markFired: (due, at) => markFired(mirror.db, due, at),
      },
      fire: (due) => notifier.reminders(due),
    });
    // Reminders due while the app was closed wait for sync's catch-up (or for it to give up).
    let settle: unknown = null;
    const limit = clock.setTimeout(() => scheduler.releaseCatchUp(), CATCH_UP_LIMIT_MS);
    const stopCatchUp = () => {
      clock.clearTimeout(limit);
      if (settle !== null) clock.clearTimeout(settle);
    };
    const current: Active = {
      session,
      mirror,
      sync: null as unknown as SyncClient,
      notifier,
      scheduler,
      changes: new ChangeBurst((burst) => mirrorChanged(current, burst), log),
      stopCatchUp,
    };
    current.sync = new SyncClient({
      mirror,
      serverUrl: session.serverUrl,
      token,
      log,
      blobs,
      // A snapshot or a directory change may bring or change reminders too.
      onChanged: (applied) => current.changes.add(applied, { reminders: applied.reminders === true || applied.all }),
      onStatus: (status) => {
        if (status.state === 'online' && settle === null) settle = clock.setTimeout(() => scheduler.releaseCatchUp(), CATCH_UP_SETTLE_MS);
        events.emit('sync.status', status);
      },
      onRejected: (rejection) => events.emit('mutation.rejected', rejection),
      onWelcome: (user, tenant) => {
        // Role, teams or name may have changed since sign-in: the settings follow the server.
        current.session = { ...current.session, user, tenant };
        updateSettings(host.dataDir, { session: current.session });
      },
      onSignedOut: (error) => log(`sync: signed out by the server (${error.code}): ${error.message}`),
    });
    active = current;
    current.sync.start();
    current.scheduler.start();
    host.setBadge(waitingForMe(mirror.read, sessionViewer(mirror.read)!));
  }

  /** Stops everything that reads the mirror, then closes it. `flush` shows notifications still in their
   *  burst (a quitting app); a sign-out drops them. */
  function shutDown(a: Active, flush: boolean): void {
    a.changes.flush();
    a.stopCatchUp();
    a.scheduler.stop();
    if (flush) a.notifier.flush();
    else a.notifier.stop();
    a.sync.stop();
    a.mirror.close();
  }

  function deactivate(): void {
    if (!active) return;
    shutDown(active, false);
    active = null;
    host.setBadge(0);
    events.emit('sync.status', SIGNED_OUT);
    events.emit('mirror.changed', { all: true, conversationIds: [] });
  }

  function requireActive(): Active {
    if (!active) throw new BandejaError('NOT_SIGNED_IN', 'Sign in first.');
    return active;
  }

  async function tokenOf(a: Active): Promise<string> {
    const token = await host.secrets.get(tokenSecret(a.session));
    if (!token) throw new BandejaError('NOT_SIGNED_IN', 'Sign in first.');
    return token;
  }

  function afterRecord(a: Active, recorded: readonly Recorded[]): void {
    const ids = recorded.flatMap((r) => (r.conversationId === null ? [] : [r.conversationId]));
    a.changes.add(
      { all: recorded.some((r) => r.conversationId === null), conversationIds: ids },
      // A reminder set, moved or finished here; no other action changes one.
      { reminders: recorded.some((r) => r.name === 'reminder.set' || r.name === 'reminder.setState'), recorded: true },
    );
  }

  // Before any mirror is opened here: files nothing on this device needs any more go (blobHousekeeping.ts).
  try {
    const swept = sweepBlobs(blobs.dir, join(host.dataDir, 'client', 'mirrors'), Date.now());
    if (swept.removed.length > 0) log(`core: removed ${swept.removed.length} attachment file(s) the server holds and nothing here needs`);
    if (swept.skipped) log(`core: attachment housekeeping skipped: ${swept.skipped}`);
  } catch (e) {
    log(`core: attachment housekeeping failed: ${String(e)}`);
  }

  // The inbox must open offline: restoring needs only the settings file, the token and the mirror.
  async function restore(): Promise<void> {
    const { session } = readSettings(host.dataDir);
    if (!session) return;
    const token = await host.secrets.get(tokenSecret(session));
    if (!token) return;
    activate(session, token);
  }
  const ready = restore().catch((e: unknown) => log(`core: could not restore the last session: ${String(e)}`));

  return {
    events,
    ready,
    info: () => ({
      version: opts.version ?? '0.0.0',
      host: host.kind,
      platform: process.platform,
      lang: opts.lang,
      defaultServerUrl: opts.defaultServerUrl ?? opts.localDemo?.url() ?? remembered?.url ?? null,
      localDemo: !opts.localDemo ? 'unavailable' : opts.localDemo.url() ? 'running' : 'available',
    }),
    session: () => active?.session ?? null,
    async login(serverUrl, email, password) {
      await ready;
      const url = normalizeServerUrl(serverUrl);
      // Not a Bandeja server (a typo, another site): say so, and send it no password.
      await checkServer(url);
      const res = await requestLogin(url, email, password, deviceDescription(opts.version ?? '0.0.0', host.kind, process.platform));
      const previous = readSettings(host.dataDir).session;
      deactivate();
      const session: Session = { serverUrl: url, user: res.user, tenant: res.tenant };
      await host.secrets.set(tokenSecret(session), res.token);
      remembered = { url, demo: url === opts.localDemo?.url() };
      updateSettings(host.dataDir, { session, server: remembered });
      if (previous && tokenSecret(previous) !== tokenSecret(session)) await host.secrets.delete(tokenSecret(previous));
      activate(session, res.token);
      return session;
    },
    startDemo() {
      if (!opts.localDemo)
        throw new BandejaError('FORBIDDEN', 'This Bandeja was started for one server (--server): the local demo is not offered.');
      return opts.localDemo.start();
    },
    async logout() {
      await ready;
      const a = active;
      const session = a?.session ?? readSettings(host.dataDir).session;
      const token = session ? await host.secrets.get(tokenSecret(session)) : null;
      deactivate();
      // Settings first: a crash after this leaves a token nobody names, never a session without one.
      updateSettings(host.dataDir, { session: null });
      if (session) await host.secrets.delete(tokenSecret(session));
      if (session && token) await requestLogout(session.serverUrl, token);
    },
    syncStatus: () => (active ? active.sync.status() : SIGNED_OUT),
    reader() {
      const a = requireActive();
      const viewer = sessionViewer(a.mirror.read);
      if (!viewer) throw new BandejaError('NOT_SIGNED_IN', 'Sign in first.');
      return { db: a.mirror.read, viewer };
    },
    mutate(name, args) {
      const a = requireActive();
      const recorded = record(a.mirror.db, name, args, Date.now());
      afterRecord(a, [recorded]);
      return { mutationId: recorded.mutationId };
    },
    mutateMany(inputs) {
      const a = requireActive();
      const recorded = recordMany(a.mirror.db, inputs, Date.now());
      afterRecord(a, recorded);
      return { mutationIds: recorded.map((r) => r.mutationId) };
    },
    sendMessage(conversationId, body, attachments = []) {
      const a = requireActive();
      mustHaveAttachments(a.mirror.read, attachments, onDevice);
      const id = uuidv7();
      const args = attachments.length > 0 ? { id, conversationId, body, attachments: [...attachments] } : { id, conversationId, body };
      const recorded = record(a.mirror.db, 'message.send', args, Date.now());
      afterRecord(a, [recorded]);
      return { mutationId: recorded.mutationId, id };
    },
    addNote(conversationId, body, mentions) {
      const a = requireActive();
      const id = uuidv7();
      const recorded = record(a.mirror.db, 'note.add', { id, conversationId, body, mentions }, Date.now());
      afterRecord(a, [recorded]);
      return { mutationId: recorded.mutationId, id };
    },
    sendTemplate(conversationId, templateId, variables) {
      const a = requireActive();
      const id = uuidv7();
      const recorded = record(a.mirror.db, 'message.sendTemplate', { id, conversationId, templateId, variables }, Date.now());
      afterRecord(a, [recorded]);
      return { mutationId: recorded.mutationId, id };
    },
    resendMessage(messageId) {
      const a = requireActive();
      const id = resendId(messageId);
      const recorded = resendMessage(a.mirror.db, messageId, id, Date.now(), onDevice);
      afterRecord(a, [recorded]);
      return { mutationId: recorded.mutationId, id };
    },
    forwardMessage(messageId, toConversationIds) {
      const a = requireActive();
      const targets = [...new Set(toConversationIds)].map((conversationId) => ({ conversationId, id: uuidv7() }));
      const recorded = forwardMessage(a.mirror.db, messageId, targets, Date.now());
      afterRecord(a, recorded);
      return { mutationIds: recorded.map((r) => r.mutationId) };
    },
    async userSessions(userId) {
      const a = requireActive();
      return listUserSessions(a.session.serverUrl, await tokenOf(a), userId);
    },
    async endSession(sessionId) {
      const a = requireActive();
      await endUserSession(a.session.serverUrl, await tokenOf(a), sessionId);
    },
    stageAttachment(input) {
      return blobs.stage(input);
    },
    async readAttachment(sha256) {
      if (blobs.has(sha256)) return blobs.read(sha256);
      const a = requireActive();
      const token = await host.secrets.get(tokenSecret(a.session));
      if (!token) throw new BandejaError('NOT_SIGNED_IN', 'Sign in first.');
      let res: Response;
      try {
        res = await fetch(new URL(Paths.blob(sha256), a.session.serverUrl), { headers: { authorization: `Bearer ${token}` } });
      } catch {
        throw new BandejaError('SERVER_UNREACHABLE', 'This file is not on this device yet, and the server cannot be reached.');
      }
      if (!res.ok) throw new BandejaError('NOT_FOUND', 'This file is not available.');
      const bytes = Buffer.from(await res.arrayBuffer());
      blobs.keep(sha256, bytes);
      // Fetched from the server, so it holds it: forwarding or resending this file uploads nothing, and
      // housekeeping may remove the copy a week from now (it can be fetched again).
      if (active === a && a.mirror.db.open) markUpload(a.mirror.db, sha256, { state: 'uploaded' }, Date.now());
      return bytes;
    },
    discardMessage(id) {
      const a = requireActive();
      const conversationId = discardMessage(a.mirror.db, id);
      a.changes.add({ all: false, conversationIds: [conversationId] }, { reminders: false });
    },
    readDraft(conversationId) {
      return readDraft(requireActive().mirror.read, conversationId);
    },
    writeDraft(conversationId, body) {
      writeDraft(requireActive().mirror.db, conversationId, body, Date.now());
    },
    notificationSettings: () => notificationSettings,
    setNotificationSettings(patch) {
      const defined = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
      notificationSettings = updateSettings(host.dataDir, { notifications: { ...notificationSettings, ...defined } }).notifications;
      // Do not disturb ended or reminders turned back on: the reminders held meanwhile fire now.
      active?.scheduler.recompute();
      return notificationSettings;
    },
    async close() {
      await ready;
      stopWake?.();
      if (active) {
        shutDown(active, true);
        active = null;
      }
    },
  } satisfies Core & Record<string, unknown>;
}
