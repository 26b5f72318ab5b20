// The agent's workspace: views on the left, the conversation list, the open conversation and the
// contact panel; the dialogs, search, toasts, and the keyboard shortcuts over all of it.
import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { useShallow } from 'zustand/react/shallow';
import type { Session } from '../../src-shared/ipc';
import { viewKey } from '../../src-shared/rules/visibility';
import { useCommands, type Command } from '../app/commands';
import { isTyping, matchesKey } from '../app/keys';
import { CommandPalette, ShortcutSheet } from '../components/CommandPalette';
import { ContactPanel, MergeDialog, NewContactDialog } from '../components/ContactPanel';
import { AssignDialog, CloseDialog, TagDialog, TransferDialog } from '../components/ConversationDialogs';
import { ConversationList } from '../components/ConversationList';
import { ConversationPane } from '../components/ConversationPane';
import { SavedViewDialog } from '../components/SavedViewDialog';
import { ForwardDialog, ResumeDialog } from '../components/MessageDialogs';
import { MySnippetsDialog } from '../components/SnippetManager';
import { SearchDialog } from '../components/Search';
import { Sidebar } from '../components/Sidebar';
import { ReminderDialog, RemindersDialog } from '../components/Reminders';
import { SettingsDialog } from '../components/SettingsDialog';
import { NotificationPrompt } from '../components/NotificationPrompt';
import { SyncBanner } from '../components/SyncBanner';
import { showWaitingCount } from '../services/pageBadge';
import { appInfoQuery, badgeQuery } from '../state/queries';
import { Toasts } from '../components/Toasts';
import { useUi } from '../state/ui-store';
import { useSidebarViews } from '../state/views';
import { AdminScreen } from './AdminScreen';

function useShortcuts(commands: Command[]): void {
  const current = useRef(commands);
  current.current = commands;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.isComposing) return;
      const ui = useUi.getState();
      // A dialog or the search owns the keyboard while open.
      if (ui.dialog || ui.searchOpen) return;
      const typing = isTyping(e.target);
      const onButton = e.target instanceof HTMLElement && (e.target.tagName === 'BUTTON' || e.target.tagName === 'A');
      for (const c of current.current) {
        if (!c.enabled) continue;
        for (const spec of c.keys) {
          if (typing && !spec.includes('mod')) continue;
          if (onButton && spec === 'Enter') continue;
          if (!matchesKey(spec, e)) continue;
          e.preventDefault();
          c.run();
          return;
        }
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);
}

function Dialogs({ session, commands }: { session: Session; commands: Command[] }) {
  const headless = useQuery(appInfoQuery()).data?.host === 'headless';
  const { dialog, searchOpen } = useUi(useShallow((s) => ({ dialog: s.dialog, searchOpen: s.searchOpen })));
  return (
    <>
      {searchOpen && <SearchDialog />}
      {dialog?.kind === 'close' && <CloseDialog ids={dialog.ids} />}
      {dialog?.kind === 'transfer' && <TransferDialog id={dialog.id} session={session} />}
      {dialog?.kind === 'assign' && <AssignDialog ids={dialog.ids} session={session} />}
      {dialog?.kind === 'tag' && <TagDialog ids={dialog.ids} />}
      {dialog?.kind === 'savedView' && <SavedViewDialog viewId={dialog.viewId} session={session} />}
      {dialog?.kind === 'newContact' && <NewContactDialog />}
      {dialog?.kind === 'merge' && <MergeDialog contactId={dialog.contactId} />}
      {dialog?.kind === 'palette' && <CommandPalette commands={commands} />}
      {dialog?.kind === 'shortcuts' && <ShortcutSheet commands={commands} />}
      {dialog?.kind === 'snippets' && <MySnippetsDialog meId={session.user.id} />}
      {dialog?.kind === 'forward' && (
        <ForwardDialog messageId={dialog.messageId} fromConversationId={dialog.fromConversationId} session={session} />
      )}
      {dialog?.kind === 'resume' && <ResumeDialog conversationId={dialog.conversationId} />}
      {dialog?.kind === 'reminder' && <ReminderDialog conversationId={dialog.conversationId} reminderId={dialog.reminderId} />}
      {dialog?.kind === 'reminders' && <RemindersDialog />}
      {dialog?.kind === 'settings' && <SettingsDialog session={session} headless={headless} />}
    </>
  );
}

/** The page title and favicon say how many conversations wait for me (the dock badge and tray do in Electron). */
function useWaitingBadge(): void {
  const { t } = useTranslation();
  const count = useQuery(badgeQuery()).data?.count ?? 0;
  const name = t('app.name');
  useEffect(() => showWaitingCount(count, name), [count, name]);
  useEffect(() => () => showWaitingCount(0, name), [name]);
}

export function InboxScreen({ session }: { session: Session }) {
  const views = useSidebarViews(session);
  const { view, setView, screen, contactPanelOpen } = useUi(
    useShallow((s) => ({ view: s.view, setView: s.setView, screen: s.screen, contactPanelOpen: s.contactPanelOpen })),
  );
  const commands = useCommands(session);
  useShortcuts(commands);
  useWaitingBadge();
  const headless = useQuery(appInfoQuery()).data?.host === 'headless';

  // A role or team change (or another account on this device) can take a view away. Saved views
  // and teams load after the built-ins, so only a view missing once they are known is dropped.
  useEffect(() => {
    const builtIns = views.filter((v) => v.group === 'views');
    if (view.kind === 'saved' || view.kind === 'team') {
      if (views.length > builtIns.length && !views.some((v) => v.key === viewKey(view))) setView(builtIns[0]!.ref);
    } else if (!builtIns.some((v) => v.key === view.kind)) setView(builtIns[0]!.ref);
  }, [views, view, setView]);

  const admin = screen === 'admin' && session.user.role === 'admin';
  return (
    <div className="workspace">
      <SyncBanner />
      {headless && <NotificationPrompt />}
      <div className={`columns${admin ? ' columns-admin' : contactPanelOpen ? ' columns-panel' : ''}`}>
        <Sidebar session={session} />
        {admin ? (
          <AdminScreen meId={session.user.id} />
        ) : (
          <>
            <ConversationList session={session} />
            <ConversationPane session={session} />
            {contactPanelOpen && <ContactPanel />}
          </>
        )}
      </div>
      <Dialogs session={session} commands={commands} />
      <Toasts />
    </div>
  );
}
