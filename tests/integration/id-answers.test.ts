// What a refusal tells about rows outside one's scope (issue 12, classes 2 and 4), against a real server
// process with two tenants: a client-made id taken anywhere gets one answer, a refused reopen names the
// other conversation only to someone who may see it, and an @mention reaches only people who may see the note.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src-server/app';
import { hashPassword } from '../../src-server/auth/passwords';
import { seedDemo } from '../../src-server/demo';
import { writeTenantChanges } from '../../src-server/store/changeLog';
import { insertInbox, insertTeam, insertUser } from '../../src-server/store/directory';
import { migrate } from '../../src-server/store/migrate';
import { insertTenant } from '../../src-server/store/tenants';
import type { PushResultItem } from '../../src-shared/protocol';
import { startServerProcess, type ServerProcess } from '../support/server-process';
import { DEMO_PASSWORD, login, SyncPeer } from '../support/sync-peer';
import { WebchatCustomer } from '../support/webchat-customer';

type Who = 'ana' | 'bruno' | 'sofia' | 'admin' | 'otra';

let server: ServerProcess;
const tokens: Partial<Record<Who, string>> = {};
const open: { close(): void }[] = [];

/** A second tenant beside the demo: its admin, a team and a webchat inbox at /webchat/otra. */
async function seedOtherTenant(dataDir: string): Promise<void> {
  const db = await openStore({ dataDir });
  await migrate(db);
  await seedDemo(db);
  await db.tx((tx) => insertTenant(tx, 'otra', 'Otra empresa', Date.now()));
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  await writeTenantChanges(db, 'otra', async (tx, batch) => {
    await insertTeam(tx, batch, { id: 'team-otra', name: 'Otra' });
    await insertUser(tx, batch, {
      id: 'user-otra',
      email: 'admin@otra.test',
      name: 'Otra',
      role: 'admin',
      passwordHash,
      teamIds: ['team-otra'],
    });
    await insertInbox(tx, batch, { id: 'inbox-otra', name: 'Otra web', channel: 'webchat', teamId: 'team-otra', slug: 'otra' });
  });
  await db.close();
}

beforeAll(async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'bandeja-ids-'));
  await seedOtherTenant(dataDir);
  server = await startServerProcess({ dataDir, demo: true });
  for (const who of ['ana', 'bruno', 'sofia', 'admin'] as const) tokens[who] = (await login(server.url, `${who}@demo.test`)).token;
  tokens.otra = (await login(server.url, 'admin@otra.test')).token;
});

afterEach(() => {
  for (const o of open.splice(0)) o.close();
});

afterAll(async () => {
  await server?.stop();
});

async function peer(who: Who) {
  const p = await SyncPeer.connect(server.url, { token: tokens[who]! });
  open.push(p);
  return p;
}

/** A visitor of `slug` writes; returns her conversation and message as the watcher's socket receives them. */
async function visitorWrites(watcher: SyncPeer, slug: string, name: string, text = 'Hola') {
  const customer = await WebchatCustomer.join(server.url, slug, name);
  open.push(customer);
  const messageId = await customer.say(text);
  await watcher.waitForOp((op) => op.kind === 'message' && op.row.id === messageId, `${name}'s message`);
  const conversationId = watcher.messages.get(messageId)!.conversationId;
  return { customer, conversationId, messageId, contactId: watcher.conversations.get(conversationId)!.contactId };
}

function refusal(r: PushResultItem) {
  expect(r.status, JSON.stringify(r)).toBe('rejected');
  return r.status === 'rejected' ? r.error : null;
}

async function ok(p: SyncPeer, name: string, args: unknown) {
  const r = await p.push(name, args);
  expect(r, `${name} ${JSON.stringify(r)}`).toMatchObject({ status: 'ok' });
}

describe('client-made ids', () => {
  it('an id taken by a visible row, a hidden row or another tenant’s row gets one answer naming nothing; one’s own rows still upsert', async () => {
    // Tenant "otra" makes one row of every kind a client names by its own id.
    const otra = await peer('otra');
    const theirs = await visitorWrites(otra, 'otra', 'Cliente de otra');
    const other = {
      conversation: theirs.conversationId,
      message: theirs.messageId,
      contact: uuidv7(),
      reminder: uuidv7(),
      view: uuidv7(),
      snippet: uuidv7(),
      template: uuidv7(),
      team: uuidv7(),
      user: uuidv7(),
      field: uuidv7(),
      category: uuidv7(),
    };
    await ok(otra, 'contact.create', { id: other.contact, name: 'Contacto de otra', phones: [], emails: [], custom: {} });
    await ok(otra, 'reminder.set', {
      id: other.reminder,
      conversationId: theirs.conversationId,
      dueAt: Date.now() + 3_600_000,
      note: null,
      postpone: false,
    });
    await ok(otra, 'view.save', { id: other.view, name: 'Vista', teamId: null, filters: {}, sort: 'newest' });
    await ok(otra, 'snippet.save', { id: other.snippet, title: 'S', shortcut: 'otra', body: 'x', attachment: null, shared: false });
    const template = { inboxId: 'inbox-otra', name: 'aviso', language: 'es', category: 'utility', body: 'Hola', status: 'approved' };
    await ok(otra, 'admin.template.save', { id: other.template, ...template });
    await ok(otra, 'admin.team.save', { id: other.team, name: 'Equipo' });
    await ok(otra, 'admin.user.invite', { id: other.user, email: 'nuevo@otra.test', name: 'Nuevo', role: 'agent', teamIds: [] });
    await ok(otra, 'admin.contactField.save', { id: other.field, key: 'otro', label: 'Otro', type: 'text', options: [], active: true });
    await ok(otra, 'admin.closingCategory.save', { id: other.category, name: 'Otra', active: true });

    // In the demo tenant: Bruno's own rows (Ana never sees them), a Ventas conversation (not Ana's team).
    const admin = await peer('admin');
    await ok(admin, 'admin.inbox.update', { inboxId: 'inbox-web', settings: { transferStartsNewConversation: true } });
    const bruno = await peer('bruno');
    const sofia = await peer('sofia');
    const ventas = await visitorWrites(sofia, 'ventas', 'Cliente de ventas');
    const soporte = await visitorWrites(sofia, 'demo', 'Cliente de soporte');
    const brunos = { reminder: uuidv7(), view: uuidv7(), snippet: uuidv7() };
    await ok(bruno, 'reminder.set', {
      id: brunos.reminder,
      conversationId: ventas.conversationId,
      dueAt: Date.now() + 3_600_000,
      note: null,
      postpone: false,
    });
    await ok(bruno, 'view.save', { id: brunos.view, name: 'Mía', teamId: null, filters: {}, sort: 'newest' });
    await ok(bruno, 'snippet.save', { id: brunos.snippet, title: 'B', shortcut: 'bruno', body: 'x', attachment: null, shared: false });

    // Ana holds a Soporte conversation and has rows of her own.
    const ana = await peer('ana');
    await ok(ana, 'conversation.assign', { conversationId: soporte.conversationId, assigneeId: 'user-ana' });
    const anas = { reminder: uuidv7(), view: uuidv7(), snippet: uuidv7() };
    await ok(ana, 'reminder.set', {
      id: anas.reminder,
      conversationId: soporte.conversationId,
      dueAt: Date.now() + 3_600_000,
      note: null,
      postpone: false,
    });
    await ok(ana, 'view.save', { id: anas.view, name: 'Mía', teamId: null, filters: {}, sort: 'newest' });
    await ok(ana, 'snippet.save', { id: anas.snippet, title: 'A', shortcut: 'ana', body: 'x', attachment: null, shared: false });

    const invited = uuidv7();
    await ok(admin, 'admin.user.invite', { id: invited, email: 'invitada@demo.test', name: 'Invitada', role: 'agent', teamIds: [] });
    const c = soporte.conversationId;
    const transfer = (id: string) => ({ conversationId: c, toUserId: 'user-bruno', toTeamId: null, newConversationId: id });
    const send = (id: string) => ({ id, conversationId: c, body: 'hola', attachments: [] });
    const note = (id: string) => ({ id, conversationId: c, body: 'nota', mentions: [] });
    const reminder = (id: string) => ({ id, conversationId: c, dueAt: Date.now() + 7_200_000, note: null, postpone: false });
    const view = (id: string) => ({ id, name: 'Robada', teamId: null, filters: {}, sort: 'oldest' });
    const snippet = (id: string) => ({ id, title: 'Robado', shortcut: `r${id.slice(-6)}`, body: 'y', attachment: null, shared: false });
    const contact = (id: string) => ({ id, name: 'Nuevo', phones: [], emails: [], custom: {} });
    const tries: [SyncPeer, string, unknown][] = [
      // Taken in another tenant.
      [ana, 'conversation.transfer', transfer(other.conversation)],
      [ana, 'message.send', send(other.message)],
      [ana, 'note.add', note(other.message)],
      [ana, 'contact.create', contact(other.contact)],
      [ana, 'reminder.set', reminder(other.reminder)],
      [ana, 'view.save', view(other.view)],
      [ana, 'snippet.save', snippet(other.snippet)],
      [admin, 'admin.template.save', { id: other.template, ...template, inboxId: 'inbox-whatsapp' }],
      [admin, 'admin.team.save', { id: other.team, name: 'Robado' }],
      [admin, 'admin.user.invite', { id: other.user, email: 'robado@demo.test', name: 'R', role: 'agent', teamIds: [] }],
      [admin, 'admin.contactField.save', { id: other.field, key: 'robado', label: 'R', type: 'text', options: [], active: true }],
      [admin, 'admin.closingCategory.save', { id: other.category, name: 'Robada', active: true }],
      // Taken in her tenant by rows she may not see.
      [ana, 'conversation.transfer', transfer(ventas.conversationId)],
      [ana, 'message.send', send(ventas.messageId)],
      [ana, 'reminder.set', reminder(brunos.reminder)],
      [ana, 'view.save', view(brunos.view)],
      [ana, 'snippet.save', snippet(brunos.snippet)],
      // Taken by rows she sees.
      [ana, 'conversation.transfer', transfer(c)],
      [ana, 'message.send', send(soporte.messageId)],
      [ana, 'contact.create', contact(soporte.contactId)],
      [admin, 'admin.user.invite', { id: invited, email: 'otro@demo.test', name: 'R', role: 'agent', teamIds: [] }],
    ];
    const answers = [];
    for (const [who, name, args] of tries) answers.push({ name, error: refusal(await who.push(name, args)) });
    const expected = { code: 'INVALID_ARGS', message: answers[0]!.error!.message };
    for (const a of answers) expect(a).toEqual({ name: a.name, error: expected });

    // Nothing of it was stored: Bruno's rows are his, the other tenant's are untouched.
    expect(bruno.rowsOf('savedView').get(brunos.view)).toMatchObject({ name: 'Mía', sort: 'newest' });
    expect(ana.rowsOf('savedView').has(brunos.view)).toBe(false);
    expect(otra.rowsOf('contact').get(other.contact)).toMatchObject({ name: 'Contacto de otra' });

    // One's own rows (and an admin's tenant definitions) are still upserted under their ids.
    await ok(ana, 'reminder.set', reminder(anas.reminder));
    await ok(ana, 'view.save', view(anas.view));
    await ok(ana, 'snippet.save', { ...snippet(anas.snippet), shortcut: 'ana' });
    await ok(admin, 'admin.template.save', {
      id: 'template-seguimiento',
      inboxId: 'inbox-whatsapp',
      name: 'seguimiento',
      language: 'es',
      category: 'utility',
      body: 'Hola {{1}}, ¿seguimos con {{2}}?',
      status: 'approved',
    });
    await ok(admin, 'admin.team.save', { id: 'team-ventas', name: 'Ventas' });
    await ok(admin, 'admin.closingCategory.save', { id: 'category-resuelto', name: 'Resuelto', active: true });
    await ok(admin, 'admin.contactField.save', {
      id: 'field-documento',
      key: 'documento',
      label: 'Documento',
      type: 'text',
      options: [],
      active: true,
    });
  });
});

describe('a refused reopen', () => {
  it('names the active conversation only to someone who may see it', async () => {
    const sofia = await peer('sofia');
    const ana = await peer('ana');
    const bruno = await peer('bruno');
    // Laura writes to Soporte; Ana takes it and closes it; Laura writes again and Bruno takes the new one.
    const first = await visitorWrites(sofia, 'demo', 'Laura reabre');
    await ok(ana, 'conversation.assign', { conversationId: first.conversationId, assigneeId: 'user-ana' });
    await ok(ana, 'conversation.close', { conversationId: first.conversationId, note: null, categoryId: null });
    const again = await first.customer.say('Sigo esperando');
    await sofia.waitForOp((op) => op.kind === 'message' && op.row.id === again, 'Laura again');
    const second = sofia.messages.get(again)!.conversationId;
    expect(second).not.toBe(first.conversationId);
    await ok(bruno, 'conversation.assign', { conversationId: second, assigneeId: 'user-bruno' });

    // Ana still sees her closed conversation, not Bruno's new one: she is told it is handled elsewhere.
    const hidden = refusal(await ana.push('conversation.reopen', { conversationId: first.conversationId }));
    expect(hidden).toEqual({
      code: 'INVALID_TRANSITION',
      message: 'This contact is already being helped in another conversation.',
      params: { reason: 'activeElsewhere' },
    });
    expect(JSON.stringify(hidden)).not.toContain(second);
    // Sofía sees both: she is offered to continue there.
    const shown = refusal(await sofia.push('conversation.reopen', { conversationId: first.conversationId }));
    expect(shown).toMatchObject({ code: 'INVALID_TRANSITION', params: { reason: 'activeConversation', conversationId: second } });
  });
});

describe('note mentions', () => {
  it('a mention of someone who cannot see the conversation refuses the note, naming her; nobody is notified', async () => {
    const sofia = await peer('sofia');
    const ana = await peer('ana');
    const bruno = await peer('bruno');
    const soporte = await visitorWrites(sofia, 'demo', 'Cliente con nota');
    await ok(ana, 'conversation.assign', { conversationId: soporte.conversationId, assigneeId: 'user-ana' });
    // Bruno is in Soporte but the conversation is Ana's now: he may not see it. Sofía (supervisor) may.
    await bruno.waitFor(() => !bruno.conversations.has(soporte.conversationId), 'the conversation leaving Bruno’s scope');
    const noteId = uuidv7();
    const refused = refusal(
      await ana.push('note.add', {
        id: noteId,
        conversationId: soporte.conversationId,
        body: '@Bruno @Sofía mirad esto',
        mentions: ['user-bruno', 'user-sofia'],
      }),
    );
    expect(refused).toMatchObject({ code: 'FORBIDDEN', params: { reason: 'mentionCannotSee', userId: 'user-bruno' } });
    const okId = uuidv7();
    await ok(ana, 'note.add', { id: okId, conversationId: soporte.conversationId, body: '@Sofía mira esto', mentions: ['user-sofia'] });
    await sofia.waitFor(() => [...sofia.rowsOf('notification').values()].some((n) => n.messageId === okId), 'Sofía’s mention');
    // Bruno got no notification and no note of a conversation he cannot see; the refused note exists nowhere.
    expect([...bruno.rowsOf('notification').values()].filter((n) => n.conversationId === soporte.conversationId)).toEqual([]);
    expect(bruno.messages.has(noteId) || bruno.messages.has(okId)).toBe(false);
    expect(sofia.messages.has(noteId)).toBe(false);
  });
});
