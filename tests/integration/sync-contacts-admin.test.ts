// The rest of the IPC contract end to end through a real server: contacts (create, per-field update
// with history, merge), saved views, mark all read, reopen, bot, unread, admin screens.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startClientProcess, type ClientProcess } from '../support/client-process';
import { startServerProcess, type ServerProcess } from '../support/server-process';
import { WebchatCustomer } from '../support/webchat-customer';
import { signIn, waitForConversation } from './sync-helpers';

let server: ServerProcess;
let admin: ClientProcess;
let ana: ClientProcess;
const customers: WebchatCustomer[] = [];

beforeAll(async () => {
  server = await startServerProcess({ demo: true });
  [admin, ana] = await Promise.all([startClientProcess({ serverUrl: server.url }), startClientProcess({ serverUrl: server.url })]);
  await Promise.all([signIn(admin, server.url, 'admin@demo.test'), signIn(ana, server.url, 'ana@demo.test')]);
});

afterAll(async () => {
  for (const c of customers) c.close();
  await Promise.all([admin?.stop(), ana?.stop()]);
  await server?.stop();
});

const settled = (c: ClientProcess) => c.ipc.until('sync.status', {}, (s) => s.state === 'online' && s.pending === 0);

describe('contacts, views and admin through the server', () => {
  it('creates a contact by hand, edits fields with history, merges two contacts', async () => {
    const { id } = await ana.ipc.ok('contact.create', {
      name: 'Óscar Pérez',
      phones: ['+34 611 222 333'],
      emails: ['oscar@ejemplo.es'],
      custom: { plan: 'Pro' },
    });
    expect((await ana.ipc.ok('contact.get', { id }))!.contact).toMatchObject({ name: 'Óscar Pérez', custom: { plan: 'Pro' } });
    await settled(ana);
    const confirmed = await ana.ipc.until('contact.get', { id }, (d) => (d?.contact.version ?? 0) > 0);
    expect(confirmed!.contact).toMatchObject({ phones: ['+34 611 222 333'], emails: ['oscar@ejemplo.es'] });
    expect((await ana.ipc.ok('search.query', { q: 'oscar', limit: 5 })).contacts.map((c) => c.id)).toEqual([id]);
    expect((await ana.ipc.ok('search.query', { q: '611222', limit: 5 })).contacts.map((c) => c.id)).toEqual([id]);

    await ana.ipc.ok('contact.update', { contactId: id, fields: { name: 'Óscar Pérez Gil', 'custom.documento': 'X123' }, base: {} });
    await settled(ana);
    const edited = await ana.ipc.until('contact.get', { id }, (d) => d?.history.some((h) => h.field === 'name') ?? false);
    expect(edited!.contact).toMatchObject({ name: 'Óscar Pérez Gil', custom: { plan: 'Pro', documento: 'X123' } });
    expect(edited!.history.find((h) => h.field === 'name')).toMatchObject({
      before: 'Óscar Pérez',
      after: 'Óscar Pérez Gil',
      byId: 'user-ana',
      conflict: false,
    });
    // The admin's mirror got the edit too (contacts are tenant-wide).
    await admin.ipc.until('contact.get', { id }, (d) => d?.contact.name === 'Óscar Pérez Gil');

    const other = await ana.ipc.ok('contact.create', { name: 'Oscar duplicado', phones: [], emails: ['oscar.dup@ejemplo.es'], custom: {} });
    await settled(ana);
    await ana.ipc.ok('contact.merge', { targetId: id, sourceId: other.id });
    await settled(ana);
    const merged = await ana.ipc.until('contact.get', { id: other.id }, (d) => d?.contact.mergedIntoId === id);
    expect(merged!.contact.mergedIntoId).toBe(id);
    expect((await ana.ipc.ok('search.query', { q: 'duplicado', limit: 5 })).contacts).toEqual([]);
    const target = await ana.ipc.until('contact.get', { id }, (d) => d?.contact.emails.includes('oscar.dup@ejemplo.es') ?? false);
    expect(target!.contact.emails).toEqual(expect.arrayContaining(['oscar@ejemplo.es', 'oscar.dup@ejemplo.es']));
  });

  it('saved views, mark all read, unread, bot and reopen', async () => {
    for (const name of ['Pilar', 'Quique']) {
      const c = await WebchatCustomer.join(server.url, 'demo', name);
      customers.push(c);
      await c.say(`Hola, soy ${name}`);
      await waitForConversation(ana, 'unassigned', name);
    }
    const saved = await ana.ipc.ok('view.save', {
      name: 'Sin leer',
      teamId: 'team-soporte',
      filters: { unreadOnly: true, assignees: ['none'] },
      sort: 'oldest',
    });
    await settled(ana);
    await ana.ipc.until('view.list', {}, (l) => l.some((v) => v.id === saved.id && v.version > 0));
    const counts = await ana.ipc.ok('inbox.counts', {});
    expect(counts[`saved:${saved.id}`]!.unread).toBeGreaterThanOrEqual(2);

    const { mutationIds } = await ana.ipc.ok('inbox.markAllRead', { view: { kind: 'saved', viewId: saved.id }, status: 'open' });
    expect(mutationIds.length).toBeGreaterThanOrEqual(2);
    expect((await ana.ipc.ok('inbox.counts', {}))[`saved:${saved.id}`]!.unread).toBe(0);
    await settled(ana);
    expect(await ana.ipc.ok('inbox.list', { view: { kind: 'saved', viewId: saved.id }, status: 'open' })).toEqual([]);

    const [pilar] = (await ana.ipc.ok('inbox.list', { view: { kind: 'unassigned' }, status: 'open' })).filter(
      (c) => c.contactName === 'Pilar',
    );
    await ana.ipc.ok('conversation.markUnread', { conversationId: pilar!.id });
    await ana.ipc.ok('conversation.setBot', { conversationId: pilar!.id, active: true });
    await settled(ana);
    const unread = await ana.ipc.until('conversation.get', { id: pilar!.id }, (d) => d !== null && !d.conversation.pending);
    expect(unread!.conversation).toMatchObject({ unreadCount: 1, botActive: true });
    await ana.ipc.ok('conversation.assign', { conversationId: pilar!.id, assigneeId: 'user-ana' });
    await ana.ipc.ok('conversation.close', { conversationId: pilar!.id, note: null, categoryId: null });
    await ana.ipc.ok('conversation.reopen', { conversationId: pilar!.id });
    await settled(ana);
    const detail = await ana.ipc.until('conversation.get', { id: pilar!.id }, (d) => d !== null && !d.conversation.pending);
    expect(detail!.conversation).toMatchObject({
      status: 'open',
      botActive: true,
      unreadCount: 0,
      assigneeId: 'user-ana',
      closingCategoryId: null,
    });

    await ana.ipc.ok('view.delete', { id: saved.id });
    expect(await ana.ipc.ok('view.list', {})).toEqual([]);
    await settled(ana);
    expect(await ana.ipc.ok('view.list', {})).toEqual([]);
  });

  it('admin screens: invite, teams, inbox settings, contact fields, closing categories; an agent is refused', async () => {
    const invite = await admin.ipc.ok('admin.user.invite', {
      email: 'rita@demo.test',
      name: 'Rita',
      role: 'agent',
      teamIds: ['team-soporte'],
    });
    const team = await admin.ipc.ok('admin.team.save', { name: 'Postventa' });
    await admin.ipc.ok('admin.inbox.update', { inboxId: 'inbox-web', settings: { transferStartsNewConversation: true } });
    const field = await admin.ipc.ok('admin.contactField.save', {
      key: 'ciudad',
      label: 'Ciudad',
      type: 'text',
      options: [],
      active: true,
    });
    const category = await admin.ipc.ok('admin.closingCategory.save', { name: 'Spam', active: true });
    await settled(admin);
    const dir = await admin.ipc.until('directory.get', {}, (d) => d.invites.some((i) => i.userId === invite.id));
    expect(dir.users.find((u) => u.id === invite.id)).toMatchObject({ name: 'Rita', invited: true });
    expect(dir.invites.find((i) => i.userId === invite.id)!.url).toMatch(/\/invite\//);
    expect(dir.teams.find((t) => t.id === team.id)?.name).toBe('Postventa');
    expect(dir.inboxes.find((i) => i.id === 'inbox-web')!.settings.transferStartsNewConversation).toBe(true);
    expect(dir.contactFields.find((f) => f.id === field.id)?.key).toBe('ciudad');
    expect(dir.closingCategories.find((c) => c.id === category.id)?.name).toBe('Spam');

    // Agents see the directory change but never invites.
    const forAna = await ana.ipc.until('directory.get', {}, (d) => d.teams.some((t) => t.id === team.id));
    expect(forAna.invites).toEqual([]);
    expect(await ana.ipc.call('admin.team.save', { name: 'Pirata' })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  });
});
