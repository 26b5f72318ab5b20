// Desktop notifications arrive in bursts (a campaign reply wave, a reconnect after hours offline).
// Within one burst, more than `maxSingles` of a kind become one grouped toast ("12 new conversations").
export type NotificationKind = 'newMessage' | 'newConversation' | 'mention' | 'reminder';

export interface PendingNotification {
  kind: NotificationKind;
  conversationId: string;
  messageId?: string;
  title: string;
  body: string;
}

export type Toast =
  | { kind: 'single'; notification: PendingNotification }
  /** Clicking opens the first conversation of the group. */
  | { kind: 'group'; of: NotificationKind; count: number; conversationIds: string[] };

/** Reminders are never grouped: each one is a promise to a customer. Others group per kind. */
export function groupNotifications(burst: readonly PendingNotification[], maxSingles = 3): Toast[] {
  const toasts: Toast[] = [];
  const byKind = new Map<NotificationKind, PendingNotification[]>();
  for (const n of burst) {
    if (n.kind === 'reminder') toasts.push({ kind: 'single', notification: n });
    else byKind.set(n.kind, [...(byKind.get(n.kind) ?? []), n]);
  }
  for (const [kind, list] of byKind) {
    // Several messages of one conversation are one thing to look at.
    const latest = new Map<string, PendingNotification>();
    for (const n of list) latest.set(n.conversationId, n);
    const distinct = [...latest.values()];
    if (distinct.length <= maxSingles) for (const n of distinct) toasts.push({ kind: 'single', notification: n });
    else toasts.push({ kind: 'group', of: kind, count: distinct.length, conversationIds: distinct.map((n) => n.conversationId) });
  }
  return toasts;
}
