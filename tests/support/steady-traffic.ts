// Steady traffic through a load balancer that survives server processes going away: agents pushing
// replies and customers writing, each reconnecting (to whichever process the balancer picks) whenever
// its socket closes, and sending again what was not answered, with the same ids, as the real clients do
// (the desktop client's outbox, the webchat page's). It records what it sent, every answer, and every
// close code it saw, so a test can count lost and doubled actions afterwards.
//
//   const ana = new AgentTraffic(lb.url, token, conversationId, 'ana');   await ana.start();
//   const carla = new CustomerTraffic(lb.url, 'demo', 'Carla');         await carla.start();
//   ... kill or restart processes ...
//   await Promise.all([ana.finish(), carla.finish()]);   // stops producing, waits until everything is answered
import { randomUUID } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import type { PushResultItem } from '../../src-shared/protocol';
import { SyncPeer } from './sync-peer';
import { WebchatCustomer } from './webchat-customer';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** How long a reconnecting client waits between failed attempts (a balancer with every process down). */
const RETRY_MS = 100;
/** The longest finish() waits for the last answers. */
const FINISH_MS = 30_000;

abstract class Traffic {
  /** Bodies produced, in order. */
  readonly sent: string[] = [];
  /** Close codes of every socket that closed under it. */
  readonly closeCodes: number[] = [];
  protected producing = false;
  private loop: Promise<void> | null = null;
  private failure: Error | null = null;

  constructor(
    protected readonly url: string,
    readonly label: string,
    private readonly everyMs: number,
  ) {}

  async start(): Promise<void> {
    await this.connect();
    this.producing = true;
    this.loop = this.run().catch((e: unknown) => {
      this.failure = e instanceof Error ? e : new Error(String(e));
    });
  }

  /** Stops producing and waits until everything sent was answered. */
  async finish(): Promise<void> {
    this.producing = false;
    const deadline = Date.now() + FINISH_MS;
    while (this.pending() > 0 && !this.failure) {
      if (Date.now() > deadline) throw new Error(`${this.label}: ${this.pending()} actions still unanswered after ${FINISH_MS} ms`);
      await sleep(50);
    }
    this.done = true;
    await this.loop;
    if (this.failure) throw this.failure;
  }

  protected done = false;
  protected abstract pending(): number;
  protected abstract produce(): void;
  /** Sends the oldest unanswered action and waits for its answer; false when the socket closed. */
  protected abstract sendOldest(): Promise<boolean>;
  protected abstract connect(): Promise<void>;
  /** The current socket is open. */
  protected abstract isOpen(): boolean;

  private async run(): Promise<void> {
    let next = Date.now();
    while (!this.done) {
      if (this.producing && this.everyMs !== Infinity && Date.now() >= next) {
        this.produce();
        next = Date.now() + this.everyMs;
      }
      if (this.pending() === 0 && this.isOpen()) {
        await sleep(Math.max(5, Math.min(50, next - Date.now())));
        continue;
      }
      if (this.pending() > 0 && (await this.sendOldest())) continue;
      // The socket closed: come back through the balancer, wherever it sends us.
      for (;;) {
        try {
          await this.connect();
          break;
        } catch {
          await sleep(RETRY_MS);
        }
      }
    }
  }
}

/** An agent sending replies in one conversation, through /sync pushes with an outbox. */
export class AgentTraffic extends Traffic {
  readonly clientId = randomUUID();
  /** Every peer this agent connected with, in order (the last is the live one). */
  readonly peers: SyncPeer[] = [];
  /** Results of every push, by mutation id. */
  readonly results = new Map<number, PushResultItem['status'][]>();
  private readonly outbox: { id: number; name: string; args: unknown }[] = [];
  private nextId = 1;

  constructor(
    url: string,
    private readonly token: string,
    private readonly conversationId: string,
    label: string,
    everyMs = 150,
  ) {
    super(url, label, everyMs);
  }

  get peer(): SyncPeer {
    return this.peers.at(-1)!;
  }

  protected isOpen(): boolean {
    return this.peer.ws.readyState === this.peer.ws.OPEN;
  }

  /** Every message that reached any of this agent's peers, by body: the ids it came with. */
  seen(): Map<string, Set<string>> {
    const byBody = new Map<string, Set<string>>();
    for (const p of this.peers) for (const m of p.messages.values()) byBody.set(m.body, (byBody.get(m.body) ?? new Set()).add(m.id));
    return byBody;
  }

  /** A row as the newest peer that received it holds it (a reconnected peer only gets what changed since). */
  latest<K extends 'conversation' | 'user'>(
    kind: K,
    id: string,
  ): (K extends 'user' ? { presence: string } : { status: string }) | undefined {
    for (const p of [...this.peers].reverse()) {
      const row = kind === 'conversation' ? p.conversations.get(id) : p.rowsOf('user').get(id);
      if (row) return row as never;
    }
    return undefined;
  }

  protected pending(): number {
    return this.outbox.length;
  }

  protected produce(): void {
    const body = `${this.label} ${this.sent.length + 1} ${randomUUID().slice(0, 8)}`;
    this.sent.push(body);
    this.outbox.push({ id: this.nextId++, name: 'message.send', args: { id: uuidv7(), conversationId: this.conversationId, body } });
  }

  protected async connect(): Promise<void> {
    const last = this.peers.at(-1);
    const peer = await SyncPeer.connect(this.url, {
      token: this.token,
      clientId: this.clientId,
      epoch: last?.epoch ?? null,
      cursor: last?.cursor ?? null,
    });
    void peer.closed.then(({ code }) => this.closeCodes.push(code));
    this.peers.push(peer);
  }

  protected async sendOldest(): Promise<boolean> {
    const m = this.outbox[0]!;
    let result: PushResultItem;
    try {
      [result] = (await this.peer.pushMany([{ id: m.id, name: m.name, args: m.args, clientTime: Date.now() }])) as [PushResultItem];
    } catch (e) {
      if (this.peer.ws.readyState !== this.peer.ws.OPEN) return false;
      throw e;
    }
    this.results.set(m.id, [...(this.results.get(m.id) ?? []), result.status]);
    if (result.status !== 'ok' && result.status !== 'already')
      throw new Error(`${this.label}: mutation ${m.id} answered ${JSON.stringify(result)}`);
    this.outbox.shift();
    return true;
  }

  close(): void {
    for (const p of this.peers) p.close();
  }
}

/** A webchat customer writing at a steady pace; unconfirmed messages are sent again with the same id. */
export class CustomerTraffic extends Traffic {
  readonly sockets: WebchatCustomer[] = [];
  private readonly outbox: { id: string; body: string }[] = [];
  private identity: WebchatCustomer['identity'] | undefined;

  constructor(
    url: string,
    private readonly slug: string,
    private readonly name: string,
    everyMs = 150,
  ) {
    super(url, name, everyMs);
  }

  get socket(): WebchatCustomer {
    return this.sockets.at(-1)!;
  }

  protected isOpen(): boolean {
    return this.socket.ws.readyState === this.socket.ws.OPEN;
  }

  /** Every message her pages were sent (history and live), by body: the ids it came with. */
  seen(): Map<string, Set<string>> {
    const byBody = new Map<string, Set<string>>();
    const add = (id: string, body: string) => byBody.set(body, (byBody.get(body) ?? new Set()).add(id));
    for (const s of this.sockets) {
      for (const m of s.history) add(m.id, m.body);
      for (const f of s.frames) if (f.type === 'message') add(f.message.id, f.message.body);
    }
    return byBody;
  }

  /** Opens her chat again, as a reload does: the history it shows counts in seen(). */
  async reopen(): Promise<void> {
    const socket = await WebchatCustomer.join(this.url, this.slug, this.name, this.identity);
    this.sockets.push(socket);
    socket.close();
  }

  /** Sends one message now (besides the steady ones). */
  say(body: string): void {
    this.sent.push(body);
    this.outbox.push({ id: randomUUID(), body });
  }

  protected pending(): number {
    return this.outbox.length;
  }

  protected produce(): void {
    const body = `${this.name} ${this.sent.length + 1} ${randomUUID().slice(0, 8)}`;
    this.sent.push(body);
    this.outbox.push({ id: randomUUID(), body });
  }

  protected async connect(): Promise<void> {
    const socket = await WebchatCustomer.join(this.url, this.slug, this.name, this.identity);
    this.identity = socket.identity;
    void socket.closed.then(({ code }) => this.closeCodes.push(code));
    this.sockets.push(socket);
  }

  protected async sendOldest(): Promise<boolean> {
    const m = this.outbox[0]!;
    let answer;
    try {
      answer = await this.socket.answerTo(m.body, m.id);
    } catch (e) {
      if (this.socket.ws.readyState !== this.socket.ws.OPEN) return false;
      throw e;
    }
    if (answer.type === 'error') {
      // A passing failure (the database busy while a process closes): the page sends it again.
      if (answer.error.code === 'INTERNAL' || answer.error.code === 'RATE_LIMITED') {
        await sleep(100);
        return true;
      }
      throw new Error(`${this.name}: message refused: ${JSON.stringify(answer.error)}`);
    }
    this.outbox.shift();
    return true;
  }

  close(): void {
    for (const s of this.sockets) s.close();
  }
}
