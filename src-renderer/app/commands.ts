// Every action a person can take from the keyboard, declared once: the global shortcut handler,
// the command palette (Ctrl/Cmd+K) and the shortcut sheet (?) all read this list.
import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { useShallow } from 'zustand/react/shallow';
import { CONVERSATION_STATUSES } from '../../src-shared/domain';
import type { Session } from '../../src-shared/ipc';
import { seesEverything, viewKey } from '../../src-shared/rules/visibility';
import { call } from '../bridge/client';
import { bulk } from '../state/bulk';
import { perform } from '../state/perform';
import { conversationQuery } from '../state/queries';
import { rowsOf, useInboxList } from '../state/inboxList';
import { useUi } from '../state/ui-store';
import { useSidebarViews } from '../state/views';
import { openInNewWindow } from '../components/NewWindow';
import { currentRoute } from '../state/route';

export type CommandGroup = 'navigation' | 'conversation' | 'selection' | 'views' | 'contacts' | 'app';

export interface Command {
  id: string;
  group: CommandGroup;
  label: string;
  /** Key specs (see keys.ts); the first is the one shown. */
  keys: string[];
  enabled: boolean;
  run(): void;
}

export function focusComposer(): void {
  document.querySelector<HTMLTextAreaElement>('.composer textarea')?.focus();
}

export function useCommands(session: Session): Command[] {
  const { t } = useTranslation();
  const ui = useUi(
    useShallow((s) => ({
      view: s.view,
      status: s.status,
      sort: s.sort,
      selected: s.selectedConversationId,
      checked: s.checked,
      contactPanelOpen: s.contactPanelOpen,
    })),
  );
  const {
    items,
    query: { hasNextPage, fetchNextPage },
  } = useInboxList({ view: ui.view, status: ui.status, sort: ui.sort });
  const detail = useQuery({ ...conversationQuery(ui.selected ?? ''), enabled: ui.selected !== null });
  const views = useSidebarViews(session);
  const me = session.user;

  return useMemo(() => {
    const store = useUi.getState;
    const item = detail.data?.conversation ?? null;
    const contact = detail.data?.contact ?? null;
    const targets = ui.checked.length > 0 ? ui.checked : item ? [item.id] : [];
    const move = async (step: number) => {
      let rows = items;
      if (rows.length === 0) return;
      const at = rows.findIndex((c) => c.id === ui.selected);
      // Past the last row read so far: read the next page first, so j keeps going down the whole list.
      if (step > 0 && at === rows.length - 1 && hasNextPage) {
        // Holding j asks again while the page is on its way: join that read instead of restarting it.
        const more = await fetchNextPage({ cancelRefetch: false });
        rows = rowsOf(more.data?.pages ?? []);
      }
      const next = at === -1 ? (step > 0 ? 0 : rows.length - 1) : Math.min(rows.length - 1, Math.max(0, at + step));
      store().selectConversation(rows[next]!.id);
      store().revealConversation(rows[next]!.id);
    };
    const currentSaved = ui.view.kind === 'saved' ? views.find((v) => v.key === viewKey(ui.view))?.saved : undefined;

    const commands: Command[] = [
      {
        id: 'next',
        group: 'navigation',
        label: t('commands.next'),
        keys: ['j', 'ArrowDown'],
        enabled: items.length > 0,
        run: () => void move(1),
      },
      {
        id: 'prev',
        group: 'navigation',
        label: t('commands.prev'),
        keys: ['k', 'ArrowUp'],
        enabled: items.length > 0,
        run: () => void move(-1),
      },
      {
        id: 'focusComposer',
        group: 'navigation',
        label: t('commands.focusComposer'),
        keys: ['Enter'],
        enabled: item !== null,
        run: focusComposer,
      },
      {
        id: 'search',
        group: 'navigation',
        label: t('commands.search'),
        keys: ['/', 'mod+f'],
        enabled: true,
        run: () => store().setSearchOpen(true),
      },
      {
        id: 'palette',
        group: 'app',
        label: t('commands.palette'),
        keys: ['mod+k'],
        enabled: true,
        run: () => store().openDialog({ kind: 'palette' }),
      },
      {
        id: 'shortcuts',
        group: 'app',
        label: t('commands.shortcuts'),
        keys: ['?'],
        enabled: true,
        run: () => store().openDialog({ kind: 'shortcuts' }),
      },
      {
        id: 'notifications',
        group: 'app',
        label: t('commands.notifications'),
        keys: ['shift+n'],
        enabled: true,
        run: () => store().setNotificationsOpen(!store().notificationsOpen),
      },
      {
        id: 'sort',
        group: 'navigation',
        label: t('commands.sort'),
        keys: ['s'],
        enabled: true,
        run: () => store().setSort(store().sort === 'newest' ? 'oldest' : 'newest'),
      },
      ...CONVERSATION_STATUSES.map((s, i): Command => ({
        id: `status.${s}`,
        group: 'navigation',
        label: t('commands.statusTab', { status: t(`status.${s}`) }),
        keys: [`shift+digit${i + 1}`],
        enabled: true,
        run: () => store().setStatus(s),
      })),
      {
        id: 'assignToMe',
        group: 'conversation',
        label: t('conversation.assignToMe'),
        keys: ['a'],
        enabled: targets.length > 0 && (ui.checked.length > 0 || item?.assigneeId !== me.id),
        run: () =>
          void perform<unknown>(
            targets.length === 1
              ? call('conversation.assign', { conversationId: targets[0]!, assigneeId: me.id })
              : bulk(targets, { type: 'assign', assigneeId: me.id }),
          ),
      },
      {
        id: 'assignTo',
        group: 'conversation',
        label: t('commands.assignTo'),
        keys: ['shift+a'],
        enabled: targets.length > 0,
        run: () => store().openDialog({ kind: 'assign', ids: targets }),
      },
      {
        id: 'unassign',
        group: 'conversation',
        label: t('conversation.unassign'),
        keys: ['shift+u'],
        enabled: item !== null && item.assigneeId !== null,
        run: () => item && void perform(call('conversation.assign', { conversationId: item.id, assigneeId: null })),
      },
      {
        id: 'transfer',
        group: 'conversation',
        label: t('conversation.transfer'),
        keys: ['t'],
        enabled: item !== null && item.status !== 'closed',
        run: () => item && store().openDialog({ kind: 'transfer', id: item.id }),
      },
      {
        id: 'close',
        group: 'conversation',
        label: t('conversation.close'),
        keys: ['c'],
        enabled: ui.checked.length > 0 || (item !== null && item.status !== 'closed'),
        run: () => store().openDialog({ kind: 'close', ids: targets }),
      },
      {
        id: 'reopen',
        group: 'conversation',
        label: t('conversation.reopen'),
        keys: ['o'],
        enabled: item !== null && item.status === 'closed',
        run: () => item && void perform(call('conversation.reopen', { conversationId: item.id })),
      },
      {
        id: 'tag',
        group: 'conversation',
        label: t('commands.tag'),
        keys: ['l'],
        enabled: targets.length > 0,
        run: () => store().openDialog({ kind: 'tag', ids: targets }),
      },
      {
        id: 'markUnread',
        group: 'conversation',
        label: t('conversation.markUnread'),
        keys: ['u'],
        enabled: item !== null,
        run: () => {
          if (!item) return;
          void perform(call('conversation.markUnread', { conversationId: item.id }));
          // Staying in it would mark it read again at once.
          store().selectConversation(null);
        },
      },
      {
        id: 'markRead',
        group: 'conversation',
        label: t('commands.markRead'),
        keys: ['shift+r'],
        enabled: targets.length > 0,
        run: () => void perform(bulk(targets, { type: 'markRead' })),
      },
      {
        id: 'markAllRead',
        group: 'conversation',
        label: t('list.markAllRead'),
        keys: ['shift+m'],
        enabled: true,
        run: () => void perform(call('inbox.markAllRead', { view: ui.view, status: ui.status })),
      },
      {
        id: 'bot',
        group: 'conversation',
        label: !item ? t('conversation.botToggle') : item.botActive ? t('conversation.botPause') : t('conversation.botResume'),
        keys: ['b'],
        enabled: item !== null,
        run: () => item && void perform(call('conversation.setBot', { conversationId: item.id, active: !item.botActive })),
      },
      {
        id: 'noteMode',
        group: 'conversation',
        label: t('composer.noteMode'),
        keys: ['n'],
        enabled: item !== null,
        run: () => {
          if (!item) return;
          store().setMode(item.id, 'note');
          focusComposer();
        },
      },
      {
        id: 'replyMode',
        group: 'conversation',
        label: t('composer.replyMode'),
        keys: ['r'],
        enabled: item !== null,
        run: () => {
          if (!item) return;
          store().setMode(item.id, 'reply');
          focusComposer();
        },
      },
      {
        id: 'toggleSelect',
        group: 'selection',
        label: t('commands.toggleSelect'),
        keys: ['x'],
        enabled: item !== null,
        run: () => item && store().toggleChecked(item.id),
      },
      {
        id: 'selectAll',
        group: 'selection',
        label: t('list.selectAll'),
        keys: ['mod+a'],
        enabled: items.length > 0,
        run: () =>
          store().setChecked(
            items.map((c) => c.id),
            null,
          ),
      },
      {
        id: 'clearSelection',
        group: 'selection',
        label: t('list.clearSelection'),
        keys: ['Escape'],
        enabled: ui.checked.length > 0,
        run: () => store().setChecked([], null),
      },
      {
        id: 'contactPanel',
        group: 'contacts',
        label: t('contact.toggle'),
        keys: ['i'],
        enabled: true,
        run: () => store().toggleContactPanel(),
      },
      {
        id: 'newContact',
        group: 'contacts',
        label: t('contact.new'),
        keys: ['shift+c'],
        enabled: true,
        run: () => store().openDialog({ kind: 'newContact' }),
      },
      {
        id: 'mergeContact',
        group: 'contacts',
        label: t('contact.merge'),
        keys: ['m'],
        enabled: contact !== null,
        run: () => contact && store().openDialog({ kind: 'merge', contactId: contact.id }),
      },
      {
        id: 'newView',
        group: 'views',
        label: t('savedViews.new'),
        keys: ['shift+v'],
        enabled: true,
        run: () => store().openDialog({ kind: 'savedView', viewId: null }),
      },
      {
        id: 'editView',
        group: 'views',
        label: t('savedViews.editCurrent'),
        keys: ['shift+e'],
        enabled: currentSaved !== undefined,
        run: () => currentSaved && store().openDialog({ kind: 'savedView', viewId: currentSaved.id }),
      },
      ...views.map((v, i): Command => ({
        id: `view.${v.key}`,
        group: 'views',
        label: t('commands.goToView', { name: v.label }),
        keys: i < 9 ? [`digit${i + 1}`] : [],
        enabled: true,
        run: () => store().setView(v.ref),
      })),
      {
        id: 'remind',
        group: 'conversation',
        label: t('reminders.title'),
        keys: ['h'],
        enabled: item !== null,
        run: () => item && store().openDialog({ kind: 'reminder', conversationId: item.id, reminderId: null }),
      },
      {
        id: 'reminders',
        group: 'app',
        label: t('reminders.listTitle'),
        keys: ['shift+h'],
        enabled: true,
        run: () => store().openDialog({ kind: 'reminders' }),
      },
      {
        id: 'settings',
        group: 'app',
        label: t('settings.title'),
        keys: ['mod+,'],
        enabled: true,
        run: () => store().openDialog({ kind: 'settings' }),
      },
      {
        id: 'newWindow',
        group: 'app',
        label: t('windows.openView'),
        keys: ['shift+w'],
        enabled: true,
        run: () => openInNewWindow(currentRoute()),
      },
      {
        id: 'admin',
        group: 'app',
        label: t('admin.title'),
        keys: ['shift+d'],
        enabled: seesEverything(me.role) && me.role === 'admin',
        run: () => store().setScreen(store().screen === 'admin' ? 'inbox' : 'admin'),
      },
    ];
    return commands;
  }, [t, items, hasNextPage, fetchNextPage, detail.data, ui, views, me]);
}
