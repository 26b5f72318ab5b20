// Templates through real headless clients and a real server process: an admin registers one over IPC
// (agents may not), every agent's device lists it, and a template sent offline reaches the customer once.
import { afterEach, describe, expect, it } from 'vitest';
import { startClientProcess, type ClientProcess } from '../support/client-process';
import { startServerProcess, type ServerProcess } from '../support/server-process';
import { WebchatCustomer } from '../support/webchat-customer';
import { readMirrorFile, signIn, waitForConversation } from './sync-helpers';

let server: ServerProcess | undefined;
const clients: ClientProcess[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) await c.stop();
  await server?.stop();
  server = undefined;
});

async function client(email: string): Promise<ClientProcess> {
  const c = await startClientProcess({ serverUrl: server!.url });
  clients.push(c);
  await signIn(c, server!.url, email);
  return c;
}

describe('templates', () => {
  it('an admin registers a template; an agent may not; a template sent offline reaches the customer once', async () => {
    server = await startServerProcess({ demo: true });
    const admin = await client('admin@demo.test');
    const ana = await client('ana@demo.test');
    const customer = await WebchatCustomer.join(server.url, 'demo', 'Tomás');
    await customer.say('¿A qué hora abren?');
    const conversation = await waitForConversation(ana, 'unassigned', 'Tomás');

    const fields = {
      inboxId: conversation.inboxId,
      name: 'horario_atencion',
      language: 'es',
      category: 'utility' as const,
      body: 'Hola {{1}}, atendemos de {{2}}.',
      status: 'approved' as const,
    };
    // An agent is refused at once and nothing is queued.
    expect(await ana.ipc.call('admin.template.save', fields)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect((await ana.ipc.ok('sync.status', {})).pending).toBe(0);

    const { id: templateId } = await admin.ipc.ok('admin.template.save', fields);
    await admin.ipc.until('template.list', { inboxId: conversation.inboxId }, (list) =>
      list.some((t) => t.id === templateId && t.version > 0),
    );
    // A second one with the same name and language in this inbox is refused before it is queued.
    expect(await admin.ipc.call('admin.template.save', { ...fields, body: 'Otro' })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_ARGS' },
    });
    const listed = await ana.ipc.until('template.list', {}, (list) => list.some((t) => t.id === templateId));
    expect(listed.find((t) => t.id === templateId)).toMatchObject({ name: 'horario_atencion', status: 'approved', body: fields.body });

    await server.stop();
    await ana.ipc.until('sync.status', {}, (s) => s.state === 'offline');
    // A blank value is refused before anything is stored.
    expect(
      await ana.ipc.call('message.sendTemplate', { conversationId: conversation.id, templateId, variables: ['Tomás', '  '] }),
    ).toMatchObject({
      ok: false,
      error: { code: 'INVALID_ARGS' },
    });
    const { id } = await ana.ipc.ok('message.sendTemplate', {
      conversationId: conversation.id,
      templateId,
      variables: ['Tomás', '9 a 18'],
    });
    expect((await ana.ipc.ok('conversation.messages', { conversationId: conversation.id })).find((m) => m.id === id)).toMatchObject({
      body: 'Hola Tomás, atendemos de 9 a 18.',
      delivery: 'pending',
      template: { templateId, name: 'horario_atencion', variables: ['Tomás', '9 a 18'] },
    });
    await ana.restart();
    await ana.ipc.until('sync.status', {}, (s) => s.state === 'offline' && s.pending === 1);
    await server.restart();
    await ana.ipc.until('sync.status', {}, (s) => s.state === 'online' && s.pending === 0);
    const confirmed = await ana.ipc.until('conversation.messages', { conversationId: conversation.id }, (ms) =>
      ms.some((m) => m.id === id && m.seq !== null),
    );
    expect(confirmed.find((m) => m.id === id)).toMatchObject({ template: { templateId }, forwarded: false });
    expect(readMirrorFile(ana, (db) => db.prepare('SELECT COUNT(*) AS n FROM pending_messages').get())).toEqual({ n: 0 });

    const again = await WebchatCustomer.join(server.url, 'demo', 'Tomás', customer.identity);
    again.close();
    customer.close();
    expect(again.history.filter((m) => m.from === 'agent').map((m) => m.body)).toEqual(['Hola Tomás, atendemos de 9 a 18.']);

    // An admin deletes it: gone from every device.
    await admin.ipc.ok('admin.template.delete', { id: templateId });
    await ana.ipc.until('template.list', {}, (list) => !list.some((t) => t.id === templateId));
  });
});
