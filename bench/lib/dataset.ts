// The benchmark dataset as domain rows (src-shared/domain.ts): one tenant with teams, agents,
// supervisors, inboxes on every channel, contacts, saved views, conversations and their messages.
// Everything comes from one seeded PRNG, so every machine builds the same rows.
//
// Shape (scale 1): 50,000 conversations, 1,000,000 messages (20 on average, skewed), 40,000 contacts,
// 20 teams, 1,000 agents, 10 supervisors, 2 admins, 30 inboxes. Scale shrinks the counts (not the teams).
// Team t-01 is the big queue: every fifth conversation; half of those are held by the bench agent
// (u-agent-0001) and half wait unassigned in the queue, so that agent sees 10,000 conversations.
import { createHash } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import type { Channel, Contact, Conversation, ConversationStatus, Inbox, Message, SavedView, Team, User } from '../../src-shared/domain';
import { CHANNELS } from '../../src-shared/domain';
import { PROTOCOL_VERSION, SCHEMA_VERSION } from '../../src-shared/protocol';
import { preview } from '../../src-shared/rules/conversation';
import { Random } from './random';
import { messageBody, personName, type Lang } from './texts';

export const TENANT_ID = 'bench-tenant';
export const EPOCH = 'bench-epoch-1';
/** Every row is written at version 1; the tenant's version (and every cursor) is this. */
export const VERSION = 2;
export const T0 = Date.UTC(2026, 0, 1);
const SPAN_MS = 180 * 24 * 3600 * 1000;
export const BENCH_PASSWORD = 'bench1234';
export const WEBCHAT_SLUG = 'bench';

export interface Shape {
  scale: number;
  conversations: number;
  messages: number;
  contacts: number;
  agents: number;
  teams: number;
  supervisors: number;
  admins: number;
  inboxes: number;
}

export function shapeFor(scale: number): Shape {
  return {
    scale,
    conversations: Math.max(100, Math.round(50_000 * scale)),
    messages: Math.max(2_000, Math.round(1_000_000 * scale)),
    contacts: Math.max(100, Math.round(40_000 * scale)),
    agents: Math.max(20, Math.round(1_000 * scale)),
    teams: 20,
    supervisors: 10,
    admins: 2,
    inboxes: 30,
  };
}

const pad = (n: number, w: number) => String(n).padStart(w, '0');
export const teamId = (i: number) => `t-${pad(i + 1, 2)}`;
export const agentId = (i: number) => `u-agent-${pad(i + 1, 4)}`;
export const supervisorId = (i: number) => `u-sup-${pad(i + 1, 2)}`;
export const adminId = (i: number) => `u-admin-${i + 1}`;
export const inboxId = (i: number) => `ib-${pad(i + 1, 2)}`;
/** The agent with the big queue (10,000 visible conversations at scale 1). */
export const BENCH_AGENT = agentId(0);
/** The mirror's owner: a supervisor sees everything. */
export const MIRROR_OWNER = supervisorId(0);
/** A session token per user, made from the id: the benchmarks sign in without scrypt. */
export const tokenOf = (userId: string) => createHash('sha256').update(`bench-token\n${userId}`).digest('base64url');

/** A /sync hello as a fresh device of the user: at the dataset's version (up to date), or null to bootstrap. */
export function helloFrame(userId: string, cursor: number | null = VERSION): string {
  return JSON.stringify({
    type: 'hello',
    protocol: PROTOCOL_VERSION,
    schema: SCHEMA_VERSION,
    token: tokenOf(userId),
    clientId: uuidv7(),
    epoch: cursor === null ? null : EPOCH,
    cursor,
  });
}

export interface Directory {
  users: User[];
  teams: Team[];
  inboxes: (Inbox & { slug: string | null })[];
  contacts: Contact[];
  savedViews: SavedView[];
}

export function buildDirectory(shape: Shape): Directory {
  const rnd = new Random(1);
  const teams: Team[] = Array.from({ length: shape.teams }, (_, i) => ({ id: teamId(i), name: `Equipo ${i + 1}`, version: 1 }));
  const users: User[] = [];
  const base = { active: true, presence: 'offline' as const, invited: false, version: 1 };
  for (let i = 0; i < shape.agents; i++) {
    const teamIds = [teamId(i % shape.teams)];
    if (i > 0 && rnd.chance(0.1)) teamIds.push(teamId(1 + rnd.int(shape.teams - 1)));
    const lang: Lang = i % 2 ? 'pt' : 'es';
    users.push({
      ...base,
      id: agentId(i),
      name: personName(rnd, lang),
      email: `agent${i + 1}@bench.test`,
      role: 'agent',
      teamIds: [...new Set(teamIds)],
    });
  }
  for (let i = 0; i < shape.supervisors; i++)
    users.push({
      ...base,
      id: supervisorId(i),
      name: `Supervisor ${i + 1}`,
      email: `sup${i + 1}@bench.test`,
      role: 'supervisor',
      teamIds: teams.map((t) => t.id),
    });
  for (let i = 0; i < shape.admins; i++)
    users.push({ ...base, id: adminId(i), name: `Admin ${i + 1}`, email: `admin${i + 1}@bench.test`, role: 'admin', teamIds: [] });
  const inboxes = Array.from({ length: shape.inboxes }, (_, i) => ({
    id: inboxId(i),
    name: `Canal ${i + 1}`,
    channel: (i === 0 ? 'webchat' : CHANNELS[i % CHANNELS.length]) as Channel,
    teamId: teamId(i % shape.teams),
    settings: { transferStartsNewConversation: false, closeKeepsAssignee: true },
    slug: i === 0 ? WEBCHAT_SLUG : null,
    version: 1,
  }));
  const contacts: Contact[] = Array.from({ length: shape.contacts }, (_, i) => {
    const lang: Lang = i % 3 === 0 ? 'pt' : 'es';
    const name = personName(rnd, lang);
    const phone = lang === 'pt' ? `+55 11 9${pad(rnd.int(1e8), 8)}` : `+54 9 11 ${pad(rnd.int(1e8), 8)}`;
    return {
      id: rnd.uuid7(T0 - 86_400_000 + i),
      name,
      phones: [phone],
      emails: rnd.chance(0.6)
        ? [
            `${name
              .toLowerCase()
              .normalize('NFD')
              .replace(/[^a-z]+/g, '.')}${i}@correo.test`,
          ]
        : [],
      ownerId: null,
      custom: {},
      identities: [],
      fieldVersions: {},
      mergedIntoId: null,
      createdAt: T0 - 86_400_000 + i,
      version: 1,
    };
  });
  const view = (id: string, name: string, filters: SavedView['filters']): SavedView => ({
    id,
    name,
    ownerId: MIRROR_OWNER,
    teamId: null,
    filters,
    sort: 'newest',
    version: 1,
  });
  const savedViews = [
    view('sv-whatsapp-unread', 'WhatsApp sin leer', { channels: ['whatsapp'], unreadOnly: true }),
    view('sv-vip', 'VIP', { tags: ['vip'] }),
    view('sv-waiting', 'Esperando más de 30 min', { waitingMinutes: 30 }),
    view('sv-queue', 'Cola del equipo 1', { teamIds: [teamId(0)], assignees: ['none'] }),
  ];
  return { users, teams, inboxes, contacts, savedViews };
}

/** What a conversation is before its messages are known. */
interface Plan {
  id: string;
  inboxId: string;
  contactId: string;
  teamId: string;
  assigneeId: string | null;
  status: ConversationStatus;
  createdAt: number;
  tags: string[];
  lang: Lang;
  // Filled while messages stream.
  lastMessageAt: number;
  lastMessagePreview: string;
  lastCustomerMessageAt: number | null;
  waitingSince: number | null;
  unread: number;
  messages: number;
}

const TAGS = ['vip', 'reclamo', 'devolución', 'factura', 'envío', 'urgente'];

export class ConversationStream {
  readonly plans: Plan[];
  private readonly rnd = new Random(2);
  private readonly dt: number;
  private k = 0;
  private seq = 0;

  constructor(
    readonly shape: Shape,
    dir: Directory,
  ) {
    const rnd = new Random(3);
    const C = shape.conversations;
    this.dt = SPAN_MS / shape.messages;
    const teamInboxes = (team: string) => dir.inboxes.filter((i) => i.teamId === team);
    const membersOf = new Map(
      dir.teams.map((t) => [t.id, dir.users.filter((u) => u.role === 'agent' && u.teamIds.includes(t.id)).map((u) => u.id)]),
    );
    const bigTeam = teamId(0);
    const otherInboxes = dir.inboxes.filter((i) => i.teamId !== bigTeam);
    let active = 0;
    this.plans = Array.from({ length: C }, (_, i) => {
      const inBig = i % 5 === 0;
      const inbox = inBig ? rnd.pick(teamInboxes(bigTeam)) : rnd.pick(otherInboxes);
      const team = inbox.teamId!;
      // The newest tenth is still being worked; older ones are mostly closed.
      const recent = i >= C * 0.9;
      const roll = rnd.next();
      const status: ConversationStatus = recent
        ? roll < 0.5
          ? 'open'
          : roll < 0.8
            ? 'pending'
            : 'snoozed'
        : roll < 0.95
          ? 'closed'
          : roll < 0.98
            ? 'open'
            : 'pending';
      let assigneeId: string | null;
      if (inBig) assigneeId = rnd.chance(0.5) ? BENCH_AGENT : null;
      else if (i % 50 === 1) assigneeId = MIRROR_OWNER;
      else assigneeId = rnd.chance(0.75) ? rnd.pick(membersOf.get(team)!) : null;
      // One active conversation per contact and inbox: the ones still open get contacts of their own.
      const contact = status !== 'closed' ? dir.contacts[active++ % dir.contacts.length]! : rnd.pick(dir.contacts);
      const createdAt = Math.floor(T0 + ((i * shape.messages) / C) * this.dt - 60_000);
      const tags = rnd.chance(0.3) ? [...new Set([rnd.pick(TAGS), ...(rnd.chance(0.3) ? [rnd.pick(TAGS)] : [])])].sort() : [];
      return {
        id: rnd.uuid7(createdAt),
        inboxId: inbox.id,
        contactId: contact.id,
        teamId: team,
        assigneeId,
        status,
        createdAt,
        tags,
        lang: (contact.phones[0]!.startsWith('+55') ? 'pt' : 'es') as Lang,
        lastMessageAt: createdAt,
        lastMessagePreview: '',
        lastCustomerMessageAt: null,
        waitingSince: null,
        unread: 0,
        messages: 0,
      };
    });
  }

  get done(): boolean {
    return this.k >= this.shape.messages;
  }

  /** The next `n` messages in time (and seq) order. */
  next(n: number): Message[] {
    const out: Message[] = [];
    const C = this.shape.conversations;
    const M = this.shape.messages;
    const rnd = this.rnd;
    for (; out.length < n && this.k < M; this.k++) {
      // A sliding window over conversations in creation order: each lives for a few hours.
      const anchor = Math.floor((this.k * C) / M);
      const back = Math.floor(60 * rnd.next() ** 1.5);
      const plan = this.plans[Math.max(0, anchor - back)]!;
      const createdAt = Math.max(plan.createdAt + 1, Math.floor(T0 + this.k * this.dt));
      const roll = rnd.next();
      const kind: Message['kind'] = plan.messages === 0 ? 'text' : roll < 0.05 ? 'note' : roll < 0.09 ? 'event' : 'text';
      const direction: Message['direction'] =
        kind === 'event' ? 'system' : kind === 'note' ? 'out' : plan.messages === 0 || roll < 0.55 ? 'in' : 'out';
      const authorId = direction === 'in' ? null : (plan.assigneeId ?? MIRROR_OWNER);
      const body =
        kind === 'event' ? '' : messageBody(rnd, plan.lang, kind === 'note' ? 'note' : direction === 'in' ? 'customer' : 'agent');
      const m: Message = {
        id: rnd.uuid7(createdAt),
        conversationId: plan.id,
        direction,
        kind,
        authorId,
        body,
        event: kind === 'event' ? { type: 'assigned', assigneeId: plan.assigneeId ?? MIRROR_OWNER, byId: MIRROR_OWNER } : null,
        mentions: [],
        attachments: [],
        template: null,
        forwarded: false,
        state: direction === 'in' ? 'read' : 'delivered',
        error: null,
        createdAt,
        seq: ++this.seq,
        version: 1,
      };
      plan.messages++;
      if (kind !== 'event') {
        plan.lastMessageAt = createdAt;
        plan.lastMessagePreview = preview(body);
      }
      if (direction === 'in') {
        plan.lastCustomerMessageAt = createdAt;
        plan.waitingSince ??= createdAt;
        plan.unread++;
      } else if (kind === 'text') {
        plan.waitingSince = null;
        plan.unread = 0;
      }
      out.push(m);
    }
    return out;
  }

  /** The conversations once every message is out. */
  conversations(): Conversation[] {
    return this.plans.map((p) => ({
      id: p.id,
      inboxId: p.inboxId,
      contactId: p.contactId,
      teamId: p.teamId,
      assigneeId: p.assigneeId,
      status: p.status,
      unreadCount: p.status === 'closed' ? 0 : p.unread,
      lastMessageAt: p.lastMessageAt,
      lastMessagePreview: p.lastMessagePreview,
      lastCustomerMessageAt: p.lastCustomerMessageAt,
      waitingSince: p.status === 'closed' ? null : p.waitingSince,
      tags: p.tags,
      botActive: false,
      closingCategoryId: null,
      previousConversationId: null,
      snoozedUntil: null,
      createdAt: p.createdAt,
      version: 1,
    }));
  }
}
