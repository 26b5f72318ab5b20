// Sign-in: server address (prefilled from the host, or asked for on a first run, checked before the core
// is called), email, password; errors translated by code. Offers the local demo (published passwords,
// made-up customers) where the host may start it, and lists its logins once it runs.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useShallow } from 'zustand/react/shallow';
import type { DemoLogin } from '../../src-shared/ipc';
import { parseServerAddress, type ServerAddressProblem } from '../../src-shared/rules/serverAddress';
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
  const [addressProblem, setAddressProblem] = useState<ServerAddressProblem | null>(null);
  const serverInput = useRef<HTMLInputElement>(null);
  const ids = { server: useId(), serverNote: useId(), email: useId(), password: useId(), error: useId(), demo: useId() };

  const login = useMutation({
    mutationFn: (args: { serverUrl: string; email: string; password: string }) => call('session.login', args),
    onSuccess: async (session) => {
      setSignedOut(false);
      queryClient.setQueryData(keys.session, session);
      await queryClient.invalidateQueries({ queryKey: keys.mirror });
      await queryClient.invalidateQueries({ queryKey: keys.syncStatus });
      await queryClient.invalidateQueries({ queryKey: keys.appInfo });
    },
  });

  // The demo's logins: asked for once it runs (demo.start returns the running one).
  const demoRunning = info.data?.localDemo === 'running';
  const demo = useQuery({ queryKey: keys.localDemo, queryFn: () => call('demo.start', {}), enabled: demoRunning, staleTime: Infinity });
  const startDemo = useMutation({
    mutationFn: () => call('demo.start', {}),
    onSuccess: async (started) => {
      queryClient.setQueryData(keys.localDemo, started);
      setServerUrl(null);
      setAddressProblem(null);
      login.reset();
      await queryClient.invalidateQueries({ queryKey: keys.appInfo });
    },
  });

  const server = serverUrl ?? info.data?.defaultServerUrl ?? '';
  const askForServer = info.data !== undefined && info.data.defaultServerUrl === null;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const address = parseServerAddress(server);
    if (!address.ok) {
      setAddressProblem(address.problem);
      login.reset();
      serverInput.current?.focus();
      return;
    }
    setAddressProblem(null);
    login.mutate({ serverUrl: address.url, email: email.trim(), password });
  };
  const signInToDemo = (who: DemoLogin) => {
    if (!demo.data) return;
    setAddressProblem(null);
    login.mutate({ serverUrl: demo.data.serverUrl, email: who.email, password: who.password });
  };

  return (
    <main className="login">
      <div className="login-column">
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
            ref={serverInput}
            id={ids.server}
            name="serverUrl"
            type="url"
            autoComplete="url"
            inputMode="url"
            spellCheck={false}
            required
            placeholder={askForServer ? t('firstRun.serverPlaceholder') : undefined}
            aria-invalid={addressProblem !== null || undefined}
            aria-describedby={addressProblem !== null || askForServer ? ids.serverNote : undefined}
            autoFocus={askForServer}
            value={server}
            onChange={(e) => {
              setServerUrl(e.target.value);
              setAddressProblem(null);
            }}
          />
          {addressProblem !== null ? (
            <p className="field-error" id={ids.serverNote} role="alert" data-problem={addressProblem}>
              {t(`firstRun.address.${addressProblem}`)}
            </p>
          ) : (
            askForServer && (
              <p className="field-hint" id={ids.serverNote}>
                {t('firstRun.serverHint')}
              </p>
            )
          )}
          <label htmlFor={ids.email}>{t('login.email')}</label>
          <input
            id={ids.email}
            name="email"
            type="email"
            autoComplete="username"
            required
            autoFocus={!askForServer}
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
        {info.data?.localDemo === 'available' && (
          <section className="login-demo" aria-labelledby={ids.demo}>
            <h2 id={ids.demo}>{t('firstRun.demoTitle')}</h2>
            <p>{t('firstRun.demoText')}</p>
            {startDemo.isError && (
              <p className="form-error" role="alert">
                {t('firstRun.demoFailed')}
              </p>
            )}
            <button className="button wide" type="button" disabled={startDemo.isPending} onClick={() => startDemo.mutate()}>
              {startDemo.isPending ? t('firstRun.demoStarting') : t('firstRun.demoStart')}
            </button>
          </section>
        )}
        {demoRunning && demo.data && (
          <section className="login-demo running" aria-labelledby={ids.demo}>
            <p className="demo-warning" role="status">
              {t('firstRun.demoRunning')}
            </p>
            <h2 id={ids.demo}>{t('firstRun.demoSignInAs')}</h2>
            <div className="demo-logins">
              {demo.data.logins.map((who) => (
                <button
                  key={who.email}
                  className="button"
                  type="button"
                  disabled={login.isPending}
                  title={who.email}
                  onClick={() => signInToDemo(who)}
                >
                  {t('firstRun.demoLogin', { name: who.name, role: t(`roles.${who.role}`) })}
                </button>
              ))}
            </div>
          </section>
        )}
      </div>
    </main>
  );
}
