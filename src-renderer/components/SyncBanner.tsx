// Tells the agent when their work is not reaching the server, and how much is waiting.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { call } from '../bridge/client';
import { keys, syncStatusQuery } from '../state/queries';
import { useUi } from '../state/ui-store';
import { IconAlert, IconCloudOff } from './icons';

export function SyncBanner() {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const status = useQuery(syncStatusQuery());
  const setSignedOut = useUi((s) => s.setSignedOut);
  // Between retries the core passes through 'connecting'; once we have been offline that is
  // still offline to the agent, and the banner should not flicker.
  const wasOffline = useRef(false);
  const signOut = useMutation({
    mutationFn: () => call('session.logout', {}),
    onSettled: () => {
      setSignedOut(true);
      void queryClient.invalidateQueries({ queryKey: keys.session });
    },
  });

  const s = status.data;
  if (!s) return null;
  if (s.state === 'online') wasOffline.current = false;
  if (s.state === 'offline') wasOffline.current = true;

  if (s.state === 'signedOut')
    return (
      <div className="banner banner-danger" role="alert">
        <IconAlert />
        <span>{t('sync.signedOut')}</span>
        <button className="button small" type="button" onClick={() => signOut.mutate()}>
          {t('sync.signInAgain')}
        </button>
      </div>
    );

  const offline = s.state === 'offline' || (s.state === 'connecting' && wasOffline.current);
  if (offline)
    return (
      <div className="banner banner-offline" role="status" data-testid="offline-banner">
        <IconCloudOff />
        <span>{s.pending > 0 ? t('sync.offlineWaiting', { count: s.pending }) : t('sync.offline')}</span>
      </div>
    );
  if (s.state === 'connecting')
    return (
      <div className="banner banner-quiet" role="status">
        <span className="spinner" aria-hidden="true" />
        <span>{s.pending > 0 ? t('sync.connectingWaiting', { count: s.pending }) : t('sync.connecting')}</span>
      </div>
    );
  return null;
}
