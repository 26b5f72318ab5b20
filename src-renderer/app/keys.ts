// Keyboard shortcuts as small specs ('j', 'shift+a', 'mod+k', 'digit1', '?'): matching a key event,
// and showing the keys the way this platform writes them.

const isMac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);

export function matchesKey(spec: string, e: KeyboardEvent): boolean {
  const parts = spec.split('+');
  const key = parts.at(-1)!;
  const wantMod = parts.includes('mod');
  const wantShift = parts.includes('shift');
  if ((e.ctrlKey || e.metaKey) !== wantMod || e.altKey) return false;
  if (key.startsWith('digit')) return e.code === `Digit${key.slice(5)}` && e.shiftKey === wantShift;
  const pressed = e.key.length === 1 ? e.key.toLowerCase() : e.key;
  // Letters care about Shift; symbols such as '?' are typed with it on most layouts.
  if (/^[a-z]$/.test(key) && e.shiftKey !== wantShift) return false;
  return pressed === key;
}

const NAMES: Record<string, string> = {
  ArrowDown: '↓',
  ArrowUp: '↑',
  Enter: 'Enter',
  Escape: 'Esc',
};

/** The keys of one spec, each as shown on a key cap. */
export function keyCaps(spec: string): string[] {
  return spec.split('+').map((p) => {
    if (p === 'mod') return isMac ? '⌘' : 'Ctrl';
    if (p === 'shift') return isMac ? '⇧' : 'Shift';
    if (p.startsWith('digit')) return p.slice(5);
    return NAMES[p] ?? p.toUpperCase();
  });
}

/** Typing in a field owns the keyboard: only shortcuts with a modifier act there. */
export function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName;
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (tag !== 'INPUT') return false;
  const type = (target as HTMLInputElement).type;
  return !['checkbox', 'radio', 'button', 'submit'].includes(type);
}
