/**
 * The app window: its options (every security-relevant web preference written out, so a reader sees
 * them without knowing Electron's defaults) and how it comes to the front.
 *
 * Type-only Electron imports: main.ts constructs the BrowserWindow with these options.
 */
import type { App, BrowserWindow, BrowserWindowConstructorOptions } from 'electron';

/** Below 640 px wide the renderer switches to its narrow-window menu; the minimum lets one see it. */
export const WINDOW_SIZE = { width: 1100, height: 760, minWidth: 360, minHeight: 480 } as const;

export function appWindowOptions(options: { preloadPath: string; devTools: boolean }): BrowserWindowConstructorOptions {
  return {
    ...WINDOW_SIZE,
    title: 'Hello World',
    // Shown on 'ready-to-show' (showWhenReady) so the user never sees an empty frame.
    show: false,
    autoHideMenuBar: true,
    webPreferences: {
      // The bundled CommonJS preload (dist/preload/ipc-bridge.cjs): a sandboxed preload cannot be ESM.
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
      navigateOnDragDrop: false,
      safeDialogs: true,
      spellcheck: false,
      devTools: options.devTools,
    },
  };
}

export function showWhenReady(window: Pick<BrowserWindow, 'once' | 'show'>): void {
  window.once('ready-to-show', () => window.show());
}

/**
 * Brings the window to the front: after a sign-in finished in the browser, or when a second launch
 * is refused by the single-instance lock. macOS only activates an app with `steal`.
 */
export function bringToFront(
  window: Pick<BrowserWindow, 'isDestroyed' | 'isMinimized' | 'restore' | 'show' | 'focus'> | undefined,
  app: Pick<App, 'focus'>,
  platform: NodeJS.Platform,
): void {
  if (!window || window.isDestroyed()) return;
  if (window.isMinimized()) window.restore();
  window.show();
  window.focus();
  if (platform === 'darwin') app.focus({ steal: true });
}
