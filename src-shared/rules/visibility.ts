// Who may see what. The server computes admission with these rules; clients only use them to
// pick views, never to grant access.
import type { Conversation, Role } from '../domain';

export interface Viewer {
  id: string;
  role: Role;
  teamIds: readonly string[];
}

export type ConversationScope = Pick<Conversation, 'assigneeId' | 'teamId'>;

export function seesEverything(role: Role): boolean {
  return role === 'supervisor' || role === 'admin';
}

/** An agent sees what is assigned to them and the unassigned conversations of their teams. */
export function canSeeConversation(viewer: Viewer, scope: ConversationScope): boolean {
  if (seesEverything(viewer.role)) return true;
  if (scope.assigneeId === viewer.id) return true;
  return scope.assigneeId === null && scope.teamId !== null && viewer.teamIds.includes(scope.teamId);
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

export const VIEWS = ['mine', 'unassigned', 'all'] as const;
export type View = (typeof VIEWS)[number];

export function viewsFor(role: Role): View[] {
  return seesEverything(role) ? ['mine', 'unassigned', 'all'] : ['mine', 'unassigned'];
}

export function inView(view: View, viewer: Viewer, conversation: ConversationScope): boolean {
  switch (view) {
    case 'mine':
      return conversation.assigneeId === viewer.id;
    case 'unassigned':
      return conversation.assigneeId === null;
    case 'all':
      return true;
  }
}
