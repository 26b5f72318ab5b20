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
// a frame is applied as sent, whatever order its ops come in). Entities the agent can change also get
// an overlay table of the same shape (plus `deleted`) and a `<name>_view` laying it over base; every
// read goes through the views (see rebase.ts).
const OVERLAID: Record<string, string> = {
  users: `id TEXT PRIMARY KEY, name TEXT NOT NULL, email TEXT NOT NULL, role TEXT NOT NULL, active INTEGER NOT NULL,
    team_ids TEXT NOT NULL, presence TEXT NOT NULL, invited INTEGER NOT NULL, version INTEGER NOT NULL`,
  teams: 'id TEXT PRIMARY KEY, name TEXT NOT NULL, version INTEGER NOT NULL',
  inboxes: `id TEXT PRIMARY KEY, name TEXT NOT NULL, channel TEXT NOT NULL, team_id TEXT, settings TEXT NOT NULL,
    version INTEGER NOT NULL`,
  // phones/emails/custom/identities/field_versions are JSON; search_* are what contacts_fts indexes
  // (emails as written, phones as written plus their digit suffixes, see rows.ts phoneSearchText).
  contacts: `id TEXT PRIMARY KEY, name TEXT NOT NULL, phones TEXT NOT NULL, emails TEXT NOT NULL, owner_id TEXT,
    custom TEXT NOT NULL, identities TEXT NOT NULL, field_versions TEXT NOT NULL, merged_into_id TEXT,
    created_at INTEGER NOT NULL, version INTEGER NOT NULL, search_emails TEXT NOT NULL, search_phones TEXT NOT NULL`,
  saved_views: `id TEXT PRIMARY KEY, name TEXT NOT NULL, owner_id TEXT NOT NULL, team_id TEXT, filters TEXT NOT NULL,
    sort TEXT NOT NULL, version INTEGER NOT NULL`,
  contact_fields: `id TEXT PRIMARY KEY, key TEXT NOT NULL, label TEXT NOT NULL, type TEXT NOT NULL, options TEXT NOT NULL,
    active INTEGER NOT NULL, version INTEGER NOT NULL`,
  closing_categories: 'id TEXT PRIMARY KEY, name TEXT NOT NULL, active INTEGER NOT NULL, version INTEGER NOT NULL',
  // owner_id null = shared; attachment is JSON (or null).
  snippets: `id TEXT PRIMARY KEY, owner_id TEXT, title TEXT NOT NULL, shortcut TEXT NOT NULL, body TEXT NOT NULL,
    attachment TEXT, version INTEGER NOT NULL`,
  notifications: `id TEXT PRIMARY KEY, user_id TEXT NOT NULL, kind TEXT NOT NULL, conversation_id TEXT NOT NULL,
    message_id TEXT NOT NULL, by_id TEXT, created_at INTEGER NOT NULL, read_at INTEGER, version INTEGER NOT NULL`,
};

// Overlaid entities added after the first migration (each created by the migration that added it).
const OVERLAID_SINCE_2: Record<string, string> = {
  // A message template of one inbox, as an admin registered it (see domain.ts MessageTemplate).
  templates: `id TEXT PRIMARY KEY, inbox_id TEXT NOT NULL, name TEXT NOT NULL, language TEXT NOT NULL, category TEXT NOT NULL,
    body TEXT NOT NULL, status TEXT NOT NULL, version INTEGER NOT NULL`,
};

const OVERLAID_SINCE_3: Record<string, string> = {
  // This agent's reminders (Reminder in domain.ts); state only moves forward (rules/reminders.ts).
  reminders: `id TEXT PRIMARY KEY, user_id TEXT NOT NULL, conversation_id TEXT NOT NULL, due_at INTEGER NOT NULL, note TEXT,
    postpone INTEGER NOT NULL, state TEXT NOT NULL, created_at INTEGER NOT NULL, version INTEGER NOT NULL`,
};

/** Entities with an overlay table and a view (the conversations have their own, with `pending`). */
export const OVERLAID_TABLES = [...Object.keys(OVERLAID), ...Object.keys(OVERLAID_SINCE_2), ...Object.keys(OVERLAID_SINCE_3)];

function createOverlaid(db: Database.Database, tables: Record<string, string>): void {
  for (const [table, ddl] of Object.entries(tables)) {
    const cols = columnNames(ddl).join(', ');
    db.exec(`
      CREATE TABLE ${table} (${ddl}) STRICT;
      CREATE TABLE overlay_${table} (${ddl}, deleted INTEGER NOT NULL DEFAULT 0) STRICT;
      CREATE VIEW ${table}_view AS
        SELECT ${cols}, 1 AS pending FROM overlay_${table} WHERE deleted = 0
        UNION ALL
        SELECT ${cols}, 0 AS pending FROM ${table} WHERE id NOT IN (SELECT id FROM overlay_${table});
    `);
  }
}

function columnNames(ddl: string): string[] {
  return ddl.split(',').map((c) => c.trim().split(/\s+/)[0]!);
}

const CONVERSATION_COLUMNS = `id TEXT PRIMARY KEY, inbox_id TEXT NOT NULL, contact_id TEXT NOT NULL, team_id TEXT,
  assignee_id TEXT, status TEXT NOT NULL, unread_count INTEGER NOT NULL, last_message_at INTEGER NOT NULL,
  last_message_preview TEXT NOT NULL, last_customer_message_at INTEGER, waiting_since INTEGER, tags TEXT NOT NULL,
  bot_active INTEGER NOT NULL, closing_category_id TEXT, previous_conversation_id TEXT, created_at INTEGER NOT NULL,
  version INTEGER NOT NULL`;

const FTS_OPTIONS = `tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3'`;

const m001: Migration = {
  version: 1,
  name: 'base tables, meta, outbox, overlays, views, search',
  up: (db) => {
    db.exec('CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT');
    createOverlaid(db, OVERLAID);
    db.exec(`
      CREATE INDEX notifications_by_user ON notifications (user_id, created_at);
      CREATE TABLE contact_changes (
        id TEXT PRIMARY KEY, contact_id TEXT NOT NULL, field TEXT NOT NULL, before TEXT, after TEXT, by_id TEXT,
        at INTEGER NOT NULL, conflict INTEGER NOT NULL, version INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX contact_changes_by_contact ON contact_changes (contact_id, at);
      CREATE TABLE invites (id TEXT PRIMARY KEY, user_id TEXT NOT NULL, url TEXT NOT NULL, expires_at INTEGER NOT NULL,
        version INTEGER NOT NULL) STRICT;

      CREATE TABLE conversations (${CONVERSATION_COLUMNS}) STRICT;
      -- seq is the rowid: the timeline order, and the order search results stream in (newest first)
      -- straight from the FTS index, without sorting the matches.
      CREATE TABLE messages (
        seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, conversation_id TEXT NOT NULL, direction TEXT NOT NULL,
        kind TEXT NOT NULL, author_id TEXT, body TEXT NOT NULL, event TEXT, mentions TEXT NOT NULL,
        attachments TEXT NOT NULL DEFAULT '[]', state TEXT NOT NULL,
        error TEXT, created_at INTEGER NOT NULL, version INTEGER NOT NULL
      ) STRICT;
      -- A timeline is read in the server's seq order (never by clock or id: see Message.seq).
      CREATE INDEX messages_by_conversation ON messages (conversation_id, seq);

      CREATE TABLE outbox (
        mutation_id INTEGER PRIMARY KEY, name TEXT NOT NULL, args TEXT NOT NULL,
        -- The conversation it changes; null for contacts, views, notifications and admin changes.
        conversation_id TEXT,
        created_at INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT
      ) STRICT;
      CREATE INDEX outbox_by_conversation ON outbox (conversation_id, mutation_id);

      -- What the agent was writing in each conversation: this device only, never synced.
      CREATE TABLE drafts (conversation_id TEXT PRIMARY KEY, body TEXT NOT NULL, updated_at INTEGER NOT NULL) STRICT;

      -- Attachments (by sha256) the server already holds, or refused for good (error: its reason): a
      -- queued message's blobs are uploaded (PUT /blobs/<sha256>) before it is pushed, and a restart
      -- never uploads one twice nor retries a refused one.
      CREATE TABLE blob_uploads (
        sha256 TEXT PRIMARY KEY, state TEXT NOT NULL CHECK (state IN ('uploaded', 'refused')), error TEXT, at INTEGER NOT NULL
      ) STRICT;

      -- A message or note this device wrote: 'pending' until confirmed (then dropped: the base row
      -- replaces it), or 'failed' with the server's reason until the agent discards it.
      CREATE TABLE pending_messages (
        id TEXT PRIMARY KEY, mutation_id INTEGER NOT NULL, conversation_id TEXT NOT NULL, author_id TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('text', 'note')), body TEXT NOT NULL, mentions TEXT NOT NULL,
        attachments TEXT NOT NULL DEFAULT '[]',
        created_at INTEGER NOT NULL, state TEXT NOT NULL CHECK (state IN ('pending', 'failed')),
        error_code TEXT, error_message TEXT, error_params TEXT
      ) STRICT;
      CREATE INDEX pending_messages_by_conversation ON pending_messages (conversation_id, mutation_id);

      -- The conversation as it will be once the outbox's mutations for it are applied (see rebase.ts).
      CREATE TABLE overlay_conversations (${CONVERSATION_COLUMNS}) STRICT;

      -- Inbox lists filter by view (assignee, team) and status and sort by last activity.
      CREATE INDEX conversations_by_status ON conversations (status, last_message_at, id);
      CREATE INDEX conversations_by_assignee ON conversations (assignee_id, status, last_message_at, id);
      CREATE INDEX conversations_by_team ON conversations (team_id, status, last_message_at, id);
      CREATE INDEX conversations_by_contact ON conversations (contact_id, last_message_at);
      CREATE INDEX overlay_conversations_by_status ON overlay_conversations (status, last_message_at, id);

      CREATE VIEW conversations_view AS
        SELECT o.*, 1 AS pending FROM overlay_conversations o
        UNION ALL
        SELECT c.*, EXISTS (SELECT 1 FROM outbox x WHERE x.conversation_id = c.id) AS pending
          FROM conversations c WHERE c.id NOT IN (SELECT id FROM overlay_conversations);

      -- Confirmed messages carry the server's seq; this device's unconfirmed ones have none yet and
      -- come after them, in the order they were written (local_order = their mutation id).
      CREATE VIEW messages_view AS
        SELECT m.id, m.conversation_id, m.direction, m.kind, m.author_id, m.body, m.event, m.mentions, m.attachments,
               m.state AS delivery, m.error AS error_message, NULL AS error_code, NULL AS error_params, m.created_at,
               m.seq, NULL AS local_order, m.version
          FROM messages m
        UNION ALL
        SELECT p.id, p.conversation_id, 'out', p.kind, p.author_id, p.body, NULL, p.mentions, p.attachments, p.state,
               p.error_message, p.error_code, p.error_params, p.created_at, NULL, p.mutation_id, 0
          FROM pending_messages p WHERE p.id NOT IN (SELECT id FROM messages);

      -- Search (see search.ts). External content kept by triggers; event lines are not indexed.
      -- secure-delete: a purged row's words leave the index at once, not at the next merge.
      CREATE VIRTUAL TABLE messages_fts USING fts5(body, content = 'messages', content_rowid = 'seq', ${FTS_OPTIONS});
      INSERT INTO messages_fts (messages_fts, rank) VALUES ('secure-delete', 1);
      CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages WHEN new.kind <> 'event' BEGIN
        INSERT INTO messages_fts (rowid, body) VALUES (new.seq, new.body);
      END;
      -- While a snapshot empties the tables the index is dropped whole ('delete-all', see apply.ts):
      -- deleting 100k entries one by one would hold the mirror for a minute.
      CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages
        WHEN old.kind <> 'event' AND NOT EXISTS (SELECT 1 FROM meta WHERE key = 'clearingIndex') BEGIN
        INSERT INTO messages_fts (messages_fts, rowid, body) VALUES ('delete', old.seq, old.body);
      END;
      CREATE TRIGGER messages_fts_update AFTER UPDATE OF body, kind ON messages BEGIN
        INSERT INTO messages_fts (messages_fts, rowid, body) SELECT 'delete', old.seq, old.body WHERE old.kind <> 'event';
        INSERT INTO messages_fts (rowid, body) SELECT new.seq, new.body WHERE new.kind <> 'event';
      END;

      CREATE VIRTUAL TABLE contacts_fts USING fts5(name, search_emails, search_phones, content = 'contacts', ${FTS_OPTIONS});
      INSERT INTO contacts_fts (contacts_fts, rank) VALUES ('secure-delete', 1);
      CREATE TRIGGER contacts_fts_insert AFTER INSERT ON contacts BEGIN
        INSERT INTO contacts_fts (rowid, name, search_emails, search_phones)
          VALUES (new.rowid, new.name, new.search_emails, new.search_phones);
      END;
      CREATE TRIGGER contacts_fts_delete AFTER DELETE ON contacts
        WHEN NOT EXISTS (SELECT 1 FROM meta WHERE key = 'clearingIndex') BEGIN
        INSERT INTO contacts_fts (contacts_fts, rowid, name, search_emails, search_phones)
          VALUES ('delete', old.rowid, old.name, old.search_emails, old.search_phones);
      END;
      CREATE TRIGGER contacts_fts_update AFTER UPDATE OF name, search_emails, search_phones ON contacts BEGIN
        INSERT INTO contacts_fts (contacts_fts, rowid, name, search_emails, search_phones)
          VALUES ('delete', old.rowid, old.name, old.search_emails, old.search_phones);
        INSERT INTO contacts_fts (rowid, name, search_emails, search_phones)
          VALUES (new.rowid, new.name, new.search_emails, new.search_phones);
      END;
    `);
  },
};

const m002: Migration = {
  version: 2,
  name: 'templates; messages sent with a template or forwarded',
  up: (db) => {
    createOverlaid(db, OVERLAID_SINCE_2);
    db.exec(`
      CREATE INDEX templates_by_inbox ON templates (inbox_id, name);
      -- template: the TemplateUse as JSON (null for free text); forwarded: 0/1.
      ALTER TABLE messages ADD COLUMN template TEXT;
      ALTER TABLE messages ADD COLUMN forwarded INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE pending_messages ADD COLUMN template TEXT;
      ALTER TABLE pending_messages ADD COLUMN forwarded INTEGER NOT NULL DEFAULT 0;
      DROP VIEW messages_view;
      CREATE VIEW messages_view AS
        SELECT m.id, m.conversation_id, m.direction, m.kind, m.author_id, m.body, m.event, m.mentions, m.attachments,
               m.template, m.forwarded,
               m.state AS delivery, m.error AS error_message, NULL AS error_code, NULL AS error_params, m.created_at,
               m.seq, NULL AS local_order, m.version
          FROM messages m
        UNION ALL
        SELECT p.id, p.conversation_id, 'out', p.kind, p.author_id, p.body, NULL, p.mentions, p.attachments,
               p.template, p.forwarded, p.state,
               p.error_message, p.error_code, p.error_params, p.created_at, NULL, p.mutation_id, 0
          FROM pending_messages p WHERE p.id NOT IN (SELECT id FROM messages);
    `);
  },
};

const m003: Migration = {
  version: 3,
  name: 'reminders, snoozed until, reminders fired on this device',
  up: (db) => {
    createOverlaid(db, OVERLAID_SINCE_3);
    db.exec(`
      -- The scheduler asks for my soonest active reminder; lists ask for the soonest of a page's conversations.
      CREATE INDEX reminders_by_user ON reminders (user_id, state, due_at);
      CREATE INDEX reminders_by_conversation ON reminders (conversation_id, state, due_at);
      ALTER TABLE conversations ADD COLUMN snoozed_until INTEGER;
      ALTER TABLE overlay_conversations ADD COLUMN snoozed_until INTEGER;
      -- Rebuilt so its columns are those of the tables as they are now.
      DROP VIEW conversations_view;
      CREATE VIEW conversations_view AS
        SELECT o.*, 1 AS pending FROM overlay_conversations o
        UNION ALL
        SELECT c.*, EXISTS (SELECT 1 FROM outbox x WHERE x.conversation_id = c.id) AS pending
          FROM conversations c WHERE c.id NOT IN (SELECT id FROM overlay_conversations);
      -- Reminders this device already showed, at which due time (a moved reminder fires again). This
      -- device only: never synced, and a snapshot leaves it alone, so a reminder fires once per device,
      -- including one that came due while the app was closed.
      CREATE TABLE reminders_fired (
        reminder_id TEXT NOT NULL, due_at INTEGER NOT NULL, fired_at INTEGER NOT NULL, PRIMARY KEY (reminder_id, due_at)
      ) STRICT;
    `);
  },
};

// Saved views that filter on unread or waiting conversations read the status index in order and drop
// rows that do not match: on a tab where none match (closed ones are never unread nor waiting) that was
// every closed conversation, 80 ms over 50,000 (bench/benchmarks/inbox.ts). These partial indexes hold
// only the rows such a filter can return, in the list's order.
const m004: Migration = {
  version: 4,
  name: 'partial indexes for unread and waiting filters',
  up: (db) => {
    db.exec(`
      CREATE INDEX conversations_unread ON conversations (status, last_message_at, id) WHERE unread_count > 0;
      CREATE INDEX conversations_waiting ON conversations (status, last_message_at, id) WHERE waiting_since IS NOT NULL;
    `);
  },
};

// Search expands a long prefix into the words it covers (search.ts messageQuery): FTS5's own prefix
// query merges every such word's doclist first, 21 ms p50 for "pedido" over 1,000,000 messages. The
// vocabulary is read through fts5vocab, which stores nothing of its own.
const m005: Migration = {
  version: 5,
  name: 'search vocabulary',
  up: (db) => {
    db.exec('CREATE VIRTUAL TABLE messages_fts_terms USING fts5vocab(messages_fts, instance)');
  },
};

// The inbox counters (views.ts inboxCounts) ran one GROUP BY over the conversations per view: 28 of
// them for a supervisor, 0.4 s over 50,000 conversations, on the main thread after every change. Every
// built-in view and team queue is a sum over (team, assignee, status), so those tallies are kept here
// by triggers, for conversations_view exactly: an overlay row counts in place of the base row with its
// id. '' stands for no team or no assignee (a key with NULL would never conflict). A snapshot empties
// the table with the base tables (apply.ts), the triggers standing still meanwhile (clearingIndex).
const TALLY_KEY = `team_key, assignee_key, status`;
function tally(row: 'new' | 'old' | 'b', sign: 1 | -1, from = '', where = 'true'): string {
  return `INSERT INTO conversation_tallies (${TALLY_KEY}, n, waiting, unread)
    SELECT COALESCE(${row}.team_id, ''), COALESCE(${row}.assignee_id, ''), ${row}.status, ${sign},
      ${sign} * (${row}.status <> 'closed' AND ${row}.waiting_since IS NOT NULL), ${sign} * (${row}.status <> 'closed' AND ${row}.unread_count > 0)
    ${from} WHERE ${where}
    ON CONFLICT (${TALLY_KEY}) DO UPDATE SET n = n + excluded.n, waiting = waiting + excluded.waiting, unread = unread + excluded.unread;`;
}
const NOT_CLEARING = `NOT EXISTS (SELECT 1 FROM meta WHERE key = 'clearingIndex')`;
const m006: Migration = {
  version: 6,
  name: 'inbox tallies',
  up: (db) => {
    db.exec(`
      CREATE TABLE conversation_tallies (
        team_key TEXT NOT NULL, assignee_key TEXT NOT NULL, status TEXT NOT NULL,
        n INTEGER NOT NULL, waiting INTEGER NOT NULL, unread INTEGER NOT NULL,
        PRIMARY KEY (${TALLY_KEY})
      ) STRICT, WITHOUT ROWID;
      INSERT INTO conversation_tallies (${TALLY_KEY}, n, waiting, unread)
        SELECT COALESCE(team_id, ''), COALESCE(assignee_id, ''), status, COUNT(*),
               SUM(status <> 'closed' AND waiting_since IS NOT NULL), SUM(status <> 'closed' AND unread_count > 0)
          FROM conversations_view GROUP BY 1, 2, 3;

      CREATE TRIGGER conversations_tally_insert AFTER INSERT ON conversations
        WHEN NOT EXISTS (SELECT 1 FROM overlay_conversations o WHERE o.id = new.id) BEGIN
        ${tally('new', 1)}
      END;
      CREATE TRIGGER conversations_tally_update AFTER UPDATE OF team_id, assignee_id, status, waiting_since, unread_count ON conversations
        WHEN NOT EXISTS (SELECT 1 FROM overlay_conversations o WHERE o.id = new.id) BEGIN
        ${tally('old', -1)}
        ${tally('new', 1)}
      END;
      CREATE TRIGGER conversations_tally_delete AFTER DELETE ON conversations
        WHEN ${NOT_CLEARING} AND NOT EXISTS (SELECT 1 FROM overlay_conversations o WHERE o.id = old.id) BEGIN
        ${tally('old', -1)}
      END;
      CREATE TRIGGER overlay_conversations_tally_insert AFTER INSERT ON overlay_conversations BEGIN
        ${tally('new', 1)}
        ${tally('b', -1, 'FROM conversations b', 'b.id = new.id')}
      END;
      CREATE TRIGGER overlay_conversations_tally_update AFTER UPDATE OF team_id, assignee_id, status, waiting_since, unread_count ON overlay_conversations BEGIN
        ${tally('old', -1)}
        ${tally('new', 1)}
      END;
      CREATE TRIGGER overlay_conversations_tally_delete AFTER DELETE ON overlay_conversations WHEN ${NOT_CLEARING} BEGIN
        ${tally('old', -1)}
        ${tally('b', 1, 'FROM conversations b', 'b.id = old.id')}
      END;
    `);
  },
};

// A saved view "waiting more than N minutes" gains conversations as time passes, without any change to
// them: its counter (savedViewCounts.ts) asks for those whose wait began between its last bound and the
// new one. Without this index that read every waiting conversation (4.6 ms over 50,000 conversations, on
// each count); with it, the few that crossed.
const m007: Migration = {
  version: 7,
  name: 'waiting since index',
  up: (db) => {
    db.exec('CREATE INDEX conversations_waiting_since ON conversations (waiting_since) WHERE waiting_since IS NOT NULL');
  },
};

// A saved view filtering on a tag read the status index in order and tested each row's tags until it had a
// page: ~800 rows for 50 VIP closed conversations over 50,000 (2x the same page over 1,000). Here each
// (folded tag, conversation) of conversations_view is a row, keyed in the list's order within a tag and
// status, so a tag-filtered list reads its page from this index (views.ts tagListQuery). Kept by triggers
// like the tallies (an overlay row stands in place of its base row; a snapshot empties the table with the
// base tables, the triggers standing still under clearingIndex). tag_key is js_lower(tag), the folding
// matchesFilters uses; a conversation tagged "VIP" and "vip" has one row.
function addTags(row: 'new' | 'old' | 'b', from = '', where = 'true'): string {
  // ON CONFLICT, not OR IGNORE: an UPSERT that fires the trigger overrides the OR clause of its statements.
  return `INSERT INTO conversation_tags (tag_key, status, last_message_at, conversation_id)
    SELECT js_lower(t.value), ${row}.status, ${row}.last_message_at, ${row}.id ${from ? `${from}, ` : 'FROM '}json_each(${row}.tags) t WHERE ${where}
    ON CONFLICT DO NOTHING;`;
}
function dropTags(row: 'new' | 'old' | 'b', from = '', where = 'true'): string {
  return `DELETE FROM conversation_tags WHERE (tag_key, status, last_message_at, conversation_id) IN
    (SELECT js_lower(t.value), ${row}.status, ${row}.last_message_at, ${row}.id ${from ? `${from}, ` : 'FROM '}json_each(${row}.tags) t WHERE ${where});`;
}
const TAGGED = 'tags, status, last_message_at';
const m008: Migration = {
  version: 8,
  name: 'conversation tags index',
  up: (db) => {
    db.exec(`
      CREATE TABLE conversation_tags (
        tag_key TEXT NOT NULL, status TEXT NOT NULL, last_message_at INTEGER NOT NULL, conversation_id TEXT NOT NULL,
        PRIMARY KEY (tag_key, status, last_message_at, conversation_id)
      ) STRICT, WITHOUT ROWID;
      INSERT INTO conversation_tags (tag_key, status, last_message_at, conversation_id)
        SELECT DISTINCT js_lower(t.value), c.status, c.last_message_at, c.id FROM conversations_view c, json_each(c.tags) t;

      CREATE TRIGGER conversations_tags_insert AFTER INSERT ON conversations
        WHEN NOT EXISTS (SELECT 1 FROM overlay_conversations o WHERE o.id = new.id) BEGIN
        ${addTags('new')}
      END;
      CREATE TRIGGER conversations_tags_update AFTER UPDATE OF ${TAGGED} ON conversations
        WHEN NOT EXISTS (SELECT 1 FROM overlay_conversations o WHERE o.id = new.id) BEGIN
        ${dropTags('old')}
        ${addTags('new')}
      END;
      CREATE TRIGGER conversations_tags_delete AFTER DELETE ON conversations
        WHEN ${NOT_CLEARING} AND NOT EXISTS (SELECT 1 FROM overlay_conversations o WHERE o.id = old.id) BEGIN
        ${dropTags('old')}
      END;
      CREATE TRIGGER overlay_conversations_tags_insert AFTER INSERT ON overlay_conversations BEGIN
        ${dropTags('b', 'FROM conversations b', 'b.id = new.id')}
        ${addTags('new')}
      END;
      CREATE TRIGGER overlay_conversations_tags_update AFTER UPDATE OF ${TAGGED} ON overlay_conversations BEGIN
        ${dropTags('old')}
        ${addTags('new')}
      END;
      CREATE TRIGGER overlay_conversations_tags_delete AFTER DELETE ON overlay_conversations WHEN ${NOT_CLEARING} BEGIN
        ${dropTags('old')}
        ${addTags('b', 'FROM conversations b', 'b.id = old.id')}
      END;
    `);
  },
};

export const MIGRATIONS: readonly Migration[] = [m001, m002, m003, m004, m005, m006, m007, m008];

/** SQL functions the schema's triggers and queries call: every connection that writes a mirror needs them
 *  (migrate defines them). Tags compare case-insensitively the way JavaScript does (rules/visibility.ts
 *  matchesFilters); SQLite's own lower() only folds ASCII. */
export function defineSchemaFunctions(db: Database.Database): void {
  db.function('js_lower', { deterministic: true }, (v: unknown) => (typeof v === 'string' ? v.toLowerCase() : v));
}

export const LATEST_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/** Brings a mirror file up to LATEST_VERSION, each migration in its own transaction. */
export function migrate(db: Database.Database, migrations: readonly Migration[] = MIGRATIONS): number {
  defineSchemaFunctions(db);
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
