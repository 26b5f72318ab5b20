// Opening a mirror file: one writable handle, typed so read paths get a handle that cannot write.
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { watchConversationChanges } from './conversationChanges';
import { migrate } from './migrations';

export type WritableDb = Database.Database & { readonly __writable: true };
/** The same connection seen by read paths: only `prepare(...).get/all` style reads are reachable. */
export interface ReadonlyDb {
  prepare<P extends unknown[] | object = unknown[], R = unknown>(
    sql: string,
  ): P extends unknown[] ? ReadStatement<P, R> : ReadStatement<[P], R>;
}
export interface ReadStatement<P extends unknown[], R> {
  get(...params: P): R | undefined;
  all(...params: P): R[];
  readonly reader: boolean;
}

export interface Mirror {
  readonly path: string;
  readonly db: WritableDb;
  readonly read: ReadonlyDb;
  close(): void;
}

/** Statements kept compiled per SQL text. The core runs the same few hundred statements over and over
 *  (a recorded action ran about thirty, the badge and the reminder scheduler theirs after it), and
 *  compiling one costs as much as running it on these small lookups: 0.6 ms of every recorded action.
 *  Safe to share because nothing here iterates a statement (get/all/run finish and reset it) or changes
 *  its mode (pluck/raw/expand). Bounded: some SQL is built per call (IN lists, search terms). */
const STATEMENT_CACHE_SIZE = 500;

function cacheStatements(db: Database.Database): void {
  const compile = db.prepare.bind(db);
  const cache = new Map<string, Database.Statement>();
  db.prepare = ((sql: string) => {
    let stmt = cache.get(sql);
    if (stmt) {
      // Most recently used last, so the first key is the one to drop.
      cache.delete(sql);
    } else {
      stmt = compile(sql);
      if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
    }
    cache.set(sql, stmt);
    return stmt;
  }) as typeof db.prepare;
}

export function openMirror(path: string): Mirror {
  mkdirSync(dirname(path), { recursive: true });
  // A development run of the Electron app points at a better-sqlite3 addon built for Electron's ABI
  // (scripts/electron-native.mjs) while node_modules stays built for Node, which the tests use.
  const nativeBinding = process.env.BANDEJA_SQLITE_BINDING;
  const db = new Database(path, nativeBinding ? { nativeBinding } : {}) as WritableDb;
  try {
    db.pragma('journal_mode = WAL');
    // The outbox holds actions nobody else has yet: a power cut must not lose a committed one.
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    // A revoked conversation must leave no readable trace in the file's free pages.
    db.pragma('secure_delete = ON');
    db.pragma('busy_timeout = 5000');
    // Also defines the SQL functions the schema calls (js_lower: defineSchemaFunctions).
    migrate(db);
    cacheStatements(db);
    watchConversationChanges(db);
  } catch (e) {
    db.close();
    throw e;
  }
  return {
    path,
    db,
    read: db as unknown as ReadonlyDb,
    close: () => {
      if (db.open) db.close();
    },
  };
}
