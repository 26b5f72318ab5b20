// Open customer sockets by inbox and visitor, so agent replies reach every tab the visitor has open.
import type { WebSocket } from 'ws';
import type { WebchatServerFrame } from '../../../src-shared/webchat';

export class VisitorSockets {
  private readonly sockets = new Map<string, Set<WebSocket>>();

  private key(inboxId: string, visitorId: string): string {
    return `${inboxId}\u0000${visitorId}`;
  }

  add(inboxId: string, visitorId: string, ws: WebSocket): void {
    const key = this.key(inboxId, visitorId);
    let set = this.sockets.get(key);
    if (!set) this.sockets.set(key, (set = new Set()));
    set.add(ws);
  }

  remove(inboxId: string, visitorId: string, ws: WebSocket): void {
    const key = this.key(inboxId, visitorId);
    const set = this.sockets.get(key);
    set?.delete(ws);
    if (set?.size === 0) this.sockets.delete(key);
  }

  /** Whether the visitor has a page open on this process. */
  has(inboxId: string, visitorId: string): boolean {
    return this.sockets.has(this.key(inboxId, visitorId));
  }

  /** Returns how many sockets got the frame. */
  send(inboxId: string, visitorId: string, frame: WebchatServerFrame): number {
    const text = JSON.stringify(frame);
    let n = 0;
    for (const ws of this.sockets.get(this.key(inboxId, visitorId)) ?? []) {
      if (ws.readyState === ws.OPEN) {
        ws.send(text);
        n++;
      }
    }
    return n;
  }
}
