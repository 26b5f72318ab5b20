// Left column: the brand, the views this person may use with their counters, and the user menu.
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { useShallow } from 'zustand/react/shallow';
import type { Session, TabCounts } from '../../src-shared/ipc';
import type { View } from '../../src-shared/rules/visibility';
import { countsQuery } from '../state/queries';
import { useUi } from '../state/ui-store';
import { IconInbox, IconQueue, IconUser, IconUsers } from './icons';
import { UserMenu } from './UserMenu';

const VIEW_ICONS: Record<View, () => React.JSX.Element> = { mine: IconUser, unassigned: IconQueue, all: IconUsers };

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

export function Sidebar({ session, views }: { session: Session; views: View[] }) {
  const { t } = useTranslation();
  const counts = useQuery(countsQuery());
  const { view, setView, selectConversation } = useUi(
    useShallow((s) => ({ view: s.view, setView: s.setView, selectConversation: s.selectConversation })),
  );

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
      </div>
      <nav aria-label={t('views.label')}>
        <h2 className="sidebar-heading">{t('views.label')}</h2>
        <ul className="view-list">
          {views.map((v) => {
            const Icon = VIEW_ICONS[v];
            return (
              <li key={v}>
                <button
                  type="button"
                  className="view-item"
                  data-view={v}
                  aria-current={view === v ? 'page' : undefined}
                  onClick={() => {
                    setView(v);
                    selectConversation(null);
                  }}
                >
                  <Icon />
                  <span className="view-name">{t(`views.${v}`)}</span>
                  <Counters counts={counts.data?.[v]} />
                </button>
              </li>
            );
          })}
        </ul>
      </nav>
      <div className="sidebar-spacer" />
      <UserMenu session={session} />
    </aside>
  );
}
