// UI-only state (what is selected, drafts, look and language), in one zustand store built from
// slices. Nothing here comes from the mirror; components read it with useShallow.
import type { ConversationStatus } from '../../src-shared/domain';
import type { View } from '../../src-shared/rules/visibility';
import { create, type StateCreator } from 'zustand';
import type { Sort } from './queries';

export type Theme = 'system' | 'light' | 'dark';
export const LANGUAGES = ['en', 'es', 'pt-BR'] as const;
export type Language = (typeof LANGUAGES)[number];

interface NavigationSlice {
  view: View;
  status: ConversationStatus;
  sort: Sort;
  selectedConversationId: string | null;
  /** The person just signed out (or was signed out): the login screen says so. */
  signedOut: boolean;
  setView(view: View): void;
  setStatus(status: ConversationStatus): void;
  setSort(sort: Sort): void;
  selectConversation(id: string | null): void;
  setSignedOut(signedOut: boolean): void;
}

interface ComposerSlice {
  drafts: Record<string, string>;
  setDraft(conversationId: string, text: string): void;
}

interface PreferencesSlice {
  theme: Theme;
  /** A language the person picked in the menu; null follows --lang, then the system. */
  chosenLanguage: Language | null;
  setTheme(theme: Theme): void;
  chooseLanguage(lang: Language): void;
}

export type UiState = NavigationSlice & ComposerSlice & PreferencesSlice;

const navigationSlice: StateCreator<UiState, [], [], NavigationSlice> = (set) => ({
  view: 'mine',
  status: 'open',
  sort: 'newest',
  selectedConversationId: null,
  setView: (view) => set({ view }),
  setStatus: (status) => set({ status }),
  setSort: (sort) => set({ sort }),
  selectConversation: (selectedConversationId) => set({ selectedConversationId }),
  signedOut: false,
  setSignedOut: (signedOut) => set({ signedOut }),
});

const composerSlice: StateCreator<UiState, [], [], ComposerSlice> = (set) => ({
  drafts: {},
  setDraft: (conversationId, text) => set((s) => ({ drafts: { ...s.drafts, [conversationId]: text } })),
});

// Look and language survive a reload; they belong to this device, not to the account.
const PREFS_KEY = 'bandeja.preferences';
function loadPreferences(): Pick<PreferencesSlice, 'theme' | 'chosenLanguage'> {
  try {
    const raw = JSON.parse(localStorage.getItem(PREFS_KEY) ?? '{}') as Partial<PreferencesSlice>;
    const theme: Theme = raw.theme === 'light' || raw.theme === 'dark' ? raw.theme : 'system';
    const lang = LANGUAGES.find((l) => l === raw.chosenLanguage) ?? null;
    return { theme, chosenLanguage: lang };
  } catch {
    return { theme: 'system', chosenLanguage: null };
  }
}
function savePreferences(p: Pick<PreferencesSlice, 'theme' | 'chosenLanguage'>): void {
  try {
    localStorage.setItem(PREFS_KEY, JSON.stringify(p));
  } catch {
    // Storage can be unavailable (private mode); the choice then lasts until reload.
  }
}

const preferencesSlice: StateCreator<UiState, [], [], PreferencesSlice> = (set, get) => ({
  ...loadPreferences(),
  setTheme: (theme) => {
    set({ theme });
    savePreferences({ theme, chosenLanguage: get().chosenLanguage });
  },
  chooseLanguage: (chosenLanguage) => {
    set({ chosenLanguage });
    savePreferences({ theme: get().theme, chosenLanguage });
  },
});

export const useUi = create<UiState>()((...a) => ({
  ...navigationSlice(...a),
  ...composerSlice(...a),
  ...preferencesSlice(...a),
}));
