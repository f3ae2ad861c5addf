/**
 * The ways a pending sign-in can take, each a function of the same shape that runs until it brings
 * tokens (or fails), showing what it waits on through `show`:
 *
 * - the two redirect ways, one function over a `RedirectReceiver`: the loopback (`browser`, RFC 8252
 *   §7.3), the default, and the app link (`app-link`, §7.1), handed over by the OS;
 * - sign in with a code (`code`, RFC 8628), for when the browser cannot come back at all.
 *
 * `runWays` moves between them: the browser first; another way when the person picks one (the
 * current one is aborted first); a choice of the others when the loopback cannot start; a new choice
 * when a code expires. Everything that reaches the provider comes in through `WayDeps`, so the moves
 * are unit-tested without a browser (test/unit/sign-in-ways.test.ts).
 */
import type {
  AppError,
  OtherSignInWay,
  Result,
  SessionView,
  SignInWay,
} from '../../src-preload/contract.ts';
import type { SignInCode } from './device-code.ts';
import { CoreError, toAppError } from './errors.ts';
import { SWITCHED_WAY, type Outcome } from './loopback.ts';
import type { AuthorizationMode } from './oidc.ts';
import type { Logger } from './platform.ts';
import type { CodeWayState, RedirectWay, WayState } from './session-state.ts';
import type { TokenSet } from './vault.ts';

/** The one sign-in whose work is running (it may outlive its `signing-in` state after Log Out). */
export interface SignInAttempt {
  readonly flow: AuthorizationMode;
  /** Ends the whole sign-in (Cancel, Log Out, quit). */
  readonly abort: AbortController;
  /** What every caller of login()/signup() during this sign-in gets. */
  readonly result: Promise<Result<{ session: SessionView }>>;
  /** The way it takes now (for the log). */
  way: SignInWay | 'choose';
  /** Ends only the current way (the person picked another). */
  wayAbort?: AbortController;
  /** The way the person picked, to run once the current one has stopped. */
  next?: OtherSignInWay;
  /** When the sign-in page was last opened (epoch ms): a double-click does not open it twice. */
  openedAt?: number;
  /** Started while an account was signed in: it adds one (`prompt=login`, issue 19). */
  adding?: boolean;
  /** A callback with this sign-in's `state` came back: its link (Copy sign-in link) is spent. */
  linkUsed?: boolean;
}

/** Where the browser comes back for a redirect way: the loopback server or the OS's app link. */
export interface RedirectReceiver {
  /** Sent as `redirect_uri`, exactly. */
  readonly redirectUri: string;
  /** The callback URL, once one with the expected `state` arrived. */
  readonly arrival: Promise<URL>;
  /** The `state` of the authorization request; nothing is taken before. */
  expectState(state: string): void;
  /** Tells the browser tab how the sign-in ended (the loopback's outcome page; an app link has none). */
  finish(outcome: Outcome): void;
  /** The way is over, whatever the outcome (the loopback then only answers late tabs). */
  release(): void;
}

/** An authorization request, built for one redirect URI (PKCE, state, nonce, DPoP key binding). */
export interface Authorization {
  url: string;
  expectedState: string;
  /** It asks for the password (`prompt=login`): a logout could not end the provider's session. */
  forcedLogin: boolean;
  /** The code exchange with this request's checks: state, iss, PKCE verifier, nonce. */
  exchange(callbackUrl: URL): Promise<TokenSet>;
}

export interface WayDeps {
  readonly log: Logger;
  /** How long a redirect way waits for the browser. */
  readonly timeoutMs: number;
  /** Starts the way's receiver; the loopback fails with `ports_busy` when no callback port is free. */
  receiver(way: RedirectWay, signal: AbortSignal): Promise<RedirectReceiver>;
  authorize(redirectUri: string): Promise<Authorization>;
  /** Opens (or reopens) the sign-in page in the system browser. */
  openSignInPage(url: string): Promise<void>;
  /** RFC 8628 §3.1: a device code and the user code to show. */
  requestCode(): Promise<SignInCode>;
  /** RFC 8628 §3.4–3.5: polls until approved, declined or expired (`code_expired`). */
  pollCode(code: SignInCode, signal: AbortSignal): Promise<TokenSet>;
  /** Shows the way the sign-in waits on now (the session moves to it and emits). */
  show(way: WayState): void;
  /** The ways the person may switch to from `way` now. */
  otherWays(way: WayState['way']): OtherSignInWay[];
}

/** What a way brought: the tokens, and how to tell its browser tab the end of the sign-in. */
export interface Arrived {
  tokens: TokenSet;
  forcedLogin: boolean;
  finish(outcome: Outcome): void;
}

export function cancelled(): CoreError {
  return new CoreError('sign_in_cancelled');
}

/** The message a browser tab gets when the sign-in failed. */
export function failedOutcome(error: AppError): Outcome {
  return { ok: false, message: `${error.message} You can close this tab and return to the app.` };
}

/** Runs the attempt's ways until one brings tokens; throws when the sign-in ends without. */
export async function runWays(attempt: SignInAttempt, deps: WayDeps): Promise<Arrived> {
  let way: SignInAttempt['way'] = 'browser';
  let shown = { way: 'browser' } as WayState;
  let notice: AppError | undefined;
  const show = (next: WayState) => {
    shown = next;
    deps.show(next);
  };
  for (;;) {
    // A way picked before the current one had even started (the loopback is still being set up).
    if (attempt.next) {
      way = attempt.next;
      attempt.next = undefined;
    }
    attempt.way = way;
    const wayAbort = new AbortController();
    attempt.wayAbort = wayAbort;
    const signal = AbortSignal.any([attempt.abort.signal, wayAbort.signal]);
    // A new code keeps the old one on screen until it arrives; nothing else carries over.
    if (way === 'code') show(shown.way === 'code' ? shown : { way });
    else if (way === 'choose') show({ way, notice: notice! });
    else show({ way });
    try {
      if (way === 'code') return await codeWay(deps, show, signal);
      if (way !== 'choose') return await redirectWay(way, deps, show, signal);
      await untilAborted(signal);
      throw cancelled();
    } catch (failure) {
      if (attempt.abort.signal.aborted) throw cancelled();
      const next = attempt.next;
      attempt.next = undefined;
      if (next) {
        way = next;
        continue;
      }
      if (
        way === 'browser' &&
        failure instanceof CoreError &&
        failure.code === 'ports_busy' &&
        deps.otherWays(way).length > 0
      ) {
        // RFC 8252 §7.3 cannot work here: say so and offer the other ways at once.
        deps.log.warn('no loopback port; offering the other ways');
        notice = failure.toAppError();
        way = 'choose';
        continue;
      }
      if (isCodeExpired(failure) && shown.way === 'code' && shown.code) {
        // Keep the screen: it says the code expired and offers a new one.
        deps.log.info('sign-in code expired');
        const idle = new AbortController();
        attempt.wayAbort = idle;
        show({ way: 'code', code: { ...shown.code, expired: true } });
        await untilAborted(AbortSignal.any([attempt.abort.signal, idle.signal])).catch(
          () => undefined,
        );
        if (attempt.abort.signal.aborted) throw cancelled();
        way = attempt.next ?? 'code';
        attempt.next = undefined;
        continue;
      }
      throw failure;
    }
  }
}

/** Asks the current way to stop for `way` (a tab that still comes back hears another was chosen). */
export function switchWay(attempt: SignInAttempt, way: OtherSignInWay): void {
  attempt.next = way;
  attempt.wayAbort?.abort(SWITCHED_WAY);
}

/** The loopback or the app link: one authorization request, one callback, one code exchange. */
async function redirectWay(
  way: RedirectWay,
  deps: WayDeps,
  show: (way: WayState) => void,
  signal: AbortSignal,
): Promise<Arrived> {
  const receiver = await deps.receiver(way, signal);
  try {
    const expiresAt = Date.now() + deps.timeoutMs;
    const request = await deps.authorize(receiver.redirectUri);
    if (signal.aborted) throw cancelled();
    receiver.expectState(request.expectedState);
    show({ way, url: request.url, expiresAt });
    const callbackUrl = await arrivalUnlessOpenerFails(
      receiver.arrival,
      deps.openSignInPage(request.url),
    );
    if (signal.aborted) throw cancelled();
    const tokens = await request.exchange(callbackUrl);
    return { tokens, forcedLogin: request.forcedLogin, finish: (o) => receiver.finish(o) };
  } catch (failure) {
    // The tab's page only; the failure is rethrown and logged once, by the sign-in that ends on it.
    receiver.finish(failedOutcome(toAppError(failure)));
    throw failure;
  } finally {
    receiver.release();
  }
}

/** Sign in with a code: show the user code, poll until approved, declined or expired. */
async function codeWay(
  deps: WayDeps,
  show: (way: CodeWayState) => void,
  signal: AbortSignal,
): Promise<Arrived> {
  const code = await deps.requestCode();
  if (signal.aborted) throw cancelled();
  show({ way: 'code', code: code.view, page: code.pageToOpen });
  deps.log.info('sign-in code issued', {
    expiresInSeconds: code.authorization.expires_in,
    interval: code.authorization.interval ?? 5,
  });
  const tokens = await deps.pollCode(code, signal);
  return { tokens, forcedLogin: false, finish: () => {} };
}

function isCodeExpired(failure: unknown): boolean {
  return failure instanceof CoreError && failure.code === 'code_expired';
}

/** Resolves never; rejects when `signal` aborts. */
function untilAborted(signal: AbortSignal): Promise<never> {
  return new Promise((_resolve, reject) => {
    if (signal.aborted) reject(signal.reason);
    else signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

/**
 * The callback's arrival, unless opening the browser fails first. The opener is never awaited on its
 * own: one may return only when the browser exits (xdg-open without a desktop environment runs the
 * browser in the foreground), and the callback can arrive long before that.
 */
export function arrivalUnlessOpenerFails(
  arrival: Promise<URL>,
  opening: Promise<void>,
): Promise<URL> {
  return Promise.race([arrival, opening.then(() => arrival)]);
}
