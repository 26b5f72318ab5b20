// Pure rules of the conversation lifecycle, tags, notes, views and contact edits (issue 3).
import { describe, expect, it } from 'vitest';
import {
  BandejaError,
  addNote,
  canUseSavedView,
  mustMayChangeSavedView,
  mustMayChangeContacts,
  close,
  customerMessageTarget,
  matchesFilters,
  mentionTargets,
  mergeTags,
  patchContact,
  reopen,
  sendReply,
  setBot,
  statusOnCustomerMessage,
  tag,
  teamQueuesFor,
  transfer,
  transferToNewConversation,
  viewsFor,
  type Contact,
  type ContactFieldDefinition,
  type Conversation,
  type Viewer,
} from '../../src-shared';

const ana: Viewer = { id: 'ana', role: 'agent', teamIds: ['soporte'] };
const bruno: Viewer = { id: 'bruno', role: 'agent', teamIds: ['soporte'] };
const sofia: Viewer = { id: 'sofia', role: 'supervisor', teamIds: [] };

const conv: Conversation = {
  id: 'c1',
  inboxId: 'web',
  contactId: 'k1',
  teamId: 'soporte',
  assigneeId: 'ana',
  status: 'open',
  unreadCount: 2,
  lastMessageAt: 1000,
  lastMessagePreview: 'Hola',
  lastCustomerMessageAt: 1000,
  waitingSince: 1000,
  tags: [],
  botActive: false,
  closingCategoryId: null,
  previousConversationId: null,
  snoozedUntil: null,
  createdAt: 500,
  version: 1,
};

const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return e instanceof BandejaError ? e.code : 'other';
  }
  return null;
};

describe('one active conversation per contact', () => {
  it('opens a first conversation, continues an active one, and starts a pending one after a closed one', () => {
    expect(customerMessageTarget(null)).toEqual({ kind: 'new', status: 'open', previousConversationId: null });
    expect(customerMessageTarget({ id: 'c1', status: 'snoozed' })).toEqual({ kind: 'existing', conversationId: 'c1' });
    expect(customerMessageTarget({ id: 'c1', status: 'closed' })).toEqual({ kind: 'new', status: 'pending', previousConversationId: 'c1' });
  });

  it('keeps a conversation snoozed while a reminder postpones it', () => {
    expect(statusOnCustomerMessage('snoozed', true)).toBe('snoozed');
    expect(statusOnCustomerMessage('snoozed', false)).toBe('open');
  });
});

describe('closing and reopening', () => {
  it('records the closing note and category, and keeps or drops the assignee as the inbox says', () => {
    const kept = close(ana, conv, '  Resolved by phone ', 'cat-1', { closeKeepsAssignee: true });
    expect(kept.conversation).toMatchObject({ status: 'closed', assigneeId: 'ana', closingCategoryId: 'cat-1', waitingSince: null });
    expect(kept.events).toEqual([{ type: 'status', status: 'closed', byId: 'ana', note: 'Resolved by phone', categoryId: 'cat-1' }]);
    expect(close(ana, conv, null, null, { closeKeepsAssignee: false }).conversation.assigneeId).toBeNull();
  });

  it('refuses to close twice and to reopen what is not closed', () => {
    const closed = close(ana, conv, null, null, { closeKeepsAssignee: true }).conversation;
    expect(codeOf(() => close(ana, closed, null, null, { closeKeepsAssignee: true }))).toBe('INVALID_TRANSITION');
    expect(codeOf(() => reopen(ana, conv))).toBe('INVALID_TRANSITION');
    expect(reopen(ana, closed).events).toEqual([{ type: 'status', status: 'open', byId: 'ana' }]);
  });
});

describe('transfer', () => {
  it('moves a conversation to a person or to a team queue, with an event line', () => {
    const toBruno = transfer(ana, conv, 'bruno', null);
    expect(toBruno.conversation.assigneeId).toBe('bruno');
    expect(toBruno.events).toEqual([{ type: 'transferred', toUserId: 'bruno', toTeamId: null, byId: 'ana' }]);
    const toVentas = transfer(ana, conv, null, 'ventas');
    expect(toVentas.conversation).toMatchObject({ assigneeId: null, teamId: 'ventas' });
  });

  it('lets only the holder (or a supervisor) transfer, and not a closed conversation', () => {
    expect(codeOf(() => transfer(bruno, conv, 'bruno', null))).toBe('ALREADY_ASSIGNED');
    expect(transfer(sofia, conv, 'bruno', null).conversation.assigneeId).toBe('bruno');
    expect(codeOf(() => transfer(ana, { ...conv, status: 'closed' }, 'bruno', null))).toBe('CONVERSATION_CLOSED');
    expect(codeOf(() => transfer(ana, conv, null, null))).toBe('INVALID_ARGS');
  });
});

describe('tags', () => {
  it('adds and removes as set operations, case-insensitively', () => {
    expect(mergeTags(['VIP'], ['vip', 'Reclamo'], [])).toEqual(['Reclamo', 'VIP']);
    expect(mergeTags(['VIP', 'Reclamo'], [], ['vip'])).toEqual(['Reclamo']);
  });

  it('merges two agents tagging at once: both additions survive', () => {
    const first = tag(ana, conv, ['urgente'], []).conversation;
    const second = tag(sofia, first, ['factura'], []).conversation;
    expect(second.tags).toEqual(['factura', 'urgente']);
  });

  it('writes an event line naming what changed, and none when nothing did', () => {
    expect(tag(ana, { ...conv, tags: ['a'] }, ['b'], ['a']).events).toEqual([
      { type: 'tagged', added: ['b'], removed: ['a'], byId: 'ana' },
    ]);
    expect(tag(ana, { ...conv, tags: ['a'] }, ['A'], []).events).toEqual([]);
  });
});

describe('bot and notes', () => {
  it('pauses the bot when a human replies, and lets a person resume it', () => {
    const out = sendReply(ana, { ...conv, botActive: true }, 'webchat', 'Hola', 2000);
    expect(out.conversation.botActive).toBe(false);
    expect(out.events).toContainEqual({ type: 'bot', active: false, byId: 'ana' });
    expect(setBot(ana, out.conversation, true).conversation.botActive).toBe(true);
  });

  it('allows notes on closed conversations but never empty ones, and never changes the assignee', () => {
    const closed = { ...conv, status: 'closed' as const };
    expect(addNote(ana, closed, 'Cliente llamó').conversation).toBe(closed);
    expect(codeOf(() => addNote(ana, conv, '  '))).toBe('EMPTY_MESSAGE');
    expect(addNote(sofia, { ...conv, assigneeId: null }, 'ojo').conversation.assigneeId).toBeNull();
  });

  it('notifies each mentioned active user once, never the author', () => {
    expect(mentionTargets(['bruno', 'ana', 'bruno', 'ghost'], 'ana', new Set(['ana', 'bruno']))).toEqual(['bruno']);
  });
});

describe('views', () => {
  it('gives Teammates and All to supervisors only, and team queues by membership', () => {
    expect(viewsFor('agent')).toEqual(['mine', 'unassigned']);
    expect(viewsFor('supervisor')).toEqual(['mine', 'unassigned', 'all', 'teammates']);
    expect(teamQueuesFor(ana, ['soporte', 'ventas'])).toEqual(['soporte']);
    expect(teamQueuesFor(sofia, ['soporte', 'ventas'])).toEqual(['soporte', 'ventas']);
  });

  it('shares saved views with a team and keeps personal ones personal', () => {
    expect(canUseSavedView(bruno, { ownerId: 'ana', teamId: 'soporte' })).toBe(true);
    expect(canUseSavedView(bruno, { ownerId: 'ana', teamId: null })).toBe(false);
  });

  it("lets only a view's owner change it, supervisors included, and share it only with one's own teams", () => {
    expect(codeOf(() => mustMayChangeSavedView(sofia, { ownerId: 'ana', teamId: 'soporte' }, null))).toBe('FORBIDDEN');
    // A personal view of someone else is answered like one that does not exist.
    expect(codeOf(() => mustMayChangeSavedView(sofia, { ownerId: 'ana', teamId: null }, null))).toBe('NOT_FOUND');
    expect(codeOf(() => mustMayChangeSavedView(ana, { ownerId: 'ana', teamId: null }, 'soporte'))).toBeNull();
    expect(codeOf(() => mustMayChangeSavedView(ana, null, 'ventas'))).toBe('FORBIDDEN');
    expect(codeOf(() => mustMayChangeSavedView(sofia, null, 'ventas'))).toBeNull();
  });

  it('filters by status, channel, tag, assignee, unread and waiting time', () => {
    const c = { ...conv, channel: 'webchat', tags: ['VIP'] };
    const now = 1000 + 31 * 60_000;
    expect(matchesFilters({ statuses: ['open'], channels: ['webchat'], tags: ['vip'], assignees: ['me'] }, ana, c, now)).toBe(true);
    expect(matchesFilters({ assignees: ['none'] }, ana, c, now)).toBe(false);
    expect(matchesFilters({ waitingMinutes: 30 }, ana, c, now)).toBe(true);
    expect(matchesFilters({ waitingMinutes: 45 }, ana, c, now)).toBe(false);
    expect(matchesFilters({ unreadOnly: true }, ana, { ...c, unreadCount: 0 }, now)).toBe(false);
  });
});

describe('who may edit and merge contacts', () => {
  it('someone who may see every conversation of the contacts: supervisors always, agents only over their own scope', () => {
    const queued = { assigneeId: null, teamId: 'soporte' };
    const hers = { assigneeId: 'ana', teamId: 'soporte' };
    const brunos = { assigneeId: 'bruno', teamId: 'soporte' };
    const ventas = { assigneeId: null, teamId: 'ventas' };
    expect(codeOf(() => mustMayChangeContacts(ana, [queued, hers]))).toBeNull();
    expect(codeOf(() => mustMayChangeContacts(ana, []))).toBeNull();
    expect(codeOf(() => mustMayChangeContacts(ana, [hers, brunos]))).toBe('FORBIDDEN');
    expect(codeOf(() => mustMayChangeContacts(ana, [queued, ventas]))).toBe('FORBIDDEN');
    expect(codeOf(() => mustMayChangeContacts(sofia, [brunos, ventas]))).toBeNull();
  });
});

describe('contact edits', () => {
  const contact: Contact = {
    id: 'k1',
    name: 'Carla',
    phones: ['+54 11 5555 0000'],
    emails: [],
    ownerId: null,
    custom: {},
    identities: [],
    fieldVersions: { name: 3, phones: 3 },
    mergedIntoId: null,
    createdAt: 1,
    version: 3,
  };
  const defs: ContactFieldDefinition[] = [
    { id: 'f1', key: 'plan', label: 'Plan', type: 'select', options: ['Básico', 'Pro'], active: true, version: 1 },
    { id: 'f2', key: 'dni', label: 'DNI', type: 'text', options: [], active: true, version: 1 },
  ];
  const isUser = (id: string) => id === 'ana';

  it("applies each field at the new version and flags a write over someone else's newer value", () => {
    const out = patchContact(contact, { name: 'Carla Gómez', 'custom.plan': 'Pro' }, { name: 2 }, defs, isUser, 9);
    expect(out.contact.name).toBe('Carla Gómez');
    expect(out.contact.custom.plan).toBe('Pro');
    expect(out.contact.fieldVersions).toMatchObject({ name: 9, 'custom.plan': 9, phones: 3 });
    expect(out.changes).toEqual([
      { field: 'name', before: 'Carla', after: 'Carla Gómez', conflict: true },
      { field: 'custom.plan', before: null, after: 'Pro', conflict: false },
    ]);
  });

  it('refuses unknown fields, bad values and merged contacts as a whole', () => {
    expect(codeOf(() => patchContact(contact, { 'custom.nope': 'x' }, {}, defs, isUser, 9))).toBe('INVALID_ARGS');
    expect(codeOf(() => patchContact(contact, { 'custom.plan': 'Gold' }, {}, defs, isUser, 9))).toBe('INVALID_ARGS');
    expect(codeOf(() => patchContact(contact, { emails: ['not-an-email'] }, {}, defs, isUser, 9))).toBe('INVALID_ARGS');
    expect(codeOf(() => patchContact(contact, { ownerId: 'ghost' }, {}, defs, isUser, 9))).toBe('INVALID_ARGS');
    expect(codeOf(() => patchContact({ ...contact, mergedIntoId: 'k2' }, { name: 'X' }, {}, defs, isUser, 9))).toBe('NOT_FOUND');
  });

  it('cleans phone and email lists (trimmed, no duplicates)', () => {
    const out = patchContact(contact, { phones: [' 123 ', '123', '456'] }, { phones: 3 }, defs, isUser, 9);
    expect(out.contact.phones).toEqual(['123', '456']);
  });
});

describe('a transfer that starts a new conversation', () => {
  it('closes the old one pointing to the new one, which carries the transfer and the history link', () => {
    const old = { ...conv, status: 'snoozed' as const, unreadCount: 2, waitingSince: 500, snoozedUntil: 50_000 };
    const { closed, started } = transferToNewConversation(ana, old, 'bruno', null, 'conv-new', 9000);
    // Neither keeps the snooze: a due snooze must not reopen the closed one nor re-snooze the new one.
    expect(closed.conversation).toMatchObject({ id: old.id, status: 'closed', unreadCount: 0, waitingSince: null, snoozedUntil: null });
    expect(closed.events).toEqual([{ type: 'continued', conversationId: 'conv-new', byId: 'ana' }]);
    expect(started.conversation).toMatchObject({
      id: 'conv-new',
      assigneeId: 'bruno',
      status: 'open',
      previousConversationId: old.id,
      createdAt: 9000,
      snoozedUntil: null,
    });
    expect(started.events).toEqual([{ type: 'transferred', toUserId: 'bruno', toTeamId: null, byId: 'ana' }]);
  });
});
