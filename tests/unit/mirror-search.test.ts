// Search over the mirror, on real SQLite files: accents and case folded, prefixes while typing,
// contacts by name/email/phone, notes found and event lines not, and query plans that stream from
// the FTS index newest first without scanning or sorting the messages.
import Database from 'better-sqlite3';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { applyChanges, applySnapshotBegin, applySnapshotEnd, applySnapshotPage } from '../../src-main/core/mirror/apply';
import { openMirror, type Mirror } from '../../src-main/core/mirror/db';
import { writeSessionUser } from '../../src-main/core/mirror/meta';
import { CONTACT_SEARCH_SQL, MESSAGE_SEARCH_SQL, ftsQuery, search } from '../../src-main/core/mirror/search';
import { scopeClause } from '../../src-main/core/mirror/views';
import type { Op } from '../../src-shared/protocol';
import { ana, contact, conversation, inbound, inbox, tempMirrorPath } from './mirror-fixtures';

const viewer = { id: ana.id, role: ana.role, teamIds: ana.teamIds };

function seeded(extra: Op[] = []): { path: string; mirror: Mirror } {
  const path = tempMirrorPath();
  const mirror = openMirror(path);
  writeSessionUser(mirror.db, ana);
  applySnapshotBegin(mirror.db, 'e');
  applySnapshotPage(mirror.db, [
    { kind: 'user', row: ana },
    { kind: 'inbox', row: inbox },
    { kind: 'contact', row: { ...contact, name: 'José Núñez', emails: ['jose.nunez@ejemplo.com'], phones: ['+55 11 9999-8888'] } },
    { kind: 'contact', row: { ...contact, id: 'contact-2', name: 'Carla Díaz', emails: ['carla@demo.test'], phones: [] } },
    { kind: 'conversation', row: conversation() },
    { kind: 'message', row: inbound({ id: 'm1', seq: 1, body: 'Necesito la factura de mi pedido' }) },
    { kind: 'message', row: inbound({ id: 'm2', seq: 2, body: 'La acción fue rápida, gracias' }) },
    {
      kind: 'message',
      row: inbound({ id: 'm3', seq: 3, direction: 'out', kind: 'note', authorId: ana.id, body: 'Nota interna: revisar facturación' }),
    },
    {
      kind: 'message',
      row: inbound({
        id: 'm4',
        seq: 4,
        direction: 'system',
        kind: 'event',
        body: 'factura evento',
        event: { type: 'tagged', added: ['factura'], removed: [], byId: ana.id },
      }),
    },
    ...extra,
  ]);
  applySnapshotEnd(mirror.db, 3);
  return { path, mirror };
}

const ids = (hits: ReturnType<typeof search>) => hits.messages.map((m) => m.messageId);

describe('search over the mirror', () => {
  it('folds accents and case both ways, and matches prefixes while typing', () => {
    const { mirror } = seeded();
    expect(ids(search(mirror.read, viewer, 'accion', 20))).toEqual(['m2']);
    expect(ids(search(mirror.read, viewer, 'ACCIÓN', 20))).toEqual(['m2']);
    expect(ids(search(mirror.read, viewer, 'rapida', 20))).toEqual(['m2']);
    // "fac" finds "factura" and "facturación"; newest (highest seq) first; the event line is not indexed.
    expect(ids(search(mirror.read, viewer, 'fac', 20))).toEqual(['m3', 'm1']);
    expect(ids(search(mirror.read, viewer, 'factura pedido', 20))).toEqual(['m1']);
    expect(search(mirror.read, viewer, 'pedi', 20).messages[0]).toMatchObject({
      conversationId: 'conv-1',
      contactName: 'José Núñez',
      snippet: expect.stringContaining('\u0002pedido\u0003'),
    });
    mirror.close();
  });

  it('finds contacts by name, email and phone, with or without accents and punctuation', () => {
    const { mirror } = seeded();
    const names = (q: string) => search(mirror.read, viewer, q, 20).contacts.map((c) => c.name);
    expect(names('JOSE')).toEqual(['José Núñez']);
    expect(names('nunez')).toEqual(['José Núñez']);
    expect(names('carla@demo')).toEqual(['Carla Díaz']);
    expect(names('jose.nunez@ejemplo.com')).toEqual(['José Núñez']);
    expect(names('99998888')).toEqual(['José Núñez']);
    expect(names('9999-8888')).toEqual(['José Núñez']);
    expect(names('+55 11 9999')).toEqual(['José Núñez']);
    expect(names('(11) 99998888')).toEqual(['José Núñez']);
    expect(names('diaz')).toEqual(['Carla Díaz']);
    expect(search(mirror.read, viewer, 'jose', 20).contacts[0]).toMatchObject({ conversationId: 'conv-1', phones: ['+55 11 9999-8888'] });
    mirror.close();
  });

  it('treats FTS syntax in what was typed as text: it never errors', () => {
    const { mirror } = seeded();
    for (const q of [
      '"',
      'fac"tura',
      'NEAR(a b)',
      'body:factura',
      '*',
      '-factura',
      'factura OR',
      '(',
      "'; DROP TABLE messages; --",
      'a',
      '',
      '   ',
    ])
      expect(() => search(mirror.read, viewer, q, 20)).not.toThrow();
    expect(ids(search(mirror.read, viewer, 'body:factura', 20))).toEqual([]); // "body" is a word here, and no message has it
    expect(ids(search(mirror.read, viewer, '"factura"', 20))).toEqual(['m3', 'm1']);
    expect(ftsQuery('fac"tura (pedido)')).toBe('"fac"* "tura"* "pedido"*');
    expect(ftsQuery('a')).toBeNull();
    mirror.close();
  });

  it('a revoked conversation is no longer found, and its words leave the index in the file', () => {
    const { path, mirror } = seeded([{ kind: 'message', row: inbound({ id: 'm9', seq: 9, body: 'Contraseña zanahoriaconfidencial' }) }]);
    expect(ids(search(mirror.read, viewer, 'zanahoria', 20))).toEqual(['m9']);
    applyChanges(mirror.db, { from: 3, to: 4, ops: [{ kind: 'revoke', conversationId: 'conv-1' }] });
    expect(search(mirror.read, viewer, 'zanahoria', 20).messages).toEqual([]);
    const other = new Database(path, { readonly: true });
    expect(other.prepare("SELECT COUNT(*) AS n FROM messages_fts WHERE messages_fts MATCH 'zanahoria*'").get()).toEqual({ n: 0 });
    // The index is consistent with its content table (an external-content index drifting would be corruption).
    other.close();
    mirror.db.prepare("INSERT INTO messages_fts (messages_fts, rank) VALUES ('integrity-check', 1)").run();
    mirror.db.pragma('wal_checkpoint(TRUNCATE)');
    mirror.close();
    expect(readFileSync(path).includes(Buffer.from('zanahoriaconfidencial'))).toBe(false);
  });

  it('plans: messages stream from the FTS index in rowid (seq) order, no scan of messages, no sort', () => {
    const { mirror } = seeded();
    const scope = scopeClause(viewer);
    const plan = (sql: string, ...params: unknown[]) =>
      (mirror.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((p) => p.detail).join('\n');
    const messages = plan(MESSAGE_SEARCH_SQL.replace('%SCOPE%', scope.sql), '"fac"*', ...scope.params, 20);
    expect(messages).toMatch(/SCAN f VIRTUAL TABLE INDEX/);
    expect(messages).toMatch(/SEARCH m USING INTEGER PRIMARY KEY/);
    expect(messages).not.toMatch(/SCAN m\b|TEMP B-TREE/);
    const contacts = plan(CONTACT_SEARCH_SQL, '"jo"*', 20);
    expect(contacts).toMatch(/SCAN f VIRTUAL TABLE INDEX/);
    expect(contacts).not.toMatch(/SCAN ct\b|TEMP B-TREE FOR ORDER BY/);
    mirror.close();
  });

  it('on a mirror of 100k messages a very common word returns the newest matches through the index', () => {
    const path = tempMirrorPath();
    const mirror = openMirror(path);
    writeSessionUser(mirror.db, ana);
    applySnapshotBegin(mirror.db, 'e');
    applySnapshotPage(mirror.db, [
      { kind: 'user', row: ana },
      { kind: 'inbox', row: inbox },
      { kind: 'contact', row: contact },
    ]);
    const words = ['pedido', 'factura', 'envío', 'cambio', 'devolución', 'garantía', 'tarjeta', 'dirección'];
    const conversations = 200;
    const ops: Op[] = [];
    for (let c = 0; c < conversations; c++) ops.push({ kind: 'conversation', row: conversation({ id: `conv-${c}` }) });
    applySnapshotPage(mirror.db, ops);
    const page: Op[] = [];
    for (let seq = 1; seq <= 100_000; seq++) {
      // Every message says "hola" (a very common term); one in 8 mentions each topic.
      page.push({
        kind: 'message',
        row: inbound({
          id: `msg-${seq}`,
          seq,
          conversationId: `conv-${seq % conversations}`,
          body: `Hola, consulta ${seq} sobre mi ${words[seq % 8]}`,
        }),
      });
      if (page.length === 5000) applySnapshotPage(mirror.db, page.splice(0));
    }
    applySnapshotEnd(mirror.db, 10);
    const hits = search(mirror.read, viewer, 'hola', 20);
    expect(hits.messages).toHaveLength(20);
    expect(hits.messages[0]!.messageId).toBe('msg-100000');
    expect(hits.messages.map((m) => m.messageId)).toEqual(Array.from({ length: 20 }, (_, i) => `msg-${100_000 - i}`));
    expect(search(mirror.read, viewer, 'devolucion 9999', 5).messages.map((m) => m.messageId)).toEqual(['msg-99996']);
    const scope = scopeClause(viewer);
    const plan = (
      mirror.db.prepare(`EXPLAIN QUERY PLAN ${MESSAGE_SEARCH_SQL.replace('%SCOPE%', scope.sql)}`).all('"hola"*', ...scope.params, 20) as {
        detail: string;
      }[]
    )
      .map((p) => p.detail)
      .join('\n');
    expect(plan).toMatch(/SCAN f VIRTUAL TABLE INDEX/);
    expect(plan).not.toMatch(/SCAN m\b|TEMP B-TREE/);
    mirror.close();
  });
});
