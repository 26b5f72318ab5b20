// A scope change on a live connection: the server sends snapshotBegin again and pages of what the user
// may now see. Whatever is not sent back must be gone from the SQLite file (checked with a handle of
// our own), while the outbox and this device's pending messages survive.
import Database from 'better-sqlite3';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { applyChanges, applySnapshotBegin, applySnapshotEnd, applySnapshotPage } from '../../src-main/core/mirror/apply';
import { openMirror, type Mirror } from '../../src-main/core/mirror/db';
import { writeSessionUser } from '../../src-main/core/mirror/meta';
import { listNotifications } from '../../src-main/core/mirror/queries';
import { search } from '../../src-main/core/mirror/search';
import { listSavedViews } from '../../src-main/core/mirror/views';
import { record } from '../../src-main/core/outbox';
import type { Op } from '../../src-shared/protocol';
import type { User } from '../../src-shared/domain';
import { ana, contact, conversation, inbound, inbox, tempMirrorPath } from './mirror-fixtures';

const supervisorAna: User = { ...ana, role: 'supervisor', teamIds: ['team-1', 'team-2'], version: 1 };
const uuid = (n: number) => `0190a7a0-0000-7000-8000-${String(n).padStart(12, '0')}`;

function snapshot(mirror: Mirror, user: User, ops: Op[], version: number): void {
  applySnapshotBegin(mirror.db, 'epoch-1');
  applySnapshotPage(mirror.db, [{ kind: 'user', row: user }, { kind: 'inbox', row: inbox }, { kind: 'contact', row: contact }, ...ops]);
  applySnapshotEnd(mirror.db, version);
}

function onDisk(path: string) {
  const db = new Database(path, { readonly: true });
  try {
    const ids = (sql: string) => (db.prepare(sql).all() as { id: string }[]).map((r) => r.id).sort();
    return {
      conversations: ids('SELECT id FROM conversations'),
      messages: ids('SELECT id FROM messages'),
      indexed: (db.prepare("SELECT COUNT(*) AS n FROM messages_fts WHERE messages_fts MATCH 'confidencial*'").get() as { n: number }).n,
      notifications: ids('SELECT id FROM notifications'),
      outbox: (db.prepare('SELECT COUNT(*) AS n FROM outbox').get() as { n: number }).n,
    };
  } finally {
    db.close();
  }
}

// What a supervisor sees: Bruno's conversation in team 2, with a mention for Ana on it.
const everything: Op[] = [
  { kind: 'conversation', row: conversation({ id: 'conv-own', assigneeId: ana.id }) },
  { kind: 'message', row: inbound({ id: 'msg-own', conversationId: 'conv-own', seq: 1, body: 'mío' }) },
  { kind: 'conversation', row: conversation({ id: 'conv-other', assigneeId: 'user-bruno', teamId: 'team-2' }) },
  { kind: 'message', row: inbound({ id: 'msg-other', conversationId: 'conv-other', seq: 2, body: 'dato confidencial de otro equipo' }) },
  {
    kind: 'notification',
    row: {
      id: 'notif-1',
      userId: ana.id,
      kind: 'mention',
      conversationId: 'conv-other',
      messageId: 'msg-other',
      byId: 'user-bruno',
      createdAt: 5,
      readAt: null,
      version: 1,
    },
  },
];

describe('scope changes purge the mirror file', () => {
  it('a role change (supervisor -> agent) re-bootstraps: other agents’ conversations leave the file and the index', () => {
    const path = tempMirrorPath();
    const mirror = openMirror(path);
    writeSessionUser(mirror.db, supervisorAna);
    snapshot(mirror, supervisorAna, everything, 5);
    record(mirror.db, 'message.send', { id: uuid(1), conversationId: 'conv-own', body: 'pendiente' }, 10);
    expect(onDisk(path)).toMatchObject({ conversations: ['conv-other', 'conv-own'], indexed: 1, notifications: ['notif-1'] });

    // The server demotes her: a new snapshot on the same connection brings only her own conversation.
    const agentAna: User = { ...supervisorAna, role: 'agent', teamIds: ['team-1'], version: 6 };
    snapshot(mirror, agentAna, everything.slice(0, 2), 6);
    expect(onDisk(path)).toEqual({ conversations: ['conv-own'], messages: ['msg-own'], indexed: 0, notifications: [], outbox: 1 });
    expect(listNotifications(mirror.read, { id: ana.id, role: 'agent', teamIds: ['team-1'] })).toEqual([]);
    // The index was emptied whole and refilled by the pages: consistent with its content, and searchable.
    mirror.db.prepare("INSERT INTO messages_fts (messages_fts, rank) VALUES ('integrity-check', 1)").run();
    mirror.db.prepare("INSERT INTO contacts_fts (contacts_fts, rank) VALUES ('integrity-check', 1)").run();
    expect(search(mirror.read, { id: ana.id, role: 'agent', teamIds: ['team-1'] }, 'mio', 10).messages.map((m) => m.messageId)).toEqual([
      'msg-own',
    ]);
    expect(search(mirror.read, { id: ana.id, role: 'agent', teamIds: ['team-1'] }, 'carla', 10).contacts.map((c) => c.id)).toEqual([
      'contact-1',
    ]);
    mirror.db.pragma('wal_checkpoint(TRUNCATE)');
    mirror.close();
    expect(readFileSync(path).includes(Buffer.from('dato confidencial de otro equipo'))).toBe(false);
  });

  it('a team change re-bootstraps: the old team’s unassigned queue and shared views are gone; the outbox stays', () => {
    const path = tempMirrorPath();
    const mirror = openMirror(path);
    const inTeam2: User = { ...ana, teamIds: ['team-2'] };
    writeSessionUser(mirror.db, inTeam2);
    const team2: Op[] = [
      { kind: 'conversation', row: conversation({ id: 'conv-queue', teamId: 'team-2' }) },
      { kind: 'message', row: inbound({ id: 'msg-queue', conversationId: 'conv-queue', seq: 3, body: 'confidencial de la cola' }) },
      {
        kind: 'savedView',
        row: { id: 'view-t2', name: 'Cola 2', ownerId: 'user-bruno', teamId: 'team-2', filters: {}, sort: 'newest', version: 1 },
      },
    ];
    snapshot(mirror, inTeam2, team2, 3);
    record(mirror.db, 'conversation.tag', { conversationId: 'conv-queue', add: ['urgente'], remove: [] }, 10);
    expect(listSavedViews(mirror.read, { id: ana.id, role: 'agent', teamIds: ['team-2'] }).map((v) => v.id)).toEqual(['view-t2']);

    const inTeam1: User = { ...ana, teamIds: ['team-1'], version: 4 };
    snapshot(mirror, inTeam1, [{ kind: 'conversation', row: conversation({ id: 'conv-new-team' }) }], 4);
    const disk = onDisk(path);
    expect(disk).toMatchObject({ conversations: ['conv-new-team'], messages: [], indexed: 0, outbox: 1 });
    const other = new Database(path, { readonly: true });
    expect(other.prepare('SELECT COUNT(*) AS n FROM saved_views').get()).toEqual({ n: 0 });
    // The tag made before the move waits for the server's answer (it will refuse it with a reason);
    // no overlay of the purged conversation is left behind.
    expect(other.prepare('SELECT COUNT(*) AS n FROM overlay_conversations').get()).toEqual({ n: 0 });
    other.close();
    mirror.close();
  });

  it('delete ops remove saved views, contact fields, invites and notifications', () => {
    const mirror = openMirror(tempMirrorPath());
    writeSessionUser(mirror.db, ana);
    snapshot(
      mirror,
      ana,
      [
        { kind: 'savedView', row: { id: 'v1', name: 'Mía', ownerId: ana.id, teamId: null, filters: {}, sort: 'oldest', version: 1 } },
        { kind: 'contactField', row: { id: 'f1', key: 'plan', label: 'Plan', type: 'text', options: [], active: true, version: 1 } },
        { kind: 'invite', row: { id: 'i1', userId: 'u9', url: 'http://x/invite/t', expiresAt: 9, version: 1 } },
        everything[4]!,
      ],
      2,
    );
    applyChanges(mirror.db, {
      from: 2,
      to: 3,
      ops: [
        { kind: 'delete', entity: 'savedView', id: 'v1' },
        { kind: 'delete', entity: 'contactField', id: 'f1' },
        { kind: 'delete', entity: 'invite', id: 'i1' },
        { kind: 'delete', entity: 'notification', id: 'notif-1' },
      ],
    });
    for (const table of ['saved_views', 'contact_fields', 'invites', 'notifications'])
      expect(mirror.db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get()).toEqual({ n: 0 });
    mirror.close();
  });
});
