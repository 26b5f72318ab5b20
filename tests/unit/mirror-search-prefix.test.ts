// Search for long prefixes ("pedido", "devoluc") goes through the words the index holds (messageQuery)
// instead of FTS5's own prefix query: the results must be the very same messages, newest first, as
// the prefix query gives, for common words, rare ones, accents, several words and words with no match.
import { describe, expect, it } from 'vitest';
import { applyChanges, applySnapshotBegin, applySnapshotEnd, applySnapshotPage } from '../../src-main/core/mirror/apply';
import { openMirror, type Mirror } from '../../src-main/core/mirror/db';
import { writeSessionUser } from '../../src-main/core/mirror/meta';
import { MESSAGE_SEARCH_SQL, ftsQuery, messageQuery, search } from '../../src-main/core/mirror/search';
import { scopeClause } from '../../src-main/core/mirror/views';
import type { Op } from '../../src-shared/protocol';
import { ana, contact, conversation, inbound, inbox, tempMirrorPath } from './mirror-fixtures';

const viewer = { id: ana.id, role: ana.role, teamIds: ana.teamIds };
const WORDS = [
  'pedido',
  'pedidos',
  'pediu',
  'pedí',
  'Pedimos',
  'factura',
  'facturación',
  'devolución',
  'DEVOLUCIONES',
  'straße',
  'código',
  'codigos',
  'coisa',
];

function bigMirror(messages: number): Mirror {
  const mirror = openMirror(tempMirrorPath());
  writeSessionUser(mirror.db, ana);
  applySnapshotBegin(mirror.db, 'e');
  const ops: Op[] = [
    { kind: 'user', row: ana },
    { kind: 'inbox', row: inbox },
    { kind: 'contact', row: contact },
  ];
  for (let c = 0; c < 50; c++) ops.push({ kind: 'conversation', row: conversation({ id: `conv-${c}` }) });
  applySnapshotPage(mirror.db, ops);
  const page: Op[] = [];
  for (let seq = 1; seq <= messages; seq++) {
    // A deterministic mix: some words in most messages, some in few, accents and case varying.
    const body = `Hola ${WORDS[seq % WORDS.length]} ${seq % 7 === 0 ? WORDS[(seq * 3) % WORDS.length] : 'gracias'} nº${seq}`;
    page.push({ kind: 'message', row: inbound({ id: `msg-${seq}`, seq, conversationId: `conv-${seq % 50}`, body }) });
    if (page.length === 2000) applySnapshotPage(mirror.db, page.splice(0));
  }
  applySnapshotPage(mirror.db, page);
  applySnapshotEnd(mirror.db, 10);
  return mirror;
}

/** What search returned before: FTS5's own prefix query for every word. */
function byPrefixQuery(mirror: Mirror, input: string, limit: number): string[] {
  const q = ftsQuery(input);
  if (!q) return [];
  const scope = scopeClause(viewer);
  return mirror.read
    .prepare<unknown[], { message_id: string }>(MESSAGE_SEARCH_SQL.replace('%SCOPE%', scope.sql))
    .all(q, ...scope.params, limit)
    .map((r) => r.message_id);
}

const ids = (mirror: Mirror, input: string, limit: number) => search(mirror.read, viewer, input, limit).messages.map((m) => m.messageId);

describe('search by the words a long prefix covers', () => {
  it('finds the same messages, newest first, as the prefix query for every kind of input', () => {
    const mirror = bigMirror(6000);
    const inputs = [
      'pedido',
      'PEDIDO',
      'pedi',
      'Pedí',
      'pedid',
      'factur',
      'facturacion',
      'facturación',
      'devoluc',
      'DEVOLUCIÓN',
      'devoluciones',
      'codigo',
      'códigos',
      'hola pedido',
      'pedido factura',
      'gracias devol',
      'straße',
      'strasse',
      'coisas',
      'zzzz',
      'pedido zzzz',
      'co',
      'ped',
      'nº12',
      '4321',
    ];
    for (const input of inputs)
      for (const limit of [1, 20, 5000])
        expect({ input, limit, ids: ids(mirror, input, limit) }).toEqual({ input, limit, ids: byPrefixQuery(mirror, input, limit) });
    // Common words really do fill the page, from the newest message down.
    expect(ids(mirror, 'hola', 3)).toEqual(['msg-6000', 'msg-5999', 'msg-5998']);
    expect(ids(mirror, 'pedido', 5000).length).toBeGreaterThan(500);
    mirror.close();
  });

  it('asks FTS5 for whole words when the index holds few enough of them, and keeps the prefix otherwise', () => {
    const mirror = bigMirror(500);
    // "pedi" covers pedido, pedidos, pediu, pedi (from "pedí") and pedimos.
    expect(messageQuery(mirror.read, 'Pedi')).toBe('("pedi" OR "pedido" OR "pedidos" OR "pedimos" OR "pediu")');
    expect(messageQuery(mirror.read, 'devoluciónes')).toBe('"devoluciones"');
    expect(messageQuery(mirror.read, 'hola devol')).toBe('"hola" AND ("devolucion" OR "devoluciones")');
    // Two- and three-letter prefixes have their own index; letters whose folding is not certain keep FTS5's.
    expect(messageQuery(mirror.read, 'co ped')).toBe('"co"* AND "ped"*');
    expect(messageQuery(mirror.read, 'straße')).toBe('"straße"*');
    // A word no message has: nothing can match, and nothing is asked.
    expect(messageQuery(mirror.read, 'hola zzzz')).toBe('');
    mirror.close();
  });

  it('follows the index as messages arrive and leave', () => {
    const mirror = bigMirror(100);
    expect(ids(mirror, 'zanahoria', 20)).toEqual([]);
    applyChanges(mirror.db, {
      from: 10,
      to: 11,
      ops: [{ kind: 'message', row: inbound({ id: 'new-1', seq: 1000, conversationId: 'conv-1', body: 'Quiero zanahorias' }) }],
    });
    expect(ids(mirror, 'zanahoria', 20)).toEqual(['new-1']);
    expect(ids(mirror, 'zanahoria', 20)).toEqual(byPrefixQuery(mirror, 'zanahoria', 20));
    applyChanges(mirror.db, { from: 11, to: 12, ops: [{ kind: 'revoke', conversationId: 'conv-1' }] });
    expect(ids(mirror, 'zanahoria', 20)).toEqual([]);
    mirror.close();
  });
});
