// Model-based permission test (issue 12, class 2). Seeded random sequences of what agents, a supervisor,
// an admin and webchat visitors do against one real server process: visits, customer messages, claims,
// transfers, replies, notes, closes, files (sent, and named by hash by someone else), contact merges, team
// changes, disconnects and reconnects from an old cursor. After every step each connected agent's view
// (a protocol-level SyncPeer holding the rows it was sent), what every agent may download and every
// visitor page equal exactly what a reference model built from the rules in src-shared says that person
// may see; every message a socket ever carried was one its person was entitled to at some step; and
// every action is accepted or refused as the rules say.
import { createHash, randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { v7 as uuidv7 } from 'uuid';
import type { Attachment, Conversation, InboxSettings, Message } from '../../../src-shared/domain';
import { Paths } from '../../../src-shared/http';
import type { Op } from '../../../src-shared/protocol';
import { mustMayChangeContacts } from '../../../src-shared/rules/contact';
import { assign, close, reopen, sendReply, transfer, type Outcome } from '../../../src-shared/rules/conversation';
import { canSeeConversation, type Viewer } from '../../../src-shared/rules/visibility';
import { LOAD_TEST_LIMITS, startServerProcess, type ServerProcess } from '../../support/server-process';
import { login, SyncPeer } from '../../support/sync-peer';
import { WebchatCustomer, type VisitorIdentity } from '../../support/webchat-customer';
import { checkProperty, type FuzzOptions, type FuzzResult, type FuzzSuite } from '../harness';

type Who = 'ana' | 'bruno' | 'sofia' | 'admin';
const PEOPLE: readonly Who[] = ['ana', 'bruno', 'sofia', 'admin'];
const AGENTS: readonly Who[] = ['ana', 'bruno', 'sofia'];
const HOME: Record<Who, Viewer> = {
  ana: { id: 'user-ana', role: 'agent', teamIds: ['team-soporte'] },
  bruno: { id: 'user-bruno', role: 'agent', teamIds: ['team-soporte', 'team-ventas'] },
  sofia: { id: 'user-sofia', role: 'supervisor', teamIds: ['team-soporte', 'team-ventas'] },
  admin: { id: 'user-admin', role: 'admin', teamIds: ['team-soporte'] },
};
const SLUGS = ['demo', 'ventas'] as const;
const TEAMS = ['team-soporte', 'team-ventas'] as const;
const STEP_WAIT_MS = 10_000;

/** What the model says, per action, from the rules in src-shared. */
type Action =
  | { t: 'visit'; slug: number }
  | { t: 'revisit'; visitor: number }
  | { t: 'say'; visitor: number }
  | { t: 'assign'; who: number; conv: number; to: number }
  | { t: 'transfer'; who: number; conv: number; team: number }
  | { t: 'reply'; who: number; conv: number }
  | { t: 'note'; who: number; conv: number }
  | { t: 'close'; who: number; conv: number }
  | { t: 'reopen'; who: number; conv: number }
  | { t: 'file'; who: number; conv: number }
  | { t: 'steal'; who: number; conv: number; file: number }
  | { t: 'merge'; who: number; target: number; source: number }
  | { t: 'teams'; ana: number }
  | { t: 'drop'; who: number }
  | { t: 'back'; who: number; age: number };

const small = fc.nat({ max: 3 });
/** Few conversations and people per case, so that the same ones go back and forth. */
const conv = fc.nat({ max: 1 });
const who = fc.nat({ max: 2 });
const actionArb: fc.Arbitrary<Action> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ t: fc.constant('visit' as const), slug: small }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('revisit' as const), visitor: small }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('say' as const), visitor: small }) },
  { weight: 6, arbitrary: fc.record({ t: fc.constant('assign' as const), who, conv, to: small }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('transfer' as const), who, conv, team: small }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('reply' as const), who, conv }) },
  { weight: 4, arbitrary: fc.record({ t: fc.constant('note' as const), who, conv }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('close' as const), who, conv }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('reopen' as const), who, conv }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('file' as const), who, conv }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('steal' as const), who, conv, file: small }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('merge' as const), who, target: small, source: small }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('teams' as const), ana: small }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('drop' as const), who }) },
  { weight: 4, arbitrary: fc.record({ t: fc.constant('back' as const), who, age: small }) },
);

interface ModelMessage {
  id: string;
  kind: 'text' | 'note';
  direction: 'in' | 'out';
  attachment: string | null;
}

interface ModelConversation {
  row: Conversation;
  /** The visitor (index) whose identity the conversation is with. */
  visitor: number;
  messages: ModelMessage[];
}

interface Visitor {
  slug: (typeof SLUGS)[number];
  name: string;
  identity: VisitorIdentity;
  contactId: string;
  page: WebchatCustomer | null;
  /** Message ids the open page holds: its join's history, then what arrived live. */
  shown: Set<string>;
}

interface FileInCase {
  sha256: string;
  bytes: Buffer;
  uploader: Who;
  attachment: Attachment;
}

/** A client's state after a step, to come back from later with its cursor (a mirror at that point). */
interface Saved {
  epoch: string | null;
  cursor: number | null;
  conversations: Map<string, Conversation>;
  messages: Map<string, Message>;
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function outcomeOf(rule: () => Outcome): Outcome | null {
  try {
    return rule();
  } catch {
    return null;
  }
}

class World {
  readonly viewers: Record<Who, Viewer> = { ...HOME, ana: { ...HOME.ana } };
  readonly visitors: Visitor[] = [];
  readonly conversations: ModelConversation[] = [];
  readonly contacts = new Map<string, { mergedInto: string | null }>();
  readonly files: FileInCase[] = [];
  readonly peers = new Map<Who, SyncPeer>();
  /** Every message each person was entitled to at the end of some step. */
  readonly entitled = new Map<Who, Set<string>>(PEOPLE.map((w) => [w, new Set<string>()]));
  /** How far each person's sockets' frames were checked. */
  private readonly framesChecked = new Map<SyncPeer, number>();
  readonly saved = new Map<Who, Saved[]>(PEOPLE.map((w) => [w, []]));
  actions = 0;

  constructor(
    readonly server: ServerProcess,
    readonly tokens: Record<Who, string>,
    readonly settings: Map<string, InboxSettings>,
    readonly observer: SyncPeer,
  ) {}

  conversation(i: number): ModelConversation | null {
    return this.conversations.length === 0 ? null : this.conversations[i % this.conversations.length]!;
  }

  canSee(who: Who, c: ModelConversation): boolean {
    return canSeeConversation(this.viewers[who], c.row);
  }

  mayRead(who: Who, f: FileInCase): boolean {
    if (f.uploader === who) return true;
    return this.conversations.some((c) => this.canSee(who, c) && c.messages.some((m) => m.attachment === f.sha256));
  }

  async connect(who: Who, from?: Saved): Promise<void> {
    const peer = await SyncPeer.connect(this.server.url, {
      token: this.tokens[who],
      epoch: from?.epoch ?? null,
      cursor: from?.cursor ?? null,
      skipHello: true,
    });
    if (from) {
      // The client's mirror as it was then: its cursor and rows.
      peer.cursor = from.cursor;
      for (const [id, c] of from.conversations) peer.conversations.set(id, c);
      for (const [id, m] of from.messages) peer.messages.set(id, m);
    }
    await peer.hello();
    this.peers.set(who, peer);
  }

  /** Waits until every open socket has caught up with what the observer holds now. */
  async settle(): Promise<void> {
    const version = this.observer.cursor ?? 0;
    for (const peer of this.peers.values()) await peer.waitFor(() => (peer.cursor ?? 0) >= version, `catch-up to ${version}`);
  }

  /** A push by a connected person (the admin pushes on the observer's socket); then the observer has seen
   *  its commit, so the step's check waits for everyone to reach it. */
  async push(who: Who, name: string, args: unknown): Promise<boolean> {
    const peer = who === 'admin' ? this.observer : this.peers.get(who)!;
    const result = await peer.push(name, args);
    const version = peer.cursor ?? 0;
    await this.observer.waitFor(() => (this.observer.cursor ?? 0) >= version, 'the observer catching up');
    this.actions++;
    return result.status === 'ok';
  }

  /** The agent an action names, or null when she is offline (her actions wait until she is back). */
  actor(index: number): Who | null {
    const who = AGENTS[index % AGENTS.length]!;
    return this.peers.has(who) ? who : null;
  }

  expect(what: string, actual: boolean, predicted: boolean): void {
    if (actual !== predicted)
      throw new Error(`${what}: the server ${actual ? 'accepted' : 'refused'} it, the rules say ${predicted ? 'accept' : 'refuse'}.`);
  }

  async run(action: Action): Promise<void> {
    switch (action.t) {
      case 'visit': {
        if (this.visitors.length >= 5) return;
        const slug = SLUGS[action.slug % SLUGS.length]!;
        const name = `Visitante ${randomUUID().slice(0, 8)}`;
        const page = await WebchatCustomer.join(this.server.url, slug, name);
        // A join makes no contact: her first message does (webchat/store.ts), and a visit ends with it.
        this.visitors.push({ slug, name, identity: page.identity, contactId: '', page, shown: new Set(page.history.map((m) => m.id)) });
        await this.run({ t: 'say', visitor: this.visitors.length - 1 });
        return;
      }
      case 'revisit': {
        const v = this.visitors[action.visitor % Math.max(1, this.visitors.length)];
        if (!v) return;
        v.page?.close();
        v.page = await WebchatCustomer.join(this.server.url, v.slug, v.name, v.identity);
        v.shown = new Set(v.page.history.map((m) => m.id));
        return;
      }
      case 'say': {
        const index = action.visitor % Math.max(1, this.visitors.length);
        const v = this.visitors[index];
        if (!v?.page) return;
        const id = await v.page.say(`Hola ${randomUUID().slice(0, 6)}`);
        v.shown.add(id);
        await this.observer.waitForOp((op) => op.kind === 'message' && op.row.id === id, 'the customer message');
        const conversationId = this.observer.messages.get(id)!.conversationId;
        // The rules: the identity's latest conversation in the inbox if still active, else a new one.
        const own = this.conversations.filter((c) => c.visitor === index);
        const latest = own.find((c) => c.row.status !== 'closed') ?? null;
        if (latest) {
          if (conversationId !== latest.row.id)
            throw new Error(`A visitor's message went to ${conversationId}, not to her own active conversation ${latest.row.id}.`);
          latest.messages.push({ id, kind: 'text', direction: 'in', attachment: null });
        } else {
          if (this.conversations.some((c) => c.row.id === conversationId))
            throw new Error(`A visitor's message went into another identity's conversation ${conversationId}.`);
          const row = this.observer.conversations.get(conversationId)!;
          if (!v.contactId) {
            // Her first message made her contact, a new one named as she joined.
            if (this.contacts.has(row.contactId) || this.observer.rowsOf('contact').get(row.contactId)?.name !== v.name)
              throw new Error(`A new visitor's first message should make her own contact: ${JSON.stringify(row)}`);
            v.contactId = row.contactId;
            this.contacts.set(row.contactId, { mergedInto: null });
          }
          const contactId = this.currentContact(v.contactId);
          if (row.contactId !== contactId || row.assigneeId !== null)
            throw new Error(`A new conversation should be the contact's ${contactId}, unassigned: ${JSON.stringify(row)}`);
          this.conversations.push({ row, visitor: index, messages: [{ id, kind: 'text', direction: 'in', attachment: null }] });
        }
        return;
      }
      case 'assign':
      case 'transfer':
      case 'close':
      case 'reopen': {
        const c = this.conversation(action.conv);
        if (!c) return;
        const who = this.actor(action.who);
        if (!who) return;
        const viewer = this.viewers[who];
        let name: string;
        let args: Record<string, unknown>;
        let outcome: Outcome | null;
        if (action.t === 'assign') {
          const to = [viewer.id, null, 'user-ana', 'user-bruno'][action.to % 4]!;
          name = 'conversation.assign';
          args = { conversationId: c.row.id, assigneeId: to };
          outcome = outcomeOf(() => assign(viewer, c.row, to));
        } else if (action.t === 'transfer') {
          const team = TEAMS[action.team % TEAMS.length]!;
          name = 'conversation.transfer';
          args = { conversationId: c.row.id, toUserId: null, toTeamId: team, newConversationId: uuidv7() };
          outcome = outcomeOf(() => transfer(viewer, c.row, null, team));
        } else if (action.t === 'close') {
          name = 'conversation.close';
          args = { conversationId: c.row.id, note: null, categoryId: null };
          outcome = outcomeOf(() => close(viewer, c.row, null, null, this.settings.get(c.row.inboxId)!));
        } else {
          name = 'conversation.reopen';
          args = { conversationId: c.row.id };
          const otherActive = this.conversations.some((o) => o !== c && o.visitor === c.visitor && o.row.status !== 'closed');
          outcome = otherActive ? null : outcomeOf(() => reopen(viewer, c.row));
        }
        const ok = await this.push(who, name, args);
        this.expect(`${who} ${name} ${JSON.stringify(args)}`, ok, outcome !== null);
        if (outcome) c.row = outcome.conversation;
        return;
      }
      case 'reply':
      case 'file':
      case 'steal': {
        const c = this.conversation(action.conv);
        if (!c) return;
        const who = this.actor(action.who);
        if (!who) return;
        const viewer = this.viewers[who];
        let attachment: Attachment | null = null;
        let nameable = true;
        if (action.t === 'file') {
          const bytes = Buffer.from(`Archivo ${randomUUID()}\n`);
          const res = await fetch(this.server.url + Paths.blob(sha(bytes)), {
            method: 'PUT',
            headers: { authorization: `Bearer ${this.tokens[who]}`, 'content-type': 'text/plain' },
            body: bytes,
          });
          if (res.status !== 201) throw new Error(`Upload answered ${res.status}.`);
          attachment = { sha256: sha(bytes), name: 'archivo.txt', mime: 'text/plain', size: bytes.length, kind: 'file', durationMs: null };
          this.files.push({ sha256: attachment.sha256, bytes, uploader: who, attachment });
        } else if (action.t === 'steal') {
          const f = this.files[action.file % Math.max(1, this.files.length)];
          if (!f) return;
          attachment = f.attachment;
          nameable = this.mayRead(who, f);
        }
        const id = uuidv7();
        const body = attachment ? '' : `Respuesta ${id.slice(-6)}`;
        const outcome = outcomeOf(() => sendReply(viewer, c.row, 'webchat', body, Date.now(), attachment ? [attachment] : []));
        const ok = await this.push(who, 'message.send', {
          id,
          conversationId: c.row.id,
          body,
          attachments: attachment ? [attachment] : [],
        });
        this.expect(`${who} ${action.t} in ${c.row.id}`, ok, outcome !== null && nameable);
        if (outcome && nameable) {
          c.row = outcome.conversation;
          c.messages.push({ id, kind: 'text', direction: 'out', attachment: attachment?.sha256 ?? null });
        }
        return;
      }
      case 'note': {
        const c = this.conversation(action.conv);
        if (!c) return;
        const who = this.actor(action.who);
        if (!who) return;
        const id = uuidv7();
        const visible = canSeeConversation(this.viewers[who], c.row);
        const ok = await this.push(who, 'note.add', { id, conversationId: c.row.id, body: `Nota ${id.slice(-6)}`, mentions: [] });
        this.expect(`${who} note in ${c.row.id}`, ok, visible);
        if (ok) c.messages.push({ id, kind: 'note', direction: 'out', attachment: null });
        return;
      }
      case 'merge': {
        const who = this.actor(action.who);
        if (this.visitors.length < 2 || !who) return;
        const target = this.visitors[action.target % this.visitors.length]!.contactId;
        const source = this.visitors[action.source % this.visitors.length]!.contactId;
        const predicted = this.mergeAllowed(who, target, source);
        const ok = await this.push(who, 'contact.merge', { targetId: target, sourceId: source });
        this.expect(`${who} merges ${source} into ${target}`, ok, predicted);
        if (ok) {
          this.contacts.get(source)!.mergedInto = target;
          for (const c of this.conversations) if (c.row.contactId === source) c.row = { ...c.row, contactId: target };
        }
        return;
      }
      case 'teams': {
        const teamIds = action.ana % 2 === 0 ? ['team-soporte'] : ['team-soporte', 'team-ventas'];
        if (teamIds.length === this.viewers.ana.teamIds.length) return;
        const ok = await this.push('admin', 'admin.user.update', { userId: 'user-ana', teamIds });
        this.expect('a team change of Ana', ok, true);
        this.viewers.ana = { ...this.viewers.ana, teamIds };
        return;
      }
      case 'drop': {
        const who = AGENTS[action.who % AGENTS.length]!;
        this.peers.get(who)?.close();
        this.peers.delete(who);
        return;
      }
      case 'back': {
        const who = AGENTS[action.who % AGENTS.length]!;
        const history = this.saved.get(who)!;
        if (history.length === 0) return;
        // A client that was offline (or whose mirror is a copy from a few steps back) says hello with the
        // cursor it had then: the replay must end in what she may see now.
        this.peers.get(who)?.close();
        await this.connect(who, history[Math.max(0, history.length - 1 - action.age * 2)]);
        return;
      }
    }
  }

  currentContact(id: string): string {
    let current = id;
    while (this.contacts.get(current)?.mergedInto) current = this.contacts.get(current)!.mergedInto!;
    return current;
  }

  mergeAllowed(who: Who, target: string, source: string): boolean {
    if (target === source || this.contacts.get(target)?.mergedInto || this.contacts.get(source)?.mergedInto) return false;
    const involved = this.conversations.filter((c) => c.row.contactId === target || c.row.contactId === source);
    try {
      mustMayChangeContacts(
        this.viewers[who],
        involved.map((c) => c.row),
      );
    } catch {
      return false;
    }
    const active = (contact: string) => involved.filter((c) => c.row.contactId === contact && c.row.status !== 'closed');
    return !active(source).some((s) => active(target).some((t) => t.row.inboxId === s.row.inboxId));
  }

  /** Compares every open view with the model after a step. */
  async check(): Promise<void> {
    await this.settle();
    const caseConversations = new Set(this.conversations.map((c) => c.row.id));
    const caseMessages = new Set(this.conversations.flatMap((c) => c.messages.map((m) => m.id)));
    for (const who of PEOPLE) {
      const visible = this.conversations.filter((c) => this.canSee(who, c));
      for (const c of visible) for (const m of c.messages) this.entitled.get(who)!.add(m.id);
      const peer = this.peers.get(who);
      if (!peer) continue;
      // Nothing ever sent to this person's socket was outside what she was entitled to at some step.
      const from = this.framesChecked.get(peer) ?? 0;
      for (const frame of peer.frames.slice(from)) {
        const ops: Op[] = frame.type === 'changes' || frame.type === 'snapshotPage' ? frame.ops : [];
        for (const op of ops)
          if (op.kind === 'message' && caseMessages.has(op.row.id) && !this.entitled.get(who)!.has(op.row.id))
            throw new Error(`${who} was sent message ${op.row.id} (${op.row.kind}) of ${op.row.conversationId}, never hers to see.`);
      }
      this.framesChecked.set(peer, peer.frames.length);
      // Her view now is exactly what the rules let her see.
      const want = new Map(visible.map((c) => [c.row.id, c]));
      const have = [...peer.conversations.values()].filter((c) => caseConversations.has(c.id));
      const haveIds = have.map((c) => c.id).sort();
      if (JSON.stringify(haveIds) !== JSON.stringify([...want.keys()].sort()))
        throw new Error(`${who} holds conversations ${JSON.stringify(haveIds)}; the rules say ${JSON.stringify([...want.keys()].sort())}.`);
      for (const c of have) {
        const m = want.get(c.id)!.row;
        if (c.assigneeId !== m.assigneeId || c.teamId !== m.teamId || c.status !== m.status || c.contactId !== m.contactId)
          throw new Error(`${who} holds ${c.id} as ${JSON.stringify(c)}; the model has ${JSON.stringify(m)}.`);
      }
      const haveMessages = [...peer.messages.values()]
        .filter((m) => m.kind !== 'event' && caseConversations.has(m.conversationId))
        .map((m) => m.id)
        .sort();
      const wantMessages = visible.flatMap((c) => c.messages.map((m) => m.id)).sort();
      if (JSON.stringify(haveMessages) !== JSON.stringify(wantMessages))
        throw new Error(`${who} holds messages ${JSON.stringify(haveMessages)}; the rules say ${JSON.stringify(wantMessages)}.`);
      if (who !== 'admin') this.saved.get(who)!.push(this.snapshotOf(peer));
    }
    // Files: each agent may download exactly those the rules let her read; answers never tell more.
    for (const who of AGENTS)
      for (const f of this.files) {
        const res = await fetch(this.server.url + Paths.blob(f.sha256), { headers: { authorization: `Bearer ${this.tokens[who]}` } });
        await res.arrayBuffer();
        const want = this.mayRead(who, f) ? 200 : 404;
        if (res.status !== want) throw new Error(`${who} downloading ${f.sha256} got ${res.status}; the rules say ${want}.`);
      }
    // Visitor pages: exactly the customer's and agents' messages of the conversations of her own identity.
    for (const [index, v] of this.visitors.entries()) {
      if (!v.page) continue;
      const want = this.conversations
        .filter((c) => c.visitor === index)
        .flatMap((c) => c.messages.filter((m) => m.kind === 'text').map((m) => m.id));
      const deadline = Date.now() + STEP_WAIT_MS;
      for (;;) {
        for (const f of v.page.frames) if (f.type === 'message') v.shown.add(f.message.id);
        const extra = [...v.shown].filter((id) => !want.includes(id));
        if (extra.length > 0) throw new Error(`Visitor ${v.name}'s page shows ${JSON.stringify(extra)}, not of her own chat.`);
        if (want.every((id) => v.shown.has(id))) break;
        if (Date.now() > deadline)
          throw new Error(`Visitor ${v.name}'s page lacks ${JSON.stringify(want.filter((id) => !v.shown.has(id)))}.`);
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  }

  snapshotOf(peer: SyncPeer): Saved {
    return { epoch: peer.epoch, cursor: peer.cursor, conversations: new Map(peer.conversations), messages: new Map(peer.messages) };
  }

  /** Ends the case: sockets closed, Ana back in her own teams for the next case. */
  async close(): Promise<void> {
    for (const peer of this.peers.values()) peer.close();
    this.peers.clear();
    for (const v of this.visitors) v.page?.close();
    if (this.viewers.ana.teamIds.length !== HOME.ana.teamIds.length)
      await this.push('admin', 'admin.user.update', { userId: 'user-ana', teamIds: HOME.ana.teamIds });
  }
}

const suite: FuzzSuite = {
  name: 'permissions',
  description: 'agents, a supervisor and visitors act at random; every view, download and page equals what the rules allow',
  async run(opts: FuzzOptions): Promise<FuzzResult> {
    const server = await startServerProcess({ demo: true, env: LOAD_TEST_LIMITS });
    let steps = 0;
    let pushes = 0;
    try {
      const tokens = {} as Record<Who, string>;
      for (const who of PEOPLE) tokens[who] = (await login(server.url, `${who}@demo.test`)).token;
      const property = fc.asyncProperty(fc.array(actionArb, { minLength: 4, maxLength: 24 }), async (actions) => {
        const observer = await SyncPeer.connect(server.url, { token: tokens.admin });
        const settings = new Map([...observer.rowsOf('inbox').values()].map((i) => [i.id, i.settings]));
        const world = new World(server, tokens, settings, observer);
        try {
          for (const who of AGENTS) await world.connect(who);
          // A customer in each team's chat to start with.
          for (const start of [
            { t: 'visit', slug: 0 },
            { t: 'visit', slug: 1 },
            { t: 'say', visitor: 0 },
            { t: 'say', visitor: 1 },
          ] as const) {
            await world.run(start);
            await world.check();
          }
          for (const action of actions) {
            await world.run(action);
            steps++;
            await world.check();
          }
        } finally {
          pushes += world.actions;
          await world.close();
          observer.close();
        }
      });
      return await checkProperty('permissions', property, opts, () => ({ steps, pushes }));
    } finally {
      await server.stop();
    }
  },
};

export default suite;
