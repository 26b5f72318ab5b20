// (a) Mirror catch-up: 100,000 change ops (new messages and the conversation rows they update, as the
// server logs them) applied through the real path (applyChanges, one transaction per 1,000-op frame,
// CHANGE_PAGE_ROWS) onto a copy of the dataset's mirror, against raw better-sqlite3 inserts of the same
// rows into another copy (same schema, indexes and search triggers; prepared statements, same
// transactions). Also reported: raw inserts into bare tables (no indexes, no triggers).
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { applyChanges } from '../../src-main/core/mirror/apply';
import { openMirror } from '../../src-main/core/mirror/db';
import { defineSchemaFunctions } from '../../src-main/core/mirror/migrations';
import { readCursor } from '../../src-main/core/mirror/meta';
import { CHANGE_PAGE_ROWS } from '../../src-server/sync/connection';
import type { Conversation, Message } from '../../src-shared/domain';
import type { Op } from '../../src-shared/protocol';
import { copyMirror, type BenchContext } from '../lib/context';
import { Random } from '../lib/random';
import { messageBody } from '../lib/texts';
import { ms, round, type Result } from '../lib/measure';
import { conversationFromRow, CONVERSATION_COLUMNS, type ConversationRow } from '../../src-main/core/mirror/rows';

const OPS = 100_000;

function makeFrames(path: string): {
  frames: { from: number; to: number; ops: Op[] }[];
  messages: Message[];
  conversations: Conversation[];
} {
  const db = new Database(path, { readonly: true });
  const convs = db
    .prepare<[], ConversationRow>(`SELECT ${CONVERSATION_COLUMNS} FROM conversations WHERE status <> 'closed' ORDER BY id`)
    .all()
    .map(conversationFromRow);
  let seq = (db.prepare('SELECT max(seq) AS s FROM messages').get() as { s: number }).s;
  let version = readCursor(db as never).version ?? 2;
  db.close();
  const rnd = new Random(11);
  const frames: { from: number; to: number; ops: Op[] }[] = [];
  const messages: Message[] = [];
  const conversations: Conversation[] = [];
  let ops: Op[] = [];
  let from = version;
  let now = Date.UTC(2026, 6, 1);
  while (messages.length + conversations.length < OPS) {
    const c = convs[rnd.int(convs.length)]!;
    version++;
    now += 1000;
    const m: Message = {
      id: rnd.uuid7(now),
      conversationId: c.id,
      direction: 'in',
      kind: 'text',
      authorId: null,
      body: messageBody(rnd, rnd.chance(0.5) ? 'es' : 'pt', 'customer'),
      event: null,
      mentions: [],
      attachments: [],
      template: null,
      forwarded: false,
      state: 'read',
      error: null,
      createdAt: now,
      seq: ++seq,
      version,
    };
    const row: Conversation = {
      ...c,
      unreadCount: c.unreadCount + 1,
      lastMessageAt: now,
      lastCustomerMessageAt: now,
      waitingSince: c.waitingSince ?? now,
      version,
    };
    Object.assign(c, row);
    messages.push(m);
    conversations.push(row);
    ops.push({ kind: 'message', row: m }, { kind: 'conversation', row });
    if (ops.length >= CHANGE_PAGE_ROWS) {
      frames.push({ from, to: version, ops });
      from = version;
      ops = [];
    }
  }
  if (ops.length) frames.push({ from, to: version, ops });
  return { frames, messages, conversations };
}

const MESSAGE_INSERT = `INSERT INTO messages (seq, id, conversation_id, direction, kind, author_id, body, event, mentions, attachments, state, error, created_at, version)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;
const CONVERSATION_REPLACE = `INSERT OR REPLACE INTO conversations (${CONVERSATION_COLUMNS}) VALUES (${CONVERSATION_COLUMNS.split(',')
  .map(() => '?')
  .join(', ')})`;

function rawInsert(db: Database.Database, frames: { ops: Op[] }[]): number {
  const msg = db.prepare(MESSAGE_INSERT);
  const conv = db.prepare(CONVERSATION_REPLACE);
  const t = process.hrtime.bigint();
  for (const frame of frames) {
    db.transaction(() => {
      for (const op of frame.ops) {
        if (op.kind === 'message') {
          const m = op.row;
          msg.run(
            m.seq,
            m.id,
            m.conversationId,
            m.direction,
            m.kind,
            m.authorId,
            m.body,
            null,
            '[]',
            '[]',
            m.state,
            m.error,
            m.createdAt,
            m.version,
          );
        } else if (op.kind === 'conversation') {
          const c = op.row;
          conv.run(
            c.id,
            c.inboxId,
            c.contactId,
            c.teamId,
            c.assigneeId,
            c.status,
            c.unreadCount,
            c.lastMessageAt,
            c.lastMessagePreview,
            c.lastCustomerMessageAt,
            c.waitingSince,
            JSON.stringify(c.tags),
            c.botActive ? 1 : 0,
            c.closingCategoryId,
            c.previousConversationId,
            c.snoozedUntil,
            c.createdAt,
            c.version,
          );
        }
      }
    })();
  }
  return ms(t);
}

export async function catchUp(ctx: BenchContext): Promise<Result> {
  const realPath = copyMirror(ctx, ctx.data.mirror, 'catchup-real.sqlite');
  const rawPath = copyMirror(ctx, ctx.data.mirror, 'catchup-raw.sqlite');
  const { frames } = makeFrames(realPath);
  const opsCount = frames.reduce((n, f) => n + f.ops.length, 0);

  // The same apply without the inbox tallies' triggers (mirror migration 6), to show what they cost.
  const untalliedPath = copyMirror(ctx, ctx.data.mirror, 'catchup-untallied.sqlite');
  const untallied = openMirror(untalliedPath);
  for (const { name } of untallied.db
    .prepare<[], { name: string }>("SELECT name FROM sqlite_schema WHERE type = 'trigger' AND name LIKE '%tally%'")
    .all())
    untallied.db.exec(`DROP TRIGGER ${name}`);
  const tu = process.hrtime.bigint();
  for (const frame of frames) applyChanges(untallied.db, frame);
  const untalliedMs = ms(tu);
  untallied.close();

  const real = openMirror(realPath);
  const t = process.hrtime.bigint();
  for (const frame of frames) applyChanges(real.db, frame);
  const realMs = ms(t);
  real.close();

  // The raw reference runs on the same file settings as a mirror (WAL, synchronous FULL).
  const raw = new Database(rawPath);
  // The file's triggers call js_lower (mirror migration 8) once the dataset's mirror has it.
  defineSchemaFunctions(raw);
  raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = FULL');
  const rawMs = rawInsert(raw, frames);
  raw.close();

  const bare = new Database(join(ctx.work, 'catchup-bare.sqlite'));
  bare.pragma('journal_mode = WAL');
  bare.pragma('synchronous = FULL');
  bare.exec(`CREATE TABLE messages (seq INTEGER PRIMARY KEY, id TEXT, conversation_id TEXT, direction TEXT, kind TEXT, author_id TEXT, body TEXT,
    event TEXT, mentions TEXT, attachments TEXT, state TEXT, error TEXT, created_at INTEGER, version INTEGER);
    CREATE TABLE conversations (id TEXT PRIMARY KEY, inbox_id TEXT, contact_id TEXT, team_id TEXT, assignee_id TEXT, status TEXT, unread_count INTEGER,
    last_message_at INTEGER, last_message_preview TEXT, last_customer_message_at INTEGER, waiting_since INTEGER, tags TEXT, bot_active INTEGER,
    closing_category_id TEXT, previous_conversation_id TEXT, snoozed_until INTEGER, created_at INTEGER, version INTEGER);`);
  const bareMs = rawInsert(bare, frames);
  bare.close();

  const rate = (n: number, msTaken: number) => Math.round((n / msTaken) * 1000);
  const ratio = rate(opsCount, realMs) / rate(opsCount, rawMs);
  return {
    name: 'mirror catch-up',
    ratioLabel: 'apply rate / raw insert rate (same schema)',
    ratio: round(ratio, 3),
    target: '>= 0.30',
    met: ratio >= 0.3,
    figures: {
      ops: opsCount,
      frames: frames.length,
      applyMs: round(realMs),
      applyOpsPerSec: rate(opsCount, realMs),
      rawOpsPerSec: rate(opsCount, rawMs),
      bareTablesOpsPerSec: rate(opsCount, bareMs),
      ratioVsBareTables: round(rate(opsCount, realMs) / rate(opsCount, bareMs), 3),
      applyOpsPerSecWithoutTallies: rate(opsCount, untalliedMs),
      talliesSlowdown: round(realMs / untalliedMs, 3),
    },
    notes: [],
  };
}
