// Snippets in the composer: "/" at the start of a word opens the list, filtered by shortcut and title
// as the agent types (accents and case ignored); arrows move, Enter or Tab inserts, Escape closes.
// Inserting fills the variables (rules/snippets.ts); one without a value stays a {{placeholder}} that
// UnfilledVariables names under the box, and the composer will not send until it is filled. A
// snippet's file is added to the composer's tray.
import { useQuery } from '@tanstack/react-query';
import { useEffect, useId, useState, type KeyboardEvent, type ReactNode, type RefObject } from 'react';
import { useTranslation } from 'react-i18next';
import type { Snippet } from '../../src-shared/domain';
import type { Session } from '../../src-shared/ipc';
import { filterSnippets, partsToText, renderSnippet, unfilledVariables, type SnippetContext } from '../../src-shared/rules/snippets';
import { useStaged } from '../state/attachments';
import { conversationQuery, snippetsQuery } from '../state/queries';

const VISIBLE = 8;

/** The "/word" being typed right before the caret, if any. */
export function slashAt(text: string, caret: number): { start: number; query: string } | null {
  const m = /(^|\s)\/([\p{L}\p{N}_-]*)$/u.exec(text.slice(0, caret));
  return m ? { start: caret - m[2]!.length - 1, query: m[2]! } : null;
}

/** Selects the first `{{…}}` placeholder at or after `from`, so typing replaces it. */
export function selectPlaceholder(box: HTMLTextAreaElement | null, text: string, from = 0): boolean {
  if (!box) return false;
  const re = /\{\{\s*[a-z]+(?:\.[a-z0-9_]+)+\s*\}\}/gi;
  re.lastIndex = from;
  const m = re.exec(text) ?? (from > 0 ? ((re.lastIndex = 0), re.exec(text)) : null);
  if (!m) return false;
  box.focus();
  box.setSelectionRange(m.index, m.index + m[0].length);
  return true;
}

interface SlashOptions {
  conversationId: string;
  session: Session;
  text: string;
  setText: (text: string) => void;
  box: RefObject<HTMLTextAreaElement | null>;
}

export function useSnippetSlash({ conversationId, session, text, setText, box }: SlashOptions) {
  const { t } = useTranslation();
  const listId = useId();
  const snippets = useQuery(snippetsQuery());
  const detail = useQuery(conversationQuery(conversationId));
  const [slash, setSlash] = useState<{ start: number; query: string } | null>(null);
  // Escape closes the list for this "/word"; typing a new one opens it again.
  const [dismissedAt, setDismissedAt] = useState<number | null>(null);
  const [active, setActive] = useState(0);
  const matches = slash ? filterSnippets(snippets.data ?? [], slash.query).slice(0, VISIBLE) : [];
  const open = matches.length > 0;
  const at = Math.min(active, matches.length - 1);
  useEffect(() => setSlash(null), [conversationId]);

  const context = (): SnippetContext => {
    const contact = detail.data?.contact;
    return {
      contact: { name: contact?.name ?? '', phones: contact?.phones ?? [], emails: contact?.emails ?? [], custom: contact?.custom ?? {} },
      agent: { name: session.user.name },
      conversation: { id: conversationId },
    };
  };

  const insert = (snippet: Snippet) => {
    if (!slash) return;
    const caret = box.current?.selectionStart ?? text.length;
    const filled = partsToText(renderSnippet(snippet.body, context()));
    const next = `${text.slice(0, slash.start)}${filled}${text.slice(caret)}`;
    setText(next);
    setSlash(null);
    // Its file goes to the tray, to be sent with the words (the agent may still remove it there).
    if (snippet.attachment) useStaged.getState().add(conversationId, snippet.attachment);
    const end = slash.start + filled.length;
    requestAnimationFrame(() => {
      // A placeholder left to fill is selected at once; otherwise the caret goes after the text.
      if (unfilledVariables(filled).length > 0 && selectPlaceholder(box.current, next, slash.start)) return;
      box.current?.setSelectionRange(end, end);
    });
  };

  const track = (value: string, caret: number) => {
    const found = slashAt(value, caret);
    if (!found || found.start !== dismissedAt) setDismissedAt(null);
    const shown = found && found.start !== dismissedAt ? found : null;
    if (shown?.query !== slash?.query || shown?.start !== slash?.start) setActive(0);
    setSlash(shown);
  };

  /** Handles the list's keys; returns true when the key was for the list. */
  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>): boolean => {
    if (!open) return false;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      setActive((a) => (Math.min(a, matches.length - 1) + (e.key === 'ArrowDown' ? 1 : matches.length - 1)) % matches.length);
      return true;
    }
    if ((e.key === 'Enter' && !e.shiftKey) || e.key === 'Tab') {
      e.preventDefault();
      insert(matches[at]!);
      return true;
    }
    if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      setDismissedAt(slash?.start ?? null);
      setSlash(null);
      return true;
    }
    return false;
  };

  const list: ReactNode = open ? (
    <ul className="mention-list snippet-list" role="listbox" id={listId} aria-label={t('snippets.list')}>
      {matches.map((s, i) => (
        <li
          key={s.id}
          id={`${listId}-${s.id}`}
          role="option"
          aria-selected={i === at}
          className="picker-option snippet-option"
          data-shortcut={s.shortcut}
          onMouseDown={(e) => e.preventDefault()}
          onClick={() => insert(s)}
        >
          <span className="snippet-option-head">
            <span className="snippet-shortcut">/{s.shortcut}</span>
            <span className="snippet-title">{s.title}</span>
            {s.ownerId !== null && <span className="snippet-mine">{t('snippets.mine')}</span>}
          </span>
          <span className="snippet-preview">{s.body}</span>
          {s.attachment && <span className="snippet-attachment-name">📎 {s.attachment.name}</span>}
        </li>
      ))}
    </ul>
  ) : null;

  return {
    open,
    list,
    listId,
    activeId: open ? `${listId}-${matches[at]!.id}` : undefined,
    track,
    onKeyDown,
    close: () => setSlash(null),
  };
}

/** The placeholders still in the reply, named under the box; clicking one selects it to type over. */
export function UnfilledVariables({ text, box, id }: { text: string; box: RefObject<HTMLTextAreaElement | null>; id: string }) {
  const { t } = useTranslation();
  const missing = [...new Set(unfilledVariables(text))];
  if (missing.length === 0) return null;
  return (
    <div className="snippet-unfilled" id={id} role="status" data-testid="unfilled-variables">
      <span>{t('snippets.unfilled', { count: missing.length })}</span>
      {missing.map((v) => (
        <button
          key={v}
          type="button"
          className="placeholder-chip"
          onMouseDown={(e) => e.preventDefault()}
          onClick={() => {
            const index = text.search(new RegExp(`\\{\\{\\s*${v.replace(/\./g, '\\.')}\\s*\\}\\}`, 'i'));
            selectPlaceholder(box.current, text, Math.max(0, index));
          }}
        >
          {`{{${v}}}`}
        </button>
      ))}
    </div>
  );
}
