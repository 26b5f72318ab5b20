// dispatch(op, rawArgs): the one entry point both hosts route calls through. Arguments are parsed
// with the contract before any handler runs; every failure comes back as { ok: false, error }.
import { isBandejaError, type ErrorBody } from '../../src-shared/errors';
import { ipcContract, type IpcOp, type IpcReply } from '../../src-shared/ipc';
import type { Core } from '../core';
import { adminHandlers } from './admin';
import { appHandlers } from './app';
import { attachmentHandlers } from './attachment';
import { contactHandlers } from './contact';
import { badgeHandlers, browserShell, desktopHandlers, type DesktopShell } from './desktop';
import { conversationHandlers } from './conversation';
import { directoryHandlers } from './directory';
import { draftHandlers } from './draft';
import type { IpcHandler, IpcHandlers } from './handlers';
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

export type Dispatch = (op: string, rawArgs: unknown) => Promise<IpcReply<IpcOp>>;

export function createHandlers(core: Core, shell: DesktopShell = browserShell): IpcHandlers {
  return {
    ...desktopHandlers(shell),
    ...badgeHandlers(core),
    ...appHandlers(core),
    ...sessionHandlers(core),
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

function isIpcOp(op: string): op is IpcOp {
  return Object.prototype.hasOwnProperty.call(ipcContract, op);
}

export function createDispatch(handlers: IpcHandlers, log: (message: string) => void = console.error): Dispatch {
  return async (op, rawArgs) => {
    if (!isIpcOp(op)) return { ok: false, error: { code: 'INVALID_ARGS', message: `Unknown operation: ${String(op)}.` } };
    const parsed = ipcContract[op].args.safeParse(rawArgs ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.length ? ` (${issue.path.join('.')})` : '';
      return {
        ok: false,
        error: { code: 'INVALID_ARGS', message: `Invalid arguments for ${op}${where}: ${issue?.message ?? 'bad input'}.` },
      };
    }
    try {
      const handler = handlers[op] as IpcHandler<IpcOp>;
      const result = await handler(parsed.data as never);
      return { ok: true, result } as IpcReply<IpcOp>;
    } catch (e) {
      if (isBandejaError(e)) return { ok: false, error: e.toBody() };
      log(`ipc: ${op} failed: ${(e as Error)?.stack ?? String(e)}`);
      const error: ErrorBody = { code: 'INTERNAL', message: 'Something went wrong inside Bandeja. The details are in the log.' };
      return { ok: false, error };
    }
  };
}
