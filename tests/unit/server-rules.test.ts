// Pure pieces of the server: which change-log entries a user receives, frame chunking,
// password hashes and migration ordering.
import { describe, expect, it } from 'vitest';
import type { Conversation, Message } from '../../src-shared/domain';
import type { Op } from '../../src-shared/protocol';
import { hashPassword, verifyPassword } from '../../src-server/auth/passwords';
import { checkOrder, loadMigrations } from '../../src-server/store/migrate';
import type { LogEntry } from '../../src-server/store/changeLog';
import { chunkOps, visibleOps } from '../../src-server/sync/visibleChanges';

const conversation = (over: Partial<Conversation> = {}): Conversation => ({
  id: 'c1',
  inboxId: 'i1',
  contactId: 'k1',
  teamId: 'team-a',
  assigneeId: null,
  status: 'open',
  unreadCount: 0,
  lastMessageAt: 1,
  lastMessagePreview: '',
  lastCustomerMessageAt: null,
  waitingSince: null,
  tags: [],
  botActive: false,
  closingCategoryId: null,
  previousConversationId: null,
  snoozedUntil: null,
  createdAt: 1,
  version: 2,
  ...over,
});
const message = (id: string, seq = 1): Message => ({
  id,
  conversationId: 'c1',
  direction: 'in',
  kind: 'text',
  authorId: null,
  body: id,
  event: null,
  mentions: [],
  attachments: [],
  template: null,
  forwarded: false,
  state: 'delivered',
  error: null,
  createdAt: 1,
  seq,
  version: 1,
});
const bruno = { id: 'bruno', role: 'agent' as const, teamIds: ['team-a'] };
const ana = { id: 'ana', role: 'agent' as const, teamIds: ['team-a'] };

function convEntry(row: Conversation, prev: { assigneeId: string | null; teamId: string | null } | null) {
  return {
    kind: 'conversation' as const,
    entity_id: row.id,
    scope_kind: 'conversation' as const,
    scope_user_id: null,
    scope_assignee_id: row.assigneeId,
    scope_team_id: row.teamId,
    prev_assignee_id: prev?.assigneeId ?? null,
    prev_team_id: prev?.teamId ?? null,
    prev_known: prev !== null,
    row,
  };
}

/** The conversation's scope now: as the entry left it (a live client, nothing changed since). */
function at(...entries: ReturnType<typeof convEntry>[]) {
  return new Map(entries.map((e) => [e.entity_id, { assigneeId: e.scope_assignee_id, teamId: e.scope_team_id }]));
}

describe('visibleOps', () => {
  const history = async () => [message('m1', 1), message('m2', 2)];

  it('turns a conversation leaving the scope into a revoke', async () => {
    const entry = convEntry(conversation({ assigneeId: 'ana' }), { assigneeId: null, teamId: 'team-a' });
    expect(await visibleOps([entry], bruno, at(entry), history)).toEqual([{ kind: 'revoke', conversationId: 'c1' }]);
    expect((await visibleOps([entry], ana, at(entry), history)).map((o) => o.kind)).toEqual(['conversation']);
  });

  it('follows a conversation entering the scope with all its messages, once', async () => {
    const entered = convEntry(conversation(), { assigneeId: 'ana', teamId: 'team-a' });
    const msgEntry = {
      kind: 'message' as const,
      entity_id: 'm2',
      scope_kind: 'conversation' as const,
      scope_user_id: null,
      scope_assignee_id: null,
      scope_team_id: 'team-a',
      prev_assignee_id: null,
      prev_team_id: null,
      prev_known: false,
      row: message('m2'),
    };
    const ops = await visibleOps([entered, msgEntry], bruno, at(entered), history);
    expect(ops.map((o) => (o.kind === 'message' ? o.row.id : o.kind))).toEqual(['conversation', 'm1', 'm2']);
  });

  it('sends a message changed twice in one page once, as its newest row', async () => {
    const entry = (row: Message) => ({
      kind: 'message' as const,
      entity_id: row.id,
      scope_kind: 'conversation' as const,
      scope_user_id: null,
      scope_assignee_id: null,
      scope_team_id: 'team-a',
      prev_assignee_id: null,
      prev_team_id: null,
      prev_known: true,
      row,
    });
    const sent = { ...message('m5', 5), state: 'sent' as const, version: 5 };
    const delivered = { ...sent, state: 'delivered' as const, version: 6 };
    const scopes = new Map([['c1', { assigneeId: null, teamId: 'team-a' }]]);
    expect(await visibleOps([entry(sent), entry(delivered)], bruno, scopes, history)).toEqual([{ kind: 'message', row: delivered }]);
  });

  it('replays a conversation out of scope now as one revoke and nothing written for it, even what was visible then', async () => {
    const entered = convEntry(conversation(), { assigneeId: 'ana', teamId: 'team-a' });
    const note = {
      ...entered,
      kind: 'message' as const,
      entity_id: 'm3',
      prev_known: false,
      row: message('m3'),
    };
    const taken = new Map([['c1', { assigneeId: 'ana', teamId: 'team-a' }]]);
    expect(await visibleOps([entered, note], bruno, taken, history)).toEqual([{ kind: 'revoke', conversationId: 'c1' }]);
    // Never seen in the page (out of scope then and now): nothing, not even its id.
    const elsewhere = convEntry(conversation({ teamId: 'team-b' }), { assigneeId: null, teamId: 'team-b' });
    expect(await visibleOps([elsewhere], bruno, new Map([['c1', { assigneeId: null, teamId: 'team-b' }]]), history)).toEqual([]);
  });

  it('skips changes to conversations the user never saw', async () => {
    const other = convEntry(conversation({ assigneeId: 'ana', teamId: 'team-b' }), { assigneeId: null, teamId: 'team-b' });
    expect(await visibleOps([other], bruno, at(other), history)).toEqual([]);
    const created = convEntry(conversation({ teamId: 'team-b' }), null);
    expect(await visibleOps([created], bruno, at(created), history)).toEqual([]);
    expect(await visibleOps([created], { id: 's', role: 'supervisor', teamIds: [] }, at(created), history)).toHaveLength(3);
  });
});

describe('visibleOps outside conversations', () => {
  const none = async () => [];
  const entry = (over: Partial<LogEntry>): LogEntry => ({
    version: 1,
    seq: 0,
    kind: 'notification',
    entity_id: 'x',
    scope_kind: 'tenant',
    scope_user_id: null,
    scope_assignee_id: null,
    scope_team_id: null,
    prev_assignee_id: null,
    prev_team_id: null,
    prev_known: false,
    row: { id: 'x' },
    ...over,
  });
  const sofia = { id: 'sofia', role: 'supervisor' as const, teamIds: [] };
  const admin = { id: 'admin', role: 'admin' as const, teamIds: [] };

  it('sends a user-scoped row (a notification, a personal view) only to that user', async () => {
    const e = entry({ kind: 'notification', scope_kind: 'user', scope_user_id: 'ana' });
    expect(await visibleOps([e], ana, new Map(), none)).toHaveLength(1);
    expect(await visibleOps([e], bruno, new Map(), none)).toEqual([]);
    expect(await visibleOps([e], admin, new Map(), none)).toEqual([]);
  });

  it('sends a team-shared view to its owner, the team, supervisors and admins', async () => {
    const e = entry({ kind: 'savedView', scope_kind: 'view', scope_user_id: 'ana', scope_team_id: 'team-b' });
    expect(await visibleOps([e], ana, new Map(), none)).toHaveLength(1);
    expect(await visibleOps([e], bruno, new Map(), none)).toEqual([]);
    expect(await visibleOps([e], { ...bruno, teamIds: ['team-b'] }, new Map(), none)).toHaveLength(1);
    expect(await visibleOps([e], sofia, new Map(), none)).toHaveLength(1);
  });

  it('sends invites to admins only, and deletes to whoever had the row', async () => {
    const invite = entry({ kind: 'invite', scope_kind: 'admins' });
    expect(await visibleOps([invite], sofia, new Map(), none)).toEqual([]);
    expect(await visibleOps([invite], admin, new Map(), none)).toHaveLength(1);
    const gone = entry({ kind: 'delete', scope_kind: 'user', scope_user_id: 'ana', row: { entity: 'savedView', id: 'v1' } });
    expect(await visibleOps([gone], ana, new Map(), none)).toEqual([{ kind: 'delete', entity: 'savedView', id: 'v1' }]);
    expect(await visibleOps([gone], bruno, new Map(), none)).toEqual([]);
  });
});

describe('chunkOps', () => {
  it('splits ops so every part stays under the byte budget, keeping order', () => {
    const ops: Op[] = Array.from({ length: 10 }, (_, i) => ({ kind: 'message', row: { ...message(`m${i}`), body: 'x'.repeat(1000) } }));
    const parts = chunkOps(ops, 3000);
    expect(parts.length).toBeGreaterThan(3);
    for (const p of parts) expect(Buffer.byteLength(JSON.stringify(p))).toBeLessThan(3100);
    expect(parts.flat()).toEqual(ops);
    expect(chunkOps([], 3000)).toEqual([[]]);
  });
});

describe('passwords', () => {
  it('verifies the right password only', async () => {
    const hash = await hashPassword('demo1234');
    expect(hash).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(await verifyPassword('demo1234', hash)).toBe(true);
    expect(await verifyPassword('demo12345', hash)).toBe(false);
    expect(await verifyPassword('demo1234', 'garbage')).toBe(false);
  });
});

describe('migrations', () => {
  it('are numbered 1, 2, 3… with no gaps', () => {
    expect(loadMigrations()[0]).toMatchObject({ id: 1, name: 'initial' });
    expect(() =>
      checkOrder([
        { id: 1, name: 'a', sql: '' },
        { id: 3, name: 'c', sql: '' },
      ]),
    ).toThrow(/numbered/);
  });
});
