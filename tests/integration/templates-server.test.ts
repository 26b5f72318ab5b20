// Message templates on a real server process: only admins keep them (per inbox, name + language unique),
// every agent receives them (snapshot and changes), and sending one checks approval, its values and its
// inbox; forwarded messages are stored as such. Refusals carry their code and change nothing.
import { v7 as uuidv7 } from 'uuid';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startServerProcess, type ServerProcess } from '../support/server-process';
import { login, SyncPeer } from '../support/sync-peer';
import { WebchatCustomer } from '../support/webchat-customer';

let server: ServerProcess;
const tokens: Record<string, string> = {};
const open: { close(): void }[] = [];

beforeAll(async () => {
  server = await startServerProcess({ demo: true });
  for (const who of ['admin', 'ana']) tokens[who] = (await login(server.url, `${who}@demo.test`)).token;
});
afterEach(() => {
  for (const o of open.splice(0)) o.close();
});
afterAll(async () => {
  await server?.stop();
});

async function peer(who: 'admin' | 'ana'): Promise<SyncPeer> {
  const p = await SyncPeer.connect(server.url, { token: tokens[who]! });
  open.push(p);
  return p;
}

const template = (over: Record<string, unknown> = {}) => ({
  id: uuidv7(),
  inboxId: 'inbox-whatsapp',
  name: 'confirmacion_turno',
  language: 'es',
  category: 'utility',
  body: 'Hola {{1}}, tu turno es el {{2}}.',
  status: 'approved',
  ...over,
});

describe('admin templates', () => {
  it('every agent gets the demo templates in the snapshot', async () => {
    const ana = await peer('ana');
    const names = [...ana.rowsOf('template').values()].map((t) => `${t.name}/${t.language}/${t.status}`).sort();
    expect(names).toEqual([
      'recordatorio_pago/es/pending',
      'retomar_atencion/es/approved',
      'retomar_conversa/pt_BR/approved',
      'seguimiento/es/approved',
    ]);
  });

  it('lets only admins save and delete, keeps name + language unique per inbox, and sends every change to agents', async () => {
    const admin = await peer('admin');
    const ana = await peer('ana');
    const t = template();
    expect(await ana.push('admin.template.save', t)).toMatchObject({ status: 'rejected', error: { code: 'FORBIDDEN' } });
    expect(await admin.push('admin.template.save', { ...t, inboxId: 'inbox-nope' })).toMatchObject({
      status: 'rejected',
      error: { code: 'NOT_FOUND' },
    });
    expect(await admin.push('admin.template.save', { ...t, name: 'Con Mayúsculas' })).toMatchObject({
      status: 'rejected',
      error: { code: 'INVALID_ARGS' },
    });
    expect(await admin.push('admin.template.save', { ...t, name: 'seguimiento' })).toMatchObject({
      status: 'rejected',
      error: { code: 'INVALID_ARGS', message: 'This inbox already has the template "seguimiento" in es.' },
    });
    // The same name in another language is another template.
    expect(await admin.push('admin.template.save', { ...t, name: 'seguimiento', language: 'pt_BR' })).toMatchObject({ status: 'ok' });
    await ana.waitForOp((op) => op.kind === 'template' && op.row.id === t.id, 'the new template');
    expect(ana.rowsOf('template').get(t.id)).toMatchObject({ name: 'seguimiento', language: 'pt_BR', status: 'approved' });

    expect(await ana.push('admin.template.delete', { id: t.id })).toMatchObject({ status: 'rejected', error: { code: 'FORBIDDEN' } });
    expect(await admin.push('admin.template.delete', { id: t.id })).toMatchObject({ status: 'ok' });
    await ana.waitForOp((op) => op.kind === 'delete' && op.entity === 'template' && op.id === t.id, 'the delete');
    expect(ana.rowsOf('template').has(t.id)).toBe(false);
    expect(await admin.push('admin.template.delete', { id: t.id })).toMatchObject({ status: 'rejected', error: { code: 'NOT_FOUND' } });
  });
});

describe('sending templates', () => {
  it('refuses a pending template, a wrong number of values, a blank value and another inbox’s template; stores nothing', async () => {
    const ana = await peer('ana');
    const conversationId = 'conversation-wa-joao';
    const before = ana.conversations.get(conversationId)!;
    const refusals: [Record<string, unknown>, string][] = [
      [
        { templateId: 'template-recordatorio-pago', variables: ['João', 'A-12', '30/11'] },
        'This template is not approved yet. Pick an approved one.',
      ],
      [{ templateId: 'template-seguimiento', variables: ['João'] }, 'This template needs 2 values.'],
      [{ templateId: 'template-seguimiento', variables: ['João', '  '] }, 'Fill in {{2}} before sending.'],
      [{ templateId: 'template-nope', variables: [] }, 'This template does not exist.'],
    ];
    for (const [args, message] of refusals) {
      const id = uuidv7();
      const r = await ana.push('message.sendTemplate', { id, conversationId, ...args });
      expect(r.status).toBe('rejected');
      expect(r.error?.message).toBe(message);
      expect(ana.messages.has(id)).toBe(false);
    }
    // A template of the WhatsApp inbox cannot go to a webchat conversation.
    const admin = await peer('admin');
    const customer = await WebchatCustomer.join(server.url, 'demo', 'Hilda');
    open.push(customer);
    const said = await customer.say('Hola');
    await admin.waitFor(() => admin.messages.has(said), 'the webchat message');
    const r = await admin.push('message.sendTemplate', {
      id: uuidv7(),
      conversationId: admin.messages.get(said)!.conversationId,
      templateId: 'template-retomar-atencion',
      variables: [],
    });
    expect(r).toMatchObject({ status: 'rejected', error: { code: 'INVALID_ARGS' } });
    const after = await peer('ana');
    expect(after.conversations.get(conversationId)).toEqual(before);
  });

  it('sends a template outside the window (stored with its values), and stores a forwarded message as forwarded', async () => {
    const ana = await peer('ana');
    // João wrote 30 h ago (demo): free text is refused, a template is taken.
    const conversationId = 'conversation-wa-joao';
    expect(await ana.push('message.send', { id: uuidv7(), conversationId, body: 'Olá?' })).toMatchObject({
      status: 'rejected',
      error: { code: 'REPLY_WINDOW_CLOSED' },
    });
    const id = uuidv7();
    expect(
      await ana.push('message.sendTemplate', { id, conversationId, templateId: 'template-retomar-conversa', variables: [' João '] }),
    ).toMatchObject({
      status: 'ok',
    });
    await ana.waitFor(() => ana.messages.has(id), 'the template message');
    expect(ana.messages.get(id)).toMatchObject({
      direction: 'out',
      authorId: 'user-ana',
      body: 'Olá João! Podemos retomar a nossa conversa? Responda esta mensagem e continuamos o atendimento.',
      template: { templateId: 'template-retomar-conversa', name: 'retomar_conversa', language: 'pt_BR', variables: ['João'] },
      forwarded: false,
    });
    expect(ana.conversations.get(conversationId)!.lastMessagePreview).toBe(ana.messages.get(id)!.body);

    const customer = await WebchatCustomer.join(server.url, 'demo', 'Irene');
    open.push(customer);
    const said = await customer.say('Hola');
    await ana.waitFor(() => ana.messages.has(said), 'the webchat message');
    const forwarded = uuidv7();
    await ana.push('message.send', {
      id: forwarded,
      conversationId: ana.messages.get(said)!.conversationId,
      body: 'Sí, entregamos aos sábados.',
      forwarded: true,
    });
    const received = await customer.waitForAgentMessage((m) => m.id === forwarded);
    expect(received.body).toBe('Sí, entregamos aos sábados.');
    await ana.waitFor(() => ana.messages.has(forwarded), 'the forwarded message');
    expect(ana.messages.get(forwarded)!.forwarded).toBe(true);
  });
});
