// The same action on many conversations. The contract takes at most 500 ids a call (one transaction
// each); a selection from a long list is sent in calls of that size, in order.
import type { IpcArgs } from '../../src-shared/ipc';
import { call } from '../bridge/client';

const MAX_IDS = 500;

export async function bulk(conversationIds: string[], action: IpcArgs<'conversation.bulk'>['action']): Promise<{ mutationIds: number[] }> {
  const mutationIds: number[] = [];
  for (let i = 0; i < conversationIds.length; i += MAX_IDS) {
    const done = await call('conversation.bulk', { conversationIds: conversationIds.slice(i, i + MAX_IDS), action });
    mutationIds.push(...done.mutationIds);
  }
  return { mutationIds };
}
