// The bell and the user menu are popovers, not modals: Escape or a press anywhere outside closes them.
import { useEffect, useRef, type RefObject } from 'react';

export function usePopoverDismiss(open: boolean, close: () => void, root: RefObject<HTMLElement | null>): void {
  // The latest close, so an inline arrow does not re-subscribe the listeners on every render.
  const latestClose = useRef(close);
  latestClose.current = close;
  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && latestClose.current();
    const onPress = (e: MouseEvent) => {
      if (!root.current?.contains(e.target as Node)) latestClose.current();
    };
    document.addEventListener('keydown', onKey);
    document.addEventListener('mousedown', onPress);
    return () => {
      document.removeEventListener('keydown', onKey);
      document.removeEventListener('mousedown', onPress);
    };
  }, [open, root]);
}
