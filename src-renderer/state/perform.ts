// Runs an IPC call for a person's action: the core records it in the outbox at once, so a failure here
// is immediate (bad input, not allowed) and is shown as a toast in their language.
import { IpcError } from '../bridge/client';
import { useUi } from './ui-store';

export async function perform<T>(action: Promise<T>): Promise<T | null> {
  try {
    return await action;
  } catch (e) {
    const error = e instanceof IpcError ? { code: e.code, params: e.params } : { code: 'INTERNAL' as const };
    useUi.getState().pushToast({ error });
    return null;
  }
}
