// Ctrl/Cmd+K: every action and view, filtered by a fuzzy match on its name; and the `?` sheet
// listing every shortcut. Both read the same command list as the keyboard handler.
import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Command, CommandGroup } from '../app/commands';
import { keyCaps } from '../app/keys';
import { useUi } from '../state/ui-store';
import { Modal } from './Modal';
import { fold, useActiveOption } from './Picker';

/** Letters of the query in order, anywhere in the label; tighter and earlier matches rank first. */
export function fuzzyScore(query: string, label: string): number | null {
  const q = fold(query.replace(/\s+/g, ''));
  const l = fold(label);
  if (!q) return 0;
  let at = -1;
  let score = 0;
  for (const ch of q) {
    const next = l.indexOf(ch, at + 1);
    if (next === -1) return null;
    score += next - at - 1;
    at = next;
  }
  return score + (l.startsWith(q[0]!) ? 0 : 1);
}

export function Keys({ spec }: { spec: string }) {
  return (
    <span className="keys">
      {keyCaps(spec).map((cap, i) => (
        <kbd key={i}>{cap}</kbd>
      ))}
    </span>
  );
}

export function CommandPalette({ commands }: { commands: Command[] }) {
  const { t } = useTranslation();
  const openDialog = useUi((s) => s.openDialog);
  const [query, setQuery] = useState('');
  const listId = useId();
  const shown = commands
    .filter((c) => c.enabled && c.id !== 'palette')
    .map((c) => ({ c, score: fuzzyScore(query, c.label) }))
    .filter((x): x is { c: Command; score: number } => x.score !== null)
    .sort((a, b) => a.score - b.score)
    .map((x) => x.c);
  const { at, setActive, onKeyDown } = useActiveOption(shown.length);
  const run = (c: Command) => {
    openDialog(null);
    // After the palette has closed, so a command that opens a dialog is not closed with it.
    queueMicrotask(() => c.run());
  };
  return (
    <Modal title={t('commands.palette')} onClose={() => openDialog(null)} className="modal-palette" hideTitle>
      <input
        type="text"
        className="palette-input"
        role="combobox"
        aria-label={t('commands.paletteLabel')}
        aria-expanded="true"
        aria-controls={listId}
        aria-activedescendant={shown[at] ? `${listId}-${shown[at].id}` : undefined}
        placeholder={t('commands.palettePlaceholder')}
        value={query}
        data-autofocus
        onChange={(e) => {
          setQuery(e.target.value);
          setActive(0);
        }}
        onKeyDown={(e) => onKeyDown(e, (i) => run(shown[i]!))}
      />
      <ul className="palette-list" role="listbox" id={listId} aria-label={t('commands.paletteLabel')}>
        {shown.length === 0 && <li className="picker-empty muted">{t('picker.nothing')}</li>}
        {shown.map((c, i) => (
          <li
            key={c.id}
            id={`${listId}-${c.id}`}
            role="option"
            aria-selected={i === at}
            className="palette-option"
            data-command={c.id}
            onMouseDown={(e) => e.preventDefault()}
            onMouseEnter={() => setActive(i)}
            onClick={() => run(c)}
          >
            <span className="palette-label">{c.label}</span>
            <span className="palette-group muted">{t(`commands.groups.${c.group}`)}</span>
            {c.keys[0] && <Keys spec={c.keys[0]} />}
          </li>
        ))}
      </ul>
    </Modal>
  );
}

const GROUPS: CommandGroup[] = ['navigation', 'conversation', 'selection', 'contacts', 'views', 'app'];

export function ShortcutSheet({ commands }: { commands: Command[] }) {
  const { t } = useTranslation();
  const openDialog = useUi((s) => s.openDialog);
  return (
    <Modal title={t('commands.shortcuts')} onClose={() => openDialog(null)} className="modal-sheet">
      <div className="modal-body sheet">
        {GROUPS.map((g) => {
          const rows = commands.filter((c) => c.group === g && c.keys.length > 0);
          if (rows.length === 0) return null;
          return (
            <section key={g} className="sheet-group" aria-label={t(`commands.groups.${g}`)}>
              <h3>{t(`commands.groups.${g}`)}</h3>
              <dl>
                {rows.map((c) => (
                  <div key={c.id} className="sheet-row" data-command={c.id}>
                    <dt>{c.label}</dt>
                    <dd>
                      {c.keys.map((k, i) => (
                        <span key={k}>
                          {i > 0 && <span className="muted"> {t('commands.or')} </span>}
                          <Keys spec={k} />
                        </span>
                      ))}
                    </dd>
                  </div>
                ))}
              </dl>
            </section>
          );
        })}
      </div>
    </Modal>
  );
}
