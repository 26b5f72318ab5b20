// One search box over the local mirror (so it works offline): contacts and messages, the matched
// words highlighted, Enter or a click opening the conversation at that message.
import { useQuery } from '@tanstack/react-query';
import { useId, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useShallow } from 'zustand/react/shallow';
import { listTime } from '../i18n/format';
import { searchQuery } from '../state/queries';
import { useUi } from '../state/ui-store';
import { Avatar } from './Avatar';
import { Modal } from './Modal';
import { useActiveOption } from './Picker';

/** The search snippet marks matches with \u0002…\u0003; anything else is plain text (React escapes it). */
export function highlightSnippet(snippet: string): ReactNode[] {
  const out: ReactNode[] = [];
  let rest = snippet;
  let key = 0;
  for (;;) {
    const start = rest.indexOf('\u0002');
    if (start === -1) break;
    const end = rest.indexOf('\u0003', start + 1);
    if (end === -1) break;
    if (start > 0) out.push(rest.slice(0, start));
    out.push(<mark key={key++}>{rest.slice(start + 1, end)}</mark>);
    rest = rest.slice(end + 1);
  }
  // \u0002 and \u0003 are the highlight markers search.query puts around matched words.
  // eslint-disable-next-line no-control-regex
  if (rest) out.push(rest.replace(/[\u0002\u0003]/g, ''));
  return out;
}

type Hit = { key: string; open: () => void };

export function SearchDialog() {
  const { t, i18n } = useTranslation();
  const { setSearchOpen, openAtMessage, showContact } = useUi(
    useShallow((s) => ({ setSearchOpen: s.setSearchOpen, openAtMessage: s.openAtMessage, showContact: s.showContact })),
  );
  const [q, setQ] = useState('');
  const listId = useId();
  const results = useQuery(searchQuery(q));
  const data = q.trim() ? results.data : undefined;
  const contacts = data?.contacts ?? [];
  const messages = data?.messages ?? [];
  const hits: Hit[] = [
    ...contacts.map((c) => ({
      key: `c-${c.id}`,
      open: () => {
        if (c.conversationId) openAtMessage(c.conversationId, null);
        else setSearchOpen(false);
        showContact(c.id);
      },
    })),
    ...messages.map((m) => ({ key: `m-${m.messageId}`, open: () => openAtMessage(m.conversationId, m.messageId) })),
  ];
  const { at, setActive, onKeyDown } = useActiveOption(hits.length);
  const optionProps = (i: number) => ({
    id: `${listId}-${hits[i]!.key}`,
    role: 'option' as const,
    'aria-selected': i === at,
    className: 'search-hit',
    onMouseDown: (e: React.MouseEvent) => e.preventDefault(),
    onMouseEnter: () => setActive(i),
    onClick: () => hits[i]!.open(),
  });
  return (
    <Modal title={t('search.title')} onClose={() => setSearchOpen(false)} className="modal-palette modal-search" hideTitle>
      <input
        type="search"
        className="palette-input"
        role="combobox"
        aria-label={t('search.label')}
        aria-expanded={hits.length > 0}
        aria-controls={listId}
        aria-activedescendant={hits[at] ? `${listId}-${hits[at].key}` : undefined}
        placeholder={t('search.placeholder')}
        value={q}
        data-autofocus
        onChange={(e) => {
          setQ(e.target.value);
          setActive(0);
        }}
        onKeyDown={(e) => onKeyDown(e, (i) => hits[i]!.open())}
      />
      <div className="search-results" role="listbox" id={listId} aria-label={t('search.results')}>
        {q.trim() && data && hits.length === 0 && <p className="picker-empty muted">{t('search.nothing', { q: q.trim() })}</p>}
        {contacts.length > 0 && (
          <div role="group" aria-label={t('search.contacts')} className="search-group" data-group="contacts">
            <h3 role="presentation">{t('search.contacts')}</h3>
            {contacts.map((c, i) => (
              <div key={c.id} {...optionProps(i)} data-contact-id={c.id}>
                <Avatar name={c.name} size={26} />
                <span className="search-hit-main">
                  <span className="search-hit-title">{c.name}</span>
                  <span className="muted small">{[...c.phones, ...c.emails].join(' · ')}</span>
                </span>
              </div>
            ))}
          </div>
        )}
        {messages.length > 0 && (
          <div role="group" aria-label={t('search.messages')} className="search-group" data-group="messages">
            <h3 role="presentation">{t('search.messages')}</h3>
            {messages.map((m, j) => (
              <div key={m.messageId} {...optionProps(contacts.length + j)} data-message-id={m.messageId}>
                <Avatar name={m.contactName} size={26} />
                <span className="search-hit-main">
                  <span className="search-hit-title">
                    {m.contactName} <time className="muted small">{listTime(i18n.language, m.createdAt)}</time>
                  </span>
                  <span className="search-snippet">{highlightSnippet(m.snippet)}</span>
                </span>
              </div>
            ))}
          </div>
        )}
      </div>
      <p className="palette-footer muted small">{t('search.offlineHint')}</p>
    </Modal>
  );
}
