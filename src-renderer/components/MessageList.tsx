// The messages of one conversation: customer and agent bubbles with their formatting and links, their
// delivery state (failed ones with the reason, Resend and Discard), a menu of actions (copy text, copy
// link, forward), internal notes (with @mentions highlighted), event lines written in the reader's
// language from the structured event, and the contact's earlier conversation above a divider.
import { useMutation, useQuery } from '@tanstack/react-query';
import { Fragment, useEffect, useId, useMemo, useRef, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import type { ConversationEvent } from '../../src-shared/domain';
import type { MessageItem, Session } from '../../src-shared/ipc';
import { formatDeepLink } from '../../src-shared/rules/deepLink';
import { call } from '../bridge/client';
import { dayHeading, fullDateTime, messageTime } from '../i18n/format';
import { describeErrorBody } from '../i18n/errors';
import { useNameOf } from '../state/people';
import { conversationQuery, directoryQuery, messagesQuery } from '../state/queries';
import { perform } from '../state/perform';
import { useReplyWindowOf } from '../state/replyWindow';
import { useUi } from '../state/ui-store';
import { IconAlert, IconCheck, IconCheckDouble, IconClock, IconCopy, IconForward, IconLink, IconLock, IconMore, IconRetry, IconTemplate, IconTrash } from './icons';
import { AttachmentPreview } from './AttachmentTray';
import { FormattedText } from './FormattedText';
import { useAnchoredPosition } from './useAnchoredPosition';
import { usePopoverDismiss } from './usePopoverDismiss';

export interface Names {
  person(id: string): string;
  team(id: string): string;
  category(id: string): string;
}

function tagList(tags: string[]): string {
  return tags.map((x) => `“${x}”`).join(', ');
}

export function eventText(t: TFunction, event: ConversationEvent, names: Names | ((id: string) => string)): string {
  const n: Names = typeof names === 'function' ? { person: names, team: names, category: names } : names;
  const actor = event.byId ? n.person(event.byId) : null;
  switch (event.type) {
    case 'assigned':
      return actor ? t('event.assigned', { assignee: n.person(event.assigneeId), actor }) : t('event.assignedBySystem', { assignee: n.person(event.assigneeId) });
    case 'unassigned':
      return actor ? t('event.unassigned', { actor }) : t('event.unassignedBySystem');
    case 'status':
      return actor ? t(`event.status.${event.status}`, { actor }) : t(`event.statusBySystem.${event.status}`);
    case 'transferred': {
      const target = event.toUserId ? n.person(event.toUserId) : t('event.teamQueue', { team: event.toTeamId ? n.team(event.toTeamId) : '' });
      return actor ? t('event.transferred', { target, actor }) : t('event.transferredBySystem', { target });
    }
    case 'tagged': {
      const parts: string[] = [];
      if (event.added.length) parts.push(t('event.tagsAdded', { tags: tagList(event.added), actor: actor ?? t('event.someone') }));
      if (event.removed.length) parts.push(t('event.tagsRemoved', { tags: tagList(event.removed), actor: actor ?? t('event.someone') }));
      return parts.join(' · ');
    }
    case 'bot':
      return event.active ? t('event.botResumed', { actor: actor ?? t('event.system') }) : t('event.botPaused', { actor: actor ?? t('event.system') });
    case 'continued':
      return actor ? t('event.continued', { actor }) : t('event.continuedBySystem');
  }
}

function EventLine({ m, names }: { m: MessageItem; names: Names }) {
  const { t, i18n } = useTranslation();
  const openAtMessage = useUi((s) => s.openAtMessage);
  const e = m.event!;
  const details: string[] = [];
  if (e.type === 'status' && e.categoryId) details.push(t('event.category', { category: names.category(e.categoryId) }));
  return (
    <li className={`event-line event-${e.type}`} data-message-id={m.id} data-event={e.type}>
      <span>{eventText(t, e, names)}</span>
      {details.map((d) => (
        <em key={d} className="event-detail">
          {d}
        </em>
      ))}
      {e.type === 'status' && e.note && <q className="event-note">{e.note}</q>}
      {e.type === 'continued' && (
        <button type="button" className="link-button" onClick={() => openAtMessage(e.conversationId, null)}>
          {t('event.openNew')}
        </button>
      )}
      <time dateTime={new Date(m.createdAt).toISOString()}>{messageTime(i18n.language, m.createdAt)}</time>
    </li>
  );
}

/** Note text with each @Name of a mentioned person highlighted. */
function withMentions(body: string, mentionNames: string[]): ReactNode[] {
  if (mentionNames.length === 0) return [body];
  const escaped = [...mentionNames].sort((a, b) => b.length - a.length).map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const re = new RegExp(`@(?:${escaped.join('|')})`, 'gu');
  const out: ReactNode[] = [];
  let last = 0;
  for (const match of body.matchAll(re)) {
    if (match.index! > last) out.push(body.slice(last, match.index));
    out.push(
      <mark key={match.index} className="mention">
        {match[0]}
      </mark>,
    );
    last = match.index! + match[0].length;
  }
  if (last < body.length) out.push(body.slice(last));
  return out;
}

/** Why a message failed, in the reader's language: the provider's own words for PROVIDER_REJECTED. */
function failureText(t: TFunction, message: MessageItem, nameOf: (id: string) => string): string {
  const failure = message.failure ?? { code: 'INTERNAL' as const, message: '' };
  const atProvider = failure.code === 'PROVIDER_REJECTED';
  const providerText = atProvider ? failure.message || message.error : null;
  if (providerText) return t('messages.providerRejected', { reason: providerText });
  if (failure.code === 'REPLY_WINDOW_CLOSED') return t('messages.heldWindowClosed');
  return t('messages.failedReason', { reason: describeErrorBody(t, failure, nameOf) });
}

function Delivery({ message }: { message: MessageItem }) {
  const { t } = useTranslation();
  const nameOf = useNameOf();
  const tipId = useId();
  const openDialog = useUi((s) => s.openDialog);
  const replyWin = useReplyWindowOf(message.conversationId);
  const discard = useMutation({ mutationFn: () => call('message.discard', { id: message.id }) });
  const resend = useMutation({ mutationFn: () => perform(call('message.resend', { id: message.id })) });
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
      // Held for a closed window: sending the same words again would be refused again until the
      // customer writes; a template resumes the conversation instead.
      const held = message.failure?.code === 'REPLY_WINDOW_CLOSED' && replyWin.kind === 'closed';
      return (
        <span className="delivery delivery-failed" data-delivery="failed" data-failure={message.failure?.code ?? 'INTERNAL'}>
          <button type="button" className="failed-reason" aria-describedby={tipId}>
            <IconAlert size={14} />
            <span>{message.failure?.code === 'REPLY_WINDOW_CLOSED' ? t('messages.held') : label}</span>
          </button>
          <span role="tooltip" id={tipId} className="tooltip">
            {failureText(t, message, nameOf)}
          </span>
          {held ? (
            <button type="button" className="button small" onClick={() => openDialog({ kind: 'resume', conversationId: message.conversationId })}>
              <IconTemplate size={13} />
              {t('resume.open')}
            </button>
          ) : (
            <button type="button" className="button small" disabled={resend.isPending} onClick={() => resend.mutate()}>
              <IconRetry size={13} />
              {t('messages.resend')}
            </button>
          )}
          {message.seq === null && (
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
          )}
        </span>
      );
    }
  }
}

function copy(text: string, notice: string): void {
  const ui = useUi.getState();
  navigator.clipboard.writeText(text).then(
    () => ui.pushToast({ notice }),
    () => ui.pushToast({ error: { code: 'INTERNAL' } }),
  );
}

/** Copy text, copy link and forward: a menu from the "…" button (keyboard reachable) or a right-click. */
function MessageActions({ message, open, setOpen }: { message: MessageItem; open: boolean; setOpen: (open: boolean) => void }) {
  const { t } = useTranslation();
  const openDialog = useUi((s) => s.openDialog);
  const root = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const menuId = useId();
  usePopoverDismiss(open, () => setOpen(false), root);
  const menuStyle = useAnchoredPosition(open, button, { width: 200, height: 116 }, { prefer: 'below', align: message.direction === 'in' ? 'start' : 'end' });
  // Only a message the server holds has a link others can open and can be forwarded.
  const stored = message.seq !== null;
  const items: { key: string; label: string; icon: ReactNode; run: () => void }[] = [
    ...(message.body ? [{ key: 'copyText', label: t('messages.actions.copyText'), icon: <IconCopy size={14} />, run: () => copy(message.body, 'messages.textCopied') }] : []),
    ...(stored
      ? [{ key: 'copyLink', label: t('messages.actions.copyLink'), icon: <IconLink size={14} />, run: () => copy(formatDeepLink(message.conversationId, message.id), 'messages.linkCopied') }]
      : []),
    ...(stored && message.kind !== 'note'
      ? [{ key: 'forward', label: t('messages.actions.forward'), icon: <IconForward size={14} />, run: () => openDialog({ kind: 'forward', messageId: message.id, fromConversationId: message.conversationId }) }]
      : []),
  ];
  useEffect(() => {
    if (open) root.current?.querySelector<HTMLElement>('[role="menuitem"]')?.focus();
  }, [open]);
  if (items.length === 0) return null;
  const close = () => {
    setOpen(false);
    button.current?.focus();
  };
  return (
    <div className="message-actions" ref={root} data-open={open || undefined}>
      <button
        ref={button}
        type="button"
        className="icon-button message-actions-button"
        aria-label={t('messages.actions.label')}
        title={t('messages.actions.label')}
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? menuId : undefined}
        onClick={() => setOpen(!open)}
      >
        <IconMore size={16} />
      </button>
      {open && (
        <ul
          className="menu-panel message-menu"
          style={menuStyle}
          role="menu"
          id={menuId}
          aria-label={t('messages.actions.label')}
          onKeyDown={(e) => {
            const all = [...(root.current?.querySelectorAll<HTMLElement>('[role="menuitem"]') ?? [])];
            const at = all.indexOf(document.activeElement as HTMLElement);
            if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
              e.preventDefault();
              all[(at + (e.key === 'ArrowDown' ? 1 : all.length - 1)) % all.length]?.focus();
            } else if (e.key === 'Escape') {
              e.preventDefault();
              e.stopPropagation();
              close();
            } else if (e.key === 'Tab') setOpen(false);
          }}
        >
          {items.map((item) => (
            <li key={item.key} role="none">
              <button
                type="button"
                role="menuitem"
                className="menu-item"
                data-action={item.key}
                onClick={() => {
                  close();
                  item.run();
                }}
              >
                {item.icon}
                {item.label}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function Bubble({ message, authorLabel, names, focused }: { message: MessageItem; authorLabel: string; names: Names; focused: boolean }) {
  const { t, i18n } = useTranslation();
  const [menuOpen, setMenuOpen] = useState(false);
  const at = message.createdAt;
  const note = message.kind === 'note';
  const mentionNames = note ? message.mentions.map(names.person) : [];
  return (
    <li
      className={`message message-${message.direction}${note ? ' message-note' : ''}${focused ? ' message-focused' : ''}`}
      data-message-id={message.id}
      data-delivery={message.delivery}
      data-kind={message.kind}
      onContextMenu={(e) => {
        // A link keeps the browser's own menu (copy link address).
        if ((e.target as HTMLElement).closest('a')) return;
        e.preventDefault();
        setMenuOpen(true);
      }}
    >
      <div className="bubble-row">
        <div className="bubble">
          {note && (
            <span className="note-label">
              <IconLock size={12} />
              {t('messages.note')}
            </span>
          )}
          {(message.forwarded || message.template) && (
            <span className="message-labels">
              {message.forwarded && (
                <span className="message-label" data-label="forwarded">
                  <IconForward size={12} />
                  {t('messages.forwarded')}
                </span>
              )}
              {message.template && (
                <span className="message-label" data-label="template" title={message.template.language}>
                  <IconTemplate size={12} />
                  {t('messages.template', { name: message.template.name })}
                </span>
              )}
            </span>
          )}
          {message.attachments.length > 0 && (
            <ul className="bubble-attachments">
              {message.attachments.map((a) => (
                <li key={a.sha256}>
                  <AttachmentPreview attachment={a} />
                </li>
              ))}
            </ul>
          )}
          {(message.body.length > 0 || message.attachments.length === 0) && (
            <p className="bubble-body">
              <FormattedText body={message.body} decorate={note ? (text, key) => <Fragment key={key}>{withMentions(text, mentionNames)}</Fragment> : undefined} />
            </p>
          )}
        </div>
        <MessageActions message={message} open={menuOpen} setOpen={setMenuOpen} />
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

function useNames(): Names {
  const { t } = useTranslation();
  const nameOf = useNameOf();
  const directory = useQuery(directoryQuery());
  return useMemo(() => {
    const teams = new Map((directory.data?.teams ?? []).map((x) => [x.id, x.name]));
    const categories = new Map((directory.data?.closingCategories ?? []).map((x) => [x.id, x.name]));
    return {
      person: nameOf,
      team: (id: string) => teams.get(id) ?? t('event.someTeam'),
      category: (id: string) => categories.get(id) ?? '—',
    };
  }, [directory.data, nameOf, t]);
}

function Timeline({
  items,
  contactName,
  session,
  names,
  focusedId,
}: {
  items: MessageItem[];
  contactName: string;
  session: Session;
  names: Names;
  focusedId: string | null;
}) {
  const { t, i18n } = useTranslation();
  let lastDay = '';
  return (
    <>
      {items.map((m) => {
        const day = dayHeading(i18n.language, m.createdAt);
        const heading =
          day !== lastDay ? (
            <li className="day" key={`day-${m.id}`}>
              <span>{day}</span>
            </li>
          ) : null;
        lastDay = day;
        if (m.kind === 'event' && m.event) return [heading, <EventLine key={m.id} m={m} names={names} />];
        const author =
          m.direction === 'in'
            ? contactName
            : m.authorId === session.user.id
              ? t('messages.you')
              : (m.authorName ?? (m.authorId ? names.person(m.authorId) : t('event.someone')));
        return [heading, <Bubble key={m.id} message={m} authorLabel={author} names={names} focused={m.id === focusedId} />];
      })}
    </>
  );
}

/** The contact's previous conversation (and, through it, the ones before), above a divider. */
function EarlierHistory({ conversationId, contactName, session, names, depth }: { conversationId: string; contactName: string; session: Session; names: Names; depth: number }) {
  const { t, i18n } = useTranslation();
  const focusedId = useUi((s) => s.focusedMessageId);
  const detail = useQuery(conversationQuery(conversationId));
  const messages = useQuery(messagesQuery(conversationId));
  const previous = detail.data?.conversation.previousConversationId ?? null;
  // Out of this person's sight (e.g. another agent's closed conversation): nothing to show.
  if (!messages.data || messages.data.length === 0) return null;
  const endedAt = messages.data.at(-1)!.createdAt;
  return (
    <>
      {previous && depth < 5 && <EarlierHistory conversationId={previous} contactName={contactName} session={session} names={names} depth={depth + 1} />}
      <li className="history-divider" data-earlier-conversation={conversationId}>
        <span>{t('messages.earlier', { date: dayHeading(i18n.language, messages.data[0]!.createdAt) })}</span>
      </li>
      <Timeline items={messages.data} contactName={contactName} session={session} names={names} focusedId={focusedId} />
      <li className="history-divider history-divider-end">
        <span>{t('messages.earlierEnded', { date: fullDateTime(i18n.language, endedAt) })}</span>
      </li>
    </>
  );
}

export function MessageList({
  conversationId,
  previousConversationId,
  contactName,
  session,
}: {
  conversationId: string;
  previousConversationId: string | null;
  contactName: string;
  session: Session;
}) {
  const { t } = useTranslation();
  const messages = useQuery(messagesQuery(conversationId));
  const focusedId = useUi((s) => s.focusedMessageId);
  const names = useNames();
  const bottom = useRef<HTMLDivElement>(null);
  const box = useRef<HTMLDivElement>(null);

  const items = messages.data ?? [];
  const lastId = items.at(-1)?.id;
  useEffect(() => {
    // Opened at a message (search, notification): show that one, not the end.
    if (focusedId) {
      const el = box.current?.querySelector(`[data-message-id="${CSS.escape(focusedId)}"]`);
      if (el) {
        el.scrollIntoView({ block: 'center' });
        return;
      }
    }
    bottom.current?.scrollIntoView({ block: 'end' });
  }, [conversationId, lastId, focusedId, messages.isSuccess]);

  return (
    <div className="messages" tabIndex={0} aria-label={t('messages.label')} ref={box}>
      <ol className="message-list">
        {previousConversationId && <EarlierHistory conversationId={previousConversationId} contactName={contactName} session={session} names={names} depth={0} />}
        {messages.isSuccess && items.length === 0 && <li className="muted center">{t('messages.empty')}</li>}
        <Timeline items={items} contactName={contactName} session={session} names={names} focusedId={focusedId} />
      </ol>
      <div ref={bottom} />
    </div>
  );
}
