// "Remind me" on a conversation (presets or a chosen date and time, a note, postpone), the active
// reminder shown in the conversation and in its list row ("Overdue: <date> <time>" once past due), and
// the list of my reminders.
import { useQuery } from '@tanstack/react-query';
import { useEffect, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ConversationItem, ReminderItem } from '../../src-shared/ipc';
import { presetDueAt, REMINDER_PRESETS, type ReminderPreset } from '../../src-shared/rules/reminders';
import { call } from '../bridge/client';
import { dateAndTime, fromLocalInput, localInputValue } from '../i18n/format';
import { perform } from '../state/perform';
import { remindersQuery } from '../state/queries';
import { useUi } from '../state/ui-store';
import { IconAlarm } from './icons';
import { DialogForm, Modal, useCloseDialog, useDialogAction } from './Modal';

/** True once `at` has passed; re-renders the moment it does. */
export function useIsPast(at: number | null): boolean {
  const [, tick] = useState(0);
  const past = at !== null && at <= Date.now();
  useEffect(() => {
    if (at === null || past) return;
    const timer = setTimeout(() => tick((n) => n + 1), Math.min(at - Date.now() + 20, 2 ** 31 - 1));
    return () => clearTimeout(timer);
  }, [at, past]);
  return past;
}

/** "Reminder: May 12, 2:30 PM", or "Overdue: May 12, 2:30 PM" once past due; `short` (list rows) leaves
 *  out the word before a time still to come. */
export function ReminderWhen({ dueAt, short = false }: { dueAt: number; short?: boolean }) {
  const { t, i18n } = useTranslation();
  const overdue = useIsPast(dueAt);
  const when = dateAndTime(i18n.language, dueAt);
  return (
    <time dateTime={new Date(dueAt).toISOString()} data-overdue={overdue} className={overdue ? 'reminder-when overdue' : 'reminder-when'}>
      {overdue ? t('reminders.overdue', { when }) : short ? when : t('reminders.dueAt', { when })}
    </time>
  );
}

/** The list row's line: the reminder's time, or Overdue. */
export function RowReminder({ item }: { item: ConversationItem }) {
  const { t, i18n } = useTranslation();
  if (item.reminder)
    return (
      <span
        className="row-reminder"
        data-testid="row-reminder"
        title={t('reminders.dueAt', { when: dateAndTime(i18n.language, item.reminder.dueAt) })}
      >
        <IconAlarm size={12} />
        <ReminderWhen dueAt={item.reminder.dueAt} short />
      </span>
    );
  if (item.status === 'snoozed' && item.snoozedUntil !== null)
    return (
      <span className="row-reminder">
        <IconAlarm size={12} />
        <span>{t('reminders.snoozedUntil', { when: dateAndTime(i18n.language, item.snoozedUntil) })}</span>
      </span>
    );
  return null;
}

function finish(id: string, state: 'done' | 'dismissed' | 'deleted'): void {
  void perform(call('reminder.setState', { id, state }));
}

/** In the conversation: my active reminder, with Done, Dismiss and Change. */
export function ReminderBar({ item }: { item: ConversationItem }) {
  const { t } = useTranslation();
  const openDialog = useUi((s) => s.openDialog);
  const overdue = useIsPast(item.reminder?.dueAt ?? null);
  const reminder = item.reminder;
  if (!reminder) return null;
  return (
    <div className={`reminder-bar${overdue ? ' reminder-bar-overdue' : ''}`} data-testid="reminder-bar" role="status">
      <IconAlarm size={15} />
      <span className="reminder-text">
        <ReminderWhen dueAt={reminder.dueAt} />
        {reminder.note && <span className="reminder-note">{reminder.note}</span>}
      </span>
      <span className="reminder-actions">
        <button type="button" className="button small" data-action="done" onClick={() => finish(reminder.id, 'done')}>
          {t('reminders.done')}
        </button>
        <button type="button" className="button small" data-action="dismiss" onClick={() => finish(reminder.id, 'dismissed')}>
          {t('reminders.dismiss')}
        </button>
        <button
          type="button"
          className="button small"
          data-action="change"
          onClick={() => openDialog({ kind: 'reminder', conversationId: item.id, reminderId: reminder.id })}
        >
          {t('reminders.change')}
        </button>
      </span>
    </div>
  );
}

// A chosen time starts at the next quarter hour at least an hour away.
function defaultChosenTime(now: number): number {
  const quarter = 15 * 60_000;
  return Math.ceil((now + 60 * 60_000) / quarter) * quarter;
}

export function ReminderDialog({ conversationId, reminderId }: { conversationId: string; reminderId: string | null }) {
  const { t, i18n } = useTranslation();
  const close = useCloseDialog();
  const pushToast = useUi((s) => s.pushToast);
  const reminders = useQuery(remindersQuery(conversationId));
  const existing = reminderId ? reminders.data?.find((r) => r.id === reminderId && r.state === 'active') : undefined;
  const [openedAt] = useState(() => Date.now());
  const [choice, setChoice] = useState<ReminderPreset | 'custom'>(reminderId ? 'custom' : '1h');
  const [chosen, setChosen] = useState(() => localInputValue(defaultChosenTime(openedAt)));
  const [note, setNote] = useState('');
  const [postpone, setPostpone] = useState(true);
  const [problem, setProblem] = useState<string | null>(null);
  const chosenId = useId();
  const noteId = useId();

  // Change starts from what the reminder says now: once per reminder, not again while the agent edits.
  useEffect(() => {
    if (!existing) return;
    setChosen(localInputValue(existing.dueAt));
    setNote(existing.note ?? '');
    setPostpone(existing.postpone);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [existing?.id]);

  const save = useDialogAction(
    (dueAt: number) =>
      call('reminder.set', { ...(reminderId ? { id: reminderId } : {}), conversationId, dueAt, note: note.trim() || null, postpone }),
    (_, dueAt) => pushToast({ notice: 'reminders.setFor', values: { when: dateAndTime(i18n.language, dueAt) } }),
  );
  const submit = () => {
    const now = Date.now();
    const dueAt = choice === 'custom' ? fromLocalInput(chosen) : presetDueAt(choice, now);
    if (!Number.isFinite(dueAt)) return setProblem(t('reminders.pickTime'));
    if (dueAt <= now) return setProblem(t('reminders.inThePast'));
    save.run(dueAt);
  };

  return (
    <Modal title={reminderId ? t('reminders.changeTitle') : t('reminders.title')} onClose={close}>
      <DialogForm
        className="reminder-form"
        onSubmit={submit}
        submitLabel={reminderId ? t('reminders.move') : t('reminders.set')}
        busy={save.busy}
      >
        <fieldset className="reminder-presets">
          <legend>{t('reminders.when')}</legend>
          {REMINDER_PRESETS.map((p) => (
            <label key={p} className="reminder-preset" data-preset={p}>
              <input type="radio" name="when" checked={choice === p} onChange={() => setChoice(p)} />
              <span className="reminder-preset-name">{t(`reminders.presets.${p}`)}</span>
              <span className="muted small">{dateAndTime(i18n.language, presetDueAt(p, openedAt))}</span>
            </label>
          ))}
          <label className="reminder-preset" data-preset="custom">
            <input type="radio" name="when" checked={choice === 'custom'} onChange={() => setChoice('custom')} />
            <span className="reminder-preset-name">{t('reminders.presets.custom')}</span>
          </label>
          <label htmlFor={chosenId} className="visually-hidden">
            {t('reminders.chosenTime')}
          </label>
          <input
            id={chosenId}
            type="datetime-local"
            className="reminder-chosen"
            value={chosen}
            min={localInputValue(openedAt)}
            onChange={(e) => {
              setChosen(e.target.value);
              setChoice('custom');
              setProblem(null);
            }}
          />
        </fieldset>
        <label htmlFor={noteId}>{t('reminders.note')}</label>
        <textarea
          id={noteId}
          rows={2}
          maxLength={500}
          value={note}
          placeholder={t('reminders.notePlaceholder')}
          onChange={(e) => setNote(e.target.value)}
        />
        <label className="check">
          <input type="checkbox" checked={postpone} onChange={(e) => setPostpone(e.target.checked)} />
          <span>{t('reminders.postpone')}</span>
        </label>
        <p className="muted small">{postpone ? t('reminders.postponeOn') : t('reminders.postponeOff')}</p>
        {problem && (
          <p className="form-error" role="alert">
            {problem}
          </p>
        )}
      </DialogForm>
    </Modal>
  );
}

function ReminderEntry({ r }: { r: ReminderItem }) {
  const { t } = useTranslation();
  const openAtMessage = useUi((s) => s.openAtMessage);
  const openDialog = useUi((s) => s.openDialog);
  return (
    <li className="reminder-entry" data-reminder-id={r.id} data-state={r.state}>
      <button
        type="button"
        className="reminder-open"
        onClick={() => {
          openDialog(null);
          openAtMessage(r.conversationId, null);
        }}
      >
        <strong className="reminder-contact">{r.contactName ?? t('reminders.unknownContact')}</strong>
        {r.state === 'active' ? <ReminderWhen dueAt={r.dueAt} /> : <span className="muted small">{t('reminders.dismissedState')}</span>}
        {r.note && <span className="muted small reminder-note">{r.note}</span>}
      </button>
      <span className="reminder-actions">
        {r.state === 'active' ? (
          <>
            <button type="button" className="button small" onClick={() => finish(r.id, 'done')}>
              {t('reminders.done')}
            </button>
            <button type="button" className="button small" onClick={() => finish(r.id, 'dismissed')}>
              {t('reminders.dismiss')}
            </button>
          </>
        ) : (
          <button type="button" className="button small" onClick={() => finish(r.id, 'deleted')}>
            {t('reminders.delete')}
          </button>
        )}
      </span>
    </li>
  );
}

export function RemindersDialog() {
  const { t } = useTranslation();
  const close = useCloseDialog();
  const list = useQuery(remindersQuery(null));
  const items = list.data ?? [];
  const active = items.filter((r) => r.state === 'active');
  const dismissed = items.filter((r) => r.state === 'dismissed');
  return (
    <Modal title={t('reminders.listTitle')} onClose={close} className="modal-wide">
      <div className="modal-body reminders-body" data-testid="reminders-list">
        {list.isSuccess && items.length === 0 && <p className="muted">{t('reminders.none')}</p>}
        {active.length > 0 && (
          <ul className="reminder-list" aria-label={t('reminders.active')}>
            {active.map((r) => (
              <ReminderEntry key={r.id} r={r} />
            ))}
          </ul>
        )}
        {dismissed.length > 0 && (
          <>
            <h3 className="sidebar-heading">{t('reminders.dismissedHeading')}</h3>
            <ul className="reminder-list" aria-label={t('reminders.dismissedHeading')}>
              {dismissed.map((r) => (
                <ReminderEntry key={r.id} r={r} />
              ))}
            </ul>
          </>
        )}
      </div>
    </Modal>
  );
}
