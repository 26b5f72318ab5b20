// The open conversation: its header (assign, transfer, close, reopen, bot flag, tags, contact
// panel), its messages and the composer. Opening a conversation with unread messages marks it read.
import { useQuery } from '@tanstack/react-query';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { useShallow } from 'zustand/react/shallow';
import type { ConversationItem, Session } from '../../src-shared/ipc';
import { call } from '../bridge/client';
import { perform } from '../state/perform';
import { conversationQuery, directoryQuery } from '../state/queries';
import { useUi } from '../state/ui-store';
import { Composer } from './Composer';
import { IconAlarm, IconBot, IconChat, IconPanel, IconPlus, IconTransfer, IconX } from './icons';
import { MessageList } from './MessageList';
import { NewWindowButton } from './NewWindow';
import { ReminderBar } from './Reminders';
import { formatRoute } from '../../src-shared/rules/route';

function Header({ item, session }: { item: ConversationItem; session: Session }) {
  const { t } = useTranslation();
  const me = session.user.id;
  const directory = useQuery(directoryQuery());
  const { openDialog, contactPanelOpen, toggleContactPanel, selectConversation, view, status } = useUi(
    useShallow((s) => ({
      view: s.view,
      status: s.status,
      openDialog: s.openDialog,
      contactPanelOpen: s.contactPanelOpen,
      toggleContactPanel: s.toggleContactPanel,
      selectConversation: s.selectConversation,
    })),
  );
  const team = item.teamId ? directory.data?.teams.find((x) => x.id === item.teamId)?.name : null;
  const closed = item.status === 'closed';
  const tagRemove = (tag: string) => void perform(call('conversation.tag', { conversationId: item.id, add: [], remove: [tag] }));

  return (
    <header className="pane-header">
      <div className="pane-title">
        <h2 title={item.contactName}>{item.contactName}</h2>
        <span className={`status-pill status-${item.status}`}>{t(`conversation.status.${item.status}`)}</span>
      </div>
      <div className="pane-tools">
        <NewWindowButton route={formatRoute({ view, status, conversationId: item.id })} label={t('windows.openConversation')} />
        <button
          type="button"
          className="icon-button tool-button"
          aria-label={t('contact.toggle')}
          title={t('contact.toggle')}
          aria-pressed={contactPanelOpen}
          onClick={() => toggleContactPanel()}
        >
          <IconPanel size={16} />
        </button>
      </div>
      <div className="pane-actions" role="group" aria-label={t('conversation.actions')}>
        {item.assigneeId !== me ? (
          <button
            type="button"
            className="button small"
            onClick={() => void perform(call('conversation.assign', { conversationId: item.id, assigneeId: me }))}
          >
            {t('conversation.assignToMe')}
          </button>
        ) : (
          <button
            type="button"
            className="button small"
            onClick={() => void perform(call('conversation.assign', { conversationId: item.id, assigneeId: null }))}
          >
            {t('conversation.unassign')}
          </button>
        )}
        <button
          type="button"
          className="button small"
          data-action="remind"
          title={t('reminders.title')}
          onClick={() => openDialog({ kind: 'reminder', conversationId: item.id, reminderId: null })}
        >
          <IconAlarm size={13} />
          {t('reminders.remindMe')}
        </button>
        <button type="button" className="button small" disabled={closed} onClick={() => openDialog({ kind: 'transfer', id: item.id })}>
          <IconTransfer size={13} />
          {t('conversation.transfer')}
        </button>
        {closed ? (
          <button
            type="button"
            className="button small"
            onClick={() => void perform(call('conversation.reopen', { conversationId: item.id }))}
          >
            {t('conversation.reopen')}
          </button>
        ) : (
          <button type="button" className="button small" onClick={() => openDialog({ kind: 'close', ids: [item.id] })}>
            {t('conversation.close')}
          </button>
        )}
        <button
          type="button"
          className="button small"
          onClick={() => {
            void perform(call('conversation.markUnread', { conversationId: item.id }));
            // Staying in it would mark it read again at once.
            selectConversation(null);
          }}
        >
          {t('conversation.markUnread')}
        </button>
      </div>
      <ReminderBar item={item} />
      <div className="pane-meta">
        <span className="chip">{t(`channel.${item.channel}`)}</span>
        <span className="muted">{item.inboxName}</span>
        <span className="muted">
          {t('conversation.assignee')}: <strong data-testid="assignee">{item.assigneeName ?? t('conversation.nobody')}</strong>
        </span>
        {team && (
          <span className="muted">
            {t('conversation.team')}: <strong data-testid="team">{team}</strong>
          </span>
        )}
        <button
          type="button"
          className={`bot-toggle${item.botActive ? ' bot-on' : ''}`}
          aria-pressed={item.botActive}
          data-testid="bot-toggle"
          title={item.botActive ? t('conversation.botPause') : t('conversation.botResume')}
          onClick={() => void perform(call('conversation.setBot', { conversationId: item.id, active: !item.botActive }))}
        >
          <IconBot size={13} />
          <span>{item.botActive ? t('conversation.botActive') : t('conversation.botPaused')}</span>
          <span className="visually-hidden">{item.botActive ? t('conversation.botPause') : t('conversation.botResume')}</span>
        </button>
        <ul className="tag-list inline" aria-label={t('tags.current')} data-testid="tags">
          {item.tags.map((tag) => (
            <li key={tag} className="tag">
              <span>{tag}</span>
              <button type="button" className="tag-remove" aria-label={t('tags.remove', { tag })} onClick={() => tagRemove(tag)}>
                <IconX />
              </button>
            </li>
          ))}
          <li>
            <button type="button" className="tag-add" onClick={() => openDialog({ kind: 'tag', ids: [item.id] })}>
              <IconPlus size={12} />
              {t('tags.addShort')}
            </button>
          </li>
        </ul>
      </div>
    </header>
  );
}

export function ConversationPane({ session }: { session: Session }) {
  const { t } = useTranslation();
  const selected = useUi((s) => s.selectedConversationId);
  const detail = useQuery({ ...conversationQuery(selected ?? ''), enabled: selected !== null });
  const item = detail.data?.conversation;
  const unread = item?.unreadCount ?? 0;

  // Whenever the open conversation has unread customer messages (on open, or when one arrives
  // while it is open), the agent is looking at them.
  useEffect(() => {
    if (selected && unread > 0) void call('conversation.markRead', { conversationId: selected }).catch(() => undefined);
  }, [selected, unread]);

  if (!selected)
    return (
      <section className="pane pane-empty" aria-label={t('conversation.none')}>
        <IconChat size={40} />
        <p className="empty-title">{t('conversation.none')}</p>
        <p className="muted">{t('conversation.noneHint')}</p>
      </section>
    );
  if (detail.isSuccess && !item)
    return (
      <section className="pane pane-empty" aria-label={t('conversation.gone')}>
        <p className="empty-title">{t('conversation.gone')}</p>
      </section>
    );
  if (!item) return <section className="pane" aria-busy="true" />;
  return (
    <section className="pane" aria-label={item.contactName} data-testid="conversation-pane">
      <Header item={item} session={session} />
      <MessageList
        conversationId={item.id}
        previousConversationId={item.previousConversationId}
        contactName={item.contactName}
        session={session}
      />
      <Composer item={item} session={session} />
    </section>
  );
}
