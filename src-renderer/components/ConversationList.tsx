// Middle column: status tabs with counters, sort, and the virtualized list of conversations.
import { useQuery } from '@tanstack/react-query';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { useShallow } from 'zustand/react/shallow';
import { CONVERSATION_STATUSES } from '../../src-shared/domain';
import type { ConversationItem } from '../../src-shared/ipc';
import { errorCode } from '../bridge/client';
import { listTime } from '../i18n/format';
import { countsQuery, inboxListQuery, type Sort } from '../state/queries';
import { useUi } from '../state/ui-store';
import { Avatar } from './Avatar';
import { IconClock } from './icons';

const ROW_HEIGHT = 78;

function Row({ item, selected, onOpen }: { item: ConversationItem; selected: boolean; onOpen: () => void }) {
  const { t, i18n } = useTranslation();
  const unread = item.unreadCount > 0;
  return (
    <button
      type="button"
      className={`row${unread ? ' row-unread' : ''}`}
      aria-current={selected ? 'true' : undefined}
      data-conversation-id={item.id}
      onClick={onOpen}
    >
      <Avatar name={item.contactName} size={36} />
      <span className="row-body">
        <span className="row-line">
          <span className="row-name" title={item.contactName}>{item.contactName}</span>
          <time className="row-time" dateTime={new Date(item.lastMessageAt).toISOString()}>
            {listTime(i18n.language, item.lastMessageAt)}
          </time>
        </span>
        <span className="row-preview">{item.lastMessagePreview}</span>
        <span className="row-line row-meta">
          <span className="chip">{t(`channel.${item.channel}`)}</span>
          <span className="row-assignee">{item.assigneeName ?? t('list.unassigned')}</span>
          {item.pending && (
            <span className="row-syncing" title={t('list.syncing')}>
              <IconClock size={12} />
              <span className="visually-hidden">{t('list.syncing')}</span>
            </span>
          )}
          {unread && (
            <span className="badge" aria-label={t('list.unreadMessages', { count: item.unreadCount })}>
              {item.unreadCount}
            </span>
          )}
        </span>
      </span>
    </button>
  );
}

export function ConversationList() {
  const { t } = useTranslation();
  const { view, status, sort, selected, setStatus, setSort, selectConversation } = useUi(
    useShallow((s) => ({
      view: s.view,
      status: s.status,
      sort: s.sort,
      selected: s.selectedConversationId,
      setStatus: s.setStatus,
      setSort: s.setSort,
      selectConversation: s.selectConversation,
    })),
  );
  const counts = useQuery(countsQuery());
  const list = useQuery(inboxListQuery({ view, status, sort }));
  const items = list.data ?? [];
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: items.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 8,
    getItemKey: (i) => items[i]!.id,
  });
  const viewCounts = counts.data?.[view];

  return (
    <section className="list-column" aria-label={t('list.label')}>
      <header className="list-header">
        <div className="list-title-row">
          <h2 className="list-title">{t(`views.${view}`)}</h2>
          <label className="sort">
            <span className="visually-hidden">{t('sort.label')}</span>
            <select value={sort} onChange={(e) => setSort(e.target.value as Sort)}>
              <option value="newest">{t('sort.newest')}</option>
              <option value="oldest">{t('sort.oldest')}</option>
            </select>
          </label>
        </div>
        <div className="tabs" role="group" aria-label={t('status.label')}>
          {CONVERSATION_STATUSES.map((s) => (
            <button
              key={s}
              type="button"
              className="tab"
              data-status={s}
              aria-pressed={status === s}
              onClick={() => {
                setStatus(s);
                selectConversation(null);
              }}
            >
              <span>{t(`status.${s}`)}</span>
              {viewCounts && (
                <span className="tab-count" aria-label={t('counts.inTab', { count: viewCounts[s] })}>
                  {viewCounts[s]}
                </span>
              )}
            </button>
          ))}
        </div>
      </header>
      {list.isError && (
        <p className="list-error" role="alert">
          {t('list.loadError', { reason: t(`errors.${errorCode(list.error)}`) })}
        </p>
      )}
      {list.isSuccess && items.length === 0 && (
        <div className="empty">
          <p className="empty-title">{t('list.empty')}</p>
          <p className="muted">{t('list.emptyHint')}</p>
        </div>
      )}
      <div className="list-scroller" ref={scroller} data-testid="conversation-list">
        <div className="list-inner" style={{ height: virtualizer.getTotalSize() }}>
          {virtualizer.getVirtualItems().map((v) => {
            const item = items[v.index]!;
            return (
              <div key={v.key} className="row-slot" style={{ transform: `translateY(${v.start}px)`, height: v.size }}>
                <Row item={item} selected={item.id === selected} onOpen={() => selectConversation(item.id)} />
              </div>
            );
          })}
        </div>
      </div>
    </section>
  );
}
