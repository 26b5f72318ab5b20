// Templates, reply windows, resend and forward in the client core, on real SQLite mirror files.
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { Attachment, MessageTemplate } from '../../src-shared/domain';
import { HOUR_MS } from '../../src-shared/rules/channelWindow';
import { forwardMessage, mustHaveAttachments, resendId, resendMessage } from '../../src-main/core/messageCopies';
import { applyChanges, applySnapshotBegin, applySnapshotEnd, applySnapshotPage } from '../../src-main/core/mirror/apply';
import { blobsToUpload, markUpload } from '../../src-main/core/mirror/blobUploads';
import { openMirror } from '../../src-main/core/mirror/db';
import { readDraft, writeDraft } from '../../src-main/core/mirror/drafts';
import { writeSessionUser } from '../../src-main/core/mirror/meta';
import { MIGRATIONS, migrate } from '../../src-main/core/mirror/migrations';
import { conversationDetail, conversationMessages } from '../../src-main/core/mirror/queries';
import { listTemplates } from '../../src-main/core/mirror/templates';
import { confirm, nextBatch, pendingCount, record, reject } from '../../src-main/core/outbox';
import { ana, contact, conversation, inbound, inbox, tempMirrorPath } from './mirror-fixtures';

const NOW = 1_800_000_000_000;
const uuid = (n: number) => `0190a7a0-0000-7000-8000-${String(n).padStart(12, '0')}`;
const admin = { ...ana, id: 'user-admin', name: 'Alba', email: 'alba@demo.test', role: 'admin' as const };
const whatsapp = { ...inbox, id: 'inbox-wa', name: 'WhatsApp', channel: 'whatsapp' as const };
const viewer = { id: ana.id, role: ana.role, teamIds: ana.teamIds };

function template(over: Partial<MessageTemplate> = {}): MessageTemplate {
  return {
    id: 'tpl-1',
    inboxId: 'inbox-wa',
    name: 'seguimiento',
    language: 'es',
    category: 'utility',
    body: 'Hola {{1}}, tu pedido {{2}} está listo.',
    status: 'approved',
    version: 4,
    ...over,
  };
}

const file: Attachment = {
  sha256: 'c'.repeat(64),
  name: 'factura.pdf',
  mime: 'application/pdf',
  size: 1234,
  kind: 'file',
  durationMs: null,
};

/** Ana's mirror: a webchat conversation (conv-1), a WhatsApp one whose window closed 6 hours ago
 *  (wa-closed, customer wrote 30 h ago) and one still open (wa-open, customer wrote 1 h ago). */
function seeded(user = ana) {
  const mirror = openMirror(tempMirrorPath());
  writeSessionUser(mirror.db, user);
  applySnapshotBegin(mirror.db, 'e');
  applySnapshotPage(mirror.db, [
    { kind: 'user', row: ana },
    { kind: 'user', row: admin },
    { kind: 'inbox', row: inbox },
    { kind: 'inbox', row: whatsapp },
    { kind: 'contact', row: contact },
    { kind: 'conversation', row: conversation() },
    { kind: 'conversation', row: conversation({ id: 'wa-closed', inboxId: 'inbox-wa', lastCustomerMessageAt: NOW - 30 * HOUR_MS }) },
    { kind: 'conversation', row: conversation({ id: 'wa-open', inboxId: 'inbox-wa', lastCustomerMessageAt: NOW - HOUR_MS }) },
    { kind: 'message', row: inbound() },
    { kind: 'message', row: inbound({ id: 'in-file', conversationId: 'wa-open', seq: 2, body: 'Mi factura', attachments: [file] }) },
    { kind: 'template', row: template() },
    { kind: 'template', row: template({ id: 'tpl-0', name: 'aviso', status: 'pending', body: 'Aviso' }) },
    { kind: 'template', row: template({ id: 'tpl-web', inboxId: 'inbox-1', name: 'bienvenida', body: 'Bienvenida' }) },
  ]);
  applySnapshotEnd(mirror.db, 10);
  return mirror;
}

function countRows(db: Database.Database, table: string): number {
  return (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
}

describe('mirror migration 2', () => {
  it('brings a version 1 file forward keeping its rows: old messages are neither templates nor forwarded', () => {
    const path = tempMirrorPath();
    const raw = new Database(path);
    migrate(raw, MIGRATIONS.slice(0, 1));
    raw
      .prepare(
        `INSERT INTO messages (seq, id, conversation_id, direction, kind, author_id, body, event, mentions, state, error, created_at, version)
       VALUES (1, 'm-old', 'conv-1', 'in', 'text', NULL, 'de antes', NULL, '[]', 'sent', NULL, 1, 1)`,
      )
      .run();
    raw.close();
    const mirror = openMirror(path);
    expect(mirror.db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    expect(conversationMessages(mirror.read, 'conv-1').map((m) => [m.body, m.template, m.forwarded])).toEqual([['de antes', null, false]]);
    const sql = (name: string) => (mirror.db.prepare('SELECT sql FROM sqlite_master WHERE name = ?').get(name) as { sql: string }).sql;
    expect(sql('templates')).toMatch(/STRICT\s*$/);
    expect(sql('overlay_templates')).toMatch(/STRICT\s*$/);
    expect(listTemplates(mirror.read)).toEqual([]);
    mirror.close();
  });
});

describe('templates in the mirror', () => {
  it('lists one inbox or all, approved first; a delete from the server removes one', () => {
    const mirror = seeded();
    expect(listTemplates(mirror.read, 'inbox-wa').map((t) => [t.name, t.status])).toEqual([
      ['seguimiento', 'approved'],
      ['aviso', 'pending'],
    ]);
    expect(listTemplates(mirror.read).map((t) => t.id)).toEqual(['tpl-web', 'tpl-1', 'tpl-0']);
    applyChanges(mirror.db, { from: 10, to: 11, ops: [{ kind: 'delete', entity: 'template', id: 'tpl-0' }] });
    expect(listTemplates(mirror.read, 'inbox-wa').map((t) => t.id)).toEqual(['tpl-1']);
    mirror.close();
  });

  it('admin.template.save/delete: admins only (nothing stored otherwise), shown at once, one name+language per inbox', () => {
    const agent = seeded();
    expect(() =>
      record(agent.db, 'admin.template.save', { ...template({ id: 'tpl-new', name: 'nuevo' }), version: undefined } as never, NOW),
    ).toThrow(expect.objectContaining({ code: 'FORBIDDEN' }));
    expect(() => record(agent.db, 'admin.template.delete', { id: 'tpl-1' }, NOW)).toThrow(expect.objectContaining({ code: 'FORBIDDEN' }));
    expect(pendingCount(agent.read)).toBe(0);
    expect(countRows(agent.db, 'overlay_templates')).toBe(0);
    agent.close();

    const mirror = seeded(admin);
    const { version: _v, ...fields } = template({ id: 'tpl-new', name: 'cobro', body: 'Pago de {{1}}' });
    record(mirror.db, 'admin.template.save', fields, NOW);
    expect(listTemplates(mirror.read, 'inbox-wa').map((t) => t.name)).toEqual(['cobro', 'seguimiento', 'aviso']);
    // The provider knows a template by name and language: a second "cobro" in es is refused.
    expect(() => record(mirror.db, 'admin.template.save', { ...fields, id: 'tpl-other' }, NOW)).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGS' }),
    );
    expect(() => record(mirror.db, 'admin.template.save', { ...fields, id: 'tpl-x', inboxId: 'inbox-none' }, NOW)).toThrow(
      expect.objectContaining({ code: 'NOT_FOUND' }),
    );
    record(mirror.db, 'admin.template.delete', { id: 'tpl-1' }, NOW);
    expect(listTemplates(mirror.read, 'inbox-wa').map((t) => t.name)).toEqual(['cobro', 'aviso']);
    expect(nextBatch(mirror.read, 10).map((m) => m.name)).toEqual(['admin.template.save', 'admin.template.delete']);
    // Confirmed: the base rows come from the server and the overlay goes.
    applyChanges(mirror.db, {
      from: 10,
      to: 12,
      ops: [
        { kind: 'template', row: { ...fields, version: 11 } },
        { kind: 'delete', entity: 'template', id: 'tpl-1' },
      ],
    });
    confirm(mirror.db, 1);
    confirm(mirror.db, 2);
    expect(countRows(mirror.db, 'overlay_templates')).toBe(0);
    expect(listTemplates(mirror.read, 'inbox-wa').map((t) => [t.name, t.version])).toEqual([
      ['cobro', 11],
      ['aviso', 4],
    ]);
    mirror.close();
  });
});

describe('reply windows and templates', () => {
  it('free text is refused at once when the mirror knows the window closed; a template goes, rendered, with its use', () => {
    const mirror = seeded();
    writeDraft(mirror.db, 'wa-closed', 'lo que escribía', NOW);
    expect(() => record(mirror.db, 'message.send', { id: uuid(1), conversationId: 'wa-closed', body: 'Hola' }, NOW)).toThrow(
      expect.objectContaining({ code: 'REPLY_WINDOW_CLOSED' }),
    );
    expect(pendingCount(mirror.read)).toBe(0);
    expect(readDraft(mirror.read, 'wa-closed')).toBe('lo que escribía');

    record(
      mirror.db,
      'message.sendTemplate',
      { id: uuid(2), conversationId: 'wa-closed', templateId: 'tpl-1', variables: ['Carla', 'A-17'] },
      NOW,
    );
    const last = conversationMessages(mirror.read, 'wa-closed').at(-1)!;
    expect(last).toMatchObject({
      id: uuid(2),
      body: 'Hola Carla, tu pedido A-17 está listo.',
      delivery: 'pending',
      template: { templateId: 'tpl-1', name: 'seguimiento', language: 'es', variables: ['Carla', 'A-17'] },
      forwarded: false,
    });
    // The same outcome as a reply (assigned to the sender), and the draft is not what was sent.
    expect(conversationDetail(mirror.read, viewer, 'wa-closed')!.conversation).toMatchObject({
      assigneeId: ana.id,
      lastMessagePreview: 'Hola Carla, tu pedido A-17 está listo.',
    });
    expect(readDraft(mirror.read, 'wa-closed')).toBe('lo que escribía');
    mirror.close();
  });

  it('refuses a template of another inbox, an unapproved one and a blank value, storing nothing', () => {
    const mirror = seeded();
    const send = (templateId: string, variables: string[]) =>
      record(mirror.db, 'message.sendTemplate', { id: uuid(3), conversationId: 'wa-closed', templateId, variables }, NOW);
    expect(() => send('tpl-web', [])).toThrow(expect.objectContaining({ code: 'INVALID_ARGS' }));
    expect(() => send('tpl-none', [])).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
    expect(() => send('tpl-0', [])).toThrow(expect.objectContaining({ code: 'INVALID_ARGS' }));
    expect(() => send('tpl-1', ['Carla', ' '])).toThrow(expect.objectContaining({ code: 'INVALID_ARGS', params: { variable: '2' } }));
    expect(() => send('tpl-1', ['Carla'])).toThrow(expect.objectContaining({ code: 'INVALID_ARGS' }));
    expect(pendingCount(mirror.read)).toBe(0);
    expect(countRows(mirror.db, 'pending_messages')).toBe(0);
    mirror.close();
  });

  it('a reply written while the window was open, refused after it closed, stays failed; resend waits for the customer', () => {
    const mirror = seeded();
    // Written offline 30 minutes before the window closed.
    const written = NOW - 30 * HOUR_MS + 23.5 * HOUR_MS;
    record(mirror.db, 'message.send', { id: uuid(4), conversationId: 'wa-closed', body: 'Ya lo reviso' }, written);
    expect(conversationMessages(mirror.read, 'wa-closed').at(-1)).toMatchObject({ body: 'Ya lo reviso', delivery: 'pending' });
    reject(mirror.db, 1, { code: 'REPLY_WINDOW_CLOSED', message: 'The reply window of this channel is closed.' });
    const failed = conversationMessages(mirror.read, 'wa-closed').at(-1)!;
    expect(failed).toMatchObject({ id: uuid(4), body: 'Ya lo reviso', delivery: 'failed', failure: { code: 'REPLY_WINDOW_CLOSED' } });

    // Still closed: the resend is refused and the failed copy stays (held, not dropped).
    expect(() => resendMessage(mirror.db, uuid(4), uuid(5), NOW, () => true)).toThrow(
      expect.objectContaining({ code: 'REPLY_WINDOW_CLOSED' }),
    );
    expect(conversationMessages(mirror.read, 'wa-closed').map((m) => m.id)).toContain(uuid(4));
    expect(pendingCount(mirror.read)).toBe(0);

    // The customer writes again: the window is open, the resend goes as a new message and the failed
    // copy goes in the same transaction.
    applyChanges(mirror.db, {
      from: 10,
      to: 11,
      ops: [
        { kind: 'conversation', row: conversation({ id: 'wa-closed', inboxId: 'inbox-wa', lastCustomerMessageAt: NOW, version: 11 }) },
        { kind: 'message', row: inbound({ id: 'in-2', conversationId: 'wa-closed', seq: 3, body: '¿Hola?', createdAt: NOW }) },
      ],
    });
    const { mutationId } = resendMessage(mirror.db, uuid(4), uuid(6), NOW + 1, () => true);
    expect(conversationMessages(mirror.read, 'wa-closed').map((m) => [m.id, m.body, m.delivery])).toEqual([
      ['in-2', '¿Hola?', 'sent'],
      [uuid(6), 'Ya lo reviso', 'pending'],
    ]);
    expect(nextBatch(mirror.read, 10)).toEqual([
      {
        id: mutationId,
        name: 'message.send',
        args: { id: uuid(6), conversationId: 'wa-closed', body: 'Ya lo reviso' },
        clientTime: NOW + 1,
      },
    ]);
    // Resending the same failed copy twice is not possible: it is gone.
    expect(() => resendMessage(mirror.db, uuid(4), uuid(7), NOW + 2, () => true)).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
    // Only failed messages: a pending one or a customer's message cannot be resent.
    expect(() => resendMessage(mirror.db, uuid(6), uuid(7), NOW + 2, () => true)).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGS' }),
    );
    expect(() => resendMessage(mirror.db, 'in-2', uuid(7), NOW + 2, () => true)).toThrow(expect.objectContaining({ code: 'INVALID_ARGS' }));
    expect(pendingCount(mirror.read)).toBe(1);
    mirror.close();
  });

  it('resends a template that failed at the provider as the same template, and a confirmed failed file without uploading it', () => {
    const mirror = seeded();
    const use = { templateId: 'tpl-1', name: 'seguimiento', language: 'es', variables: ['Carla', 'A-17'] };
    applyChanges(mirror.db, {
      from: 10,
      to: 11,
      ops: [
        {
          kind: 'message',
          row: inbound({
            id: 'out-tpl',
            conversationId: 'wa-closed',
            direction: 'out',
            authorId: ana.id,
            seq: 5,
            body: 'Hola Carla…',
            template: use,
            state: 'failed',
            error: '(#131026) Message undeliverable',
          }),
        },
        {
          kind: 'message',
          row: inbound({
            id: 'out-file',
            conversationId: 'wa-open',
            direction: 'out',
            authorId: ana.id,
            seq: 6,
            body: '',
            attachments: [file],
            state: 'failed',
            error: '(#131053) Media upload error',
          }),
        },
      ],
    });
    resendMessage(mirror.db, 'out-tpl', uuid(8), NOW, () => false);
    resendMessage(mirror.db, 'out-file', uuid(9), NOW, () => false);
    const batch = nextBatch(mirror.read, 10);
    expect(batch.map((m) => [m.name, m.args])).toEqual([
      ['message.sendTemplate', { id: uuid(8), conversationId: 'wa-closed', templateId: 'tpl-1', variables: ['Carla', 'A-17'] }],
      ['message.send', { id: uuid(9), conversationId: 'wa-open', body: '', attachments: [file] }],
    ]);
    // The server holds the file (a confirmed message carries it): nothing to upload, though this device never had it.
    expect(blobsToUpload(mirror.read, batch[1]!, NOW, () => false)).toEqual([]);
    // The failed originals stay in the timeline as the record of the failure.
    expect(conversationMessages(mirror.read, 'wa-open').map((m) => [m.id, m.delivery])).toEqual([
      ['in-file', 'sent'],
      ['out-file', 'failed'],
      [uuid(9), 'pending'],
    ]);
    mirror.close();
  });

  it('a confirmed message or template that failed at the channel is resent once: a second Resend is refused, here or after the copy is confirmed', () => {
    const mirror = seeded();
    const use = { templateId: 'tpl-1', name: 'seguimiento', language: 'es', variables: ['Carla', 'A-17'] };
    const failed = (id: string, seq: number, over: object) =>
      inbound({ id, conversationId: 'wa-open', direction: 'out', authorId: ana.id, seq, state: 'failed', error: '(#131026)', ...over });
    applyChanges(mirror.db, {
      from: 10,
      to: 11,
      ops: [
        { kind: 'message', row: failed('out-text', 5, { body: 'Ya lo reviso' }) },
        { kind: 'message', row: failed('out-tpl', 6, { body: 'Hola Carla…', template: use }) },
      ],
    });
    // Every device derives the same id, so another device's copy is the server's duplicate to refuse.
    expect(resendId('out-text')).toBe(resendId('out-text'));
    expect(resendId('out-text')).not.toBe(resendId('out-tpl'));
    for (const id of ['out-text', 'out-tpl']) {
      resendMessage(mirror.db, id, resendId(id), NOW, () => true);
      expect(() => resendMessage(mirror.db, id, resendId(id), NOW + 1, () => true)).toThrow(
        expect.objectContaining({ code: 'INVALID_ARGS' }),
      );
    }
    expect(nextBatch(mirror.read, 10).map((m) => [m.name, (m.args as { id: string }).id])).toEqual([
      ['message.send', resendId('out-text')],
      ['message.sendTemplate', resendId('out-tpl')],
    ]);
    // Once the copy is confirmed it lives in the server's timeline only: still refused.
    applyChanges(mirror.db, {
      from: 11,
      to: 12,
      ops: [{ kind: 'message', row: failed(resendId('out-text'), 7, { body: 'Ya lo reviso', state: 'sent', error: null }) }],
    });
    confirm(mirror.db, 1);
    expect(() => resendMessage(mirror.db, 'out-text', resendId('out-text'), NOW + 2, () => true)).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGS' }),
    );
    expect(pendingCount(mirror.read)).toBe(1);
    expect(conversationMessages(mirror.read, 'wa-open').map((m) => [m.id, m.delivery])).toEqual([
      ['in-file', 'sent'],
      ['out-text', 'failed'],
      ['out-tpl', 'failed'],
      [resendId('out-text'), 'sent'],
      [resendId('out-tpl'), 'pending'],
    ]);
    mirror.close();
  });

  it('a refused copy whose file is neither on this device nor on the server cannot be resent, and stays', () => {
    const mirror = seeded();
    record(mirror.db, 'message.send', { id: uuid(10), conversationId: 'conv-1', body: 'adjunto', attachments: [file] }, NOW);
    reject(mirror.db, 1, { code: 'INTERNAL', message: 'no' });
    expect(() => resendMessage(mirror.db, uuid(10), uuid(11), NOW, () => false)).toThrow(
      expect.objectContaining({ code: 'ATTACHMENT_MISSING' }),
    );
    expect(conversationMessages(mirror.read, 'conv-1').at(-1)).toMatchObject({ id: uuid(10), delivery: 'failed' });
    resendMessage(mirror.db, uuid(10), uuid(11), NOW, () => true);
    expect(conversationMessages(mirror.read, 'conv-1').at(-1)).toMatchObject({ id: uuid(11), delivery: 'pending', attachments: [file] });
    mirror.close();
  });
});

describe('forward', () => {
  it('one forwarded message per target in one transaction, files counted as uploaded, drafts kept', () => {
    const mirror = seeded();
    writeDraft(mirror.db, 'conv-1', 'borrador', NOW);
    const recorded = forwardMessage(
      mirror.db,
      'in-file',
      [
        { conversationId: 'conv-1', id: uuid(20) },
        { conversationId: 'wa-open', id: uuid(21) },
      ],
      NOW,
    );
    expect(recorded.map((r) => r.conversationId)).toEqual(['conv-1', 'wa-open']);
    const batch = nextBatch(mirror.read, 10);
    expect(batch.map((m) => m.args)).toEqual([
      { id: uuid(20), conversationId: 'conv-1', body: 'Mi factura', attachments: [file], forwarded: true },
      { id: uuid(21), conversationId: 'wa-open', body: 'Mi factura', attachments: [file], forwarded: true },
    ]);
    for (const m of batch) expect(blobsToUpload(mirror.read, m, NOW, () => false)).toEqual([]);
    expect(conversationMessages(mirror.read, 'conv-1').at(-1)).toMatchObject({
      id: uuid(20),
      forwarded: true,
      delivery: 'pending',
      attachments: [file],
    });
    expect(readDraft(mirror.read, 'conv-1')).toBe('borrador');
    mirror.close();
  });

  it('all or nothing: a target whose window is closed refuses the whole forward and names it', () => {
    const mirror = seeded();
    expect(() =>
      forwardMessage(
        mirror.db,
        'in-file',
        [
          { conversationId: 'conv-1', id: uuid(22) },
          { conversationId: 'wa-closed', id: uuid(23) },
        ],
        NOW,
      ),
    ).toThrow(expect.objectContaining({ code: 'REPLY_WINDOW_CLOSED', params: { conversationId: 'wa-closed' } }));
    expect(pendingCount(mirror.read)).toBe(0);
    expect(countRows(mirror.db, 'pending_messages')).toBe(0);
    expect(countRows(mirror.db, 'blob_uploads')).toBe(0);
    // Notes, events and this device's unconfirmed messages are not forwarded.
    record(mirror.db, 'note.add', { id: uuid(24), conversationId: 'conv-1', body: 'interna', mentions: [] }, NOW);
    expect(() => forwardMessage(mirror.db, uuid(24), [{ conversationId: 'wa-open', id: uuid(25) }], NOW)).toThrow(
      expect.objectContaining({ code: 'NOT_FOUND' }),
    );
    mirror.close();
  });
});

describe('snippets with a file', () => {
  it('wait for their upload like a message; keeping the file a confirmed snippet has needs no upload', () => {
    const mirror = seeded();
    const photo: Attachment = { ...file, sha256: 'd'.repeat(64), name: 'mapa.png', mime: 'image/png', kind: 'image' };
    record(
      mirror.db,
      'snippet.save',
      { id: 'snip-1', title: 'Mapa', shortcut: 'mapa', body: 'Así llegas', attachment: photo, shared: false },
      NOW,
    );
    const [saved] = nextBatch(mirror.read, 1);
    expect(blobsToUpload(mirror.read, saved!, NOW, () => true).map((a) => a.name)).toEqual(['mapa.png']);
    markUpload(mirror.db, photo.sha256, { state: 'uploaded' }, NOW);
    expect(blobsToUpload(mirror.read, saved!, NOW, () => true)).toEqual([]);

    // A snippet from another device (confirmed, file never here) edited here keeps its file.
    applyChanges(mirror.db, {
      from: 10,
      to: 11,
      ops: [
        {
          kind: 'snippet',
          row: { id: 'snip-2', ownerId: ana.id, title: 'Factura', shortcut: 'fac', body: 'Adjunto', attachment: file, version: 11 },
        },
      ],
    });
    record(
      mirror.db,
      'snippet.save',
      { id: 'snip-2', title: 'Factura nueva', shortcut: 'fac', body: 'Adjunto', attachment: file, shared: false },
      NOW,
    );
    const edited = nextBatch(mirror.read, 10).at(-1)!;
    expect(blobsToUpload(mirror.read, edited, NOW, () => false)).toEqual([]);
    mirror.close();
  });

  it("a message carrying a confirmed snippet's file is accepted without the bytes here and uploads nothing", () => {
    const mirror = seeded();
    const elsewhere: Attachment = { ...file, sha256: 'e'.repeat(64), name: 'catalogo.pdf' };
    const notHere = () => false;
    expect(() => mustHaveAttachments(mirror.read, [elsewhere], notHere)).toThrow(expect.objectContaining({ code: 'ATTACHMENT_MISSING' }));
    applyChanges(mirror.db, {
      from: 10,
      to: 11,
      ops: [
        {
          kind: 'snippet',
          row: { id: 'snip-3', ownerId: null, title: 'Catálogo', shortcut: 'cat', body: 'El catálogo', attachment: elsewhere, version: 11 },
        },
      ],
    });
    mustHaveAttachments(mirror.read, [elsewhere], notHere);
    record(mirror.db, 'message.send', { id: uuid(30), conversationId: 'conv-1', body: 'El catálogo', attachments: [elsewhere] }, NOW);
    expect(blobsToUpload(mirror.read, nextBatch(mirror.read, 1)[0]!, NOW, notHere)).toEqual([]);
    mirror.close();
  });
});
