import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { applyChanges, applySnapshotBegin, applySnapshotEnd, applySnapshotPage } from '../../src-main/core/mirror/apply';
import { openMirror } from '../../src-main/core/mirror/db';
import { writeSessionUser } from '../../src-main/core/mirror/meta';
import { conversationDetail, conversationMessages } from '../../src-main/core/mirror/queries';
import { listInbox } from '../../src-main/core/mirror/views';
import { confirm, discardMessage, nextBatch, pendingCount, record, reject } from '../../src-main/core/outbox';
import { ana, bruno, contact, conversation, inbound, inbox, tempMirrorPath } from './mirror-fixtures';

const viewer = { id: ana.id, role: ana.role, teamIds: ana.teamIds };
const uuid = (n: number) => `0190a7a0-0000-7000-8000-${String(n).padStart(12, '0')}`;

function seeded(path = tempMirrorPath()) {
  const mirror = openMirror(path);
  writeSessionUser(mirror.db, ana);
  applySnapshotBegin(mirror.db, 'e');
  applySnapshotPage(mirror.db, [
    { kind: 'user', row: ana },
    { kind: 'user', row: bruno },
    { kind: 'inbox', row: inbox },
    { kind: 'contact', row: contact },
    { kind: 'conversation', row: conversation() },
    { kind: 'conversation', row: conversation({ id: 'conv-2', lastMessageAt: 1500 }) },
    { kind: 'message', row: inbound() },
  ]);
  applySnapshotEnd(mirror.db, 3);
  return { path, mirror };
}

describe('the outbox', () => {
  it('numbers mutations 1, 2, 3… and hands them out in order', () => {
    const { mirror } = seeded();
    const ids = [
      record(mirror.db, 'conversation.markRead', { conversationId: 'conv-2' }, 10).mutationId,
      record(mirror.db, 'message.send', { id: uuid(1), conversationId: 'conv-1', body: 'uno' }, 11).mutationId,
      record(mirror.db, 'conversation.setStatus', { conversationId: 'conv-1', status: 'pending' }, 12).mutationId,
    ];
    expect(ids).toEqual([1, 2, 3]);
    expect(nextBatch(mirror.read, 100).map((m) => [m.id, m.name])).toEqual([
      [1, 'conversation.markRead'],
      [2, 'message.send'],
      [3, 'conversation.setStatus'],
    ]);
    expect(nextBatch(mirror.read, 2).map((m) => m.id)).toEqual([1, 2]);
    // A confirmed id is never reused.
    confirm(mirror.db, 1);
    expect(record(mirror.db, 'conversation.markRead', { conversationId: 'conv-1' }, 13).mutationId).toBe(4);
    mirror.close();
  });

  it('shows a reply at once: pending message, conversation assigned to the replier (rebase with the shared rules)', () => {
    const { mirror } = seeded();
    record(mirror.db, 'message.send', { id: uuid(1), conversationId: 'conv-1', body: 'Hola Carla' }, 5000);
    expect(conversationMessages(mirror.read, 'conv-1').map((m) => [m.body, m.delivery, m.authorName])).toEqual([
      ['Hola, secreto del cliente', 'sent', null],
      ['Hola Carla', 'pending', 'Ana'],
    ]);
    const item = conversationDetail(mirror.read, viewer, 'conv-1')!.conversation;
    expect(item).toMatchObject({
      assigneeId: 'user-ana',
      assigneeName: 'Ana',
      unreadCount: 0,
      waitingSince: null,
      lastMessagePreview: 'Hola Carla',
      pending: true,
    });
    // Base still holds only what the server confirmed.
    expect(mirror.db.prepare("SELECT assignee_id FROM conversations WHERE id = 'conv-1'").get()).toEqual({ assignee_id: null });
    mirror.close();
  });

  it('refuses what the rules refuse, storing nothing', () => {
    const { mirror } = seeded();
    expect(() => record(mirror.db, 'message.send', { id: uuid(1), conversationId: 'conv-1', body: '  ' }, 1)).toThrow(
      expect.objectContaining({ code: 'EMPTY_MESSAGE' }),
    );
    expect(() => record(mirror.db, 'conversation.assign', { conversationId: 'conv-1', assigneeId: 'user-bruno' }, 1)).toThrow(
      expect.objectContaining({ code: 'FORBIDDEN' }),
    );
    expect(() => record(mirror.db, 'conversation.markRead', { conversationId: 'nope' }, 1)).toThrow(
      expect.objectContaining({ code: 'NOT_FOUND' }),
    );
    expect(() => record(mirror.db, 'conversation.setStatus', { conversationId: 'conv-1', status: 'gone' as never }, 1)).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGS' }),
    );
    expect(pendingCount(mirror.read)).toBe(0);
    expect(mirror.db.prepare('SELECT COUNT(*) AS n FROM pending_messages').get()).toEqual({ n: 0 });
    // The refused attempts did not use up mutation ids.
    expect(record(mirror.db, 'conversation.markRead', { conversationId: 'conv-1' }, 2).mutationId).toBe(1);
    mirror.close();
  });

  it('a confirmed reply gives way to the server row; a rejected one stays, failed, with the reason', () => {
    const { mirror } = seeded();
    record(mirror.db, 'message.send', { id: uuid(1), conversationId: 'conv-1', body: 'llega' }, 5000);
    record(mirror.db, 'message.send', { id: uuid(2), conversationId: 'conv-1', body: 'rechazada' }, 5001);
    // The server's changes arrive before its pushResult.
    applyChanges(mirror.db, {
      from: 3,
      to: 4,
      ops: [
        { kind: 'conversation', row: conversation({ assigneeId: 'user-ana', unreadCount: 0, waitingSince: null, version: 4 }) },
        {
          kind: 'message',
          row: inbound({ id: uuid(1), direction: 'out', authorId: 'user-ana', body: 'llega', createdAt: 5000, seq: 2, version: 4 }),
        },
      ],
    });
    // Between the changes and the ack the message is not shown twice.
    expect(conversationMessages(mirror.read, 'conv-1').filter((m) => m.body === 'llega')).toHaveLength(1);
    confirm(mirror.db, 1);
    reject(mirror.db, 2, { code: 'CONVERSATION_CLOSED', message: 'This conversation was closed. Reopen it to reply.' });
    const out = conversationMessages(mirror.read, 'conv-1').filter((m) => m.direction === 'out');
    expect(out.map((m) => [m.body, m.delivery, m.failure?.code ?? null])).toEqual([
      ['llega', 'sent', null],
      ['rechazada', 'failed', 'CONVERSATION_CLOSED'],
    ]);
    expect(pendingCount(mirror.read)).toBe(0);
    expect(conversationDetail(mirror.read, viewer, 'conv-1')!.conversation.pending).toBe(false);
    expect(() => discardMessage(mirror.db, uuid(3))).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
    discardMessage(mirror.db, uuid(2));
    expect(
      conversationMessages(mirror.read, 'conv-1')
        .filter((m) => m.direction === 'out')
        .map((m) => m.body),
    ).toEqual(['llega']);
    mirror.close();
  });

  it('a message still on its way cannot be discarded', () => {
    const { mirror } = seeded();
    record(mirror.db, 'message.send', { id: uuid(1), conversationId: 'conv-1', body: 'en camino' }, 1);
    expect(() => discardMessage(mirror.db, uuid(1))).toThrow(expect.objectContaining({ code: 'INVALID_ARGS' }));
    expect(pendingCount(mirror.read)).toBe(1);
    mirror.close();
  });

  it('survives a restart: outbox, numbering and pending messages are in the file', () => {
    const { path, mirror } = seeded();
    record(mirror.db, 'message.send', { id: uuid(1), conversationId: 'conv-1', body: 'antes del corte' }, 1);
    record(mirror.db, 'conversation.setStatus', { conversationId: 'conv-2', status: 'pending' }, 2);
    // No clean close: another handle (as after a crash, the WAL is on disk) reads what was committed.
    const crashed = new Database(path, { readonly: true });
    expect((crashed.prepare('SELECT COUNT(*) AS n FROM outbox').get() as { n: number }).n).toBe(2);
    crashed.close();
    mirror.close();

    const reopened = openMirror(path);
    expect(nextBatch(reopened.read, 100).map((m) => [m.id, m.name])).toEqual([
      [1, 'message.send'],
      [2, 'conversation.setStatus'],
    ]);
    expect(conversationMessages(reopened.read, 'conv-1').map((m) => [m.body, m.delivery])).toContainEqual(['antes del corte', 'pending']);
    expect(
      listInbox(reopened.read, viewer, { view: { kind: 'unassigned' }, status: 'pending', sort: 'newest', limit: 10 }).map((c) => c.id),
    ).toEqual(['conv-2']);
    expect(record(reopened.db, 'conversation.markRead', { conversationId: 'conv-1' }, 3).mutationId).toBe(3);
    reopened.close();
  });
});

describe('blob uploads', () => {
  it('a file attached anew after it went missing is uploaded again; a refusal of its bytes stays', async () => {
    const { blobsToUpload, markUpload } = await import('../../src-main/core/mirror/blobUploads');
    const { mirror } = seeded();
    const gone = { sha256: 'a'.repeat(64), name: 'foto.png', mime: 'image/png', size: 10, kind: 'image', durationMs: null } as const;
    const tooBig = { ...gone, sha256: 'b'.repeat(64), name: 'video.mp4' } as const;
    markUpload(
      mirror.db,
      gone.sha256,
      { state: 'refused', error: { code: 'ATTACHMENT_MISSING', message: 'foto.png is no longer on this device.' } },
      1,
    );
    markUpload(mirror.db, tooBig.sha256, { state: 'refused', error: { code: 'FILE_TOO_LARGE', message: 'Too large.' } }, 1);
    record(mirror.db, 'message.send', { id: uuid(9), conversationId: 'conv-1', body: '', attachments: [gone, tooBig] }, 20);
    const [queued] = nextBatch(mirror.read, 1);
    expect(blobsToUpload(mirror.read, queued!, 20, () => true).map((a) => a.name)).toEqual(['foto.png']);
    mirror.close();
  });

  it('an upload older than the server keeps a file nothing holds is done again, when the bytes are still here', async () => {
    const { blobsToUpload, markUpload } = await import('../../src-main/core/mirror/blobUploads');
    const { BLOB_GRACE_MS } = await import('../../src-shared/http');
    const { mirror } = seeded();
    const file = (c: string, name: string) =>
      ({ sha256: c.repeat(64), name, mime: 'application/pdf', size: 10, kind: 'file', durationMs: null }) as const;
    const [old, recent, gone] = [file('c', 'vieja.pdf'), file('d', 'reciente.pdf'), file('e', 'borrada.pdf')];
    const now = 10 * BLOB_GRACE_MS;
    markUpload(mirror.db, old.sha256, { state: 'uploaded' }, now - BLOB_GRACE_MS - 60_000);
    markUpload(mirror.db, recent.sha256, { state: 'uploaded' }, now - BLOB_GRACE_MS + 60_000);
    markUpload(mirror.db, gone.sha256, { state: 'uploaded' }, now - 3 * BLOB_GRACE_MS);
    record(mirror.db, 'message.send', { id: uuid(10), conversationId: 'conv-1', body: '', attachments: [old, recent, gone] }, now);
    const [queued] = nextBatch(mirror.read, 1);
    // The server may have collected the old upload: it goes up again. The recent one is held; the bytes of
    // the third are no longer here, so its mark is all there is.
    const onDevice = (sha256: string) => sha256 !== gone.sha256;
    expect(blobsToUpload(mirror.read, queued!, now, onDevice).map((a) => a.name)).toEqual(['vieja.pdf']);
    markUpload(mirror.db, old.sha256, { state: 'uploaded' }, now);
    expect(blobsToUpload(mirror.read, queued!, now, onDevice)).toEqual([]);
    mirror.close();
  });
});
