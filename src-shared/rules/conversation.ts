// What each agent action does to a conversation. The server runs these as the authority;
// the client core runs the same functions to show the result before the server confirms.
import type { Attachment, Channel, Conversation, ConversationEvent, ConversationStatus, InboxSettings } from '../domain';
import { MESSAGE_MAX_CHARS } from '../domain';
import { BandejaError } from '../errors';
import { canSendFreeText } from './channelWindow';
import { canTransition } from './status';
import { canAssign, canSeeConversation, canTransfer, mayNameConversation, type Viewer } from './visibility';

export interface Outcome {
  conversation: Conversation;
  /** Event lines to write into the conversation, in order. */
  events: ConversationEvent[];
}

export const PREVIEW_CHARS = 140;

export function preview(body: string): string {
  const flat = body.replace(/\s+/g, ' ').trim();
  return flat.length > PREVIEW_CHARS ? `${flat.slice(0, PREVIEW_CHARS - 1)}…` : flat;
}

/** Refuses actors who may not see the conversation. One who could see it were it still unassigned
 *  lost a race for it: they are told who took it (ALREADY_ASSIGNED), not that it is forbidden. Anyone else
 *  is told it does not exist, exactly as for an id nobody uses. */
function mustSee(actor: Viewer, c: Conversation): void {
  if (canSeeConversation(actor, c)) return;
  if (c.assigneeId !== null && mayNameConversation(actor, c))
    throw new BandejaError('ALREADY_ASSIGNED', 'Another agent took this conversation.', { assigneeId: c.assigneeId });
  throw new BandejaError('NOT_FOUND', 'This conversation does not exist.');
}

function checkBody(body: string): void {
  if (body.trim().length === 0) throw new BandejaError('EMPTY_MESSAGE', 'The message is empty.');
  if (body.length > MESSAGE_MAX_CHARS)
    throw new BandejaError('MESSAGE_TOO_LONG', `A message may have at most ${MESSAGE_MAX_CHARS} characters.`);
}

/** The list preview of a message without words: language-neutral, from its first attachment. */
export function attachmentPreview(a: Pick<Attachment, 'kind' | 'name' | 'durationMs'>): string {
  if (a.kind === 'voice' || a.kind === 'audio') {
    const s = Math.round((a.durationMs ?? 0) / 1000);
    return `🎤 ${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
  }
  return `${a.kind === 'image' ? '🖼' : '📎'} ${a.name}`;
}

/** An agent replies. Replying to an unassigned conversation assigns it to the replier; a human reply
 *  pauses the chatbot. Free text needs the channel's reply window open (rules/channelWindow.ts) at `now`:
 *  a reply written offline is checked again when the server receives it. */
export function sendReply(
  actor: Viewer,
  c: Conversation,
  channel: Channel,
  body: string,
  now: number,
  attachments: readonly Pick<Attachment, 'kind' | 'name' | 'durationMs'>[] = [],
): Outcome {
  mustSee(actor, c);
  // A voice note or a file may go without words.
  if (attachments.length === 0 || body.length > 0) checkBody(body);
  if (c.status === 'closed') throw new BandejaError('CONVERSATION_CLOSED', 'This conversation was closed. Reopen it to reply.');
  if (!canSendFreeText(channel, c.lastCustomerMessageAt, now))
    throw new BandejaError('REPLY_WINDOW_CLOSED', 'The reply window of this channel is closed. Resume the conversation with a template.');
  return replied(actor, c, body.trim() || attachments.length === 0 ? preview(body) : attachmentPreview(attachments[0]!), now);
}

/** An agent sends an approved template (`text` from rules/templates.ts renderTemplate): allowed outside
 *  the reply window, otherwise the same as a reply. */
export function sendTemplate(actor: Viewer, c: Conversation, text: string, now: number): Outcome {
  mustSee(actor, c);
  if (c.status === 'closed') throw new BandejaError('CONVERSATION_CLOSED', 'This conversation was closed. Reopen it to reply.');
  return replied(actor, c, preview(text), now);
}

function replied(actor: Viewer, c: Conversation, lastMessagePreview: string, now: number): Outcome {
  const events: ConversationEvent[] = [];
  let assigneeId = c.assigneeId;
  if (assigneeId === null) {
    assigneeId = actor.id;
    events.push({ type: 'assigned', assigneeId: actor.id, byId: actor.id });
  }
  if (c.botActive) events.push({ type: 'bot', active: false, byId: actor.id });
  return {
    conversation: {
      ...c,
      assigneeId,
      botActive: false,
      status: c.status === 'pending' ? 'open' : c.status,
      unreadCount: 0,
      lastMessageAt: now,
      lastMessagePreview,
      waitingSince: null,
    },
    events,
  };
}

export function assign(actor: Viewer, c: Conversation, assigneeId: string | null): Outcome {
  mustSee(actor, c);
  if (c.assigneeId === assigneeId) return { conversation: c, events: [] };
  if (!canAssign(actor, c, assigneeId)) {
    if (assigneeId === actor.id && c.assigneeId !== null)
      throw new BandejaError('ALREADY_ASSIGNED', 'Another agent took this conversation.', { assigneeId: c.assigneeId });
    throw new BandejaError('FORBIDDEN', 'You may not assign this conversation.');
  }
  const events: ConversationEvent[] =
    assigneeId === null ? [{ type: 'unassigned', byId: actor.id }] : [{ type: 'assigned', assigneeId, byId: actor.id }];
  return { conversation: { ...c, assigneeId }, events };
}

/** Pending, snoozed or open. Closing goes through `close` (note, category), reopening through `reopen`. */
export function setStatus(actor: Viewer, c: Conversation, status: ConversationStatus): Outcome {
  mustSee(actor, c);
  if (c.status === status) return { conversation: c, events: [] };
  if (!canTransition(c.status, status)) throw new BandejaError('INVALID_TRANSITION', `A ${c.status} conversation cannot become ${status}.`);
  // Leaving snoozed by hand ends a reminder's postponement too; a later snooze by hand has no wake time.
  return { conversation: { ...c, status, snoozedUntil: null }, events: [{ type: 'status', status, byId: actor.id }] };
}

/** Close with an optional note and category. The inbox decides whether the assignee stays. */
export function close(
  actor: Viewer,
  c: Conversation,
  note: string | null,
  categoryId: string | null,
  settings: Pick<InboxSettings, 'closeKeepsAssignee'>,
): Outcome {
  mustSee(actor, c);
  if (c.status === 'closed') throw new BandejaError('INVALID_TRANSITION', 'This conversation is already closed.');
  const trimmed = note?.trim() || null;
  return {
    conversation: {
      ...c,
      status: 'closed',
      snoozedUntil: null,
      closingCategoryId: categoryId,
      assigneeId: settings.closeKeepsAssignee ? c.assigneeId : null,
      waitingSince: null,
      unreadCount: 0,
    },
    events: [{ type: 'status', status: 'closed', byId: actor.id, note: trimmed, categoryId }],
  };
}

export function reopen(actor: Viewer, c: Conversation): Outcome {
  mustSee(actor, c);
  if (c.status !== 'closed') throw new BandejaError('INVALID_TRANSITION', 'Only a closed conversation can be reopened.');
  return { conversation: { ...c, status: 'open', closingCategoryId: null }, events: [{ type: 'status', status: 'open', byId: actor.id }] };
}

/** Transfer to a user (assigned to them) or to a team's queue (unassigned there). The whole history goes
 *  with it. When `startsNew` the caller closes this conversation and opens a new one with the result. */
export function transfer(actor: Viewer, c: Conversation, toUserId: string | null, toTeamId: string | null): Outcome {
  mustSee(actor, c);
  if (!canTransfer(actor, c)) throw new BandejaError('FORBIDDEN', 'You may only transfer conversations you hold.');
  if (toUserId === null && toTeamId === null) throw new BandejaError('INVALID_ARGS', 'Choose a person or a team to transfer to.');
  if (c.status === 'closed') throw new BandejaError('CONVERSATION_CLOSED', 'This conversation was closed. Reopen it to transfer it.');
  return {
    conversation: { ...c, assigneeId: toUserId, teamId: toTeamId ?? c.teamId },
    events: [{ type: 'transferred', toUserId, toTeamId, byId: actor.id }],
  };
}

/** A transfer in an inbox that starts a new conversation for the receiver: the old one closes (its
 *  holder keeps it as history) with a `continued` line pointing to the new one, which carries the
 *  transfer and shows the old history above it. */
export function transferToNewConversation(
  actor: Viewer,
  c: Conversation,
  toUserId: string | null,
  toTeamId: string | null,
  newConversationId: string,
  now: number,
): { closed: Outcome; started: { conversation: Omit<Conversation, 'version'>; events: ConversationEvent[] } } {
  const moved = transfer(actor, c, toUserId, toTeamId);
  const { version: _version, ...receiver } = moved.conversation;
  return {
    closed: {
      conversation: { ...c, status: 'closed', waitingSince: null, unreadCount: 0, snoozedUntil: null },
      events: [{ type: 'continued', conversationId: newConversationId, byId: actor.id }],
    },
    started: {
      conversation: {
        ...receiver,
        id: newConversationId,
        status: c.status === 'snoozed' ? 'open' : c.status,
        snoozedUntil: null,
        closingCategoryId: null,
        previousConversationId: c.id,
        createdAt: now,
      },
      events: moved.events,
    },
  };
}

export function markRead(actor: Viewer, c: Conversation): Outcome {
  mustSee(actor, c);
  return { conversation: c.unreadCount === 0 ? c : { ...c, unreadCount: 0 }, events: [] };
}

export function markUnread(actor: Viewer, c: Conversation): Outcome {
  mustSee(actor, c);
  return { conversation: c.unreadCount > 0 ? c : { ...c, unreadCount: 1 }, events: [] };
}

/** Adds and removes tags as set operations, case-insensitively, keeping the first spelling. */
export function mergeTags(current: readonly string[], add: readonly string[], remove: readonly string[]): string[] {
  const removing = new Set(remove.map((t) => t.trim().toLowerCase()));
  const out = current.filter((t) => !removing.has(t.toLowerCase()));
  const have = new Set(out.map((t) => t.toLowerCase()));
  for (const raw of add) {
    const t = raw.trim();
    if (t && !have.has(t.toLowerCase()) && !removing.has(t.toLowerCase())) {
      out.push(t);
      have.add(t.toLowerCase());
    }
  }
  return out.sort((a, b) => a.localeCompare(b));
}

export function tag(actor: Viewer, c: Conversation, add: readonly string[], remove: readonly string[]): Outcome {
  mustSee(actor, c);
  const tags = mergeTags(c.tags, add, remove);
  const before = new Set(c.tags.map((t) => t.toLowerCase()));
  const after = new Set(tags.map((t) => t.toLowerCase()));
  const added = tags.filter((t) => !before.has(t.toLowerCase()));
  const removed = c.tags.filter((t) => !after.has(t.toLowerCase()));
  if (added.length === 0 && removed.length === 0) return { conversation: c, events: [] };
  return { conversation: { ...c, tags }, events: [{ type: 'tagged', added, removed, byId: actor.id }] };
}

export function setBot(actor: Viewer, c: Conversation, active: boolean): Outcome {
  mustSee(actor, c);
  if (c.botActive === active) return { conversation: c, events: [] };
  return { conversation: { ...c, botActive: active }, events: [{ type: 'bot', active, byId: actor.id }] };
}

/** An internal note: allowed on any conversation the actor sees, closed ones included; never assigns. */
export function addNote(actor: Viewer, c: Conversation, body: string): Outcome {
  mustSee(actor, c);
  checkBody(body);
  return { conversation: c, events: [] };
}

/** @mentions a note may make: active users of the tenant other than the author, each once. */
export function mentionTargets(mentions: readonly string[], authorId: string, activeUserIds: ReadonlySet<string>): string[] {
  return [...new Set(mentions)].filter((id) => id !== authorId && activeUserIds.has(id));
}

/** A note's @mentions reach only people who may see the conversation: a mention of anyone else refuses the
 *  note, naming her (people of the tenant are no secret), so the author fixes it; the note's words are kept
 *  on her screen as a failed note. The composer offers only people who may see it, so this is met only when
 *  the conversation moved between the pick and the send. */
export function mustMentionOnlyViewers(mentioned: readonly Viewer[], c: Pick<Conversation, 'assigneeId' | 'teamId'>): void {
  const blind = mentioned.find((person) => !canSeeConversation(person, c));
  if (blind)
    throw new BandejaError(
      'FORBIDDEN',
      'A person you mentioned cannot see this conversation. Remove the mention and send the note again.',
      {
        reason: 'mentionCannotSee',
        userId: blind.id,
      },
    );
}

/** "Remind me" with "postpone contact": the conversation is snoozed until the reminder is due, and a
 *  customer message meanwhile does not wake it (rules/reminders.ts isPostponed). Without postpone, for a
 *  time already past, or on a closed conversation, the reminder changes nothing here. */
export function snoozeUntilReminder(actor: Viewer, c: Conversation, dueAt: number, postpone: boolean, now: number): Outcome {
  mustSee(actor, c);
  if (!postpone || dueAt <= now || c.status === 'closed') return { conversation: c, events: [] };
  const events: ConversationEvent[] = c.status === 'snoozed' ? [] : [{ type: 'status', status: 'snoozed', byId: actor.id }];
  return { conversation: { ...c, status: 'snoozed', snoozedUntil: dueAt }, events };
}

/** A snoozed conversation whose time came: back to Open and to the top of the list (its last activity
 *  becomes the due time). The server does this by itself, so the event line has no author. */
export function wakeFromSnooze(c: Conversation): Outcome {
  if (c.status !== 'snoozed' || c.snoozedUntil === null) return { conversation: c, events: [] };
  return {
    conversation: { ...c, status: 'open', snoozedUntil: null, lastMessageAt: Math.max(c.lastMessageAt, c.snoozedUntil) },
    events: [{ type: 'status', status: 'open', byId: null }],
  };
}
