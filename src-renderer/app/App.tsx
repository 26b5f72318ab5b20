// Chooses the screen: login when nobody is signed in, the inbox otherwise. Also applies the
// theme and language picked in the user menu.
import { useQuery } from '@tanstack/react-query';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { useShallow } from 'zustand/react/shallow';
import { errorCode } from '../bridge/client';
import { changeLanguage } from '../i18n';
import { LoginScreen } from '../screens/LoginScreen';
import { InboxScreen } from '../screens/InboxScreen';
import { sessionQuery } from '../state/queries';
import { useUi } from '../state/ui-store';

function useAppearance(): void {
  const { theme, chosenLanguage } = useUi(useShallow((s) => ({ theme: s.theme, chosenLanguage: s.chosenLanguage })));
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);
  useEffect(() => {
    if (chosenLanguage) void changeLanguage(chosenLanguage);
  }, [chosenLanguage]);
}

export function App() {
  useAppearance();
  const { t } = useTranslation();
  const session = useQuery(sessionQuery());

  if (session.isPending)
    return (
      <div className="splash" role="status">
        {t('app.loading')}
      </div>
    );
  if (session.isError)
    return (
      <div className="splash" role="alert">
        {t('app.fatal', { reason: t(`errors.${errorCode(session.error)}`) })}
      </div>
    );
  if (!session.data) return <LoginScreen />;
  return <InboxScreen session={session.data} />;
}
