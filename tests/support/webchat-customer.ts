// A customer on the webchat socket, from Node (no browser):
//
//   const carla = await WebchatCustomer.join(server.url, 'demo', 'Carla');   // -> joined, history in carla.history
//   await carla.say('Hola');                     // resolves when the server confirms it (returns the message id)
//   const reply = await carla.waitForAgentMessage((m) => m.body === 'Hi Carla');
//   const again = await WebchatCustomer.join(server.url, 'demo', 'Carla', carla.identity);  // same visitor
//   carla.close();
//   await carla.closed;                          // { code, reason } of the socket's close, from either side
import { randomBytes, randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import { Paths } from '../../src-shared/http';
import { WebchatServerFrame, type WebchatMessage } from '../../src-shared/webchat';

const WAIT_MS = 20_000;

export interface VisitorIdentity {
  visitorId: string;
  secret: string;
}

export class WebchatCustomer {
  readonly frames: WebchatServerFrame[] = [];
  history: WebchatMessage[] = [];
  /** Resolves when the socket closes, with the close code. */
  readonly closed: Promise<{ code: number; reason: string }>;
  private readonly waiters = new Set<() => void>();
  private isClosed = false;

  private constructor(
    readonly ws: WebSocket,
    readonly identity: VisitorIdentity,
  ) {
    ws.on('message', (data) => {
      this.frames.push(WebchatServerFrame.parse(JSON.parse(data.toString())));
      this.wake();
    });
    this.closed = new Promise((resolve) =>
      ws.on('close', (code, reason) => {
        this.isClosed = true;
        resolve({ code, reason: reason.toString() });
        this.wake();
      }),
    );
    ws.on('error', () => undefined);
  }

  /** `headers`: extra upgrade headers (e.g. X-Forwarded-For, to come from another address through a trusted proxy). */
  static async open(
    serverUrl: string,
    slug: string,
    identity?: VisitorIdentity,
    headers?: Record<string, string>,
  ): Promise<WebchatCustomer> {
    const ws = new WebSocket(serverUrl.replace(/^http/, 'ws') + Paths.webchatSocket(slug), { headers });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return new WebchatCustomer(ws, identity ?? { visitorId: randomUUID(), secret: randomBytes(24).toString('hex') });
  }

  /** Opens the socket and joins; throws when the server answers with an error. */
  static async join(
    serverUrl: string,
    slug: string,
    name: string,
    identity?: VisitorIdentity,
    headers?: Record<string, string>,
  ): Promise<WebchatCustomer> {
    const customer = await WebchatCustomer.open(serverUrl, slug, identity, headers);
    customer.send({ type: 'join', ...customer.identity, name });
    const frame = await customer.waitFor((f) => f.type === 'joined' || f.type === 'error', 'joined');
    if (frame.type !== 'joined') throw new Error(`Join refused: ${JSON.stringify(frame)}`);
    customer.history = frame.history;
    return customer;
  }

  send(frame: unknown): void {
    this.ws.send(JSON.stringify(frame));
  }

  /** Sends a message (with `id` to resend one) and returns the server's answer to it: its echo as stored,
   *  or the error that names it. */
  async answerTo(body: string, id: string = randomUUID()): Promise<WebchatServerFrame> {
    const start = this.frames.length;
    this.send({ type: 'say', id, body });
    return this.waitFor(
      (f) => (f.type === 'message' && f.message.id === id) || (f.type === 'error' && f.messageId === id),
      `the answer to ${id}`,
      start,
    );
  }

  /** Sends a message (with `id` to resend one) and waits until the server echoes it as stored. */
  async say(body: string, id: string = randomUUID()): Promise<string> {
    const start = this.frames.length;
    this.send({ type: 'say', id, body });
    const frame = await this.waitFor(
      (f) => (f.type === 'message' && f.message.id === id) || f.type === 'error',
      `confirmation of ${id}`,
      start,
    );
    if (frame.type === 'error') throw new Error(`Say refused: ${JSON.stringify(frame.error)}`);
    return id;
  }

  async waitForAgentMessage(match: (m: WebchatMessage) => boolean = () => true): Promise<WebchatMessage> {
    const frame = await this.waitFor((f) => f.type === 'message' && f.message.from === 'agent' && match(f.message), 'an agent message');
    if (frame.type !== 'message') throw new Error('unreachable');
    return frame.message;
  }

  async waitFor(match: (f: WebchatServerFrame) => boolean, what: string, from = 0): Promise<WebchatServerFrame> {
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      const found = this.frames.slice(from).find(match);
      if (found) return found;
      if (this.isClosed) throw new Error(`Socket closed while waiting for ${what}.`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`No ${what} within ${WAIT_MS} ms. Frames: ${JSON.stringify(this.frames.slice(from))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => resolve(), left);
        this.waiters.add(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  close(): void {
    this.ws.close();
  }

  private wake(): void {
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const w of waiters) w();
  }
}
