// Renderer entry: installs the bridge if no preload did, wires mirror events into the query
// cache, picks the language, then renders.
import { QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App';
import { pickLanguage, initI18n } from './i18n';
import { startDesktopAlerts } from './services/desktopAlerts';
import { startErrorReports } from './services/errorReports';
import { appInfoQuery, connectMirrorEvents, createQueryClient } from './state/queries';
import { startRouteSync } from './state/route';
import { useUi } from './state/ui-store';

async function start(): Promise<void> {
  startErrorReports();
  const queryClient = createQueryClient();
  connectMirrorEvents(queryClient);
  // Before anything waits: notifications kept while no page was open arrive as soon as the bridge connects.
  startDesktopAlerts((conversationId, messageId) => useUi.getState().openAtMessage(conversationId, messageId));
  startRouteSync();
  const info = await queryClient.fetchQuery(appInfoQuery()).catch(() => null);
  await initI18n(pickLanguage(useUi.getState().chosenLanguage, info?.lang ?? null));
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <QueryClientProvider client={queryClient}>
        <App />
      </QueryClientProvider>
    </StrictMode>,
  );
}

void start();
