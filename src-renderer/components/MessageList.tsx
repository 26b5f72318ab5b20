// The messages of one conversation: customer and agent bubbles with their delivery state, and
// event lines written in the reader's language from the structured event.
import { useMutation, useQuery } from '@tanstack/react-query';
import { useEffect, useId, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import type { ConversationEvent } from '../../src-shared/domain';
import type { MessageItem, Session } from '../../src-shared/ipc';
import { call } from '../bridge/client';
import { dayHeading, fullDateTime, messageTime } from '../i18n/format';
import { describeErrorBody } from '../i18n/errors';
import { useNameOf } from '../state/people';
import { messagesQuery } from '../state/queries';
import { IconAlert, IconCheck, IconCheckDouble, IconClock, IconTrash } from './icons';

export function eventText(t: TFunction, event: ConversationEvent, nameOf: (id: string) => string): string {
  switch (event.type) {
    case 'assigned':
      return event.byId
        ? t('event.assigned', { assignee: nameOf(event.assigneeId), actor: nameOf(event.byId) })
        : t('event.assignedBySystem', { assignee: nameOf(event.assigneeId) });
    case 'unassigned':
      return event.byId ? t('event.unassigned', { actor: nameOf(event.byId) }) : t('event.unassignedBySystem');
    case 'status':
      return event.byId
        ? t(`event.status.${event.status}`, { actor: nameOf(event.byId) })
        : t(`event.statusBySystem.${event.status}`);
  }
}

function Delivery({ message }: { message: MessageItem }) {
  const { t } = useTranslation();
  const nameOf = useNameOf();
  const tipId = useId();
  const discard = useMutation({ mutationFn: () => call('message.discard', { id: message.id }) });
  const label = t(`messages.delivery.${message.delivery}`);
  switch (message.delivery) {
    case 'pending':
      return (
        <span className="delivery delivery-pending" role="img" aria-label={label} title={label} data-delivery="pending">
          <IconClock size={13} />
        </span>
      );
    case 'sent':
      return (
        <span className="delivery" role="img" aria-label={label} title={label} data-delivery="sent">
          <IconCheck size={13} />
        </span>
      );
    case 'delivered':
    case 'read':
      return (
        <span className={`delivery delivery-${message.delivery}`} role="img" aria-label={label} title={label} data-delivery={message.delivery}>
          <IconCheckDouble size={14} />
        </span>
      );
    case 'failed': {
      const reason = describeErrorBody(t, message.failure ?? { code: 'INTERNAL' }, nameOf);
      return (
        <span className="delivery delivery-failed" data-delivery="failed">
          <button type="button" className="failed-reason" aria-describedby={tipId}>
            <IconAlert size={14} />
            <span>{label}</span>
          </button>
          <span role="tooltip" id={tipId} className="tooltip">
            {t('messages.failedReason', { reason })}
          </span>
          <button
            type="button"
            className="icon-button danger"
            aria-label={t('messages.discard')}
            title={t('messages.discard')}
            disabled={discard.isPending}
            onClick={() => discard.mutate()}
          >
            <IconTrash size={14} />
          </button>
        </span>
      );
    }
  }
}

function Bubble({ message, authorLabel }: { message: MessageItem; authorLabel: string }) {
  const { i18n } = useTranslation();
  const at = message.createdAt;
  return (
    <li className={`message message-${message.direction}`} data-message-id={message.id} data-delivery={message.delivery}>
      <div className="bubble">
        <p className="bubble-body">{message.body}</p>
      </div>
      <div className="message-meta">
        <span className="message-author">{authorLabel}</span>
        <time dateTime={new Date(at).toISOString()} title={fullDateTime(i18n.language, at)}>
          {messageTime(i18n.language, at)}
        </time>
        {message.direction === 'out' && <Delivery message={message} />}
      </div>
    </li>
  );
}

export function MessageList({ conversationId, contactName, session }: { conversationId: string; contactName: string; session: Session }) {
  const { t, i18n } = useTranslation();
  const messages = useQuery(messagesQuery(conversationId));
  const nameOf = useNameOf();
  const bottom = useRef<HTMLDivElement>(null);

  const items = messages.data ?? [];
  const lastId = items.at(-1)?.id;
  useEffect(() => {
    bottom.current?.scrollIntoView({ block: 'end' });
  }, [conversationId, lastId]);

  let lastDay = '';
  return (
    <div className="messages" tabIndex={0} aria-label={t('messages.label')}>
      {messages.isSuccess && items.length === 0 && <p className="muted center">{t('messages.empty')}</p>}
      <ol className="message-list">
        {items.map((m) => {
          const day = dayHeading(i18n.language, m.createdAt);
          const heading = day !== lastDay ? <li className="day" key={`day-${day}`}><span>{day}</span></li> : null;
          lastDay = day;
          if (m.kind === 'event' && m.event)
            return [
              heading,
              <li key={m.id} className="event-line" data-message-id={m.id}>
                <span>{eventText(t, m.event, nameOf)}</span>
                <time dateTime={new Date(m.createdAt).toISOString()}>{messageTime(i18n.language, m.createdAt)}</time>
              </li>,
            ];
          const author =
            m.direction === 'in'
              ? contactName
              : m.authorId === session.user.id
                ? t('messages.you')
                : (m.authorName ?? (m.authorId ? nameOf(m.authorId) : t('event.someone')));
          return [heading, <Bubble key={m.id} message={m} authorLabel={author} />];
        })}
      </ol>
      <div ref={bottom} />
    </div>
  );
}
