// The composer's emoji button and its panel: search by name or keyword in the reader's language, a
// row of recently used ones, and the Unicode groups as tabs. Keyboard: the search box's Down arrow
// (or Tab) reaches the grid, arrows move in it, Enter inserts, Escape closes and returns to the box.
import { useEffect, useId, useMemo, useRef, useState, type KeyboardEvent, type RefObject } from 'react';
import { useTranslation } from 'react-i18next';
import { loadEmoji, recentEmoji, rememberEmoji, searchEmoji, type Emoji, type EmojiSet } from '../services/emojiData';
import { IconSmile } from './icons';
import { useAnchoredPosition } from './useAnchoredPosition';
import { usePopoverDismiss } from './usePopoverDismiss';

const COLUMNS = 9;
// Keep in step with .emoji-panel in styles.css.
const PANEL_WIDTH = 344;
const PANEL_HEIGHT = 350;

export function EmojiButton({ onPick, disabled }: { onPick: (emoji: string) => void; disabled?: boolean }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const root = useRef<HTMLSpanElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  usePopoverDismiss(open, () => setOpen(false), root);
  return (
    <span className="emoji-anchor" ref={root}>
      <button
        ref={button}
        type="button"
        className="icon-button composer-tool"
        aria-label={t('emoji.open')}
        title={t('emoji.open')}
        aria-expanded={open}
        aria-haspopup="dialog"
        disabled={disabled}
        onClick={() => setOpen(!open)}
      >
        <IconSmile size={16} />
      </button>
      {open && (
        <EmojiPanel
          anchor={button}
          onPick={(e) => {
            rememberEmoji(e);
            setOpen(false);
            onPick(e);
          }}
          onClose={() => {
            setOpen(false);
            button.current?.focus();
          }}
        />
      )}
    </span>
  );
}

function EmojiPanel({
  anchor,
  onPick,
  onClose,
}: {
  anchor: RefObject<HTMLButtonElement | null>;
  onPick: (emoji: string) => void;
  onClose: () => void;
}) {
  const { t, i18n } = useTranslation();
  const style = useAnchoredPosition(true, anchor, { width: PANEL_WIDTH, height: PANEL_HEIGHT }, { prefer: 'above', align: 'start' });
  const [set, setSet] = useState<EmojiSet | null>(null);
  const [failed, setFailed] = useState(false);
  const [query, setQuery] = useState('');
  const [groupId, setGroupId] = useState<number | 'recent'>(() => (recentEmoji().length > 0 ? 'recent' : 0));
  const grid = useRef<HTMLDivElement>(null);
  const search = useRef<HTMLInputElement>(null);
  const gridLabel = useId();
  useEffect(() => {
    let live = true;
    loadEmoji(i18n.language).then(
      (s) => live && setSet(s),
      () => live && setFailed(true),
    );
    return () => {
      live = false;
    };
  }, [i18n.language]);
  useEffect(() => search.current?.focus(), []);

  const shown: Emoji[] = useMemo(() => {
    if (!set) return [];
    if (query.trim()) return searchEmoji(set, query);
    if (groupId === 'recent') {
      const byUnicode = new Map(set.all.map((e) => [e.unicode, e]));
      return recentEmoji().map((u) => byUnicode.get(u) ?? { unicode: u, label: u, tags: [], group: -1, order: 0 });
    }
    return set.groups.find((g) => g.id === groupId)?.emoji ?? [];
  }, [set, query, groupId]);

  const cells = () => [...(grid.current?.querySelectorAll<HTMLButtonElement>('button') ?? [])];
  const onGridKey = (e: KeyboardEvent) => {
    const all = cells();
    const at = all.indexOf(document.activeElement as HTMLButtonElement);
    if (at < 0) return;
    const moves: Record<string, number> = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: COLUMNS, ArrowUp: -COLUMNS };
    const move = moves[e.key];
    if (move !== undefined) {
      e.preventDefault();
      const next = at + move;
      if (next < 0) search.current?.focus();
      else all[Math.min(next, all.length - 1)]?.focus();
    } else if (e.key === 'Home') {
      e.preventDefault();
      all[0]?.focus();
    } else if (e.key === 'End') {
      e.preventDefault();
      all.at(-1)?.focus();
    }
  };
  const tabs: { id: number | 'recent'; name: string; icon: string }[] = [
    ...(recentEmoji().length > 0 ? [{ id: 'recent' as const, name: t('emoji.recent'), icon: '🕘' }] : []),
    ...(set?.groups ?? []).map((g) => ({ id: g.id, name: g.name, icon: g.emoji[0]!.unicode })),
  ];
  const heading = query.trim() ? t('emoji.results') : (tabs.find((x) => x.id === groupId)?.name ?? '');

  return (
    <div
      className="emoji-panel"
      style={style}
      role="dialog"
      aria-label={t('emoji.title')}
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.preventDefault();
          e.stopPropagation();
          onClose();
        }
      }}
    >
      <input
        ref={search}
        type="search"
        className="picker-input emoji-search"
        placeholder={t('emoji.search')}
        aria-label={t('emoji.search')}
        value={query}
        onChange={(e) => setQuery(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown') {
            e.preventDefault();
            cells()[0]?.focus();
          } else if (e.key === 'Enter') {
            e.preventDefault();
            if (shown[0]) onPick(shown[0].unicode);
          }
        }}
      />
      {!query.trim() && (
        <div className="emoji-tabs" role="tablist" aria-label={t('emoji.groups')}>
          {tabs.map((tab) => (
            <button
              key={tab.id}
              type="button"
              role="tab"
              className="emoji-tab"
              aria-selected={tab.id === groupId}
              aria-label={tab.name}
              title={tab.name}
              onClick={() => setGroupId(tab.id)}
            >
              {tab.icon}
            </button>
          ))}
        </div>
      )}
      <p className="emoji-heading" id={gridLabel}>
        {heading}
      </p>
      <div className="emoji-grid" ref={grid} role="group" aria-labelledby={gridLabel} onKeyDown={onGridKey}>
        {!set && !failed && <p className="muted small">{t('attachments.loading')}</p>}
        {failed && <p className="muted small">{t('emoji.failed')}</p>}
        {set && shown.length === 0 && <p className="muted small">{t('emoji.nothing')}</p>}
        {shown.map((e, i) => (
          <button
            key={`${e.unicode}-${i}`}
            type="button"
            className="emoji-cell"
            aria-label={e.label}
            title={e.label}
            tabIndex={i === 0 ? 0 : -1}
            onClick={() => onPick(e.unicode)}
          >
            {e.unicode}
          </button>
        ))}
      </div>
    </div>
  );
}
