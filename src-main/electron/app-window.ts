/**
 * The app window over its life: opened where it was last time (window-state.ts), on a route when
 * asked, its place saved as it moves, brought to the front, and told about the menu's Settings….
 * main.ts creates this after `ready` (Electron's `screen` needs it) and asks it for the window.
 *
 * Type-only Electron imports: main.ts passes the real BrowserWindow class and `screen`, tests pass
 * fakes that emit Electron's documented events (test/unit/electron-app-window.test.ts).
 */
import type { App, BrowserWindow, Screen, WebContents } from 'electron';
import type { Logger } from '../core/platform.ts';
import { sendOpenSettings } from './ipc.ts';
import {
  parseWindowState,
  restoreBounds,
  trackWindowState,
  type WindowState,
} from './window-state.ts';
import {
  bringToFront,
  createAppWindow,
  showWhenReady,
  WINDOW_SIZE,
  type WindowClass,
} from './window.ts';

/** The renderer's route for the Settings page (its hash router). */
export const SETTINGS_ROUTE = '/settings';

/** What this module uses of a BrowserWindow. */
export type ManagedWindow = Pick<
  BrowserWindow,
  | 'on'
  | 'once'
  | 'show'
  | 'maximize'
  | 'getNormalBounds'
  | 'isMaximized'
  | 'isDestroyed'
  | 'isMinimized'
  | 'restore'
  | 'focus'
  | 'loadURL'
> & { webContents: Pick<WebContents, 'isDestroyed' | 'send'> };

export interface AppWindowsOptions<W extends ManagedWindow> {
  BrowserWindow: WindowClass<W>;
  preloadPath: string;
  devTools: boolean;
  /** What the window loads: the renderer's entry URL (app://renderer/index.html, or the dev server). */
  url: string;
  screen: Pick<Screen, 'getAllDisplays' | 'getPrimaryDisplay'>;
  /** Where the window's place is kept (window-state-store.ts). */
  state: { load(): unknown; save(state: WindowState): void };
  app: Pick<App, 'focus'>;
  platform: NodeJS.Platform;
  log: Logger;
}

export interface AppWindows<W> {
  /** The open window, if there is one. */
  current(): W | undefined;
  /** Opens a window, on `route` when given (e.g. SETTINGS_ROUTE). */
  open(route?: string): W;
  /** Brings the window to the front (after a sign-in in the browser, or a second launch). */
  focus(): void;
  /** The menu's Settings…: the window comes to the front on the Settings page (reopened if closed). */
  openSettings(): void;
}

export function createAppWindows<W extends ManagedWindow>(
  options: AppWindowsOptions<W>,
): AppWindows<W> {
  let window: W | undefined;
  const live = () => (window && !window.isDestroyed() ? window : undefined);

  function open(route?: string): W {
    const { maximized, ...bounds } = restoreBounds(
      parseWindowState(options.state.load()),
      { displays: options.screen.getAllDisplays(), primary: options.screen.getPrimaryDisplay() },
      WINDOW_SIZE,
    );
    const created = createAppWindow(options.BrowserWindow, {
      preloadPath: options.preloadPath,
      devTools: options.devTools,
      bounds,
    });
    window = created;
    showWhenReady(created, { maximized });
    trackWindowState(created, (state) => options.state.save(state));
    created.on('closed', () => {
      if (window === created) window = undefined;
    });
    const url = route ? new URL(`#${route}`, options.url).href : options.url;
    created.loadURL(url).catch((error: unknown) =>
      options.log.error('the app page did not load', {
        message: error instanceof Error ? error.message : String(error),
      }),
    );
    return created;
  }

  return {
    current: live,
    open,
    focus: () => bringToFront(live(), options.app, options.platform),
    openSettings() {
      const current = live();
      if (!current) {
        open(SETTINGS_ROUTE);
        return;
      }
      bringToFront(current, options.app, options.platform);
      sendOpenSettings(current.webContents);
    },
  };
}
