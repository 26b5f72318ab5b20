// Who is signed in, and the per-device settings: presence (shown to teammates), language, theme;
// settings (notifications, desktop), reminders, administration (admins), the shortcut sheet, sign out.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useShallow } from 'zustand/react/shallow';
import { PRESENCES, type Presence } from '../../src-shared/domain';
import type { Session } from '../../src-shared/ipc';
import { call } from '../bridge/client';
import { perform } from '../state/perform';
import { directoryQuery, keys } from '../state/queries';
import { LANGUAGES, useUi, type Theme } from '../state/ui-store';
import { Avatar } from './Avatar';
import { IconAlarm, IconBell, IconChevronDown, IconFile, IconKeyboard, IconSettings, IconSnippet } from './icons';
import { usePopoverDismiss } from './usePopoverDismiss';

const THEMES: Theme[] = ['system', 'light', 'dark'];

export function UserMenu({ session }: { session: Session }) {
  const { t, i18n } = useTranslation();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const panelId = useId();
  const root = useRef<HTMLDivElement>(null);
  const { theme, setTheme, chooseLanguage, setSignedOut, setScreen, openDialog } = useUi(
    useShallow((s) => ({
      theme: s.theme,
      setTheme: s.setTheme,
      chooseLanguage: s.chooseLanguage,
      setSignedOut: s.setSignedOut,
      setScreen: s.setScreen,
      openDialog: s.openDialog,
    })),
  );
  const signOut = useMutation({
    mutationFn: () => call('session.logout', {}),
    onSuccess: () => {
      setSignedOut(true);
      queryClient.setQueryData(keys.session, null);
      queryClient.removeQueries({ queryKey: keys.mirror });
    },
  });

  usePopoverDismiss(open, () => setOpen(false), root);

  // For support: Electron opens the log in the system's viewer; a browser tab is told where it is.
  const openLog = async () => {
    setOpen(false);
    const opened = await perform(call('desktop.log.open', {}));
    if (!opened || opened.opened) return;
    useUi
      .getState()
      .pushToast(opened.path ? { notice: 'supportLog.openedAt', values: { path: opened.path } } : { notice: 'supportLog.none' });
  };

  // The server confirms a chosen presence through the directory; until then the choice shows as made.
  const directory = useQuery(directoryQuery());
  const shown = directory.data?.users.find((u) => u.id === session.user.id)?.presence ?? session.user.presence;
  const [chosen, setChosen] = useState<Presence | null>(null);
  const presence = chosen ?? shown;
  const choosePresence = (p: Presence) => {
    setChosen(p);
    void perform(call('presence.set', { presence: p })).then((r) => r === null && setChosen(null));
  };
  if (chosen !== null && chosen === shown) setChosen(null);

  return (
    <div className="user-menu" ref={root}>
      {open && (
        <div className="menu-panel" id={panelId} role="group" aria-label={t('menu.open', { name: session.user.name })}>
          <fieldset data-testid="presence-choice">
            <legend>{t('menu.presence')}</legend>
            {PRESENCES.map((p) => (
              <label key={p} className="menu-choice">
                <input type="radio" name="presence" value={p} checked={presence === p} onChange={() => choosePresence(p)} />
                <span className={`presence presence-${p}`} aria-hidden="true" />
                <span>{t(`presence.${p}`)}</span>
              </label>
            ))}
          </fieldset>
          <fieldset>
            <legend>{t('menu.language')}</legend>
            {LANGUAGES.map((lang) => (
              <label key={lang} className="menu-choice">
                <input type="radio" name="language" value={lang} checked={i18n.language === lang} onChange={() => chooseLanguage(lang)} />
                <span lang={lang}>{t(`languages.${lang}`)}</span>
              </label>
            ))}
          </fieldset>
          <fieldset>
            <legend>{t('menu.theme')}</legend>
            {THEMES.map((th) => (
              <label key={th} className="menu-choice">
                <input type="radio" name="theme" value={th} checked={theme === th} onChange={() => setTheme(th)} />
                <span>{t(`menu.themes.${th}`)}</span>
              </label>
            ))}
          </fieldset>
          <div className="menu-links">
            {session.user.role === 'admin' && (
              <button
                type="button"
                className="menu-link"
                onClick={() => {
                  setOpen(false);
                  setScreen('admin');
                }}
              >
                <IconSettings size={14} />
                {t('admin.title')}
              </button>
            )}
            <button
              type="button"
              className="menu-link"
              onClick={() => {
                setOpen(false);
                openDialog({ kind: 'snippets' });
              }}
            >
              <IconSnippet size={14} />
              {t('snippets.menu')}
            </button>
            <button
              type="button"
              className="menu-link"
              onClick={() => {
                setOpen(false);
                openDialog({ kind: 'shortcuts' });
              }}
            >
              <IconKeyboard size={14} />
              {t('commands.shortcuts')}
            </button>
            <button
              type="button"
              className="menu-link"
              data-action="settings"
              onClick={() => {
                setOpen(false);
                openDialog({ kind: 'settings' });
              }}
            >
              <IconBell size={14} />
              {t('settings.menu')}
            </button>
            <button
              type="button"
              className="menu-link"
              onClick={() => {
                setOpen(false);
                openDialog({ kind: 'reminders' });
              }}
            >
              <IconAlarm size={14} />
              {t('reminders.listTitle')}
            </button>
            <button type="button" className="menu-link" data-action="open-log" onClick={() => void openLog()}>
              <IconFile size={14} />
              {t('supportLog.open')}
            </button>
          </div>
          <button className="button wide" type="button" onClick={() => signOut.mutate()} disabled={signOut.isPending}>
            {t('menu.signOut')}
          </button>
        </div>
      )}
      <button
        type="button"
        className="user-button"
        aria-expanded={open}
        aria-controls={open ? panelId : undefined}
        aria-label={t('menu.open', { name: session.user.name })}
        onClick={() => setOpen((o) => !o)}
      >
        <span className="avatar-with-presence">
          <Avatar name={session.user.name} size={30} />
          <span
            className={`presence avatar-presence presence-${presence}`}
            data-testid="my-presence"
            data-presence={presence}
            title={t(`presence.${presence}`)}
          />
        </span>
        <span className="user-text">
          <span className="user-name">{session.user.name}</span>
          <span className="user-role">{t(`roles.${session.user.role}`)}</span>
        </span>
        <IconChevronDown />
      </button>
    </div>
  );
}
