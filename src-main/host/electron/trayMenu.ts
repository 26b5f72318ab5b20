// What the tray says (its tooltip, and its menu: presence, show, quit) in the person's language, and the
// box shown when the core's thread stops. The main process has no i18n catalog of its own; these few
// words live here. Pure, so it is tested without Electron; tray.ts turns the model into a native menu.
import type { Presence } from '../../../src-shared/domain';
import { PRESENCES } from '../../../src-shared/domain';

export type TrayLang = 'en' | 'es' | 'pt-BR';

const WORDS = {
  en: {
    app: 'Bandeja',
    waiting: (n: number) => (n === 1 ? '1 conversation waits for you' : `${n} conversations wait for you`),
    nothing: 'Nothing waits for you',
    presence: { online: 'Online', away: 'Away', offline: 'Offline' },
    show: 'Show Bandeja',
    quit: 'Quit Bandeja',
    stopped: {
      title: 'Bandeja stopped',
      body: 'Something went wrong inside Bandeja and it must close. Open it again.',
    },
  },
  es: {
    app: 'Bandeja',
    waiting: (n: number) => (n === 1 ? '1 conversación te espera' : `${n} conversaciones te esperan`),
    nothing: 'Nada te espera',
    presence: { online: 'En línea', away: 'Ausente', offline: 'Desconectado' },
    show: 'Mostrar Bandeja',
    quit: 'Salir de Bandeja',
    stopped: {
      title: 'Bandeja se detuvo',
      body: 'Algo falló dentro de Bandeja y debe cerrarse. Vuelve a abrirla.',
    },
  },
  'pt-BR': {
    app: 'Bandeja',
    waiting: (n: number) => (n === 1 ? '1 conversa espera por você' : `${n} conversas esperam por você`),
    nothing: 'Nada espera por você',
    presence: { online: 'Online', away: 'Ausente', offline: 'Offline' },
    show: 'Mostrar o Bandeja',
    quit: 'Sair do Bandeja',
    stopped: {
      title: 'O Bandeja parou',
      body: 'Algo deu errado dentro do Bandeja e ele precisa fechar. Abra-o de novo.',
    },
  },
} as const;

/** 'es-AR' -> 'es', 'pt' / 'pt-PT' -> 'pt-BR', anything else -> 'en' (as the renderer picks). */
export function trayLang(tag: string | null | undefined): TrayLang {
  const base = (tag ?? '').toLowerCase().split(/[-_]/)[0];
  return base === 'es' ? 'es' : base === 'pt' ? 'pt-BR' : 'en';
}

export type TrayItem =
  | { kind: 'presence'; presence: Presence; label: string; checked: boolean }
  | { kind: 'show'; label: string }
  | { kind: 'quit'; label: string }
  | { kind: 'separator' };

export interface TrayModel {
  tooltip: string;
  /** Shown beside the icon in the macOS menu bar: the count, or nothing. */
  title: string;
  items: TrayItem[];
}

export function trayModel(lang: TrayLang, waiting: number, presence: Presence | null): TrayModel {
  const w = WORDS[lang];
  return {
    tooltip: `${w.app} — ${waiting > 0 ? w.waiting(waiting) : w.nothing}`,
    title: waiting > 0 ? String(waiting) : '',
    items: [
      ...PRESENCES.map((p): TrayItem => ({ kind: 'presence', presence: p, label: w.presence[p], checked: presence === p })),
      { kind: 'separator' },
      { kind: 'show', label: w.show },
      { kind: 'quit', label: w.quit },
    ],
  };
}

/** The error box shown when the core's thread stopped (main.ts quits after it). */
export function stoppedNotice(lang: TrayLang): { title: string; body: string } {
  return WORDS[lang].stopped;
}
