// In a browser tab, desktop notifications need the person's permission. Asked once, politely, from a
// click: a thin banner above the workspace until they turn them on or say "Not now" (the settings
// dialog still offers it later).
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNotificationPermission } from '../services/desktopAlerts';
import { IconBell } from './icons';

const LATER_KEY = 'bandeja.notificationPrompt';

function saidLater(): boolean {
  try {
    return localStorage.getItem(LATER_KEY) === 'later';
  } catch {
    return false;
  }
}

export function NotificationPrompt() {
  const { t } = useTranslation();
  const permission = useNotificationPermission();
  const [later, setLater] = useState(saidLater);
  if (permission.state !== 'default' || later) return null;
  return (
    <div
      className="banner banner-quiet notification-prompt"
      role="region"
      aria-label={t('settings.promptTitle')}
      data-testid="notification-prompt"
    >
      <IconBell size={15} />
      <span className="notification-prompt-text">{t('settings.prompt')}</span>
      <span className="settings-buttons">
        <button type="button" className="button small primary" onClick={() => void permission.ask()}>
          {t('settings.allowNotifications')}
        </button>
        <button
          type="button"
          className="button small"
          onClick={() => {
            try {
              localStorage.setItem(LATER_KEY, 'later');
            } catch {
              // Without storage the card comes back next time; nothing else is lost.
            }
            setLater(true);
          }}
        >
          {t('settings.notNow')}
        </button>
      </span>
    </div>
  );
}
