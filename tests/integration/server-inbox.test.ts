// The complete inbox, enforced by the server: a real server process, real sockets, PGlite on disk
// (and PostgreSQL too when BANDEJA_TEST_DATABASE_URL is set). Every rule is checked from the
// outside, as clients see it; forged mutations must be refused with a clear code and change nothing.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Conversation, Message } from '../../src-shared/domain';
import { CloseCode } from '../../src-shared/protocol';
import { canSeeConversation } from '../../src-shared/rules/visibility';
import { prepareDemoStore, startServerProcess, type ServerProcess } from '../support/server-process';
import { emptyTestDatabase } from '../support/test-store';
import { login, loginRaw, SyncPeer } from '../support/sync-peer';
import { demoPeople } from '../support/demo-people';

const pgUrl = process.env.BANDEJA_TEST_DATABASE_URL;
const backends: [string, string | undefined][] = [['PGlite', undefined], ...(pgUrl ? [['PostgreSQL', pgUrl] as [string, string]] : [])];

describe.each(backends)('the complete inbox on %s', (_name, databaseUrl) => {
  let server: ServerProcess;
  const { peer, customer, newConversation, anasConversation, signInAll, closeAll, closeLater } = demoPeople(() => server);

  beforeAll(async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'bandeja-inbox-'));
    if (databaseUrl) await emptyTestDatabase(databaseUrl);
    await prepareDemoStore({ dataDir, databaseUrl });
    server = await startServerProcess({ dataDir, demo: true, env: databaseUrl ? { DATABASE_URL: databaseUrl } : {} });
    await signInAll();
  });

  afterEach(closeAll);

  afterAll(async () => {
    await server?.stop();
  });

  /** Everything a fresh admin snapshot holds but users (their presence moves on its own). */
  async function world() {
    const p = await peer('admin');
    p.close();
    const sorted = <T extends { id: string }>(rows: Iterable<T>) => [...rows].sort((a, b) => a.id.localeCompare(b.id));
    const rows: Record<string, unknown[]> = {};
    for (const [kind, byId] of p.rows) if (kind !== 'user') rows[kind] = sorted(byId.values());
    return { conversations: sorted(p.conversations.values()), messages: sorted(p.messages.values()), rows };
  }

  async function stored(conversationId: string): Promise<{ conversation: Conversation | undefined; messages: Message[] }> {
    const p = await peer('admin');
    p.close();
    return {
      conversation: p.conversations.get(conversationId),
      messages: [...p.messages.values()].filter((m) => m.conversationId === conversationId).sort((a, b) => a.seq - b.seq),
    };
  }

  const events = (messages: Message[]) => messages.filter((m) => m.kind === 'event').map((m) => m.event);

  describe('visibility and forged access', () => {
    it('never sends Ana a conversation outside her teams, in the snapshot or as a change', async () => {
      const { conversationId } = await newConversation('Hugo', 'ventas');
      const ana = await peer('ana');
      expect(ana.conversations.has(conversationId)).toBe(false);
      const bruno = await peer('bruno');
      expect(bruno.conversations.has(conversationId)).toBe(true);

      const hugo = await customer('Hugo 2', 'ventas');
      const said = await hugo.say('¿Tienen stock?');
      const frame = await bruno.waitForOp((op) => op.kind === 'message' && op.row.id === said, 'the message at Bruno');
      // Ana's cursor passes that version without the op.
      await ana.waitFor((f) => f.type === 'changes' && f.to >= frame.to, 'Ana past that version');
      const seen = ana.frames.flatMap((f) => (f.type === 'changes' || f.type === 'snapshotPage' ? f.ops : []));
      expect(
        seen.some(
          (op) =>
            (op.kind === 'message' && op.row.id === said) ||
            (op.kind === 'conversation' && op.row.id === bruno.messages.get(said)!.conversationId),
        ),
      ).toBe(false);
    });

    it('refuses an agent assigning outside their teams, or to someone else, and changes nothing', async () => {
      const ventas = await newConversation('Iván', 'ventas');
      const soporte = await newConversation('Jazmín');
      const before = await world();
      const ana = await peer('ana');
      // Another team's conversation is answered like an id nobody uses.
      expect(await ana.push('conversation.assign', { conversationId: ventas.conversationId, assigneeId: 'user-ana' })).toMatchObject({
        status: 'rejected',
        error: { code: 'NOT_FOUND' },
      });
      expect(await ana.push('conversation.assign', { conversationId: soporte.conversationId, assigneeId: 'user-bruno' })).toMatchObject({
        status: 'rejected',
        error: { code: 'FORBIDDEN' },
      });
      expect(await world()).toEqual(before);
    });

    it('lets exactly one of two peers claiming at the same moment win; the other is told who', async () => {
      for (const name of ['Karen', 'Leo', 'Mora']) {
        const { conversationId } = await newConversation(name);
        const ana = await peer('ana');
        const bruno = await peer('bruno');
        const [a, b] = await Promise.all([
          ana.push('conversation.assign', { conversationId, assigneeId: 'user-ana' }),
          bruno.push('conversation.assign', { conversationId, assigneeId: 'user-bruno' }),
        ]);
        expect([a.status, b.status].sort()).toEqual(['ok', 'rejected']);
        const winner = a.status === 'ok' ? 'user-ana' : 'user-bruno';
        expect((a.status === 'ok' ? b : a).error).toMatchObject({ code: 'ALREADY_ASSIGNED', params: { assigneeId: winner } });
        const after = await stored(conversationId);
        expect(after.conversation?.assigneeId).toBe(winner);
        expect(events(after.messages)).toEqual([{ type: 'assigned', assigneeId: winner, byId: winner }]);
      }
    });

    it('records every action as the authenticated user: a field naming someone else is ignored or refused', async () => {
      const { conversationId, ana } = await anasConversation('Nadia');
      // Bruno pretending to be Ana: he acts as Bruno, and Bruno may not close Ana's conversation.
      const bruno = await peer('bruno');
      const before = await world();
      const forged = { conversationId, note: null, categoryId: null, byId: 'user-ana', actorId: 'user-ana', userId: 'user-ana' };
      expect(await bruno.push('conversation.close', forged)).toMatchObject({
        status: 'rejected',
        error: { code: 'ALREADY_ASSIGNED', params: { assigneeId: 'user-ana' } },
      });
      expect(await world()).toEqual(before);
      // Ana naming Sofía as the closer: the line says Ana closed it.
      expect(
        await ana.push('conversation.close', { ...forged, byId: 'user-sofia', actorId: 'user-sofia', userId: 'user-sofia' }),
      ).toMatchObject({
        status: 'ok',
      });
      const after = await stored(conversationId);
      expect(events(after.messages).at(-1)).toEqual({ type: 'status', status: 'closed', byId: 'user-ana', note: null, categoryId: null });
    });
  });

  describe('notes and mentions', () => {
    it('notifies each mentioned active user once, never the author, and never sends the note to the customer', async () => {
      const { conversationId, ana, customer: carla } = await anasConversation('Carla');
      const admin = await peer('admin');
      const sofia = await peer('sofia');
      const noteId = uuidv7();
      expect(
        await ana.push('note.add', {
          id: noteId,
          conversationId,
          body: 'Ojo @Admin @Sofía: pidió factura',
          mentions: ['user-admin', 'user-sofia', 'user-sofia', 'user-ana', 'user-nobody'],
        }),
      ).toMatchObject({ status: 'ok' });
      expect(ana.messages.get(noteId)).toMatchObject({
        kind: 'note',
        direction: 'out',
        authorId: 'user-ana',
        mentions: ['user-admin', 'user-sofia'],
      });

      await admin.waitForOp((op) => op.kind === 'notification', 'Admin’s notification');
      await sofia.waitForOp((op) => op.kind === 'notification', 'Sofía’s notification');
      const admins = [...admin.rowsOf('notification').values()];
      expect(admins).toEqual([
        expect.objectContaining({
          userId: 'user-admin',
          kind: 'mention',
          conversationId,
          messageId: noteId,
          byId: 'user-ana',
          readAt: null,
        }),
      ]);
      expect([...sofia.rowsOf('notification').values()].every((n) => n.userId === 'user-sofia')).toBe(true);
      expect(ana.rowsOf('notification').size).toBe(0);
      // Mentions reach only people who may see the conversation (a mention of anyone else: id-answers.test.ts).

      // A reply after the note reaches the customer; the note never does (socket, then history).
      const replyId = uuidv7();
      expect(await ana.push('message.send', { id: replyId, conversationId, body: 'Te enviamos la factura hoy.' })).toMatchObject({
        status: 'ok',
      });
      await carla.waitForAgentMessage((m) => m.id === replyId);
      const delivered = carla.frames.flatMap((f) => (f.type === 'message' ? [f.message] : []));
      expect(delivered.some((m) => m.id === noteId || (m.body.includes('factura') && m.id !== replyId))).toBe(false);
      carla.close();
      const again = await customer('Carla', 'demo', carla.identity);
      expect(again.history.map((m) => m.id)).toContain(replyId);
      expect(again.history.some((m) => m.id === noteId || m.body.includes('@Admin'))).toBe(false);
      expect(again.history.every((m) => m.from === 'customer' || m.from === 'agent')).toBe(true);
    });

    it('marks only one’s own notifications read', async () => {
      const { conversationId, ana } = await anasConversation('Dora');
      await ana.push('note.add', { id: uuidv7(), conversationId, body: '@Sofía mira esto', mentions: ['user-sofia'] });
      const sofia = await peer('sofia');
      const mine = [...sofia.rowsOf('notification').values()].find((n) => n.conversationId === conversationId)!;
      expect(mine.readAt).toBeNull();

      const bruno = await peer('bruno');
      const before = await world();
      // Someone else's notification is answered like one that does not exist.
      expect(await bruno.push('notification.markRead', { ids: [mine.id] })).toMatchObject({
        status: 'rejected',
        error: { code: 'NOT_FOUND' },
      });
      expect(await bruno.push('notification.markRead', { ids: ['no-such-notification'] })).toMatchObject({ error: { code: 'NOT_FOUND' } });
      expect(await world()).toEqual(before);

      expect(await sofia.push('notification.markRead', { ids: [mine.id] })).toMatchObject({ status: 'ok' });
      expect(sofia.rowsOf('notification').get(mine.id)?.readAt).toEqual(expect.any(Number));
    });
  });

  describe('lifecycle', () => {
    it('starts a new pending conversation when the customer writes after close; the old one cannot be reopened meanwhile', async () => {
      const { conversationId, ana, customer: elsa, contactId } = await anasConversation('Elsa');
      expect(
        await ana.push('conversation.close', { conversationId, note: 'Resuelto por chat', categoryId: 'category-resuelto' }),
      ).toMatchObject({
        status: 'ok',
      });
      const closed = await stored(conversationId);
      expect(closed.conversation).toMatchObject({ status: 'closed', assigneeId: 'user-ana', closingCategoryId: 'category-resuelto' });
      expect(events(closed.messages).at(-1)).toEqual({
        type: 'status',
        status: 'closed',
        byId: 'user-ana',
        note: 'Resuelto por chat',
        categoryId: 'category-resuelto',
      });

      const admin = await peer('admin');
      const again = await elsa.say('Hola de nuevo, otra consulta');
      await admin.waitForOp((op) => op.kind === 'message' && op.row.id === again, 'the new message');
      const next = admin.conversations.get(admin.messages.get(again)!.conversationId)!;
      expect(next.id).not.toBe(conversationId);
      expect(next).toMatchObject({
        status: 'pending',
        contactId,
        previousConversationId: conversationId,
        assigneeId: null,
        teamId: 'team-soporte',
        unreadCount: 1,
      });
      expect(admin.conversations.get(conversationId)).toMatchObject({ status: 'closed' });

      expect(await ana.push('conversation.reopen', { conversationId })).toMatchObject({
        status: 'rejected',
        error: { code: 'INVALID_TRANSITION', params: { conversationId: next.id } },
      });
      expect(await ana.push('conversation.setStatus', { conversationId, status: 'open' })).toMatchObject({
        error: { code: 'INVALID_TRANSITION' },
      });
      // Once the new one is closed, the old one may be reopened.
      expect(await admin.push('conversation.close', { conversationId: next.id, note: null, categoryId: null })).toMatchObject({
        status: 'ok',
      });
      expect(await ana.push('conversation.reopen', { conversationId })).toMatchObject({ status: 'ok' });
      const reopened = await stored(conversationId);
      expect(reopened.conversation).toMatchObject({ status: 'open', closingCategoryId: null });
      expect(events(reopened.messages).at(-1)).toEqual({ type: 'status', status: 'open', byId: 'user-ana' });
    });

    it('wakes a snoozed conversation when the customer writes', async () => {
      const { conversationId, ana, customer: fede } = await anasConversation('Fede');
      expect(await ana.push('conversation.setStatus', { conversationId, status: 'snoozed' })).toMatchObject({ status: 'ok' });
      const id = await fede.say('¿Siguen ahí?');
      await ana.waitForOp((op) => op.kind === 'message' && op.row.id === id, 'the message');
      expect(ana.conversations.get(conversationId)).toMatchObject({ status: 'open' });
      expect(ana.messages.get(id)?.conversationId).toBe(conversationId);
    });

    it('checks the closing category, and follows the inbox on keeping the assignee', async () => {
      const { conversationId, ana } = await anasConversation('Gala');
      const admin = await peer('admin');
      const before = await world();
      expect(await ana.push('conversation.close', { conversationId, note: null, categoryId: 'category-nope' })).toMatchObject({
        error: { code: 'NOT_FOUND' },
      });
      expect(
        await admin.push('admin.closingCategory.save', { id: 'category-derivado-ventas', name: 'Derivado a ventas', active: false }),
      ).toMatchObject({
        status: 'ok',
      });
      expect(await ana.push('conversation.close', { conversationId, note: null, categoryId: 'category-derivado-ventas' })).toMatchObject({
        error: { code: 'INVALID_ARGS' },
      });
      expect((await stored(conversationId)).conversation).toEqual(before.conversations.find((c) => c.id === conversationId));
      await admin.push('admin.closingCategory.save', { id: 'category-derivado-ventas', name: 'Derivado a ventas', active: true });

      expect(await admin.push('admin.inbox.update', { inboxId: 'inbox-web', settings: { closeKeepsAssignee: false } })).toMatchObject({
        status: 'ok',
      });
      try {
        expect(
          await ana.push('conversation.close', { conversationId, note: 'Sin respuesta', categoryId: 'category-sin-respuesta' }),
        ).toMatchObject({
          status: 'ok',
        });
        expect((await stored(conversationId)).conversation).toMatchObject({
          status: 'closed',
          assigneeId: null,
          teamId: 'team-soporte',
          closingCategoryId: 'category-sin-respuesta',
        });
      } finally {
        await admin.push('admin.inbox.update', { inboxId: 'inbox-web', settings: { closeKeepsAssignee: true } });
      }
    });

    it("a visitor connected before the inbox moved to another team opens the new conversation in the inbox's team of now", async () => {
      const irene = await customer('Irene', 'ventas');
      const admin = await peer('admin');
      expect(await admin.push('admin.inbox.update', { inboxId: 'inbox-ventas', teamId: 'team-soporte' })).toMatchObject({ status: 'ok' });
      try {
        const said = await irene.say('Hola, ¿hacen envíos?');
        await admin.waitForOp((op) => op.kind === 'message' && op.row.id === said, 'the customer message');
        const conversation = admin.conversations.get(admin.messages.get(said)!.conversationId)!;
        expect(conversation.teamId).toBe('team-soporte');
        // Ana (Soporte only) now has it in her queue.
        const ana = await peer('ana');
        expect(ana.conversations.has(conversation.id)).toBe(true);
      } finally {
        await admin.push('admin.inbox.update', { inboxId: 'inbox-ventas', teamId: 'team-ventas' });
      }
    });

    it('tags as set operations: concurrent edits merge, removal is case-insensitive, each change is an event line', async () => {
      const { conversationId, ana } = await anasConversation('Hilda');
      const sofia = await peer('sofia');
      const [a, s] = await Promise.all([
        ana.push('conversation.tag', { conversationId, add: ['VIP'], remove: [] }),
        sofia.push('conversation.tag', { conversationId, add: ['urgente', 'vip'], remove: [] }),
      ]);
      expect([a.status, s.status]).toEqual(['ok', 'ok']);
      expect((await stored(conversationId)).conversation?.tags).toHaveLength(2);
      expect(await ana.push('conversation.tag', { conversationId, add: ['factura'], remove: ['Vip'] })).toMatchObject({ status: 'ok' });
      const after = await stored(conversationId);
      expect(after.conversation?.tags).toEqual(['factura', 'urgente']);
      expect(
        events(after.messages)
          .filter((e) => e?.type === 'tagged')
          .at(-1),
      ).toEqual({
        type: 'tagged',
        added: ['factura'],
        removed: [expect.stringMatching(/^vip$/i)],
        byId: 'user-ana',
      });
    });

    it('pauses the bot on a human reply, and marks unread', async () => {
      const { conversationId, ana } = await anasConversation('Iris');
      expect(await ana.push('conversation.setBot', { conversationId, active: true })).toMatchObject({ status: 'ok' });
      expect(ana.conversations.get(conversationId)).toMatchObject({ botActive: true });
      await ana.push('message.send', { id: uuidv7(), conversationId, body: 'Te atiendo yo' });
      expect(ana.conversations.get(conversationId)).toMatchObject({ botActive: false, unreadCount: 0 });
      expect(events((await stored(conversationId)).messages).filter((e) => e?.type === 'bot')).toEqual([
        { type: 'bot', active: true, byId: 'user-ana' },
        { type: 'bot', active: false, byId: 'user-ana' },
      ]);
      expect(await ana.push('conversation.markUnread', { conversationId })).toMatchObject({ status: 'ok' });
      expect(ana.conversations.get(conversationId)).toMatchObject({ unreadCount: 1 });
    });
  });

  describe('transfer', () => {
    it('moves the same conversation to a person, or to a team’s queue, with its history', async () => {
      const { conversationId, ana, messageId } = await anasConversation('Julia');
      const bruno = await peer('bruno');
      const mark = ana.frames.length;
      expect(
        await ana.push('conversation.transfer', { conversationId, toUserId: 'user-bruno', toTeamId: null, newConversationId: uuidv7() }),
      ).toMatchObject({
        status: 'ok',
      });
      await ana.waitForOp((op) => op.kind === 'revoke' && op.conversationId === conversationId, 'revoke at Ana', mark);
      await bruno.waitForOp((op) => op.kind === 'conversation' && op.row.id === conversationId, 'the conversation at Bruno');
      expect(bruno.conversations.get(conversationId)).toMatchObject({ assigneeId: 'user-bruno', teamId: 'team-soporte', status: 'open' });
      expect(bruno.messages.get(messageId)).toMatchObject({ body: 'Hola, soy Julia' });
      expect(
        events([...bruno.messages.values()].filter((m) => m.conversationId === conversationId).sort((a, b) => a.seq - b.seq)).at(-1),
      ).toEqual({
        type: 'transferred',
        toUserId: 'user-bruno',
        toTeamId: null,
        byId: 'user-ana',
      });

      // Bruno sends it to the Ventas queue: unassigned there.
      expect(
        await bruno.push('conversation.transfer', { conversationId, toUserId: null, toTeamId: 'team-ventas', newConversationId: uuidv7() }),
      ).toMatchObject({
        status: 'ok',
      });
      expect((await stored(conversationId)).conversation).toMatchObject({ assigneeId: null, teamId: 'team-ventas' });
    });

    it('refuses a transfer by someone who does not hold it, or to nobody that exists, and changes nothing', async () => {
      const { conversationId, ana } = await anasConversation('Kiara');
      const bruno = await peer('bruno');
      const before = await world();
      const to = (toUserId: string | null, toTeamId: string | null) => ({
        conversationId,
        toUserId,
        toTeamId,
        newConversationId: uuidv7(),
      });
      expect(await bruno.push('conversation.transfer', to('user-bruno', null))).toMatchObject({
        status: 'rejected',
        error: { code: 'ALREADY_ASSIGNED', params: { assigneeId: 'user-ana' } },
      });
      expect(await ana.push('conversation.transfer', to('user-nobody', null))).toMatchObject({ error: { code: 'NOT_FOUND' } });
      expect(await ana.push('conversation.transfer', to(null, 'team-nope'))).toMatchObject({ error: { code: 'NOT_FOUND' } });
      expect(await ana.push('conversation.transfer', to(null, null))).toMatchObject({ error: { code: 'INVALID_ARGS' } });
      expect(await world()).toEqual(before);
    });

    it('starts a new conversation for the receiver when the inbox says so, closing the old one with a pointer', async () => {
      const { conversationId, messageId } = await newConversation('Lola', 'ventas');
      const bruno = await peer('bruno');
      const admin = await peer('admin');
      await bruno.push('conversation.assign', { conversationId, assigneeId: 'user-bruno' });
      expect(
        await admin.push('admin.inbox.update', { inboxId: 'inbox-ventas', settings: { transferStartsNewConversation: true } }),
      ).toMatchObject({
        status: 'ok',
      });
      try {
        const newConversationId = uuidv7();
        expect(
          await bruno.push('conversation.transfer', { conversationId, toUserId: 'user-sofia', toTeamId: null, newConversationId }),
        ).toMatchObject({
          status: 'ok',
        });
        const old = await stored(conversationId);
        expect(old.conversation).toMatchObject({ status: 'closed', assigneeId: 'user-bruno' });
        expect(events(old.messages).at(-1)).toEqual({ type: 'continued', conversationId: newConversationId, byId: 'user-bruno' });
        const started = await stored(newConversationId);
        expect(started.conversation).toMatchObject({
          status: 'open',
          assigneeId: 'user-sofia',
          teamId: 'team-ventas',
          previousConversationId: conversationId,
          contactId: old.conversation!.contactId,
        });
        expect(events(started.messages)).toEqual([{ type: 'transferred', toUserId: 'user-sofia', toTeamId: null, byId: 'user-bruno' }]);
        // Bruno keeps the old one as his history and does not get the new one.
        expect(bruno.conversations.get(conversationId)).toMatchObject({ status: 'closed' });
        expect(bruno.messages.has(messageId)).toBe(true);
        expect(bruno.conversations.has(newConversationId)).toBe(false);
        // The id of the new conversation cannot be taken twice.
        const other = await newConversation('Lola 2', 'ventas');
        await bruno.push('conversation.assign', { conversationId: other.conversationId, assigneeId: 'user-bruno' });
        expect(
          await bruno.push('conversation.transfer', {
            conversationId: other.conversationId,
            toUserId: 'user-sofia',
            toTeamId: null,
            newConversationId,
          }),
        ).toMatchObject({ error: { code: 'INVALID_ARGS' } });
      } finally {
        await admin.push('admin.inbox.update', { inboxId: 'inbox-ventas', settings: { transferStartsNewConversation: false } });
      }
    });
  });

  describe('contacts', () => {
    it('creates a contact by hand with custom fields, refusing unknown fields and bad values', async () => {
      const ana = await peer('ana');
      const bruno = await peer('bruno');
      const id = uuidv7();
      const base = { id, name: 'Lucía Pérez', phones: ['+51 999 111 222'], emails: ['lucia@example.com'], custom: { plan: 'Pro' } };
      const before = await world();
      expect(await ana.push('contact.create', { ...base, custom: { fax: '123' } })).toMatchObject({ error: { code: 'INVALID_ARGS' } });
      expect(await ana.push('contact.create', { ...base, custom: { plan: 'Oro' } })).toMatchObject({ error: { code: 'INVALID_ARGS' } });
      expect(await world()).toEqual(before);
      expect(await ana.push('contact.create', base)).toMatchObject({ status: 'ok' });
      await bruno.waitForOp((op) => op.kind === 'contact' && op.row.id === id, 'the contact at Bruno');
      expect(bruno.rowsOf('contact').get(id)).toMatchObject({
        name: 'Lucía Pérez',
        phones: ['+51 999 111 222'],
        custom: { plan: 'Pro' },
        mergedIntoId: null,
      });
    });

    it('merges edits of different fields; on the same field the later write wins and the loser is kept as a conflict', async () => {
      const ana = await peer('ana');
      const bruno = await peer('bruno');
      const id = uuidv7();
      await ana.push('contact.create', { id, name: 'Mario', phones: [], emails: [], custom: {} });
      await bruno.waitForOp((op) => op.kind === 'contact' && op.row.id === id, 'the contact');
      const seenByBruno = bruno.rowsOf('contact').get(id)!;

      expect(
        await ana.push('contact.update', {
          contactId: id,
          fields: { name: 'Mario Ruiz' },
          base: { name: seenByBruno.fieldVersions.name ?? 0 },
        }),
      ).toMatchObject({
        status: 'ok',
      });
      expect(await bruno.push('contact.update', { contactId: id, fields: { 'custom.documento': 'DNI 4455' }, base: {} })).toMatchObject({
        status: 'ok',
      });
      expect(ana.rowsOf('contact').get(id)).toMatchObject({ name: 'Mario Ruiz' });
      await ana.waitForOp((op) => op.kind === 'contact' && op.row.id === id && op.row.custom.documento === 'DNI 4455', 'both edits');
      expect(ana.rowsOf('contact').get(id)).toMatchObject({ name: 'Mario Ruiz', custom: { documento: 'DNI 4455' } });
      expect([...ana.rowsOf('contactChange').values()].filter((c) => c.contactId === id && c.conflict)).toEqual([]);

      // Bruno edits the name from the value he saw before Ana's change.
      expect(
        await bruno.push('contact.update', {
          contactId: id,
          fields: { name: 'Mario R.' },
          base: { name: seenByBruno.fieldVersions.name ?? 0 },
        }),
      ).toMatchObject({
        status: 'ok',
      });
      await ana.waitForOp((op) => op.kind === 'contactChange' && op.row.contactId === id && op.row.conflict, 'the conflict');
      expect(ana.rowsOf('contact').get(id)).toMatchObject({ name: 'Mario R.' });
      expect([...ana.rowsOf('contactChange').values()].filter((c) => c.contactId === id && c.field === 'name')).toEqual([
        expect.objectContaining({ before: 'Mario', after: 'Mario Ruiz', byId: 'user-ana', conflict: false }),
        expect.objectContaining({ before: 'Mario Ruiz', after: 'Mario R.', byId: 'user-bruno', conflict: true }),
      ]);

      const before = await world();
      expect(await bruno.push('contact.update', { contactId: id, fields: { fax: '1', name: 'X' }, base: {} })).toMatchObject({
        status: 'rejected',
        error: { code: 'INVALID_ARGS' },
      });
      expect(await bruno.push('contact.update', { contactId: id, fields: { 'custom.plan': 'Oro' }, base: {} })).toMatchObject({
        error: { code: 'INVALID_ARGS' },
      });
      expect(await bruno.push('contact.update', { contactId: 'nobody', fields: { name: 'X' }, base: {} })).toMatchObject({
        error: { code: 'NOT_FOUND' },
      });
      expect(await world()).toEqual(before);
    });

    it('merges two contacts on the server: conversations and identities move, the source is hidden', async () => {
      const first = await newConversation('Nico');
      const second = await newConversation('Nicolás');
      const admin = await peer('admin');
      const before = await world();
      // Both have an active conversation in the same inbox: one must be closed first.
      expect(await admin.push('contact.merge', { targetId: first.contactId, sourceId: second.contactId })).toMatchObject({
        error: { code: 'INVALID_TRANSITION' },
      });
      expect(await admin.push('contact.merge', { targetId: first.contactId, sourceId: first.contactId })).toMatchObject({
        error: { code: 'INVALID_ARGS' },
      });
      expect(await world()).toEqual(before);

      await admin.push('contact.update', {
        contactId: second.contactId,
        fields: { emails: ['nico@example.com'], 'custom.plan': 'Empresa' },
        base: {},
      });
      await admin.push('conversation.close', { conversationId: second.conversationId, note: null, categoryId: null });
      expect(await admin.push('contact.merge', { targetId: first.contactId, sourceId: second.contactId })).toMatchObject({ status: 'ok' });
      const target = admin.rowsOf('contact').get(first.contactId)!;
      expect(target).toMatchObject({ name: 'Nico', emails: ['nico@example.com'], custom: { plan: 'Empresa' }, mergedIntoId: null });
      expect(target.identities).toHaveLength(2);
      expect(admin.rowsOf('contact').get(second.contactId)).toMatchObject({ mergedIntoId: first.contactId });
      expect(admin.conversations.get(second.conversationId)).toMatchObject({ contactId: first.contactId });
      // A fresh snapshot no longer holds the source.
      const fresh = await peer('ana');
      expect(fresh.rowsOf('contact').has(second.contactId)).toBe(false);
      // The second visitor now writes as the merged contact, into its active conversation.
      const id = await second.customer.say('Soy Nicolás otra vez');
      await admin.waitForOp((op) => op.kind === 'message' && op.row.id === id, 'the message');
      expect(admin.conversations.get(admin.messages.get(id)!.conversationId)).toMatchObject({ contactId: first.contactId });
    });
  });

  describe('saved views', () => {
    it('keeps personal views to their owner, shares only with one’s own teams, and lets only the owner change them', async () => {
      const ana = await peer('ana');
      const bruno = await peer('bruno');
      const sofia = await peer('sofia');
      const id = uuidv7();
      const view = { id, name: 'Mis urgentes', teamId: null, filters: { tags: ['urgente'] }, sort: 'newest' };
      expect(await ana.push('view.save', view)).toMatchObject({ status: 'ok' });
      expect(ana.rowsOf('savedView').get(id)).toMatchObject({ ownerId: 'user-ana', teamId: null, name: 'Mis urgentes' });

      const before = await world();
      // Saving over Ana's personal view is answered to Bruno like an id another tenant holds (taken).
      expect(await bruno.push('view.save', { ...view, name: 'Mío ahora' })).toMatchObject({
        status: 'rejected',
        error: { code: 'INVALID_ARGS', message: 'This id is already in use.' },
      });
      expect(await bruno.push('view.delete', { id })).toMatchObject({ status: 'rejected', error: { code: 'NOT_FOUND' } });
      expect(await ana.push('view.save', { ...view, teamId: 'team-ventas' })).toMatchObject({
        status: 'rejected',
        error: { code: 'FORBIDDEN' },
      });
      expect(await world()).toEqual(before);
      expect((await peer('bruno')).rowsOf('savedView').has(id)).toBe(false);

      const mark = bruno.frames.length;
      expect(await ana.push('view.save', { ...view, teamId: 'team-soporte' })).toMatchObject({ status: 'ok' });
      await bruno.waitForOp((op) => op.kind === 'savedView' && op.row.id === id, 'the shared view', mark);
      await sofia.waitForOp((op) => op.kind === 'savedView' && op.row.id === id, 'the shared view at Sofía');
      // A supervisor may share with any team.
      expect(
        await sofia.push('view.save', {
          id: uuidv7(),
          name: 'Ventas esperando',
          teamId: 'team-ventas',
          filters: { waitingMinutes: 5 },
          sort: 'oldest',
        }),
      ).toMatchObject({
        status: 'ok',
      });

      expect(await ana.push('view.save', view)).toMatchObject({ status: 'ok' });
      await bruno.waitForOp((op) => op.kind === 'delete' && op.entity === 'savedView' && op.id === id, 'the unshare');
      expect(bruno.rowsOf('savedView').has(id)).toBe(false);
      expect(ana.rowsOf('savedView').has(id)).toBe(true);
      expect(await ana.push('view.delete', { id })).toMatchObject({ status: 'ok' });
      expect(ana.rowsOf('savedView').has(id)).toBe(false);
    });
  });

  describe('administration', () => {
    it('refuses every admin mutation from agents and supervisors, and changes nothing', async () => {
      const ana = await peer('ana');
      const sofia = await peer('sofia');
      const before = await world();
      const calls: [string, unknown][] = [
        ['admin.user.invite', { id: uuidv7(), email: 'intrusa@demo.test', name: 'Intrusa', role: 'admin', teamIds: [] }],
        ['admin.user.update', { userId: 'user-ana', role: 'admin' }],
        ['admin.team.save', { id: 'team-x', name: 'X' }],
        ['admin.inbox.update', { inboxId: 'inbox-web', settings: { closeKeepsAssignee: false } }],
        ['admin.contactField.save', { id: 'field-x', key: 'x', label: 'X', type: 'text', options: [], active: true }],
        ['admin.closingCategory.save', { id: 'category-resuelto', name: 'Hackeado', active: false }],
      ];
      for (const who of [ana, sofia])
        for (const [name, args] of calls)
          expect(await who.push(name, args)).toMatchObject({ status: 'rejected', error: { code: 'FORBIDDEN' } });
      expect(await world()).toEqual(before);
      expect((await loginRaw(server.url, { email: 'ana@demo.test', password: 'demo1234' })).body.user).toMatchObject({ role: 'agent' });
    });

    it('keeps the last administrator', async () => {
      const admin = await peer('admin');
      const before = await world();
      expect(await admin.push('admin.user.update', { userId: 'user-admin', role: 'agent' })).toMatchObject({
        error: { code: 'FORBIDDEN' },
      });
      expect(await admin.push('admin.user.update', { userId: 'user-admin', active: false })).toMatchObject({
        error: { code: 'FORBIDDEN' },
      });
      expect(await world()).toEqual(before);
      expect(admin.rowsOf('user').get('user-admin')).toMatchObject({ role: 'admin', active: true });
    });

    it('saves teams, contact fields and closing categories for everyone', async () => {
      const admin = await peer('admin');
      const ana = await peer('ana');
      expect(await admin.push('admin.team.save', { id: 'team-postventa', name: 'Postventa' })).toMatchObject({ status: 'ok' });
      expect(
        await admin.push('admin.contactField.save', {
          id: 'field-cumple',
          key: 'cumple',
          label: 'Cumpleaños',
          type: 'date',
          options: [],
          active: true,
        }),
      ).toMatchObject({
        status: 'ok',
      });
      expect(
        await admin.push('admin.contactField.save', {
          id: 'field-otro',
          key: 'plan',
          label: 'Otro plan',
          type: 'text',
          options: [],
          active: true,
        }),
      ).toMatchObject({
        error: { code: 'INVALID_ARGS' },
      });
      expect(
        await admin.push('admin.contactField.save', {
          id: 'field-lista',
          key: 'lista',
          label: 'Lista',
          type: 'select',
          options: [],
          active: true,
        }),
      ).toMatchObject({
        error: { code: 'INVALID_ARGS' },
      });
      expect(await admin.push('admin.closingCategory.save', { id: 'category-spam', name: 'Spam', active: true })).toMatchObject({
        status: 'ok',
      });
      await ana.waitForOp((op) => op.kind === 'closingCategory' && op.row.id === 'category-spam', 'the category at Ana');
      expect(ana.rowsOf('team').get('team-postventa')).toMatchObject({ name: 'Postventa' });
      expect(ana.rowsOf('contactField').get('field-cumple')).toMatchObject({ key: 'cumple', type: 'date' });
      expect(ana.rowsOf('contactField').has('field-otro')).toBe(false);
    });

    it('invites a person with a one-time link to a translated page; they set a password and sign in', async () => {
      const admin = await peer('admin');
      const sofia = await peer('sofia');
      const userId = uuidv7();
      expect(
        await admin.push('admin.user.invite', { id: userId, email: 'ana@demo.test', name: 'Otra Ana', role: 'agent', teamIds: [] }),
      ).toMatchObject({
        error: { code: 'INVALID_ARGS' },
      });
      expect(
        await admin.push('admin.user.invite', {
          id: userId,
          email: 'carmen@demo.test',
          name: 'Carmen',
          role: 'agent',
          teamIds: ['team-soporte'],
        }),
      ).toMatchObject({
        status: 'ok',
      });
      expect(admin.rowsOf('user').get(userId)).toMatchObject({ invited: true, active: true, role: 'agent', teamIds: ['team-soporte'] });
      const invite = [...admin.rowsOf('invite').values()].find((i) => i.userId === userId)!;
      expect(invite.url).toMatch(new RegExp(`^${server.url}/invite/[A-Za-z0-9_-]{40,}$`));
      await sofia.waitForOp((op) => op.kind === 'user' && op.row.id === userId, 'Carmen at Sofía');
      expect(sofia.rowsOf('invite').size).toBe(0);
      expect((await peer('sofia')).rowsOf('invite').size).toBe(0);

      // Not before the password is set.
      expect((await loginRaw(server.url, { email: 'carmen@demo.test', password: 'anything1' })).status).toBe(401);
      const page = await fetch(`${invite.url}?lang=es`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-security-policy')).toMatch(/script-src 'sha256-/);
      const html = await page.text();
      expect(html).toContain('Hola Carmen, elige una contraseña');
      expect(html).toContain('Guardar contraseña');
      expect(await (await fetch(invite.url, { headers: { 'accept-language': 'pt-BR,pt;q=0.9' } })).text()).toContain('Definir senha');

      const token = invite.url.split('/').pop()!;
      const accept = (password: string, t = token) =>
        fetch(`${server.url}/api/invite/accept`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ token: t, password }),
        });
      expect((await accept('corta')).status).toBe(400);
      expect((await accept('clave-segura-1', 'not-a-token')).status).toBe(404);
      const ok = await accept('clave-segura-1');
      expect(ok.status).toBe(200);
      await admin.waitForOp((op) => op.kind === 'delete' && op.entity === 'invite' && op.id === invite.id, 'the invite gone');
      expect(admin.rowsOf('user').get(userId)).toMatchObject({ invited: false });
      expect((await accept('otra-clave-22')).status).toBe(404);
      expect((await fetch(invite.url)).status).toBe(404);
      const carmen = await login(server.url, 'carmen@demo.test', 'clave-segura-1');
      expect(carmen.user).toMatchObject({ id: userId, name: 'Carmen', invited: false });

      // Deactivating her ends her sessions and closes her socket with 4401.
      const live = await SyncPeer.connect(server.url, { token: carmen.token });
      closeLater(live);
      expect(await admin.push('admin.user.update', { userId, active: false })).toMatchObject({ status: 'ok' });
      expect((await live.closed).code).toBe(CloseCode.unauthorized);
      // Her right password now answers like a wrong one: nobody learns the account exists or was deactivated.
      expect((await loginRaw(server.url, { email: 'carmen@demo.test', password: 'clave-segura-1' })).status).toBe(401);
      const stale = await SyncPeer.connect(server.url, { token: carmen.token, skipHello: true });
      closeLater(stale);
      await expect(stale.hello()).rejects.toThrow(/UNAUTHORIZED/);
    });

    it('re-bootstraps a live socket with exactly what is visible when the role or teams change', async () => {
      const ventas = await newConversation('Olga', 'ventas');
      const ana = await peer('ana');
      const admin = await peer('admin');
      const oldCursor = { clientId: ana.clientId, epoch: ana.epoch, cursor: ana.cursor };
      expect(ana.conversations.has(ventas.conversationId)).toBe(false);
      const allIds = () => [...admin.conversations.keys()].sort();
      const visibleTo = (viewer: { id: string; role: 'agent' | 'supervisor' | 'admin'; teamIds: string[] }) =>
        [...admin.conversations.values()]
          .filter((c) => canSeeConversation(viewer, c))
          .map((c) => c.id)
          .sort();
      const rebootstrapped = async (from: number) => {
        await ana.waitFor((f) => f.type === 'snapshotBegin', 'snapshotBegin', from);
        await ana.waitFor((f) => f.type === 'snapshotEnd', 'snapshotEnd', from);
      };

      try {
        let mark = ana.frames.length;
        expect(await admin.push('admin.user.update', { userId: 'user-ana', role: 'supervisor' })).toMatchObject({ status: 'ok' });
        await rebootstrapped(mark);
        expect(ana.conversations.has(ventas.conversationId)).toBe(true);
        expect([...ana.conversations.keys()].sort()).toEqual(allIds());
        // A supervisor may now do what an agent may not.
        expect(await ana.push('conversation.assign', { conversationId: ventas.conversationId, assigneeId: 'user-bruno' })).toMatchObject({
          status: 'ok',
        });

        mark = ana.frames.length;
        expect(await admin.push('admin.user.update', { userId: 'user-ana', role: 'agent' })).toMatchObject({ status: 'ok' });
        await rebootstrapped(mark);
        expect(ana.conversations.has(ventas.conversationId)).toBe(false);
        expect([...ana.messages.values()].some((m) => m.conversationId === ventas.conversationId)).toBe(false);
        expect([...ana.conversations.keys()].sort()).toEqual(visibleTo({ id: 'user-ana', role: 'agent', teamIds: ['team-soporte'] }));

        // Joining Ventas brings its unassigned conversations; leaving takes them away.
        const unassigned = await newConversation('Olga 2', 'ventas');
        mark = ana.frames.length;
        expect(await admin.push('admin.user.update', { userId: 'user-ana', teamIds: ['team-soporte', 'team-ventas'] })).toMatchObject({
          status: 'ok',
        });
        await rebootstrapped(mark);
        expect(ana.conversations.has(unassigned.conversationId)).toBe(true);
        expect([...ana.conversations.keys()].sort()).toEqual(
          visibleTo({ id: 'user-ana', role: 'agent', teamIds: ['team-soporte', 'team-ventas'] }),
        );
        mark = ana.frames.length;
        expect(await admin.push('admin.user.update', { userId: 'user-ana', teamIds: ['team-soporte'] })).toMatchObject({ status: 'ok' });
        await rebootstrapped(mark);
        expect(ana.conversations.has(unassigned.conversationId)).toBe(false);
        expect([...ana.conversations.keys()].sort()).toEqual(visibleTo({ id: 'user-ana', role: 'agent', teamIds: ['team-soporte'] }));

        // A device coming back with a cursor from before those changes starts over.
        ana.close();
        const back = await peer('ana', oldCursor);
        expect(back.welcome?.bootstrap).toBe(true);
        expect(back.conversations.has(unassigned.conversationId)).toBe(false);
      } finally {
        await admin.push('admin.user.update', { userId: 'user-ana', role: 'agent', teamIds: ['team-soporte'] });
      }
    });
  });

  describe('presence', () => {
    it('shows a user online while they have a live connection, offline after', async () => {
      const bruno = await peer('bruno');
      await bruno.waitFor(() => bruno.rowsOf('user').get('user-ana')?.presence === 'offline', 'Ana offline to begin with');
      const ana = await peer('ana');
      expect(ana.rowsOf('user').get('user-ana')).toMatchObject({ presence: 'online' });
      await bruno.waitFor(() => bruno.rowsOf('user').get('user-ana')?.presence === 'online', 'Ana online');
      ana.close();
      await bruno.waitFor(() => bruno.rowsOf('user').get('user-ana')?.presence === 'offline', 'Ana offline');
      expect(bruno.rowsOf('user').get('user-bruno')).toMatchObject({ presence: 'online' });
    });
  });
});
