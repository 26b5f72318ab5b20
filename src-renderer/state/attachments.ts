// Attachments staged in the composer, per conversation, until the message holding them is recorded.
import { create } from 'zustand';
import type { Attachment } from '../../src-shared/domain';

interface StagedState {
  staged: Record<string, Attachment[]>;
  add(conversationId: string, a: Attachment): void;
  remove(conversationId: string, sha256: string): void;
  clear(conversationId: string, sent: readonly Attachment[]): void;
}

export const useStaged = create<StagedState>((set) => ({
  staged: {},
  add: (id, a) =>
    set((s) => {
      const list = s.staged[id] ?? [];
      return list.some((x) => x.sha256 === a.sha256) ? s : { staged: { ...s.staged, [id]: [...list, a] } };
    }),
  remove: (id, sha256) => set((s) => ({ staged: { ...s.staged, [id]: (s.staged[id] ?? []).filter((x) => x.sha256 !== sha256) } })),
  // Only what was sent goes: the agent may have attached more meanwhile.
  clear: (id, sent) =>
    set((s) => ({ staged: { ...s.staged, [id]: (s.staged[id] ?? []).filter((x) => !sent.some((y) => y.sha256 === x.sha256)) } })),
}));

const NONE: Attachment[] = [];
export function useStagedFor(conversationId: string): Attachment[] {
  return useStaged((s) => s.staged[conversationId] ?? NONE);
}
