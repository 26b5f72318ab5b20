// Every op's handler over the core, for the dispatcher (dispatcher.ts).
import type { Core } from '../core';
import { adminHandlers } from './admin';
import { appHandlers } from './app';
import { attachmentHandlers } from './attachment';
import { contactHandlers } from './contact';
import { demoHandlers } from './demo';
import { badgeHandlers } from './badge';
import { browserShell, desktopHandlers, type DesktopShell } from './desktop';
import { conversationHandlers } from './conversation';
import { directoryHandlers } from './directory';
import { draftHandlers } from './draft';
import type { IpcHandlers } from './handlers';
import { inboxHandlers } from './inbox';
import { messageHandlers } from './message';
import { noteHandlers } from './note';
import { notificationHandlers } from './notification';
import { reminderHandlers } from './reminder';
import { searchHandlers } from './search';
import { sessionHandlers } from './session';
import { snippetHandlers } from './snippet';
import { syncHandlers } from './sync';
import { tagHandlers } from './tags';
import { templateHandlers } from './template';
import { viewHandlers } from './view';

export { createDispatch, type Dispatch } from './dispatcher';

export function createHandlers(core: Core, shell: DesktopShell = browserShell): IpcHandlers {
  return {
    ...desktopHandlers(shell),
    ...badgeHandlers(core),
    ...appHandlers(core),
    ...sessionHandlers(core),
    ...demoHandlers(core),
    ...syncHandlers(core),
    ...directoryHandlers(core),
    ...inboxHandlers(core),
    ...conversationHandlers(core),
    ...messageHandlers(core),
    ...noteHandlers(core),
    ...contactHandlers(core),
    ...searchHandlers(core),
    ...tagHandlers(core),
    ...notificationHandlers(core),
    ...reminderHandlers(core),
    ...viewHandlers(core),
    ...adminHandlers(core),
    ...snippetHandlers(core),
    ...templateHandlers(core),
    ...draftHandlers(core),
    ...attachmentHandlers(core),
  };
}
