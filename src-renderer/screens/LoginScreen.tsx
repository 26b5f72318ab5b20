// Sign-in: server address (prefilled from the host), email, password; errors translated by code.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useShallow } from 'zustand/react/shallow';
import { call, errorCode } from '../bridge/client';
import { IconInbox } from '../components/icons';
import { appInfoQuery, keys } from '../state/queries';
import { useUi } from '../state/ui-store';

export function LoginScreen() {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const info = useQuery(appInfoQuery());
  const { signedOut, setSignedOut } = useUi(useShallow((s) => ({ signedOut: s.signedOut, setSignedOut: s.setSignedOut })));
  const [serverUrl, setServerUrl] = useState<string | null>(null);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const ids = { server: useId(), email: useId(), password: useId(), error: useId() };

  const login = useMutation({
    mutationFn: (args: { serverUrl: string; email: string; password: string }) => call('session.login', args),
    onSuccess: async (session) => {
      setSignedOut(false);
      queryClient.setQueryData(keys.session, session);
      await queryClient.invalidateQueries({ queryKey: keys.mirror });
      await queryClient.invalidateQueries({ queryKey: keys.syncStatus });
    },
  });

  const server = serverUrl ?? info.data?.defaultServerUrl ?? '';
  const submit = (e: FormEvent) => {
    e.preventDefault();
    login.mutate({ serverUrl: server.trim(), email: email.trim(), password });
  };

  return (
    <main className="login">
      <form className="login-card" onSubmit={submit} aria-describedby={login.isError ? ids.error : undefined} noValidate>
        <div className="login-brand">
          <span className="brand-mark">
            <IconInbox />
          </span>
          <span className="brand-name">{t('app.name')}</span>
        </div>
        <h1>{t('login.title')}</h1>
        <p className="muted">{t('login.subtitle')}</p>
        {signedOut && !login.isError && (
          <p className="notice" role="status">
            {t('login.signedOut')}
          </p>
        )}
        {login.isError && (
          <p className="form-error" role="alert" id={ids.error} data-code={errorCode(login.error)}>
            {t(`errors.${errorCode(login.error)}`)}
          </p>
        )}
        <label htmlFor={ids.server}>{t('login.serverUrl')}</label>
        <input
          id={ids.server}
          name="serverUrl"
          type="url"
          autoComplete="url"
          required
          value={server}
          onChange={(e) => setServerUrl(e.target.value)}
        />
        <label htmlFor={ids.email}>{t('login.email')}</label>
        <input
          id={ids.email}
          name="email"
          type="email"
          autoComplete="username"
          required
          autoFocus
          value={email}
          onChange={(e) => setEmail(e.target.value)}
        />
        <label htmlFor={ids.password}>{t('login.password')}</label>
        <input
          id={ids.password}
          name="password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        <button className="button primary wide" type="submit" disabled={login.isPending}>
          {login.isPending ? t('login.submitting') : t('login.submit')}
        </button>
      </form>
    </main>
  );
}
