// The reply box. Enter sends, Shift+Enter adds a line; the draft is kept per conversation, and is
// cleared only once the core has recorded the message in its outbox.
import { useMutation } from '@tanstack/react-query';
import { useEffect, useId, useRef, type FormEvent, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { MESSAGE_MAX_CHARS } from '../../src-shared/domain';
import type { ConversationItem } from '../../src-shared/ipc';
import { call, errorCode } from '../bridge/client';
import { useUi } from '../state/ui-store';
import { IconSend } from './icons';

export function Composer({ item }: { item: ConversationItem }) {
  const { t } = useTranslation();
  const draft = useUi((s) => s.drafts[item.id] ?? '');
  const setDraft = useUi((s) => s.setDraft);
  const hintId = useId();
  const errorId = useId();
  const box = useRef<HTMLTextAreaElement>(null);
  const send = useMutation({
    mutationFn: (body: string) => call('message.send', { conversationId: item.id, body }),
    onSuccess: (_r, body) => {
      // Only clear what was sent: the agent may have kept typing meanwhile.
      if ((useUi.getState().drafts[item.id] ?? '') === body) setDraft(item.id, '');
    },
  });
  const { reset } = send;
  useEffect(() => {
    reset();
    box.current?.focus();
  }, [item.id, reset]);

  const closed = item.status === 'closed';
  const over = draft.length - MESSAGE_MAX_CHARS;
  const canSend = !closed && draft.trim().length > 0 && over <= 0 && !send.isPending;

  const submit = (e?: FormEvent) => {
    e?.preventDefault();
    if (canSend) send.mutate(draft);
  };
  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      submit();
    }
  };

  return (
    <form className="composer" onSubmit={submit}>
      {closed && <p className="composer-note">{t('composer.closed')}</p>}
      {send.isError && (
        <p className="composer-error" role="alert" id={errorId}>
          {t(`errors.${errorCode(send.error)}`)}
        </p>
      )}
      <div className="composer-box">
        <textarea
          ref={box}
          rows={3}
          value={draft}
          disabled={closed}
          placeholder={t('composer.placeholder')}
          aria-label={t('composer.label', { name: item.contactName })}
          aria-describedby={send.isError ? `${hintId} ${errorId}` : hintId}
          onChange={(e) => setDraft(item.id, e.target.value)}
          onKeyDown={onKeyDown}
        />
        <div className="composer-bar">
          <span className="composer-hint" id={hintId}>
            {over > 0 ? <span className="danger-text">{t('composer.tooLong', { count: over })}</span> : t('composer.hint')}
          </span>
          <button type="submit" className="button primary" disabled={!canSend}>
            <IconSend />
            <span>{t('composer.send')}</span>
          </button>
        </div>
      </div>
    </form>
  );
}
