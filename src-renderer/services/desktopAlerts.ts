// What the page does for the desktop side of notifications. Headless (a browser tab): each toast the core
// raises arrives as `notification.show` and is shown as a web Notification (clicking it opens the
// conversation) with the app's chime. Electron shows native notifications itself and asks one window
// to play the chime (`notification.sound`). Both: `app.open` (a notification click, a bandeja:// link,
// a second launch) opens the conversation.
import { useSyncExternalStore } from 'react';
import chimeUrl from '../../assets/notification.wav';
import type { IpcEventPayload } from '../../src-shared/ipc';
import { subscribe } from '../bridge/client';

let chime: HTMLAudioElement | null = null;

/** Plays the chime; false when the browser would not (no sound device, or no interaction with the page yet). */
export async function playChime(): Promise<boolean> {
  chime ??= new Audio(chimeUrl);
  chime.currentTime = 0;
  try {
    await chime.play();
    return true;
  } catch {
    return false;
  }
}

/** Several tabs of the headless UI each receive every notification: the one holding this lock shows it,
 *  and the next one takes over when it closes. Answers once this page knows whether it holds it. */
function notifierRole(): () => Promise<boolean> {
  if (!('locks' in navigator)) return async () => true;
  let held = false;
  const forever = () => new Promise<void>(() => undefined);
  const decided = new Promise<void>((resolve) => {
    void navigator.locks.request('bandeja.notifier', { ifAvailable: true }, (lock) => {
      resolve();
      if (lock) {
        held = true;
        return forever();
      }
      void navigator.locks.request('bandeja.notifier', () => {
        held = true;
        return forever();
      });
      return undefined;
    });
  });
  return async () => {
    await decided;
    return held;
  };
}

type Permission = NotificationPermission | 'unsupported';

// One value for the whole page: granting it in Settings must also take down the banner asking for it.
let permission: Permission = 'Notification' in window ? Notification.permission : 'unsupported';
const permissionListeners = new Set<() => void>();

function subscribePermission(listener: () => void): () => void {
  permissionListeners.add(listener);
  return () => permissionListeners.delete(listener);
}

async function askPermission(): Promise<void> {
  if (!('Notification' in window)) return;
  permission = await Notification.requestPermission();
  permissionListeners.forEach((listener) => listener());
}

/** The browser's notification permission, and asking for it (only ever from a click). */
export function useNotificationPermission(): { state: Permission; ask(): Promise<void> } {
  const state = useSyncExternalStore(subscribePermission, () => permission);
  return { state, ask: askPermission };
}

export function notificationsAllowed(): boolean {
  return 'Notification' in window && Notification.permission === 'granted';
}

async function show(
  n: IpcEventPayload<'notification.show'>,
  open: (conversationId: string, messageId: string | null) => void,
): Promise<void> {
  const played = n.sound ? await playChime() : false;
  if (!notificationsAllowed()) return;
  // Our chime, or none: the system's own sound would come on top of it.
  const shown = new Notification(n.title, { body: n.body, tag: n.tag, silent: !n.sound || played });
  shown.onclick = () => {
    window.focus();
    if (n.conversationId) open(n.conversationId, n.messageId);
    shown.close();
  };
}

export function startDesktopAlerts(open: (conversationId: string, messageId: string | null) => void): () => void {
  const isNotifier = notifierRole();
  const offs = [
    subscribe('notification.show', (n) => {
      void isNotifier().then((mine) => (mine ? show(n, open) : undefined));
    }),
    subscribe('notification.sound', () => void playChime()),
    subscribe('app.open', ({ conversationId, messageId }) => {
      window.focus();
      open(conversationId, messageId);
    }),
  ];
  return () => offs.forEach((off) => off());
}
