// Emoji for the composer's picker, from emojibase-data (Unicode's own names and keywords, translated
// by CLDR) in the reader's language: bundled with the app and loaded on first use, never fetched.
import { fold } from '../components/Picker';

export interface Emoji {
  unicode: string;
  label: string;
  tags: string[];
  group: number;
  order: number;
}
export interface EmojiGroup {
  id: number;
  name: string;
  emoji: Emoji[];
}
export interface EmojiSet {
  groups: EmojiGroup[];
  all: Emoji[];
}

type Raw = { unicode: string; label: string; tags?: string[]; group?: number; order?: number };
type RawMessages = { groups: { key: string; message: string; order: number }[] };

// One bundle chunk per language; Vite needs each path spelled out.
const LOADERS: Record<string, () => Promise<[{ default: unknown }, { default: unknown }]>> = {
  en: () => Promise.all([import('emojibase-data/en/compact.json'), import('emojibase-data/en/messages.json')]),
  es: () => Promise.all([import('emojibase-data/es/compact.json'), import('emojibase-data/es/messages.json')]),
  'pt-BR': () => Promise.all([import('emojibase-data/pt/compact.json'), import('emojibase-data/pt/messages.json')]),
};
// Skin-tone swatches and hair pieces: parts of other emoji, not emoji to send.
const COMPONENT_GROUP = 2;

const loaded = new Map<string, Promise<EmojiSet>>();

export function loadEmoji(lang: string): Promise<EmojiSet> {
  const key = lang in LOADERS ? lang : 'en';
  let set = loaded.get(key);
  if (!set) {
    set = LOADERS[key]!().then(([data, messages]) => build(data.default as Raw[], messages.default as RawMessages));
    set.catch(() => loaded.delete(key));
    loaded.set(key, set);
  }
  return set;
}

function build(raw: Raw[], messages: RawMessages): EmojiSet {
  const all: Emoji[] = raw
    .filter((e) => e.group !== undefined && e.group !== COMPONENT_GROUP)
    .map((e) => ({ unicode: e.unicode, label: e.label, tags: e.tags ?? [], group: e.group!, order: e.order ?? 0 }))
    .sort((a, b) => a.order - b.order);
  const groups = messages.groups
    .filter((g) => g.order !== COMPONENT_GROUP)
    .sort((a, b) => a.order - b.order)
    .map((g) => ({ id: g.order, name: g.message, emoji: all.filter((e) => e.group === g.order) }))
    .filter((g) => g.emoji.length > 0);
  return { groups, all };
}

/** Emoji whose name (or else a keyword) has a word starting with each word of the query, accents and
 *  case ignored ("thumbs up", "cora" for corazón); matches by name come first. */
export function searchEmoji(set: EmojiSet, query: string, limit = 120): Emoji[] {
  const wanted = fold(query.trim()).split(/\s+/).filter(Boolean);
  if (wanted.length === 0) return [];
  const matches = (text: string) => {
    const words = fold(text).split(/[\s:,-]+/);
    return wanted.every((w) => words.some((word) => word.startsWith(w)));
  };
  const byName = set.all.filter((e) => matches(e.label));
  const byTag = set.all.filter((e) => !byName.includes(e) && (matches(e.tags.join(' ')) || e.tags.some(matches)));
  return [...byName, ...byTag].slice(0, limit);
}

const RECENT_KEY = 'bandeja.emoji.recent';
const RECENT_MAX = 16;

export function recentEmoji(): string[] {
  try {
    const list = JSON.parse(localStorage.getItem(RECENT_KEY) ?? '[]') as unknown;
    return Array.isArray(list) ? list.filter((x): x is string => typeof x === 'string').slice(0, RECENT_MAX) : [];
  } catch {
    return [];
  }
}

export function rememberEmoji(unicode: string): void {
  try {
    localStorage.setItem(RECENT_KEY, JSON.stringify([unicode, ...recentEmoji().filter((x) => x !== unicode)].slice(0, RECENT_MAX)));
  } catch {
    // Storage can be unavailable; the recent row then starts empty next time.
  }
}
