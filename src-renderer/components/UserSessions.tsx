// An admin's view of one person's sign-in sessions (device, signed in, last used), each with "End
// session": that device is signed out at once. Asked from the server each time it opens (sessions are
// not in the mirror), so it says so when the server cannot be reached.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { User } from '../../src-shared/domain';
import type { AdminSession } from '../../src-shared/http';
import { call, errorCode } from '../bridge/client';
import { dateTime } from '../i18n/format';
import { perform } from '../state/perform';
import { Modal } from './Modal';

const sessionsKey = (userId: string) => ['adminSessions', userId] as const;

/** "Bandeja/0.1.0 (electron; win32)" -> "Desktop app · Windows · Bandeja 0.1.0"; anything else as sent. */
function useDeviceName(): (session: AdminSession) => string {
  const { t } = useTranslation();
  return (session) => {
    const m = /^Bandeja\/(\S+) \((electron|headless); (\w+)\)$/.exec(session.device);
    if (!m) return session.device || t('sessions.unknownDevice');
    const platform = t(`sessions.platforms.${m[3]}`, { defaultValue: m[3] });
    return `${t(`sessions.kinds.${m[2]}`)} · ${platform} · Bandeja ${m[1]}`;
  };
}

export function UserSessionsDialog({ user, onClose }: { user: User; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const client = useQueryClient();
  const deviceName = useDeviceName();
  const [ending, setEnding] = useState<string | null>(null);
  const sessions = useQuery({
    queryKey: sessionsKey(user.id),
    queryFn: () => call('admin.sessions.list', { userId: user.id }),
    retry: false,
    staleTime: 0,
  });
  const end = async (session: AdminSession) => {
    setEnding(session.id);
    await perform(call('admin.session.end', { sessionId: session.id }));
    setEnding(null);
    await client.invalidateQueries({ queryKey: sessionsKey(user.id) });
  };
  return (
    <Modal title={t('sessions.title', { name: user.name })} onClose={onClose} className="modal-wide">
      <div className="modal-body">
        <p className="muted">{t('sessions.intro')}</p>
        {sessions.isPending && <p role="status">{t('sessions.loading')}</p>}
        {sessions.isError && (
          <p className="notice" role="alert">
            {t(`errors.${errorCode(sessions.error)}`)}
          </p>
        )}
        {sessions.data && sessions.data.length === 0 && <p role="status">{t('sessions.none', { name: user.name })}</p>}
        {sessions.data && sessions.data.length > 0 && (
          <table className="admin-table" data-testid="user-sessions">
            <thead>
              <tr>
                <th scope="col">{t('sessions.device')}</th>
                <th scope="col">{t('sessions.signedIn')}</th>
                <th scope="col">{t('sessions.lastSeen')}</th>
                <th scope="col">
                  <span className="visually-hidden">{t('admin.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {sessions.data.map((s) => (
                <tr key={s.id} data-session-id={s.id}>
                  <td>
                    <span>{deviceName(s)}</span>
                    {s.current && <span className="state-pill state-active">{t('sessions.thisDevice')}</span>}
                  </td>
                  <td>{dateTime(i18n.language, s.createdAt)}</td>
                  <td>{dateTime(i18n.language, s.lastSeenAt)}</td>
                  <td>
                    <button
                      type="button"
                      className="button small"
                      disabled={ending === s.id}
                      aria-label={t('sessions.endOn', { device: deviceName(s) })}
                      onClick={() => void end(s)}
                    >
                      {t('sessions.end')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </Modal>
  );
}
