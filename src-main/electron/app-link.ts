/**
 * The app link at the Electron edge (RFC 8252 §7.1): how the OS hands the app a URL of its
 * private-use scheme, and how the app asks to be the scheme's handler. Pure functions of plain data,
 * like policy.ts; main.ts only asks and obeys. What is done with a URL is the core's business
 * (core/app-link.ts: taken only while an app-link sign-in waits, once, exact scheme and path).
 *
 * - macOS: the URL comes in an `open-url` event, which can fire before `ready` (a cold start by the
 *   link), so the listener is registered at start and URLs wait for the core.
 * - Windows and Linux: the OS starts the app with the URL among its arguments; when the app already
 *   runs, the second instance's argv arrives in `second-instance`. Chromium and Electron put their own
 *   switches around it, so every argument is searched, never "the last one".
 */

import { execFile } from 'node:child_process';

/** Longest URL taken from the command line; authorization responses are far shorter. */
const MAX_URL_LENGTH = 8192;

/** Every argument that is a URL of `scheme` (case-insensitive, as schemes are), in order. */
export function findAppLinks(argv: readonly string[], scheme: string): string[] {
  const prefix = `${scheme.toLowerCase()}:`;
  return argv.filter(
    (arg) =>
      typeof arg === 'string' &&
      arg.length <= MAX_URL_LENGTH &&
      arg.toLowerCase().startsWith(prefix),
  );
}

export interface ProtocolClientInput {
  scheme: string;
  platform: NodeJS.Platform;
  isPackaged: boolean;
  /** process.execPath */
  execPath: string;
  /** The app folder Electron was started with in development (`electron .`), resolved. */
  appPath: string;
}

/** The arguments for `app.setAsDefaultProtocolClient(scheme, path?, args?)`. */
export interface ProtocolClientCall {
  scheme: string;
  path?: string;
  args?: string[];
}

/**
 * How to register as the scheme's handler. `path` and `args` are Windows-only (Electron's docs):
 * there the OS runs `"<path>" <args> "%1"`, so in development the app folder must be passed (else a
 * bare Electron would open), and a trailing `--` ends Chromium's switches before the URL, so a URL
 * crafted like `scheme:--gpu-launcher=…` can never be read as a switch (CVE-2018-1000006). macOS
 * and Linux register the running app itself (Info.plist / .desktop from electron-builder `protocols`).
 */
export function protocolClientCall(input: ProtocolClientInput): ProtocolClientCall {
  if (input.platform !== 'win32') return { scheme: input.scheme };
  return {
    scheme: input.scheme,
    path: input.execPath,
    args: input.isPackaged ? ['--'] : [input.appPath, '--'],
  };
}

/**
 * Whether the OS routes the scheme to this app: `app.getApplicationNameForProtocol` names it. In
 * unpackaged development on macOS and Linux it names Electron (or nothing), not this app: then the
 * app link is not offered (the sign-in code still is).
 */
export function handlerIsThisApp(handlerName: string, appNames: readonly string[]): boolean {
  const handler = handlerName
    .trim()
    .toLowerCase()
    .replace(/\.(app|exe|desktop)$/, '');
  if (!handler) return false;
  return appNames.some((name) => {
    const candidate = name.trim().toLowerCase();
    return (
      candidate.length > 0 &&
      (handler === candidate ||
        handler.endsWith(`/${candidate}`) ||
        handler.endsWith(`\\${candidate}`))
    );
  });
}

/** Where the shell remembers the scheme it registered last (in the settings store). */
export const REGISTERED_SCHEME_KEY = 'appLinkScheme';

/**
 * Which scheme to give back to the OS and which to claim at start: when the scheme changed since the
 * last start (a new build, an organisation's app-config.json), the old one is unregistered first,
 * so the app never stays the handler of a scheme it no longer uses (N5).
 */
export function schemeRegistrationPlan(
  previous: unknown,
  current: string,
): { unregister?: string; register: string } {
  const old = typeof previous === 'string' ? previous.trim().toLowerCase() : '';
  return old && old !== current.toLowerCase()
    ? { unregister: old, register: current }
    : { register: current };
}

/** Whether the app link can be offered, and if not, a reason a person can act on. */
export interface AppLinkHandler {
  registered: boolean;
  /** Why not (only when not registered). */
  reason?: string;
}

/**
 * Linux: the app link works only where the desktop hands `<scheme>:` URLs to a `.desktop` file of
 * this app (electron-builder writes one, declaring the scheme, into the deb; an AppImage has one only
 * once integrated into the desktop; development has none). The desktop's own answer is
 * `xdg-mime query default x-scheme-handler/<scheme>`; it must name this app's desktop file
 * (package.json's desktopName, which Electron exports as CHROME_DESKTOP).
 */
export function linuxAppLinkHandler(input: {
  scheme: string;
  /** This app's desktop file name (`electron-auth0-hello-world.desktop`), if it has one. */
  desktopFile: string | undefined;
  /** What xdg-mime printed, trimmed; or why it could not be asked. */
  query: { output: string } | { error: string };
}): AppLinkHandler {
  const links = `${input.scheme}: links`;
  if (!input.desktopFile)
    return { registered: false, reason: `this build names no desktop file to open ${links}` };
  if ('error' in input.query)
    return {
      registered: false,
      reason: `the desktop could not be asked which program opens ${links} (xdg-mime: ${input.query.error})`,
    };
  const handler = input.query.output.trim();
  if (handler === input.desktopFile) return { registered: true };
  if (!handler)
    return {
      registered: false,
      reason: `no program on this desktop opens ${links}: ${input.desktopFile} is installed by the app's deb package (or an AppImage integrated into the desktop), not in development`,
    };
  return {
    registered: false,
    reason: `${links} open ${handler} here, not this app (${input.desktopFile})`,
  };
}

/** macOS and Windows: the OS's name for the scheme's handler must be this app's. */
export function namedAppLinkHandler(input: {
  scheme: string;
  handlerName: string;
  appNames: readonly string[];
}): AppLinkHandler {
  if (handlerIsThisApp(input.handlerName, input.appNames)) return { registered: true };
  const handler = input.handlerName.trim();
  return {
    registered: false,
    reason: handler
      ? `${input.scheme}: links open ${handler} here, not this app (in development the OS names Electron)`
      : `no program on this computer opens ${input.scheme}: links (the installed app registers itself)`,
  };
}

/**
 * URLs that arrive before the core can take them (macOS `open-url` before `ready`, the first
 * launch's argv) wait here, in order, and are handed over once it can.
 */
export class AppLinkInbox {
  private readonly waiting: string[] = [];
  private deliver: ((url: string) => void) | undefined;

  /** From now on every URL goes straight to `deliver`; the waiting ones first. */
  open(deliver: (url: string) => void): void {
    this.deliver = deliver;
    for (const url of this.waiting.splice(0)) deliver(url);
  }

  push(url: string): void {
    if (this.deliver) this.deliver(url);
    // Bounded: a flood of links before start must not grow memory; only a sign-in's link matters.
    else if (this.waiting.length < 8) this.waiting.push(url);
  }
}

/** Asks the desktop which .desktop file opens `<scheme>:` URLs (at most 2 s). */
export function queryXdgMimeDefault(
  scheme: string,
): Promise<{ output: string } | { error: string }> {
  return new Promise((resolve) => {
    execFile(
      'xdg-mime',
      ['query', 'default', `x-scheme-handler/${scheme}`],
      { timeout: 2000, windowsHide: true },
      (error, stdout) =>
        resolve(error ? { error: error.message.split('\n')[0] ?? 'failed' } : { output: stdout }),
    );
  });
}
