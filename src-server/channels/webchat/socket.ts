// The customer's socket at /webchat/<slug>/socket (src-shared/webchat.ts).
import type { WebSocket } from 'ws';
import { MESSAGE_MAX_CHARS } from '../../../src-shared/domain';
import type { ErrorBody } from '../../../src-shared/errors';
import { CloseCode, parseFrame } from '../../../src-shared/protocol';
import { isCleanKey } from '../../../src-shared/values';
import { VISITOR_FRAME_TYPES, VisitorFrame, type WebchatServerFrame } from '../../../src-shared/webchat';
import type { Db } from '../../store/db';
import { getInbox, type InboxRow } from '../../store/directory';
import type { VisitorMessage } from '../../fanout/channel';
import type { SyncHub } from '../../sync/hub';
import type { AfterCommit } from '../../sync/mutators';
import type { MessageState } from '../../../src-shared/domain';
import { writeTenantChanges } from '../../store/changeLog';
import { reportMessageState } from '../../store/conversations';
import {
  joinVisitor,
  NotThisVisitor,
  outgoingForVisitor,
  storeCustomerMessage,
  undeliveredAgentMessages,
  unreadAgentMessagesUpTo,
  visitorHistory,
  type VisitorWriting,
} from './store';
import type { HeldBack, WebchatLimits, Writer } from './limits';
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

/** How often one socket's `seen` frames are acted on at most: a flood of them costs no database work per frame. */
export const SEEN_EVERY_MS = 1000;

/** `address`: the visitor's address (limits.ts counts by it). */
export function handleVisitorSocket(ws: WebSocket, inbox: InboxRow, deps: WebchatDeps, address: string): void {
  /** `writer`: how limits.ts counts her messages (she has a history, she is new, her next message makes her contact). */
  /** `admitted`: her first message passed the new-visitor limits on this socket; trying it again (after a
   *  passing failure) does not count her as new again. */
  let joined: (VisitorWriting & { writer: Writer; admitted: boolean }) | null = null;
  let queue: Promise<void> = Promise.resolve();
  const send = (frame: WebchatServerFrame) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame));
  };
  const sendError = (error: ErrorBody, messageId?: string) =>
    send(messageId ? { type: 'error', error, messageId } : { type: 'error', error });
  // Held back for now: the page keeps the message (or the join) and sends it again after the wait.
  const limited = (retryAfterMs: number, reason: HeldBack, messageId?: string) =>
    sendError({ code: 'RATE_LIMITED', message: HELD_BACK[reason], params: { retryAfterMs: String(retryAfterMs), reason } }, messageId);
  const slug = inbox.slug ?? '';

  // Before it joins, a socket gets a short time and a few frames (limits/config.ts Handshake): an idle or
  // chattering socket that never joins is closed, not kept until the heartbeat.
  const { timeoutMs, maxFrames } = deps.limits.handshake;
  let framesBeforeJoin = 0;
  const closeForHandshake = (reason: string) => {
    clearTimeout(joinTimer);
    if (ws.readyState === ws.OPEN) ws.close(CloseCode.policyViolation, reason);
  };
  const joinTimer = setTimeout(() => closeForHandshake(`join expected within ${Math.ceil(timeoutMs / 1000)} s`), timeoutMs);
  joinTimer.unref();

  // `seen` frames are coalesced: the newest is acted on at most every SEEN_EVERY_MS.
  let seenWanted: string | null = null;
  let seenTimer: NodeJS.Timeout | null = null;
  let seenLast = 0;
  const actOnSeen = () => {
    seenTimer = null;
    const messageId = seenWanted;
    const visitor = joined;
    seenWanted = null;
    if (!messageId || !visitor) return;
    seenLast = Date.now();
    enqueue(async () =>
      reportState(deps, inbox.tenantId, await unreadAgentMessagesUpTo(deps.db, inbox.id, visitor.visitorId, messageId), 'read'),
    );
  };
  const onSeen = (messageId: string) => {
    seenWanted = messageId;
    if (seenTimer) return;
    const wait = seenLast + SEEN_EVERY_MS - Date.now();
    if (wait <= 0) actOnSeen();
    else seenTimer = setTimeout(actOnSeen, wait);
  };

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
      clearTimeout(joinTimer);
      const verdict = await deps.limits.join(address);
      if (!verdict.ok) {
        // Counted by the limit already: a visitor who waits and tries again is not closed for it.
        if (!joined) framesBeforeJoin--;
        return limited(verdict.retryAfterMs, verdict.reason);
      }
      const result = await joinVisitor(deps.db, inbox, frame.visitorId, frame.secret);
      if (!result.ok) return sendError({ code: 'UNAUTHORIZED', message: 'This chat belongs to another browser. Start a new chat.' });
      if (joined) deps.visitors.remove(inbox.id, joined.visitorId, ws);
      const writer: Writer = result.known === null ? 'first' : result.known.history ? 'returning' : 'new';
      joined = { visitorId: frame.visitorId, secret: frame.secret, name: result.known?.name || frame.name, writer, admitted: false };
      deps.visitors.add(inbox.id, frame.visitorId, ws);
      if (!result.known) {
        send({ type: 'joined', name: frame.name, history: [] });
        return undefined;
      }
      const undelivered = await undeliveredAgentMessages(deps.db, inbox.id, frame.visitorId);
      const history = await visitorHistory(deps.db, inbox.id, frame.visitorId);
      send({ type: 'joined', name: joined.name, history: history.map((m) => deps.media.forVisitor(slug, frame.visitorId, m)) });
      // The history reached the page: agent messages it holds are delivered.
      return reportState(deps, inbox.tenantId, undelivered, 'delivered');
    }
    if (!joined) return sendError({ code: 'UNAUTHORIZED', message: 'Join the chat before sending messages.' });
    if (frame.type === 'seen') return onSeen(frame.messageId);
    if (frame.body.trim().length === 0) return sendError({ code: 'EMPTY_MESSAGE', message: 'The message is empty.' }, frame.id);
    const visitor = joined;
    const verdict = await deps.limits.say(inbox.id, address, visitor.writer === 'first' && visitor.admitted ? 'new' : visitor.writer);
    if (!verdict.ok) return limited(verdict.retryAfterMs, verdict.reason, frame.id);
    if (visitor.writer === 'first') visitor.admitted = true;
    let result: Awaited<ReturnType<typeof storeCustomerMessage>>;
    try {
      result = await storeCustomerMessage(deps.db, inbox, visitor, frame.id, frame.body);
    } catch (e) {
      if (e instanceof NotThisVisitor)
        return sendError({ code: 'UNAUTHORIZED', message: 'This chat belongs to another browser. Start a new chat.' }, frame.id);
      deps.log(`webchat message ${frame.id} not stored: ${describeWriteError(e)}`);
      // A passing failure: the page keeps the message and sends it again soon. Anything else is this
      // message's answer: the page shows it on the message and does not send it again.
      if (isTransientWriteError(e))
        return sendError({ code: 'INTERNAL', message: 'The message could not be sent yet. It will be sent again.' }, frame.id);
      return sendError(definitiveRefusal(e).toBody(), frame.id);
    }
    if (result.stored) {
      // Her contact exists now: her next messages no longer make one.
      if (visitor.writer === 'first') visitor.writer = 'new';
      deps.hub.poke(inbox.tenantId);
      deps.visitors.send(inbox.id, visitor.visitorId, {
        type: 'message',
        message: deps.media.forVisitor(slug, visitor.visitorId, result.message),
      });
      // Her tabs open on other processes show it too.
      deps.hub.remote?.visitorMessage({ tenantId: inbox.tenantId, inboxId: inbox.id, visitorId: visitor.visitorId, messageId: frame.id });
      return undefined;
    }
    // A resend after a reconnect: confirm it to this socket only. An id that is not one of her messages
    // is refused by name, with the same answer whoever's it is: nothing is told about others' messages.
    const history = await visitorHistory(deps.db, inbox.id, visitor.visitorId);
    const stored = history.find((m) => m.id === frame.id);
    if (stored) send({ type: 'message', message: deps.media.forVisitor(slug, visitor.visitorId, stored) });
    else sendError({ code: 'INVALID_ARGS', message: 'This message could not be sent. Write it again.' }, frame.id);
    return undefined;
  };

  const enqueue = (work: () => Promise<void>) => {
    queue = queue.then(work).catch((e) => {
      deps.log(`webchat socket error: ${describeWriteError(e)}`);
      sendError({ code: 'INTERNAL', message: 'Something went wrong. Please try again.' });
    });
  };
  ws.on('message', (data, isBinary) => {
    if (!joined && ++framesBeforeJoin > maxFrames) return closeForHandshake(`at most ${maxFrames} frames before joining`);
    const text = isBinary ? null : Array.isArray(data) ? Buffer.concat(data).toString('utf8') : data.toString('utf8');
    enqueue(() => onFrame(text));
    return undefined;
  });
  ws.on('close', () => {
    clearTimeout(joinTimer);
    if (seenTimer) clearTimeout(seenTimer);
    if (joined) deps.visitors.remove(inbox.id, joined.visitorId, ws);
  });
  // A frame ws refuses (too big, bad UTF-8, reserved bits, unmasked…): ws has already sent the close
  // with its code (1009, 1007, 1002) and closes this socket; without a listener the error would stop
  // the whole process.
  ws.on('error', (e) => deps.log(`webchat socket closed on a bad frame: ${e.message}`));
}

/** What a visitor held back is told (the page shows its own words, by params.reason). */
const HELD_BACK: Record<HeldBack, string> = {
  join: 'Many people are opening chats right now. Try again in a moment.',
  newVisitor: 'Many people are starting chats right now. Your message will be sent in a moment.',
  say: 'Too many messages at once. Your message will be sent in a moment.',
};

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
    for (const visitorId of out.visitorIds) {
      reached += deps.visitors.send(out.inboxId, visitorId, {
        type: 'message',
        message: deps.media.forVisitor(out.slug ?? '', visitorId, out.message),
      });
      // Her pages open on other processes get it from there (and report it delivered there).
      deps.hub.remote?.visitorMessage({ tenantId: out.tenantId, inboxId: out.inboxId, visitorId, messageId: effect.messageId });
    }
    if (reached > 0) await reportState(deps, out.tenantId, [effect.messageId], 'delivered');
  }
}

/** A message another process handed to a visitor (fanout/channel.ts): her pages open on this process get
 *  it, read from the database here. An agent's message that reached one is delivered. */
export async function relayToVisitor(deps: WebchatDeps, m: VisitorMessage): Promise<void> {
  if (!deps.visitors.has(m.inboxId, m.visitorId)) return;
  const out = await outgoingForVisitor(deps.db, m.messageId);
  if (out) {
    if (out.channel !== 'webchat' || out.inboxId !== m.inboxId || !out.visitorIds.includes(m.visitorId)) return;
    const message = deps.media.forVisitor(out.slug ?? '', m.visitorId, out.message);
    if (deps.visitors.send(m.inboxId, m.visitorId, { type: 'message', message }) > 0)
      await reportState(deps, out.tenantId, [m.messageId], 'delivered');
    return;
  }
  // Her own message, written in a tab on another process.
  const inbox = await getInbox(deps.db, m.inboxId);
  const stored = (await visitorHistory(deps.db, m.inboxId, m.visitorId)).find((x) => x.id === m.messageId);
  if (inbox && stored)
    deps.visitors.send(m.inboxId, m.visitorId, { type: 'message', message: deps.media.forVisitor(inbox.slug ?? '', m.visitorId, stored) });
}
