// The demo tenant's people against one running server, for tests that act as several of them at once:
// agents' sync sockets and webchat customers, closed after each test, and a customer's first message
// turned into the conversation a watching agent receives.
//
//   const { signInAll, closeAll, peer, customer, tokens } = demoPeople(() => server);
//   beforeAll(async () => { server = await startServerProcess({ demo: true }); await signInAll(); });
//   afterEach(closeAll);
import { expect } from 'vitest';
import type { ServerProcess } from './server-process';
import { login, SyncPeer } from './sync-peer';
import { WebchatCustomer } from './webchat-customer';

export type DemoWho = 'ana' | 'bruno' | 'sofia' | 'admin';

export function demoPeople(server: () => ServerProcess) {
  const tokens: Partial<Record<DemoWho, string>> = {};
  const open: { close(): void }[] = [];

  /** An agent's sync socket (closed after the test). */
  async function peer(who: DemoWho, opts: Partial<Parameters<typeof SyncPeer.connect>[1]> = {}) {
    const p = await SyncPeer.connect(server().url, { token: tokens[who]!, ...opts });
    open.push(p);
    return p;
  }

  /** A visitor who joined the webchat inbox `slug` (closed after the test). */
  async function customer(name: string, slug = 'demo', identity?: WebchatCustomer['identity']) {
    const c = await WebchatCustomer.join(server().url, slug, name, identity);
    open.push(c);
    return c;
  }

  /** `c` writes `text`; its conversation as `watcher`'s socket receives it. */
  async function conversationOf(watcher: SyncPeer, c: WebchatCustomer, text: string) {
    const messageId = await c.say(text);
    await watcher.waitForOp((op) => op.kind === 'message' && op.row.id === messageId, 'the customer message');
    const conversationId = watcher.messages.get(messageId)!.conversationId;
    return { conversationId, messageId, contactId: watcher.conversations.get(conversationId)!.contactId };
  }

  /** A new customer writes to the inbox `slug`; the conversation as an admin's socket receives it. */
  async function newConversation(name: string, slug = 'demo') {
    const admin = await peer('admin');
    const c = await customer(name, slug);
    const created = await conversationOf(admin, c, `Hola, soy ${name}`);
    admin.close();
    return { ...created, customer: c };
  }

  /** A conversation of the Soporte inbox that Ana holds, and Ana's socket. */
  async function anasConversation(name: string) {
    const created = await newConversation(name);
    const ana = await peer('ana');
    expect(await ana.push('conversation.assign', { conversationId: created.conversationId, assigneeId: 'user-ana' })).toMatchObject({
      status: 'ok',
    });
    return { ...created, ana };
  }

  return {
    tokens,
    peer,
    customer,
    conversationOf,
    newConversation,
    anasConversation,
    /** Signs every demo person in once (their tokens serve every test). */
    async signInAll() {
      for (const who of ['ana', 'bruno', 'sofia', 'admin'] as const) tokens[who] = (await login(server().url, `${who}@demo.test`)).token;
    },
    /** Closes `o` after the test, with the sockets opened here. */
    closeLater<T extends { close(): void }>(o: T): T {
      open.push(o);
      return o;
    },
    closeAll() {
      for (const o of open.splice(0)) o.close();
    },
  };
}
