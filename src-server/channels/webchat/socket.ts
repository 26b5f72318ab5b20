// The customer's socket at /webchat/<slug>/socket (src-shared/webchat.ts).
import type { WebSocket } from 'ws';
import { MESSAGE_MAX_CHARS } from '../../../src-shared/domain';
import type { ErrorBody } from '../../../src-shared/errors';
import { parseFrame } from '../../../src-shared/protocol';
import { VISITOR_FRAME_TYPES, VisitorFrame, type WebchatServerFrame } from '../../../src-shared/webchat';
import type { Db } from '../../store/db';
import type { InboxRow } from '../../store/directory';
import type { SyncHub } from '../../sync/hub';
import type { AfterCommit } from '../../sync/mutators';
import type { MessageState } from '../../../src-shared/domain';
import { writeTenantChanges } from '../../store/changeLog';
import { reportMessageState } from '../../store/conversations';
import {
  joinVisitor,
  outgoingForVisitor,
  storeCustomerMessage,
  undeliveredAgentMessages,
  unreadAgentMessagesUpTo,
  visitorHistory,
} from './store';
import type { WebchatMedia } from './media';
import type { VisitorSockets } from './visitors';

function isOverlongSay(text: string): boolean {
  try {
    const raw = JSON.parse(text) as { type?: unknown; body?: unknown };
    return raw.type === 'say' && typeof raw.body === 'string' && raw.body.length > MESSAGE_MAX_CHARS;
  } catch {
    return false;
  }
}

export interface WebchatDeps {
  db: Db;
  hub: SyncHub;
  visitors: VisitorSockets;
  media: WebchatMedia;
  log: (line: string) => void;
}

export function handleVisitorSocket(ws: WebSocket, inbox: InboxRow, deps: WebchatDeps): void {
  let joined: { visitorId: string; contactId: string } | null = null;
  let queue: Promise<void> = Promise.resolve();
  const send = (frame: WebchatServerFrame) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame));
  };
  const sendError = (error: ErrorBody) => send({ type: 'error', error });
  const slug = inbox.slug ?? '';

  const onFrame = async (text: string | null) => {
    if (text === null) return sendError({ code: 'BAD_FRAME', message: 'Frames must be JSON text.' });
    const parsed = parseFrame(VisitorFrame, VISITOR_FRAME_TYPES, text);
    if (!parsed.ok) {
      // Tell an overlong message apart, so the page can say what to do.
      if (parsed.code === 'BAD_FRAME' && isOverlongSay(text))
        return sendError({ code: 'MESSAGE_TOO_LONG', message: 'This message is too long. Split it into shorter messages.' });
      return sendError({ code: parsed.code, message: parsed.message });
    }
    const frame = parsed.value;
    if (frame.type === 'join') {
      const result = await joinVisitor(deps.db, inbox, frame.visitorId, frame.secret, frame.name);
      if (!result.ok) return sendError({ code: 'UNAUTHORIZED', message: 'This chat belongs to another browser. Start a new chat.' });
      if (joined) deps.visitors.remove(inbox.id, joined.visitorId, ws);
      joined = { visitorId: frame.visitorId, contactId: result.contactId };
      deps.visitors.add(inbox.id, frame.visitorId, ws);
      if (result.created) deps.hub.poke(inbox.tenantId);
      const undelivered = await undeliveredAgentMessages(deps.db, inbox.id, frame.visitorId);
      const history = await visitorHistory(deps.db, inbox.id, frame.visitorId);
      send({ type: 'joined', name: result.name, history: history.map((m) => deps.media.forVisitor(slug, frame.visitorId, m)) });
      // The history reached the page: agent messages it holds are delivered.
      return reportState(deps, inbox.tenantId, undelivered, 'delivered');
    }
    if (!joined) return sendError({ code: 'UNAUTHORIZED', message: 'Join the chat before sending messages.' });
    if (frame.type === 'seen')
      return reportState(deps, inbox.tenantId, await unreadAgentMessagesUpTo(deps.db, inbox.id, joined.visitorId, frame.messageId), 'read');
    if (frame.body.trim().length === 0) return sendError({ code: 'EMPTY_MESSAGE', message: 'The message is empty.' });
    const result = await storeCustomerMessage(deps.db, inbox, joined.visitorId, frame.id, frame.body);
    if (result.stored) {
      deps.hub.poke(inbox.tenantId);
      deps.visitors.send(inbox.id, joined.visitorId, {
        type: 'message',
        message: deps.media.forVisitor(slug, joined.visitorId, result.message),
      });
    } else {
      // A resend after a reconnect: confirm it to this socket only.
      const history = await visitorHistory(deps.db, inbox.id, joined.visitorId);
      const stored = history.find((m) => m.id === frame.id);
      if (stored) send({ type: 'message', message: deps.media.forVisitor(slug, joined.visitorId, stored) });
    }
    return undefined;
  };

  ws.on('message', (data, isBinary) => {
    const text = isBinary ? null : Array.isArray(data) ? Buffer.concat(data).toString('utf8') : data.toString('utf8');
    queue = queue
      .then(() => onFrame(text))
      .catch((e) => {
        deps.log(`webchat socket error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
        sendError({ code: 'INTERNAL', message: 'Something went wrong. Please try again.' });
      });
  });
  ws.on('close', () => {
    if (joined) deps.visitors.remove(inbox.id, joined.visitorId, ws);
  });
}

/** Moves agent messages forward (delivered, read) for the agents to see. */
async function reportState(deps: WebchatDeps, tenantId: string, messageIds: string[], state: MessageState): Promise<void> {
  if (messageIds.length === 0) return;
  const { changed } = await writeTenantChanges(deps.db, tenantId, (tx, batch) => reportMessageState(tx, batch, messageIds, state));
  if (changed) deps.hub.poke(tenantId);
}

/** Delivers agents' messages to the customers' open pages, after their transaction committed. A message
 *  that reached at least one open page is delivered; otherwise the next join's history delivers it. */
export async function deliverToVisitors(deps: WebchatDeps, effects: readonly AfterCommit[]): Promise<void> {
  for (const effect of effects) {
    if (effect.kind !== 'deliver') continue;
    const out = await outgoingForVisitor(deps.db, effect.messageId);
    if (!out || out.channel !== 'webchat') continue;
    let reached = 0;
    for (const visitorId of out.visitorIds)
      reached += deps.visitors.send(out.inboxId, visitorId, {
        type: 'message',
        message: deps.media.forVisitor(out.slug ?? '', visitorId, out.message),
      });
    if (reached > 0) await reportState(deps, out.tenantId, [effect.messageId], 'delivered');
  }
}
