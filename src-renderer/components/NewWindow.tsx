// "Open in new window": the desktop app opens a window of its own on the route (a full live view of
// the same mirror); in a browser the host has no windows, so the page opens a tab on the same route.
import { useTranslation } from 'react-i18next';
import { call } from '../bridge/client';
import { perform } from '../state/perform';
import { IconWindow } from './icons';

export function openInNewWindow(route: string): void {
  void perform(call('window.open', { route })).then((r) => {
    if (r && !r.opened) window.open(`${location.pathname}${location.search}${route}`, '_blank', 'noopener');
  });
}

export function NewWindowButton({ route, label }: { route: string; label: string }) {
  const { t } = useTranslation();
  return (
    <button
      type="button"
      className="icon-button tool-button"
      aria-label={label}
      title={label}
      data-action="new-window"
      onClick={() => openInNewWindow(route)}
    >
      <IconWindow size={15} />
      <span className="visually-hidden">{t('windows.hint')}</span>
    </button>
  );
}
