// A raw /sync protocol client for tests: speaks the wire format directly, with no mirror.
//
//   const { token } = await login(server.url, 'ana@demo.test');
//   const ana = await SyncPeer.connect(server.url, { token });     // opens, says hello, waits for welcome (+ snapshot)
//   ana.conversations / ana.messages                              // rows applied from snapshot and changes (revoke removes)
//   ana.rowsOf('notification')                                    // any other kind of row, by id (delete removes)
//   const r = await ana.push('conversation.assign', { conversationId, assigneeId: 'user-ana' });  // -> PushResultItem
//   await ana.waitFor((f) => f.type === 'changes' && f.ops.some(...), 'what we wait for');
//   ana.sendRaw('not json'); await ana.closed;  ana.close();
//
// Every received frame is checked against the contract's ServerFrame schema; one that does not
// parse fails the waiting test.
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import type { Conversation, Message } from '../../src-shared/domain';
import { LoginResponse, Paths } from '../../src-shared/http';
import type { MutationEnvelope } from '../../src-shared/mutations';
import {
  PROTOCOL_VERSION,
  SCHEMA_VERSION,
  ServerFrame,
  type Changes,
  type Hello,
  type Op,
  type PushResultItem,
  type Welcome,
} from '../../src-shared/protocol';

export const DEMO_PASSWORD = 'demo1234';

type RowOp = Exclude<Op, { kind: 'conversation' | 'message' | 'revoke' | 'delete' }>;
export type RowKind = RowOp['kind'];
export type RowOf<K extends RowKind> = Extract<RowOp, { kind: K }>['row'];
const WAIT_MS = 20_000;

export async function loginRaw(serverUrl: string, body: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(serverUrl + Paths.login, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

export async function login(serverUrl: string, email: string, password = DEMO_PASSWORD): Promise<LoginResponse> {
  const res = await loginRaw(serverUrl, { email, password });
  if (res.status !== 200) throw new Error(`Login of ${email} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return LoginResponse.parse(res.body);
}

export interface ConnectOptions {
  token: string;
  clientId?: string;
  epoch?: string | null;
  cursor?: number | null;
  /** Extra or wrong hello fields (protocol tests). */
  hello?: Partial<Hello>;
  /** Do not say hello (tests of frames before hello). */
  skipHello?: boolean;
}

export class SyncPeer {
  readonly frames: ServerFrame[] = [];
  readonly conversations = new Map<string, Conversation>();
  readonly messages = new Map<string, Message>();
  /** Every other kind of row (user, contact, notification, savedView, invite…), by kind and id. */
  readonly rows = new Map<string, Map<string, { id: string }>>();
  readonly clientId: string;
  welcome: Welcome | null = null;
  cursor: number | null = null;
  epoch: string | null = null;
  nextMutationId = 1;
  /** Resolves when the socket closes, with the close code. */
  readonly closed: Promise<{ code: number; reason: string }>;
  private readonly waiters = new Set<() => void>();
  private problem: Error | null = null;
  private isClosed = false;

  private constructor(
    readonly ws: WebSocket,
    private readonly opts: ConnectOptions,
  ) {
    this.clientId = opts.clientId ?? randomUUID();
    this.closed = new Promise((resolve) =>
      ws.on('close', (code, reason) => {
        this.isClosed = true;
        resolve({ code, reason: reason.toString() });
        this.wake();
      }),
    );
    ws.on('message', (data) => this.receive(data.toString()));
    ws.on('error', () => undefined);
  }

  static async connect(serverUrl: string, opts: ConnectOptions): Promise<SyncPeer> {
    const ws = new WebSocket(serverUrl.replace(/^http/, 'ws') + Paths.sync);
    const peer = new SyncPeer(ws, opts);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    if (!opts.skipHello) await peer.hello();
    return peer;
  }

  /** Sends hello and waits for the welcome and, when one comes, the end of the snapshot. */
  async hello(): Promise<Welcome> {
    const start = this.frames.length;
    this.send({
      type: 'hello',
      protocol: PROTOCOL_VERSION,
      schema: SCHEMA_VERSION,
      clientId: this.clientId,
      token: this.opts.token,
      epoch: this.opts.epoch ?? null,
      cursor: this.opts.cursor ?? null,
      ...this.opts.hello,
    });
    const first = await this.waitFor((f) => f.type === 'welcome' || f.type === 'error', 'welcome', start);
    if (first.type !== 'welcome') throw new Error(`Hello refused: ${JSON.stringify(first)}`);
    if (first.bootstrap) await this.waitFor((f) => f.type === 'snapshotEnd', 'snapshotEnd', start);
    return first;
  }

  send(frame: unknown): void {
    this.ws.send(JSON.stringify(frame));
  }

  sendRaw(data: string | Buffer): void {
    this.ws.send(data);
  }

  /** Pushes one mutation with the next id (or `id`) and waits for its result. */
  async push(name: string, args: unknown, id = this.nextMutationId): Promise<PushResultItem> {
    const [result] = await this.pushMany([{ id, name, args, clientTime: Date.now() }]);
    return result!;
  }

  async pushMany(mutations: MutationEnvelope[]): Promise<PushResultItem[]> {
    const start = this.frames.length;
    for (const m of mutations) this.nextMutationId = Math.max(this.nextMutationId, m.id + 1);
    this.send({ type: 'push', mutations });
    const frame = await this.waitFor((f) => f.type === 'pushResult' || (f.type === 'error' && f.fatal), 'pushResult', start);
    if (frame.type !== 'pushResult') throw new Error(`Push failed: ${JSON.stringify(frame)}`);
    return frame.results;
  }

  /** Waits for a frame (received at or after index `from`) matching the predicate. */
  async waitFor<F extends ServerFrame>(
    match: ((f: ServerFrame) => f is F) | ((f: ServerFrame) => boolean),
    what: string,
    from = 0,
  ): Promise<F> {
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      if (this.problem) throw this.problem;
      const found = this.frames.slice(from).find((f) => match(f));
      if (found) return found as F;
      if (this.isClosed) throw new Error(`Socket closed while waiting for ${what}. Frames: ${JSON.stringify(this.frames.slice(from))}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`No ${what} within ${WAIT_MS} ms. Frames: ${JSON.stringify(this.frames.slice(from))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, left);
        const waiter = () => done();
        function done() {
          clearTimeout(timer);
          resolve();
        }
        this.waiters.add(waiter);
        void this.closed.then(waiter);
      });
    }
  }

  /** Waits until a received `changes` frame contains an op matching the predicate. */
  waitForOp(match: (op: Op) => boolean, what: string, from = 0): Promise<Changes> {
    return this.waitFor((f): f is Changes => f.type === 'changes' && f.ops.some(match), what, from);
  }

  /** Rows of one kind this peer holds now. */
  rowsOf<K extends RowKind>(kind: K): Map<string, RowOf<K>> {
    const rows: Map<string, unknown> = this.rows.get(kind) ?? new Map();
    return rows as Map<string, RowOf<K>>;
  }

  close(): void {
    this.ws.close();
  }

  private wake(): void {
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const w of waiters) w();
  }

  private receive(text: string): void {
    const parsed = ServerFrame.safeParse(JSON.parse(text));
    if (!parsed.success) {
      this.problem = new Error(`Server sent a frame outside the contract: ${text.slice(0, 500)}`);
      this.wake();
      return;
    }
    const frame = parsed.data;
    this.frames.push(frame);
    switch (frame.type) {
      case 'welcome':
        this.welcome = frame;
        this.epoch = frame.epoch;
        break;
      case 'snapshotBegin':
        this.conversations.clear();
        this.messages.clear();
        this.rows.clear();
        break;
      case 'snapshotPage':
      case 'changes':
        for (const op of frame.ops) {
          if (op.kind === 'conversation') this.conversations.set(op.row.id, op.row);
          else if (op.kind === 'message') this.messages.set(op.row.id, op.row);
          else if (op.kind === 'revoke') {
            this.conversations.delete(op.conversationId);
            for (const [id, m] of this.messages) if (m.conversationId === op.conversationId) this.messages.delete(id);
          } else if (op.kind === 'delete') this.rows.get(op.entity)?.delete(op.id);
          else {
            let byId = this.rows.get(op.kind);
            if (!byId) this.rows.set(op.kind, (byId = new Map()));
            byId.set(op.row.id, op.row);
          }
        }
        if (frame.type === 'changes') this.cursor = frame.to;
        break;
      case 'snapshotEnd':
        this.cursor = frame.version;
        break;
      default:
        break;
    }
    this.wake();
  }
}
