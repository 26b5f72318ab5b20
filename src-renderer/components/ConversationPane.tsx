// Right column: the open conversation's header and actions, its messages and the composer.
// Opening a conversation with unread messages marks it read.
import { useMutation, useQuery } from '@tanstack/react-query';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import type { ConversationItem, Session } from '../../src-shared/ipc';
import { call } from '../bridge/client';
import { describeError } from '../i18n/errors';
import { useNameOf } from '../state/people';
import { conversationQuery } from '../state/queries';
import { useUi } from '../state/ui-store';
import { Composer } from './Composer';
import { IconChat, IconX } from './icons';
import { MessageList } from './MessageList';

type Action = { kind: 'assign'; assigneeId: string | null } | { kind: 'status'; status: 'open' | 'closed' };

function Header({ item, session }: { item: ConversationItem; session: Session }) {
  const { t } = useTranslation();
  const me = session.user.id;
  const nameOf = useNameOf();
  const action = useMutation({
    mutationFn: (a: Action) =>
      a.kind === 'assign'
        ? call('conversation.assign', { conversationId: item.id, assigneeId: a.assigneeId })
        : call('conversation.setStatus', { conversationId: item.id, status: a.status }),
  });
  // An error belongs to the conversation it happened in.
  const { reset } = action;
  useEffect(() => reset(), [item.id, reset]);

  return (
    <header className="pane-header">
      <div className="pane-title">
        <h2 title={item.contactName}>{item.contactName}</h2>
      </div>
      <div className="pane-actions" role="group" aria-label={t('conversation.actions')}>
        {item.assigneeId !== me ? (
          <button type="button" className="button" onClick={() => action.mutate({ kind: 'assign', assigneeId: me })}>
            {t('conversation.assignToMe')}
          </button>
        ) : (
          <button type="button" className="button" onClick={() => action.mutate({ kind: 'assign', assigneeId: null })}>
            {t('conversation.unassign')}
          </button>
        )}
        {item.status === 'closed' ? (
          <button type="button" className="button" onClick={() => action.mutate({ kind: 'status', status: 'open' })}>
            {t('conversation.reopen')}
          </button>
        ) : (
          <button type="button" className="button" onClick={() => action.mutate({ kind: 'status', status: 'closed' })}>
            {t('conversation.close')}
          </button>
        )}
      </div>
      <div className="pane-meta">
        <span className={`status-pill status-${item.status}`}>{t(`conversation.status.${item.status}`)}</span>
        <span className="chip">{t(`channel.${item.channel}`)}</span>
        <span className="muted">{item.inboxName}</span>
        <span className="muted">
          {t('conversation.assignee')}: <strong data-testid="assignee">{item.assigneeName ?? t('conversation.nobody')}</strong>
        </span>
      </div>
      {action.isError && (
        <div className="pane-error" role="alert">
          <span>{t('conversation.actionFailed', { reason: describeError(t, action.error, nameOf) })}</span>
          <button type="button" className="icon-button" aria-label={t('conversation.dismiss')} onClick={() => action.reset()}>
            <IconX />
          </button>
        </div>
      )}
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
      <MessageList conversationId={item.id} contactName={item.contactName} session={session} />
      <Composer item={item} />
    </section>
  );
}
