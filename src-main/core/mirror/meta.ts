// The mirror's own bookkeeping: client id, sync cursor, next mutation id, the signed-in user.
import { v7 as uuidv7 } from 'uuid';
import type { User } from '../../../src-shared/domain';
import type { ReadonlyDb, WritableDb } from './db';

type MetaKey = 'clientId' | 'epoch' | 'cursor' | 'nextMutationId' | 'user';

function get(db: ReadonlyDb, key: MetaKey): string | null {
  const row = db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?').get(key);
  return row ? row.value : null;
}

function set(db: WritableDb, key: MetaKey, value: string | null): void {
  if (value === null) db.prepare('DELETE FROM meta WHERE key = ?').run(key);
  else db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
}

/** The device's id toward the server: made once per mirror, kept forever (it numbers the mutations). */
export function clientId(db: WritableDb): string {
  const existing = get(db, 'clientId');
  if (existing) return existing;
  const id = uuidv7();
  set(db, 'clientId', id);
  return id;
}

export interface Cursor {
  epoch: string | null;
  version: number | null;
}

export function readCursor(db: ReadonlyDb): Cursor {
  const version = get(db, 'cursor');
  return { epoch: get(db, 'epoch'), version: version === null ? null : Number(version) };
}

export function writeCursor(db: WritableDb, cursor: Cursor): void {
  set(db, 'epoch', cursor.epoch);
  set(db, 'cursor', cursor.version === null ? null : String(cursor.version));
}

/** Takes the next mutation id (1, 2, 3…, never reused). Call inside the recording transaction. */
export function takeMutationId(db: WritableDb): number {
  const next = Number(get(db, 'nextMutationId') ?? '1');
  set(db, 'nextMutationId', String(next + 1));
  return next;
}

export function readSessionUser(db: ReadonlyDb): User | null {
  const raw = get(db, 'user');
  return raw ? (JSON.parse(raw) as User) : null;
}

export function writeSessionUser(db: WritableDb, user: User): void {
  set(db, 'user', JSON.stringify(user));
}
