// The reply box, in two modes: Reply (to the customer) and Internal note (only the team sees it,
// with @mention autocomplete). Enter sends, Shift+Enter adds a line; the draft is kept per
// conversation and cleared only once the core has recorded it in its outbox. A toolbar (and
// Ctrl/Cmd+B, Ctrl/Cmd+I) writes WhatsApp's own markup, adds links and emoji. On channels with a reply
// window (rules/channelWindow.ts) the box says when it closes and, once closed, says so before the
// agent types and offers "Resume conversation" with a template; notes stay allowed.
import { useMutation, useQuery } from '@tanstack/react-query';
import { useEffect, useId, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { asLink, toggleMarker } from '../../src-shared/rules/formatting';
import type { ReplyWindow } from '../../src-shared/rules/channelWindow';
import { useTranslation } from 'react-i18next';
import { MESSAGE_MAX_CHARS, type Attachment, type User } from '../../src-shared/domain';
import type { ConversationItem, Session } from '../../src-shared/ipc';
import { call } from '../bridge/client';
import { describeError } from '../i18n/errors';
import { useNameOf } from '../state/people';
import { mentionsToSend } from '../state/mentions';
import { canSeeConversation } from '../../src-shared/rules/visibility';
import { unfilledVariables } from '../../src-shared/rules/snippets';
import { forgetDraftSave, saveDraftSoon, usePersistedDraft } from '../state/drafts';
import { UnfilledVariables, useSnippetSlash } from './SnippetPicker';
import { directoryQuery } from '../state/queries';
import { useUi, type ComposerMode } from '../state/ui-store';
import { useStaged, useStagedFor } from '../state/attachments';
import { AttachButton, AttachmentTray, useAttachFiles } from './AttachmentTray';
import { Avatar } from './Avatar';
import { useVoiceRecorder, VoiceRecorderButton, VoiceRecorderPanel } from './VoiceRecorder';
import { IconBold, IconItalic, IconLink, IconLock, IconSend, IconTemplate } from './icons';
import { EmojiButton } from './EmojiPicker';
import { useReplyWindow } from '../state/replyWindow';
import { relativeTime } from '../i18n/format';
import { fold, PresenceDot } from './Picker';

/** The @word being typed right before the caret, if any. */
function mentionAt(text: string, caret: number): { start: number; query: string } | null {
  const m = /(^|\s)@([\p{L}\p{N}_.-]*)$/u.exec(text.slice(0, caret));
  return m ? { start: caret - m[2]!.length - 1, query: m[2]! } : null;
}

export function Composer({ item, session }: { item: ConversationItem; session: Session }) {
  const { t } = useTranslation();
  const draft = useUi((s) => s.drafts[item.id] ?? '');
  const mode: ComposerMode = useUi((s) => s.modes[item.id] ?? 'reply');
  const setDraft = useUi((s) => s.setDraft);
  const setMode = useUi((s) => s.setMode);
  const directory = useQuery(directoryQuery());
  const nameOf = useNameOf();
  const hintId = useId();
  const errorId = useId();
  const listId = useId();
  const box = useRef<HTMLTextAreaElement>(null);
  const [mention, setMention] = useState<{ start: number; query: string } | null>(null);
  const [active, setActive] = useState(0);
  // Only people who may see this conversation: a mention of anyone else would be refused by the server.
  const people = (directory.data?.users ?? []).filter(
    (u) => u.active && !u.invited && u.id !== session.user.id && canSeeConversation(u, item),
  );
  const suggestions = mention ? people.filter((u) => fold(u.name).includes(fold(mention.query))).slice(0, 6) : [];
  usePersistedDraft(item.id);
  const staged = useStagedFor(item.id);
  const files = useAttachFiles(item.id);
  const voice = useVoiceRecorder(item.id);
  const unfilledId = useId();
  const slash = useSnippetSlash({ conversationId: item.id, session, text: draft, setText: (text) => setDraft(item.id, text), box });

  const send = useMutation({
    mutationFn: ({ body, note, attachments }: { body: string; note: boolean; attachments: Attachment[] }) =>
      note
        ? call('note.add', { conversationId: item.id, body, mentions: mentionsToSend(body, useUi.getState().mentionPicks[item.id] ?? []) })
        : call('message.send', { conversationId: item.id, body, attachments }),
    onError: (_e, { body }) => saveDraftSoon(item.id, body),
    onSuccess: (_r, { body, attachments }) => {
      useStaged.getState().clear(item.id, attachments);
      // Only clear what was sent: the agent may have kept typing meanwhile.
      if ((useUi.getState().drafts[item.id] ?? '') === body) setDraft(item.id, '');
    },
  });
  const { reset } = send;
  // The box is not focused on open: single-key shortcuts (j/k, a, c…) keep working until the
  // agent presses Enter or clicks into it.
  useEffect(() => {
    reset();
    setMention(null);
  }, [item.id, reset]);

  const note = mode === 'note';
  const closed = item.status === 'closed';
  const replyWin = useReplyWindow(item);
  const windowClosed = replyWin.kind === 'closed';
  // Notes may be added to a closed conversation or outside the reply window; replies may not.
  const blocked = (closed || windowClosed) && !note;
  const [linkOpen, setLinkOpen] = useState(false);
  const over = draft.length - MESSAGE_MAX_CHARS;
  // A snippet variable without a value is never sent as {{…}}: the agent fills it first.
  const unfilled = unfilledVariables(draft).length > 0;
  // Files or a voice note may go without words (replies only: notes carry no attachments).
  const attached = !note && staged.length > 0;
  const canSend = !blocked && (draft.trim().length > 0 || attached) && over <= 0 && !unfilled && !send.isPending;

  const submit = (e?: FormEvent) => {
    e?.preventDefault();
    if (!canSend) return;
    forgetDraftSave(item.id);
    send.mutate({ body: draft, note, attachments: note ? [] : staged });
  };
  const pick = (u: User) => {
    if (!mention) return;
    const caret = box.current?.selectionStart ?? draft.length;
    const next = `${draft.slice(0, mention.start)}@${u.name} ${draft.slice(caret)}`;
    setDraft(item.id, next);
    useUi.getState().pickMention(item.id, { id: u.id, name: u.name });
    setMention(null);
    const at = mention.start + u.name.length + 2;
    requestAnimationFrame(() => box.current?.setSelectionRange(at, at));
  };
  /** Replaces the box's text and selection (toolbar, shortcuts, emoji, links). */
  const edit = (next: { text: string; start: number; end: number }) => {
    setDraft(item.id, next.text);
    requestAnimationFrame(() => {
      box.current?.focus();
      box.current?.setSelectionRange(next.start, next.end);
    });
  };
  const selection = () => {
    const el = box.current;
    return { text: draft, start: el?.selectionStart ?? draft.length, end: el?.selectionEnd ?? draft.length };
  };
  const format = (marker: '*' | '_') => edit(toggleMarker(selection(), marker));
  const insertText = (text: string) => {
    const { start, end } = selection();
    edit({ text: draft.slice(0, start) + text + draft.slice(end), start: start + text.length, end: start + text.length });
  };
  const insertLink = (url: string) => {
    const { start, end } = selection();
    const picked = draft.slice(start, end).trim();
    // WhatsApp has no link markup: the address is written out, after the words it belongs to.
    const before = start > 0 && !/\s$/.test(draft.slice(0, start)) ? ' ' : '';
    const after = end < draft.length && !/^\s/.test(draft.slice(end)) ? ' ' : '';
    const text = `${before}${picked ? `${picked} (${url})` : url}${after}`;
    edit({ text: draft.slice(0, start) + text + draft.slice(end), start: start + text.length, end: start + text.length });
  };
  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if ((e.ctrlKey || e.metaKey) && !e.altKey && !e.shiftKey && (e.key === 'b' || e.key === 'i' || e.key === 'B' || e.key === 'I')) {
      e.preventDefault();
      format(e.key.toLowerCase() === 'b' ? '*' : '_');
      return;
    }
    if (slash.onKeyDown(e)) return;
    if (suggestions.length > 0) {
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        setActive((a) => (a + (e.key === 'ArrowDown' ? 1 : suggestions.length - 1)) % suggestions.length);
        return;
      }
      if (e.key === 'Enter' || e.key === 'Tab') {
        e.preventDefault();
        pick(suggestions[Math.min(active, suggestions.length - 1)]!);
        return;
      }
      if (e.key === 'Escape') {
        e.preventDefault();
        e.stopPropagation();
        setMention(null);
        return;
      }
    }
    if (e.key === 'Escape') {
      // Leave the box so the single-key shortcuts work again.
      box.current?.blur();
      return;
    }
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      submit();
    }
  };
  const track = (text: string, caret: number) => {
    const found = note ? mentionAt(text, caret) : null;
    setMention(found);
    slash.track(text, caret);
    if (!found || found.query !== mention?.query) setActive(0);
  };
  const modeButton = (m: ComposerMode, label: string) => (
    <button
      type="button"
      className={`mode-button mode-${m}`}
      aria-pressed={mode === m}
      onClick={() => {
        setMode(item.id, m);
        box.current?.focus();
      }}
    >
      {m === 'note' && <IconLock size={12} />}
      {label}
    </button>
  );
  const at = Math.min(active, suggestions.length - 1);

  return (
    <form
      className={`composer${note ? ' composer-note-mode' : ''}${files.dragging ? ' composer-dragging' : ''}`}
      onSubmit={submit}
      data-mode={mode}
      {...(note || blocked ? {} : files.handlers)}
    >
      {closed && !note && <p className="composer-note">{t('composer.closed')}</p>}
      {!closed && <WindowNotice replyWindow={replyWin} conversationId={item.id} note={note} />}
      {send.isError && (
        <p className="composer-error" role="alert" id={errorId}>
          {describeError(t, send.error, nameOf)}
        </p>
      )}
      {!note && <VoiceRecorderPanel recorder={voice.recorder} conversationId={item.id} />}
      {files.error && !note && (
        <p className="composer-error" role="alert">
          {files.error}
        </p>
      )}
      <div className="composer-box">
        <div className="composer-top">
          <div className="composer-modes" role="group" aria-label={t('composer.mode')}>
            {modeButton('reply', t('composer.replyMode'))}
            {modeButton('note', t('composer.noteMode'))}
            {note && (
              <span className="note-privacy">
                <IconLock size={12} />
                {t('composer.noteOnlyTeam')}
              </span>
            )}
          </div>
          <span className="composer-format" role="group" aria-label={t('composer.tools')}>
            <button
              type="button"
              className="icon-button composer-tool"
              aria-label={t('composer.bold')}
              title={t('composer.bold')}
              disabled={blocked}
              onMouseDown={(e) => e.preventDefault()}
              onClick={() => format('*')}
            >
              <IconBold size={15} />
            </button>
            <button
              type="button"
              className="icon-button composer-tool"
              aria-label={t('composer.italic')}
              title={t('composer.italic')}
              disabled={blocked}
              onMouseDown={(e) => e.preventDefault()}
              onClick={() => format('_')}
            >
              <IconItalic size={15} />
            </button>
            <button
              type="button"
              className="icon-button composer-tool"
              aria-label={t('composer.link')}
              title={t('composer.link')}
              aria-expanded={linkOpen}
              disabled={blocked}
              onClick={() => setLinkOpen(!linkOpen)}
            >
              <IconLink size={15} />
            </button>
            <EmojiButton onPick={insertText} disabled={blocked} />
          </span>
        </div>
        {slash.list}
        {suggestions.length > 0 && (
          <ul className="mention-list" role="listbox" id={listId} aria-label={t('composer.mentionList')}>
            {suggestions.map((u, i) => (
              <li
                key={u.id}
                id={`${listId}-${u.id}`}
                role="option"
                aria-selected={i === at}
                className="picker-option"
                onMouseDown={(e) => e.preventDefault()}
                onClick={() => pick(u)}
              >
                <Avatar name={u.name} size={22} />
                <span className="picker-label">{u.name}</span>
                <PresenceDot presence={u.presence} />
              </li>
            ))}
          </ul>
        )}
        {!note && <AttachmentTray conversationId={item.id} />}
        <textarea
          ref={box}
          rows={3}
          value={draft}
          disabled={blocked}
          placeholder={note ? t('composer.notePlaceholder') : t('composer.placeholder')}
          aria-label={note ? t('composer.noteLabel', { name: item.contactName }) : t('composer.label', { name: item.contactName })}
          aria-describedby={[hintId, send.isError ? errorId : '', unfilled ? unfilledId : ''].filter(Boolean).join(' ')}
          role="combobox"
          aria-autocomplete="list"
          aria-expanded={slash.open || suggestions.length > 0}
          aria-controls={slash.open ? slash.listId : suggestions.length > 0 ? listId : undefined}
          aria-activedescendant={slash.activeId ?? (suggestions[at] ? `${listId}-${suggestions[at].id}` : undefined)}
          onChange={(e) => {
            setDraft(item.id, e.target.value);
            track(e.target.value, e.target.selectionStart);
          }}
          onKeyDown={onKeyDown}
          onBlur={() => {
            setMention(null);
            slash.close();
          }}
        />
        <UnfilledVariables text={draft} box={box} id={unfilledId} />
        {linkOpen && (
          <LinkForm
            onInsert={(url) => {
              setLinkOpen(false);
              insertLink(url);
            }}
            onCancel={() => {
              setLinkOpen(false);
              box.current?.focus();
            }}
          />
        )}
        <div className="composer-bar">
          {!note && (
            <span className="composer-tools">
              <AttachButton onFiles={(f) => void files.attach(f)} disabled={blocked || files.busy} />
              <VoiceRecorderButton recorder={voice.recorder} disabled={blocked} />
            </span>
          )}
          <span className="composer-hint" id={hintId}>
            {over > 0 ? (
              <span className="danger-text">{t('composer.tooLong', { count: over })}</span>
            ) : unfilled ? (
              <span className="danger-text">{t('snippets.fillBeforeSending')}</span>
            ) : note ? (
              t('composer.noteHint')
            ) : (
              t('composer.hint')
            )}
          </span>
          <button type="submit" className="button primary" disabled={!canSend}>
            {note ? <IconLock size={14} /> : <IconSend />}
            <span>{note ? t('composer.addNote') : t('composer.send')}</span>
          </button>
        </div>
      </div>
    </form>
  );
}

/** Above the box on channels with a reply window: how long it stays open, or that it closed (said
 *  before the agent types) with the way to resume. Notes are still allowed when it is closed. */
function WindowNotice({ replyWindow, conversationId, note }: { replyWindow: ReplyWindow; conversationId: string; note: boolean }) {
  const { t, i18n } = useTranslation();
  const openDialog = useUi((s) => s.openDialog);
  if (replyWindow.kind === 'unlimited') return null;
  if (replyWindow.kind === 'open')
    return (
      <p className="composer-window" data-window="open">
        {t('composer.windowOpen', { when: relativeTime(i18n.language, replyWindow.closesAt) })}
      </p>
    );
  return (
    <div className="composer-note composer-window-closed" role="status" data-window="closed">
      <p>
        {replyWindow.since === null
          ? t('composer.windowNeverOpened')
          : t('composer.windowClosed', { when: relativeTime(i18n.language, replyWindow.since) })}
        {note && ` ${t('composer.windowNotesAllowed')}`}
      </p>
      <button type="button" className="button small primary" onClick={() => openDialog({ kind: 'resume', conversationId })}>
        <IconTemplate size={13} />
        {t('resume.open')}
      </button>
    </div>
  );
}

/** The link button's small form: an address (http, https, www., mailto: or bandeja://) to insert. */
function LinkForm({ onInsert, onCancel }: { onInsert: (url: string) => void; onCancel: () => void }) {
  const { t } = useTranslation();
  const [url, setUrl] = useState('');
  const [bad, setBad] = useState(false);
  const id = useId();
  const submit = () => {
    const link = asLink(url);
    if (!link) return setBad(true);
    onInsert(link.text);
  };
  return (
    <div className="composer-link-form" role="group" aria-label={t('composer.link')}>
      <label htmlFor={id}>{t('composer.linkAddress')}</label>
      <input
        id={id}
        type="url"
        value={url}
        autoFocus
        placeholder="https://"
        aria-invalid={bad || undefined}
        onChange={(e) => {
          setUrl(e.target.value);
          setBad(false);
        }}
        onKeyDown={(e) => {
          if (e.key === 'Enter') {
            e.preventDefault();
            submit();
          } else if (e.key === 'Escape') {
            e.preventDefault();
            e.stopPropagation();
            onCancel();
          }
        }}
      />
      <button type="button" className="button small primary" onClick={submit}>
        {t('composer.linkInsert')}
      </button>
      <button type="button" className="button small" onClick={onCancel}>
        {t('dialog.cancel')}
      </button>
      {bad && (
        <span className="danger-text small" role="alert">
          {t('composer.linkInvalid')}
        </span>
      )}
    </div>
  );
}
