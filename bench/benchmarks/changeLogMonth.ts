// (j) Change-log size over a simulated month of one tenant's traffic, through the real write path
// (logTenantChanges: one transaction per commit, as the server logs it) into a fresh PGlite store: each
// day CONVERSATIONS_PER_DAY new conversations, MESSAGES_PER_CONVERSATION messages each (every message logs
// the message and its conversation's new row), an assignment and a close per conversation, and presence
// changes of AGENTS agents. The retention job (store/changeLogTrim.ts trimChangeLog) runs once a simulated
// day with the month's clock. Reported: rows and bytes by kind (pg_column_size of the row and of the whole
// tuple), and what the log holds after 30 days without trimming, with a 7-day window, and at the default
// 30-day window (which trims nothing within the first month; from then on it holds 30 days).
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Conversation, Message, User } from '../../src-shared/domain';
import { logTenantChanges } from '../../src-server/store/changeLog';
import { DEFAULT_RETENTION_DAYS, trimChangeLog } from '../../src-server/store/changeLogTrim';
import { openPglite, type Db } from '../../src-server/store/db';
import { migrate } from '../../src-server/store/migrate';
import { insertTenant } from '../../src-server/store/tenants';
import type { BenchContext } from '../lib/context';
import { round, type Result } from '../lib/measure';
import { Random } from '../lib/random';
import { messageBody } from '../lib/texts';

const DAYS = 30;
const CONVERSATIONS_PER_DAY = 150;
const MESSAGES_PER_CONVERSATION = 8;
const AGENTS = 60;
const DAY_MS = 86_400_000;
const T0 = Date.UTC(2026, 2, 1);
const TENANT = 'month-tenant';

interface KindSize {
  kind: string;
  rows: number;
  rowBytes: number;
  tupleBytes: number;
}

async function sizes(db: Db): Promise<{ rows: number; tupleBytes: number; byKind: KindSize[] }> {
  const byKind = await db.query<{ kind: string; rows: number; row_bytes: number; tuple_bytes: number }>(
    `SELECT kind, count(*)::int AS rows, sum(pg_column_size(row))::bigint AS row_bytes, sum(pg_column_size(c.*))::bigint AS tuple_bytes
     FROM change_log c WHERE tenant_id = $1 GROUP BY kind ORDER BY kind`,
    [TENANT],
  );
  const list = byKind.map((k) => ({ kind: k.kind, rows: k.rows, rowBytes: Number(k.row_bytes), tupleBytes: Number(k.tuple_bytes) }));
  return { rows: list.reduce((n, k) => n + k.rows, 0), tupleBytes: list.reduce((n, k) => n + k.tupleBytes, 0), byKind: list };
}

export async function changeLogMonth(ctx: BenchContext): Promise<Result> {
  const dir = join(ctx.work, 'change-log-month');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const db = await openPglite(dir);
  try {
    await migrate(db);
    await db.tx((tx) => insertTenant(tx, TENANT, 'Month', T0));
    const rnd = new Random(2026);
    const agents: User[] = Array.from({ length: AGENTS }, (_, i) => ({
      id: `month-agent-${i}`,
      name: `Agent ${i}`,
      email: `agent${i}@month.test`,
      role: 'agent',
      active: true,
      teamIds: ['month-team'],
      presence: 'offline',
      invited: false,
      version: 1,
    }));
    let seq = 0;
    const commit = (fn: Parameters<typeof logTenantChanges>[2]) => db.tx((tx) => logTenantChanges(tx, TENANT, fn));
    const started = Date.now();
    let perDayRows = 0;
    for (let day = 0; day < DAYS; day++) {
      const dayStart = T0 + day * DAY_MS;
      for (const a of agents) {
        for (const presence of ['online', 'offline'] as const) {
          a.presence = presence;
          a.version++;
          const row = { ...a };
          await commit(async (_tx, batch) => batch.add({ kind: 'user', row }));
        }
      }
      for (let c = 0; c < CONVERSATIONS_PER_DAY; c++) {
        let at = dayStart + Math.floor((c / CONVERSATIONS_PER_DAY) * DAY_MS);
        const agent = agents[rnd.int(AGENTS)]!;
        const conversation: Conversation = {
          id: rnd.uuid7(at),
          inboxId: 'month-inbox',
          contactId: rnd.uuid7(at),
          teamId: 'month-team',
          assigneeId: null,
          status: 'open',
          unreadCount: 0,
          lastMessageAt: at,
          lastMessagePreview: '',
          lastCustomerMessageAt: null,
          waitingSince: null,
          tags: [],
          botActive: false,
          closingCategoryId: null,
          previousConversationId: null,
          snoozedUntil: null,
          createdAt: at,
          version: 0,
        };
        const logConversation = async (prev: { assigneeId: string | null; teamId: string | null } | null, extra?: Message) => {
          conversation.version++;
          const row = { ...conversation, tags: [...conversation.tags] };
          await commit(async (_tx, batch) => {
            if (extra) batch.add({ kind: 'message', row: extra, scope: { assigneeId: row.assigneeId, teamId: row.teamId } });
            batch.add({ kind: 'conversation', row, prev });
          });
        };
        for (let m = 0; m < MESSAGES_PER_CONVERSATION; m++) {
          at += 60_000 + rnd.int(600_000);
          const fromCustomer = m % 2 === 0;
          const message: Message = {
            id: rnd.uuid7(at),
            conversationId: conversation.id,
            direction: fromCustomer ? 'in' : 'out',
            kind: 'text',
            authorId: fromCustomer ? null : agent.id,
            body: messageBody(rnd, rnd.chance(0.5) ? 'es' : 'pt', fromCustomer ? 'customer' : 'agent'),
            event: null,
            mentions: [],
            attachments: [],
            template: null,
            forwarded: false,
            state: 'sent',
            error: null,
            createdAt: at,
            seq: ++seq,
            version: 1,
          };
          conversation.lastMessageAt = at;
          conversation.lastMessagePreview = message.body.slice(0, 100);
          if (fromCustomer) {
            conversation.unreadCount++;
            conversation.lastCustomerMessageAt = at;
            conversation.waitingSince ??= at;
          } else conversation.waitingSince = null;
          const prev = { assigneeId: conversation.assigneeId, teamId: conversation.teamId };
          if (m === 1) conversation.assigneeId = agent.id;
          await logConversation(m === 0 ? null : prev, message);
        }
        const prev = { assigneeId: conversation.assigneeId, teamId: conversation.teamId };
        conversation.status = 'closed';
        await logConversation(prev);
      }
      if (day === 0) perDayRows = (await sizes(db)).rows;
      // The retention job's daily run: marks where the log is; the month is shorter than the window it
      // is given here, so it trims nothing yet (the windows are applied below, from these marks).
      await trimChangeLog(db, (DAYS + 1) * DAY_MS, dayStart + DAY_MS - 1);
    }
    const writeSeconds = (Date.now() - started) / 1000;
    const untrimmed = await sizes(db);
    const [{ relation }] = (await db.query<{ relation: number }>("SELECT pg_total_relation_size('change_log')::bigint AS relation")) as [
      { relation: number },
    ];
    const end = T0 + DAYS * DAY_MS;
    // Trimming daily or once now leaves the same rows (the same marks decide); the default window first.
    const atDefault = await trimChangeLog(db, DEFAULT_RETENTION_DAYS * DAY_MS, end);
    const afterDefault = await sizes(db);
    const sevenDays = await trimChangeLog(db, 7 * DAY_MS, end);
    const afterSeven = await sizes(db);
    const per = (bytes: number, rows: number) => (rows === 0 ? 0 : round(bytes / rows, 1));
    return {
      name: 'change-log month',
      ratioLabel: 'rows held after 30 days with a 7-day window / without trimming',
      ratio: round(afterSeven.rows / untrimmed.rows, 3),
      target: null,
      met: null,
      figures: {
        traffic: {
          days: DAYS,
          conversationsPerDay: CONVERSATIONS_PER_DAY,
          messagesPerConversation: MESSAGES_PER_CONVERSATION,
          agents: AGENTS,
        },
        rowsPerDay: perDayRows,
        writeSeconds: round(writeSeconds, 1),
        withoutTrimming: {
          rows: untrimmed.rows,
          tupleMiB: round(untrimmed.tupleBytes / 2 ** 20, 1),
          relationWithIndexesMiB: round(Number(relation) / 2 ** 20, 1),
        },
        bytesByKind: untrimmed.byKind.map((k) => ({
          kind: k.kind,
          rows: k.rows,
          rowJsonBytesPerRow: per(k.rowBytes, k.rows),
          tupleBytesPerRow: per(k.tupleBytes, k.rows),
        })),
        withDefaultWindow: { days: DEFAULT_RETENTION_DAYS, trimmedRows: atDefault.rows, rows: afterDefault.rows },
        withSevenDayWindow: { trimmedRows: sevenDays.rows, rows: afterSeven.rows, tupleMiB: round(afterSeven.tupleBytes / 2 ** 20, 1) },
      },
      notes: [
        'Without trimming the log grows by rowsPerDay for ever; with a window of W days it holds about W * rowsPerDay (the table reuses freed space; it does not shrink on disk without VACUUM FULL).',
      ],
    };
  } finally {
    await db.close();
  }
}
