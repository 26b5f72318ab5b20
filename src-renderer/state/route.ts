// Keeps the page's URL hash and what it shows in step: a window opened on a view (Electron's
// "Open in new window", a saved layout, a browser tab) starts there, a reload comes back to it, and
// the desktop shell reads each window's route when a supervisor saves a layout.
import { formatRoute, parseRoute } from '../../src-shared/rules/route';
import { useUi } from './ui-store';

export function currentRoute(): string {
  const s = useUi.getState();
  return formatRoute({ view: s.view, status: s.status, conversationId: s.selectedConversationId });
}

export function startRouteSync(): () => void {
  const apply = () => {
    const route = parseRoute(location.hash);
    if (route && formatRoute(route) !== currentRoute()) useUi.getState().applyRoute(route);
  };
  apply();
  const write = () => {
    const hash = currentRoute();
    // replaceState: moving around the inbox is not browser history, and it fires no hashchange.
    if (hash !== location.hash) history.replaceState(history.state, '', hash);
  };
  write();
  const stop = useUi.subscribe(write);
  window.addEventListener('hashchange', apply);
  return () => {
    stop();
    window.removeEventListener('hashchange', apply);
  };
}
