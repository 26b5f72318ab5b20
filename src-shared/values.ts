// The bounds of every value that enters Bandeja (IPC args, sync pushes, webchat frames, webhooks), one rule
// each: what PostgreSQL (text and jsonb hold no NUL, bigint ends at 2^63), SQLite, JSON and JS numbers all
// hold the same way. Free text is cleaned (never refused for an invisible character); identifiers are
// refused when they hold one (changing an id would name another thing). See ARCHITECTURE.md, "The contract".
import { z } from 'zod';

/** Latest time any field may hold: the end of year 9999 (PostgreSQL and JS dates both hold it). */
export const MAX_EPOCH_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** C0 control characters (U+0000–U+001F) other than tab, line feed and carriage return. */
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g;
const LINE_BREAKS = /[\t\n\r]+/g;
/** Any C0 control or DEL: refused in identifiers. */
// eslint-disable-next-line no-control-regex
const ANY_CONTROL = /[\u0000-\u001F\u007F]/;
/** A UTF-16 surrogate with no partner (not a character; UTF-8 cannot encode it). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const LONE_SURROGATES = new RegExp(LONE_SURROGATE.source, 'g');

/** Free text as it is stored: C0 controls but tab, LF and CR removed; a lone surrogate becomes U+FFFD
 *  (what any UTF-8 encoder would store instead). */
export function cleanText(s: string): string {
  return s.replace(CONTROLS, '').replace(LONE_SURROGATES, '\uFFFD');
}

/** One line as it is stored: like cleanText, with tabs and line breaks turned into one space, trimmed. */
export function cleanLine(s: string): string {
  return cleanText(s).replace(LINE_BREAKS, ' ').trim();
}

/** True when the string may be an identifier: no control character, no lone surrogate. */
export function isCleanKey(s: string): boolean {
  return !ANY_CONTROL.test(s) && !LONE_SURROGATE.test(s);
}

/** Free text of at most `max` characters (message bodies, notes, custom text values), cleaned.
 *  `min` counts what is left after cleaning (and trimming when `trim`). */
export function text(max: number, opts: { min?: number; trim?: boolean } = {}) {
  const clean = opts.trim ? (s: string) => cleanText(s).trim() : cleanText;
  const base = z.string().max(max).transform(clean);
  return opts.min ? base.pipe(z.string().min(opts.min)) : base;
}

/** One line of at most `max` characters (names, titles, labels, tags, search words), cleaned and trimmed. */
export function line(max: number, opts: { min?: number } = {}) {
  const base = z.string().max(max).transform(cleanLine);
  return opts.min ? base.pipe(z.string().min(opts.min)) : base;
}

/** An identifier or code of at most `max` characters; one holding a control character or a lone surrogate
 *  is refused, never changed. */
export function key(max: number, opts: { min?: number } = {}) {
  return z
    .string()
    .min(opts.min ?? 0)
    .max(max)
    .refine(isCleanKey, 'must not hold control characters or broken characters');
}

/** A time in epoch milliseconds within what every store holds (1970 to the end of 9999). */
export const epochMs = z.number().int().min(0).max(MAX_EPOCH_MS);

/** An e-mail address (refused, never changed, when it holds a control character). */
export const email = key(254).pipe(z.string().email());

/** A whole number JS holds exactly (and PostgreSQL's bigint too): versions, counters. */
export const safeInt = z.number().int().min(Number.MIN_SAFE_INTEGER).max(Number.MAX_SAFE_INTEGER);

/** A finite number (JSON has no Infinity or NaN). */
export const finite = z.number().finite();

/** A record with at most `max` entries whose keys pass `keySchema`. */
export function boundedRecord<K extends z.ZodType<string, z.ZodTypeDef, string>, V extends z.ZodTypeAny>(
  keySchema: K,
  value: V,
  max: number,
) {
  return z.record(keySchema, value).refine((r) => Object.keys(r).length <= max, `may have at most ${max} entries`);
}
