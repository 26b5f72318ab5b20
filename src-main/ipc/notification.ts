import type { Core } from '../core';
import { listNotifications } from '../core/mirror/queries';
import type { AreaHandlers } from './handlers';

export function notificationHandlers(core: Core): AreaHandlers<'notifications.'> & AreaHandlers<'notification.'> {
  return {
    'notifications.list': () => {
      const { db, viewer } = core.reader();
      return listNotifications(db, viewer);
    },
    'notification.markRead': (args) => core.mutate('notification.markRead', args),
    /** Per device: kept in this device's settings file, never synced. */
    'notifications.settings.get': () => core.notificationSettings(),
    'notifications.settings.set': (args) => core.setNotificationSettings(args),
  };
}
