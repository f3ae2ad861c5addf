/**
 * The app window: how it is created (every security-relevant web preference written out, so a reader
 * sees them without knowing Electron's defaults) and how it comes to the front.
 *
 * Type-only Electron imports: main.ts passes the real `BrowserWindow` class to `createAppWindow`, tests
 * pass a fake that records the options. The options are an object literal inside `new BrowserWindow(…)`
 * on purpose: that is the shape @doyensec/electronegativity reads (scripts/electronegativity.ts), so
 * its checks see the real values instead of an opaque function call.
 */
import type {
  App,
  BrowserWindow as ElectronBrowserWindow,
  BrowserWindowConstructorOptions,
} from 'electron';
import { APP_NAME } from '../../src-preload/app-name.ts';

/** Below 1040 px wide the renderer switches to its narrow-window menu; 1100 opens with the full nav. */
export const WINDOW_SIZE = { width: 1100, height: 760, minWidth: 360, minHeight: 480 } as const;

/** What `createAppWindow` needs of Electron's BrowserWindow class. */
export type WindowClass<W> = new (options: BrowserWindowConstructorOptions) => W;

export interface AppWindowOptions {
  /** The bundled CommonJS preload (dist/preload/ipc-bridge.cjs): a sandboxed preload cannot be ESM. */
  preloadPath: string;
  /** DevTools only in an unpackaged build. */
  devTools: boolean;
  /** Where it opens (window-state.ts restoreBounds); without x/y Electron centres it. */
  bounds?: { x?: number; y?: number; width: number; height: number };
}

/**
 * Creates the one app window (Electron security checklist items 2, 3, 4, 6, 8, 9, 10, 11):
 * no Node.js anywhere in the renderer, context isolation, the OS sandbox, web security on, no insecure
 * content, no experimental or extra Blink features, no `<webview>`.
 */
export function createAppWindow<W>(BrowserWindow: WindowClass<W>, options: AppWindowOptions): W {
  // electronegativity-ignore: AUXCLICK_JS_CHECK — a middle click on a link asks for a new window, which denyNewWindows (hardening.ts) always denies; test/unit/electron-shell.test.ts "never opens a new Electron window"
  return new BrowserWindow({
    ...WINDOW_SIZE,
    ...options.bounds,
    title: APP_NAME,
    // Shown on 'ready-to-show' (showWhenReady) so the user never sees an empty frame.
    show: false,
    // The application menu (menu.ts) stays visible on Windows and Linux: Settings, Edit and Help are
    // found by looking, not by knowing to press Alt.
    autoHideMenuBar: false,
    webPreferences: {
      // electronegativity-ignore: PRELOAD_JS_CHECK — our own bundled preload (src-preload/ipc-bridge.ts) exposes only the contract's functions, never ipcRenderer or its event; test/unit/electron-preload.test.ts
      preload: options.preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      // No `enableBlinkFeatures` (checklist item 10): Chromium's default feature set only.
      plugins: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
      spellcheck: false,
      devTools: options.devTools,
    },
  });
}

/** Shows the window once its page has painted; maximised first when it was closed maximised. */
export function showWhenReady(
  window: Pick<ElectronBrowserWindow, 'once' | 'show' | 'maximize'>,
  options: { maximized?: boolean } = {},
): void {
  window.once('ready-to-show', () => {
    if (options.maximized) window.maximize();
    window.show();
  });
}

/**
 * Brings the window to the front: after a sign-in finished in the browser, or when a second launch
 * is refused by the single-instance lock. macOS only activates an app with `steal`.
 */
export function bringToFront(
  window:
    | Pick<ElectronBrowserWindow, 'isDestroyed' | 'isMinimized' | 'restore' | 'show' | 'focus'>
    | undefined,
  app: Pick<App, 'focus'>,
  platform: NodeJS.Platform,
): void {
  if (!window || window.isDestroyed()) return;
  if (window.isMinimized()) window.restore();
  window.show();
  window.focus();
  if (platform === 'darwin') app.focus({ steal: true });
}
