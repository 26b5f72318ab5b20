// The bell: how many @mentions are unread, and the list of them; one opens the conversation at the
// note that mentioned the person and marks it read.
import { useQuery } from '@tanstack/react-query';
import { useId, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { useShallow } from 'zustand/react/shallow';
import type { NotificationItem } from '../../src-shared/ipc';
import { call } from '../bridge/client';
import { listTime } from '../i18n/format';
import { perform } from '../state/perform';
import { notificationsQuery } from '../state/queries';
import { useUi } from '../state/ui-store';
import { IconBell } from './icons';
import { usePopoverDismiss } from './usePopoverDismiss';

export function NotificationBell() {
  const { t, i18n } = useTranslation();
  const { open, setOpen, openAtMessage } = useUi(
    useShallow((s) => ({ open: s.notificationsOpen, setOpen: s.setNotificationsOpen, openAtMessage: s.openAtMessage })),
  );
  const list = useQuery(notificationsQuery());
  const items = list.data ?? [];
  const unread = items.filter((n) => n.readAt === null);
  const panelId = useId();
  const root = useRef<HTMLDivElement>(null);

  usePopoverDismiss(open, () => setOpen(false), root);

  const openOne = (n: NotificationItem) => {
    if (n.readAt === null) void perform(call('notification.markRead', { ids: [n.id] }));
    openAtMessage(n.conversationId, n.messageId);
  };

  return (
    <div className="bell" ref={root}>
      <button
        type="button"
        className="icon-button bell-button"
        aria-label={t('notifications.bell', { count: unread.length })}
        title={t('notifications.bell', { count: unread.length })}
        aria-expanded={open}
        aria-controls={open ? panelId : undefined}
        onClick={() => setOpen(!open)}
      >
        <IconBell size={17} />
        {unread.length > 0 && (
          <span className="bell-count" aria-hidden="true" data-testid="bell-count">
            {unread.length}
          </span>
        )}
      </button>
      {open && (
        <div className="bell-panel" id={panelId} role="region" aria-label={t('notifications.title')}>
          <header className="bell-header">
            <h2>{t('notifications.title')}</h2>
            <button
              type="button"
              className="button small"
              disabled={unread.length === 0}
              onClick={() => void perform(call('notification.markRead', { ids: unread.map((n) => n.id).slice(0, 500) }))}
            >
              {t('notifications.markAllRead')}
            </button>
          </header>
          {items.length === 0 && <p className="muted bell-empty">{t('notifications.empty')}</p>}
          <ul className="bell-list">
            {items.map((n) => (
              <li key={n.id}>
                <button
                  type="button"
                  className={`bell-item${n.readAt === null ? ' bell-unread' : ''}`}
                  data-notification-id={n.id}
                  onClick={() => openOne(n)}
                >
                  <span className="bell-line">
                    <strong>{t('notifications.mention', { name: n.byName ?? t('event.someone'), contact: n.contactName ?? '' })}</strong>
                    <time className="muted small">{listTime(i18n.language, n.createdAt)}</time>
                  </span>
                  <span className="bell-excerpt muted">{n.excerpt}</span>
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}
