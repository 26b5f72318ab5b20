// Left column: the brand, search and the bell; the views this person may use (built-in, team
// queues, saved views) with their waiting and unread counters; and the user menu.
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { useShallow } from 'zustand/react/shallow';
import type { Session, TabCounts } from '../../src-shared/ipc';
import { viewKey, type View } from '../../src-shared/rules/visibility';
import { keyCaps } from '../app/keys';
import { countsQuery, remindersQuery } from '../state/queries';
import { useUi } from '../state/ui-store';
import { useSidebarViews, type SidebarView } from '../state/views';
import { IconAlarm, IconEdit, IconFilter, IconInbox, IconPlus, IconQueue, IconSearch, IconUser, IconUsers } from './icons';
import { NotificationBell } from './Notifications';
import { useIsPast } from './Reminders';
import { UserMenu } from './UserMenu';

const VIEW_ICONS: Record<View, () => React.JSX.Element> = { mine: IconUser, unassigned: IconQueue, all: IconInbox, teammates: IconUsers };

function Counters({ counts }: { counts: TabCounts | undefined }) {
  const { t } = useTranslation();
  if (!counts) return null;
  return (
    <span className="view-counters">
      {counts.waiting > 0 && (
        <span className="count count-waiting" title={t('counts.waiting', { count: counts.waiting })}>
          <span aria-hidden="true">{counts.waiting}</span>
          <span className="visually-hidden">{t('counts.waiting', { count: counts.waiting })}</span>
        </span>
      )}
      {counts.unread > 0 && (
        <span className="count count-unread" title={t('counts.unread', { count: counts.unread })}>
          <span aria-hidden="true">{counts.unread}</span>
          <span className="visually-hidden">{t('counts.unread', { count: counts.unread })}</span>
        </span>
      )}
    </span>
  );
}

function ViewItem({ v, counts, current }: { v: SidebarView; counts: TabCounts | undefined; current: boolean }) {
  const { t } = useTranslation();
  const { setView, openDialog } = useUi(useShallow((s) => ({ setView: s.setView, openDialog: s.openDialog })));
  const Icon = v.ref.kind === 'team' ? IconUsers : v.ref.kind === 'saved' ? IconFilter : VIEW_ICONS[v.ref.kind];
  return (
    <li className="view-li">
      <button
        type="button"
        className="view-item"
        data-view={v.key}
        aria-current={current ? 'page' : undefined}
        onClick={() => setView(v.ref)}
      >
        <Icon />
        <span className="view-name" title={v.label}>
          {v.label}
        </span>
        {v.saved?.teamId && <span className="visually-hidden">{t('savedViews.shared')}</span>}
        <Counters counts={counts} />
      </button>
      {v.saved && (
        <button
          type="button"
          className="icon-button view-edit"
          aria-label={t('savedViews.edit', { name: v.label })}
          title={t('savedViews.edit', { name: v.label })}
          onClick={() => openDialog({ kind: 'savedView', viewId: v.saved!.id })}
        >
          <IconEdit size={13} />
        </button>
      )}
    </li>
  );
}

/** My reminders: how many are active, and whether the soonest is past due. */
function RemindersItem() {
  const { t } = useTranslation();
  const openDialog = useUi((s) => s.openDialog);
  const reminders = useQuery(remindersQuery(null));
  const active = (reminders.data ?? []).filter((r) => r.state === 'active');
  const overdue = useIsPast(active[0]?.dueAt ?? null);
  return (
    <li className="view-li">
      <button type="button" className="view-item" data-view="reminders" onClick={() => openDialog({ kind: 'reminders' })}>
        <IconAlarm />
        <span className="view-name">{t('reminders.listTitle')}</span>
        {active.length > 0 && (
          <span className="view-counters">
            <span
              className={`count ${overdue ? 'count-overdue' : 'count-waiting'}`}
              title={t('reminders.activeCount', { count: active.length })}
            >
              <span aria-hidden="true">{active.length}</span>
              <span className="visually-hidden">{t('reminders.activeCount', { count: active.length })}</span>
            </span>
          </span>
        )}
      </button>
    </li>
  );
}

export function Sidebar({ session }: { session: Session }) {
  const { t } = useTranslation();
  const counts = useQuery(countsQuery());
  const views = useSidebarViews(session);
  const { view, setSearchOpen, openDialog } = useUi(
    useShallow((s) => ({ view: s.view, setSearchOpen: s.setSearchOpen, openDialog: s.openDialog })),
  );
  const current = viewKey(view);
  const group = (g: SidebarView['group']) =>
    views.filter((v) => v.group === g).map((v) => <ViewItem key={v.key} v={v} counts={counts.data?.[v.key]} current={current === v.key} />);
  const teams = group('teams');
  const saved = group('saved');

  return (
    <aside className="sidebar">
      <div className="sidebar-brand">
        <span className="brand-mark">
          <IconInbox />
        </span>
        <span className="brand-text">
          <span className="brand-name">{t('app.name')}</span>
          <span className="brand-tenant">{session.tenant.name}</span>
        </span>
        <NotificationBell />
      </div>
      <button type="button" className="search-button" onClick={() => setSearchOpen(true)}>
        <IconSearch size={14} />
        <span className="search-button-text">{t('search.open')}</span>
        <span className="keys">
          {keyCaps('mod+f').map((k) => (
            <kbd key={k}>{k}</kbd>
          ))}
        </span>
      </button>
      <nav aria-label={t('views.label')} className="sidebar-nav">
        <h2 className="sidebar-heading">{t('views.label')}</h2>
        <ul className="view-list">
          {group('views')}
          <RemindersItem />
        </ul>
        {teams.length > 0 && (
          <>
            <h2 className="sidebar-heading">{t('views.teams')}</h2>
            <ul className="view-list">{teams}</ul>
          </>
        )}
        <div className="sidebar-heading-row">
          <h2 className="sidebar-heading">{t('savedViews.label')}</h2>
          <button
            type="button"
            className="icon-button"
            aria-label={t('savedViews.new')}
            title={t('savedViews.new')}
            onClick={() => openDialog({ kind: 'savedView', viewId: null })}
          >
            <IconPlus size={14} />
          </button>
        </div>
        {saved.length > 0 ? <ul className="view-list">{saved}</ul> : <p className="sidebar-empty">{t('savedViews.none')}</p>}
      </nav>
      <div className="sidebar-spacer" />
      <UserMenu session={session} />
    </aside>
  );
}
