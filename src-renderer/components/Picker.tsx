// A searchable list to pick one person, team or contact from: type to filter, arrows to move, Enter
// to pick. The input keeps focus and points at the active option (aria-activedescendant).
import { useId, useState, type KeyboardEvent, type ReactNode } from 'react';
import type { Presence } from '../../src-shared/domain';
import { useTranslation } from 'react-i18next';

export interface PickerOption {
  id: string;
  label: string;
  detail?: string;
  presence?: Presence;
  group?: string;
  icon?: ReactNode;
}

export function PresenceDot({ presence }: { presence: Presence }) {
  const { t } = useTranslation();
  return (
    <span className={`presence presence-${presence}`} title={t(`presence.${presence}`)}>
      <span className="visually-hidden">{t(`presence.${presence}`)}</span>
    </span>
  );
}

/** Folds accents and case so "sofia" finds "Sofía". */
export function fold(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

/** The highlighted option of a list driven from its input: arrows move (stopping at the ends), Enter
 *  chooses. Shared by the picker, the command palette and the search box. */
export function useActiveOption(count: number) {
  const [active, setActive] = useState(0);
  const at = Math.min(active, Math.max(0, count - 1));
  const onKeyDown = (e: KeyboardEvent, choose: (index: number) => void) => {
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      setActive(Math.max(0, Math.min(count - 1, at + 1)));
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      setActive(Math.max(0, at - 1));
    } else if (e.key === 'Enter' && at < count) {
      e.preventDefault();
      choose(at);
    }
  };
  return { at, setActive, onKeyDown };
}

export function Picker({
  label,
  options,
  onPick,
  query,
  onQuery,
  placeholder,
  emptyText,
}: {
  label: string;
  options: PickerOption[];
  onPick: (option: PickerOption) => void;
  /** When given, filtering is the caller's (e.g. a search over the mirror). */
  query?: string;
  onQuery?: (q: string) => void;
  placeholder?: string;
  emptyText?: string;
}) {
  const { t } = useTranslation();
  const [ownQuery, setOwnQuery] = useState('');
  const listId = useId();
  const q = query ?? ownQuery;
  const shown = onQuery ? options : options.filter((o) => fold(`${o.label} ${o.detail ?? ''}`).includes(fold(q.trim())));
  const { at, setActive, onKeyDown } = useActiveOption(shown.length);
  let lastGroup: string | undefined;
  return (
    <div className="picker">
      <input
        type="search"
        className="picker-input"
        role="combobox"
        aria-label={label}
        aria-expanded="true"
        aria-controls={listId}
        aria-activedescendant={shown[at] ? `${listId}-${shown[at].id}` : undefined}
        aria-autocomplete="list"
        placeholder={placeholder ?? t('picker.search')}
        value={q}
        data-autofocus
        onChange={(e) => {
          setActive(0);
          if (onQuery) onQuery(e.target.value);
          else setOwnQuery(e.target.value);
        }}
        onKeyDown={(e) => onKeyDown(e, (i) => onPick(shown[i]!))}
      />
      <ul className="picker-list" role="listbox" id={listId} aria-label={label}>
        {shown.length === 0 && <li className="picker-empty muted">{emptyText ?? t('picker.nothing')}</li>}
        {shown.map((o, i) => {
          const heading = o.group && o.group !== lastGroup ? o.group : null;
          lastGroup = o.group;
          return [
            heading ? (
              <li key={`g-${heading}`} className="picker-group" role="presentation">
                {heading}
              </li>
            ) : null,
            <li
              key={o.id}
              id={`${listId}-${o.id}`}
              role="option"
              aria-selected={i === at}
              className="picker-option"
              onMouseDown={(e) => e.preventDefault()}
              onMouseEnter={() => setActive(i)}
              onClick={() => onPick(o)}
            >
              {o.icon}
              <span className="picker-label">{o.label}</span>
              {o.presence && <PresenceDot presence={o.presence} />}
              {o.detail && <span className="picker-detail muted">{o.detail}</span>}
            </li>,
          ];
        })}
      </ul>
    </div>
  );
}
