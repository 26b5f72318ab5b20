// Supervisors save which views sit on which monitor. On start the layout is restored onto the displays
// that exist now: a window whose display is gone moves to the primary one, and every window is kept
// inside a display's work area (never off-screen, never larger than the screen).
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Display {
  id: string;
  primary: boolean;
  workArea: Rect;
}

export interface SavedWindow {
  view: string;
  displayId: string;
  /** Bounds relative to the display's work area, so a display that moved keeps its windows. */
  bounds: Rect;
  maximized: boolean;
}

export interface PlacedWindow {
  view: string;
  displayId: string;
  bounds: Rect;
  maximized: boolean;
  /** The saved display was missing and the window was moved. */
  moved: boolean;
}

export const MIN_WINDOW = { width: 480, height: 360 };

function clamp(value: number, min: number, max: number): number {
  return Math.min(Math.max(value, min), Math.max(min, max));
}

export function restoreLayout(saved: readonly SavedWindow[], displays: readonly Display[]): PlacedWindow[] {
  if (displays.length === 0) return [];
  const primary = displays.find((d) => d.primary) ?? displays[0]!;
  const placed: PlacedWindow[] = [];
  let cascade = 0;
  for (const w of saved) {
    const display = displays.find((d) => d.id === w.displayId);
    const target = display ?? primary;
    const area = target.workArea;
    const width = clamp(w.bounds.width, Math.min(MIN_WINDOW.width, area.width), area.width);
    const height = clamp(w.bounds.height, Math.min(MIN_WINDOW.height, area.height), area.height);
    // Moved windows cascade so they do not all land on top of each other.
    const offset = display ? 0 : 32 * cascade++;
    const x = area.x + clamp(w.bounds.x + offset, 0, area.width - width);
    const y = area.y + clamp(w.bounds.y + offset, 0, area.height - height);
    placed.push({ view: w.view, displayId: target.id, bounds: { x, y, width, height }, maximized: w.maximized, moved: !display });
  }
  return placed;
}

/** Saves a window's absolute bounds relative to the display it is on (the one holding its centre). */
export function toSavedWindow(view: string, bounds: Rect, maximized: boolean, displays: readonly Display[]): SavedWindow | null {
  const cx = bounds.x + bounds.width / 2;
  const cy = bounds.y + bounds.height / 2;
  const display =
    displays.find(
      (d) => cx >= d.workArea.x && cx < d.workArea.x + d.workArea.width && cy >= d.workArea.y && cy < d.workArea.y + d.workArea.height,
    ) ??
    displays.find((d) => d.primary) ??
    displays[0];
  if (!display) return null;
  return {
    view,
    displayId: display.id,
    bounds: { x: bounds.x - display.workArea.x, y: bounds.y - display.workArea.y, width: bounds.width, height: bounds.height },
    maximized,
  };
}

/** Where the main window was on each display (bounds relative to that display's work area), and the
 *  display it was on last: the window comes back there, at the size it had on that display. */
export interface WindowMemory {
  lastDisplayId: string | null;
  byDisplay: Record<string, { bounds: Rect; maximized: boolean }>;
}

export const EMPTY_WINDOW_MEMORY: WindowMemory = { lastDisplayId: null, byDisplay: {} };

/** Records a window's current place (on the display holding its centre). */
export function rememberWindow(memory: WindowMemory, bounds: Rect, maximized: boolean, displays: readonly Display[]): WindowMemory {
  const saved = toSavedWindow('main', bounds, maximized, displays);
  if (!saved) return memory;
  return { lastDisplayId: saved.displayId, byDisplay: { ...memory.byDisplay, [saved.displayId]: { bounds: saved.bounds, maximized } } };
}

/** Where to open the main window: the display it was last on if it is still there (else the primary),
 *  at the place it had on that display; a display it never was on gets `size` centred, inside the screen. */
export function placeWindow(
  memory: WindowMemory,
  displays: readonly Display[],
  size: { width: number; height: number },
): { bounds: Rect; maximized: boolean; displayId: string } | null {
  if (displays.length === 0) return null;
  const primary = displays.find((d) => d.primary) ?? displays[0]!;
  const display = displays.find((d) => d.id === memory.lastDisplayId) ?? primary;
  const remembered = memory.byDisplay[display.id];
  const area = display.workArea;
  const bounds = remembered?.bounds ?? {
    x: Math.round((area.width - size.width) / 2),
    y: Math.round((area.height - size.height) / 2),
    width: size.width,
    height: size.height,
  };
  const [placed] = restoreLayout([{ view: 'main', displayId: display.id, bounds, maximized: remembered?.maximized ?? false }], displays);
  return { bounds: placed!.bounds, maximized: placed!.maximized, displayId: display.id };
}
