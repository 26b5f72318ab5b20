// The preload: installs window.bandeja, one method per IPC operation, derived from the contract.
// Never exposes ipcRenderer itself.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { IPC_CHANNEL_PREFIX, buildBridge } from '../src-shared/ipc';

const bridge = buildBridge(
  (op, args) => ipcRenderer.invoke(`${IPC_CHANNEL_PREFIX}${op}`, args),
  (event, listener) => {
    const channel = `${IPC_CHANNEL_PREFIX}event:${event}`;
    const handler = (_e: IpcRendererEvent, payload: unknown) => listener(payload);
    ipcRenderer.on(channel, handler);
    return () => {
      ipcRenderer.removeListener(channel, handler);
    };
  },
);

contextBridge.exposeInMainWorld('bandeja', bridge);
