// Short notices at the bottom corner: actions the server refused later (with the reason in the
// reader's language, "Taken by X" for a lost claim) and immediate failures of an action.
import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import type { ErrorBody } from '../../src-shared/errors';
import { IPC_EVENTS, type IpcEventName } from '../../src-shared/ipc';
import { subscribe } from '../bridge/client';
import { describeErrorBody } from '../i18n/errors';
import { useNameOf } from '../state/people';
import { syncStatusQuery } from '../state/queries';
import { useUi, type Toast } from '../state/ui-store';
import { IconAlert, IconX } from './icons';

const TOAST_MS = 10_000;
/** A rejection the core may report as its own event (when it has one) carrying the error. */
const REJECTED_EVENT = 'mutation.rejected';
/** Codes that say the server refused an action, as opposed to the connection state the banner shows. */
const REFUSALS: ReadonlySet<string> = new Set(['ALREADY_ASSIGNED', 'FORBIDDEN', 'INVALID_TRANSITION', 'CONVERSATION_CLOSED', 'NOT_FOUND', 'INVALID_ARGS', 'UNKNOWN_MUTATION']);

function errorOf(payload: unknown): ErrorBody | null {
  if (!payload || typeof payload !== 'object') return null;
  const p = payload as { error?: unknown; code?: unknown };
  const body = (p.error ?? p) as Partial<ErrorBody>;
  return typeof body.code === 'string' ? (body as ErrorBody) : null;
}

/** Turns server refusals into toasts: from the core's rejection event when the contract has one,
 *  else from a new lastError in the sync status. */
function useRejections(): void {
  const pushToast = useUi((s) => s.pushToast);
  const status = useQuery(syncStatusQuery());
  const hasEvent = (IPC_EVENTS as readonly string[]).includes(REJECTED_EVENT);
  const last = useRef<string | null | undefined>(undefined);
  useEffect(() => {
    if (!hasEvent) return;
    return subscribe(REJECTED_EVENT as IpcEventName, (payload: unknown) => {
      const error = errorOf(payload);
      if (error) pushToast({ error });
    });
  }, [hasEvent, pushToast]);
  const lastError = status.data?.lastError ?? null;
  useEffect(() => {
    if (hasEvent || status.data === undefined) return;
    const key = lastError ? JSON.stringify(lastError) : null;
    // The first status read may carry an old error: only changes are news.
    if (last.current !== undefined && key !== last.current && lastError && REFUSALS.has(lastError.code)) pushToast({ error: lastError });
    last.current = key;
  }, [hasEvent, lastError, status.data, pushToast]);
}

function ToastItem({ toast }: { toast: Toast }) {
  const { t } = useTranslation();
  const nameOf = useNameOf();
  const dismiss = useUi((s) => s.dismissToast);
  useEffect(() => {
    const timer = setTimeout(() => dismiss(toast.id), TOAST_MS);
    return () => clearTimeout(timer);
  }, [toast.id, dismiss]);
  const text = toast.error ? describeErrorBody(t, toast.error, nameOf) : t(toast.key ?? 'errors.INTERNAL', toast.values);
  return (
    <li className={`toast${toast.error ? ' toast-error' : ''}`} data-code={toast.error?.code}>
      {toast.error && <IconAlert size={15} />}
      <span>{text}</span>
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
