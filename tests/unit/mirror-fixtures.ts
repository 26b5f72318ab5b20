// Rows as the server sends them, for mirror unit tests on real SQLite files.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applySnapshotBegin, applySnapshotEnd, applySnapshotPage } from '../../src-main/core/mirror/apply';
import { openMirror, type Mirror } from '../../src-main/core/mirror/db';
import { writeSessionUser } from '../../src-main/core/mirror/meta';
import { DEFAULT_INBOX_SETTINGS, type Contact, type Conversation, type Inbox, type Message, type User } from '../../src-shared/domain';
import type { Op } from '../../src-shared/protocol';
import { canSeeConversation, type Viewer } from '../../src-shared/rules/visibility';

export function tempMirrorPath(): string {
  return join(mkdtempSync(join(tmpdir(), 'bandeja-mirror-')), 'mirror.sqlite');
}

export const ana: User = {
  id: 'user-ana',
  name: 'Ana',
  email: 'ana@demo.test',
  role: 'agent',
  active: true,
  teamIds: ['team-1'],
  presence: 'online',
  invited: false,
  version: 1,
};
export const bruno: User = { ...ana, id: 'user-bruno', name: 'Bruno', email: 'bruno@demo.test' };
export const inbox: Inbox = {
  id: 'inbox-1',
  name: 'Web',
  channel: 'webchat',
  teamId: 'team-1',
  settings: DEFAULT_INBOX_SETTINGS,
  version: 1,
};
export const contact: Contact = {
  id: 'contact-1',
  name: 'Carla',
  phones: [],
  emails: [],
  ownerId: null,
  custom: {},
  identities: [],
  fieldVersions: {},
  mergedIntoId: null,
  createdAt: 1000,
  version: 2,
};

export function conversation(over: Partial<Conversation> = {}): Conversation {
  return {
    id: 'conv-1',
    inboxId: 'inbox-1',
    contactId: 'contact-1',
    teamId: 'team-1',
    assigneeId: null,
    status: 'open',
    unreadCount: 1,
    lastMessageAt: 2000,
    lastMessagePreview: 'Hola',
    lastCustomerMessageAt: 2000,
    waitingSince: 2000,
    tags: [],
    botActive: false,
    closingCategoryId: null,
    previousConversationId: null,
    snoozedUntil: null,
    createdAt: 2000,
    version: 3,
    ...over,
  };
}

export function inbound(over: Partial<Message> = {}): Message {
  return {
    id: 'msg-1',
    conversationId: 'conv-1',
    direction: 'in',
    kind: 'text',
    authorId: null,
    body: 'Hola, secreto del cliente',
    event: null,
    mentions: [],
    attachments: [],
    template: null,
    forwarded: false,
    state: 'sent',
    error: null,
    createdAt: 2000,
    seq: 1,
    version: 3,
    ...over,
  };
}

/** A new mirror file signed in as `viewer`, holding after one snapshot: the viewer and `users`, team-1,
 *  the inbox, the contact, and `ops`. */
export function snapshotMirror(viewer: User, users: User[], ops: Op[]): Mirror {
  const mirror = openMirror(tempMirrorPath());
  writeSessionUser(mirror.db, viewer);
  applySnapshotBegin(mirror.db, 'e');
  applySnapshotPage(mirror.db, [
    ...[viewer, ...users].map((row): Op => ({ kind: 'user', row })),
    { kind: 'team', row: { id: 'team-1', name: 'Soporte', version: 1 } },
    { kind: 'inbox', row: inbox },
    { kind: 'contact', row: contact },
    ...ops,
  ]);
  applySnapshotEnd(mirror.db, 1);
  return mirror;
}

export const asViewer = (u: User): Viewer => ({ id: u.id, role: u.role, teamIds: u.teamIds });

/** What the server sends this user: only the conversations they may see. */
export const visibleTo = (user: User, cs: Conversation[]) => cs.filter((c) => canSeeConversation(asViewer(user), c));

/** A new mirror file signed in as `user`, after one snapshot of `directory` and the conversations of
 *  `conversations` that `user` may see. */
export function seededMirror(user: User, directory: Op[], conversations: Conversation[]): Mirror {
  const mirror = openMirror(tempMirrorPath());
  writeSessionUser(mirror.db, user);
  applySnapshotBegin(mirror.db, 'e');
  applySnapshotPage(mirror.db, [...directory, ...visibleTo(user, conversations).map((row): Op => ({ kind: 'conversation', row }))]);
  applySnapshotEnd(mirror.db, 1);
  return mirror;
}
