// The customer's socket at /webchat/<slug>/socket (src-shared/webchat.ts).
import type { WebSocket } from 'ws';
import { MESSAGE_MAX_CHARS } from '../../../src-shared/domain';
import type { ErrorBody } from '../../../src-shared/errors';
import { parseFrame } from '../../../src-shared/protocol';
import { isCleanKey } from '../../../src-shared/values';
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
import { findIdentity } from '../../store/contacts';
import type { WebchatLimits } from './limits';
import type { WebchatMedia } from './media';
import type { VisitorSockets } from './visitors';
import { definitiveRefusal, describeWriteError, isTransientWriteError } from '../../store/writeErrors';

/** The message a frame that could not be read was meant to send (a `say`), so the answer can name it. */
function sayOf(text: string): { id: string | undefined; overlong: boolean } | null {
  try {
    const raw = JSON.parse(text) as { type?: unknown; id?: unknown; body?: unknown };
    if (typeof raw !== 'object' || raw === null || raw.type !== 'say') return null;
    const id = typeof raw.id === 'string' && raw.id.length <= 64 && isCleanKey(raw.id) ? raw.id : undefined;
    return { id, overlong: typeof raw.body === 'string' && raw.body.length > MESSAGE_MAX_CHARS };
  } catch {
    return null;
  }
}

export interface WebchatDeps {
  db: Db;
  hub: SyncHub;
  visitors: VisitorSockets;
  media: WebchatMedia;
  limits: WebchatLimits;
  log: (line: string) => void;
}

/** `address`: the visitor's address (limits.ts counts by it). */
export function handleVisitorSocket(ws: WebSocket, inbox: InboxRow, deps: WebchatDeps, address: string): void {
  let joined: { visitorId: string; contactId: string } | null = null;
  let queue: Promise<void> = Promise.resolve();
  const send = (frame: WebchatServerFrame) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame));
  };
  const sendError = (error: ErrorBody, messageId?: string) =>
    send(messageId ? { type: 'error', error, messageId } : { type: 'error', error });
  // Not tied to a message: the page keeps it and sends it again after the wait.
  const limited = (retryAfterMs: number, message: string) =>
    sendError({ code: 'RATE_LIMITED', message, params: { retryAfterMs: String(retryAfterMs) } });
  const slug = inbox.slug ?? '';

  const onFrame = async (text: string | null) => {
    if (text === null) return sendError({ code: 'BAD_FRAME', message: 'Frames must be JSON text.' });
    const parsed = parseFrame(VisitorFrame, VISITOR_FRAME_TYPES, text);
    if (!parsed.ok) {
      // Tell an overlong message apart, so the page can say what to do; name the message refused.
      const say = parsed.code === 'BAD_FRAME' ? sayOf(text) : null;
      if (say?.overlong)
        return sendError({ code: 'MESSAGE_TOO_LONG', message: 'This message is too long. Split it into shorter messages.' }, say.id);
      return sendError({ code: parsed.code, message: parsed.message }, say?.id);
    }
    const frame = parsed.value;
    if (frame.type === 'join') {
      const creates = !(await findIdentity(deps.db, inbox.id, frame.visitorId));
      const verdict = await deps.limits.join(inbox.id, address, creates);
      if (!verdict.ok) return limited(verdict.retryAfterMs, 'Many people are starting chats right now. Try again in a moment.');
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
    if (frame.body.trim().length === 0) return sendError({ code: 'EMPTY_MESSAGE', message: 'The message is empty.' }, frame.id);
    const verdict = await deps.limits.say(inbox.id, address);
    if (!verdict.ok) return limited(verdict.retryAfterMs, 'Too many messages at once. Your message will be sent in a moment.');
    let result: Awaited<ReturnType<typeof storeCustomerMessage>>;
    try {
      result = await storeCustomerMessage(deps.db, inbox, joined.visitorId, frame.id, frame.body);
    } catch (e) {
      deps.log(`webchat message ${frame.id} not stored: ${describeWriteError(e)}`);
      // A passing failure: the page keeps the message and sends it again after reconnecting. Anything
      // else is this message's answer: the page gives it back to the visitor and does not send it again.
      if (isTransientWriteError(e))
        return sendError({ code: 'INTERNAL', message: 'The message could not be sent yet. It will be sent again.' }, frame.id);
      return sendError(definitiveRefusal(e).toBody(), frame.id);
    }
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
        deps.log(`webchat socket error: ${describeWriteError(e)}`);
        sendError({ code: 'INTERNAL', message: 'Something went wrong. Please try again.' });
      });
  });
  ws.on('close', () => {
    if (joined) deps.visitors.remove(inbox.id, joined.visitorId, ws);
  });
  // A frame ws refuses (too big, bad UTF-8, reserved bits, unmasked…): ws has already sent the close
  // with its code (1009, 1007, 1002) and closes this socket; without a listener the error would stop
  // the whole process.
  ws.on('error', (e) => deps.log(`webchat socket closed on a bad frame: ${e.message}`));
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
