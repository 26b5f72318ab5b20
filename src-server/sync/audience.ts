// Who may receive anything from a page of the change log (ARCHITECTURE.md "Catch-up"): the page names
// people by user, team and role (its audience), and an index of a tenant's live connections by user, team
// and role turns that into connections. The audience is a superset: everyone outside it has nothing but
// NOTHING in visibleChanges.ts `decisions` for the page (the same rules, read from the other side), so
// the hub advances their cursors without waking them; the connections in it still decide for themselves.
import { ROLES, type Role } from '../../src-shared/domain';
import { seesEverything } from '../../src-shared/rules/visibility';
import type { LogEntry } from '../store/changeLog';
import type { Viewer } from '../visibility';

type Entry = Pick<
  LogEntry,
  | 'kind'
  | 'entity_id'
  | 'scope_kind'
  | 'scope_user_id'
  | 'scope_assignee_id'
  | 'scope_team_id'
  | 'prev_assignee_id'
  | 'prev_team_id'
  | 'prev_known'
>;

const EVERYTHING_ROLES: Role[] = ROLES.filter((r) => seesEverything(r));

export interface Audience {
  /** A tenant-wide row: every connection. */
  everyone: boolean;
  users: Set<string>;
  teams: Set<string>;
  roles: Set<Role>;
}

/** The people a conversation scope reaches: its assignee, its team's members while unassigned, and the
 *  roles that see everything (canSeeConversation). */
function addConversationScope(a: Audience, assigneeId: string | null, teamId: string | null): void {
  for (const role of EVERYTHING_ROLES) a.roles.add(role);
  if (assigneeId !== null) a.users.add(assigneeId);
  else if (teamId !== null) a.teams.add(teamId);
}

export function audienceOf(entries: readonly Entry[]): Audience {
  const a: Audience = { everyone: false, users: new Set(), teams: new Set(), roles: new Set() };
  for (const e of entries) {
    // A user's own row re-reads the user (role, teams, active): her connections always look at it.
    if (e.kind === 'user') a.users.add(e.entity_id);
    if (e.kind === 'conversation' || e.kind === 'message' || e.scope_kind === 'conversation') {
      addConversationScope(a, e.scope_assignee_id, e.scope_team_id);
      if (e.prev_known) addConversationScope(a, e.prev_assignee_id, e.prev_team_id);
      continue;
    }
    switch (e.scope_kind) {
      case 'tenant':
        a.everyone = true;
        break;
      case 'user':
        if (e.scope_user_id !== null) a.users.add(e.scope_user_id);
        break;
      case 'view':
        // canUseSavedView: the owner, and when shared with a team its members and whoever sees everything.
        if (e.scope_user_id !== null) a.users.add(e.scope_user_id);
        if (e.scope_team_id !== null) {
          a.teams.add(e.scope_team_id);
          for (const role of EVERYTHING_ROLES) a.roles.add(role);
        }
        break;
      case 'admins':
        a.roles.add('admin');
        break;
    }
  }
  return a;
}

/** A tenant's live connections by user, team and role. */
export class AudienceIndex<C> {
  readonly all = new Set<C>();
  private readonly viewers = new Map<C, Viewer>();
  private readonly byUser = new Map<string, Set<C>>();
  private readonly byTeam = new Map<string, Set<C>>();
  private readonly byRole = new Map<Role, Set<C>>();

  get size(): number {
    return this.all.size;
  }

  /** Adds a connection, or moves it to its viewer's new role and teams. A connection without a viewer
   *  yet (before hello) is only in `all`. */
  set(conn: C, viewer: Viewer | null): void {
    this.remove(conn);
    this.all.add(conn);
    if (!viewer) return;
    this.viewers.set(conn, viewer);
    put(this.byUser, viewer.id, conn);
    put(this.byRole, viewer.role, conn);
    for (const team of viewer.teamIds) put(this.byTeam, team, conn);
  }

  remove(conn: C): void {
    this.all.delete(conn);
    const viewer = this.viewers.get(conn);
    if (!viewer) return;
    this.viewers.delete(conn);
    take(this.byUser, viewer.id, conn);
    take(this.byRole, viewer.role, conn);
    for (const team of viewer.teamIds) take(this.byTeam, team, conn);
  }

  /** The connections an audience reaches (all of them for a tenant-wide row). */
  members(a: Audience): Set<C> {
    if (a.everyone) return this.all;
    const out = new Set<C>();
    const from = (set: Set<C> | undefined) => {
      if (set) for (const c of set) out.add(c);
    };
    for (const user of a.users) from(this.byUser.get(user));
    for (const team of a.teams) from(this.byTeam.get(team));
    for (const role of a.roles) from(this.byRole.get(role));
    return out;
  }
}

function put<K, C>(map: Map<K, Set<C>>, key: K, conn: C): void {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  set.add(conn);
}

function take<K, C>(map: Map<K, Set<C>>, key: K, conn: C): void {
  const set = map.get(key);
  set?.delete(conn);
  if (set?.size === 0) map.delete(key);
}
