// Dialogs about messages: Forward (pick one or more conversations, found by name through the inbox
// lists and the search index) and Resume conversation (pick an approved template of the inbox, fill
// its {{n}} variables with a live preview, send it: the only way to write outside the reply window).
import { useQueries, useQuery } from '@tanstack/react-query';
import { useId, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { MessageTemplate } from '../../src-shared/domain';
import type { ConversationItem, Session } from '../../src-shared/ipc';
import { canSendFreeText } from '../../src-shared/rules/channelWindow';
import { templateParts, templateVariableCount } from '../../src-shared/rules/templates';
import { seesEverything } from '../../src-shared/rules/visibility';
import { call } from '../bridge/client';
import { conversationQuery, inboxListQuery, searchQuery, templatesQuery } from '../state/queries';
import { useNow } from '../state/replyWindow';
import { useUi } from '../state/ui-store';
import { IconSearch } from './icons';
import { DialogForm, Modal, useCloseDialog, useDialogAction } from './Modal';
import { fold } from './Picker';

const MAX_TARGETS = 20;

/** Conversations the agent may forward to: their open and pending ones and the unassigned queue (all of
 *  them for supervisors), plus any conversation the search finds by contact name or words. */
function useForwardTargets(session: Session, q: string, excludeId: string): ConversationItem[] {
  const lists = useQueries({
    queries: [
      inboxListQuery({ view: { kind: 'mine' }, status: 'open', sort: 'newest' }),
      inboxListQuery({ view: { kind: 'mine' }, status: 'pending', sort: 'newest' }),
      inboxListQuery({ view: { kind: seesEverything(session.user.role) ? 'all' : 'unassigned' }, status: 'open', sort: 'newest' }),
    ],
  });
  const search = useQuery(searchQuery(q.trim()));
  const listed = new Map<string, ConversationItem>();
  for (const list of lists) for (const c of list.data ?? []) listed.set(c.id, c);
  const found = q.trim()
    ? [
        ...new Set([
          ...(search.data?.contacts ?? []).map((c) => c.conversationId),
          ...(search.data?.messages ?? []).map((m) => m.conversationId),
        ]),
      ].filter((id): id is string => id !== null && !listed.has(id))
    : [];
  const extra = useQueries({ queries: found.slice(0, 20).map((id) => conversationQuery(id)) });
  const all = [...listed.values(), ...extra.flatMap((r) => (r.data ? [r.data.conversation] : []))];
  const needle = fold(q.trim());
  return all.filter(
    (c) =>
      c.id !== excludeId &&
      c.status !== 'closed' &&
      (!needle || found.includes(c.id) || fold(`${c.contactName} ${c.inboxName}`).includes(needle)),
  );
}

export function ForwardDialog({
  messageId,
  fromConversationId,
  session,
}: {
  messageId: string;
  fromConversationId: string;
  session: Session;
}) {
  const { t } = useTranslation();
  const close = useCloseDialog();
  const [q, setQ] = useState('');
  const [picked, setPicked] = useState<ConversationItem[]>([]);
  const now = useNow();
  const searchId = useId();
  const targets = useForwardTargets(session, q, fromConversationId);
  const pickedIds = new Set(picked.map((c) => c.id));
  // The picked ones stay in sight (and checked) while the agent searches for more.
  const shown = [...picked, ...targets.filter((c) => !pickedIds.has(c.id))];
  const toggle = (c: ConversationItem) =>
    setPicked((p) => (pickedIds.has(c.id) ? p.filter((x) => x.id !== c.id) : [...p, c].slice(0, MAX_TARGETS)));
  const send = useDialogAction(
    () => call('message.forward', { messageId, toConversationIds: picked.map((c) => c.id) }),
    () => useUi.getState().pushToast({ notice: 'forward.done', values: { count: picked.length } }),
  );
  return (
    <Modal title={t('forward.title')} onClose={close} className="modal-wide">
      <DialogForm
        className="forward-form"
        onSubmit={send.run}
        submitLabel={t('forward.submit', { count: picked.length })}
        canSubmit={picked.length > 0}
        busy={send.busy}
        before={<span className="muted small forward-count">{t('forward.count', { count: picked.length })}</span>}
      >
        <label htmlFor={searchId}>{t('forward.search')}</label>
        <span className="search-input">
          <IconSearch size={14} />
          <input
            id={searchId}
            type="search"
            value={q}
            placeholder={t('forward.placeholder')}
            onChange={(e) => setQ(e.target.value)}
            data-autofocus
          />
        </span>
        <fieldset className="forward-targets">
          <legend className="visually-hidden">{t('forward.targets')}</legend>
          {shown.length === 0 && <p className="muted">{t('picker.nothing')}</p>}
          {shown.map((c) => {
            const closedWindow = !canSendFreeText(c.channel, c.lastCustomerMessageAt, now);
            return (
              <label key={c.id} className={`check forward-target${closedWindow ? ' is-disabled' : ''}`} data-conversation-id={c.id}>
                <input
                  type="checkbox"
                  checked={pickedIds.has(c.id)}
                  disabled={closedWindow || (!pickedIds.has(c.id) && picked.length >= MAX_TARGETS)}
                  onChange={() => toggle(c)}
                />
                <span className="forward-name">{c.contactName}</span>
                <span className="muted small">
                  {t(`channel.${c.channel}`)} · {c.inboxName}
                  {closedWindow && ` · ${t('forward.windowClosed')}`}
                </span>
              </label>
            );
          })}
        </fieldset>
      </DialogForm>
    </Modal>
  );
}

/** The template's body with the values typed so far; unfilled variables stay visible as {{n}}. */
export function TemplatePreview({ body, values }: { body: string; values: readonly string[] }) {
  return (
    <p className="template-preview" data-testid="template-preview">
      {templateParts(body, values).map((p, i) =>
        p.kind === 'text' ? (
          p.text
        ) : p.value === null ? (
          <mark key={i} className="placeholder-chip">{`{{${p.index}}}`}</mark>
        ) : (
          <strong key={i} className="template-value">
            {p.value.trim()}
          </strong>
        ),
      )}
    </p>
  );
}

export function ResumeDialog({ conversationId }: { conversationId: string }) {
  const { t } = useTranslation();
  const close = useCloseDialog();
  const detail = useQuery(conversationQuery(conversationId));
  const inboxId = detail.data?.conversation.inboxId ?? null;
  const templates = useQuery({ ...templatesQuery(inboxId), enabled: inboxId !== null });
  const approved = (templates.data ?? []).filter((x) => x.status === 'approved');
  const [chosenId, setChosenId] = useState<string | null>(null);
  const [values, setValues] = useState<string[]>([]);
  const chosen: MessageTemplate | undefined = approved.find((x) => x.id === chosenId) ?? (approved.length === 1 ? approved[0] : undefined);
  const count = chosen ? templateVariableCount(chosen.body) : 0;
  const filled = useMemo(() => Array.from({ length: count }, (_, i) => values[i] ?? ''), [count, values]);
  const groupName = useId();
  const send = useDialogAction((template: MessageTemplate) =>
    call('message.sendTemplate', { conversationId, templateId: template.id, variables: filled.map((v) => v.trim()) }),
  );
  return (
    <Modal title={t('resume.title', { name: detail.data?.conversation.contactName ?? '' })} onClose={close} className="modal-wide">
      <DialogForm
        className="resume-form"
        onSubmit={() => chosen && send.run(chosen)}
        submitLabel={t('resume.send')}
        canSubmit={chosen !== undefined && filled.every((v) => v.trim().length > 0)}
        busy={send.busy}
      >
        <p className="muted small">{t('resume.intro')}</p>
        {templates.isSuccess && approved.length === 0 && (
          <p className="notice" role="status">
            {t('resume.none')}
          </p>
        )}
        {approved.length > 0 && (
          <fieldset className="template-choices">
            <legend>{t('resume.pick')}</legend>
            {approved.map((x) => (
              <label key={x.id} className="template-choice" data-template={x.name}>
                <input
                  type="radio"
                  name={groupName}
                  checked={chosen?.id === x.id}
                  onChange={() => {
                    setChosenId(x.id);
                    setValues([]);
                  }}
                />
                <span className="template-choice-head">
                  <strong>{x.name}</strong>
                  <span className="chip">{x.language}</span>
                  <span className="chip">{t(`templates.categories.${x.category}`)}</span>
                </span>
                <span className="template-choice-body">{x.body}</span>
              </label>
            ))}
          </fieldset>
        )}
        {chosen && count > 0 && (
          <fieldset className="template-variables">
            <legend>{t('resume.variables')}</legend>
            {filled.map((v, i) => (
              <label key={i} className="template-variable">
                <span className="placeholder-chip neutral">{`{{${i + 1}}}`}</span>
                <input
                  value={v}
                  maxLength={1024}
                  aria-label={t('resume.variable', { n: i + 1 })}
                  onChange={(e) => setValues(filled.map((old, j) => (j === i ? e.target.value : old)))}
                />
              </label>
            ))}
          </fieldset>
        )}
        {chosen && (
          <section className="template-preview-box" aria-label={t('resume.preview')}>
            <h3>{t('resume.preview')}</h3>
            <TemplatePreview body={chosen.body} values={filled} />
          </section>
        )}
      </DialogForm>
    </Modal>
  );
}
