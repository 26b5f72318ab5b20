// The agent's workspace: views on the left, the conversation list, the open conversation.
import type { Session } from '../../src-shared/ipc';
import { viewsFor } from '../../src-shared/rules/visibility';
import { useEffect } from 'react';
import { ConversationList } from '../components/ConversationList';
import { ConversationPane } from '../components/ConversationPane';
import { Sidebar } from '../components/Sidebar';
import { SyncBanner } from '../components/SyncBanner';
import { useUi } from '../state/ui-store';

export function InboxScreen({ session }: { session: Session }) {
  const views = viewsFor(session.user.role);
  const view = useUi((s) => s.view);
  const setView = useUi((s) => s.setView);

  // A role change (or another account on this device) can take a view away.
  useEffect(() => {
    if (!views.includes(view)) setView(views[0]!);
  }, [views, view, setView]);

  return (
    <div className="workspace">
      <SyncBanner />
      <div className="columns">
        <Sidebar session={session} views={views} />
        <ConversationList />
        <ConversationPane session={session} />
      </div>
    </div>
  );
}
