// A refusal whose answer was lost: the agent is still told, with the reason. (Lost acknowledgements of
// accepted actions, kills of the server and of clients and cut sockets are the seeded randomized run in
// durability-fuzz.test.ts, tests/fuzz/suites/durability.ts.)
import { afterEach, describe, expect, it } from 'vitest';
import { startClientProcess, type ClientProcess } from '../support/client-process';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy';
import { startServerProcess, type ServerProcess } from '../support/server-process';
import { WebchatCustomer } from '../support/webchat-customer';
import { login, SyncPeer } from '../support/sync-peer';
import { signIn, waitForConversation } from './sync-helpers';

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

describe('a lost acknowledgement', () => {
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
