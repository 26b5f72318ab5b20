// The messages of one conversation: customer and agent bubbles with their formatting and links, their
// delivery state (failed ones with the reason, Resend and Discard), a menu of actions (copy text, copy
// link, forward), internal notes (with @mentions highlighted), event lines written in the reader's
// language from the structured event, and the contact's earlier conversation above a divider. Virtualized
// and read in pages (see MessageList).
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useVirtualizer } from '@tanstack/react-virtual';
import { Fragment, useEffect, useId, useLayoutEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import type { ConversationEvent } from '../../src-shared/domain';
import type { EarlierConversation, MessageItem, Session } from '../../src-shared/ipc';
import { formatDeepLink } from '../../src-shared/rules/deepLink';
import { call } from '../bridge/client';
import { dayHeading, fullDateTime, localDay, messageTime } from '../i18n/format';
import { describeErrorBody } from '../i18n/errors';
import { useNameOf } from '../state/people';
import { MESSAGE_PAGE, directoryQuery, earlierQuery, keys, messagePagesQuery } from '../state/queries';
import { perform } from '../state/perform';
import { useReplyWindowOf } from '../state/replyWindow';
import { useUi } from '../state/ui-store';
import {
  IconAlert,
  IconCheck,
  IconCheckDouble,
  IconClock,
  IconCopy,
  IconForward,
  IconLink,
  IconLock,
  IconMore,
  IconRetry,
  IconTemplate,
  IconTrash,
} from './icons';
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
      return actor
        ? t('event.assigned', { assignee: n.person(event.assigneeId), actor })
        : t('event.assignedBySystem', { assignee: n.person(event.assigneeId) });
    case 'unassigned':
      return actor ? t('event.unassigned', { actor }) : t('event.unassignedBySystem');
    case 'status':
      return actor ? t(`event.status.${event.status}`, { actor }) : t(`event.statusBySystem.${event.status}`);
    case 'transferred': {
      const target = event.toUserId
        ? n.person(event.toUserId)
        : t('event.teamQueue', { team: event.toTeamId ? n.team(event.toTeamId) : '' });
      return actor ? t('event.transferred', { target, actor }) : t('event.transferredBySystem', { target });
    }
    case 'tagged': {
      const parts: string[] = [];
      if (event.added.length) parts.push(t('event.tagsAdded', { tags: tagList(event.added), actor: actor ?? t('event.someone') }));
      if (event.removed.length) parts.push(t('event.tagsRemoved', { tags: tagList(event.removed), actor: actor ?? t('event.someone') }));
      return parts.join(' · ');
    }
    case 'bot':
      return event.active
        ? t('event.botResumed', { actor: actor ?? t('event.system') })
        : t('event.botPaused', { actor: actor ?? t('event.system') });
    case 'continued':
      return actor ? t('event.continued', { actor }) : t('event.continuedBySystem');
  }
}

/** What the virtualized list gives each row's <li>: its index and the ref it measures the row by. */
interface Slot {
  index: number;
  measure: (el: HTMLLIElement | null) => void;
}

function EventLine({ m, names, earlier, slot }: { m: MessageItem; names: Names; earlier: boolean; slot: Slot }) {
  const { t, i18n } = useTranslation();
  const openAtMessage = useUi((s) => s.openAtMessage);
  const e = m.event!;
  const details: string[] = [];
  if (e.type === 'status' && e.categoryId) details.push(t('event.category', { category: names.category(e.categoryId) }));
  return (
    <li
      className={`event-line event-${e.type}${earlier ? ' in-earlier' : ''}`}
      data-message-id={m.id}
      data-event={e.type}
      data-index={slot.index}
      ref={slot.measure}
    >
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
        <span
          className={`delivery delivery-${message.delivery}`}
          role="img"
          aria-label={label}
          title={label}
          data-delivery={message.delivery}
        >
          <IconCheckDouble size={14} />
        </span>
      );
    case 'failed':
      return <FailedDelivery message={message} />;
  }
}

/** Only a failed message needs the reply window (a query and a timer), resend and discard: the rest of the
 *  outgoing bubbles stay cheap. */
function FailedDelivery({ message }: { message: MessageItem }) {
  const { t } = useTranslation();
  const nameOf = useNameOf();
  const tipId = useId();
  const openDialog = useUi((s) => s.openDialog);
  const replyWin = useReplyWindowOf(message.conversationId);
  const discard = useMutation({ mutationFn: () => call('message.discard', { id: message.id }) });
  const resend = useMutation({ mutationFn: () => perform(call('message.resend', { id: message.id })) });
  const label = t(`messages.delivery.${message.delivery}`);
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
        <button
          type="button"
          className="button small"
          onClick={() => openDialog({ kind: 'resume', conversationId: message.conversationId })}
        >
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
  const menuStyle = useAnchoredPosition(
    open,
    button,
    { width: 200, height: 116 },
    { prefer: 'below', align: message.direction === 'in' ? 'start' : 'end' },
  );
  // Only a message the server holds has a link others can open and can be forwarded.
  const stored = message.seq !== null;
  const items: { key: string; label: string; icon: ReactNode; run: () => void }[] = [
    ...(message.body
      ? [
          {
            key: 'copyText',
            label: t('messages.actions.copyText'),
            icon: <IconCopy size={14} />,
            run: () => copy(message.body, 'messages.textCopied'),
          },
        ]
      : []),
    ...(stored
      ? [
          {
            key: 'copyLink',
            label: t('messages.actions.copyLink'),
            icon: <IconLink size={14} />,
            run: () => copy(formatDeepLink(message.conversationId, message.id), 'messages.linkCopied'),
          },
        ]
      : []),
    ...(stored && message.kind !== 'note'
      ? [
          {
            key: 'forward',
            label: t('messages.actions.forward'),
            icon: <IconForward size={14} />,
            run: () => openDialog({ kind: 'forward', messageId: message.id, fromConversationId: message.conversationId }),
          },
        ]
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

function Bubble({
  message,
  authorLabel,
  names,
  focused,
  earlier,
  slot,
}: {
  message: MessageItem;
  authorLabel: string;
  names: Names;
  focused: boolean;
  earlier: boolean;
  slot: Slot;
}) {
  const { t, i18n } = useTranslation();
  const [menuOpen, setMenuOpen] = useState(false);
  const at = message.createdAt;
  const note = message.kind === 'note';
  const mentionNames = note ? message.mentions.map(names.person) : [];
  return (
    <li
      className={`message message-${message.direction}${note ? ' message-note' : ''}${focused ? ' message-focused' : ''}${earlier ? ' in-earlier' : ''}`}
      data-message-id={message.id}
      data-index={slot.index}
      ref={slot.measure}
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
              <FormattedText
                body={message.body}
                decorate={note ? (text, key) => <Fragment key={key}>{withMentions(text, mentionNames)}</Fragment> : undefined}
              />
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

/** One line of the virtualized timeline. */
type Row =
  | { key: string; kind: 'day'; label: string; earlier: boolean }
  | { key: string; kind: 'event'; message: MessageItem; earlier: boolean }
  | { key: string; kind: 'message'; message: MessageItem; author: string; earlier: boolean }
  | { key: string; kind: 'earlierStart'; conversationId: string; date: number }
  /** Older messages of that earlier conversation are left out; opening it shows them. */
  | { key: string; kind: 'earlierMore'; conversationId: string }
  | { key: string; kind: 'earlierEnd'; date: number }
  | { key: string; kind: 'empty' };

const NO_EARLIER: EarlierConversation[] = [];

/** The contact's earlier conversations, oldest first, each with what the timeline shows of it: read once
 *  the first message of this conversation is (the chain sits above it). `settled` once they are in (or
 *  there are none to read): rows that come in above move what is on screen. */
function useEarlier(conversationId: string, enabled: boolean): { chain: EarlierConversation[]; settled: boolean } {
  const earlier = useQuery({ ...earlierQuery(conversationId), enabled });
  return enabled ? { chain: earlier.data ?? NO_EARLIER, settled: !earlier.isPending } : { chain: NO_EARLIER, settled: true };
}

function timelineRows(
  out: Row[],
  items: MessageItem[],
  earlier: boolean,
  author: (m: MessageItem) => string,
  lang: string,
  complete: boolean,
): void {
  // The heading is formatted once per local day, not once per message (thousands of them). Above the
  // first loaded message of a timeline with older pages to read there is none: that day may have begun
  // earlier, and the row at the top must stay the same row when the older page comes in above it.
  let lastDay = !complete && items[0] ? localDay(items[0].createdAt) : '';
  for (const m of items) {
    const day = localDay(m.createdAt);
    if (day !== lastDay) out.push({ key: `day-${m.id}`, kind: 'day', label: dayHeading(lang, m.createdAt), earlier });
    lastDay = day;
    if (m.kind === 'event' && m.event) out.push({ key: m.id, kind: 'event', message: m, earlier });
    else out.push({ key: m.id, kind: 'message', message: m, author: author(m), earlier });
  }
}

function estimateSize(row: Row): number {
  switch (row.kind) {
    case 'message':
      return 64 + Math.min(6, Math.floor(row.message.body.length / 70)) * 20 + row.message.attachments.length * 120;
    case 'event':
      return 28;
    default:
      return 30;
  }
}

function RowView({ row, names, focusedId, slot }: { row: Row; names: Names; focusedId: string | null; slot: Slot }) {
  const { t, i18n } = useTranslation();
  const openAtMessage = useUi((s) => s.openAtMessage);
  const at = { 'data-index': slot.index, ref: slot.measure };
  switch (row.kind) {
    case 'day':
      return (
        <li className={`day${row.earlier ? ' in-earlier' : ''}`} {...at}>
          <span>{row.label}</span>
        </li>
      );
    case 'event':
      return <EventLine m={row.message} names={names} earlier={row.earlier} slot={slot} />;
    case 'message':
      return (
        <Bubble
          message={row.message}
          authorLabel={row.author}
          names={names}
          focused={row.message.id === focusedId}
          earlier={row.earlier}
          slot={slot}
        />
      );
    case 'earlierStart':
      return (
        <li className="history-divider" data-earlier-conversation={row.conversationId} {...at}>
          <span>{t('messages.earlier', { date: dayHeading(i18n.language, row.date) })}</span>
        </li>
      );
    case 'earlierMore':
      return (
        <li className="event-line history-more" {...at}>
          <span>{t('messages.earlierMore')}</span>
          <button type="button" className="link-button" onClick={() => openAtMessage(row.conversationId, null)}>
            {t('messages.openEarlier')}
          </button>
        </li>
      );
    case 'earlierEnd':
      return (
        <li className="history-divider history-divider-end" {...at}>
          <span>{t('messages.earlierEnded', { date: fullDateTime(i18n.language, row.date) })}</span>
        </li>
      );
    case 'empty':
      return (
        <li className="muted center" {...at}>
          {t('messages.empty')}
        </li>
      );
  }
}

/** Within this many pixels of the end, the timeline counts as read to the bottom and follows new messages. */
const STICK_PX = 48;
/** Older messages are read when the reader scrolls this close to the top of what is loaded. */
const OLDER_AHEAD_PX = 800;

/** A conversation's timeline, virtualized: only the rows near the viewport are in the page. It opens on the
 *  newest page of messages; scrolling up reads older pages (the rows in view stay where they are), and
 *  once the first message is reached the contact's earlier conversations appear above. New messages are
 *  followed while the reader is at the bottom; opened at a message (search, notification, link), the
 *  page reaching it is read and it is centred. */
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
  const { t, i18n } = useTranslation();
  const client = useQueryClient();
  const pages = useInfiniteQuery(messagePagesQuery(conversationId));
  const focusedId = useUi((s) => s.focusedMessageId);
  const names = useNames();
  const box = useRef<HTMLDivElement>(null);
  const list = useRef<HTMLOListElement>(null);

  const items = useMemo(() => (pages.data ? pages.data.pages.toReversed().flatMap((p) => p.messages) : []), [pages.data]);
  const hasOlder = pages.hasNextPage;
  const { chain: earlier, settled: earlierSettled } = useEarlier(
    conversationId,
    previousConversationId !== null && pages.isSuccess && !hasOlder,
  );

  const rows = useMemo(() => {
    const out: Row[] = [];
    const lang = i18n.language;
    const authorOf = (m: MessageItem) =>
      m.direction === 'in'
        ? contactName
        : m.authorId === session.user.id
          ? t('messages.you')
          : (m.authorName ?? (m.authorId ? names.person(m.authorId) : t('event.someone')));
    for (const h of earlier) {
      out.push({ key: `earlier-${h.conversationId}`, kind: 'earlierStart', conversationId: h.conversationId, date: h.startedAt });
      if (h.hasOlder) out.push({ key: `earlier-more-${h.conversationId}`, kind: 'earlierMore', conversationId: h.conversationId });
      timelineRows(out, h.messages, true, authorOf, lang, true);
      out.push({ key: `earlier-end-${h.conversationId}`, kind: 'earlierEnd', date: h.messages.at(-1)!.createdAt });
    }
    if (pages.isSuccess && items.length === 0) out.push({ key: 'empty', kind: 'empty' });
    timelineRows(out, items, false, authorOf, lang, !hasOlder);
    return out;
  }, [earlier, items, hasOlder, pages.isSuccess, contactName, session.user.id, names, t, i18n.language]);

  const rowsNow = useRef(rows);
  rowsNow.current = rows;
  // The message a person opened the conversation at, once centred (`conversationId:messageId`).
  const focusDone = useRef<string | null>(null);
  const reaching = useRef<string | null>(null);
  const focusPending = focusedId !== null && focusDone.current !== `${conversationId}:${focusedId}`;

  const [scrollMargin, setScrollMargin] = useState(0);
  useLayoutEffect(() => {
    if (box.current && list.current)
      setScrollMargin(list.current.getBoundingClientRect().top - box.current.getBoundingClientRect().top + box.current.scrollTop);
  }, []);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => box.current,
    estimateSize: (i) => estimateSize(rows[i]!),
    getItemKey: (i) => rows[i]!.key,
    overscan: 6,
    gap: ROW_GAP,
    scrollMargin,
    // A chat: rows read in above keep the rows in view where they are, and new rows at the end are
    // followed only while the reader is at the end.
    anchorTo: 'end',
    // Not while a message it was opened at is being brought into view.
    followOnAppend: !focusPending,
    scrollEndThreshold: STICK_PX,
  });
  const virtualRows = virtualizer.getVirtualItems();

  // A conversation opens at its end, unless it was opened at a message.
  const opened = useRef<string | null>(null);
  useLayoutEffect(() => {
    if (!pages.isSuccess || opened.current === conversationId) return;
    opened.current = conversationId;
    if (!focusedId) virtualizer.scrollToEnd();
  }, [conversationId, pages.isSuccess, focusedId, virtualizer]);

  // My own new message always shows, even when I had scrolled up.
  const last = items.at(-1);
  const lastMine = last !== undefined && last.direction === 'out' && last.authorId === session.user.id;
  const lastSeen = useRef<string | undefined>(undefined);
  useLayoutEffect(() => {
    const previous = lastSeen.current;
    lastSeen.current = last?.id;
    if (previous !== undefined && last && last.id !== previous && lastMine) virtualizer.scrollToEnd();
  }, [last, lastMine, virtualizer]);

  // Read older pages as the top comes near: on the reader's scrolling only (opening scrolls to the end).
  const onScroll = () => {
    const el = box.current;
    if (el && el.scrollTop < OLDER_AHEAD_PX && pages.hasNextPage && !pages.isFetchingNextPage && opened.current === conversationId)
      void pages.fetchNextPage();
  };

  // Opened at a message: read down to it if it is older than what is loaded, then centre it once.
  useEffect(() => {
    // Centred once the earlier conversations are in above it, so they do not push it out of view.
    if (!focusedId || !pages.isSuccess || !earlierSettled) return;
    const request = `${conversationId}:${focusedId}`;
    if (focusDone.current === request) return;
    if (rows.some((r) => r.key === focusedId)) {
      focusDone.current = request;
      // Rows just swapped in are measured over the next frames: centre again until it is really in view.
      let tries = 0;
      const centre = () => {
        const el = box.current;
        const index = rowsNow.current.findIndex((r) => r.key === focusedId);
        if (!el || index === -1 || focusDone.current !== request || ++tries > 20) return;
        const target = el.querySelector(`[data-message-id="${CSS.escape(focusedId)}"]`)?.getBoundingClientRect();
        if (!target) virtualizer.scrollToIndex(index, { align: 'center' });
        else {
          // In the page: centre it by its real size and place, which estimates of the rows above may not give.
          const view = el.getBoundingClientRect();
          const off = target.top + target.height / 2 - (view.top + view.height / 2);
          if (Math.abs(off) < 2) return;
          el.scrollTop += off;
        }
        requestAnimationFrame(centre);
      };
      centre();
      return;
    }
    // Not in this timeline (nor in a page that could be read): show the end, as for any opening.
    const notHere = () => {
      focusDone.current = request;
      virtualizer.scrollToEnd();
    };
    if (!hasOlder) return notHere();
    if (reaching.current === request) return;
    reaching.current = request;
    // The read may answer after the person opened another conversation or message: that answer is no
    // longer theirs to act on (and coming back to this one must be able to read it again).
    const moved = () => {
      const s = useUi.getState();
      if (s.selectedConversationId === conversationId && s.focusedMessageId === focusedId) return false;
      if (reaching.current === request) reaching.current = null;
      return true;
    };
    void call('conversation.messagePage', { conversationId, limit: MESSAGE_PAGE, reach: focusedId }).then(
      (page) => {
        if (moved()) return;
        if (page.messages.some((m) => m.id === focusedId))
          client.setQueryData(keys.messagePages(conversationId), { pages: [page], pageParams: [{ before: null, reach: focusedId }] });
        else notHere();
      },
      () => {
        if (!moved()) notHere();
      },
    );
  }, [focusedId, conversationId, rows, hasOlder, pages.isSuccess, earlierSettled, client, virtualizer]);

  const total = virtualizer.getTotalSize();
  const padTop = virtualRows.length ? virtualRows[0]!.start - scrollMargin : 0;
  const padBottom = virtualRows.length ? total - (virtualRows.at(-1)!.end - scrollMargin) : 0;
  return (
    <div className="messages" tabIndex={0} aria-label={t('messages.label')} ref={box} onScroll={onScroll}>
      {/* Not a row: the row at the top of the view is what stays in place when older rows come in. */}
      {pages.isFetchingNextPage && (
        <div className="timeline-older muted" role="status">
          {t('messages.loadingOlder')}
        </div>
      )}
      <ol className="message-list" ref={list} style={{ paddingTop: padTop, paddingBottom: padBottom }}>
        {virtualRows.map((v) => (
          <RowView
            key={v.key}
            row={rows[v.index]!}
            names={names}
            focusedId={focusedId}
            slot={{ index: v.index, measure: virtualizer.measureElement }}
          />
        ))}
      </ol>
    </div>
  );
}

/** The rows' vertical gap (the timeline's CSS gap), which the virtualizer adds between measured rows. */
const ROW_GAP = 10;
