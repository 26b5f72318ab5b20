// Who may see what. The server computes admission with these rules; clients only use them to
// pick views, never to grant access.
import type { Conversation, Role, SavedView, ViewFilters } from '../domain';
import { BandejaError } from '../errors';

export interface Viewer {
  id: string;
  role: Role;
  teamIds: readonly string[];
}

export type ConversationScope = Pick<Conversation, 'assigneeId' | 'teamId'>;

export function seesEverything(role: Role): boolean {
  return role === 'supervisor' || role === 'admin';
}

/** An agent sees what is assigned to them (open or closed: their own history) and the unassigned
 *  conversations of their teams. Supervisors and admins see everything. */
export function canSeeConversation(viewer: Viewer, scope: ConversationScope): boolean {
  if (seesEverything(viewer.role)) return true;
  if (scope.assigneeId === viewer.id) return true;
  return scope.assigneeId === null && scope.teamId !== null && viewer.teamIds.includes(scope.teamId);
}

/** Whether an action may name this conversation at all: one the viewer may see, or one of her team's
 *  queue that a teammate took meanwhile (she is then told who took it: conflict rule 1). Any other
 *  conversation is answered exactly like an id that does not exist, so nobody learns ids outside her scope. */
export function mayNameConversation(viewer: Viewer, scope: ConversationScope): boolean {
  return canSeeConversation(viewer, scope) || (scope.assigneeId !== null && canSeeConversation(viewer, { ...scope, assigneeId: null }));
}

/** Who may be made the assignee of a conversation, and by whom. */
export function canAssign(actor: Viewer, scope: ConversationScope, assigneeId: string | null): boolean {
  if (seesEverything(actor.role)) return true;
  if (!canSeeConversation(actor, scope)) return false;
  // Agents may take a conversation for themselves or give up their own.
  if (assigneeId === actor.id) return scope.assigneeId === null || scope.assigneeId === actor.id;
  if (assigneeId === null) return scope.assigneeId === actor.id;
  return false;
}

/** Agents may transfer conversations they hold (to anyone, or to a team's queue); supervisors any. */
export function canTransfer(actor: Viewer, scope: ConversationScope): boolean {
  return seesEverything(actor.role) || scope.assigneeId === actor.id || (scope.assigneeId === null && canSeeConversation(actor, scope));
}

export const VIEWS = ['mine', 'unassigned', 'all', 'teammates'] as const;
export type View = (typeof VIEWS)[number];

/** A view of the inbox: a built-in one, a team's queue, or a saved custom view. */
export type ViewRef = { kind: View } | { kind: 'team'; teamId: string } | { kind: 'saved'; viewId: string };

export function viewKey(ref: ViewRef): string {
  return ref.kind === 'team' ? `team:${ref.teamId}` : ref.kind === 'saved' ? `saved:${ref.viewId}` : ref.kind;
}

export function viewsFor(role: Role): View[] {
  return seesEverything(role) ? ['mine', 'unassigned', 'all', 'teammates'] : ['mine', 'unassigned'];
}

/** Team queues a viewer gets: their own teams; supervisors and admins every team. */
export function teamQueuesFor(viewer: Viewer, allTeamIds: readonly string[]): string[] {
  return seesEverything(viewer.role) ? [...allTeamIds] : allTeamIds.filter((id) => viewer.teamIds.includes(id));
}

export function inView(view: View, viewer: Viewer, conversation: ConversationScope): boolean {
  switch (view) {
    case 'mine':
      return conversation.assigneeId === viewer.id;
    case 'unassigned':
      return conversation.assigneeId === null;
    case 'all':
      return true;
    case 'teammates':
      return conversation.assigneeId !== null && conversation.assigneeId !== viewer.id;
  }
}

/** Saved views a user gets: their own and those shared with one of their teams. */
export function canUseSavedView(viewer: Viewer, view: Pick<SavedView, 'ownerId' | 'teamId'>): boolean {
  return view.ownerId === viewer.id || (view.teamId !== null && (viewer.teamIds.includes(view.teamId) || seesEverything(viewer.role)));
}

/** Only a saved view's owner changes or deletes it (supervisors included); a view is shared only with one's
 *  own teams, except by supervisors and admins. `existing` is null for a new view. A view the actor does
 *  not get at all is answered like an id nobody uses. */
export function mustMayChangeSavedView(
  actor: Viewer,
  existing: Pick<SavedView, 'ownerId' | 'teamId'> | null,
  shareTeamId: string | null,
): void {
  if (existing && !canUseSavedView(actor, existing)) throw new BandejaError('NOT_FOUND', 'This view does not exist.');
  if (existing && existing.ownerId !== actor.id)
    throw new BandejaError('FORBIDDEN', 'Only the person who made this view may change or delete it.');
  if (shareTeamId !== null && !seesEverything(actor.role) && !actor.teamIds.includes(shareTeamId))
    throw new BandejaError('FORBIDDEN', 'You may only share a view with a team you belong to.');
}

export type FilterableConversation = Pick<
  Conversation,
  'assigneeId' | 'teamId' | 'status' | 'inboxId' | 'tags' | 'unreadCount' | 'waitingSince'
> & { channel: string };

/** Whether a conversation passes a saved view's filters (the mirror turns the same filters into SQL). */
export function matchesFilters(filters: ViewFilters, viewer: Viewer, c: FilterableConversation, now: number): boolean {
  if (filters.statuses?.length && !filters.statuses.includes(c.status)) return false;
  if (filters.channels?.length && !filters.channels.includes(c.channel as never)) return false;
  if (filters.inboxIds?.length && !filters.inboxIds.includes(c.inboxId)) return false;
  if (filters.teamIds?.length && (c.teamId === null || !filters.teamIds.includes(c.teamId))) return false;
  if (filters.assignees?.length) {
    const ok = filters.assignees.some((a) =>
      a === 'me' ? c.assigneeId === viewer.id : a === 'none' ? c.assigneeId === null : c.assigneeId === a,
    );
    if (!ok) return false;
  }
  if (filters.tags?.length) {
    const have = new Set(c.tags.map((t) => t.toLowerCase()));
    if (!filters.tags.some((t) => have.has(t.toLowerCase()))) return false;
  }
  if (filters.unreadOnly && c.unreadCount === 0) return false;
  if (filters.waitingMinutes !== undefined && (c.waitingSince === null || now - c.waitingSince < filters.waitingMinutes * 60_000))
    return false;
  return true;
}
