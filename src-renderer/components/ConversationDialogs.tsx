// Dialogs that act on one or many conversations: close (note + category), transfer (people with
// presence, teams), assign, tags (with autocomplete from the tags already in use).
import { useQuery } from '@tanstack/react-query';
import { useId, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Session } from '../../src-shared/ipc';
import { seesEverything } from '../../src-shared/rules/visibility';
import { call } from '../bridge/client';
import { bulk } from '../state/bulk';
import { perform } from '../state/perform';
import { conversationQuery, directoryQuery, tagsQuery } from '../state/queries';
import { useUi } from '../state/ui-store';
import { Avatar } from './Avatar';
import { IconUsers, IconX } from './icons';
import { DialogForm, Modal, useCloseDialog, useDialogAction } from './Modal';
import { fold, Picker, type PickerOption } from './Picker';

/** A bulk action done: the conversations it acted on are no longer checked. */
function uncheck(): void {
  useUi.getState().setChecked([], null);
}

export function CloseDialog({ ids }: { ids: string[] }) {
  const { t } = useTranslation();
  const close = useCloseDialog();
  const directory = useQuery(directoryQuery());
  const [note, setNote] = useState('');
  const [categoryId, setCategoryId] = useState('');
  const noteId = useId();
  const categoryField = useId();
  const categories = (directory.data?.closingCategories ?? []).filter((c) => c.active);
  const closing = useDialogAction((): Promise<unknown> => {
    const args = { note: note.trim() || null, categoryId: categoryId || null };
    return ids.length === 1 ? call('conversation.close', { conversationId: ids[0]!, ...args }) : bulk(ids, { type: 'close', ...args });
  }, uncheck);
  return (
    <Modal title={t('closeDialog.title', { count: ids.length })} onClose={close}>
      <DialogForm onSubmit={closing.run} submitLabel={t('closeDialog.submit', { count: ids.length })} busy={closing.busy}>
        <label htmlFor={categoryField}>{t('closeDialog.category')}</label>
        <select id={categoryField} value={categoryId} onChange={(e) => setCategoryId(e.target.value)}>
          <option value="">{t('closeDialog.noCategory')}</option>
          {categories.map((c) => (
            <option key={c.id} value={c.id}>
              {c.name}
            </option>
          ))}
        </select>
        <label htmlFor={noteId}>{t('closeDialog.note')}</label>
        <textarea
          id={noteId}
          rows={3}
          maxLength={2000}
          value={note}
          placeholder={t('closeDialog.notePlaceholder')}
          onChange={(e) => setNote(e.target.value)}
        />
      </DialogForm>
    </Modal>
  );
}

function usePeople(session: Session, withTeams: boolean): PickerOption[] {
  const { t } = useTranslation();
  const directory = useQuery(directoryQuery());
  return useMemo(() => {
    const users = (directory.data?.users ?? []).filter((u) => u.active && !u.invited);
    const order = { online: 0, away: 1, offline: 2 } as const;
    const people: PickerOption[] = users
      .sort((a, b) => order[a.presence] - order[b.presence] || a.name.localeCompare(b.name))
      .map((u) => ({
        id: `user:${u.id}`,
        label: u.id === session.user.id ? t('picker.me', { name: u.name }) : u.name,
        detail: t(`roles.${u.role}`),
        presence: u.presence,
        group: t('picker.people'),
        icon: <Avatar name={u.name} size={24} />,
      }));
    if (!withTeams) return people;
    const teams: PickerOption[] = (directory.data?.teams ?? []).map((tm) => ({
      id: `team:${tm.id}`,
      label: tm.name,
      detail: t('picker.teamQueue'),
      group: t('picker.teams'),
      icon: (
        <span className="picker-team-icon">
          <IconUsers />
        </span>
      ),
    }));
    return [...people, ...teams];
  }, [directory.data, session.user.id, withTeams, t]);
}

export function TransferDialog({ id, session }: { id: string; session: Session }) {
  const { t } = useTranslation();
  const close = useCloseDialog();
  const options = usePeople(session, true);
  const detail = useQuery(conversationQuery(id));
  const transfer = useDialogAction((o: PickerOption) => {
    const [kind, target] = [o.id.slice(0, 4), o.id.slice(5)];
    return call('conversation.transfer', {
      conversationId: id,
      toUserId: kind === 'user' ? target : null,
      toTeamId: kind === 'team' ? target : null,
    });
  });
  return (
    <Modal title={t('transfer.title', { name: detail.data?.conversation.contactName ?? '' })} onClose={close} className="modal-picker">
      <div className="modal-body">
        <Picker label={t('transfer.label')} options={options} onPick={transfer.run} placeholder={t('transfer.placeholder')} />
      </div>
    </Modal>
  );
}

export function AssignDialog({ ids, session }: { ids: string[]; session: Session }) {
  const { t } = useTranslation();
  const close = useCloseDialog();
  const people = usePeople(session, false);
  const directory = useQuery(directoryQuery());
  const me = directory.data?.users.find((u) => u.id === session.user.id) ?? session.user;
  // Agents may only take conversations for themselves (giving one to someone else is a transfer):
  // offering teammates here would only end in "not allowed".
  const allowed = seesEverything(me.role) ? people : people.filter((p) => p.id === `user:${me.id}`);
  const options: PickerOption[] = [...allowed, { id: 'none', label: t('assignDialog.nobody'), group: t('assignDialog.other') }];
  const assign = useDialogAction((o: PickerOption): Promise<unknown> => {
    const assigneeId = o.id === 'none' ? null : o.id.slice(5);
    return ids.length === 1
      ? call('conversation.assign', { conversationId: ids[0]!, assigneeId })
      : bulk(ids, { type: 'assign', assigneeId });
  }, uncheck);
  return (
    <Modal title={t('assignDialog.title', { count: ids.length })} onClose={close} className="modal-picker">
      <div className="modal-body">
        <Picker label={t('assignDialog.label')} options={options} onPick={assign.run} />
      </div>
    </Modal>
  );
}

/** Tags in use on this agent's mirror, most used first (one spelling each): the autocomplete's words. */
export function useKnownTags(): string[] {
  const tags = useQuery(tagsQuery());
  return useMemo(() => (tags.data ?? []).map((t) => t.tag), [tags.data]);
}

export function TagEditor({ ids, current, onDone }: { ids: string[]; current: string[]; onDone?: () => void }) {
  const { t } = useTranslation();
  const known = useKnownTags();
  const [text, setText] = useState('');
  const [active, setActive] = useState(0);
  const listId = useId();
  const have = new Set(current.map((c) => c.toLowerCase()));
  const suggestions = known.filter((k) => !have.has(k.toLowerCase()) && fold(k).includes(fold(text.trim()))).slice(0, 8);
  const add = async (tag: string) => {
    const clean = tag.trim();
    if (!clean) return;
    const done =
      ids.length === 1
        ? await perform(call('conversation.tag', { conversationId: ids[0]!, add: [clean], remove: [] }))
        : await perform(bulk(ids, { type: 'tag', add: [clean], remove: [] }));
    if (done) {
      setText('');
      setActive(0);
      onDone?.();
    }
  };
  const remove = (tag: string) => void perform(call('conversation.tag', { conversationId: ids[0]!, add: [], remove: [tag] }));
  const at = Math.min(active, suggestions.length - 1);
  return (
    <div className="tag-editor">
      {ids.length === 1 && (
        <ul className="tag-list" aria-label={t('tags.current')}>
          {current.length === 0 && <li className="muted">{t('tags.none')}</li>}
          {current.map((tag) => (
            <li key={tag} className="tag">
              <span>{tag}</span>
              <button type="button" className="tag-remove" aria-label={t('tags.remove', { tag })} onClick={() => remove(tag)}>
                <IconX />
              </button>
            </li>
          ))}
        </ul>
      )}
      <input
        type="text"
        role="combobox"
        aria-label={t('tags.add')}
        aria-expanded={suggestions.length > 0}
        aria-controls={listId}
        aria-autocomplete="list"
        aria-activedescendant={at >= 0 && suggestions[at] ? `${listId}-${at}` : undefined}
        placeholder={t('tags.placeholder')}
        maxLength={40}
        value={text}
        data-autofocus
        onChange={(e) => {
          setText(e.target.value);
          setActive(-1);
        }}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown') {
            e.preventDefault();
            setActive(Math.min(suggestions.length - 1, at + 1));
          } else if (e.key === 'ArrowUp') {
            e.preventDefault();
            setActive(Math.max(0, at - 1));
          } else if (e.key === 'Enter') {
            e.preventDefault();
            void add(at >= 0 && suggestions[at] ? suggestions[at] : text);
          }
        }}
      />
      {suggestions.length > 0 && (
        <ul className="picker-list tag-suggestions" role="listbox" id={listId} aria-label={t('tags.suggestions')}>
          {suggestions.map((s, i) => (
            <li
              key={s}
              id={`${listId}-${i}`}
              role="option"
              aria-selected={i === at}
              className="picker-option"
              onMouseDown={(e) => e.preventDefault()}
              onClick={() => void add(s)}
            >
              {s}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function TagDialog({ ids }: { ids: string[] }) {
  const { t } = useTranslation();
  const close = useCloseDialog();
  const detail = useQuery({ ...conversationQuery(ids[0] ?? ''), enabled: ids.length === 1 });
  const current = ids.length === 1 ? (detail.data?.conversation.tags ?? []) : [];
  return (
    <Modal title={t('tags.title', { count: ids.length })} onClose={close}>
      <div className="modal-body">
        <TagEditor ids={ids} current={current} onDone={ids.length > 1 ? close : undefined} />
        <div className="modal-actions">
          <button type="button" className="button" onClick={close}>
            {t('dialog.done')}
          </button>
        </div>
      </div>
    </Modal>
  );
}
