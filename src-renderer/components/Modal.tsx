// A dialog over the workspace: labelled by its title, Escape or a click outside closes it, focus
// moves in on open and back to where it was on close. And what every dialog's form does: run its action
// once at a time, close when it is done, stay open (the toast says why) when it is refused.
import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { perform } from '../state/perform';
import { useUi } from '../state/ui-store';
import { IconX } from './icons';

export function Modal({
  title,
  onClose,
  children,
  className,
  hideTitle,
}: {
  title: string;
  onClose: () => void;
  children: ReactNode;
  className?: string;
  hideTitle?: boolean;
}) {
  const { t } = useTranslation();
  const titleId = useId();
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const before = document.activeElement as HTMLElement | null;
    const first = box.current?.querySelector<HTMLElement>(
      '[autofocus], [data-autofocus], input, select, textarea, button:not(.modal-close)',
    );
    (first ?? box.current)?.focus();
    return () => before?.focus?.();
  }, []);
  return (
    <div
      className="modal-backdrop"
      onMouseDown={(e) => {
        if (e.target === e.currentTarget) onClose();
      }}
    >
      <div
        ref={box}
        className={`modal${className ? ` ${className}` : ''}`}
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        tabIndex={-1}
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.stopPropagation();
            onClose();
          }
        }}
      >
        <header className={`modal-header${hideTitle ? ' visually-hidden' : ''}`}>
          <h2 id={titleId}>{title}</h2>
          <button type="button" className="icon-button modal-close" aria-label={t('dialog.close')} onClick={onClose}>
            <IconX />
          </button>
        </header>
        {children}
      </div>
    </div>
  );
}

/** Closes the dialog that is open. */
export function useCloseDialog(): () => void {
  const openDialog = useUi((s) => s.openDialog);
  return () => openDialog(null);
}

/** A dialog's action: `busy` while it runs, and a second run meanwhile (a double click) does nothing. A
 *  refusal is said in a toast and the dialog stays open; once done, `then` runs (with the action's result
 *  and arguments) and the dialog closes, if it is still the one open (not one opened after it was left). */
export function useDialogAction<A extends unknown[], T>(
  action: (...args: A) => Promise<T>,
  then?: (result: T, ...args: A) => void,
): { busy: boolean; run: (...args: A) => void } {
  const running = useRef(false);
  const [busy, setBusy] = useState(false);
  const run = (...args: A) => {
    if (running.current) return;
    running.current = true;
    setBusy(true);
    const dialog = useUi.getState().dialog;
    void perform(action(...args)).then((result) => {
      running.current = false;
      setBusy(false);
      if (result === null) return;
      then?.(result, ...args);
      const ui = useUi.getState();
      if (ui.dialog === dialog) ui.openDialog(null);
    });
  };
  return { busy, run };
}

/** A dialog's form with Cancel and its submit button at the foot (`before` goes left of them). */
export function DialogForm({
  className,
  onSubmit,
  submitLabel,
  canSubmit = true,
  busy = false,
  before,
  children,
}: {
  className?: string;
  onSubmit: () => void;
  submitLabel: string;
  canSubmit?: boolean;
  busy?: boolean;
  before?: ReactNode;
  children: ReactNode;
}) {
  const { t } = useTranslation();
  const close = useCloseDialog();
  return (
    <form
      className={`modal-body form${className ? ` ${className}` : ''}`}
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        if (canSubmit && !busy) onSubmit();
      }}
    >
      {children}
      <div className="modal-actions">
        {before}
        <button type="button" className="button" onClick={close}>
          {t('dialog.cancel')}
        </button>
        <button type="submit" className="button primary" disabled={!canSubmit || busy}>
          {submitLabel}
        </button>
      </div>
    </form>
  );
}
