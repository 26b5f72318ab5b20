// Raw TCP for protocol tests: hand-made HTTP requests and WebSocket frames, byte for byte, with no
// client library fixing them up on the way.
//
//   const reply = await rawExchange(server.url, 'GET /webchat/%E0%A4%A/socket HTTP/1.1\r\n...\r\n\r\n');
//   reply.status          // 400, or null when the server answered nothing HTTP-like
//   const ws = await RawWebSocket.open(server.url, '/webchat/demo/socket');   // a real handshake
//   ws.write(encodeFrame({ opcode: 1, payload: Buffer.from([0xff]) }));      // invalid UTF-8
//   (await ws.closed).code  // 1007: the close frame the server sent (null if it sent none)
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

const WAIT_MS = 5000;

export const Opcode = { continuation: 0x0, text: 0x1, binary: 0x2, close: 0x8, ping: 0x9, pong: 0xa } as const;

export interface FrameSpec {
  fin?: boolean;
  /** The three reserved bits RSV1..RSV3 as a number 0-7 (placed in bits 6..4 of the first byte). */
  rsv?: number;
  opcode: number;
  payload?: Buffer;
  /** Clients must mask; false sends the payload unmasked (a protocol error from a client). */
  mask?: boolean;
  /** The length written in the header, when it should not be the payload's (lies, 64-bit lengths). */
  declaredLength?: bigint;
  /** A longer length form than the length needs (a non-minimal length, which RFC 6455 still allows); a
   *  form too short for the length is not used. */
  lengthForm?: '16' | '64';
}

/** The length form a frame header uses: the shortest that holds the length, or a longer one asked for. */
export function lengthForm(length: bigint, asked?: '16' | '64'): 'short' | '16' | '64' {
  const needed = length < 126n ? 'short' : length < 65536n ? '16' : '64';
  return asked === '64' || (asked === '16' && needed === 'short') ? asked : needed;
}

/** One WebSocket frame as a client would send it (RFC 6455 section 5.2). */
export function encodeFrame(spec: FrameSpec): Buffer {
  const payload = spec.payload ?? Buffer.alloc(0);
  const mask = spec.mask ?? true;
  const length = spec.declaredLength ?? BigInt(payload.length);
  const form = lengthForm(length, spec.lengthForm);
  const head: number[] = [((spec.fin ?? true) ? 0x80 : 0) | (((spec.rsv ?? 0) & 7) << 4) | (spec.opcode & 0x0f)];
  const maskBit = mask ? 0x80 : 0;
  let extended = Buffer.alloc(0);
  if (form === 'short') head.push(maskBit | Number(length & 0x7fn));
  else if (form === '16') {
    head.push(maskBit | 126);
    extended = Buffer.alloc(2);
    extended.writeUInt16BE(Number(length & 0xffffn));
  } else {
    head.push(maskBit | 127);
    extended = Buffer.alloc(8);
    extended.writeBigUInt64BE(length & 0xffffffffffffffffn);
  }
  if (!mask) return Buffer.concat([Buffer.from(head), extended, payload]);
  const key = randomBytes(4);
  const masked = Buffer.alloc(payload.length);
  for (let i = 0; i < payload.length; i++) masked[i] = payload[i]! ^ key[i & 3]!;
  return Buffer.concat([Buffer.from(head), extended, key, masked]);
}

export interface RawReply {
  /** Everything the server sent before it closed the connection or the wait ended. */
  bytes: Buffer;
  /** The status of the HTTP response line, if the answer starts with one. */
  status: number | null;
  /** The server ended or reset the connection (rather than the wait running out). */
  ended: boolean;
}

function hostPort(url: string): { host: string; port: number } {
  const u = new URL(url);
  return { host: u.hostname, port: Number(u.port) };
}

function statusOf(bytes: Buffer): number | null {
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(bytes.subarray(0, 32).toString('latin1'));
  return m ? Number(m[1]) : null;
}

function connectTo(url: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(hostPort(url));
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/** Sends `data` (in pieces, if given several) on a fresh connection and collects the answer until the
 *  server closes it, accepts an upgrade (101) or `waitMs` passes (a server waiting for more bytes is not
 *  an error). */
export async function rawExchange(url: string, data: string | Buffer | (string | Buffer)[], waitMs = WAIT_MS): Promise<RawReply> {
  const socket = await connectTo(url);
  const chunks: Buffer[] = [];
  return new Promise((resolve) => {
    let ended = false;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      const bytes = Buffer.concat(chunks);
      resolve({ bytes, status: statusOf(bytes), ended });
    };
    const timer = setTimeout(finish, waitMs);
    socket.on('data', (d: Buffer) => {
      chunks.push(d);
      const got = Buffer.concat(chunks);
      if (statusOf(got) === 101 && got.indexOf('\r\n\r\n') >= 0) finish();
    });
    socket.on('error', () => (ended = true));
    socket.on('close', () => {
      ended = true;
      finish();
    });
    for (const piece of Array.isArray(data) ? data : [data]) socket.write(piece);
  });
}

/** A valid upgrade request for `path` (headers may add, change or, with null, drop a header). */
export function upgradeRequest(url: string, path: string, headers: Record<string, string | null> = {}): string {
  const { host, port } = hostPort(url);
  const all: Record<string, string | null> = {
    Host: `${host}:${port}`,
    Upgrade: 'websocket',
    Connection: 'Upgrade',
    'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
    'Sec-WebSocket-Version': '13',
    ...headers,
  };
  const lines = Object.entries(all)
    .filter((e): e is [string, string] => e[1] !== null)
    .map(([k, v]) => `${k}: ${v}`);
  return `GET ${path} HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n`;
}

export interface ServerFrame {
  opcode: number;
  payload: Buffer;
}

/** A WebSocket opened over raw TCP: send any bytes, read the server's frames and its close frame. */
export class RawWebSocket {
  readonly frames: ServerFrame[] = [];
  /** The close frame's code (null: the server sent none, or one without a code) once TCP closes. */
  readonly closed: Promise<{ code: number | null; reason: string }>;
  private buffered = Buffer.alloc(0);

  private constructor(
    private readonly socket: Socket,
    rest: Buffer,
  ) {
    this.closed = new Promise((resolve) => {
      socket.on('close', () => {
        const close = this.frames.find((f) => f.opcode === Opcode.close);
        const code = close && close.payload.length >= 2 ? close.payload.readUInt16BE(0) : null;
        resolve({ code, reason: close && close.payload.length > 2 ? close.payload.subarray(2).toString('utf8') : '' });
      });
    });
    socket.on('error', () => undefined);
    socket.on('data', (d: Buffer) => this.read(d));
    if (rest.length > 0) this.read(rest);
  }

  /** Opens `path` with a real handshake; throws unless the server answers 101. */
  static async open(url: string, path: string, headers: Record<string, string | null> = {}): Promise<RawWebSocket> {
    const socket = await connectTo(url);
    socket.on('error', () => undefined);
    const head = await new Promise<Buffer>((resolve, reject) => {
      let got = Buffer.alloc(0);
      const timer = setTimeout(() => reject(new Error(`No handshake answer for ${path}`)), WAIT_MS);
      const onData = (d: Buffer) => {
        got = Buffer.concat([got, d]);
        if (got.indexOf('\r\n\r\n') < 0) return;
        clearTimeout(timer);
        socket.off('data', onData);
        resolve(got);
      };
      socket.on('data', onData);
      socket.once('close', () => reject(new Error(`Connection closed during the handshake for ${path}: ${got.toString('latin1')}`)));
      socket.write(upgradeRequest(url, path, headers));
    });
    const end = head.indexOf('\r\n\r\n') + 4;
    if (statusOf(head) !== 101) {
      socket.destroy();
      throw new Error(`Upgrade of ${path} refused: ${head.subarray(0, end).toString('latin1').split('\r\n')[0]}`);
    }
    socket.removeAllListeners('close');
    return new RawWebSocket(socket, head.subarray(end));
  }

  write(bytes: Buffer | Buffer[]): void {
    for (const b of Array.isArray(bytes) ? bytes : [bytes]) if (!this.socket.destroyed) this.socket.write(b);
  }

  /** Resolves with the close code, or rejects when the server keeps the connection open past `ms`. */
  closedWithin(ms = WAIT_MS): Promise<{ code: number | null; reason: string }> {
    return Promise.race([
      this.closed,
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`The server kept the socket open for ${ms} ms.`)), ms).unref()),
    ]);
  }

  /** The server's close frame (or the end of TCP without one: code null), or null if neither came in `ms`. */
  async closeFrameWithin(ms: number): Promise<{ code: number | null; tcpOnly: boolean } | null> {
    const deadline = Date.now() + ms;
    for (;;) {
      const close = this.frames.find((f) => f.opcode === Opcode.close);
      if (close) return { code: close.payload.length >= 2 ? close.payload.readUInt16BE(0) : null, tcpOnly: false };
      if (this.socket.destroyed || this.socket.readableEnded) return { code: null, tcpOnly: true };
      if (Date.now() >= deadline) return null;
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  destroy(): void {
    this.socket.destroy();
  }

  private read(d: Buffer): void {
    this.buffered = Buffer.concat([this.buffered, d]);
    for (;;) {
      const b = this.buffered;
      if (b.length < 2) return;
      let length = b[1]! & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (b.length < 4) return;
        length = b.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (b.length < 10) return;
        length = Number(b.readBigUInt64BE(2));
        offset = 10;
      }
      if (b.length < offset + length) return;
      this.frames.push({ opcode: b[0]! & 0x0f, payload: b.subarray(offset, offset + length) });
      this.buffered = b.subarray(offset + length);
    }
  }
}
