// Durability under crashes and cut sockets: each case (a round) is a generated schedule over a real
// server process, two real client processes (Ana, an agent; Sofía, a supervisor) that reach it only
// through a fault proxy each, and four webchat customers behind a proxy of their own. Agents reply, write
// notes, tag, set reminders, close and reopen; customers write; at chosen points the schedule kills -9
// the server (at once, right after it committed an action whose answer is dropped, or while it is still
// starting after the last kill; it restarts a few steps later) or a client (at once, or just after its
// push was committed and the answer dropped), cuts a client's socket right after a pushResult or a
// changes frame, drops a client's acknowledgements until its socket is cut, or cuts a customer's socket
// right after her message was stored. When everything is back and every outbox has drained, each action
// and each customer message must exist exactly once on the server, in every mirror whose user may see it,
// and (replies and customer messages) on the customer's page; customers' messages keep their order; each
// mirror's conversation rows equal the server's.
//
// Processes start once per run and are reused across rounds; a step restarts only what it killed.
// Waits follow observable state (sync.status, mirror contents, proxy frames), never fixed sleeps.
import fc from 'fast-check';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Conversation, Message } from '../../../src-shared/domain';
import type { MessageItem } from '../../../src-shared/ipc';
import { canSeeConversation, type Viewer } from '../../../src-shared/rules/visibility';
import { startClientProcess, type ClientProcess } from '../../support/client-process';
import { startFaultProxy, type FaultProxy, type ServerFrameLike } from '../../support/fault-proxy';
import { LOAD_TEST_LIMITS, startServerProcess, type ServerProcess } from '../../support/server-process';
import { login, SyncPeer, DEMO_PASSWORD } from '../../support/sync-peer';
import { WebchatCustomer, type VisitorIdentity } from '../../support/webchat-customer';
import { checkProperty, type FuzzOptions, type FuzzResult, type FuzzSuite } from '../harness';

type AgentIx = 0 | 1;
type Act = 'reply' | 'note' | 'tag' | 'reminder' | 'toggle';
export type Step =
  /** `quiet`: on the agent's quiet conversation (its customer writes only once) rather than her chat. */
  | { t: 'act'; agent: AgentIx; act: Act; quiet: boolean }
  | { t: 'say'; customer: AgentIx }
  /** `afterCommit`: right after the server committed an action of agent `agent`, whose answer is dropped. */
  | { t: 'killServer'; downFor: number; afterCommit: boolean; agent: AgentIx }
  | { t: 'killClient'; agent: AgentIx; afterCommit: boolean }
  | { t: 'cut'; agent: AgentIx; after: 'pushResult' | 'changes' }
  | { t: 'dropAcks'; agent: AgentIx; steps: number }
  /** A customer's socket is cut right after the server stored her message, before she sees it. */
  | { t: 'cutCustomer' };

const AGENTS: readonly (Viewer & { email: string })[] = [
  { id: 'user-ana', email: 'ana@demo.test', role: 'agent', teamIds: ['team-soporte'] },
  { id: 'user-sofia', email: 'sofia@demo.test', role: 'supervisor', teamIds: ['team-soporte', 'team-ventas'] },
];
const DAY_MS = 24 * 60 * 60 * 1000;
const DRAIN_MS = 60_000;
const MIRROR_MS = 30_000;

const agentIx = fc.constantFrom<AgentIx>(0, 1);
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      t: fc.constant('act' as const),
      agent: agentIx,
      act: fc.constantFrom<Act>('reply', 'reply', 'note', 'tag', 'reminder', 'toggle'),
      quiet: fc.boolean(),
    }),
  },
  { weight: 4, arbitrary: fc.record({ t: fc.constant('say' as const), customer: agentIx }) },
  {
    weight: 1,
    arbitrary: fc.record({
      t: fc.constant('killServer' as const),
      downFor: fc.integer({ min: 0, max: 3 }),
      afterCommit: fc.boolean(),
      agent: agentIx,
    }),
  },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('killClient' as const), agent: agentIx, afterCommit: fc.boolean() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      t: fc.constant('cut' as const),
      agent: agentIx,
      after: fc.constantFrom('pushResult' as const, 'changes' as const),
    }),
  },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('dropAcks' as const), agent: agentIx, steps: fc.integer({ min: 1, max: 3 }) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('cutCustomer' as const) }) },
);
/** No shrinking: the processes carry state from round to round, so a shrunk replay would not be the same case. */
export const scheduleArb = fc.noShrink(fc.array(stepArb, { minLength: 6, maxLength: 16 }));

/** What one action (or customer message) left, looked for everywhere it must be. */
interface Expected {
  what: string;
  /** Counts it on the server (admin's snapshot, or the owner's reminders) and in a list of messages. */
  count(messages: readonly (Pick<Message, 'body' | 'kind' | 'direction' | 'event' | 'authorId'> & { id: string })[]): number;
  /** How many the user must see: exact (1 for a message) or at least (assignments). */
  exact: number;
  atLeast?: boolean;
  /** The conversation it is in, when the item is not a message found by body. */
  conversationId?: string;
  reminderOf?: AgentIx;
  reminderId?: string;
  /** Replies and customer messages also show on that customer's page. */
  customer?: number;
}

interface Figures {
  rounds: number;
  actions: number;
  lost: number;
  duplicated: number;
  serverKills: number;
  clientKills: number;
  cuts: number;
  droppedAcks: number;
  misordered: number;
  diverged: number;
  /** Server kills while it was still starting after the previous one. */
  killedStarting: number;
}

/** What the inbox shows of a conversation, compared between a mirror and the server. */
function rowFields(c: Conversation) {
  const { status, assigneeId, teamId, unreadCount, lastMessagePreview, lastMessageAt, closingCategoryId, version } = c;
  const tags = [...c.tags].sort();
  return { status, assigneeId, teamId, tags, unreadCount, lastMessagePreview, lastMessageAt, closingCategoryId, version };
}

const pushResult = (f: ServerFrameLike) => f.type === 'pushResult';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

class Customer {
  page: WebchatCustomer | null = null;
  chain: Promise<void> = Promise.resolve();
  readonly identity: VisitorIdentity = { visitorId: randomUUID(), secret: randomBytes(24).toString('hex') };
  constructor(
    readonly world: World,
    readonly name: string,
  ) {}

  /** The customer's page resends with the same id until the server confirms it (stored once). */
  say(body: string): Promise<void> {
    const id = randomUUID();
    this.chain = this.chain.then(async () => {
      const deadline = Date.now() + DRAIN_MS;
      for (;;) {
        try {
          this.page ??= await WebchatCustomer.join(this.world.customerProxy.url, 'demo', this.name, this.identity);
          await this.page.say(body, id);
          return;
        } catch (e) {
          this.page?.close();
          this.page = null;
          if (Date.now() > deadline) throw new Error(`${this.name} could not send "${body}": ${String(e)}`);
          // The page waits a moment before it tries again (the server is restarting).
          await new Promise((r) => setTimeout(r, 150));
        }
      }
    });
    return this.chain;
  }

  close(): void {
    this.page?.close();
    this.page = null;
  }
}

class World {
  tag = randomBytes(3).toString('hex');
  round = 0;
  serverRestart: Promise<void> | null = null;
  serverStarting = false;
  clientRestarts: (Promise<void> | null)[] = [null, null];
  figures: Figures = {
    rounds: 0,
    actions: 0,
    lost: 0,
    duplicated: 0,
    serverKills: 0,
    clientKills: 0,
    cuts: 0,
    droppedAcks: 0,
    misordered: 0,
    diverged: 0,
    killedStarting: 0,
  };

  private constructor(
    readonly server: ServerProcess,
    readonly proxies: FaultProxy[],
    readonly customerProxy: FaultProxy,
    readonly clients: ClientProcess[],
    readonly tokens: { admin: string; agents: string[] },
  ) {}

  static async start(databaseUrl: string | undefined): Promise<World> {
    if (databaseUrl) {
      // A fresh schema: the server migrates and seeds the demo tenant on start.
      const { openStore } = await import('../../../src-server/app');
      const reset = await openStore({ dataDir: mkdtempSync(join(tmpdir(), 'bandeja-durable-')), databaseUrl });
      await reset.exec('DROP SCHEMA public CASCADE; CREATE SCHEMA public;');
      await reset.close();
    }
    // The server's port is chosen first, so the proxies and clients start while the server does.
    const port = await freePort();
    const serverStarting = startServerProcess({
      demo: true,
      port,
      env: { ...LOAD_TEST_LIMITS, ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}) },
    });
    const proxies = await Promise.all(AGENTS.map(() => startFaultProxy(`http://127.0.0.1:${port}`)));
    const customerProxy = await startFaultProxy(`http://127.0.0.1:${port}`);
    const [server, clients] = await Promise.all([
      serverStarting,
      Promise.all(proxies.map((p) => startClientProcess({ serverUrl: p.url }))),
    ]);
    await Promise.all(
      clients.map(async (c, i) => {
        await c.ipc.ok('session.login', { serverUrl: proxies[i]!.url, email: AGENTS[i]!.email, password: DEMO_PASSWORD });
        await c.ipc.until('sync.status', {}, (s) => s.state === 'online');
      }),
    );
    const admin = (await login(server.url, 'admin@demo.test')).token;
    const agents = await Promise.all(AGENTS.map(async (a) => (await login(server.url, a.email)).token));
    return new World(server, proxies, customerProxy, clients, { admin, agents });
  }

  async stop(): Promise<void> {
    await this.serverRestart?.catch(() => undefined);
    await Promise.all(this.clientRestarts.map((r) => r?.catch(() => undefined)));
    await Promise.all(this.clients.map((c) => c.stop()));
    await Promise.all([...this.proxies, this.customerProxy].map((p) => p.close()));
    await this.server.stop();
  }

  /** The client of agent i, once a restart a step started is done. */
  async client(i: AgentIx): Promise<ClientProcess> {
    await this.clientRestarts[i];
    this.clientRestarts[i] = null;
    return this.clients[i]!;
  }

  async serverUp(): Promise<void> {
    await this.serverRestart;
    this.serverRestart = null;
  }
}

interface Owned {
  conversationId: string;
  closed: boolean;
  reopens: number;
  owner: AgentIx;
}

async function runRound(world: World, steps: readonly Step[], log: (line: string) => void): Promise<void> {
  const round = ++world.round;
  const started = Date.now();
  const mark = (what: string) => `dur ${world.tag} r${round} ${what}`;
  let n = 0;
  const expected: Expected[] = [];
  // Four conversations: customer k's is held by agent k % 2. Customers 0 and 1 chat all along; 2 and 3
  // write once, and only their ("quiet") conversations are closed and reopened: a customer who writes
  // to a closed conversation starts a new one, and a reopen is then refused (one active conversation
  // per contact), which is a rule, not a loss.
  const customers = [0, 1, 2, 3].map((k) => new Customer(world, `Durable ${world.tag} r${round} c${k}`));
  const saying: Promise<void>[] = [];
  /** What each customer wrote, in order (each page sends one message at a time). */
  const said: string[][] = customers.map(() => []);
  const heals: { at: number; run: () => void }[] = [];
  /** The server was killed and restarts at step `restartAt`. */
  let serverDown = false;
  let restartAt = 0;
  const restartServer = () => {
    serverDown = false;
    world.serverStarting = true;
    world.serverRestart = world.server.restart().finally(() => (world.serverStarting = false));
  };

  const customerSays = (i: number) => {
    const body = mark(`customer ${i} says ${++n}`);
    expected.push({
      what: `customer message "${body}"`,
      count: (ms) => ms.filter((m) => m.body === body && m.direction === 'in').length,
      exact: 1,
      customer: i,
    });
    said[i]!.push(body);
    world.figures.actions++;
    const p = customers[i]!.say(body);
    saying.push(p);
    return p;
  };

  // Each customer opens a conversation; each agent takes hers.
  await Promise.all(customers.map((_, k) => customerSays(k)));
  const owned: Owned[] = [];
  for (const [k, customer] of customers.entries()) {
    const agent = AGENTS[k % 2]!;
    const client = await world.client((k % 2) as AgentIx);
    const list = await client.ipc.until('inbox.list', { view: { kind: 'unassigned' }, status: 'open' }, (items) =>
      items.some((c) => c.contactName === customer.name),
    );
    const conversationId = list.find((c) => c.contactName === customer.name)!.id;
    owned.push({ conversationId, closed: false, reopens: 0, owner: (k % 2) as AgentIx });
    await client.ipc.ok('conversation.assign', { conversationId, assigneeId: agent.id });
    world.figures.actions++;
    expected.push({
      what: `${agent.id} takes ${conversationId}`,
      count: (ms) => ms.filter((m) => m.event?.type === 'assigned' && m.event.assigneeId === agent.id && m.authorId === agent.id).length,
      exact: 1,
      atLeast: true,
      conversationId,
    });
  }

  const act = async (i: AgentIx, what: Act, quiet: boolean): Promise<void> => {
    const client = await world.client(i);
    const k = what === 'toggle' || quiet ? i + 2 : i;
    const mine = owned[k]!;
    const conversationId = mine.conversationId;
    const agent = AGENTS[i]!;
    world.figures.actions++;
    // A reply to a closed conversation would be refused: the agent reopens it instead.
    if (what === 'toggle' || (what === 'reply' && mine.closed)) {
      if (mine.closed) {
        await client.ipc.ok('conversation.reopen', { conversationId });
        mine.closed = false;
        mine.reopens++;
      } else {
        const note = mark(`closing note ${++n}`);
        await client.ipc.ok('conversation.close', { conversationId, note, categoryId: null });
        mine.closed = true;
        expected.push({
          what: `close of ${conversationId} with "${note}"`,
          count: (ms) => ms.filter((m) => m.event?.type === 'status' && m.event.status === 'closed' && m.event.note === note).length,
          exact: 1,
          conversationId,
        });
      }
      return;
    }
    if (what === 'reply' || what === 'note') {
      const body = mark(`${what} ${++n} by ${agent.id}`);
      if (what === 'reply') await client.ipc.ok('message.send', { conversationId, body });
      else await client.ipc.ok('note.add', { conversationId, body, mentions: [] });
      const kind = what === 'reply' ? 'text' : 'note';
      expected.push({
        what: `${what} "${body}"`,
        count: (ms) => ms.filter((m) => m.body === body && m.kind === kind).length,
        exact: 1,
        customer: what === 'reply' ? k : undefined,
      });
      return;
    }
    if (what === 'tag') {
      const tag = `d${world.tag}r${round}t${++n}`;
      await client.ipc.ok('conversation.tag', { conversationId, add: [tag], remove: [] });
      expected.push({
        what: `tag ${tag} on ${conversationId}`,
        count: (ms) => ms.filter((m) => m.event?.type === 'tagged' && m.event.added.includes(tag)).length,
        exact: 1,
        conversationId,
      });
      return;
    }
    const note = mark(`reminder ${++n}`);
    const { id } = await client.ipc.ok('reminder.set', { conversationId, dueAt: Date.now() + DAY_MS, note, postpone: false });
    expected.push({ what: `reminder "${note}" of ${agent.id}`, count: () => 0, exact: 1, reminderOf: i, reminderId: id });
  };

  for (const [at, step] of steps.entries()) {
    for (const h of heals.filter((x) => x.at <= at)) {
      heals.splice(heals.indexOf(h), 1);
      h.run();
    }
    if (serverDown && at >= restartAt) restartServer();
    switch (step.t) {
      case 'act':
        await act(step.agent, step.act, step.quiet);
        break;
      case 'say':
        // Not awaited: the customer goes on writing while the rest of the schedule runs.
        customerSays(step.customer).catch(() => undefined);
        break;
      case 'killServer': {
        if (serverDown) break;
        if (world.serverStarting && !step.afterCommit) {
          // Killed again while it starts (and recovers its store after the last kill).
          await world.server.kill();
          // Had it not spawned yet, it comes up now: kill it again.
          if (
            await world.serverRestart?.then(
              () => true,
              () => false,
            )
          )
            await world.server.kill();
          world.serverRestart = null;
          world.figures.killedStarting++;
        } else await world.serverUp();
        if (step.afterCommit) {
          // The server dies right after it committed an action, before its answer reaches the client.
          const proxy = world.proxies[step.agent]!;
          proxy.dropServerFrames(pushResult);
          const committed = proxy.waitForServerFrame(pushResult, 20_000).catch(() => null);
          await act(step.agent, 'note', false);
          if (await committed) world.figures.droppedAcks++;
          await world.server.kill();
          proxy.pass();
        } else await world.server.kill();
        world.figures.serverKills++;
        serverDown = true;
        restartAt = at + step.downFor;
        if (step.downFor === 0) restartServer();
        break;
      }
      case 'killClient': {
        const i = step.agent;
        const client = await world.client(i);
        const proxy = world.proxies[i]!;
        if (step.afterCommit && !serverDown) {
          // The server commits an action and the answer never reaches the client, which dies now.
          await world.serverUp();
          proxy.dropServerFrames(pushResult);
          const committed = proxy.waitForServerFrame(pushResult, 20_000).catch(() => null);
          await act(i, 'reply', false);
          if (await committed) world.figures.droppedAcks++;
        }
        await client.kill();
        proxy.pass();
        world.figures.clientKills++;
        world.clientRestarts[i] = client.restart();
        break;
      }
      case 'cut':
        // Armed until it happens or the round heals the proxies; counted when it happens.
        void world.proxies[step.agent]!.cutAfter(step.after === 'pushResult' ? pushResult : (f) => f.type === 'changes').then(
          () => world.figures.cuts++,
        );
        break;
      case 'cutCustomer':
        // Armed until a customer's message is echoed (stored); she then sends it again with the same id.
        void world.customerProxy.cutAfter((f) => f.type === 'message').then(() => world.figures.cuts++);
        break;
      case 'dropAcks': {
        const proxy = world.proxies[step.agent]!;
        proxy.dropServerFrames(pushResult);
        world.figures.droppedAcks++;
        // The acknowledgements vanish until the socket is cut, as a dying connection would do.
        heals.push({
          at: at + step.steps,
          run: () => {
            proxy.refuse();
            proxy.pass();
          },
        });
        break;
      }
    }
  }

  const stepsDone = Date.now();
  // Everything comes back: the server, the clients, the sockets.
  for (const h of heals.splice(0)) h.run();
  if (serverDown) restartServer();
  await world.serverUp();
  const serverBack = Date.now();
  for (const proxy of [...world.proxies, world.customerProxy]) proxy.pass();
  const problems: string[] = [];
  await Promise.all(saying.map((p) => p.catch((e: unknown) => problems.push(String(e)))));
  const customersDone = Date.now();
  for (const c of customers) c.close();
  const clients = await Promise.all(AGENTS.map((_, i) => world.client(i as AgentIx)));
  await Promise.all(
    clients.map((c, i) =>
      c.ipc
        .until('sync.status', {}, (s) => s.state === 'online' && s.pending === 0, DRAIN_MS)
        .catch((e: unknown) => problems.push(`${AGENTS[i]!.id}'s outbox did not drain: ${String(e)}`)),
    ),
  );

  const drained = Date.now();
  await verify(world, round, expected, owned, customers, said, problems);
  if (problems.length)
    for (const [i, c] of clients.entries()) {
      const status = await c.ipc.ok('sync.status', {}).catch(() => null);
      problems.push(`${AGENTS[i]!.id}'s sync status: ${JSON.stringify(status)}`);
    }
  world.figures.rounds++;
  if (problems.length) throw new Error(`round ${round}:\n  ${problems.join('\n  ')}`);
  const secs = (from: number, to: number) => ((to - from) / 1000).toFixed(1);
  log(
    `round ${round}: ${steps.length} steps, ${expected.length} items checked, ${secs(started, Date.now())} s ` +
      `(steps ${secs(started, stepsDone)}, server back ${secs(stepsDone, serverBack)}, customers ${secs(serverBack, customersDone)}, ` +
      `outboxes ${secs(customersDone, drained)}, checks ${secs(drained, Date.now())})`,
  );
}

/** Counts every expected item on the server, in each mirror that may see it, and on the customer's page. */
async function verify(
  world: World,
  round: number,
  expected: readonly Expected[],
  owned: readonly Owned[],
  customers: readonly Customer[],
  said: readonly string[][],
  problems: string[],
): Promise<void> {
  const admin = await SyncPeer.connect(world.server.url, { token: world.tokens.admin });
  admin.close();
  const contactIds = new Set(owned.map((o) => admin.conversations.get(o.conversationId)?.contactId));
  const roundConversations = [...admin.conversations.values()].filter((c) => contactIds.has(c.contactId));
  const serverMessages = [...admin.messages.values()].filter((m) => roundConversations.some((c) => c.id === m.conversationId));
  const reminders = await Promise.all(
    AGENTS.map(async (_, i) => {
      const peer = await SyncPeer.connect(world.server.url, { token: world.tokens.agents[i]! });
      peer.close();
      return peer.rowsOf('reminder');
    }),
  );

  // Each mirror: every round conversation its user may see, once it holds what the server holds.
  const mirrors = await Promise.all(
    AGENTS.map(async (agent, i) => {
      const client = await world.client(i as AgentIx);
      const visible = roundConversations.filter((c) => canSeeConversation(agent, c));
      const byConversation = new Map<string, MessageItem[]>();
      for (const c of visible) {
        const want = new Set(serverMessages.filter((m) => m.conversationId === c.id).map((m) => m.id));
        const got = await client.ipc
          .until('conversation.messages', { conversationId: c.id }, (ms) => [...want].every((id) => ms.some((m) => m.id === id)), MIRROR_MS)
          .catch(async () => client.ipc.ok('conversation.messages', { conversationId: c.id }));
        byConversation.set(c.id, got);
        // Its row as the inbox shows it (status, assignee, tags, unread count, preview) equals the server's.
        const detail = await client.ipc
          .until('conversation.get', { id: c.id }, (d) => (d?.conversation.version ?? 0) >= c.version, MIRROR_MS)
          .catch(async () => client.ipc.ok('conversation.get', { id: c.id }));
        const shown = detail ? rowFields(detail.conversation) : null;
        if (JSON.stringify(shown) !== JSON.stringify(rowFields(c))) {
          world.figures.diverged++;
          problems.push(
            `diverged: ${c.id} in ${agent.id}'s mirror ${JSON.stringify(shown)}, on the server ${JSON.stringify(rowFields(c))}`,
          );
        }
      }
      const mirrorReminders = await client.ipc.ok('reminder.list', {});
      return { visible, byConversation, mirrorReminders };
    }),
  );

  // The customers' pages, opened again: the server's record of what each customer sees.
  const pages = await Promise.all(
    customers.map(async (c) => {
      const again = await WebchatCustomer.join(world.server.url, 'demo', c.name, c.identity);
      again.close();
      return again.history.map((m) => ({
        id: m.id,
        body: m.body,
        kind: 'text' as const,
        direction: m.from === 'agent' ? ('out' as const) : ('in' as const),
        event: null,
        authorId: null,
      }));
    }),
  );

  for (const item of expected) {
    const counts: [string, number][] = [];
    if (item.reminderId !== undefined) {
      const owner = item.reminderOf!;
      counts.push(['server', reminders[owner]!.has(item.reminderId) ? 1 : 0]);
      counts.push([`${AGENTS[owner]!.id}'s mirror`, mirrors[owner]!.mirrorReminders.filter((r) => r.id === item.reminderId).length]);
    } else {
      const scope = (ms: readonly Message[]) => (item.conversationId ? ms.filter((m) => m.conversationId === item.conversationId) : ms);
      counts.push(['server', item.count(scope(serverMessages))]);
      const where = new Set(serverMessages.filter((m) => item.count([m]) > 0).map((m) => m.conversationId));
      if (item.conversationId) where.add(item.conversationId);
      for (const [i, mirror] of mirrors.entries()) {
        const seen = mirror.visible.filter((c: Conversation) => where.has(c.id));
        if (seen.length === 0) continue;
        const ms = seen.flatMap((c) => (mirror.byConversation.get(c.id) ?? []).filter((m) => m.delivery !== 'failed'));
        counts.push([`${AGENTS[i]!.id}'s mirror`, item.count(ms)]);
      }
      if (item.customer !== undefined) counts.push([`customer ${item.customer}'s page`, item.count(pages[item.customer]!)]);
    }
    const lost = counts.filter(([, c]) => c < item.exact || c === 0);
    const doubled = counts.filter(([, c]) => !item.atLeast && c > item.exact);
    if (lost.length) {
      world.figures.lost++;
      problems.push(`lost: ${item.what} (${lost.map(([w, c]) => `${w} ${c}`).join(', ')})`);
    }
    if (doubled.length) {
      world.figures.duplicated++;
      problems.push(`duplicated: ${item.what} (${doubled.map(([w, c]) => `${w} ${c}`).join(', ')})`);
    }
  }

  // Each customer's messages, in the order written, on the server and in every mirror that sees them
  // (the chat conversations are never closed, so they all land in one conversation).
  for (const [k, o] of owned.entries()) {
    const wrote = new Set(said[k]);
    const inOrder = (ms: readonly { body: string; direction: string }[]) =>
      ms.filter((m) => m.direction === 'in' && wrote.has(m.body)).map((m) => m.body);
    const serverOrder = serverMessages.filter((m) => m.conversationId === o.conversationId).sort((a, b) => a.seq - b.seq);
    const orders: [string, string[]][] = [['server', inOrder(serverOrder)]];
    for (const [j, mirror] of mirrors.entries()) {
      const ms = mirror.byConversation.get(o.conversationId);
      if (ms) orders.push([`${AGENTS[j]!.id}'s mirror`, inOrder(ms)]);
    }
    for (const [w, got] of orders)
      if (got.length === said[k]!.length && got.some((b, x) => b !== said[k]![x])) {
        world.figures.misordered++;
        problems.push(`misordered: customer ${k}'s messages in ${w}: ${JSON.stringify(got)}, written ${JSON.stringify(said[k])}`);
      }
  }

  // Reopens leave one status event each, on the server and in every mirror that sees the conversation.
  for (const o of owned) {
    const agentId = AGENTS[o.owner]!.id;
    const reopened = (ms: readonly { event: Message['event']; conversationId?: string; authorId: string | null }[]) =>
      ms.filter((m) => m.event?.type === 'status' && m.event.status === 'open' && m.authorId === agentId).length;
    const counts: [string, number][] = [['server', reopened(serverMessages.filter((m) => m.conversationId === o.conversationId))]];
    for (const [j, mirror] of mirrors.entries()) {
      const ms = mirror.byConversation.get(o.conversationId);
      if (ms) counts.push([`${AGENTS[j]!.id}'s mirror`, reopened(ms)]);
    }
    const where = counts.map(([w, c]) => `${w} ${c}`).join(', ');
    const lost = Math.max(0, ...counts.map(([, c]) => o.reopens - c));
    const doubled = Math.max(0, ...counts.map(([, c]) => c - o.reopens));
    world.figures.lost += lost;
    world.figures.duplicated += doubled;
    if (lost) problems.push(`lost: ${lost} of ${o.reopens} reopen(s) of ${o.conversationId} (${where})`);
    if (doubled) problems.push(`duplicated: reopen of ${o.conversationId}, ${o.reopens} made (${where})`);
    const status = admin.conversations.get(o.conversationId)?.status;
    if ((status === 'closed') !== o.closed)
      problems.push(`round ${round}: ${o.conversationId} is ${status} on the server, expected ${o.closed ? 'closed' : 'open'}`);
  }
}

/**
 * Rounds on one store until `numRuns` or the time limit. Each round is its own fast-check run with
 * seed `seed + i`, so a failing round is replayed exactly with `--seed <its seed>` (as the first round
 * of a fresh run), and a round is never abandoned half-way when the time is up.
 */
async function runOn(store: string, databaseUrl: string | undefined, opts: FuzzOptions): Promise<FuzzResult> {
  const deadline = opts.timeLimitMs === undefined ? Infinity : Date.now() + opts.timeLimitMs;
  let world: World | null = null;
  const figures = () => ({ ...(world?.figures ?? {}) }) as unknown as Record<string, number>;
  const property = fc.asyncProperty(scheduleArb, async (steps) => {
    if (!world) {
      const started = Date.now();
      world = await World.start(databaseUrl);
      opts.log(`${store}: server, 2 proxies and 2 clients up in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    }
    await runRound(world, steps, opts.log);
  });
  let cases = 0;
  try {
    for (let i = 0; i < opts.numRuns && (i === 0 || Date.now() < deadline); i++) {
      const seed = (opts.seed + i) | 0;
      const result = await checkProperty('durability', property, { ...opts, seed, numRuns: 1, timeLimitMs: undefined }, figures);
      cases += result.cases;
      if (result.failures) {
        opts.log(`${store}: round ${i + 1} failed`);
        return { ...result, cases };
      }
    }
    opts.log(`${store}: ${cases} rounds, no failure`);
    return { suite: 'durability', seed: opts.seed, cases, failures: 0, figures: figures() };
  } finally {
    await (world as World | null)?.stop();
  }
}

const suite: FuzzSuite = {
  name: 'durability',
  description:
    'kill -9 of the server and of clients, sockets cut after a push result, a changes frame or a stored customer message, dropped acks: every action and customer message exists exactly once, in order',
  async run(opts) {
    const pg = process.env.BANDEJA_TEST_DATABASE_URL;
    if (!pg) return runOn('PGlite', undefined, opts);
    // Half the budget on each store.
    const half = {
      ...opts,
      numRuns: Math.max(1, Math.ceil(opts.numRuns / 2)),
      timeLimitMs: opts.timeLimitMs === undefined ? undefined : opts.timeLimitMs / 2,
    };
    const a = await runOn('PGlite', undefined, half);
    if (a.failures) return a;
    const b = await runOn('PostgreSQL', pg, half);
    const figures: Record<string, number> = { ...a.figures };
    for (const [k, v] of Object.entries(b.figures ?? {})) figures[k] = (figures[k] ?? 0) + v;
    return { ...b, cases: a.cases + b.cases, figures };
  },
};
export default suite;
