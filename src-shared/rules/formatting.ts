// WhatsApp's own text markup (*bold*, _italic_, ~strike~, `code`, ```monospace```) and links, parsed
// into tokens the timeline renders as elements (never as HTML). Agents type the same markup the
// customer's app shows, so a message reaches the channel unchanged. The rules follow WhatsApp's: a
// marker opens only at the start or after a non-letter, is followed by a non-space, and closes before
// the end or a non-letter, on the same line; so 2*3*4 and snake_case_names stay as typed.
import { parseDeepLink, type DeepLink } from './deepLink';

export type FormatToken =
  | { kind: 'text'; text: string }
  | { kind: 'bold' | 'italic' | 'strike'; children: FormatToken[] }
  | { kind: 'code'; text: string }
  /** web: http(s) and www. (href made https); mail: mailto:; app: a bandeja:// deep link. */
  | { kind: 'link'; text: string; href: string; scheme: 'web' | 'mail' | 'app'; deepLink: DeepLink | null };

export type LinkToken = Extract<FormatToken, { kind: 'link' }>;

const MARKERS = { '*': 'bold', _: 'italic', '~': 'strike' } as const;
type Marker = keyof typeof MARKERS;

// Links and code spans are atoms: markup inside them is not markup (https://x.com/a_b_c keeps its
// underscores). Earliest match wins; the lookbehind keeps "abc.www.x" and "a@www.x" from linking.
const ATOM = /```([\s\S]+?)```|`([^`\n]+)`|(?<![\p{L}\p{N}_./@:-])((?:https?:\/\/|www\.|mailto:|bandeja:\/\/)[^\s<>"`]+)/giu;

// Characters a sentence puts after a link that are not part of it.
const TRAILING = /[.,;:!?'"*_~>]$/;

/** A link as written, without the punctuation that followed it; null when it is not one we open. */
function linkOf(raw: string): { token: LinkToken; length: number } | null {
  let text = raw;
  for (;;) {
    if (TRAILING.test(text)) text = text.slice(0, -1);
    else if (text.endsWith(')') && count(text, '(') < count(text, ')')) text = text.slice(0, -1);
    else if (text.endsWith(']') && count(text, '[') < count(text, ']')) text = text.slice(0, -1);
    else break;
  }
  const lower = text.toLowerCase();
  if (lower.startsWith('bandeja://')) {
    const deepLink = parseDeepLink(text);
    return deepLink ? { token: { kind: 'link', text, href: text, scheme: 'app', deepLink }, length: text.length } : null;
  }
  if (lower.startsWith('mailto:')) {
    if (!/^mailto:[^@\s]+@[^@\s]+\.[^@\s]+$/i.test(text)) return null;
    return { token: { kind: 'link', text, href: text, scheme: 'mail', deepLink: null }, length: text.length };
  }
  const href = lower.startsWith('www.') ? `https://${text}` : text;
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  if (!url.hostname.includes('.') && url.hostname !== 'localhost') return null;
  return { token: { kind: 'link', text, href, scheme: 'web', deepLink: null }, length: text.length };
}

function count(text: string, ch: string): number {
  let n = 0;
  for (const c of text) if (c === ch) n++;
  return n;
}

// Atoms are replaced by one private-use character each while markers are matched, then put back.
const SLOT = '\uE000';
const WORD = /[\p{L}\p{N}]/u;

function isWord(ch: string | undefined): boolean {
  return ch !== undefined && ch !== SLOT && WORD.test(ch);
}

function isSpace(ch: string | undefined): boolean {
  return ch === undefined || /\s/.test(ch);
}

/** Splits a message body into text, formatted spans and links. Every character of the body is in one
 *  text, code or link token, except the markers that format (a U+E000 in the body reads as a space). */
export function parseFormatting(body: string): FormatToken[] {
  const atoms: FormatToken[] = [];
  const slots = new Map<number, number>();
  let masked = '';
  let last = 0;
  for (const m of body.matchAll(ATOM)) {
    const start = m.index;
    let atom: FormatToken | null = null;
    let length = m[0].length;
    if (m[1] !== undefined) atom = { kind: 'code', text: m[1] };
    else if (m[2] !== undefined) atom = m[2].trim() ? { kind: 'code', text: m[2] } : null;
    else {
      const link = linkOf(m[3]!);
      if (link) {
        atom = link.token;
        length = link.length;
      }
    }
    if (!atom) continue;
    masked += body.slice(last, start).replaceAll(SLOT, ' ');
    slots.set(masked.length, atoms.length);
    masked += SLOT;
    atoms.push(atom);
    last = start + length;
  }
  masked += body.slice(last).replaceAll(SLOT, ' ');
  return merge(spans({ masked, atoms, slots }, 0, masked.length));
}

interface Source {
  /** The body with each atom as one SLOT (and stray SLOT characters of the body as spaces). */
  masked: string;
  atoms: FormatToken[];
  /** Atom index by its SLOT's position in `masked`. */
  slots: Map<number, number>;
}

/** Tokens of masked[from, to): formatted spans found left to right, the rest as text. */
function spans(src: Source, from: number, to: number): FormatToken[] {
  const s = src.masked;
  const out: FormatToken[] = [];
  let textStart = from;
  let i = from;
  while (i < to) {
    const ch = s[i]!;
    const close = ch in MARKERS ? closing(s, i, to) : -1;
    if (close < 0) {
      i++;
      continue;
    }
    out.push(...plain(src, textStart, i));
    out.push({ kind: MARKERS[ch as Marker], children: spans(src, i + 1, close) });
    i = close + 1;
    textStart = i;
  }
  out.push(...plain(src, textStart, to));
  return out;
}

/** Where the marker at `open` closes (same line, before `to`), or -1 when it does not open a span. */
function closing(s: string, open: number, to: number): number {
  const marker = s[open]!;
  if (isWord(s[open - 1]) || isSpace(s[open + 1]) || s[open + 1] === marker) return -1;
  for (let j = open + 2; j < to; j++) {
    if (s[j] === '\n') return -1;
    if (s[j] === marker && !isSpace(s[j - 1]) && !isWord(s[j + 1])) return j;
  }
  return -1;
}

/** Text of masked[from, to) with its atoms put back. */
function plain(src: Source, from: number, to: number): FormatToken[] {
  const out: FormatToken[] = [];
  let text = '';
  for (let i = from; i < to; i++) {
    if (src.masked[i] === SLOT) {
      if (text) out.push({ kind: 'text', text });
      text = '';
      out.push(src.atoms[src.slots.get(i)!]!);
    } else text += src.masked[i];
  }
  if (text) out.push({ kind: 'text', text });
  return out;
}

function merge(tokens: FormatToken[]): FormatToken[] {
  const out: FormatToken[] = [];
  for (const t of tokens) {
    const prev = out.at(-1);
    if (t.kind === 'text' && prev?.kind === 'text') out[out.length - 1] = { kind: 'text', text: prev.text + t.text };
    else if (t.kind === 'bold' || t.kind === 'italic' || t.kind === 'strike') out.push({ kind: t.kind, children: merge(t.children) });
    else out.push(t);
  }
  return out;
}

/** The links of a body, in order (for "open link" actions and tests). */
export function linksIn(body: string): LinkToken[] {
  const found: LinkToken[] = [];
  const walk = (tokens: FormatToken[]) => {
    for (const t of tokens) {
      if (t.kind === 'link') found.push(t);
      else if ('children' in t) walk(t.children);
    }
  };
  walk(parseFormatting(body));
  return found;
}

/** The single link `text` is (after trimming), or null: what the composer's link button accepts. */
export function asLink(text: string): LinkToken | null {
  const trimmed = text.trim();
  const tokens = parseFormatting(trimmed);
  return tokens.length === 1 && tokens[0]!.kind === 'link' && tokens[0]!.text === trimmed ? tokens[0]! : null;
}

export interface TextSelection {
  text: string;
  start: number;
  end: number;
}

/** Ctrl/Cmd+B, Ctrl/Cmd+I and the toolbar: wraps the selection in `marker` (the spaces around it stay
 *  outside, since WhatsApp does not format "* word *"); unwraps it when it is already wrapped; with
 *  nothing selected, puts the caret between a new pair. Returns the new text and selection. */
export function toggleMarker(sel: TextSelection, marker: Marker): TextSelection {
  const { text } = sel;
  let start = sel.start;
  let end = sel.end;
  while (start < end && /\s/.test(text[start]!)) start++;
  while (end > start && /\s/.test(text[end - 1]!)) end--;
  if (start === end) {
    const at = sel.start;
    return { text: text.slice(0, at) + marker + marker + text.slice(at), start: at + 1, end: at + 1 };
  }
  const inner = text.slice(start, end);
  if (text[start - 1] === marker && text[end] === marker)
    return { text: text.slice(0, start - 1) + inner + text.slice(end + 1), start: start - 1, end: end - 1 };
  if (inner.length >= 2 && inner.startsWith(marker) && inner.endsWith(marker))
    return { text: text.slice(0, start) + inner.slice(1, -1) + text.slice(end), start, end: end - 2 };
  return { text: text.slice(0, start) + marker + inner + marker + text.slice(end), start: start + 1, end: end + 1 };
}
