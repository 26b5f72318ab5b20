// Where a small popover (the message menu, the emoji panel) goes: fixed to the viewport next to the
// control that opened it, below or above as it fits, kept inside the window. Fixed, because the
// timeline and the composer clip what overflows them.
import { useLayoutEffect, useState, type CSSProperties, type RefObject } from 'react';

const MARGIN = 8;

export function useAnchoredPosition(
  open: boolean,
  anchor: RefObject<HTMLElement | null>,
  size: { width: number; height: number },
  opts: { prefer: 'above' | 'below'; align: 'start' | 'end' },
): CSSProperties {
  const [style, setStyle] = useState<CSSProperties>({ position: 'fixed', visibility: 'hidden' });
  const { width, height } = size;
  const { prefer, align } = opts;
  useLayoutEffect(() => {
    if (!open) return;
    const place = () => {
      const el = anchor.current;
      if (!el) return;
      const r = el.getBoundingClientRect();
      const fitsBelow = r.bottom + 4 + height <= window.innerHeight - MARGIN;
      const fitsAbove = r.top - 4 - height >= MARGIN;
      const below = prefer === 'below' ? fitsBelow || !fitsAbove : !fitsAbove && fitsBelow;
      const wanted = align === 'start' ? r.left : r.right - width;
      const left = Math.max(MARGIN, Math.min(wanted, window.innerWidth - width - MARGIN));
      setStyle({
        position: 'fixed',
        left,
        right: 'auto',
        top: below ? r.bottom + 4 : 'auto',
        bottom: below ? 'auto' : window.innerHeight - r.top + 4,
      });
    };
    place();
    window.addEventListener('resize', place);
    window.addEventListener('scroll', place, true);
    return () => {
      window.removeEventListener('resize', place);
      window.removeEventListener('scroll', place, true);
    };
  }, [open, anchor, width, height, prefer, align]);
  return style;
}
