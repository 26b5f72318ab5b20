// Fault tests: the acknowledgement of a push is lost (client killed, or socket cut after the server
// committed), and the server restarts while a customer is writing. Nothing is lost or doubled.
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { startClientProcess, type ClientProcess } from '../support/client-process';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy';
import { startServerProcess, type ServerProcess } from '../support/server-process';
import { WebchatCustomer } from '../support/webchat-customer';
import { login, SyncPeer } from '../support/sync-peer';
import { bodies, signIn, waitForConversation } from './sync-helpers';

let server: ServerProcess | undefined;
let proxy: FaultProxy | undefined;
let ana: ClientProcess | undefined;

afterEach(async () => {
  await ana?.stop();
  await proxy?.close();
  await server?.stop();
  ana = proxy = server = undefined;
});

/** Ana's client talks to the server only through the proxy. */
async function setUpBehindProxy(customerName: string) {
  server = await startServerProcess({ demo: true });
  proxy = await startFaultProxy(server.url);
  ana = await startClientProcess({ serverUrl: proxy.url });
  await signIn(ana, proxy.url, 'ana@demo.test');
  const customer = await WebchatCustomer.join(server.url, 'demo', customerName);
  await customer.say('Necesito ayuda');
  const conversation = await waitForConversation(ana, 'unassigned', customerName);
  return { server, proxy, ana, customer, conversation };
}

async function agentHistory(serverUrl: string, customer: WebchatCustomer, name: string): Promise<string[]> {
  const again = await WebchatCustomer.join(serverUrl, 'demo', name, customer.identity);
  again.close();
  return again.history.filter((m) => m.from === 'agent').map((m) => m.body);
}

describe('a lost acknowledgement', () => {
  it('client killed after the server committed its push: after a restart the reply exists once', async () => {
    const { server, proxy, customer, conversation } = await setUpBehindProxy('Fabio');
    proxy.dropServerFrames((f) => f.type === 'pushResult');
    const committed = proxy.waitForServerFrame((f) => f.type === 'pushResult');
    await ana!.ipc.ok('message.send', { conversationId: conversation.id, body: 'Solo una vez' });
    const result = await committed;
    expect(result).toMatchObject({ results: [{ id: 1, status: 'ok' }] });
    expect((await ana!.ipc.ok('sync.status', {})).pending).toBe(1);
    await ana!.kill();

    proxy.pass();
    await ana!.restart();
    await ana!.ipc.until('sync.status', {}, (s) => s.state === 'online' && s.pending === 0);
    const messages = await ana!.ipc.until('conversation.messages', { conversationId: conversation.id }, (ms) =>
      // Fabio's page is open: the reply is delivered to it.
      ms.some((m) => m.body === 'Solo una vez' && m.delivery === 'delivered'),
    );
    expect(bodies(messages, 'out')).toEqual(['Solo una vez']);
    expect(await customer.waitForAgentMessage((m) => m.body === 'Solo una vez')).toBeTruthy();
    expect(await agentHistory(server.url, customer, 'Fabio')).toEqual(['Solo una vez']);
  });

  it('socket cut right after the server committed: the client reconnects and nothing is doubled', async () => {
    const { server, proxy, customer, conversation } = await setUpBehindProxy('Gabriela');
    const cut = proxy.cutAfter((f) => f.type === 'pushResult');
    await ana!.ipc.ok('message.send', { conversationId: conversation.id, body: 'Primera' });
    await ana!.ipc.ok('message.send', { conversationId: conversation.id, body: 'Segunda' });
    expect(await cut).toMatchObject({ type: 'pushResult' });

    await ana!.ipc.until('sync.status', {}, (s) => s.state === 'online' && s.pending === 0);
    const messages = await ana!.ipc.until(
      'conversation.messages',
      { conversationId: conversation.id },
      (ms) => ms.filter((m) => m.direction === 'out').length === 2 && ms.every((m) => m.direction !== 'out' || m.delivery === 'delivered'),
    );
    // Gabriela's page is open: both replies are delivered to it, once each.
    expect(messages.filter((m) => m.direction === 'out').map((m) => [m.body, m.delivery])).toEqual([
      ['Primera', 'delivered'],
      ['Segunda', 'delivered'],
    ]);
    expect(await agentHistory(server.url, customer, 'Gabriela')).toEqual(['Primera', 'Segunda']);
  });
  it('an action the server refused, whose answer was lost: after reconnecting Ana is told it was refused, and why', async () => {
    const { server, proxy, conversation } = await setUpBehindProxy('Ismael');
    // Ana hears nothing from the server: she does not learn that Bruno takes the conversation first.
    proxy.dropServerFrames();
    const bruno = await SyncPeer.connect(server.url, { token: (await login(server.url, 'bruno@demo.test')).token });
    expect(await bruno.push('conversation.assign', { conversationId: conversation.id, assigneeId: 'user-bruno' })).toMatchObject({
      status: 'ok',
    });
    bruno.close();
    const refused = ana!.ipc.waitForEvent('mutation.rejected', (r) => r.conversationId === conversation.id, 30_000);
    // The refusal is stored on the server, and the connection is cut before its answer reaches Ana.
    const cut = proxy.cutAfter((f) => f.type === 'pushResult');
    await ana!.ipc.ok('conversation.assign', { conversationId: conversation.id, assigneeId: 'user-ana' });
    expect(await cut).toMatchObject({ results: [{ id: 1, status: 'rejected', error: { code: 'ALREADY_ASSIGNED' } }] });
    proxy.pass();

    // Sent again, the server answers 'already' with the stored refusal: Ana is told, not silently confirmed.
    // (The server stores a refusal's code and message only, not its params.)
    expect(await refused).toMatchObject({
      name: 'conversation.assign',
      error: { code: 'ALREADY_ASSIGNED' },
    });
    const status = await ana!.ipc.until('sync.status', {}, (s) => s.state === 'online' && s.pending === 0);
    expect(status.lastError).toMatchObject({ code: 'ALREADY_ASSIGNED' });
  });
});

describe('server restart mid-stream', () => {
  it('the client catches up with every customer message, once each, in order', async () => {
    server = await startServerProcess({ demo: true });
    ana = await startClientProcess({ serverUrl: server.url });
    await signIn(ana, server.url, 'ana@demo.test');
    let customer = await WebchatCustomer.join(server.url, 'demo', 'Hugo');
    const sent = Array.from({ length: 40 }, (_, i) => ({ id: randomUUID(), body: `Mensaje ${i + 1}` }));
    let restarting: Promise<void> | null = null;
    for (const [i, m] of sent.entries()) {
      if (i === 15) restarting = server.restart();
      // The customer's page resends with the same id until the server confirms (stored once).
      for (;;) {
        try {
          await customer.say(m.body, m.id);
          break;
        } catch {
          customer.close();
          for (;;) {
            try {
              customer = await WebchatCustomer.join(server.url, 'demo', 'Hugo', customer.identity);
              break;
            } catch {
              await new Promise((r) => setTimeout(r, 100));
            }
          }
        }
      }
    }
    await restarting;
    customer.close();

    const conversation = await waitForConversation(ana, 'unassigned', 'Hugo');
    const messages = await ana.ipc.until(
      'conversation.messages',
      { conversationId: conversation.id },
      (ms) => ms.filter((m) => m.direction === 'in').length >= sent.length,
    );
    expect(bodies(messages, 'in')).toEqual(sent.map((m) => m.body));
    expect(messages.filter((m) => m.direction === 'in').map((m) => m.id)).toEqual(sent.map((m) => m.id));
    const list = await ana.ipc.ok('inbox.list', { view: { kind: 'unassigned' }, status: 'open' });
    expect(list.find((c) => c.id === conversation.id)).toMatchObject({ unreadCount: 40, lastMessagePreview: 'Mensaje 40' });
  });
});
