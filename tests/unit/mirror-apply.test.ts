import Database from 'better-sqlite3';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { applyChanges, applySnapshotBegin, applySnapshotEnd, applySnapshotPage } from '../../src-main/core/mirror/apply';
import { openMirror } from '../../src-main/core/mirror/db';
import { readCursor, writeSessionUser } from '../../src-main/core/mirror/meta';
import { conversationMessages } from '../../src-main/core/mirror/queries';
import { inboxCounts, listInbox } from '../../src-main/core/mirror/views';
import { record } from '../../src-main/core/outbox';
import { ana, contact, conversation, inbound, inbox, tempMirrorPath } from './mirror-fixtures';

const viewer = { id: ana.id, role: ana.role, teamIds: ana.teamIds };

function seeded() {
  const path = tempMirrorPath();
  const mirror = openMirror(path);
  writeSessionUser(mirror.db, ana);
  applySnapshotBegin(mirror.db, 'epoch-1');
  applySnapshotPage(mirror.db, [
    { kind: 'user', row: ana },
    { kind: 'inbox', row: inbox },
    { kind: 'contact', row: contact },
    { kind: 'conversation', row: conversation() },
    { kind: 'message', row: inbound() },
  ]);
  applySnapshotEnd(mirror.db, 3);
  return { path, mirror };
}

describe('applying server frames', () => {
  it('a snapshot fills the inbox and sets the cursor', () => {
    const { mirror } = seeded();
    expect(readCursor(mirror.db)).toEqual({ epoch: 'epoch-1', version: 3 });
    const list = listInbox(mirror.read, viewer, { view: { kind: 'unassigned' }, status: 'open', sort: 'newest', limit: 100 });
    expect(list).toMatchObject([
      { id: 'conv-1', contactName: 'Carla', channel: 'webchat', inboxName: 'Web', unreadCount: 1, pending: false },
    ]);
    expect(inboxCounts(mirror.read, viewer).unassigned).toEqual({ open: 1, pending: 0, snoozed: 0, closed: 0, waiting: 1, unread: 1 });
    mirror.close();
  });

  it('is idempotent by row version: an old or repeated frame changes nothing', () => {
    const { mirror } = seeded();
    const newer = conversation({ assigneeId: 'user-ana', unreadCount: 0, version: 5 });
    const frame = { from: 3, to: 5, ops: [{ kind: 'conversation' as const, row: newer }] };
    applyChanges(mirror.db, frame);
    applyChanges(mirror.db, frame);
    // A late copy of an older version does not roll the row back, nor the cursor.
    applyChanges(mirror.db, { from: 2, to: 4, ops: [{ kind: 'conversation', row: conversation({ version: 4, status: 'closed' }) }] });
    const mine = listInbox(mirror.read, viewer, { view: { kind: 'mine' }, status: 'open', sort: 'newest', limit: 100 });
    expect(mine.map((c) => [c.id, c.version, c.status])).toEqual([['conv-1', 5, 'open']]);
    expect(readCursor(mirror.db).version).toBe(5);
    expect(mirror.db.prepare('SELECT COUNT(*) AS n FROM conversations').get()).toEqual({ n: 1 });
    mirror.close();
  });

  it('a revoke purges the conversation, its messages and overlays from the file itself', () => {
    const { path, mirror } = seeded();
    record(
      mirror.db,
      'message.send',
      { id: '0190a7a0-0000-7000-8000-000000000001', conversationId: 'conv-1', body: 'borrador privado' },
      3000,
    );
    applyChanges(mirror.db, { from: 3, to: 6, ops: [{ kind: 'revoke', conversationId: 'conv-1' }] });
    expect(conversationMessages(mirror.read, 'conv-1')).toEqual([]);
    // Checked with a handle of our own, as anyone reading the disk would.
    const other = new Database(path, { readonly: true });
    const count = (sql: string) => (other.prepare(sql).get() as { n: number }).n;
    expect(count("SELECT COUNT(*) AS n FROM conversations WHERE id = 'conv-1'")).toBe(0);
    expect(count("SELECT COUNT(*) AS n FROM messages WHERE conversation_id = 'conv-1'")).toBe(0);
    expect(count("SELECT COUNT(*) AS n FROM overlay_conversations WHERE id = 'conv-1'")).toBe(0);
    expect(count("SELECT COUNT(*) AS n FROM pending_messages WHERE conversation_id = 'conv-1'")).toBe(0);
    other.close();
    // With secure_delete, once the WAL is folded back nothing of the text remains in the file's bytes.
    mirror.db.pragma('wal_checkpoint(TRUNCATE)');
    mirror.close();
    expect(readFileSync(path).includes(Buffer.from('secreto del cliente'))).toBe(false);
  });

  it('a new snapshot replaces base rows but keeps the outbox and its pending messages', () => {
    const { mirror } = seeded();
    record(mirror.db, 'message.send', { id: '0190a7a0-0000-7000-8000-000000000002', conversationId: 'conv-1', body: 'sigue aquí' }, 3000);
    applySnapshotBegin(mirror.db, 'epoch-2');
    expect(readCursor(mirror.db)).toEqual({ epoch: 'epoch-2', version: null });
    applySnapshotPage(mirror.db, [
      { kind: 'user', row: ana },
      { kind: 'contact', row: contact },
      { kind: 'inbox', row: inbox },
      { kind: 'conversation', row: conversation({ version: 1 }) },
    ]);
    applySnapshotEnd(mirror.db, 1);
    const messages = conversationMessages(mirror.read, 'conv-1');
    expect(messages.map((m) => [m.body, m.delivery])).toEqual([['sigue aquí', 'pending']]);
    // The overlay was rebased on the new base: the reply still shows the conversation as Ana's.
    expect(
      listInbox(mirror.read, viewer, { view: { kind: 'mine' }, status: 'open', sort: 'newest', limit: 10 }).map((c) => c.pending),
    ).toEqual([true]);
    mirror.close();
  });

  it('lists a timeline in seq order, with this device’s unconfirmed replies after it in the order written', () => {
    const { mirror } = seeded();
    // The reply's id was made on Ana's device before the server made the event line's, and both
    // carry the same time: only seq says the assignment came first.
    const replyId = '0190a7a0-0000-7000-8000-000000000010';
    const eventId = '0190a7a0-0000-7000-8000-000000000099';
    const assigned = { type: 'assigned' as const, assigneeId: 'user-ana', byId: 'user-ana' };
    applyChanges(mirror.db, {
      from: 3,
      to: 4,
      ops: [
        { kind: 'conversation', row: conversation({ assigneeId: 'user-ana', unreadCount: 0, version: 4 }) },
        {
          kind: 'message',
          row: inbound({ id: replyId, direction: 'out', authorId: 'user-ana', body: 'Hola Carla', createdAt: 5000, seq: 3, version: 4 }),
        },
        {
          kind: 'message',
          row: inbound({
            id: eventId,
            direction: 'system',
            kind: 'event',
            authorId: 'user-ana',
            body: '',
            event: assigned,
            createdAt: 5000,
            seq: 2,
            version: 4,
          }),
        },
      ],
    });
    // Offline, Ana writes two more; her clock runs behind the server's, so their times are older.
    record(mirror.db, 'message.send', { id: '0190a7a0-0000-7000-8000-0000000000f2', conversationId: 'conv-1', body: 'primero' }, 1500);
    record(mirror.db, 'message.send', { id: '0190a7a0-0000-7000-8000-0000000000f1', conversationId: 'conv-1', body: 'segundo' }, 1400);
    const timeline = conversationMessages(mirror.read, 'conv-1');
    expect(timeline.map((m) => [m.kind === 'event' ? m.event?.type : m.body, m.seq, m.delivery])).toEqual([
      ['Hola, secreto del cliente', 1, 'sent'],
      ['assigned', 2, 'sent'],
      ['Hola Carla', 3, 'sent'],
      ['primero', null, 'pending'],
      ['segundo', null, 'pending'],
    ]);
    const plan = mirror.db
      .prepare('EXPLAIN QUERY PLAN SELECT * FROM messages_view m WHERE m.conversation_id = ? ORDER BY m.seq IS NULL, m.seq, m.local_order')
      .all('conv-1') as { detail: string }[];
    const details = plan.map((p) => p.detail).join('\n');
    expect(details).toMatch(/SEARCH m USING INDEX messages_by_conversation \(conversation_id=\?\)/);
    expect(details).toMatch(/SEARCH p USING INDEX pending_messages_by_conversation \(conversation_id=\?\)/);
    mirror.close();
  });

  it('the inbox list uses an index for the status filter and order', () => {
    const { mirror } = seeded();
    const plan = mirror.db
      .prepare(
        "EXPLAIN QUERY PLAN SELECT * FROM conversations_view c WHERE c.status = 'open' AND c.assignee_id IS NULL ORDER BY c.last_message_at DESC LIMIT 100",
      )
      .all() as { detail: string }[];
    const details = plan.map((p) => p.detail).join('\n');
    expect(details).toMatch(/SEARCH c USING INDEX conversations_by_assignee/);
    expect(details).toMatch(/SEARCH o USING INDEX overlay_conversations_by_status/);
    // No full scan and no sort: both halves of the view are read in index order and merged.
    expect(details).not.toMatch(/SCAN|TEMP B-TREE/);
    mirror.close();
  });
});
