// The desktop shell's own settings (electron-store, one JSON file per data folder): where the main
// window was on each display, the supervisor's saved window layout, and start at login. The schema
// is checked on every write and an invalid file is reset to the defaults, so a hand-edited or
// half-written file can never keep the app from opening. Pure: tested with `conf` under plain Node.
import type { SavedWindow, WindowMemory } from '../../../src-shared/rules/windowLayout';

export interface ShellSettingsShape {
  windowMemory: WindowMemory;
  /** Windows restored at start (view = route); empty: one main window. */
  layout: SavedWindow[];
  startAtLogin: boolean;
}

export const SHELL_SETTINGS_DEFAULTS: ShellSettingsShape = {
  windowMemory: { lastDisplayId: null, byDisplay: {} },
  layout: [],
  startAtLogin: false,
};

const rect = {
  type: 'object',
  properties: {
    x: { type: 'integer' },
    y: { type: 'integer' },
    width: { type: 'integer', minimum: 1 },
    height: { type: 'integer', minimum: 1 },
  },
  required: ['x', 'y', 'width', 'height'],
  additionalProperties: false,
} as const;

/** JSON schema per top-level key, as electron-store (conf) takes it. */
export const SHELL_SETTINGS_SCHEMA = {
  windowMemory: {
    type: 'object',
    properties: {
      lastDisplayId: { type: ['string', 'null'] },
      byDisplay: {
        type: 'object',
        additionalProperties: {
          type: 'object',
          properties: { bounds: rect, maximized: { type: 'boolean' } },
          required: ['bounds', 'maximized'],
          additionalProperties: false,
        },
      },
    },
    required: ['lastDisplayId', 'byDisplay'],
    additionalProperties: false,
  },
  layout: {
    type: 'array',
    maxItems: 16,
    items: {
      type: 'object',
      properties: {
        view: { type: 'string', maxLength: 300, pattern: '^#/' },
        displayId: { type: 'string' },
        bounds: rect,
        maximized: { type: 'boolean' },
      },
      required: ['view', 'displayId', 'bounds', 'maximized'],
      additionalProperties: false,
    },
  },
  startAtLogin: { type: 'boolean' },
} as const;

/** Options for `new Store(...)` (electron-store; `name` is its file name) or `new Conf(...)` (tests,
 *  with configName). */
export function shellStoreOptions(cwd: string) {
  return {
    cwd,
    name: 'shell',
    schema: SHELL_SETTINGS_SCHEMA,
    defaults: SHELL_SETTINGS_DEFAULTS,
    clearInvalidConfig: true,
  };
}
