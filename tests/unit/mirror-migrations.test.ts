import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openMirror } from '../../src-main/core/mirror/db';
import { LATEST_VERSION, migrate, type Migration } from '../../src-main/core/mirror/migrations';
import { tempMirrorPath } from './mirror-fixtures';

describe('mirror migrations', () => {
  it('creates a WAL file at the latest version with strict tables and the overlay views', () => {
    const path = tempMirrorPath();
    const mirror = openMirror(path);
    expect(mirror.db.pragma('user_version', { simple: true })).toBe(LATEST_VERSION);
    expect(mirror.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(mirror.db.pragma('synchronous', { simple: true })).toBe(2); // FULL
    const objects = mirror.db.prepare("SELECT type, name, sql FROM sqlite_master WHERE type IN ('table', 'view')").all() as {
      type: string;
      name: string;
      sql: string;
    }[];
    const names = objects.map((o) => o.name);
    for (const t of [
      'meta',
      'users',
      'teams',
      'inboxes',
      'contacts',
      'conversations',
      'messages',
      'outbox',
      'pending_messages',
      'overlay_conversations',
    ])
      expect(objects.find((o) => o.name === t)?.sql).toMatch(/STRICT\s*$/);
    expect(names).toEqual(expect.arrayContaining(['conversations_view', 'messages_view']));
    // A STRICT table refuses a value of the wrong type instead of storing it.
    expect(() =>
      mirror.db.prepare("INSERT INTO outbox (mutation_id, name, args, conversation_id, created_at) VALUES ('x', 'a', '{}', 'c', 1)").run(),
    ).toThrow();
    mirror.close();
    // Opening again changes nothing.
    const again = openMirror(path);
    expect(again.db.pragma('user_version', { simple: true })).toBe(LATEST_VERSION);
    again.close();
  });

  it('refuses a file written by a newer app, with a clear error, and leaves it untouched', () => {
    const path = tempMirrorPath();
    openMirror(path).close();
    const raw = new Database(path);
    raw.pragma(`user_version = ${LATEST_VERSION + 5}`);
    raw.close();
    expect(() => openMirror(path)).toThrow(/newer version of Bandeja/);
    const check = new Database(path, { readonly: true });
    expect(check.pragma('user_version', { simple: true })).toBe(LATEST_VERSION + 5);
    check.close();
  });

  it('runs each migration in a transaction: a failing one leaves the file at the previous version', () => {
    const db = new Database(tempMirrorPath());
    const list: Migration[] = [
      { version: 1, name: 'one', up: (d) => d.exec('CREATE TABLE a (x INTEGER) STRICT') },
      { version: 2, name: 'two', up: (d) => d.exec('CREATE TABLE b (x INTEGER) STRICT; SELECT no_such_function()') },
    ];
    expect(() => migrate(db, list)).toThrow();
    expect(db.pragma('user_version', { simple: true })).toBe(1);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'b'").get()).toBeUndefined();
    expect(() => migrate(db, [list[0]!, { ...list[1]!, version: 3 }])).toThrow(/out of order/);
    db.close();
  });
});
