// A dialog over the workspace: labelled by its title, Escape or a click outside closes it, focus
// moves in on open and back to where it was on close.
import { useEffect, useId, useRef, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
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
