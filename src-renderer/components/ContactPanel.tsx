// The right-side contact panel: every field editable in place and saved on its own (with the
// field's base version, so edits of other fields merge), channel identities, the contact's
// conversations, the field history; plus the dialogs to add a contact by hand and to merge two.
import { useQuery } from '@tanstack/react-query';
import { useId, useState, type FormEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useShallow } from 'zustand/react/shallow';
import type { Contact, ContactFieldDefinition, CustomValue } from '../../src-shared/domain';
import { call } from '../bridge/client';
import { fullDateTime, listTime } from '../i18n/format';
import { useNameOf } from '../state/people';
import { perform } from '../state/perform';
import { contactQuery, conversationQuery, directoryQuery, searchQuery } from '../state/queries';
import { useUi } from '../state/ui-store';
import { Avatar } from './Avatar';
import { IconEdit, IconPlus, IconX } from './icons';
import { Modal } from './Modal';
import { Picker, type PickerOption } from './Picker';

type Kind = 'text' | 'list' | 'owner' | ContactFieldDefinition['type'];

function toDraft(kind: Kind, value: unknown): string {
  if (value === null || value === undefined) return '';
  if (kind === 'list') return (value as string[]).join(', ');
  if (kind === 'checkbox') return value ? 'true' : '';
  return String(value);
}

function fromDraft(kind: Kind, draft: string): string | number | boolean | string[] | null {
  switch (kind) {
    case 'list':
      return draft
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean);
    case 'owner':
      return draft || null;
    case 'number':
      return draft.trim() === '' ? null : Number(draft);
    case 'checkbox':
      return draft === 'true';
    case 'text':
      return draft;
    default:
      return draft || null;
  }
}

function FieldRow({
  contact,
  field,
  label,
  kind,
  value,
  display,
  options,
}: {
  contact: Contact;
  field: string;
  label: string;
  kind: Kind;
  value: unknown;
  display: ReactNode;
  options?: { value: string; label: string }[];
}) {
  const { t } = useTranslation();
  const [draft, setDraft] = useState<string | null>(null);
  // The field's version when editing started: a teammate's write while this edit is open must be
  // seen by the server as a conflict (and kept in history), not silently taken as the base.
  const [base, setBase] = useState(0);
  const inputId = useId();
  const save = async (e?: FormEvent) => {
    e?.preventDefault();
    if (draft === null) return;
    const done = await perform(
      call('contact.update', { contactId: contact.id, fields: { [field]: fromDraft(kind, draft) }, base: { [field]: base } }),
    );
    if (done) setDraft(null);
  };
  if (draft === null)
    return (
      <div className="field" data-field={field}>
        <dt>{label}</dt>
        <dd>
          <span className="field-value">{display}</span>
          <button
            type="button"
            className="icon-button"
            aria-label={t('contact.edit', { field: label })}
            title={t('contact.edit', { field: label })}
            onClick={() => {
              setBase(contact.fieldVersions[field] ?? 0);
              setDraft(toDraft(kind, value));
            }}
          >
            <IconEdit size={14} />
          </button>
        </dd>
      </div>
    );
  let input: ReactNode;
  if (kind === 'owner' || kind === 'select')
    input = (
      <select id={inputId} value={draft} onChange={(e) => setDraft(e.target.value)} autoFocus>
        <option value="">{t('contact.empty')}</option>
        {options?.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    );
  else if (kind === 'checkbox')
    input = (
      <input id={inputId} type="checkbox" checked={draft === 'true'} onChange={(e) => setDraft(e.target.checked ? 'true' : '')} autoFocus />
    );
  else
    input = (
      <input
        id={inputId}
        type={kind === 'number' ? 'number' : kind === 'date' ? 'date' : 'text'}
        value={draft}
        autoFocus
        placeholder={kind === 'list' ? t('contact.listHint') : undefined}
        onChange={(e) => setDraft(e.target.value)}
      />
    );
  return (
    <form
      className="field field-editing"
      data-field={field}
      onSubmit={save}
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.stopPropagation();
          setDraft(null);
        }
      }}
    >
      <label htmlFor={inputId}>{label}</label>
      <div className="field-edit">
        {input}
        <button type="submit" className="button small primary">
          {t('contact.save')}
        </button>
        <button type="button" className="button small" onClick={() => setDraft(null)}>
          {t('dialog.cancel')}
        </button>
      </div>
    </form>
  );
}

function customDisplay(def: ContactFieldDefinition, value: CustomValue | undefined, t: (k: string) => string): string {
  if (value === null || value === undefined || value === '') return '—';
  if (def.type === 'checkbox') return value ? t('contact.yes') : t('contact.no');
  return String(value);
}

function historyValue(value: unknown): string {
  if (value === null || value === undefined || value === '') return '—';
  if (Array.isArray(value)) return value.join(', ') || '—';
  return String(value);
}

export function ContactPanel() {
  const { t, i18n } = useTranslation();
  const { selected, panelContactId, toggleContactPanel, openDialog, openAtMessage } = useUi(
    useShallow((s) => ({
      selected: s.selectedConversationId,
      panelContactId: s.panelContactId,
      toggleContactPanel: s.toggleContactPanel,
      openDialog: s.openDialog,
      openAtMessage: s.openAtMessage,
    })),
  );
  const detail = useQuery({ ...conversationQuery(selected ?? ''), enabled: selected !== null && panelContactId === null });
  const contactId = panelContactId ?? detail.data?.contact.id ?? null;
  const data = useQuery({ ...contactQuery(contactId ?? ''), enabled: contactId !== null });
  const directory = useQuery(directoryQuery());
  const nameOf = useNameOf();
  const contact = data.data?.contact;
  const users = (directory.data?.users ?? []).filter((u) => u.active);
  const defs = (directory.data?.contactFields ?? []).filter((d) => d.active);
  const inboxName = (id: string) => directory.data?.inboxes.find((i) => i.id === id)?.name ?? '';
  const fieldLabel = (field: string) =>
    field.startsWith('custom.') ? (defs.find((d) => `custom.${d.key}` === field)?.label ?? field.slice(7)) : t(`contact.fields.${field}`);

  return (
    <aside className="contact-panel" aria-label={t('contact.panel')} data-testid="contact-panel">
      <header className="contact-panel-header">
        <h2>{t('contact.panel')}</h2>
        <button
          type="button"
          className="icon-button"
          aria-label={t('contact.new')}
          title={t('contact.new')}
          onClick={() => openDialog({ kind: 'newContact' })}
        >
          <IconPlus />
        </button>
        <button
          type="button"
          className="icon-button"
          aria-label={t('contact.hide')}
          title={t('contact.hide')}
          onClick={() => toggleContactPanel(false)}
        >
          <IconX />
        </button>
      </header>
      {!contact && <p className="muted contact-empty">{t('contact.noneOpen')}</p>}
      {contact && data.data && (
        <div className="contact-body">
          <div className="contact-hero">
            <Avatar name={contact.name} size={44} />
            <div>
              <p className="contact-name">{contact.name}</p>
              <p className="muted small">{t('contact.since', { date: listTime(i18n.language, contact.createdAt) })}</p>
            </div>
          </div>
          <dl className="fields">
            <FieldRow
              contact={contact}
              field="name"
              label={t('contact.fields.name')}
              kind="text"
              value={contact.name}
              display={contact.name}
            />
            <FieldRow
              contact={contact}
              field="phones"
              label={t('contact.fields.phones')}
              kind="list"
              value={contact.phones}
              display={contact.phones.join(', ') || '—'}
            />
            <FieldRow
              contact={contact}
              field="emails"
              label={t('contact.fields.emails')}
              kind="list"
              value={contact.emails}
              display={contact.emails.join(', ') || '—'}
            />
            <FieldRow
              contact={contact}
              field="ownerId"
              label={t('contact.fields.ownerId')}
              kind="owner"
              value={contact.ownerId}
              display={contact.ownerId ? nameOf(contact.ownerId) : '—'}
              options={users.map((u) => ({ value: u.id, label: u.name }))}
            />
            {defs.map((d) => (
              <FieldRow
                key={d.id}
                contact={contact}
                field={`custom.${d.key}`}
                label={d.label}
                kind={d.type}
                value={contact.custom[d.key] ?? null}
                display={customDisplay(d, contact.custom[d.key], t)}
                options={d.options.map((o) => ({ value: o, label: o }))}
              />
            ))}
          </dl>
          <section className="contact-section">
            <h3>{t('contact.identities')}</h3>
            {contact.identities.length === 0 && <p className="muted small">{t('contact.noIdentities')}</p>}
            <ul className="plain-list">
              {contact.identities.map((idn) => (
                <li key={`${idn.inboxId}:${idn.externalId}`}>
                  <span className="chip">{t(`channel.${idn.channel}`)}</span> <span className="muted small">{inboxName(idn.inboxId)}</span>{' '}
                  <code className="small">{idn.externalId}</code>
                </li>
              ))}
            </ul>
          </section>
          <section className="contact-section">
            <h3>{t('contact.timeline')}</h3>
            <ul className="plain-list timeline">
              {data.data.conversations.map((c) => (
                <li key={c.id}>
                  <button
                    type="button"
                    className="timeline-item"
                    aria-current={c.id === selected ? 'true' : undefined}
                    onClick={() => openAtMessage(c.id, null)}
                  >
                    <span className={`status-pill status-${c.status}`}>{t(`conversation.status.${c.status}`)}</span>
                    <span className="timeline-preview">{c.lastMessagePreview || t('messages.empty')}</span>
                    <time className="muted small">{listTime(i18n.language, c.lastMessageAt)}</time>
                  </button>
                </li>
              ))}
            </ul>
          </section>
          <section className="contact-section">
            <h3>{t('contact.history')}</h3>
            {data.data.history.length === 0 && <p className="muted small">{t('contact.noHistory')}</p>}
            <ul className="plain-list history">
              {data.data.history.map((h) => (
                <li key={h.id} className={h.conflict ? 'history-conflict' : undefined}>
                  <span>
                    {t('contact.changed', { field: fieldLabel(h.field), before: historyValue(h.before), after: historyValue(h.after) })}
                  </span>
                  <span className="muted small">
                    {h.byId ? nameOf(h.byId) : t('event.someone')} · {fullDateTime(i18n.language, h.at)}
                    {h.conflict && <> · {t('contact.conflict')}</>}
                  </span>
                </li>
              ))}
            </ul>
          </section>
          <button type="button" className="button" onClick={() => openDialog({ kind: 'merge', contactId: contact.id })}>
            {t('contact.merge')}
          </button>
        </div>
      )}
    </aside>
  );
}

export function NewContactDialog() {
  const { t } = useTranslation();
  const { openDialog, showContact } = useUi(useShallow((s) => ({ openDialog: s.openDialog, showContact: s.showContact })));
  const [name, setName] = useState('');
  const [phones, setPhones] = useState('');
  const [emails, setEmails] = useState('');
  const ids = { name: useId(), phones: useId(), emails: useId() };
  const list = (s: string) =>
    s
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const made = await perform(call('contact.create', { name: name.trim(), phones: list(phones), emails: list(emails), custom: {} }));
    if (made) {
      openDialog(null);
      showContact(made.id);
    }
  };
  return (
    <Modal title={t('contact.new')} onClose={() => openDialog(null)}>
      <form className="modal-body form" onSubmit={submit}>
        <label htmlFor={ids.name}>{t('contact.fields.name')}</label>
        <input id={ids.name} required maxLength={120} value={name} onChange={(e) => setName(e.target.value)} data-autofocus />
        <label htmlFor={ids.phones}>{t('contact.fields.phones')}</label>
        <input id={ids.phones} value={phones} placeholder={t('contact.listHint')} onChange={(e) => setPhones(e.target.value)} />
        <label htmlFor={ids.emails}>{t('contact.fields.emails')}</label>
        <input id={ids.emails} value={emails} placeholder={t('contact.listHint')} onChange={(e) => setEmails(e.target.value)} />
        <div className="modal-actions">
          <button type="button" className="button" onClick={() => openDialog(null)}>
            {t('dialog.cancel')}
          </button>
          <button type="submit" className="button primary" disabled={!name.trim()}>
            {t('contact.create')}
          </button>
        </div>
      </form>
    </Modal>
  );
}

export function MergeDialog({ contactId }: { contactId: string }) {
  const { t } = useTranslation();
  const openDialog = useUi((s) => s.openDialog);
  const target = useQuery(contactQuery(contactId));
  const [q, setQ] = useState('');
  const [source, setSource] = useState<PickerOption | null>(null);
  const hits = useQuery(searchQuery(q));
  const options: PickerOption[] = (hits.data?.contacts ?? [])
    .filter((c) => c.id !== contactId)
    .map((c) => ({ id: c.id, label: c.name, detail: [...c.phones, ...c.emails].join(', '), icon: <Avatar name={c.name} size={24} /> }));
  const targetName = target.data?.contact.name ?? '';
  const merge = async () => {
    if (source && (await perform(call('contact.merge', { targetId: contactId, sourceId: source.id })))) openDialog(null);
  };
  return (
    <Modal title={t('contact.mergeTitle', { name: targetName })} onClose={() => openDialog(null)} className="modal-picker">
      <div className="modal-body">
        {!source ? (
          <Picker
            label={t('contact.mergePick')}
            options={options}
            query={q}
            onQuery={setQ}
            onPick={setSource}
            placeholder={t('contact.mergeSearch')}
            emptyText={q ? t('picker.nothing') : t('contact.mergeType')}
          />
        ) : (
          <>
            <p>{t('contact.mergeConfirm', { source: source.label, target: targetName })}</p>
            <div className="modal-actions">
              <button type="button" className="button" onClick={() => setSource(null)}>
                {t('dialog.back')}
              </button>
              <button type="button" className="button primary" data-autofocus onClick={() => void merge()}>
                {t('contact.mergeSubmit')}
              </button>
            </div>
          </>
        )}
      </div>
    </Modal>
  );
}
