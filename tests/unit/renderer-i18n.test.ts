// The renderer's three catalogs must say the same things: same keys, nothing empty, the plural
// forms each language needs, the same {{placeholders}}, and a message for every error code.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../src-shared/errors';

const LANGS = ['en', 'es', 'pt-BR'] as const;
const dir = resolve(__dirname, '../../src-renderer/i18n/locales');
const PLURAL = /_(zero|one|two|few|many|other)$/;

type Catalog = { [key: string]: string | Catalog };

function flatten(node: Catalog, prefix = ''): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const [k, v] of Object.entries(node)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v !== null && typeof v === 'object') for (const [kk, vv] of flatten(v, key)) out.set(kk, vv);
    else out.set(key, v);
  }
  return out;
}

const catalogs = Object.fromEntries(
  LANGS.map((lang) => [lang, flatten(JSON.parse(readFileSync(join(dir, `${lang}.json`), 'utf8')) as Catalog)]),
) as Record<(typeof LANGS)[number], Map<string, unknown>>;

/** Keys with plural suffixes folded to their base: 'sync.offlineWaiting_one' -> 'sync.offlineWaiting'. */
function baseKeys(lang: (typeof LANGS)[number]): string[] {
  return [...new Set([...catalogs[lang].keys()].map((k) => k.replace(PLURAL, '')))].sort();
}

function placeholders(text: string): string[] {
  return [...text.matchAll(/\{\{\s*([\w.]+)\s*\}\}/g)].map((m) => m[1]!).sort();
}

describe('renderer catalogs', () => {
  it('have exactly the same keys in en, es and pt-BR', () => {
    expect(baseKeys('es')).toEqual(baseKeys('en'));
    expect(baseKeys('pt-BR')).toEqual(baseKeys('en'));
  });

  it('have no empty or non-string values', () => {
    for (const lang of LANGS)
      for (const [key, value] of catalogs[lang]) {
        expect(typeof value, `${lang} ${key}`).toBe('string');
        expect((value as string).trim(), `${lang} ${key}`).not.toBe('');
      }
  });

  it('have every plural form each language needs, and no others', () => {
    for (const lang of LANGS) {
      const needed = new Intl.PluralRules(lang).resolvedOptions().pluralCategories.slice().sort();
      const forms = new Map<string, string[]>();
      for (const key of catalogs[lang].keys()) {
        const m = PLURAL.exec(key);
        if (m) forms.set(key.replace(PLURAL, ''), [...(forms.get(key.replace(PLURAL, '')) ?? []), m[1]!]);
      }
      expect(forms.size, lang).toBeGreaterThan(0);
      for (const [base, got] of forms) expect(got.sort(), `${lang} ${base}`).toEqual(needed);
    }
  });

  it('use the same placeholders in every language', () => {
    for (const [key, en] of catalogs.en) {
      const base = key.replace(PLURAL, '');
      for (const lang of ['es', 'pt-BR'] as const) {
        const other = catalogs[lang].get(key) ?? catalogs[lang].get(`${base}_other`);
        const wanted = placeholders(en as string).filter((p) => p !== 'count' || !PLURAL.test(key));
        const got = placeholders(other as string).filter((p) => p !== 'count' || !PLURAL.test(key));
        expect(got, `${lang} ${key}`).toEqual(wanted);
      }
    }
  });

  it('translate every error code', () => {
    for (const lang of LANGS) for (const code of ERROR_CODES) expect(catalogs[lang].has(`errors.${code}`), `${lang} ${code}`).toBe(true);
  });
});
