// Installs `window.bandeja` in a plain browser tab served by the headless host: the same bridge the
// Electron preload installs, carried over the host's /ipc WebSocket instead of ipcRenderer.
import { buildBridge, type BandejaBridge, type IpcEventName, type IpcOp } from '../../src-shared/ipc';
import type { ErrorBody } from '../../src-shared/errors';

type HostFrame = { t: 'reply'; id: number; reply: unknown } | { t: 'event'; event: IpcEventName; payload: unknown };

const RECONNECT_MAX_MS = 5_000;

function readToken(doc: Document): string | null {
  return doc.querySelector<HTMLMetaElement>('meta[name="bandeja-ipc-token"]')?.content ?? null;
}

function hostGone(): { ok: false; error: ErrorBody } {
  // The call may or may not have run; it is not retried, so an action is never done twice.
  return { ok: false, error: { code: 'INTERNAL', message: 'The connection to the Bandeja background process was lost.' } };
}

export function createHeadlessBridge(token: string): BandejaBridge {
  const listeners = new Map<IpcEventName, Set<(payload: unknown) => void>>();
  const inFlight = new Map<number, (reply: unknown) => void>();
  const waiting: string[] = [];
  let nextId = 1;
  let socket: WebSocket | null = null;
  let attempt = 0;
  let dropped = false;

  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ipc?token=${encodeURIComponent(token)}`;

  function connect(): void {
    const ws = new WebSocket(url);
    socket = ws;
    ws.onopen = () => {
      attempt = 0;
      for (const frame of waiting.splice(0)) ws.send(frame);
      if (dropped) {
        dropped = false;
        void caughtUp();
      }
    };
    ws.onmessage = (msg) => {
      let frame: HostFrame;
      try {
        frame = JSON.parse(String(msg.data)) as HostFrame;
      } catch {
        return;
      }
      if (frame.t === 'reply') {
        inFlight.get(frame.id)?.(frame.reply);
        inFlight.delete(frame.id);
      } else if (frame.t === 'event') {
        emit(frame.event, frame.payload);
      }
    };
    ws.onclose = () => {
      if (socket !== ws) return;
      socket = null;
      dropped = true;
      for (const resolve of inFlight.values()) resolve(hostGone());
      inFlight.clear();
      attempt += 1;
      setTimeout(() => void reconnect(), Math.min(RECONNECT_MAX_MS, 250 * 2 ** attempt));
    };
  }

  // The host makes a new token each launch. When it was restarted, our token is dead: reload the
  // page to pick up the new one (the UI state that matters lives in the mirror, not in this tab).
  async function reconnect(): Promise<void> {
    try {
      const res = await fetch(location.href, { cache: 'no-store' });
      const html = await res.text();
      const fresh = readToken(new DOMParser().parseFromString(html, 'text/html'));
      if (fresh && fresh !== token) {
        location.reload();
        return;
      }
    } catch {
      // Host not reachable yet: try the socket anyway, its close schedules the next attempt.
    }
    connect();
  }

  // Events sent while the socket was down are lost: tell the listeners everything may have
  // changed, and what the sync state is now.
  async function caughtUp(): Promise<void> {
    emit('mirror.changed', { all: true, conversationIds: [] });
    const reply = (await call('sync.status', {})) as { ok: boolean; result?: unknown };
    if (reply.ok) emit('sync.status', reply.result);
  }

  function emit(event: IpcEventName, payload: unknown): void {
    for (const listener of listeners.get(event) ?? []) listener(payload);
  }

  function call(op: IpcOp, args: unknown): Promise<unknown> {
    return new Promise((resolve) => {
      const id = nextId++;
      inFlight.set(id, resolve);
      const frame = JSON.stringify({ t: 'call', id, op, args });
      if (socket && socket.readyState === WebSocket.OPEN) socket.send(frame);
      else waiting.push(frame);
    });
  }

  function on(event: IpcEventName, listener: (payload: unknown) => void): () => void {
    let set = listeners.get(event);
    if (!set) listeners.set(event, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  connect();
  return buildBridge(call, on);
}

/** Installs the headless bridge unless a preload already installed `window.bandeja`. */
export function ensureBridge(): BandejaBridge {
  if (window.bandeja) return window.bandeja;
  const token = readToken(document);
  if (!token) throw new Error('No IPC token in the page: open Bandeja through its host.');
  window.bandeja = createHeadlessBridge(token);
  return window.bandeja;
}

declare global {
  interface Window {
    bandeja?: BandejaBridge;
  }
}
