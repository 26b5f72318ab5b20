// Middle column: the view's title, status tabs with counters, sort, mark all read, and the
// virtualized list of conversations (read in keyset pages as it is scrolled) with multi-select
// (checkbox, Shift-click range, Ctrl/Cmd+A) and the bulk actions for what is selected.
import { useQuery } from '@tanstack/react-query';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef, type MouseEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useShallow } from 'zustand/react/shallow';
import { CONVERSATION_STATUSES } from '../../src-shared/domain';
import type { ConversationItem, Session } from '../../src-shared/ipc';
import { viewKey } from '../../src-shared/rules/visibility';
import { call, errorCode } from '../bridge/client';
import { listTime } from '../i18n/format';
import { bulk } from '../state/bulk';
import { perform } from '../state/perform';
import { countsQuery, type Sort } from '../state/queries';
import { useInboxList } from '../state/inboxList';
import { useUi } from '../state/ui-store';
import { useSidebarViews, viewLabel } from '../state/views';
import { Avatar } from './Avatar';
import { IconCheckDouble, IconClock } from './icons';
import { NewWindowButton } from './NewWindow';
import { RowReminder } from './Reminders';
import { formatRoute } from '../../src-shared/rules/route';

const ROW_HEIGHT = 78;
/** The next page is read when the last row shown comes this close to the last row read. */
const NEXT_PAGE_AHEAD = 40;

function Row({
  item,
  selected,
  checked,
  selecting,
  onOpen,
  onCheck,
}: {
  item: ConversationItem;
  selected: boolean;
  checked: boolean;
  selecting: boolean;
  onOpen: (e: MouseEvent) => void;
  onCheck: (e: MouseEvent) => void;
}) {
  const { t, i18n } = useTranslation();
  const unread = item.unreadCount > 0;
  return (
    <div className={`row-wrap${checked ? ' row-checked' : ''}${selecting ? ' row-selecting' : ''}`}>
      <input
        type="checkbox"
        className="row-check"
        checked={checked}
        aria-label={t('list.select', { name: item.contactName })}
        onClick={onCheck}
        onChange={() => undefined}
      />
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
            <span className="row-name" title={item.contactName}>
              {item.contactName}
            </span>
            <time className="row-time" dateTime={new Date(item.lastMessageAt).toISOString()}>
              {listTime(i18n.language, item.lastMessageAt)}
            </time>
          </span>
          <span className="row-preview">{item.lastMessagePreview}</span>
          <span className="row-line row-meta">
            <span className="chip">{t(`channel.${item.channel}`)}</span>
            {item.tags.slice(0, 2).map((tag) => (
              <span key={tag} className="chip chip-tag">
                {tag}
              </span>
            ))}
            <RowReminder item={item} />
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
    </div>
  );
}

function BulkBar({ items }: { items: ConversationItem[] }) {
  const { t } = useTranslation();
  const { checked, setChecked, openDialog } = useUi(
    useShallow((s) => ({ checked: s.checked, setChecked: s.setChecked, openDialog: s.openDialog })),
  );
  const all = items.length > 0 && items.every((i) => checked.includes(i.id));
  return (
    <div className="bulk-bar" role="toolbar" aria-label={t('list.bulkActions')} data-testid="bulk-bar">
      <label className="bulk-all">
        <input
          type="checkbox"
          checked={all}
          aria-label={t('list.selectAll')}
          onChange={(e) => setChecked(e.target.checked ? items.map((i) => i.id) : [], null)}
        />
        <span>{t('list.selected', { count: checked.length })}</span>
      </label>
      <span className="bulk-actions">
        <button type="button" className="button small" onClick={() => openDialog({ kind: 'close', ids: checked })}>
          {t('conversation.close')}
        </button>
        <button type="button" className="button small" onClick={() => openDialog({ kind: 'assign', ids: checked })}>
          {t('list.assign')}
        </button>
        <button type="button" className="button small" onClick={() => openDialog({ kind: 'tag', ids: checked })}>
          {t('list.tag')}
        </button>
        <button
          type="button"
          className="button small"
          onClick={() => void perform(bulk(checked, { type: 'markRead' })).then((r) => r && setChecked([], null))}
        >
          {t('list.markRead')}
        </button>
      </span>
    </div>
  );
}

export function ConversationList({ session }: { session: Session }) {
  const { t } = useTranslation();
  const { view, status, sort, selected, checked, anchorId, setStatus, setSort, selectConversation, setChecked, toggleChecked } = useUi(
    useShallow((s) => ({
      view: s.view,
      status: s.status,
      sort: s.sort,
      selected: s.selectedConversationId,
      checked: s.checked,
      anchorId: s.anchorId,
      setStatus: s.setStatus,
      setSort: s.setSort,
      selectConversation: s.selectConversation,
      setChecked: s.setChecked,
      toggleChecked: s.toggleChecked,
    })),
  );
  const views = useSidebarViews(session);
  const counts = useQuery(countsQuery());
  const { items, query: list } = useInboxList({ view, status, sort });
  const scroller = useRef<HTMLDivElement>(null);
  // One more row while pages remain: it says more is coming and, scrolled near, reads the next page.
  const more = list.hasNextPage ? 1 : 0;
  const virtualizer = useVirtualizer({
    count: items.length + more,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 8,
    getItemKey: (i) => items[i]?.id ?? 'more',
  });
  const virtualRows = virtualizer.getVirtualItems();
  const lastShown = virtualRows.at(-1)?.index ?? 0;
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = list;
  useEffect(() => {
    if (hasNextPage && !isFetchingNextPage && lastShown >= items.length - NEXT_PAGE_AHEAD) void fetchNextPage();
  }, [lastShown, items.length, hasNextPage, isFetchingNextPage, fetchNextPage]);

  // The keyboard moved the selection (commands.ts): bring that row into view once the list holds it.
  const revealId = useUi((s) => s.revealConversationId);
  useEffect(() => {
    if (revealId === null) return;
    const index = items.findIndex((i) => i.id === revealId);
    if (index === -1) return;
    useUi.getState().revealConversation(null);
    virtualizer.scrollToIndex(index, { align: 'auto' });
  }, [revealId, items, virtualizer]);
  const viewCounts = counts.data?.[viewKey(view)];

  // Shift extends from the last checked row to this one; otherwise the row is toggled.
  const check = (id: string, shift: boolean) => {
    const from = anchorId ? items.findIndex((i) => i.id === anchorId) : -1;
    const to = items.findIndex((i) => i.id === id);
    if (shift && from !== -1 && to !== -1) {
      const range = items.slice(Math.min(from, to), Math.max(from, to) + 1).map((i) => i.id);
      setChecked([...new Set([...checked, ...range])], id);
    } else toggleChecked(id);
  };

  return (
    <section className="list-column" aria-label={t('list.label')}>
      <header className="list-header">
        {checked.length > 0 ? (
          <BulkBar items={items} />
        ) : (
          <div className="list-title-row">
            <h2 className="list-title">{viewLabel(views, view)}</h2>
            <span className="list-tools">
              <NewWindowButton route={formatRoute({ view, status, conversationId: null })} label={t('windows.openView')} />
              <button
                type="button"
                className="icon-button"
                aria-label={t('list.markAllRead')}
                title={t('list.markAllRead')}
                disabled={!viewCounts || viewCounts.unread === 0}
                onClick={() => void perform(call('inbox.markAllRead', { view, status }))}
              >
                <IconCheckDouble size={15} />
              </button>
              <label className="sort">
                <span className="visually-hidden">{t('sort.label')}</span>
                <select value={sort} onChange={(e) => setSort(e.target.value as Sort)}>
                  <option value="newest">{t('sort.newest')}</option>
                  <option value="oldest">{t('sort.oldest')}</option>
                </select>
              </label>
            </span>
          </div>
        )}
        <div className="tabs" role="group" aria-label={t('status.label')}>
          {CONVERSATION_STATUSES.map((s) => (
            <button key={s} type="button" className="tab" data-status={s} aria-pressed={status === s} onClick={() => setStatus(s)}>
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
          {virtualRows.map((v) => {
            const item = items[v.index];
            if (!item)
              return (
                <div
                  key={v.key}
                  className="row-slot row-loading muted"
                  role="status"
                  style={{ transform: `translateY(${v.start}px)`, height: v.size }}
                >
                  {t('list.loadingMore')}
                </div>
              );
            return (
              <div key={v.key} className="row-slot" style={{ transform: `translateY(${v.start}px)`, height: v.size }}>
                <Row
                  item={item}
                  selected={item.id === selected}
                  checked={checked.includes(item.id)}
                  selecting={checked.length > 0}
                  onCheck={(e) => check(item.id, e.shiftKey)}
                  onOpen={(e) => {
                    // While selecting, a click (or Shift/Ctrl/Cmd-click any time) adds to the selection.
                    if (e.shiftKey || e.metaKey || e.ctrlKey || checked.length > 0) check(item.id, e.shiftKey);
                    else selectConversation(item.id);
                  }}
                />
              </div>
            );
          })}
        </div>
      </div>
    </section>
  );
}
