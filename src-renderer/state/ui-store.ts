// UI-only state (what is selected, open panels and dialogs, drafts, look and language), in one
// zustand store built from slices. Nothing here comes from the mirror; components read it with useShallow.
import type { ConversationStatus } from '../../src-shared/domain';
import type { ErrorBody } from '../../src-shared/errors';
import type { Route } from '../../src-shared/rules/route';
import type { ViewRef } from '../../src-shared/rules/visibility';
import { create, type StateCreator } from 'zustand';
import { keepWritten, type MentionPick } from './mentions';
import type { Sort } from './queries';

export type Theme = 'system' | 'light' | 'dark';
export const LANGUAGES = ['en', 'es', 'pt-BR'] as const;
export type Language = (typeof LANGUAGES)[number];
export type ComposerMode = 'reply' | 'note';

/** A dialog open over the workspace; `ids` are the conversations it acts on. */
export type Dialog =
  | { kind: 'close'; ids: string[] }
  | { kind: 'transfer'; id: string }
  | { kind: 'assign'; ids: string[] }
  | { kind: 'tag'; ids: string[] }
  | { kind: 'savedView'; viewId: string | null }
  | { kind: 'newContact' }
  | { kind: 'merge'; contactId: string }
  | { kind: 'palette' }
  | { kind: 'shortcuts' }
  | { kind: 'snippets' }
  | { kind: 'forward'; messageId: string; fromConversationId: string }
  /** Pick an approved template to write outside the reply window. */
  | { kind: 'resume'; conversationId: string }
  /** "Remind me" on a conversation; with `reminderId`, Change moves that active reminder. */
  | { kind: 'reminder'; conversationId: string; reminderId: string | null }
  /** My reminders, soonest first. */
  | { kind: 'reminders' }
  /** Notifications, sound, presence-independent device settings and the desktop shell's. */
  | { kind: 'settings' };

/** A refused or failed action, said in the reader's language from its code; or a short notice that an
 *  action with nothing else to show worked ("Link copied"), by its catalog key. */
export type ToastContent =
  | { error: Pick<ErrorBody, 'code' | 'params'>; notice?: undefined }
  | { notice: string; values?: Record<string, string | number>; error?: undefined };
export type Toast = ToastContent & { id: number };

interface NavigationSlice {
  view: ViewRef;
  status: ConversationStatus;
  sort: Sort;
  selectedConversationId: string | null;
  /** Opened from search or a notification: scroll to this message and highlight it. */
  focusedMessageId: string | null;
  /** A conversation the keyboard moved to (j/k), waiting for the list to scroll its row into view: the row
   *  may not be in the page (only rows near the viewport are), or not read yet while the next page comes. */
  revealConversationId: string | null;
  screen: 'inbox' | 'admin';
  /** The person just signed out (or was signed out): the login screen says so. */
  signedOut: boolean;
  setView(view: ViewRef): void;
  setStatus(status: ConversationStatus): void;
  setSort(sort: Sort): void;
  selectConversation(id: string | null): void;
  openAtMessage(conversationId: string, messageId: string | null): void;
  /** Asks the list to bring a conversation's row into view; null once it has. */
  revealConversation(id: string | null): void;
  setScreen(screen: 'inbox' | 'admin'): void;
  /** Shows what a URL's route names (a window opened on a view, a reload). */
  applyRoute(route: Route): void;
  setSignedOut(signedOut: boolean): void;
}

interface SelectionSlice {
  /** Conversations checked for a bulk action, in the order checked. */
  checked: string[];
  /** Where a Shift-click range starts. */
  anchorId: string | null;
  setChecked(ids: string[], anchorId?: string | null): void;
  toggleChecked(id: string): void;
}

interface PanelsSlice {
  dialog: Dialog | null;
  contactPanelOpen: boolean;
  /** A contact opened by hand (created or picked), instead of the open conversation's contact. */
  panelContactId: string | null;
  searchOpen: boolean;
  notificationsOpen: boolean;
  toasts: Toast[];
  openDialog(dialog: Dialog | null): void;
  toggleContactPanel(open?: boolean): void;
  showContact(contactId: string | null): void;
  setSearchOpen(open: boolean): void;
  setNotificationsOpen(open: boolean): void;
  pushToast(toast: ToastContent): void;
  dismissToast(id: number): void;
}

interface ComposerSlice {
  drafts: Record<string, string>;
  modes: Record<string, ComposerMode>;
  /** People picked from the @ list per conversation's draft (see state/mentions.ts). */
  mentionPicks: Record<string, MentionPick[]>;
  setDraft(conversationId: string, text: string): void;
  pickMention(conversationId: string, pick: MentionPick): void;
  setMode(conversationId: string, mode: ComposerMode): void;
}

interface PreferencesSlice {
  theme: Theme;
  /** A language the person picked in the menu; null follows --lang, then the system. */
  chosenLanguage: Language | null;
  setTheme(theme: Theme): void;
  chooseLanguage(lang: Language): void;
}

export type UiState = NavigationSlice & SelectionSlice & PanelsSlice & ComposerSlice & PreferencesSlice;

const navigationSlice: StateCreator<UiState, [], [], NavigationSlice> = (set) => ({
  view: { kind: 'mine' },
  status: 'open',
  sort: 'newest',
  selectedConversationId: null,
  focusedMessageId: null,
  revealConversationId: null,
  screen: 'inbox',
  // Another view or tab holds other conversations: what was checked there is no longer in sight.
  setView: (view) => set({ view, checked: [], anchorId: null, selectedConversationId: null, revealConversationId: null, screen: 'inbox' }),
  setStatus: (status) => set({ status, checked: [], anchorId: null, selectedConversationId: null, revealConversationId: null }),
  setSort: (sort) => set({ sort }),
  selectConversation: (selectedConversationId) => set({ selectedConversationId, focusedMessageId: null, panelContactId: null }),
  openAtMessage: (selectedConversationId, focusedMessageId) =>
    set({ selectedConversationId, focusedMessageId, panelContactId: null, screen: 'inbox', searchOpen: false, notificationsOpen: false }),
  revealConversation: (revealConversationId) => set({ revealConversationId }),
  setScreen: (screen) => set({ screen }),
  applyRoute: (route) =>
    set({
      view: route.view,
      status: route.status,
      selectedConversationId: route.conversationId,
      focusedMessageId: null,
      checked: [],
      anchorId: null,
      screen: 'inbox',
    }),
  signedOut: false,
  setSignedOut: (signedOut) => set({ signedOut }),
});

const selectionSlice: StateCreator<UiState, [], [], SelectionSlice> = (set) => ({
  checked: [],
  anchorId: null,
  setChecked: (checked, anchorId) => set((s) => ({ checked, anchorId: anchorId === undefined ? s.anchorId : anchorId })),
  toggleChecked: (id) =>
    set((s) => ({ checked: s.checked.includes(id) ? s.checked.filter((c) => c !== id) : [...s.checked, id], anchorId: id })),
});

let nextToastId = 1;
const panelsSlice: StateCreator<UiState, [], [], PanelsSlice> = (set) => ({
  dialog: null,
  contactPanelOpen: false,
  panelContactId: null,
  searchOpen: false,
  notificationsOpen: false,
  toasts: [],
  openDialog: (dialog) => set({ dialog }),
  toggleContactPanel: (open) => set((s) => ({ contactPanelOpen: open ?? !s.contactPanelOpen })),
  showContact: (panelContactId) => set({ panelContactId, contactPanelOpen: true }),
  setSearchOpen: (searchOpen) => set({ searchOpen, notificationsOpen: false }),
  setNotificationsOpen: (notificationsOpen) => set({ notificationsOpen, searchOpen: false }),
  pushToast: (toast) => set((s) => ({ toasts: [...s.toasts.slice(-3), { ...toast, id: nextToastId++ }] })),
  dismissToast: (id) => set((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) })),
});

const composerSlice: StateCreator<UiState, [], [], ComposerSlice> = (set) => ({
  drafts: {},
  modes: {},
  mentionPicks: {},
  // Editing the draft forgets the picks whose @Name is gone; an emptied draft (sent) forgets them all.
  setDraft: (conversationId, text) =>
    set((s) => ({
      drafts: { ...s.drafts, [conversationId]: text },
      mentionPicks: { ...s.mentionPicks, [conversationId]: keepWritten(text, s.mentionPicks[conversationId] ?? []) },
    })),
  pickMention: (conversationId, pick) =>
    set((s) => ({ mentionPicks: { ...s.mentionPicks, [conversationId]: [...(s.mentionPicks[conversationId] ?? []), pick] } })),
  setMode: (conversationId, mode) => set((s) => ({ modes: { ...s.modes, [conversationId]: mode } })),
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
  ...selectionSlice(...a),
  ...panelsSlice(...a),
  ...composerSlice(...a),
  ...preferencesSlice(...a),
}));
