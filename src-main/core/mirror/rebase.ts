// Recomputes the optimistic overlays: base rows + this device's unconfirmed mutations, replayed in
// order with the same rule functions the server runs (rules/conversation.ts, rules/contact.ts).
import type { Channel, Conversation, InboxSettings, Reminder, User } from '../../../src-shared/domain';
import { DEFAULT_INBOX_SETTINGS } from '../../../src-shared/domain';
import { BandejaError, isBandejaError } from '../../../src-shared/errors';
import { isMutationName, mutationArgs, type AnyMutation, type MutationName } from '../../../src-shared/mutations';
import { createContact, mustMayChangeContacts, patchContact } from '../../../src-shared/rules/contact';
import {
  addNote,
  assign,
  close,
  markRead,
  markUnread,
  reopen,
  sendReply,
  sendTemplate,
  setBot,
  setStatus,
  snoozeUntilReminder,
  tag,
  transfer,
  transferToNewConversation,
  type Outcome,
} from '../../../src-shared/rules/conversation';
import { isLateMove } from '../../../src-shared/rules/reminders';
import { mustMayChangeSavedView, type ConversationScope, type Viewer } from '../../../src-shared/rules/visibility';
import type { ReadonlyDb, WritableDb } from './db';
import { readSessionUser } from './meta';
import { applyReminderSet, applyReminderSetState } from './reminders';
import { applySnippetDelete, applySnippetSave } from './snippets';
import { applyTemplateDelete, applyTemplateSave, renderTemplateFor } from './templates';
import { OVERLAID_TABLES } from './migrations';
import {
  baseConversation,
  contactFieldFromRow,
  inboxFromRow,
  notificationFromRow,
  overlayDelete,
  upsertClosingCategory,
  upsertContact,
  upsertContactField,
  upsertInbox,
  upsertNotification,
  upsertSavedView,
  upsertTeam,
  upsertUser,
  userFromRow,
  viewContact,
  writeOverlayConversation,
  type ContactFieldRow,
  type InboxRow,
  type NotificationRow,
  type SavedViewRow,
  type UserRow,
} from './rows';

export interface OutboxRow {
  mutation_id: number;
  name: string;
  args: string;
  conversation_id: string | null;
  created_at: number;
  attempts: number;
  last_error: string | null;
}

/** The signed-in user as the rules see them; the directory's copy wins because roles and teams change. */
export function sessionViewer(db: ReadonlyDb): Viewer | null {
  const user = readSessionUser(db);
  if (!user) return null;
  const row = db.prepare<[string], UserRow>('SELECT * FROM users WHERE id = ?').get(user.id);
  const current = row ? userFromRow(row) : user;
  return { id: current.id, role: current.role, teamIds: current.teamIds };
}

/** An outbox row as a mutation. A row an older version recorded that today's contract refuses throws
 *  INVALID_ARGS: replays skip it (the server refuses it too, and the agent is told then). */
export function outboxMutation(row: OutboxRow): AnyMutation {
  const name = row.name as MutationName;
  const parsed = isMutationName(name) ? mutationArgs[name].safeParse(JSON.parse(row.args)) : null;
  if (!parsed?.success) throw new BandejaError('INVALID_ARGS', `Action ${row.mutation_id} (${name}) no longer has valid arguments.`);
  return { id: row.mutation_id, name, args: parsed.data, clientTime: row.created_at } as AnyMutation;
}

function inboxSettings(db: ReadonlyDb, inboxId: string): InboxSettings {
  const row = db.prepare<[string], { settings: string }>('SELECT settings FROM inboxes_view WHERE id = ?').get(inboxId);
  return row ? { ...DEFAULT_INBOX_SETTINGS, ...(JSON.parse(row.settings) as Partial<InboxSettings>) } : DEFAULT_INBOX_SETTINGS;
}

function inboxChannel(db: ReadonlyDb, inboxId: string): Channel {
  const row = db.prepare<[string], { channel: Channel }>('SELECT channel FROM inboxes_view WHERE id = ?').get(inboxId);
  // An inbox not in the mirror yet: the window is checked by the server anyway.
  return row?.channel ?? 'webchat';
}

/** What one mutation does to a conversation, by the shared rules. Throws a BandejaError when refused. */
export function applyRule(db: ReadonlyDb, viewer: Viewer, c: Conversation, m: AnyMutation): Outcome {
  switch (m.name) {
    case 'message.send':
      return sendReply(viewer, c, inboxChannel(db, c.inboxId), m.args.body, m.clientTime, m.args.attachments ?? []);
    case 'message.sendTemplate':
      return sendTemplate(viewer, c, renderTemplateFor(db, c, m.args.templateId, m.args.variables).text, m.clientTime);
    case 'note.add':
      return addNote(viewer, c, m.args.body);
    case 'conversation.assign':
      return assign(viewer, c, m.args.assigneeId);
    case 'conversation.setStatus':
      return setStatus(viewer, c, m.args.status);
    case 'conversation.close':
      return close(viewer, c, m.args.note, m.args.categoryId, inboxSettings(db, c.inboxId));
    case 'conversation.reopen':
      return reopen(viewer, c);
    case 'conversation.markRead':
      return markRead(viewer, c);
    case 'conversation.markUnread':
      return markUnread(viewer, c);
    case 'conversation.tag':
      return tag(viewer, c, m.args.add, m.args.remove);
    case 'conversation.setBot':
      return setBot(viewer, c, m.args.active);
    case 'conversation.transfer': {
      // The inbox starts a new conversation for the receiver: this one is closed; the new one arrives
      // from the server (it is the receiver's, usually out of this agent's scope).
      if (inboxSettings(db, c.inboxId).transferStartsNewConversation)
        return transferToNewConversation(viewer, c, m.args.toUserId, m.args.toTeamId, m.args.newConversationId, m.clientTime).closed;
      return transfer(viewer, c, m.args.toUserId, m.args.toTeamId);
    }
    case 'reminder.set': {
      // As the server will find it: the reminder it holds.
      const confirmed = db.prepare<[string], Pick<Reminder, 'state'>>('SELECT state FROM reminders WHERE id = ?').get(m.args.id);
      if (isLateMove(confirmed ?? null)) return { conversation: c, events: [] };
      return snoozeUntilReminder(viewer, c, m.args.dueAt, m.args.postpone, m.clientTime);
    }
    default:
      throw new BandejaError('INTERNAL', `${m.name} does not change a conversation.`);
  }
}

export function rebaseConversation(db: WritableDb, conversationId: string): void {
  const base = baseConversation(db, conversationId);
  const rows = db.prepare<[string], OutboxRow>('SELECT * FROM outbox WHERE conversation_id = ? ORDER BY mutation_id').all(conversationId);
  const viewer = sessionViewer(db);
  if (!base || rows.length === 0 || !viewer) {
    db.prepare('DELETE FROM overlay_conversations WHERE id = ?').run(conversationId);
    return;
  }
  let c = base;
  for (const row of rows) {
    try {
      c = applyRule(db, viewer, c, outboxMutation(row)).conversation;
    } catch (e) {
      // The server will refuse it too; the rejection reaches the agent then. Skip it here.
      if (!isBandejaError(e)) throw e;
    }
  }
  writeOverlayConversation(db, c);
}

function requireAdmin(viewer: Viewer): void {
  if (viewer.role !== 'admin') throw new BandejaError('FORBIDDEN', 'Only an administrator may change this.');
}

function viewRow<T>(db: ReadonlyDb, table: string, id: string): T | null {
  return (db.prepare<[string], T>(`SELECT * FROM ${table}_view WHERE id = ?`).get(id) as T | undefined) ?? null;
}

function activeUserIds(db: ReadonlyDb): Set<string> {
  return new Set(
    db
      .prepare<[], { id: string }>('SELECT id FROM users_view WHERE active = 1')
      .all()
      .map((r) => r.id),
  );
}

/** The conversations of these contacts this mirror holds (the server knows the ones it does not). */
function conversationsOfContacts(db: ReadonlyDb, contactIds: readonly string[]): ConversationScope[] {
  return db
    .prepare<[string], { assignee_id: string | null; team_id: string | null }>(
      'SELECT assignee_id, team_id FROM conversations_view WHERE contact_id IN (SELECT value FROM json_each(?))',
    )
    .all(JSON.stringify(contactIds))
    .map((r) => ({ assigneeId: r.assignee_id, teamId: r.team_id }));
}

/** What a mutation that changes no conversation does to the overlays (contacts, saved views,
 *  notifications, the directory). Throws a BandejaError when the rules refuse it. */
export function applyEntityMutation(db: WritableDb, viewer: Viewer, m: AnyMutation): void {
  switch (m.name) {
    case 'contact.create': {
      if (viewContact(db, m.args.id)) return;
      upsertContact(
        db,
        createContact(m.args, m.clientTime, contactFields(db), () => false, 0),
        true,
      );
      return;
    }
    case 'contact.update': {
      const contact = viewContact(db, m.args.contactId);
      if (!contact) throw new BandejaError('NOT_FOUND', 'This contact does not exist.');
      mustMayChangeContacts(viewer, conversationsOfContacts(db, [contact.id]));
      const users = activeUserIds(db);
      const patched = patchContact(contact, m.args.fields, m.args.base, contactFields(db), (id) => users.has(id), contact.version);
      upsertContact(db, patched.contact, true);
      return;
    }
    case 'contact.merge': {
      const target = viewContact(db, m.args.targetId);
      const source = viewContact(db, m.args.sourceId);
      if (!target || !source || target.mergedIntoId || source.mergedIntoId)
        throw new BandejaError('NOT_FOUND', 'Both contacts must exist and not be merged already.');
      if (target.id === source.id) throw new BandejaError('INVALID_ARGS', 'A contact cannot be merged into itself.');
      mustMayChangeContacts(viewer, conversationsOfContacts(db, [target.id, source.id]));
      upsertContact(db, { ...source, mergedIntoId: target.id }, true);
      return;
    }
    case 'notification.markRead':
      for (const id of m.args.ids) {
        const row = viewRow<NotificationRow>(db, 'notifications', id);
        if (row && row.user_id === viewer.id && row.read_at === null)
          upsertNotification(db, { ...notificationFromRow(row), readAt: m.clientTime }, true);
      }
      return;
    case 'view.save': {
      const existing = viewRow<SavedViewRow>(db, 'saved_views', m.args.id);
      mustMayChangeSavedView(viewer, existing ? { ownerId: existing.owner_id, teamId: existing.team_id } : null, m.args.teamId);
      upsertSavedView(db, { ...m.args, ownerId: existing?.owner_id ?? viewer.id, version: existing?.version ?? 0 }, true);
      return;
    }
    case 'view.delete': {
      const existing = viewRow<SavedViewRow>(db, 'saved_views', m.args.id);
      if (!existing) throw new BandejaError('NOT_FOUND', 'This view does not exist.');
      mustMayChangeSavedView(viewer, { ownerId: existing.owner_id, teamId: existing.team_id }, null);
      overlayDelete(db, 'saved_views', m.args.id);
      return;
    }
    case 'reminder.set':
      return applyReminderSet(db, viewer, m.args, m.clientTime);
    case 'reminder.setState':
      return applyReminderSetState(db, viewer, m.args);
    case 'presence.set': {
      const me = viewRow<UserRow>(db, 'users', viewer.id);
      if (me) upsertUser(db, { ...userFromRow(me), presence: m.args.presence }, true);
      return;
    }
    case 'snippet.save':
      return applySnippetSave(db, viewer, m.args);
    case 'snippet.delete':
      return applySnippetDelete(db, viewer, m.args.id);
    case 'admin.user.invite': {
      requireAdmin(viewer);
      const taken = db.prepare<[string], { id: string }>('SELECT id FROM users_view WHERE lower(email) = lower(?)').get(m.args.email);
      if (taken) throw new BandejaError('INVALID_ARGS', 'A user with this email already exists.');
      const user: User = { ...m.args, active: true, presence: 'offline', invited: true, version: 0 };
      upsertUser(db, user, true);
      return;
    }
    case 'admin.user.update': {
      requireAdmin(viewer);
      const row = viewRow<UserRow>(db, 'users', m.args.userId);
      if (!row) throw new BandejaError('NOT_FOUND', 'This user does not exist.');
      const { userId: _id, ...changes } = m.args;
      const defined = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined));
      upsertUser(db, { ...userFromRow(row), ...defined }, true);
      return;
    }
    case 'admin.team.save': {
      requireAdmin(viewer);
      const row = viewRow<{ version: number }>(db, 'teams', m.args.id);
      upsertTeam(db, { id: m.args.id, name: m.args.name, version: row?.version ?? 0 }, true);
      return;
    }
    case 'admin.inbox.update': {
      requireAdmin(viewer);
      const row = viewRow<InboxRow>(db, 'inboxes', m.args.inboxId);
      if (!row) throw new BandejaError('NOT_FOUND', 'This inbox does not exist.');
      const inbox = inboxFromRow(row);
      upsertInbox(
        db,
        {
          ...inbox,
          name: m.args.name ?? inbox.name,
          teamId: m.args.teamId === undefined ? inbox.teamId : m.args.teamId,
          settings: { ...inbox.settings, ...Object.fromEntries(Object.entries(m.args.settings ?? {}).filter(([, v]) => v !== undefined)) },
        },
        true,
      );
      return;
    }
    case 'admin.contactField.save': {
      requireAdmin(viewer);
      const row = viewRow<ContactFieldRow>(db, 'contact_fields', m.args.id);
      const clash = db
        .prepare<[string, string], { id: string }>('SELECT id FROM contact_fields_view WHERE key = ? AND id <> ?')
        .get(m.args.key, m.args.id);
      if (clash) throw new BandejaError('INVALID_ARGS', `Another contact field already uses the key "${m.args.key}".`);
      upsertContactField(db, { ...m.args, version: row?.version ?? 0 }, true);
      return;
    }
    case 'admin.template.save':
      requireAdmin(viewer);
      return applyTemplateSave(db, m.args);
    case 'admin.template.delete':
      requireAdmin(viewer);
      return applyTemplateDelete(db, m.args.id);
    case 'admin.closingCategory.save': {
      requireAdmin(viewer);
      const row = viewRow<{ version: number }>(db, 'closing_categories', m.args.id);
      upsertClosingCategory(db, { ...m.args, version: row?.version ?? 0 }, true);
      return;
    }
    default:
      throw new BandejaError('INTERNAL', `${m.name} changes a conversation.`);
  }
}

export function contactFields(db: ReadonlyDb) {
  return db.prepare<[], ContactFieldRow>('SELECT * FROM contact_fields_view').all().map(contactFieldFromRow);
}

/** Recomputes every overlay of the entities that are not conversations, by replaying the outbox's
 *  mutations for them in order. The outbox is short, so a full replay is cheap and always right. */
export function rebaseEntities(db: WritableDb): void {
  for (const table of OVERLAID_TABLES) db.prepare(`DELETE FROM overlay_${table}`).run();
  const viewer = sessionViewer(db);
  if (!viewer) return;
  // reminder.set names its conversation (it may snooze it) but also makes or moves a reminder.
  const rows = db
    .prepare<[], OutboxRow>("SELECT * FROM outbox WHERE conversation_id IS NULL OR name = 'reminder.set' ORDER BY mutation_id")
    .all();
  for (const row of rows) {
    try {
      applyEntityMutation(db, viewer, outboxMutation(row));
    } catch (e) {
      if (!isBandejaError(e)) throw e;
    }
  }
}
