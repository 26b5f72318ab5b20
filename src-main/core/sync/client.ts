// The sync client: one WebSocket to the server's /sync. Applies what comes down into the mirror,
// pushes the outbox up in order, and keeps trying (with backoff) while there is anything to say.
import WebSocket from 'ws';
import type { ErrorBody } from '../../../src-shared/errors';
import type { Tenant, User } from '../../../src-shared/domain';
import type { SyncStatus } from '../../../src-shared/ipc';
import { Paths } from '../../../src-shared/http';
import {
  CloseCode,
  MAX_FRAME_BYTES,
  MAX_PUSH_MUTATIONS,
  PROTOCOL_VERSION,
  SCHEMA_VERSION,
  SERVER_FRAME_TYPES,
  ServerFrame,
  parseFrame,
  type PushResult,
} from '../../../src-shared/protocol';
import type { Mirror } from '../mirror/db';
import { applyChanges, applySnapshotBegin, applySnapshotEnd, applySnapshotPage, type Applied } from '../mirror/apply';
import { clientId, readCursor, writeSessionUser } from '../mirror/meta';
import { confirm, nextBatch, noteAttempt, pendingCount, reject } from '../outbox';
import type { ClientBlobs } from '../blobs';
import type { AnyMutation } from '../../../src-shared/mutations';
import { backoffDelay } from './backoff';
import { attachmentsOf, blobsToUpload, forgetUploads, markUpload, uploadRefusal } from '../mirror/blobUploads';
import { uploadBlob } from './uploads';

export const PING_INTERVAL_MS = 10_000;
const HANDSHAKE_TIMEOUT_MS = 10_000;
/** After a server's "restarting" close (1012), clients come back within this, spread so a process's
 *  hundreds of agents do not all land on the others in the same instant. */
export const RESTART_RECONNECT_SPREAD_MS = 250;

export interface SyncClientOptions {
  mirror: Mirror;
  serverUrl: string;
  token: string;
  onChanged: (applied: Applied) => void;
  onStatus: (status: SyncStatus) => void;
  /** The server said who we are (role and teams may have changed since login). */
  onWelcome?: (user: User, tenant: Tenant) => void;
  /** The server refused one of our mutations for good (the reason reaches the person). */
  onRejected?: (rejection: { mutationId: number; name: string; error: ErrorBody; conversationId: string | null }) => void;
  /** The server refused the token for good: the person must sign in again. */
  onSignedOut?: (error: ErrorBody) => void;
  log?: (message: string) => void;
  random?: () => number;
  /** Where queued messages' attachments are read from for upload. */
  blobs?: ClientBlobs;
}

export function syncUrl(serverUrl: string): string {
  const url = new URL(serverUrl);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.pathname = url.pathname.replace(/\/$/, '') + Paths.sync;
  url.search = '';
  url.hash = '';
  return url.toString();
}

export class SyncClient {
  private state: SyncStatus['state'] = 'signedOut';
  private lastError: ErrorBody | null = null;
  private retryAt: number | null = null;
  private attempt = 0;
  private pushAttempt = 0;
  private ws: WebSocket | null = null;
  private alive = true;
  /** The push the server has not answered yet (one at a time). */
  private inFlight: AnyMutation[] | null = null;
  /** An upload of the head message's attachments is running (pushes wait for it). */
  private uploading: AbortController | null = null;
  private stopped = true;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private pushRetryTimer: NodeJS.Timeout | null = null;
  private pingTimer: NodeJS.Timeout | null = null;
  private readonly log: (message: string) => void;

  constructor(private readonly opts: SyncClientOptions) {
    this.log = opts.log ?? (() => {});
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.connect();
  }

  /** Closes the socket and cancels every timer. The outbox stays in the mirror for next time. */
  stop(): void {
    this.stopped = true;
    this.clearTimers();
    const ws = this.ws;
    this.ws = null;
    if (ws) {
      ws.removeAllListeners();
      ws.on('error', () => {});
      if (ws.readyState === WebSocket.OPEN) ws.close(1000);
      else ws.terminate();
    }
    this.inFlight = null;
    this.uploading?.abort();
    this.state = 'signedOut';
    this.retryAt = null;
  }

  status(): SyncStatus {
    return { state: this.state, pending: pendingCount(this.opts.mirror.read), retryAt: this.retryAt, lastError: this.lastError };
  }

  /** Something was recorded in the outbox: send it now if we can (otherwise a retry is already armed). */
  flush(): void {
    this.emitStatus();
    this.pushOutbox();
  }

  private emitStatus(): void {
    if (this.opts.mirror.db.open) this.opts.onStatus(this.status());
  }

  private clearTimers(): void {
    for (const t of [this.reconnectTimer, this.pushRetryTimer]) if (t) clearTimeout(t);
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.reconnectTimer = this.pushRetryTimer = this.pingTimer = null;
  }

  private connect(): void {
    this.reconnectTimer = null;
    this.retryAt = null;
    this.state = 'connecting';
    this.emitStatus();
    const ws = new WebSocket(syncUrl(this.opts.serverUrl), {
      handshakeTimeout: HANDSHAKE_TIMEOUT_MS,
      // Lenient on what we accept: the server keeps its frames under MAX_FRAME_BYTES, but a client
      // that closed on a slightly larger snapshot page would never get its inbox.
      maxPayload: MAX_FRAME_BYTES * 16,
    });
    this.ws = ws;
    this.alive = true;
    ws.on('open', () => {
      const db = this.opts.mirror.db;
      const cursor = readCursor(db);
      this.send({
        type: 'hello',
        protocol: PROTOCOL_VERSION,
        schema: SCHEMA_VERSION,
        clientId: clientId(db),
        token: this.opts.token,
        epoch: cursor.epoch,
        cursor: cursor.version,
      });
      this.pingTimer = setInterval(() => this.checkAlive(), PING_INTERVAL_MS);
    });
    ws.on('pong', () => {
      this.alive = true;
    });
    ws.on('message', (data, isBinary) => {
      if (isBinary || this.ws !== ws) return;
      try {
        this.onFrame(data.toString());
      } catch (e) {
        // A frame we could not apply is not lost: the cursor did not move, the next connection replays it.
        this.log(`sync: could not apply a frame: ${(e as Error).stack ?? String(e)}`);
        this.lastError = { code: 'INTERNAL', message: (e as Error).message };
        ws.terminate();
      }
    });
    ws.on('error', (e) => {
      if (this.ws !== ws) return;
      if (this.state === 'connecting')
        this.lastError = { code: 'SERVER_UNREACHABLE', message: `Cannot reach ${this.opts.serverUrl}: ${e.message}` };
    });
    ws.on('close', (code) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.inFlight = null;
      if (this.pingTimer) clearInterval(this.pingTimer);
      this.pingTimer = null;
      if (this.pushRetryTimer) clearTimeout(this.pushRetryTimer);
      this.pushRetryTimer = null;
      if (this.stopped || this.state === 'signedOut') return;
      // A server process restarting (rolling restart, SIGTERM) asks its clients to come back at once: the
      // load balancer sends them to another process. No error to show, and no failure's backoff, the first
      // time after a welcome; a server that keeps doing it before welcoming us gets the usual backoff.
      if (code === CloseCode.serviceRestart && (this.state === 'online' || this.state === 'bootstrapping')) {
        this.attempt = 0;
        this.scheduleReconnect(Math.floor((this.opts.random ?? Math.random)() * RESTART_RECONNECT_SPREAD_MS));
        return;
      }
      if (this.state === 'online' || this.state === 'bootstrapping')
        this.lastError ??= { code: 'SERVER_UNREACHABLE', message: `The connection to the server was lost (${code}).` };
      this.scheduleReconnect();
    });
  }

  private checkAlive(): void {
    const ws = this.ws;
    if (!ws) return;
    if (!this.alive) {
      this.log('sync: no pong from the server, reconnecting');
      ws.terminate();
      return;
    }
    this.alive = false;
    ws.ping();
  }

  private scheduleReconnect(delay = backoffDelay(this.attempt++, this.opts.random)): void {
    this.state = 'offline';
    this.retryAt = Date.now() + delay;
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
    this.emitStatus();
  }

  private send(frame: unknown): void {
    this.ws?.send(JSON.stringify(frame));
  }

  private changed(applied: Applied): void {
    this.opts.onChanged(applied);
  }

  private onFrame(text: string): void {
    const parsed = parseFrame(ServerFrame, SERVER_FRAME_TYPES, text);
    if (!parsed.ok) {
      this.log(`sync: ignoring a frame from the server (${parsed.code}: ${parsed.message})`);
      return;
    }
    const frame = parsed.value;
    const db = this.opts.mirror.db;
    switch (frame.type) {
      case 'welcome':
        this.attempt = 0;
        this.pushAttempt = 0;
        this.lastError = null;
        writeSessionUser(db, frame.user);
        this.opts.onWelcome?.(frame.user, frame.tenant);
        this.state = frame.bootstrap ? 'bootstrapping' : 'online';
        this.emitStatus();
        if (!frame.bootstrap) this.pushOutbox();
        return;
      case 'snapshotBegin':
        this.state = 'bootstrapping';
        this.changed(applySnapshotBegin(db, frame.epoch));
        this.emitStatus();
        return;
      case 'snapshotPage':
        this.changed(applySnapshotPage(db, frame.ops));
        return;
      case 'snapshotEnd':
        this.changed(applySnapshotEnd(db, frame.version));
        this.state = 'online';
        this.emitStatus();
        this.pushOutbox();
        return;
      case 'changes': {
        const applied = applyChanges(db, frame);
        if (applied.all || applied.conversationIds.length > 0) this.changed(applied);
        return;
      }
      case 'pushResult':
        this.onPushResult(frame);
        return;
      case 'error':
        this.lastError = frame.error;
        this.log(`sync: server error ${frame.error.code}: ${frame.error.message}`);
        if (frame.fatal && frame.error.code === 'UNAUTHORIZED') {
          this.state = 'signedOut';
          this.clearTimers();
          this.ws?.close(1000);
          this.emitStatus();
          this.opts.onSignedOut?.(frame.error);
          return;
        }
        if (!frame.fatal && this.inFlight) {
          // The server could not read our push: it will never answer it. Try again later.
          this.inFlight = null;
          this.schedulePushRetry();
        }
        this.emitStatus();
        return;
    }
  }

  private pushOutbox(): void {
    if (this.stopped || this.state !== 'online' || this.inFlight || this.pushRetryTimer || this.uploading) return;
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return;
    let batch = nextBatch(this.opts.mirror.read, MAX_PUSH_MUTATIONS);
    // A mutation holding files (a message, a snippet) goes up only once the server holds them; what
    // comes before it goes now.
    const waiting = batch.findIndex((m) => blobsToUpload(this.opts.mirror.read, m, Date.now(), this.onDevice).length > 0);
    if (waiting === 0) return void this.uploadFor(batch[0]!);
    if (waiting > 0) batch = batch.slice(0, waiting);
    if (batch.length === 0) return;
    this.inFlight = batch;
    this.send({ type: 'push', mutations: batch });
  }

  private readonly onDevice = (sha256: string): boolean => this.opts.blobs?.has(sha256) ?? false;

  private async uploadFor(m: AnyMutation): Promise<void> {
    const blobs = this.opts.blobs;
    const db = this.opts.mirror.db;
    const abort = new AbortController();
    this.uploading = abort;
    try {
      for (const a of blobsToUpload(db, m, Date.now(), this.onDevice)) {
        const out = blobs
          ? await uploadBlob(this.opts.serverUrl, this.opts.token, blobs, a, abort.signal)
          : {
              ok: false as const,
              permanent: true,
              error: { code: 'ATTACHMENT_MISSING' as const, message: 'This device keeps no attachments.' },
            };
        if (this.stopped || abort.signal.aborted) return;
        if (out.ok) markUpload(db, a.sha256, { state: 'uploaded' }, Date.now());
        // Refused for good: the message is still pushed (its number must be used), the server refuses it
        // for the missing attachment, and the agent is told this refusal's reason instead.
        else if (out.permanent) markUpload(db, a.sha256, { state: 'refused', error: out.error }, Date.now());
        else {
          this.log(`sync: upload of ${a.sha256} failed, retrying later: ${out.error.message}`);
          noteAttempt(db, [m.id], out.error);
          this.lastError = out.error;
          this.uploading = null;
          this.schedulePushRetry();
          this.emitStatus();
          return;
        }
      }
    } finally {
      if (this.uploading === abort) this.uploading = null;
    }
    this.pushOutbox();
  }

  private schedulePushRetry(): void {
    if (this.pushRetryTimer) return;
    const delay = backoffDelay(this.pushAttempt++, this.opts.random);
    this.pushRetryTimer = setTimeout(() => {
      this.pushRetryTimer = null;
      this.pushOutbox();
    }, delay);
  }

  private onPushResult(frame: PushResult): void {
    const db = this.opts.mirror.db;
    const sent = this.inFlight ?? [];
    const sentMutations = new Map(sent.map((m) => [m.id, m]));
    this.inFlight = null;
    const touched = new Set<string>();
    let entities = false;
    let rejected: ErrorBody | null = null;
    const rejections: { mutationId: number; name: string; error: ErrorBody; conversationId: string | null }[] = [];
    let retryLater: ErrorBody | null = null;
    let resend = false;
    // One transaction (one fsync) for the whole answer, not one per action: 100 confirmations took 0.3 s of
    // fsyncs. A crash before it commits confirms none of them; they are sent again and answered 'already'.
    db.transaction(() => {
      for (const r of frame.results) {
        // 'already' with an error is the server's stored refusal of an earlier try (whose answer was lost):
        // the action failed, it is marked so, never confirmed.
        if (r.status === 'ok' || (r.status === 'already' && !r.error)) {
          const settled = confirm(db, r.id);
          if (settled?.conversationId) touched.add(settled.conversationId);
          else if (settled) entities = true;
        } else if (r.status === 'rejected' || r.status === 'already') {
          const sentMutation = sentMutations.get(r.id);
          const refusal = r.error?.code === 'ATTACHMENT_MISSING' && sentMutation ? uploadRefusal(db, sentMutation) : null;
          // The server lacks a file this device counted as uploaded (it removes files nothing holds after a
          // day): forget that, so a resend uploads it again instead of failing the same way.
          if (r.error?.code === 'ATTACHMENT_MISSING' && sentMutation && !refusal) forgetUploads(db, attachmentsOf(sentMutation));
          const error = refusal ?? r.error ?? { code: 'INTERNAL', message: 'The server refused this action.' };
          const settled = reject(db, r.id, error);
          if (settled?.conversationId) touched.add(settled.conversationId);
          else if (settled) entities = true;
          if (settled) {
            rejected = error;
            rejections.push({ mutationId: r.id, name: settled.name, error, conversationId: settled.conversationId });
          }
        } else if (r.status === 'outOfOrder') {
          resend = true;
          break;
        } else {
          retryLater = r.error ?? { code: 'INTERNAL', message: 'The server could not apply this action.' };
          noteAttempt(db, [r.id], retryLater);
          break;
        }
      }
    })();
    if (touched.size > 0 || entities) this.changed({ conversationIds: [...touched], all: entities });
    for (const rejection of rejections) this.opts.onRejected?.(rejection);
    if (retryLater) {
      this.lastError = retryLater;
      this.schedulePushRetry();
    } else if (resend) {
      // The server expects lmid+1. Our oldest row is either that one (resend now) or a later one the
      // server has lost track of: then only backoff, so two disagreeing sides do not spin.
      const head = nextBatch(this.opts.mirror.read, 1)[0];
      if (head && head.id > frame.lmid + 1) {
        this.lastError = {
          code: 'CLIENT_MISMATCH',
          message: `The server expects action ${frame.lmid + 1} from this device, but the oldest unsent one is ${head.id}.`,
        };
        this.schedulePushRetry();
      } else this.pushOutbox();
    } else {
      this.pushAttempt = 0;
      // A refusal stays the last word until something else happens: the person must see why.
      if (rejected) this.lastError = rejected;
      else if (sent.length > 0 && frame.results.length > 0) this.lastError = null;
      this.pushOutbox();
    }
    this.emitStatus();
  }
}
