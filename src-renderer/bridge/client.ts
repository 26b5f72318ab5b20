// The renderer's typed view of window.bandeja: resolves with the result or throws an IpcError that
// keeps the contract's error code, so screens can translate it.
import type { ErrorCode } from '../../src-shared/errors';
import type { BandejaBridge, IpcArgs, IpcEventName, IpcEventPayload, IpcOp, IpcReply, IpcResult } from '../../src-shared/ipc';
import { ensureBridge } from './headless';

export class IpcError extends Error {
  readonly code: ErrorCode;
  readonly params: Record<string, string>;
  constructor(code: ErrorCode, message: string, params: Record<string, string> = {}) {
    super(message);
    this.name = 'IpcError';
    this.code = code;
    this.params = params;
  }
}

let bridge: BandejaBridge | null = null;
function current(): BandejaBridge {
  return (bridge ??= ensureBridge());
}

export async function call<K extends IpcOp>(op: K, args: IpcArgs<K>): Promise<IpcResult<K>> {
  const method = current()[op] as (a: IpcArgs<K>) => Promise<IpcReply<K>>;
  const reply = await method(args);
  if (!reply.ok) throw new IpcError(reply.error.code, reply.error.message, reply.error.params);
  return reply.result;
}

export function subscribe<E extends IpcEventName>(event: E, listener: (payload: IpcEventPayload<E>) => void): () => void {
  return current().on(event, listener);
}

export function errorCode(error: unknown): ErrorCode {
  return error instanceof IpcError ? error.code : 'INTERNAL';
}
