// Snippets and drafts in the mirror (real SQLite files): shadowing, the overlay of unconfirmed saves and
// deletes, and drafts that survive reopening the file and go away with the message they became.
import { describe, expect, it } from 'vitest';
import type { Snippet } from '../../src-shared/domain';
import { filterSnippets, usableSnippets } from '../../src-shared/rules/snippets';
import { applyChanges, applySnapshotBegin, applySnapshotEnd, applySnapshotPage } from '../../src-main/core/mirror/apply';
import { openMirror } from '../../src-main/core/mirror/db';
import { readDraft, writeDraft } from '../../src-main/core/mirror/drafts';
import { writeSessionUser } from '../../src-main/core/mirror/meta';
import { listSnippets } from '../../src-main/core/mirror/snippets';
import { confirm, pendingCount, record, reject } from '../../src-main/core/outbox';
import { ana, bruno, contact, conversation, inbox, tempMirrorPath } from './mirror-fixtures';

const viewer = { id: ana.id, role: ana.role, teamIds: ana.teamIds };
const uuid = (n: number) => `0190a7a0-0000-7000-8000-${String(n).padStart(12, '0')}`;

function snippet(over: Partial<Snippet>): Snippet {
  return { id: 'snippet-x', title: 'X', shortcut: 'x', body: 'x', attachment: null, ownerId: null, version: 1, ...over };
}
const sharedHola = snippet({ id: 'snippet-hola', title: 'Saludo', shortcut: 'saludo', body: 'Hola {{contact.first_name}}' });
const sharedHorario = snippet({ id: 'snippet-horario', title: 'Horario de atención', shortcut: 'horario', body: 'De 9 a 18' });
const anaHola = snippet({ id: 'snippet-ana-hola', title: 'Mi saludo', shortcut: 'saludo', body: '¡Buenas!', ownerId: ana.id });

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
    { kind: 'conversation', row: conversation({ id: 'conv-2' }) },
    { kind: 'snippet', row: sharedHola },
    { kind: 'snippet', row: sharedHorario },
  ]);
  applySnapshotEnd(mirror.db, 3);
  return { path, mirror };
}

describe('snippet rules', () => {
  it('a personal snippet hides the shared one with the same shortcut; another person’s never shows', () => {
    const brunos = snippet({ id: 'snippet-b', shortcut: 'bruno', ownerId: bruno.id });
    expect(usableSnippets([sharedHola, sharedHorario, anaHola, brunos], ana.id).map((s) => s.id)).toEqual([
      'snippet-horario',
      'snippet-ana-hola',
    ]);
    expect(usableSnippets([sharedHola, sharedHorario, anaHola], bruno.id).map((s) => s.id)).toEqual(['snippet-horario', 'snippet-hola']);
  });

  it('filters by shortcut prefix first, then by title, ignoring accents and case', () => {
    const list = [sharedHola, sharedHorario, snippet({ id: 's3', shortcut: 'accion', title: 'Próxima acción' })];
    expect(filterSnippets(list, 'sal').map((s) => s.id)).toEqual(['snippet-hola']);
    expect(filterSnippets(list, 'ATENCIÓN').map((s) => s.id)).toEqual(['snippet-horario']);
    expect(filterSnippets(list, 'acci').map((s) => s.id)).toEqual(['s3']);
    expect(filterSnippets(list, 'proxima').map((s) => s.id)).toEqual(['s3']);
    expect(filterSnippets(list, 'zzz')).toEqual([]);
    expect(filterSnippets(list, '')).toHaveLength(3);
  });
});

describe('snippets in the mirror', () => {
  it('lists shared and own snippets, the personal one shadowing; the admin list keeps the shadowed one', () => {
    const { mirror } = seeded();
    applyChanges(mirror.db, { from: 3, to: 4, ops: [{ kind: 'snippet', row: { ...anaHola, version: 4 } }] });
    expect(listSnippets(mirror.read, viewer).map((s) => [s.shortcut, s.body])).toEqual([
      ['horario', 'De 9 a 18'],
      ['saludo', '¡Buenas!'],
    ]);
    expect(listSnippets(mirror.read, viewer, true).map((s) => s.id)).toEqual(['snippet-horario', 'snippet-ana-hola', 'snippet-hola']);
    // The server deletes it: the shared one shows again.
    applyChanges(mirror.db, { from: 4, to: 5, ops: [{ kind: 'delete', entity: 'snippet', id: anaHola.id }] });
    expect(listSnippets(mirror.read, viewer).map((s) => s.id)).toEqual(['snippet-horario', 'snippet-hola']);
    mirror.close();
  });

  it('shows a personal snippet saved offline at once, and drops it when the server refuses it', () => {
    const { mirror } = seeded();
    const args = {
      id: uuid(1),
      title: 'Despedida',
      shortcut: 'chau',
      body: 'Chau {{contact.first_name}}',
      attachment: null,
      shared: false,
    };
    const { mutationId } = record(mirror.db, 'snippet.save', args, 10);
    expect(listSnippets(mirror.read, viewer).find((s) => s.shortcut === 'chau')).toMatchObject({
      ownerId: ana.id,
      body: 'Chau {{contact.first_name}}',
    });
    reject(mirror.db, mutationId, { code: 'INVALID_ARGS', message: 'no' });
    expect(listSnippets(mirror.read, viewer).find((s) => s.shortcut === 'chau')).toBeUndefined();
    mirror.close();
  });

  it('refuses, storing nothing, what the server would refuse: shared by an agent, a taken shortcut, another’s delete', () => {
    const { mirror } = seeded();
    const base = { id: uuid(2), title: 'T', shortcut: 'nuevo', body: 'b', attachment: null };
    expect(() => record(mirror.db, 'snippet.save', { ...base, shared: true }, 10)).toThrow(expect.objectContaining({ code: 'FORBIDDEN' }));
    expect(() => record(mirror.db, 'snippet.delete', { id: sharedHola.id }, 10)).toThrow(expect.objectContaining({ code: 'FORBIDDEN' }));
    expect(() => record(mirror.db, 'snippet.save', { ...base, id: sharedHola.id, shared: false }, 10)).toThrow(
      expect.objectContaining({ code: 'FORBIDDEN' }),
    );
    record(mirror.db, 'snippet.save', { ...base, shared: false }, 10);
    expect(() => record(mirror.db, 'snippet.save', { ...base, id: uuid(3), shared: false }, 11)).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGS' }),
    );
    expect(pendingCount(mirror.read)).toBe(1);
    mirror.close();
  });

  it('hides a snippet deleted offline until the server confirms, then it stays gone', () => {
    const { mirror } = seeded();
    applyChanges(mirror.db, { from: 3, to: 4, ops: [{ kind: 'snippet', row: { ...anaHola, version: 4 } }] });
    const { mutationId } = record(mirror.db, 'snippet.delete', { id: anaHola.id }, 10);
    expect(listSnippets(mirror.read, viewer).map((s) => s.id)).toEqual(['snippet-horario', 'snippet-hola']);
    applyChanges(mirror.db, { from: 4, to: 5, ops: [{ kind: 'delete', entity: 'snippet', id: anaHola.id }] });
    confirm(mirror.db, mutationId);
    expect(listSnippets(mirror.read, viewer).map((s) => s.id)).toEqual(['snippet-horario', 'snippet-hola']);
    mirror.close();
  });

  it('a snapshot purges snippets the user no longer gets', () => {
    const { mirror } = seeded();
    applySnapshotBegin(mirror.db, 'e2');
    applySnapshotPage(mirror.db, [
      { kind: 'user', row: ana },
      { kind: 'snippet', row: sharedHorario },
    ]);
    applySnapshotEnd(mirror.db, 9);
    expect(listSnippets(mirror.read, viewer).map((s) => s.id)).toEqual(['snippet-horario']);
    mirror.close();
  });
});

describe('drafts', () => {
  it('are kept per conversation across reopening the file, and a blank one is removed', () => {
    const { path, mirror } = seeded();
    writeDraft(mirror.db, 'conv-1', 'Hola Carla, te escribo por', 10);
    writeDraft(mirror.db, 'conv-2', 'Otro', 10);
    writeDraft(mirror.db, 'conv-2', '   ', 11);
    mirror.close();
    const again = openMirror(path);
    expect(readDraft(again.read, 'conv-1')).toBe('Hola Carla, te escribo por');
    expect(readDraft(again.read, 'conv-2')).toBe('');
    again.close();
  });

  it('goes away with the message it became, in the same transaction; a refused send keeps it', () => {
    const { mirror } = seeded();
    writeDraft(mirror.db, 'conv-1', 'Hola Carla', 10);
    writeDraft(mirror.db, 'conv-2', 'Sigue aquí', 10);
    record(mirror.db, 'message.send', { id: uuid(5), conversationId: 'conv-1', body: 'Hola Carla' }, 11);
    expect(readDraft(mirror.read, 'conv-1')).toBe('');
    expect(readDraft(mirror.read, 'conv-2')).toBe('Sigue aquí');
    // An empty reply is refused by the rules: nothing recorded, the draft stays.
    expect(() => record(mirror.db, 'message.send', { id: uuid(6), conversationId: 'conv-2', body: '' }, 12)).toThrow();
    expect(readDraft(mirror.read, 'conv-2')).toBe('Sigue aquí');
    mirror.close();
  });
});
