// The typed event emitter the hosts forward to the renderer (see core/events.ts).
export { IpcEventEmitter, type IpcEventListener } from '../core/events';
