// Short notices at the bottom corner: actions the server refused later (with the reason in the
// reader's language, "Taken by X" for a lost claim), immediate failures of an action, and the word
// that an action with nothing else to show worked ("Link copied").
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { subscribe } from '../bridge/client';
import { describeErrorBody } from '../i18n/errors';
import { useNameOf } from '../state/people';
import { useUi, type Toast } from '../state/ui-store';
import { IconAlert, IconCheck, IconX } from './icons';

const TOAST_MS = 10_000;

/** Turns the server's refusals of queued actions (the core's `mutation.rejected` event) into toasts. */
function useRejections(): void {
  const pushToast = useUi((s) => s.pushToast);
  useEffect(() => subscribe('mutation.rejected', ({ error }) => pushToast({ error })), [pushToast]);
}

function ToastItem({ toast }: { toast: Toast }) {
  const { t } = useTranslation();
  const nameOf = useNameOf();
  const dismiss = useUi((s) => s.dismissToast);
  useEffect(() => {
    const timer = setTimeout(() => dismiss(toast.id), TOAST_MS);
    return () => clearTimeout(timer);
  }, [toast.id, dismiss]);
  if (!toast.error)
    return (
      <li className="toast toast-notice" data-notice={toast.notice}>
        <IconCheck size={15} />
        <span>{t(toast.notice, toast.values)}</span>
        <button type="button" className="icon-button" aria-label={t('dialog.dismiss')} onClick={() => dismiss(toast.id)}>
          <IconX />
        </button>
      </li>
    );
  return (
    <li className="toast toast-error" data-code={toast.error.code}>
      <IconAlert size={15} />
      <span>{describeErrorBody(t, toast.error, nameOf)}</span>
      <button type="button" className="icon-button" aria-label={t('dialog.dismiss')} onClick={() => dismiss(toast.id)}>
        <IconX />
      </button>
    </li>
  );
}

export function Toasts() {
  const { t } = useTranslation();
  useRejections();
  const toasts = useUi((s) => s.toasts);
  return (
    <ol className="toasts" role="status" aria-live="polite" aria-label={t('toasts.label')}>
      {toasts.map((toast) => (
        <ToastItem key={toast.id} toast={toast} />
      ))}
    </ol>
  );
}
