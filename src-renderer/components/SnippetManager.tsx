// Keeping snippets: an agent's personal ones (from the user menu) or the shared ones (admin screen).
// Title, shortcut and body, with the variables a body may use listed to insert at the caret, and one
// optional file that goes into the composer's tray when the snippet is inserted.
// Saves and deletes go through the outbox like every other change, so they work offline.
import { useQuery } from '@tanstack/react-query';
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { MESSAGE_MAX_CHARS, type Attachment, type Snippet } from '../../src-shared/domain';
import { call } from '../bridge/client';
import { describeError } from '../i18n/errors';
import { stageFile } from '../services/attachmentFiles';
import { AttachButton, AttachmentPreview } from './AttachmentTray';
import { perform } from '../state/perform';
import { directoryQuery, snippetsQuery } from '../state/queries';
import { useUi } from '../state/ui-store';
import { Modal } from './Modal';

const BUILT_IN_VARIABLES = [
  'contact.first_name',
  'contact.name',
  'contact.phone',
  'contact.email',
  'agent.first_name',
  'agent.name',
  'conversation.id',
] as const;
const SHORTCUT = /^[a-z0-9_-]{1,32}$/;

type Editing = { id: string | undefined; title: string; shortcut: string; body: string; attachment: Attachment | null };
const EMPTY: Editing = { id: undefined, title: '', shortcut: '', body: '', attachment: null };

export function SnippetManager({ shared, meId }: { shared: boolean; meId: string }) {
  const { t } = useTranslation();
  const all = useQuery(snippetsQuery(true));
  const directory = useQuery(directoryQuery());
  const [editing, setEditing] = useState<Editing | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const ids = { title: useId(), shortcut: useId(), body: useId(), vars: useId(), problem: useId() };
  const bodyBox = useRef<HTMLTextAreaElement>(null);
  const newButton = useRef<HTMLButtonElement>(null);
  const mine = (all.data ?? []).filter((s) => (shared ? s.ownerId === null : s.ownerId === meId));
  const customFields = (directory.data?.contactFields ?? []).filter((f) => f.active);

  const startEdit = (s: Snippet | null) => {
    setProblem(null);
    setEditing(s ? { id: s.id, title: s.title, shortcut: s.shortcut, body: s.body, attachment: s.attachment } : EMPTY);
  };

  const save = async (e: FormEvent) => {
    e.preventDefault();
    if (!editing) return;
    const shortcut = editing.shortcut.trim().replace(/^\//, '').toLowerCase();
    if (!editing.title.trim()) return setProblem(t('snippets.needTitle'));
    if (!SHORTCUT.test(shortcut)) return setProblem(t('snippets.badShortcut'));
    if (!editing.body.trim() && !editing.attachment) return setProblem(t('snippets.needBody'));
    if (editing.body.length > MESSAGE_MAX_CHARS)
      return setProblem(t('composer.tooLong', { count: editing.body.length - MESSAGE_MAX_CHARS }));
    const taken = mine.find((s) => s.shortcut === shortcut && s.id !== editing.id);
    if (taken) return setProblem(t('snippets.shortcutTaken', { shortcut, title: taken.title }));
    const done = await perform(
      call('snippet.save', {
        id: editing.id,
        title: editing.title.trim(),
        shortcut,
        body: editing.body,
        attachment: editing.attachment,
        shared,
      }),
    );
    if (done) stopEditing();
  };

  const stopEditing = () => setEditing(null);
  const [attaching, setAttaching] = useState(false);
  // Staged like a composer attachment (checked, kept on this device by sha256); uploaded when the save
  // leaves the outbox.
  const attach = async (files: File[]) => {
    const file = files[0];
    if (!file || !editing) return;
    setProblem(null);
    setAttaching(true);
    try {
      const attachment = await stageFile(file, {
        kind: file.type.startsWith('image/') ? 'image' : file.type.startsWith('audio/') ? 'audio' : 'file',
      });
      setEditing((e) => (e ? { ...e, attachment } : e));
    } catch (e) {
      setProblem(`${file.name}: ${describeError(t, e)}`);
    } finally {
      setAttaching(false);
    }
  };
  // The form goes away with the focused control: focus stays in the manager (Escape still closes
  // the dialog, Tab still moves on).
  const wasEditing = useRef(false);
  useEffect(() => {
    if (!editing && wasEditing.current) newButton.current?.focus();
    wasEditing.current = editing !== null;
  }, [editing]);

  const insertVariable = (variable: string) => {
    if (!editing) return;
    const box = bodyBox.current;
    const start = box?.selectionStart ?? editing.body.length;
    const end = box?.selectionEnd ?? start;
    const token = `{{${variable}}}`;
    setEditing({ ...editing, body: editing.body.slice(0, start) + token + editing.body.slice(end) });
    requestAnimationFrame(() => {
      box?.focus();
      box?.setSelectionRange(start + token.length, start + token.length);
    });
  };

  return (
    <div className="snippet-manager" data-testid={shared ? 'shared-snippets' : 'my-snippets'}>
      <p className="muted small">{shared ? t('snippets.sharedIntro') : t('snippets.personalIntro')}</p>
      {mine.length === 0 && !editing && <p className="muted">{t('snippets.none')}</p>}
      {mine.length > 0 && (
        <ul className="snippet-rows">
          {mine.map((s) => (
            <li key={s.id} className="snippet-row" data-shortcut={s.shortcut}>
              <span className="snippet-option-head">
                <span className="snippet-shortcut">/{s.shortcut}</span>
                <span className="snippet-title">{s.title}</span>
              </span>
              <span className="snippet-preview">{s.body}</span>
              {s.attachment && <span className="snippet-attachment-name">📎 {s.attachment.name}</span>}
              <span className="snippet-row-actions">
                <button
                  type="button"
                  className="button small"
                  onClick={() => startEdit(s)}
                  aria-label={t('snippets.editNamed', { title: s.title })}
                >
                  {t('snippets.edit')}
                </button>
                <button
                  type="button"
                  className="button small danger"
                  aria-label={t('snippets.deleteNamed', { title: s.title })}
                  onClick={() => void perform(call('snippet.delete', { id: s.id }))}
                >
                  {t('snippets.delete')}
                </button>
              </span>
            </li>
          ))}
        </ul>
      )}
      {!editing && (
        <button type="button" className="button primary snippet-new" ref={newButton} onClick={() => startEdit(null)}>
          {t('snippets.new')}
        </button>
      )}
      {editing && (
        <form
          className="form snippet-form"
          onSubmit={(e) => void save(e)}
          aria-label={editing.id ? t('snippets.editTitle') : t('snippets.newTitle')}
        >
          <label htmlFor={ids.title}>{t('snippets.title')}</label>
          <input
            id={ids.title}
            value={editing.title}
            maxLength={80}
            onChange={(e) => setEditing({ ...editing, title: e.target.value })}
            autoFocus
          />
          <label htmlFor={ids.shortcut}>{t('snippets.shortcut')}</label>
          <span className="snippet-shortcut-input">
            <span aria-hidden="true">/</span>
            <input
              id={ids.shortcut}
              value={editing.shortcut}
              maxLength={33}
              placeholder="saludo"
              autoCapitalize="off"
              spellCheck={false}
              onChange={(e) => setEditing({ ...editing, shortcut: e.target.value })}
            />
          </span>
          <span className="muted small">{t('snippets.shortcutHelp')}</span>
          <label htmlFor={ids.body}>{t('snippets.body')}</label>
          <textarea
            id={ids.body}
            ref={bodyBox}
            rows={5}
            value={editing.body}
            aria-describedby={ids.vars}
            onChange={(e) => setEditing({ ...editing, body: e.target.value })}
          />
          <div className="snippet-variables" id={ids.vars}>
            <span className="muted small">{t('snippets.variablesHelp')}</span>
            <span className="snippet-variable-list">
              {BUILT_IN_VARIABLES.map((v) => (
                <button
                  key={v}
                  type="button"
                  className="placeholder-chip neutral"
                  onClick={() => insertVariable(v)}
                  title={t(`snippets.variables.${v.replace('.', '_')}`)}
                >
                  {`{{${v}}}`}
                </button>
              ))}
              {customFields.map((f) => (
                <button
                  key={f.id}
                  type="button"
                  className="placeholder-chip neutral"
                  onClick={() => insertVariable(`contact.${f.key}`)}
                  title={f.label}
                >
                  {`{{contact.${f.key}}}`}
                </button>
              ))}
            </span>
          </div>
          <div className="snippet-attachment" data-testid="snippet-attachment">
            <span className="form-label">{t('snippets.attachment')}</span>
            {editing.attachment ? (
              <AttachmentPreview attachment={editing.attachment} onRemove={() => setEditing({ ...editing, attachment: null })} />
            ) : (
              <span className="snippet-attach">
                <AttachButton onFiles={(f) => void attach(f)} disabled={attaching} />
                <span className="muted small">{attaching ? t('attachments.loading') : t('snippets.attachmentHelp')}</span>
              </span>
            )}
          </div>
          {problem && (
            <p className="composer-error" role="alert" id={ids.problem}>
              {problem}
            </p>
          )}
          <div className="snippet-form-actions">
            <button type="button" className="button" onClick={stopEditing}>
              {t('dialog.cancel')}
            </button>
            <button type="submit" className="button primary">
              {t('admin.save')}
            </button>
          </div>
        </form>
      )}
    </div>
  );
}

/** The personal snippets, opened from the user menu. */
export function MySnippetsDialog({ meId }: { meId: string }) {
  const { t } = useTranslation();
  const openDialog = useUi((s) => s.openDialog);
  return (
    <Modal title={t('snippets.personalTitle')} onClose={() => openDialog(null)} className="modal-wide">
      <div className="modal-body">
        <SnippetManager shared={false} meId={meId} />
      </div>
    </Modal>
  );
}
