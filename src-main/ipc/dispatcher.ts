// dispatch(op, rawArgs): the one entry point both hosts route calls through. Arguments are parsed
// with the contract before any handler runs; every failure comes back as { ok: false, error }. Apart
// from the handlers (dispatch.ts) so the main thread can answer its own ops without loading the core.
import { isBandejaError, type ErrorBody } from '../../src-shared/errors';
import { ipcContract, type IpcOp, type IpcReply } from '../../src-shared/ipc';
import type { IpcHandler, IpcHandlers } from './handlers';

export type Dispatch = (op: string, rawArgs: unknown) => Promise<IpcReply<IpcOp>>;

function isIpcOp(op: string): op is IpcOp {
  return Object.prototype.hasOwnProperty.call(ipcContract, op);
}

/** `handlers` may cover only some ops (the main thread answers the desktop shell's): others are unknown here. */
export function createDispatch(handlers: Partial<IpcHandlers>, log: (message: string) => void = console.error): Dispatch {
  return async (op, rawArgs) => {
    if (!isIpcOp(op) || !handlers[op]) return { ok: false, error: { code: 'INVALID_ARGS', message: `Unknown operation: ${String(op)}.` } };
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
