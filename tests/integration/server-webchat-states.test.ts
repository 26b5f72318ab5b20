// Delivery states on the webchat: an agent's reply is delivered once it reaches an open customer page
// (or the history of a later join) and read once the page reports it seen — checked from a sync client,
// with a Node customer socket and with the real page in Chromium.
import { chromium, type Browser } from 'playwright-core';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import type { Message } from '../../src-shared/domain';
import { startServerProcess, type ServerProcess } from '../support/server-process';
import { login, SyncPeer } from '../support/sync-peer';
import { WebchatCustomer } from '../support/webchat-customer';

let server: ServerProcess;
let browser: Browser | undefined;
let token: string;
const open: { close(): void }[] = [];

beforeAll(async () => {
  server = await startServerProcess({ demo: true });
  token = (await login(server.url, 'ana@demo.test')).token;
});
afterEach(() => {
  for (const o of open.splice(0)) o.close();
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function ana(): Promise<SyncPeer> {
  const p = await SyncPeer.connect(server.url, { token });
  open.push(p);
  return p;
}

async function stateOf(peer: SyncPeer, id: string, state: Message['state']): Promise<void> {
  await peer.waitFor(() => peer.messages.get(id)?.state === state, `message ${id} ${state}`);
}

it('marks a reply delivered when it reaches an open page, read when the page says so, never backwards', async () => {
  const agent = await ana();
  const carla = await WebchatCustomer.join(server.url, 'demo', 'Carla');
  open.push(carla);
  const said = await carla.say('¿Hacen envíos a Rosario?');
  await agent.waitFor(() => agent.messages.has(said), 'the customer message');
  const conversationId = agent.messages.get(said)!.conversationId;

  const first = uuidv7();
  expect(await agent.push('message.send', { id: first, conversationId, body: 'Sí, en 48 h.' })).toMatchObject({ status: 'ok' });
  await carla.waitForAgentMessage((m) => m.id === first);
  await stateOf(agent, first, 'delivered');

  const second = uuidv7();
  await agent.push('message.send', { id: second, conversationId, body: '¿Algo más?' });
  await carla.waitForAgentMessage((m) => m.id === second);
  // Seeing the newest one reads every earlier one too.
  carla.send({ type: 'seen', messageId: second });
  await stateOf(agent, second, 'read');
  await stateOf(agent, first, 'read');

  // A repeated seen, or one naming another chat's message, changes nothing.
  const other = await WebchatCustomer.join(server.url, 'demo', 'Intrusa');
  open.push(other);
  const theirs = await other.say('hola');
  await agent.waitFor(() => agent.messages.has(theirs), 'the other customer');
  const toOther = uuidv7();
  await agent.push('message.send', {
    id: toOther,
    conversationId: agent.messages.get(theirs)!.conversationId,
    body: 'Hola, ¿en qué te ayudo?',
  });
  await stateOf(agent, toOther, 'delivered');
  carla.send({ type: 'seen', messageId: toOther });
  carla.send({ type: 'seen', messageId: second });
  carla.send({ type: 'seen', messageId: 'not-a-message' });
  // The customer's next message is stored after those frames (one queue per socket).
  const later = await carla.say('Nada más, gracias');
  await agent.waitFor(() => agent.messages.has(later), 'the later message');
  expect(agent.messages.get(toOther)!.state).toBe('delivered');
  expect(agent.messages.get(second)!.state).toBe('read');
});

it('keeps a reply sent while the customer is away until their next join delivers it', async () => {
  const agent = await ana();
  const dario = await WebchatCustomer.join(server.url, 'demo', 'Darío');
  const said = await dario.say('Necesito una factura');
  await agent.waitFor(() => agent.messages.has(said), 'the customer message');
  const conversationId = agent.messages.get(said)!.conversationId;
  dario.close();
  await dario.closed;

  const reply = uuidv7();
  await agent.push('message.send', { id: reply, conversationId, body: 'Te la envío por aquí.' });
  // A later change shows the reply was processed, and it is still only sent.
  const marker = await agent.push('conversation.tag', { conversationId, add: ['factura'], remove: [] });
  expect(marker.status).toBe('ok');
  await agent.waitFor(() => agent.conversations.get(conversationId)?.tags.includes('factura') === true, 'the tag');
  expect(agent.messages.get(reply)!.state).toBe('sent');

  const back = await WebchatCustomer.join(server.url, 'demo', 'Darío', dario.identity);
  open.push(back);
  expect(back.history.map((m) => m.id)).toContain(reply);
  await stateOf(agent, reply, 'delivered');
});

it('the customer page reports the reply it shows as read', async () => {
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run'],
  });
  const agent = await ana();
  const page = await (await browser.newContext()).newPage();
  await page.goto(`${server.url}/webchat/demo?lang=es`);
  await page.getByLabel('Tu nombre').fill('Elena');
  await page.getByRole('button', { name: 'Iniciar chat' }).click();
  await page.getByLabel('Mensaje').fill('Hola, ¿hay alguien?');
  await page.getByRole('button', { name: 'Enviar' }).click();
  await agent.waitFor(() => [...agent.messages.values()].some((m) => m.body === 'Hola, ¿hay alguien?'), 'the page message');
  const conversationId = [...agent.messages.values()].find((m) => m.body === 'Hola, ¿hay alguien?')!.conversationId;

  const reply = uuidv7();
  await agent.push('message.send', { id: reply, conversationId, body: 'Sí, soy Ana.' });
  await page.locator(`.msg[data-from="agent"][data-id="${reply}"]`).waitFor();
  await stateOf(agent, reply, 'read');
});
