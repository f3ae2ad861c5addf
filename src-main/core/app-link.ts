/**
 * The app link: the browser comes back to `<scheme>:/callback`, a private-use URI scheme redirect
 * (RFC 8252 §7.1), and the operating system hands that URL to the app (macOS `open-url`, the argv
 * of a launch elsewhere). The shell delivers whatever it was given; this receiver decides.
 *
 * Any program can open a URL with our scheme, and on some systems another app can claim the scheme
 * (§8.6), so a delivered URL is an untrusted input: it is taken only while an app-link sign-in is
 * waiting, only once, only when scheme and path equal the redirect URI exactly, and only when its
 * `state` is the one of our authorization request (constant-time, like the loopback receiver): any
 * other program can open a URL of our scheme, and if the first one were taken whatever its state, it
 * would burn the sign-in and the real link would be dropped. Then the code flow checks it again
 * (`state`, PKCE, `nonce`, `iss`): a code stolen by a scheme squatter is useless without our verifier.
 */
import { CoreError } from './errors.ts';
import { ExpectedState } from './expected-state.ts';

/** Longest URL accepted; authorization responses are far shorter. */
const MAX_URL_LENGTH = 8192;
export const APP_LINK_PATH = '/callback';

export interface AppLinkOptions {
  scheme: string;
  /** How long to wait for the URL (default 5 minutes). */
  timeoutMs?: number;
  /** Aborting ends the wait with `sign_in_cancelled`. */
  signal?: AbortSignal;
}

/** Why a delivered URL was not taken (for the log; never shown, it must not change the UI). */
export type Refusal =
  | 'not-a-url'
  | 'too-long'
  | 'wrong-scheme-or-path'
  | 'fragment'
  /** Not the answer to our authorization request (or none is known yet): the wait goes on. */
  | 'wrong-state'
  | 'already-delivered'
  | 'not-waiting';

export class AppLinkReceiver {
  /** `<scheme>:/callback`, exactly as sent in the authorization request. */
  readonly redirectUri: string;
  /** Resolves with the delivered URL, once. */
  readonly arrival: Promise<URL>;
  private readonly scheme: string;
  private settle!: { resolve: (url: URL) => void; reject: (error: Error) => void };
  private delivered = false;
  private closed = false;
  private expectedState: ExpectedState | undefined;
  private readonly timer: NodeJS.Timeout;

  constructor(options: AppLinkOptions) {
    this.scheme = options.scheme;
    this.redirectUri = `${options.scheme}:${APP_LINK_PATH}`;
    this.arrival = new Promise<URL>((resolve, reject) => {
      this.settle = { resolve, reject };
    });
    // Nobody may be awaiting `arrival` when it is cancelled; do not make that an unhandled rejection.
    this.arrival.catch(() => {});
    const timeoutMs = options.timeoutMs ?? 5 * 60_000;
    this.timer = setTimeout(() => {
      this.fail(
        new CoreError(
          'sign_in_timeout',
          `The app link did not arrive within ${Math.round(timeoutMs / 1000)} seconds. Please try again.`,
        ),
      );
    }, timeoutMs);
    this.timer.unref();
    if (options.signal) {
      const onAbort = () => this.fail(new CoreError('sign_in_cancelled'));
      if (options.signal.aborted) onAbort();
      else options.signal.addEventListener('abort', onAbort, { once: true });
    }
  }

  /** The `state` of the authorization request this receiver waits for; nothing is taken before. */
  expectState(state: string): void {
    this.expectedState = new ExpectedState(state);
  }

  /** Offers a URL the OS delivered; takes it (undefined) or says why not. */
  deliver(raw: string): Refusal | undefined {
    if (this.closed) return 'not-waiting';
    if (this.delivered) return 'already-delivered';
    const url = parseAppLink(raw, this.scheme);
    if (typeof url === 'string') return url;
    if (!this.expectedState?.matches(url.searchParams.get('state'))) return 'wrong-state';
    this.delivered = true;
    clearTimeout(this.timer);
    this.settle.resolve(url);
    return undefined;
  }

  /** Stops waiting; a pending arrival is rejected as cancelled. */
  close(): void {
    this.fail(new CoreError('sign_in_cancelled'));
  }

  private fail(error: CoreError): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.timer);
    if (!this.delivered) this.settle.reject(error);
  }
}

/**
 * The URL when it is `<scheme>:/callback?…` exactly (case-insensitive scheme, as URLs are; no
 * authority, no other path, no fragment), else why not.
 */
export function parseAppLink(raw: string, scheme: string): URL | Refusal {
  if (raw.length > MAX_URL_LENGTH) return 'too-long';
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'not-a-url';
  }
  // `<scheme>://callback` would put "callback" in the host; `<scheme>:/callback/x` is another path.
  if (
    url.protocol !== `${scheme}:` ||
    url.host !== '' ||
    url.pathname !== APP_LINK_PATH ||
    url.username ||
    url.password
  ) {
    return 'wrong-scheme-or-path';
  }
  if (url.hash) return 'fragment';
  return url;
}
