// Desktop notifications: a new customer message in my conversations, a new unassigned conversation in
// my queues, an @mention, a due reminder. Filtered by this device's settings and do-not-disturb; never
// for what this device did itself, never for a snapshot (history, not news). A burst (a campaign's
// replies, a reconnect after hours offline) is collected for BURST_MS and grouped
// (rules/notificationGrouping.ts) into one toast per kind: "12 new conversations", not twelve toasts.
import type { NotificationEntry } from '../../src-shared/domain';
import type { NotificationSettings, ReminderItem } from '../../src-shared/ipc';
import { preview } from '../../src-shared/rules/conversation';
import { groupNotifications, type NotificationKind, type PendingNotification } from '../../src-shared/rules/notificationGrouping';
import { teamQueuesFor, type Viewer } from '../../src-shared/rules/visibility';
import type { Host } from './host';
import type { News } from './mirror/apply';
import type { ReadonlyDb } from './mirror/db';
import type { Clock } from './reminders/clock';

export const BURST_MS = 1000;

/** A notification waiting in the burst, with the name its group toast lists. */
interface Pending extends PendingNotification {
  who: string;
  tag: string;
}

type Lang = 'en' | 'es' | 'pt';

interface Words {
  mention(by: string): string;
  newConversation(who: string): string;
  reminder(who: string): string;
  reminderBody(note: string | null): string;
  group(kind: NotificationKind, n: number): string;
  more(names: string[], n: number): string;
}

// The renderer's catalog is not reachable from here: the few words a toast needs, per language.
const WORDS: Record<Lang, Words> = {
  en: {
    mention: (by) => `${by} mentioned you`,
    newConversation: (who) => `New conversation: ${who}`,
    reminder: (who) => `Reminder: ${who}`,
    reminderBody: (note) => note || 'Time to get back to this conversation.',
    group: (kind, n) =>
      kind === 'newConversation'
        ? `${n} new conversations`
        : kind === 'newMessage'
          ? `New messages in ${n} conversations`
          : `${n} mentions`,
    more: (names, n) => (n > 0 ? `${names.join(', ')} and ${n} more` : names.join(', ')),
  },
  es: {
    mention: (by) => `${by} te mencionó`,
    newConversation: (who) => `Nueva conversación: ${who}`,
    reminder: (who) => `Recordatorio: ${who}`,
    reminderBody: (note) => note || 'Es hora de volver a esta conversación.',
    group: (kind, n) =>
      kind === 'newConversation'
        ? `${n} conversaciones nuevas`
        : kind === 'newMessage'
          ? `Mensajes nuevos en ${n} conversaciones`
          : `${n} menciones`,
    more: (names, n) => (n > 0 ? `${names.join(', ')} y ${n} más` : names.join(', ')),
  },
  pt: {
    mention: (by) => `${by} mencionou você`,
    newConversation: (who) => `Nova conversa: ${who}`,
    reminder: (who) => `Lembrete: ${who}`,
    reminderBody: (note) => note || 'Hora de voltar a esta conversa.',
    group: (kind, n) =>
      kind === 'newConversation' ? `${n} conversas novas` : kind === 'newMessage' ? `Mensagens novas em ${n} conversas` : `${n} menções`,
    more: (names, n) => (n > 0 ? `${names.join(', ')} e mais ${n}` : names.join(', ')),
  },
};
export function wordsFor(lang: string | null): Words {
  const tag = lang ?? Intl.DateTimeFormat().resolvedOptions().locale;
  return WORDS[tag.startsWith('es') ? 'es' : tag.startsWith('pt') ? 'pt' : 'en'];
}

export interface NotifierOptions {
  host: Pick<Host, 'notify'>;
  clock: Clock;
  /** This device's settings as they are now. */
  settings: () => NotificationSettings;
  lang: string | null;
  burstMs?: number;
}

/** Collects notifications for a short burst, then shows them grouped. */
export class Notifier {
  private burst: Pending[] = [];
  private handle: unknown = null;
  private readonly words: Words;

  constructor(private readonly opts: NotifierOptions) {
    this.words = wordsFor(opts.lang);
  }

  /** What a `changes` frame brought (apply.ts News and new notification entries), as seen by `viewer`. */
  news(db: ReadonlyDb, viewer: Viewer, news: News | undefined, mentions: readonly NotificationEntry[] | undefined): void {
    // Most changes (this device's own actions, a confirm, a snapshot page) bring nothing to show.
    if (!news?.conversations.length && !news?.customerMessages.length && !mentions?.length) return;
    const items: Pending[] = [];
    const contactName = db.prepare<[string], { name: string | null; assignee_id: string | null; team_id: string | null; status: string }>(
      `SELECT COALESCE(oct.name, ct.name) AS name, c.assignee_id, c.team_id, c.status FROM conversations_view c
         LEFT JOIN contacts ct ON ct.id = c.contact_id LEFT JOIN overlay_contacts oct ON oct.id = c.contact_id WHERE c.id = ?`,
    );
    const messageBody = db.prepare<[string], { body: string }>('SELECT body FROM messages WHERE id = ?');
    // A conversation this device's own transfer started is not news to this agent.
    const ours = db.prepare<[string], { one: number }>(
      "SELECT 1 AS one FROM outbox WHERE name = 'conversation.transfer' AND json_extract(args, '$.newConversationId') = ? LIMIT 1",
    );
    if (news) {
      const teams = db
        .prepare<[], { id: string }>('SELECT id FROM teams_view')
        .all()
        .map((t) => t.id);
      const queues = new Set(teamQueuesFor(viewer, teams));
      for (const id of news.conversations) {
        const c = contactName.get(id);
        if (!c || c.status === 'closed' || c.assignee_id !== null || c.team_id === null || !queues.has(c.team_id)) continue;
        if (ours.get(id)) continue;
        const who = c.name ?? '?';
        items.push({
          kind: 'newConversation',
          conversationId: id,
          who,
          tag: `conversation:${id}`,
          title: this.words.newConversation(who),
          body: '',
        });
      }
      for (const m of news.customerMessages) {
        const c = contactName.get(m.conversationId);
        if (!c || c.assignee_id !== viewer.id || c.status === 'closed') continue;
        const body = preview(messageBody.get(m.messageId)?.body ?? '');
        const who = c.name ?? '?';
        items.push({
          kind: 'newMessage',
          conversationId: m.conversationId,
          messageId: m.messageId,
          who,
          tag: `message:${m.conversationId}`,
          title: who,
          body,
        });
      }
      // The first words of a new unassigned conversation go in its toast.
      for (const item of items)
        if (item.kind === 'newConversation' && item.body === '') {
          const first = news.customerMessages.find((m) => m.conversationId === item.conversationId);
          if (first) item.body = preview(messageBody.get(first.messageId)?.body ?? '');
        }
    }
    const byName = db.prepare<[string], { name: string }>('SELECT name FROM users_view WHERE id = ?');
    for (const n of mentions ?? []) {
      const by = (n.byId ? byName.get(n.byId)?.name : undefined) ?? '?';
      const body = preview(messageBody.get(n.messageId)?.body ?? '');
      items.push({
        kind: 'mention',
        conversationId: n.conversationId,
        messageId: n.messageId,
        who: by,
        tag: `mention:${n.id}`,
        title: this.words.mention(by),
        body,
      });
    }
    this.push(items);
  }

  /** Due reminders (core/reminders/scheduler.ts): never grouped, each one is a promise to a customer. */
  reminders(due: readonly ReminderItem[]): void {
    this.push(
      due.map((r) => {
        const who = r.contactName ?? '?';
        return {
          kind: 'reminder' as const,
          conversationId: r.conversationId,
          who,
          tag: `reminder:${r.id}`,
          title: this.words.reminder(who),
          body: this.words.reminderBody(r.note),
        };
      }),
    );
  }

  /** Shows what waits now (used when closing, and by the burst timer). */
  flush(): void {
    if (this.handle !== null) this.opts.clock.clearTimeout(this.handle);
    this.handle = null;
    const burst = this.burst;
    this.burst = [];
    if (burst.length === 0) return;
    const sound = this.opts.settings().sound;
    for (const toast of groupNotifications(burst)) {
      if (toast.kind === 'single') {
        const n = toast.notification as Pending;
        this.opts.host.notify({
          tag: n.tag,
          title: n.title,
          body: n.body,
          conversationId: n.conversationId,
          messageId: n.messageId ?? null,
          sound,
        });
      } else {
        const names = [
          ...new Set(toast.conversationIds.map((id) => burst.find((p) => p.conversationId === id && p.kind === toast.of)!.who)),
        ];
        const shown = names.slice(0, 3);
        this.opts.host.notify({
          tag: `group:${toast.of}`,
          title: this.words.group(toast.of, toast.count),
          body: this.words.more(shown, names.length - shown.length),
          conversationId: toast.conversationIds[0] ?? null,
          messageId: null,
          sound,
        });
      }
    }
  }

  stop(): void {
    if (this.handle !== null) this.opts.clock.clearTimeout(this.handle);
    this.handle = null;
    this.burst = [];
  }

  private push(items: readonly Pending[]): void {
    const settings = this.opts.settings();
    if (settings.doNotDisturb) return;
    const wanted = items.filter((n) => settings[n.kind]);
    if (wanted.length === 0) return;
    this.burst.push(...wanted);
    this.handle ??= this.opts.clock.setTimeout(() => {
      this.handle = null;
      this.flush();
    }, this.opts.burstMs ?? BURST_MS);
  }
}
