// What a window shows, written as the hash of its URL ("#/team/t1/open/c/0190…"): a view, a status tab
// and the open conversation. "Open in new window" passes it to a new window, saved layouts keep it per
// window, and a reload comes back to the same place. Anything unreadable gives null (the default view).
import { CONVERSATION_STATUSES, type ConversationStatus } from '../domain';
import { VIEWS, type ViewRef } from './visibility';

export interface Route {
  view: ViewRef;
  status: ConversationStatus;
  conversationId: string | null;
}

export const DEFAULT_ROUTE: Route = { view: { kind: 'mine' }, status: 'open', conversationId: null };

const ID = /^[A-Za-z0-9_-]{1,64}$/;

export function formatRoute(route: Route): string {
  const view =
    route.view.kind === 'team' ? `team/${route.view.teamId}` : route.view.kind === 'saved' ? `saved/${route.view.viewId}` : route.view.kind;
  return `#/${view}/${route.status}${route.conversationId ? `/c/${route.conversationId}` : ''}`;
}

export function parseRoute(hash: string): Route | null {
  const parts = hash.replace(/^#?\/?/, '').split('/');
  let view: ViewRef;
  let at: number;
  const first = parts[0] ?? '';
  if (first === 'team' || first === 'saved') {
    const id = parts[1] ?? '';
    if (!ID.test(id)) return null;
    view = first === 'team' ? { kind: 'team', teamId: id } : { kind: 'saved', viewId: id };
    at = 2;
  } else if ((VIEWS as readonly string[]).includes(first)) {
    view = { kind: first as (typeof VIEWS)[number] };
    at = 1;
  } else return null;
  const status = parts[at] ?? '';
  if (!(CONVERSATION_STATUSES as readonly string[]).includes(status)) return null;
  const rest = parts.slice(at + 1);
  if (rest.length === 0) return { view, status: status as ConversationStatus, conversationId: null };
  if (rest.length === 2 && rest[0] === 'c' && ID.test(rest[1]!))
    return { view, status: status as ConversationStatus, conversationId: rest[1]! };
  return null;
}

/** A route as the `window.open` op accepts it: one that parses. */
export function isRoute(hash: string): boolean {
  return parseRoute(hash) !== null;
}
