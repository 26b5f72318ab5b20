// The outbox for every action of the complete inbox, on real mirror files: each shows its result at
// once through the overlays (offline too), refuses what the shared rules refuse (storing nothing),
// and gives way to the server's answer.
import { describe, expect, it } from 'vitest';
import { applyChanges, applySnapshotBegin, applySnapshotEnd, applySnapshotPage } from '../../src-main/core/mirror/apply';
import { openMirror } from '../../src-main/core/mirror/db';
import { writeSessionUser } from '../../src-main/core/mirror/meta';
import { contactDetail, conversationDetail, conversationMessages, directory, listNotifications } from '../../src-main/core/mirror/queries';
import { inboxCounts, listInbox, listSavedViews } from '../../src-main/core/mirror/views';
import { confirm, nextBatch, pendingCount, record, recordMany, reject } from '../../src-main/core/outbox';
import type { User } from '../../src-shared/domain';
import type { Op } from '../../src-shared/protocol';
import { ana, bruno, contact, conversation, inbound, inbox, tempMirrorPath } from './mirror-fixtures';

const uuid = (n: number) => `0190a7a0-0000-7000-8000-${String(n).padStart(12, '0')}`;
const admin: User = { ...ana, id: 'user-admin', name: 'Admin', role: 'admin' };

function seeded(user: User = ana, extra: Op[] = []) {
  const mirror = openMirror(tempMirrorPath());
  writeSessionUser(mirror.db, user);
  applySnapshotBegin(mirror.db, 'e');
  applySnapshotPage(mirror.db, [
    { kind: 'user', row: user },
    { kind: 'user', row: bruno },
    { kind: 'team', row: { id: 'team-1', name: 'Soporte', version: 1 } },
    { kind: 'team', row: { id: 'team-2', name: 'Ventas', version: 1 } },
    { kind: 'inbox', row: inbox },
    { kind: 'contact', row: { ...contact, phones: ['+34 600 000 000'], fieldVersions: { name: 2, phones: 2 } } },
    {
      kind: 'contactField',
      row: { id: 'f-plan', key: 'plan', label: 'Plan', type: 'select', options: ['Pro', 'Básico'], active: true, version: 1 },
    },
    { kind: 'closingCategory', row: { id: 'cat-1', name: 'Resuelto', active: true, version: 1 } },
    { kind: 'conversation', row: conversation({ assigneeId: user.id }) },
    { kind: 'conversation', row: conversation({ id: 'conv-2', lastMessageAt: 1500 }) },
    { kind: 'conversation', row: conversation({ id: 'conv-3', lastMessageAt: 1400 }) },
    { kind: 'message', row: inbound() },
    ...extra,
  ]);
  applySnapshotEnd(mirror.db, 3);
  return mirror;
}

const viewerOf = (u: User) => ({ id: u.id, role: u.role, teamIds: u.teamIds });
const viewer = viewerOf(ana);

describe('the outbox for the complete inbox', () => {
  it('a note shows at once as pending with its mentions; it never assigns', () => {
    const mirror = seeded();
    record(mirror.db, 'note.add', { id: uuid(1), conversationId: 'conv-2', body: 'Ojo @Bruno, cliente VIP', mentions: [bruno.id] }, 10);
    const note = conversationMessages(mirror.read, 'conv-2').at(-1)!;
    expect(note).toMatchObject({
      kind: 'note',
      body: 'Ojo @Bruno, cliente VIP',
      mentions: [bruno.id],
      delivery: 'pending',
      authorName: 'Ana',
    });
    expect(conversationDetail(mirror.read, viewer, 'conv-2')!.conversation).toMatchObject({ assigneeId: null, pending: true });
    expect(() => record(mirror.db, 'note.add', { id: uuid(2), conversationId: 'conv-2', body: ' ', mentions: [] }, 11)).toThrow(
      expect.objectContaining({ code: 'EMPTY_MESSAGE' }),
    );
    // Refused by the server: the note stays, failed, with the reason.
    reject(mirror.db, 1, { code: 'FORBIDDEN', message: 'No.' });
    expect(conversationMessages(mirror.read, 'conv-2').at(-1)).toMatchObject({
      kind: 'note',
      delivery: 'failed',
      failure: { code: 'FORBIDDEN' },
    });
    mirror.close();
  });

  it('close with note and category, tag, bot, unread, reopen, transfer: each shows at once, offline, by the shared rules', () => {
    const mirror = seeded();
    const at = (id = 'conv-1') => conversationDetail(mirror.read, viewer, id)!.conversation;
    record(mirror.db, 'conversation.tag', { conversationId: 'conv-1', add: ['VIP', 'urgente'], remove: [] }, 1);
    expect(at().tags).toEqual(['urgente', 'VIP']);
    record(mirror.db, 'conversation.tag', { conversationId: 'conv-1', add: [], remove: ['vip'] }, 2);
    expect(at().tags).toEqual(['urgente']);
    record(mirror.db, 'conversation.setBot', { conversationId: 'conv-1', active: true }, 3);
    expect(at().botActive).toBe(true);
    record(mirror.db, 'conversation.markUnread', { conversationId: 'conv-1' }, 4);
    record(mirror.db, 'conversation.close', { conversationId: 'conv-1', note: 'Resuelto por teléfono', categoryId: 'cat-1' }, 5);
    expect(at()).toMatchObject({ status: 'closed', closingCategoryId: 'cat-1', assigneeId: ana.id, unreadCount: 0, pending: true });
    expect(
      listInbox(mirror.read, viewer, { view: { kind: 'mine' }, status: 'closed', sort: 'newest', limit: 10 }).map((c) => c.id),
    ).toEqual(['conv-1']);
    expect(() => record(mirror.db, 'conversation.close', { conversationId: 'conv-1', note: null, categoryId: null }, 6)).toThrow(
      expect.objectContaining({ code: 'INVALID_TRANSITION' }),
    );
    record(mirror.db, 'conversation.reopen', { conversationId: 'conv-1' }, 7);
    expect(at()).toMatchObject({ status: 'open', closingCategoryId: null });
    // Transferred to Bruno: it leaves Ana's lists at once (the server's revoke follows).
    record(
      mirror.db,
      'conversation.transfer',
      { conversationId: 'conv-1', toUserId: bruno.id, toTeamId: null, newConversationId: uuid(9) },
      8,
    );
    expect(listInbox(mirror.read, viewer, { view: { kind: 'mine' }, status: 'open', sort: 'newest', limit: 10 })).toEqual([]);
    expect(conversationDetail(mirror.read, viewer, 'conv-1')).toBeNull();
    expect(nextBatch(mirror.read, 100).map((m) => m.name)).toEqual([
      'conversation.tag',
      'conversation.tag',
      'conversation.setBot',
      'conversation.markUnread',
      'conversation.close',
      'conversation.reopen',
      'conversation.transfer',
    ]);
    // Base holds only what the server confirmed.
    expect(mirror.db.prepare("SELECT status, tags, assignee_id FROM conversations WHERE id = 'conv-1'").get()).toEqual({
      status: 'open',
      tags: '[]',
      assignee_id: ana.id,
    });
    mirror.close();
  });

  it('a bulk action is one transaction: all recorded, or none when the rules refuse one', () => {
    const mirror = seeded();
    const ids = recordMany(
      mirror.db,
      ['conv-2', 'conv-3'].map((conversationId) => ({
        name: 'conversation.close' as const,
        args: { conversationId, note: null, categoryId: null },
      })),
      1,
    ).map((r) => r.mutationId);
    expect(ids).toEqual([1, 2]);
    expect(inboxCounts(mirror.read, viewer).unassigned).toMatchObject({ open: 0, closed: 2 });
    // conv-2 is already closed (in the overlay): the whole bulk is refused and names it.
    expect(() =>
      recordMany(
        mirror.db,
        ['conv-1', 'conv-2'].map((conversationId) => ({
          name: 'conversation.close' as const,
          args: { conversationId, note: null, categoryId: null },
        })),
        2,
      ),
    ).toThrow(expect.objectContaining({ code: 'INVALID_TRANSITION', params: { conversationId: 'conv-2' } }));
    expect(pendingCount(mirror.read)).toBe(2);
    expect(conversationDetail(mirror.read, viewer, 'conv-1')!.conversation.status).toBe('open');
    expect(record(mirror.db, 'conversation.markRead', { conversationId: 'conv-1' }, 3).mutationId).toBe(3);
    mirror.close();
  });

  it('contacts: create and per-field update show at once; the base versions come from the mirror', () => {
    const mirror = seeded();
    record(
      mirror.db,
      'contact.create',
      { id: uuid(5), name: 'Dora', phones: ['+1 555 0100'], emails: ['dora@x.test'], custom: { plan: 'Pro' } },
      1,
    );
    expect(contactDetail(mirror.read, viewer, uuid(5))).toMatchObject({
      contact: { name: 'Dora', phones: ['+1 555 0100'], emails: ['dora@x.test'], custom: { plan: 'Pro' } },
      conversations: [],
    });
    record(mirror.db, 'contact.update', { contactId: 'contact-1', fields: { name: 'Carla Gómez', 'custom.plan': 'Básico' }, base: {} }, 2);
    expect(contactDetail(mirror.read, viewer, 'contact-1')!.contact).toMatchObject({ name: 'Carla Gómez', custom: { plan: 'Básico' } });
    expect(listInbox(mirror.read, viewer, { view: { kind: 'mine' }, status: 'open', sort: 'newest', limit: 10 })[0]!.contactName).toBe(
      'Carla Gómez',
    );
    const [, update] = nextBatch(mirror.read, 10);
    expect(update!.args).toMatchObject({ base: { name: 2, 'custom.plan': 0 } });
    expect(() => record(mirror.db, 'contact.update', { contactId: 'contact-1', fields: { 'custom.plan': 'Gratis' }, base: {} }, 3)).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGS' }),
    );
    // The server confirms the update: base gets the row and history, the overlay goes.
    applyChanges(mirror.db, {
      from: 3,
      to: 4,
      ops: [
        {
          kind: 'contact',
          row: { ...contact, name: 'Carla Gómez', custom: { plan: 'Básico' }, fieldVersions: { name: 4, 'custom.plan': 4 }, version: 4 },
        },
        {
          kind: 'contactChange',
          row: {
            id: 'ch-1',
            contactId: 'contact-1',
            field: 'name',
            before: 'Carla',
            after: 'Carla Gómez',
            byId: ana.id,
            at: 4,
            conflict: false,
            version: 4,
          },
        },
      ],
    });
    confirm(mirror.db, 2);
    const detail = contactDetail(mirror.read, viewer, 'contact-1')!;
    expect(detail.contact.fieldVersions).toEqual({ name: 4, 'custom.plan': 4 });
    expect(detail.history.map((h) => [h.field, h.before, h.after])).toEqual([['name', 'Carla', 'Carla Gómez']]);
    expect(detail.conversations.map((c) => c.id)).toEqual(['conv-1', 'conv-2', 'conv-3']);
    mirror.close();
  });

  it('saved views, notifications: save, delete and mark read show at once', () => {
    const mention: Op = {
      kind: 'notification',
      row: {
        id: 'n1',
        userId: ana.id,
        kind: 'mention',
        conversationId: 'conv-1',
        messageId: 'msg-1',
        byId: bruno.id,
        createdAt: 5,
        readAt: null,
        version: 2,
      },
    };
    const mirror = seeded(ana, [mention]);
    expect(listNotifications(mirror.read, viewer)).toEqual([
      expect.objectContaining({ id: 'n1', byName: 'Bruno', contactName: 'Carla', excerpt: 'Hola, secreto del cliente', readAt: null }),
    ]);
    record(mirror.db, 'notification.markRead', { ids: ['n1'] }, 77);
    expect(listNotifications(mirror.read, viewer)[0]!.readAt).toBe(77);
    record(mirror.db, 'view.save', { id: 'v1', name: 'Urgentes', teamId: 'team-1', filters: { tags: ['urgente'] }, sort: 'oldest' }, 1);
    expect(listSavedViews(mirror.read, viewer)).toEqual([expect.objectContaining({ id: 'v1', ownerId: ana.id, name: 'Urgentes' })]);
    expect(Object.keys(inboxCounts(mirror.read, viewer))).toContain('saved:v1');
    expect(() => record(mirror.db, 'view.save', { id: 'v2', name: 'Otra', teamId: 'team-2', filters: {}, sort: 'newest' }, 2)).toThrow(
      expect.objectContaining({ code: 'FORBIDDEN' }),
    );
    record(mirror.db, 'view.delete', { id: 'v1' }, 3);
    expect(listSavedViews(mirror.read, viewer)).toEqual([]);
    mirror.close();
  });

  it('admin changes: an agent is refused at once; an admin sees them in the directory before the server confirms', () => {
    const agentMirror = seeded();
    expect(() => record(agentMirror.db, 'admin.team.save', { id: 'team-3', name: 'Nuevo' }, 1)).toThrow(
      expect.objectContaining({ code: 'FORBIDDEN' }),
    );
    expect(pendingCount(agentMirror.read)).toBe(0);
    agentMirror.close();

    const mirror = seeded(admin);
    const adminViewer = viewerOf(admin);
    record(mirror.db, 'admin.user.invite', { id: uuid(3), email: 'eva@demo.test', name: 'Eva', role: 'agent', teamIds: ['team-1'] }, 1);
    record(mirror.db, 'admin.user.update', { userId: bruno.id, role: 'supervisor' }, 2);
    record(mirror.db, 'admin.team.save', { id: 'team-3', name: 'Postventa' }, 3);
    record(mirror.db, 'admin.inbox.update', { inboxId: inbox.id, settings: { transferStartsNewConversation: true } }, 4);
    record(
      mirror.db,
      'admin.contactField.save',
      { id: 'f-doc', key: 'documento', label: 'Documento', type: 'text', options: [], active: true },
      5,
    );
    record(mirror.db, 'admin.closingCategory.save', { id: 'cat-1', name: 'Resuelto ✓', active: false }, 6);
    const dir = directory(mirror.read, adminViewer);
    expect(dir.users.find((u) => u.id === uuid(3))).toMatchObject({ name: 'Eva', invited: true, active: true });
    expect(dir.users.find((u) => u.id === bruno.id)).toMatchObject({ role: 'supervisor' });
    expect(dir.teams.map((t) => t.name)).toContain('Postventa');
    expect(dir.inboxes[0]!.settings).toEqual({ transferStartsNewConversation: true, closeKeepsAssignee: true });
    expect(dir.contactFields.map((f) => f.key)).toEqual(['documento', 'plan']);
    expect(dir.closingCategories).toEqual([expect.objectContaining({ id: 'cat-1', name: 'Resuelto ✓', active: false })]);
    // The new inbox setting is used by the rules at once: a transfer now closes this conversation.
    record(
      mirror.db,
      'conversation.transfer',
      { conversationId: 'conv-2', toUserId: bruno.id, toTeamId: null, newConversationId: uuid(8) },
      7,
    );
    expect(conversationDetail(mirror.read, adminViewer, 'conv-2')!.conversation.status).toBe('closed');
    // A refused admin change drops its overlay.
    reject(mirror.db, 3, { code: 'FORBIDDEN', message: 'No.' });
    expect(directory(mirror.read, adminViewer).teams.map((t) => t.name)).not.toContain('Postventa');
    mirror.close();
  });
});
