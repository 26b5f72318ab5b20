// Writes the dataset into a server store: the real migrations, then bulk SQL (unnest batches) into
// the real tables. No change log: the tenant's log floor is its version, so a client whose cursor is
// that version is up to date and any other bootstraps, as after a log trim.
import { hashPassword } from '../../src-server/auth/passwords';
import { tokenHash } from '../../src-server/auth/sessions';
import type { Db } from '../../src-server/store/db';
import { migrate } from '../../src-server/store/migrate';
import type { Conversation, Message } from '../../src-shared/domain';
import { BENCH_PASSWORD, EPOCH, T0, TENANT_ID, VERSION, tokenOf, type Directory } from './dataset';

const json = (v: unknown) => JSON.stringify(v);

/** INSERT ... SELECT FROM unnest($1::t1[], $2::t2[], ...): one round trip for a whole batch. */
async function bulk(db: Db, table: string, columns: [name: string, type: string][], rows: unknown[][], overriding = false): Promise<void> {
  if (rows.length === 0) return;
  const arrays = columns.map((_, c) => rows.map((r) => r[c] ?? null));
  const select = columns.map(([, type], i) => (type === 'jsonb' ? `$${i + 1}::text[]` : `$${i + 1}::${type}[]`));
  const casts = columns.map(([name, type]) => (type === 'jsonb' ? `${name}::jsonb` : name));
  await db.query(
    `INSERT INTO ${table} (${columns.map(([n]) => n).join(', ')}) ${overriding ? 'OVERRIDING SYSTEM VALUE ' : ''}
     SELECT ${casts.join(', ')} FROM unnest(${select.join(', ')}) AS t(${columns.map(([n]) => n).join(', ')})`,
    arrays,
  );
}

export async function writeDirectory(db: Db, dir: Directory): Promise<void> {
  await migrate(db);
  const hash = await hashPassword(BENCH_PASSWORD);
  await db.query('INSERT INTO tenants (id, name, version, epoch, log_floor, created_at) VALUES ($1, $2, $3, $4, $3, $5)', [
    TENANT_ID,
    'Bench',
    VERSION,
    EPOCH,
    T0,
  ]);
  await bulk(
    db,
    'teams',
    [
      ['id', 'text'],
      ['tenant_id', 'text'],
      ['name', 'text'],
      ['version', 'bigint'],
    ],
    dir.teams.map((t) => [t.id, TENANT_ID, t.name, t.version]),
  );
  await bulk(
    db,
    'users',
    [
      ['id', 'text'],
      ['tenant_id', 'text'],
      ['email', 'text'],
      ['name', 'text'],
      ['role', 'text'],
      ['password_hash', 'text'],
      ['version', 'bigint'],
    ],
    dir.users.map((u) => [u.id, TENANT_ID, u.email, u.name, u.role, hash, u.version]),
  );
  await bulk(
    db,
    'team_members',
    [
      ['team_id', 'text'],
      ['user_id', 'text'],
    ],
    dir.users.flatMap((u) => u.teamIds.map((t) => [t, u.id])),
  );
  await bulk(
    db,
    'sessions',
    [
      ['token_hash', 'text'],
      ['user_id', 'text'],
      ['created_at', 'bigint'],
      ['last_seen_at', 'bigint'],
    ],
    // Sessions have an idle and an absolute lifetime (auth/sessions.ts): they start when the store is built.
    dir.users.map((u) => [tokenHash(tokenOf(u.id)), u.id, Date.now(), Date.now()]),
  );
  await bulk(
    db,
    'inboxes',
    [
      ['id', 'text'],
      ['tenant_id', 'text'],
      ['name', 'text'],
      ['channel', 'text'],
      ['team_id', 'text'],
      ['slug', 'text'],
      ['version', 'bigint'],
    ],
    dir.inboxes.map((i) => [i.id, TENANT_ID, i.name, i.channel, i.teamId, i.slug, i.version]),
  );
  for (let i = 0; i < dir.contacts.length; i += 5000)
    await bulk(
      db,
      'contacts',
      [
        ['id', 'text'],
        ['tenant_id', 'text'],
        ['name', 'text'],
        ['phones', 'jsonb'],
        ['emails', 'jsonb'],
        ['created_at', 'bigint'],
        ['version', 'bigint'],
      ],
      dir.contacts.slice(i, i + 5000).map((c) => [c.id, TENANT_ID, c.name, json(c.phones), json(c.emails), c.createdAt, c.version]),
    );
  await bulk(
    db,
    'saved_views',
    [
      ['id', 'text'],
      ['tenant_id', 'text'],
      ['owner_id', 'text'],
      ['team_id', 'text'],
      ['name', 'text'],
      ['filters', 'jsonb'],
      ['sort', 'text'],
      ['version', 'bigint'],
    ],
    dir.savedViews.map((v) => [v.id, TENANT_ID, v.ownerId, v.teamId, v.name, json(v.filters), v.sort, v.version]),
  );
}

export async function writeConversations(db: Db, conversations: readonly Conversation[]): Promise<void> {
  for (let i = 0; i < conversations.length; i += 5000)
    await bulk(
      db,
      'conversations',
      [
        ['id', 'text'],
        ['tenant_id', 'text'],
        ['inbox_id', 'text'],
        ['contact_id', 'text'],
        ['team_id', 'text'],
        ['assignee_id', 'text'],
        ['status', 'text'],
        ['unread_count', 'integer'],
        ['last_message_at', 'bigint'],
        ['last_message_preview', 'text'],
        ['last_customer_message_at', 'bigint'],
        ['waiting_since', 'bigint'],
        ['tags', 'jsonb'],
        ['created_at', 'bigint'],
        ['version', 'bigint'],
      ],
      conversations
        .slice(i, i + 5000)
        .map((c) => [
          c.id,
          TENANT_ID,
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
          json(c.tags),
          c.createdAt,
          c.version,
        ]),
    );
}

export async function writeMessages(db: Db, messages: readonly Message[]): Promise<void> {
  await bulk(
    db,
    'messages',
    [
      ['id', 'text'],
      ['tenant_id', 'text'],
      ['conversation_id', 'text'],
      ['direction', 'text'],
      ['kind', 'text'],
      ['author_id', 'text'],
      ['body', 'text'],
      ['event', 'jsonb'],
      ['state', 'text'],
      ['created_at', 'bigint'],
      ['seq', 'bigint'],
      ['version', 'bigint'],
    ],
    messages.map((m) => [
      m.id,
      TENANT_ID,
      m.conversationId,
      m.direction,
      m.kind,
      m.authorId,
      m.body,
      m.event ? json(m.event) : null,
      m.state,
      m.createdAt,
      m.seq,
      m.version,
    ]),
    true,
  );
}

/** New messages after the dataset's continue the same timeline. */
export async function finishServer(db: Db): Promise<void> {
  await db.query(`SELECT setval(pg_get_serial_sequence('messages', 'seq'), (SELECT COALESCE(max(seq), 1) FROM messages))`);
  await db.exec('ANALYZE');
}
