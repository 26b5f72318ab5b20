export { createDispatch, createHandlers, type Dispatch } from './dispatch';
export type { AreaHandlers, IpcHandler, IpcHandlers } from './handlers';
export { IpcEventEmitter, type IpcEventListener } from './events';
