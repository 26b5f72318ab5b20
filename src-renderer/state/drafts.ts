// Drafts live in the mirror (draft.get / draft.set, this device only) so they survive switching
// conversations and restarting the app; the ui-store holds the text being typed. Saves are debounced
// while typing and flushed when the conversation is left.
import { useEffect } from 'react';
import { call } from '../bridge/client';
import { useUi } from './ui-store';

const SAVE_AFTER_MS = 300;
const timers = new Map<string, { timer: ReturnType<typeof setTimeout>; body: string }>();

function save(conversationId: string, body: string): void {
  // A lost save only costs the last keystrokes of a draft: never worth an error in the agent's face.
  call('draft.set', { conversationId, body }).catch(() => undefined);
}

function schedule(conversationId: string, body: string): void {
  const pending = timers.get(conversationId);
  if (pending) clearTimeout(pending.timer);
  const timer = setTimeout(() => {
    timers.delete(conversationId);
    save(conversationId, body);
  }, SAVE_AFTER_MS);
  timers.set(conversationId, { timer, body });
}

function flush(conversationId: string): void {
  const pending = timers.get(conversationId);
  if (!pending) return;
  clearTimeout(pending.timer);
  timers.delete(conversationId);
  save(conversationId, pending.body);
}

/** Saves soon (after a refused send, so the text the agent still has is kept). */
export const saveDraftSoon = schedule;

/** The message is being sent: the core clears its draft in the same transaction that records it,
 *  so a save still waiting must not bring the sent text back. */
export function forgetDraftSave(conversationId: string): void {
  const pending = timers.get(conversationId);
  if (pending) clearTimeout(pending.timer);
  timers.delete(conversationId);
}

/** Loads the conversation's saved draft when it opens (unless the agent already typed here) and
 *  keeps the mirror's copy up to date as the text changes. */
export function usePersistedDraft(conversationId: string): void {
  useEffect(() => {
    let cancelled = false;
    if (useUi.getState().drafts[conversationId] === undefined) {
      call('draft.get', { conversationId })
        .then(({ body }) => {
          if (!cancelled && body && useUi.getState().drafts[conversationId] === undefined) useUi.getState().setDraft(conversationId, body);
        })
        .catch(() => undefined);
    }
    const unsubscribe = useUi.subscribe((s, prev) => {
      const body = s.drafts[conversationId];
      if (body !== undefined && body !== prev.drafts[conversationId]) schedule(conversationId, body);
    });
    return () => {
      cancelled = true;
      unsubscribe();
      flush(conversationId);
    };
  }, [conversationId]);
}

// Closing the window (or reloading) must not drop the last keystrokes.
if (typeof window !== 'undefined') window.addEventListener('pagehide', () => [...timers.keys()].forEach(flush));
