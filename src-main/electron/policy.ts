/**
 * The Electron shell's security decisions, as pure functions of plain data.
 *
 * Nothing here imports `electron`: the wiring in `hardening.ts`, `ipc.ts` and `main.ts` asks these
 * functions and does what they answer, so every rule is unit-tested under Node
 * (test/unit/electron-policy.test.ts). Background: Electron's security checklist
 * (https://www.electronjs.org/docs/latest/tutorial/security).
 */

/** The privileged scheme the packaged renderer is served from (never `file://`: checklist item 18). */
export const APP_SCHEME = 'app';
/** A standard scheme needs a host; this one names what is served. */
export const APP_HOST = 'renderer';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

export type ShellMode = 'production' | 'development';

/** Where the renderer comes from, and the one origin the app trusts. */
export interface RendererSource {
  mode: ShellMode;
  /** What the window loads. */
  url: string;
  /** The only origin that may navigate the window or talk to the main process. */
  origin: string;
}

/**
 * `scheme://host[:port]` of a URL, or null when it has none.
 *
 * Node's WHATWG `URL#origin` is the string "null" for schemes it does not know (like `app:`), while
 * Chromium gives a registered standard scheme a real origin; comparing scheme + host works for both.
 */
export function originOf(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (!parsed.host) return null;
  return `${parsed.protocol}//${parsed.host}`;
}

function isLoopbackHost(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '127.0.0.1' || hostname === '[::1]';
}

/**
 * Production serves `app://renderer/index.html`. Only an unpackaged app started by Vite
 * (`VITE_DEV_SERVER_URL`, set by vite-plugin-electron) loads the dev server, and only from loopback:
 * an environment variable must never point a packaged app, with its preload, at a remote page.
 */
export function rendererSourceFor(options: {
  devServerUrl: string | undefined;
  isPackaged: boolean;
}): RendererSource {
  const production: RendererSource = { mode: 'production', url: APP_ENTRY_URL, origin: APP_ORIGIN };
  if (options.isPackaged || !options.devServerUrl) return production;
  let url: URL;
  try {
    url = new URL(options.devServerUrl);
  } catch {
    return production;
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || !isLoopbackHost(url.hostname))
    return production;
  return { mode: 'development', url: url.href, origin: `${url.protocol}//${url.host}` };
}

/** A navigation of the app window may only stay on the app's own origin. */
export function isAllowedNavigation(url: string, appOrigin: string): boolean {
  return originOf(url) === appOrigin;
}

/** Links the renderer opens in a new window go to the system browser, and only when they are https. */
export function isExternalLinkAllowed(url: string): boolean {
  try {
    return new URL(url).protocol === 'https:';
  } catch {
    return false;
  }
}

/**
 * What `openExternal` (the core's port) may hand to the OS: http(s) only, so a hostile URL can never
 * launch `file:`, `smb:` or a custom protocol handler. Plain http is for the loopback devstack;
 * the core's configuration already refuses http for anything but loopback.
 */
export function isBrowserUrl(url: string): boolean {
  try {
    const { protocol } = new URL(url);
    return protocol === 'https:' || protocol === 'http:';
  } catch {
    return false;
  }
}

/** The part of a sending frame that decides whether the main process listens to it. */
export interface SenderFrame {
  readonly url: string;
  /** Null for the top frame. */
  readonly parent: unknown;
}

/**
 * Only the app's own top-level document may call the main process. A null frame (navigated away or
 * destroyed before the message was handled) is refused: nobody can say who sent it.
 */
export function isTrustedSender(frame: SenderFrame | null | undefined, appOrigin: string): boolean {
  if (!frame) return false;
  if (frame.parent !== null) return false;
  return originOf(frame.url) === appOrigin;
}

/**
 * What the renderer may load, besides `default-src`: the one list for the Electron app and the
 * browser preview (preview/static-files.ts), so the preview shows the policy the app enforces.
 */
export const RENDERER_CSP_DIRECTIVES = [
  "script-src 'self'",
  "style-src 'self'",
  // Avatars: data: URLs from the devstack, https: from Auth0 / Gravatar.
  "img-src 'self' data: https:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'none'",
] as const;

// Nothing by default; each kind of resource the app loads is named in RENDERER_CSP_DIRECTIVES.
const PRODUCTION_CSP = ["default-src 'none'", ...RENDERER_CSP_DIRECTIVES].join('; ');

/**
 * The Content-Security-Policy header for pages served from `app://` (checklist item 7).
 * Development pages come from Vite's dev server, whose HMR client and React Refresh preamble need
 * inline scripts and a websocket; the shell adds no header there (null).
 */
export function cspFor(mode: ShellMode): string | null {
  return mode === 'production' ? PRODUCTION_CSP : null;
}

/**
 * The oldest Electron major the app may ship with (checklist item 16, "use a current version of
 * Electron"). Electron supports its latest three stable majors; which ones those are is only known
 * online, so the project records its floor here and raises it with every upgrade. The unit tests hold
 * both the range in package.json and the installed `electron` package to it.
 */
export const MINIMUM_ELECTRON_MAJOR = 45;

/** A stable release (no alpha, beta or nightly) whose major is at least the floor. */
export function isAcceptedElectronVersion(
  version: string,
  minimumMajor: number = MINIMUM_ELECTRON_MAJOR,
): boolean {
  const match = /^v?(\d+)\.(\d+)\.(\d+)$/.exec(version.trim());
  if (!match) return false;
  return Number(match[1]) >= minimumMajor;
}
