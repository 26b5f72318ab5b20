// The views a person has in the sidebar, in order: built-in ones by role, team queues, saved views.
// Shortcuts 1–9 and the command palette use the same list.
import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import type { SavedView } from '../../src-shared/domain';
import type { Session } from '../../src-shared/ipc';
import { canUseSavedView, teamQueuesFor, viewKey, viewsFor, type ViewRef } from '../../src-shared/rules/visibility';
import { directoryQuery, savedViewsQuery } from './queries';

export interface SidebarView {
  ref: ViewRef;
  key: string;
  label: string;
  group: 'views' | 'teams' | 'saved';
  saved?: SavedView;
}

export function useSidebarViews(session: Session): SidebarView[] {
  const { t } = useTranslation();
  const directory = useQuery(directoryQuery());
  const saved = useQuery(savedViewsQuery());
  const user = session.user;
  return useMemo(() => {
    const out: SidebarView[] = viewsFor(user.role).map((kind) => ({ ref: { kind }, key: kind, label: t(`views.${kind}`), group: 'views' }));
    const teams = directory.data?.teams ?? [];
    // The directory holds the current user row; the session's copy may be older than a team change.
    const me = directory.data?.users.find((u) => u.id === user.id) ?? user;
    for (const teamId of teamQueuesFor(
      me,
      teams.map((tm) => tm.id),
    )) {
      const team = teams.find((tm) => tm.id === teamId)!;
      const ref: ViewRef = { kind: 'team', teamId };
      out.push({ ref, key: viewKey(ref), label: team.name, group: 'teams' });
    }
    for (const v of (saved.data ?? []).filter((sv) => canUseSavedView(me, sv)).sort((a, b) => a.name.localeCompare(b.name))) {
      const ref: ViewRef = { kind: 'saved', viewId: v.id };
      out.push({ ref, key: viewKey(ref), label: v.name, group: 'saved', saved: v });
    }
    return out;
  }, [directory.data, saved.data, user, t]);
}

export function viewLabel(views: SidebarView[], ref: ViewRef): string {
  return views.find((v) => v.key === viewKey(ref))?.label ?? '';
}
