// Dates and times in the reader's language, with Intl (never hand-built strings).
const cache = new Map<string, Intl.DateTimeFormat>();
function formatter(lang: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${lang}|${JSON.stringify(options)}`;
  let f = cache.get(key);
  if (!f) cache.set(key, (f = new Intl.DateTimeFormat(lang, options)));
  return f;
}

function sameDay(a: Date, b: Date): boolean {
  return a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();
}

/** Short stamp for a list row: time today, weekday this week, date otherwise. */
export function listTime(lang: string, at: number, now = Date.now()): string {
  const d = new Date(at);
  if (sameDay(d, new Date(now))) return formatter(lang, { hour: 'numeric', minute: '2-digit' }).format(d);
  if (now - at < 6 * 24 * 3600 * 1000) return formatter(lang, { weekday: 'short' }).format(d);
  return formatter(lang, { day: 'numeric', month: 'short' }).format(d);
}

export function messageTime(lang: string, at: number): string {
  return formatter(lang, { hour: 'numeric', minute: '2-digit' }).format(new Date(at));
}

export function fullDateTime(lang: string, at: number): string {
  return formatter(lang, { dateStyle: 'full', timeStyle: 'short' }).format(new Date(at));
}

/** A date and time in a table (e.g. when a session was last used). */
export function dateTime(lang: string, at: number): string {
  return formatter(lang, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(at));
}

export function dayHeading(lang: string, at: number): string {
  return formatter(lang, { weekday: 'long', day: 'numeric', month: 'long' }).format(new Date(at));
}

/** This device's calendar day of a moment, as a key: messages share a day heading when theirs are equal. */
export function localDay(at: number): string {
  const d = new Date(at);
  return `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}`;
}

const relative = new Map<string, Intl.RelativeTimeFormat>();
/** "in 3 hours", "5 minutes ago", "yesterday": the nearest whole unit, in the reader's language. */
export function relativeTime(lang: string, at: number, now = Date.now()): string {
  let f = relative.get(lang);
  if (!f) relative.set(lang, (f = new Intl.RelativeTimeFormat(lang, { numeric: 'auto' })));
  const minutes = Math.round((at - now) / 60_000);
  if (Math.abs(minutes) < 60) return f.format(minutes, 'minute');
  const hours = Math.round(minutes / 60);
  if (Math.abs(hours) < 48) return f.format(hours, 'hour');
  return f.format(Math.round(hours / 24), 'day');
}

/** A reminder's date and time in the reader's language ("May 12, 2:30 PM", "12 may, 14:30"). */
export function dateAndTime(lang: string, at: number): string {
  return formatter(lang, { day: 'numeric', month: 'short', hour: 'numeric', minute: '2-digit' }).format(new Date(at));
}

/** The value an <input type="datetime-local"> holds for `at`, in this device's time zone. */
export function localInputValue(at: number): string {
  const d = new Date(at);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** Reads an <input type="datetime-local"> value as this device's local time; NaN when incomplete. */
export function fromLocalInput(value: string): number {
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value) ? new Date(value).getTime() : NaN;
}
