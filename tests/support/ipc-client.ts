// A Node client of the headless host's /ipc socket, typed by the IPC contract: tests drive the real
// core exactly as the renderer's bridge does.
import WebSocket from 'ws';
import type { IpcArgs, IpcEventName, IpcEventPayload, IpcOp, IpcReply, IpcResult } from '../../src-shared/ipc';

type HostFrame = { t: 'reply'; id: number; reply: IpcReply<IpcOp> } | { t: 'event'; event: IpcEventName; payload: unknown };

export class IpcCallError extends Error {
  constructor(
    readonly op: string,
    readonly code: string,
    message: string,
  ) {
    super(`${op} failed with ${code}: ${message}`);
  }
}

export interface IpcClient {
  call<K extends IpcOp>(op: K, args: IpcArgs<K>): Promise<IpcReply<K>>;
  /** Like call, but returns the result or throws IpcCallError. */
  ok<K extends IpcOp>(op: K, args: IpcArgs<K>): Promise<IpcResult<K>>;
  /** Sends anything (for bad-input tests). */
  raw(op: string, args: unknown): Promise<IpcReply<IpcOp>>;
  waitForEvent<E extends IpcEventName>(
    event: E,
    predicate?: (payload: IpcEventPayload<E>) => boolean,
    timeoutMs?: number,
  ): Promise<IpcEventPayload<E>>;
  /** Polls `op` until `predicate` holds on its result (re-checked on every event from the host). */
  until<K extends IpcOp>(op: K, args: IpcArgs<K>, predicate: (result: IpcResult<K>) => boolean, timeoutMs?: number): Promise<IpcResult<K>>;
  close(): void;
}

export async function connectIpc(uiUrl: string, token: string): Promise<IpcClient> {
  const origin = new URL(uiUrl).origin;
  const ws = new WebSocket(`${origin.replace(/^http/, 'ws')}/ipc?token=${encodeURIComponent(token)}`, { origin });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`/ipc refused the connection: HTTP ${res.statusCode}`)));
  });
  let nextId = 1;
  const pending = new Map<number, (reply: IpcReply<IpcOp>) => void>();
  const listeners = new Set<(event: IpcEventName, payload: unknown) => void>();
  ws.on('message', (data) => {
    const frame = JSON.parse(data.toString()) as HostFrame;
    if (frame.t === 'reply') {
      pending.get(frame.id)?.(frame.reply);
      pending.delete(frame.id);
    } else for (const l of [...listeners]) l(frame.event, frame.payload);
  });
  ws.on('close', () => {
    for (const resolve of pending.values()) resolve({ ok: false, error: { code: 'INTERNAL', message: 'ipc socket closed' } });
    pending.clear();
  });

  function raw(op: string, args: unknown): Promise<IpcReply<IpcOp>> {
    return new Promise((resolve, reject) => {
      if (ws.readyState !== WebSocket.OPEN) return reject(new Error(`ipc socket is not open (calling ${op})`));
      const id = nextId++;
      pending.set(id, resolve);
      ws.send(JSON.stringify({ t: 'call', id, op, args }));
    });
  }

  function waitForEvent<E extends IpcEventName>(
    event: E,
    predicate: (payload: IpcEventPayload<E>) => boolean = () => true,
    timeoutMs = 30_000,
  ): Promise<IpcEventPayload<E>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        listeners.delete(listener);
        reject(new Error(`no ${event} event matched within ${timeoutMs} ms`));
      }, timeoutMs);
      const listener = (name: IpcEventName, payload: unknown) => {
        if (name !== event || !predicate(payload as IpcEventPayload<E>)) return;
        clearTimeout(timer);
        listeners.delete(listener);
        resolve(payload as IpcEventPayload<E>);
      };
      listeners.add(listener);
    });
  }

  async function ok<K extends IpcOp>(op: K, args: IpcArgs<K>): Promise<IpcResult<K>> {
    const reply = (await raw(op, args)) as IpcReply<K>;
    if (!reply.ok) throw new IpcCallError(op, reply.error.code, reply.error.message);
    return reply.result;
  }

  async function until<K extends IpcOp>(
    op: K,
    args: IpcArgs<K>,
    predicate: (result: IpcResult<K>) => boolean,
    timeoutMs = 45_000,
  ): Promise<IpcResult<K>> {
    const deadline = Date.now() + timeoutMs;
    let last: IpcResult<K> | undefined;
    for (;;) {
      // Arm the wake-up before reading, so a change between the read and the wait is not missed.
      let wake!: () => void;
      const woken = new Promise<void>((resolve) => (wake = resolve));
      const listener = () => wake();
      listeners.add(listener);
      try {
        last = await ok(op, args);
        if (predicate(last)) return last;
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`${op} never satisfied the condition; last result: ${JSON.stringify(last).slice(0, 2000)}`);
        await Promise.race([woken, new Promise((r) => setTimeout(r, Math.min(left, 1000)))]);
      } finally {
        listeners.delete(listener);
      }
    }
  }

  return {
    call: (op, args) => raw(op, args) as never,
    ok,
    raw,
    waitForEvent,
    until,
    close: () => ws.close(),
  };
}
