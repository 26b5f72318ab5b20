// Working offline: with the server down the inbox stays readable, replies wait in the outbox
// (across a client restart), and once the server is back each reaches the customer once, in order.
import { afterEach, describe, expect, it } from 'vitest';
import { startClientProcess, type ClientProcess } from '../support/client-process';
import { startServerProcess, type ServerProcess } from '../support/server-process';
import { WebchatCustomer } from '../support/webchat-customer';
import { bodies, signIn, waitForConversation } from './sync-helpers';

let server: ServerProcess | undefined;
let ana: ClientProcess | undefined;

afterEach(async () => {
  await ana?.stop();
  await server?.stop();
  ana = server = undefined;
});

async function setUp(customerName: string) {
  server = await startServerProcess({ demo: true });
  ana = await startClientProcess({ serverUrl: server.url });
  await signIn(ana, server.url, 'ana@demo.test');
  const customer = await WebchatCustomer.join(server.url, 'demo', customerName);
  await customer.say(`Soy ${customerName}, ¿hay alguien?`);
  const conversation = await waitForConversation(ana, 'unassigned', customerName);
  return { server, ana, customer, conversation };
}

/** Agent messages the customer's page shows after joining again (the server's own record). */
async function agentHistory(serverUrl: string, customer: WebchatCustomer, name: string): Promise<string[]> {
  const again = await WebchatCustomer.join(serverUrl, 'demo', name, customer.identity);
  again.close();
  return again.history.filter((m) => m.from === 'agent').map((m) => m.body);
}

describe('offline', () => {
  it('keeps the inbox readable, holds replies across a restart, then delivers them once and in order', async () => {
    const { server, customer, conversation } = await setUp('Diego');
    customer.close();
    await server.stop();
    const offline = await ana!.ipc.until('sync.status', {}, (s) => s.state === 'offline');
    expect(offline.lastError?.code).toBe('SERVER_UNREACHABLE');

    // Still readable from the mirror (the demo's WhatsApp conversations are there too).
    const webchatOnly = (items: { id: string; channel: string; pending: boolean }[]) => items.filter((c) => c.channel === 'webchat');
    expect(webchatOnly(await ana!.ipc.ok('inbox.list', { view: { kind: 'unassigned' }, status: 'open' })).map((c) => c.id)).toEqual([
      conversation.id,
    ]);
    expect(bodies(await ana!.ipc.ok('conversation.messages', { conversationId: conversation.id }), 'in')).toEqual([
      'Soy Diego, ¿hay alguien?',
    ]);

    await ana!.ipc.ok('message.send', { conversationId: conversation.id, body: 'Hola Diego' });
    await ana!.ipc.ok('message.send', { conversationId: conversation.id, body: '¿Cuál es tu número de pedido?' });
    const status = await ana!.ipc.ok('sync.status', {});
    expect(status).toMatchObject({ state: 'offline', pending: 2 });
    expect(status.retryAt).not.toBeNull();
    const optimistic = await ana!.ipc.ok('conversation.messages', { conversationId: conversation.id });
    expect(optimistic.filter((m) => m.direction === 'out').map((m) => [m.body, m.delivery])).toEqual([
      ['Hola Diego', 'pending'],
      ['¿Cuál es tu número de pedido?', 'pending'],
    ]);
    // The reply assigned it to Ana before the server even knows.
    expect(webchatOnly(await ana!.ipc.ok('inbox.list', { view: { kind: 'mine' }, status: 'open' })).map((c) => [c.id, c.pending])).toEqual([
      [conversation.id, true],
    ]);

    // The client process restarts while the server is still down: the session and outbox survive.
    await ana!.restart();
    expect(await ana!.ipc.ok('session.get', {})).toMatchObject({ user: { id: 'user-ana' } });
    await ana!.ipc.until('sync.status', {}, (s) => s.state === 'offline' && s.pending === 2);
    expect(bodies(await ana!.ipc.ok('conversation.messages', { conversationId: conversation.id }), 'out')).toEqual([
      'Hola Diego',
      '¿Cuál es tu número de pedido?',
    ]);

    await server.restart();
    await ana!.ipc.until('sync.status', {}, (s) => s.state === 'online' && s.pending === 0);
    const after = await ana!.ipc.until('conversation.messages', { conversationId: conversation.id }, (ms) =>
      ms.filter((m) => m.direction === 'out').every((m) => m.delivery === 'sent'),
    );
    expect(after.filter((m) => m.direction === 'out').map((m) => [m.body, m.delivery])).toEqual([
      ['Hola Diego', 'sent'],
      ['¿Cuál es tu número de pedido?', 'sent'],
    ]);
    expect(await agentHistory(server.url, customer, 'Diego')).toEqual(['Hola Diego', '¿Cuál es tu número de pedido?']);
  });

  it('delivers 100 replies made offline exactly once and in order', async () => {
    const { server, customer, conversation } = await setUp('Elena');
    customer.close();
    await server.stop();
    await ana!.ipc.until('sync.status', {}, (s) => s.state === 'offline');
    const sent: string[] = [];
    for (let i = 1; i <= 100; i++) {
      const body = `Respuesta ${i}`;
      const { mutationId } = await ana!.ipc.ok('message.send', { conversationId: conversation.id, body });
      expect(mutationId).toBe(i);
      sent.push(body);
    }
    expect(await ana!.ipc.ok('sync.status', {})).toMatchObject({ pending: 100 });

    await server.restart();
    await ana!.ipc.until('sync.status', {}, (s) => s.state === 'online' && s.pending === 0);
    const messages = await ana!.ipc.ok('conversation.messages', { conversationId: conversation.id });
    expect(bodies(messages, 'out')).toEqual(sent);
    expect(messages.filter((m) => m.direction === 'out').every((m) => m.delivery === 'sent')).toBe(true);
    expect(await agentHistory(server.url, customer, 'Elena')).toEqual(sent);
  });
});
