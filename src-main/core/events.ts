// A small emitter of the events the core pushes to the UI, typed by the IPC contract's `ipcEvents`.
import type { IpcEventName, IpcEventPayload } from '../../src-shared/ipc';

export type IpcEventListener = <E extends IpcEventName>(event: E, payload: IpcEventPayload<E>) => void;

export class IpcEventEmitter {
  private readonly listeners = new Set<IpcEventListener>();

  /** Listens to every event; returns the function that stops listening. */
  onAny(listener: IpcEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  on<E extends IpcEventName>(event: E, listener: (payload: IpcEventPayload<E>) => void): () => void {
    return this.onAny((name, payload) => {
      if ((name as IpcEventName) === event) listener(payload as IpcEventPayload<E>);
    });
  }

  emit<E extends IpcEventName>(event: E, payload: IpcEventPayload<E>): void {
    for (const listener of [...this.listeners]) listener(event, payload);
  }
}
