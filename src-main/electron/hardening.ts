/**
 * Security policy wired into Electron: each function applies one rule from `policy.ts` to one kind
 * of Electron object. main.ts composes them at start-up (in the manner of cawa-93's
 * vite-electron-builder: small named modules, not flags inside createWindow).
 *
 * Type-only Electron imports: the objects arrive as arguments, so tests can pass fakes.
 */
import type { App, Protocol, Session, WebContents } from 'electron';
import type { Logger } from '../core/platform.ts';
import { appScheme } from './app-protocol.ts';
import { isAllowedNavigation, isExternalLinkAllowed } from './policy.ts';

/**
 * What must happen before `ready`, in one place: the OS sandbox for every renderer, whatever a
 * window's options say (checklist item 4), and `app://` registered as a standard, secure scheme so
 * the renderer never needs `file://` (checklist item 18).
 */
export function hardenBeforeReady(
  app: Pick<App, 'enableSandbox'>,
  protocol: Pick<Protocol, 'registerSchemesAsPrivileged'>,
): void {
  app.enableSandbox();
  protocol.registerSchemesAsPrivileged([appScheme]);
}

export interface WebContentsPolicyOptions {
  /** The one origin the app's pages may have (app://renderer, or the dev server's). */
  appOrigin: string;
  /** Opens a link in the system browser (shell.openExternal). */
  openInBrowser(url: string): Promise<void>;
  log?: Logger;
}

/**
 * `window.open` and `target=_blank` never create an Electron window (checklist item 14): https links
 * go to the system browser, everything else is dropped.
 */
export function denyNewWindows(contents: WebContents, options: WebContentsPolicyOptions): void {
  contents.setWindowOpenHandler(({ url }) => {
    if (isExternalLinkAllowed(url)) {
      options
        .openInBrowser(url)
        .catch(() => options.log?.warn('could not open a link in the browser'));
    } else {
      options.log?.warn('refused to open a window', { scheme: schemeOf(url) });
    }
    return { action: 'deny' };
  });
}

/**
 * No frame of the window leaves the app's origin, by link, script or redirect (checklist item 13):
 * `will-navigate` (main frame), `will-frame-navigate` (any frame, subframes included) and
 * `will-redirect` (a server redirect during either).
 */
export function blockForeignNavigation(
  contents: WebContents,
  options: WebContentsPolicyOptions,
): void {
  const guard = (event: { url: string; preventDefault(): void }) => {
    if (isAllowedNavigation(event.url, options.appOrigin)) return;
    event.preventDefault();
    options.log?.warn('blocked a navigation away from the app', { scheme: schemeOf(event.url) });
  };
  contents.on('will-navigate', guard);
  contents.on('will-frame-navigate', guard);
  contents.on('will-redirect', guard);
}

/** No `<webview>` can be attached, whatever a page asks (checklist item 12; webviewTag is off too). */
export function blockWebviews(contents: WebContents): void {
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

/** Every rule for one webContents; main.ts applies it from `app.on('web-contents-created')`. */
export function applyWebContentsPolicy(
  contents: WebContents,
  options: WebContentsPolicyOptions,
): void {
  denyNewWindows(contents, options);
  blockForeignNavigation(contents, options);
  blockWebviews(contents);
}

export type PermissionHandlers = Pick<
  Session,
  'setPermissionRequestHandler' | 'setPermissionCheckHandler' | 'setDevicePermissionHandler'
>;

/**
 * The app needs no camera, microphone, screen capture, notifications, geolocation, clipboard read,
 * HID / serial / USB device… so every permission request, permission check and device permission is
 * answered "no" (checklist item 5). Electron grants every request when no handler is set, and most
 * web APIs check before they request, hence both handlers; device access (WebHID, Web Serial, WebUSB)
 * has its own handler.
 *
 * Deliberately not set: `setDisplayMediaRequestHandler` (without one Electron has no source to grant,
 * so getDisplayMedia fails; the 'display-capture' permission is denied here anyway) and a
 * 'select-bluetooth-device' listener (without one Electron cancels every Web Bluetooth request; a
 * listener that does not call preventDefault would pick the first device).
 */
export function denyAllPermissions(session: PermissionHandlers): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler(() => false);
}

/** For logs: the scheme says enough; a full URL could carry a code or a token. */
function schemeOf(url: string): string {
  try {
    return new URL(url).protocol;
  } catch {
    return 'invalid';
  }
}
