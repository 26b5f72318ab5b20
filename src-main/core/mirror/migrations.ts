// Numbered mirror migrations. The list only grows: never edit one that has landed, add the next.
// The file's version lives in PRAGMA user_version; a file written by a newer app is refused.
import type Database from 'better-sqlite3';
import { BandejaError } from '../../../src-shared/errors';

export interface Migration {
  version: number;
  name: string;
  up: (db: Database.Database) => void;
}

// Base tables hold only server-confirmed rows, exactly as the server sent them (no foreign keys:
// a frame is applied as sent, whatever order its ops come in).
const m001: Migration = {
  version: 1,
  name: 'base tables, meta, outbox, overlays, views',
  up: (db) => {
    db.exec(`
      CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;

      CREATE TABLE users (
        id TEXT PRIMARY KEY, name TEXT NOT NULL, email TEXT NOT NULL, role TEXT NOT NULL,
        active INTEGER NOT NULL, team_ids TEXT NOT NULL, version INTEGER NOT NULL
      ) STRICT;
      CREATE TABLE teams (id TEXT PRIMARY KEY, name TEXT NOT NULL, version INTEGER NOT NULL) STRICT;
      CREATE TABLE inboxes (
        id TEXT PRIMARY KEY, name TEXT NOT NULL, channel TEXT NOT NULL, team_id TEXT, version INTEGER NOT NULL
      ) STRICT;
      CREATE TABLE contacts (
        id TEXT PRIMARY KEY, name TEXT NOT NULL, email TEXT, phone TEXT, created_at INTEGER NOT NULL,
        version INTEGER NOT NULL
      ) STRICT;
      CREATE TABLE conversations (
        id TEXT PRIMARY KEY, inbox_id TEXT NOT NULL, contact_id TEXT NOT NULL, team_id TEXT, assignee_id TEXT,
        status TEXT NOT NULL, unread_count INTEGER NOT NULL, last_message_at INTEGER NOT NULL,
        last_message_preview TEXT NOT NULL, last_customer_message_at INTEGER, waiting_since INTEGER,
        created_at INTEGER NOT NULL, version INTEGER NOT NULL
      ) STRICT;
      CREATE TABLE messages (
        id TEXT PRIMARY KEY, conversation_id TEXT NOT NULL, direction TEXT NOT NULL, kind TEXT NOT NULL,
        author_id TEXT, body TEXT NOT NULL, event TEXT, state TEXT NOT NULL, error TEXT,
        created_at INTEGER NOT NULL, seq INTEGER NOT NULL, version INTEGER NOT NULL
      ) STRICT;
      -- A timeline is read in the server's seq order (never by clock or id: see Message.seq).
      CREATE INDEX messages_by_conversation ON messages (conversation_id, seq);

      CREATE TABLE outbox (
        mutation_id INTEGER PRIMARY KEY, name TEXT NOT NULL, args TEXT NOT NULL, conversation_id TEXT NOT NULL,
        created_at INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT
      ) STRICT;
      CREATE INDEX outbox_by_conversation ON outbox (conversation_id, mutation_id);

      -- A message this device sent: 'pending' until confirmed (then dropped: the base row replaces it),
      -- or 'failed' with the server's reason until the agent discards it.
      CREATE TABLE pending_messages (
        id TEXT PRIMARY KEY, mutation_id INTEGER NOT NULL, conversation_id TEXT NOT NULL, author_id TEXT NOT NULL,
        body TEXT NOT NULL, created_at INTEGER NOT NULL, state TEXT NOT NULL CHECK (state IN ('pending', 'failed')),
        error_code TEXT, error_message TEXT, error_params TEXT
      ) STRICT;
      CREATE INDEX pending_messages_by_conversation ON pending_messages (conversation_id, mutation_id);

      -- The conversation as it will be once the outbox's mutations for it are applied (see rebase.ts).
      CREATE TABLE overlay_conversations (
        id TEXT PRIMARY KEY, inbox_id TEXT NOT NULL, contact_id TEXT NOT NULL, team_id TEXT, assignee_id TEXT,
        status TEXT NOT NULL, unread_count INTEGER NOT NULL, last_message_at INTEGER NOT NULL,
        last_message_preview TEXT NOT NULL, last_customer_message_at INTEGER, waiting_since INTEGER,
        created_at INTEGER NOT NULL, version INTEGER NOT NULL
      ) STRICT;

      -- Inbox lists filter by assignee and status and sort by last message time.
      CREATE INDEX conversations_by_status ON conversations (status, last_message_at, id);
      CREATE INDEX conversations_by_assignee ON conversations (assignee_id, status, last_message_at, id);
      CREATE INDEX overlay_conversations_by_status ON overlay_conversations (status, last_message_at, id);

      CREATE VIEW conversations_view AS
        SELECT o.*, 1 AS pending FROM overlay_conversations o
        UNION ALL
        SELECT c.*, EXISTS (SELECT 1 FROM outbox x WHERE x.conversation_id = c.id) AS pending
          FROM conversations c WHERE c.id NOT IN (SELECT id FROM overlay_conversations);

      -- Confirmed messages carry the server's seq; this device's unconfirmed ones have none yet and
      -- come after them, in the order they were written (local_order = their mutation id).
      CREATE VIEW messages_view AS
        SELECT m.id, m.conversation_id, m.direction, m.kind, m.author_id, m.body, m.event, m.state AS delivery,
               m.error AS error_message, NULL AS error_code, NULL AS error_params, m.created_at, m.seq,
               NULL AS local_order, m.version
          FROM messages m
        UNION ALL
        SELECT p.id, p.conversation_id, 'out', 'text', p.author_id, p.body, NULL, p.state,
               p.error_message, p.error_code, p.error_params, p.created_at, NULL, p.mutation_id, 0
          FROM pending_messages p WHERE p.id NOT IN (SELECT id FROM messages);
    `);
  },
};

export const MIGRATIONS: readonly Migration[] = [m001];

export const LATEST_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/** Brings a mirror file up to LATEST_VERSION, each migration in its own transaction. */
export function migrate(db: Database.Database, migrations: readonly Migration[] = MIGRATIONS): number {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`Mirror migration list is out of order at ${m.name} (${m.version}).`);
  });
  const latest = migrations.length;
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > latest)
    throw new BandejaError(
      'INTERNAL',
      `The local mirror ${db.name} was written by a newer version of Bandeja (schema ${current}, this app knows ${latest}). Update Bandeja or sign in with another data folder.`,
    );
  for (const m of migrations) {
    if (m.version <= current) continue;
    db.transaction(() => {
      m.up(db);
      db.pragma(`user_version = ${m.version}`);
    })();
  }
  return latest;
}
