// Settings of this device: which desktop notifications to show, do-not-disturb and the chime; in a
// browser, the notification permission; in the desktop app, start at login, windows and saved layouts.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { NotificationSettings, Session } from '../../src-shared/ipc';
import { seesEverything } from '../../src-shared/rules/visibility';
import { call } from '../bridge/client';
import { describeError } from '../i18n/errors';
import { playChime, useNotificationPermission } from '../services/desktopAlerts';
import { perform } from '../state/perform';
import { desktopSettingsQuery, keys, notificationSettingsQuery } from '../state/queries';
import { currentRoute } from '../state/route';
import { IconVolume, IconWindow } from './icons';
import { Modal, useCloseDialog } from './Modal';
import { openInNewWindow } from './NewWindow';

const KINDS = ['newMessage', 'newConversation', 'mention', 'reminder'] as const;

function BrowserPermission() {
  const { t } = useTranslation();
  const permission = useNotificationPermission();
  return (
    <fieldset className="settings-group" data-testid="browser-permission">
      <legend>{t('settings.browser')}</legend>
      <p className="muted small">{t(`settings.permission.${permission.state}`)}</p>
      {permission.state === 'default' && (
        <button type="button" className="button small" onClick={() => void permission.ask()}>
          {t('settings.allowNotifications')}
        </button>
      )}
    </fieldset>
  );
}

function DesktopGroup({ session }: { session: Session }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const desktop = useQuery(desktopSettingsQuery());
  const save = (p: Promise<unknown>) =>
    void perform(p).then((r) => r && queryClient.setQueryData(keys.desktopSettings, r as typeof desktop.data));
  const d = desktop.data;
  if (!d?.desktop) return null;
  return (
    <fieldset className="settings-group" data-testid="desktop-settings">
      <legend>{t('settings.desktop')}</legend>
      <label className="check">
        <input
          type="checkbox"
          checked={d.startAtLogin}
          disabled={!d.startAtLoginAvailable}
          onChange={(e) => save(call('desktop.settings.set', { startAtLogin: e.target.checked }))}
        />
        <span>{t('settings.startAtLogin')}</span>
      </label>
      {!d.startAtLoginAvailable && <p className="muted small">{t('settings.startAtLoginUnavailable')}</p>}
      <button type="button" className="button small settings-inline" onClick={() => openInNewWindow(currentRoute())}>
        <IconWindow size={13} />
        {t('windows.openView')}
      </button>
      {seesEverything(session.user.role) && (
        <>
          <p className="muted small">
            {d.layoutWindows > 0 ? t('settings.layoutSaved', { count: d.layoutWindows }) : t('settings.layoutNone')}
          </p>
          <span className="settings-buttons">
            <button type="button" className="button small" onClick={() => save(call('desktop.layout.save', {}))}>
              {t('settings.saveLayout')}
            </button>
            <button
              type="button"
              className="button small"
              disabled={d.layoutWindows === 0}
              onClick={() => save(call('desktop.layout.clear', {}))}
            >
              {t('settings.clearLayout')}
            </button>
          </span>
        </>
      )}
    </fieldset>
  );
}

export function SettingsDialog({ session, headless }: { session: Session; headless: boolean }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const close = useCloseDialog();
  const settings = useQuery(notificationSettingsQuery());
  const change = useMutation({
    mutationFn: (patch: Partial<NotificationSettings>) => call('notifications.settings.set', patch),
    onSuccess: (full) => queryClient.setQueryData(keys.notificationSettings, full),
  });
  const s = settings.data;
  const set = (patch: Partial<NotificationSettings>) => change.mutate(patch);
  return (
    <Modal title={t('settings.title')} onClose={close}>
      <div className="modal-body form settings-body" data-testid="settings">
        {s && (
          <fieldset className="settings-group" data-testid="notification-settings">
            <legend>{t('settings.notifications')}</legend>
            {KINDS.map((kind) => (
              <label key={kind} className="check" data-kind={kind}>
                <input type="checkbox" checked={s[kind]} disabled={s.doNotDisturb} onChange={(e) => set({ [kind]: e.target.checked })} />
                <span>{t(`settings.kinds.${kind}`)}</span>
              </label>
            ))}
            <label className="check settings-dnd" data-kind="doNotDisturb">
              <input type="checkbox" checked={s.doNotDisturb} onChange={(e) => set({ doNotDisturb: e.target.checked })} />
              <span>{t('settings.doNotDisturb')}</span>
            </label>
            <span className="settings-sound">
              <label className="check" data-kind="sound">
                <input type="checkbox" checked={s.sound} onChange={(e) => set({ sound: e.target.checked })} />
                <span>{t('settings.sound')}</span>
              </label>
              <button type="button" className="button small" onClick={() => void playChime()}>
                <IconVolume size={13} />
                {t('settings.playSound')}
              </button>
            </span>
          </fieldset>
        )}
        {/* A change that could not be kept: the boxes show what is kept, and this says why. */}
        {change.isError && (
          <p className="form-error" role="alert" data-testid="settings-error">
            {t('settings.notSaved', { reason: describeError(t, change.error) })}
          </p>
        )}
        {headless && <BrowserPermission />}
        <DesktopGroup session={session} />
        <div className="modal-actions">
          <button type="button" className="button primary" onClick={close}>
            {t('dialog.done')}
          </button>
        </div>
      </div>
    </Modal>
  );
}
