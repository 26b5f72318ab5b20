// i18next set-up and the language rule: a language picked in the menu, else the host's --lang,
// else the system's (navigator.language), else English.
import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import { LANGUAGES, type Language } from '../state/ui-store';
import en from './locales/en.json';
import es from './locales/es.json';
import ptBR from './locales/pt-BR.json';

export const catalogs = { en, es, 'pt-BR': ptBR } as const;

/** Maps any BCP 47 tag to a language we ship: 'es-AR' -> 'es', 'pt' / 'pt-PT' -> 'pt-BR'. */
export function supportedLanguage(tag: string | null | undefined): Language | null {
  if (!tag) return null;
  const exact = LANGUAGES.find((l) => l.toLowerCase() === tag.toLowerCase());
  if (exact) return exact;
  const base = tag.toLowerCase().split('-')[0];
  if (base === 'pt') return 'pt-BR';
  return LANGUAGES.find((l) => l === base) ?? null;
}

export function pickLanguage(chosen: Language | null, hostLang: string | null): Language {
  return chosen ?? supportedLanguage(hostLang) ?? navigator.languages.map(supportedLanguage).find((l) => l !== null) ?? 'en';
}

export async function initI18n(lang: Language): Promise<void> {
  await i18next.use(initReactI18next).init({
    resources: { en: { translation: en }, es: { translation: es }, 'pt-BR': { translation: ptBR } },
    lng: lang,
    fallbackLng: 'en',
    supportedLngs: [...LANGUAGES],
    // React escapes text itself.
    interpolation: { escapeValue: false },
    returnNull: false,
  });
  document.documentElement.lang = lang;
}

export async function changeLanguage(lang: Language): Promise<void> {
  await i18next.changeLanguage(lang);
  document.documentElement.lang = lang;
}
