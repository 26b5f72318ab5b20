// The tray icon: how many conversations wait for me (tooltip, and the title beside it on macOS), and a
// menu to choose presence, show the window, or quit. Clicking the icon shows the window.
import { Menu, nativeImage, Tray } from 'electron';
import type { Presence } from '../../../src-shared/domain';
import { trayModel, type TrayLang } from './trayMenu';

export interface TrayOptions {
  iconPath: string;
  lang: TrayLang;
  onShow(): void;
  onQuit(): void;
  onPresence(presence: Presence): void;
}

export interface AppTray {
  update(state: { waiting?: number; presence?: Presence | null }): void;
  destroy(): void;
}

export function createTray(opts: TrayOptions): AppTray {
  const icon = nativeImage.createFromPath(opts.iconPath);
  const tray = new Tray(process.platform === 'linux' ? icon : icon.resize({ width: 16, height: 16 }));
  let waiting = 0;
  let presence: Presence | null = null;
  const render = () => {
    const model = trayModel(opts.lang, waiting, presence);
    tray.setToolTip(model.tooltip);
    if (process.platform === 'darwin') tray.setTitle(model.title);
    tray.setContextMenu(
      Menu.buildFromTemplate(
        model.items.map((item) => {
          switch (item.kind) {
            case 'presence':
              return { type: 'radio' as const, label: item.label, checked: item.checked, click: () => opts.onPresence(item.presence) };
            case 'show':
              return { label: item.label, click: opts.onShow };
            case 'quit':
              return { label: item.label, click: opts.onQuit };
            case 'separator':
              return { type: 'separator' as const };
          }
        }),
      ),
    );
  };
  tray.on('click', opts.onShow);
  render();
  return {
    update(next) {
      if (next.waiting !== undefined) waiting = next.waiting;
      if (next.presence !== undefined) presence = next.presence;
      render();
    },
    destroy: () => tray.destroy(),
  };
}
