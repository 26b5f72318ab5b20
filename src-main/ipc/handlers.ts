// The shape every IPC handler module fills in, derived from the contract: a missing or mistyped
// handler is a type error.
import type { z } from 'zod';
import type { IpcContract, IpcOp, IpcResult } from '../../src-shared/ipc';

export type IpcHandler<K extends IpcOp> = (args: z.output<IpcContract[K]['args']>) => Promise<IpcResult<K>> | IpcResult<K>;
export type IpcHandlers = { [K in IpcOp]: IpcHandler<K> };
/** The handlers of one area, e.g. AreaHandlers<'inbox.'>: exactly the ops whose name starts with it. */
export type AreaHandlers<Prefix extends string> = { [K in IpcOp as K extends `${Prefix}${string}` ? K : never]: IpcHandler<K> };
