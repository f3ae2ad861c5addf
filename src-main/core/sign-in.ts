/**
 * The sign-ins of one session, one at a time: starting one (or joining the one that runs), the
 * actions on it while it waits (Cancel, Reopen, Try another way, an app link the OS delivers; the
 * code's page, the code and the sign-in link handed elsewhere are sign-in-handoffs.ts), and its
 * end: the tokens its way brought are persisted, then the session is signed in. The ways themselves
 * are sign-in-ways.ts; the states, session-state.ts.
 */
import type { DPoPHandle } from 'openid-client';
import type { AppError, OtherSignInWay, Result, SessionView } from '../../src-preload/contract.ts';
import { AppLinkReceiver } from './app-link.ts';
import type { AppConfig } from './config.ts';
import { pollForTokens, requestSignInCode } from './device-code.ts';
import type { AccountKey } from './session-accounts.ts';
import { toAppError } from './errors.ts';
import {
  buildAuthorizationRequest,
  checkProviderAnswers,
  discover,
  exchangeCode,
  type AuthorizationMode,
} from './oidc.ts';
import type { CorePlatform, Logger } from './platform.ts';
import type { ProviderLogout } from './provider-logout.ts';
import type { SessionPersistence } from './session-persistence.ts';
import type { SessionReceivers } from './session-receivers.ts';
import type { TokenSet } from './vault.ts';
import { otherWays, type RedirectWay, type SessionState, type WayState } from './session-state.ts';
import {
  copyCode,
  copySignInLink,
  invalidRequest,
  openCodePage,
  type Waiting,
} from './sign-in-handoffs.ts';
import {
  cancelled,
  failedOutcome,
  runWays,
  switchWay,
  type Arrived,
  type RedirectReceiver,
  type SignInAttempt,
  type WayDeps,
} from './sign-in-ways.ts';

/**
 * A second Log In within this long of opening the sign-in page is the same person's double-click: it
 * joins the pending sign-in without opening the page again (one tab, not two).
 */
export const REOPEN_GUARD_MS = 1_000;

/** What the sign-ins use of their session. */
export interface SignInHost {
  readonly config: AppConfig;
  readonly platform: CorePlatform;
  readonly log: Logger;
  readonly signInTimeoutMs: number;
  readonly receivers: SessionReceivers;
  readonly providerLogout: ProviderLogout;
  readonly persistence: SessionPersistence;
  /** A new DPoP key (and openid-client's handle over it) for one sign-in: each account has its own. */
  newKey(): Promise<AccountKey & { handle: DPoPHandle }>;
  /**
   * Persists the tokens a sign-in brought as an account (added, or updating the one with their
   * `sub`) and makes it active; revokes them and throws `superseded()` when `wanted()` turns false.
   */
  persistAccount(
    tokens: TokenSet,
    key: AccountKey | undefined,
    wanted: () => boolean,
    superseded: () => Error,
  ): Promise<void>;
  /** The state a sign-in that failed (or was cancelled) returns to: the active account, or none. */
  afterSignIn(error: AppError): SessionState;
  /** Whether an account is signed in (a sign-in then adds one). */
  hasAccounts(): boolean;
  state(): SessionState;
  /** The session's one move between states (stores, emits). */
  moveTo(next: SessionState): void;
  /** Bumped each time the session ends: a sign-in begun under an older one must not land. */
  epoch(): number;
  view(): SessionView;
}

export class SignIns {
  private readonly host: SignInHost;
  /** The sign-in whose work runs; a Log In while it runs joins it. */
  private attempt: SignInAttempt | undefined;
  /** The app-link receiver while an app-link sign-in waits; delivered URLs go to it and nowhere else. */
  private appLink: AppLinkReceiver | undefined;
  /** The running sign-in's DPoP key, made when its first request needs it. */
  private key: Promise<AccountKey & { handle: DPoPHandle }> | undefined;

  constructor(host: SignInHost) {
    this.host = host;
  }

  /** Ends the running sign-in, if any (Log Out, a provider switch, quit). */
  abort(): void {
    this.attempt?.abort.abort();
  }

  cancel(): Result {
    if (!this.attempt) return invalidRequest('No sign-in is in progress.');
    this.attempt.abort.abort();
    return { ok: true };
  }

  /** Opens the pending sign-in's page again (the browser often opens it behind the app). */
  async reopen(): Promise<Result> {
    if (!this.attempt) return invalidRequest('No sign-in is waiting.');
    const url = this.signInPage();
    if (url) await this.openSignInPage(this.attempt, url);
    return { ok: true };
  }

  /**
   * Switches the pending sign-in to another way ("Try another way"): the current way is cancelled
   * (its loopback receiver closed, its polling stopped) and the chosen one starts. `code` while a
   * code is shown asks for a new one.
   */
  useWay(way: OtherSignInWay): Result {
    if (!this.attempt) return invalidRequest('No sign-in is in progress.');
    if (!otherWays(this.attempt.way, this.appLinkRegistered(), true).includes(way)) {
      const message =
        way === 'app-link'
          ? 'The app link is not set up on this computer.'
          : 'That way to sign in is not available.';
      return { ok: false, error: { code: 'way_unavailable', message } };
    }
    // A tab that still comes back to the loopback hears that another way was chosen (loopback.ts).
    switchWay(this.attempt, way);
    return { ok: true };
  }

  /** Opens the provider's page for the sign-in code shown now (sign-in-handoffs.ts). */
  openCodePage(): Promise<Result> {
    return openCodePage(this.waiting());
  }

  /** Puts the sign-in code shown now on the clipboard. */
  copyCode(): Result {
    return copyCode(this.waiting());
  }

  /** "Copy sign-in link" (issue 19): the pending sign-in's page on the clipboard, once, while it waits. */
  copySignInLink(): Result {
    return copySignInLink(this.waiting());
  }

  /**
   * A URL the OS delivered for the app's scheme (the app link). Taken only by a pending app-link
   * sign-in, once, with its own `state`; anything else is dropped and logged (redacted), changes
   * nothing the user sees, and the sign-in goes on waiting for the real one.
   */
  deliverAppLink(url: string): boolean {
    const receiver = this.appLink;
    const refusal = receiver ? receiver.deliver(url) : 'not-waiting';
    if (refusal) {
      this.host.log.warn('app link dropped', { reason: refusal, url });
      return false;
    }
    this.host.log.info('app link received');
    return true;
  }

  /**
   * One sign-in at a time. A second Log In or Sign Up while one waits is not an error: it joins the
   * pending one and brings its page forward (reopens it), except right after it was opened, which is
   * a double-click.
   */
  start(mode: AuthorizationMode, add = false): Promise<Result<{ session: SessionView }>> {
    const running = this.attempt;
    if (running) {
      const url = this.signInPage();
      if (url && Date.now() - (running.openedAt ?? 0) >= REOPEN_GUARD_MS) {
        // Never waits for the opener on its own (see arrivalUnlessOpenerFails).
        return Promise.race([
          running.result,
          this.openSignInPage(running, url).then(() => running.result),
        ]);
      }
      return running.result;
    }
    // Log In while signed in is not a second sign-in; "Add another account" is (issue 19).
    if (!add && this.host.state().status === 'signed-in')
      return Promise.resolve({ ok: true, session: this.host.view() });
    let settle!: (result: Result<{ session: SessionView }>) => void;
    const attempt: SignInAttempt = {
      abort: new AbortController(),
      flow: mode,
      result: new Promise((resolve) => (settle = resolve)),
      way: 'browser',
      adding: this.host.hasAccounts(),
    };
    this.attempt = attempt;
    this.key = undefined;
    this.host.moveTo({ status: 'signing-in', flow: mode, way: { way: 'browser' } });
    void this.runSignIn(attempt).then(settle);
    return attempt.result;
  }

  /** The waiting sign-in as the session shows it, for what the person takes elsewhere. */
  private waiting(): Waiting {
    const { platform, log } = this.host;
    return { platform, log, attempt: this.attempt, way: this.shownWay() };
  }

  /** The way the session shows now, while it is signing in. */
  private shownWay(): WayState | undefined {
    const state = this.host.state();
    return state.status === 'signing-in' ? state.way : undefined;
  }

  /** The page a redirect way opened, while the session shows it. */
  private signInPage(): string | undefined {
    const way = this.shownWay();
    return way?.way === 'browser' || way?.way === 'app-link' ? way.url : undefined;
  }

  /** Opens (or reopens) the sign-in page in the system browser. */
  private async openSignInPage(attempt: SignInAttempt, url: string): Promise<void> {
    attempt.openedAt = Date.now();
    // electronegativity-ignore: OPEN_EXTERNAL_JS_CHECK — a URL the core built from the provider's discovery document, never renderer input; the port opens only http(s) (createOpenExternal)
    await this.host.platform.openExternal(url);
  }

  private async runSignIn(attempt: SignInAttempt): Promise<Result<{ session: SessionView }>> {
    const { abort, flow } = attempt;
    const epoch = this.host.epoch();
    /** False once the user cancelled or logged out: from then on nothing of this sign-in may land. */
    const wanted = () => !abort.signal.aborted && this.host.epoch() === epoch;
    let arrived: Arrived | undefined;
    try {
      // Discovery is cached: ask the provider whether it answers at all (bounded) before the browser
      // is opened on what could be a dead page, with the same error as at start when it does not.
      await checkProviderAnswers(this.host.config);
      await discover(this.host.config);
      if (abort.signal.aborted) throw cancelled();
      arrived = await runWays(attempt, this.wayDeps(attempt));
      // Tokens from every way take this one path: persisted, then signed in. Cancel or Log Out while
      // they arrived or while the vault is written (a keychain can be slow) wins: nothing lands.
      const key = this.key ? await this.key : undefined;
      await this.host.persistAccount(arrived.tokens, key, wanted, cancelled);
      if (arrived.forcedLogin) this.host.providerLogout.signedIn();
      arrived.finish({
        ok: true,
        message: 'You are signed in. You can close this tab and return to the app.',
      });
      this.attempt = undefined;
      this.key = undefined;
      this.host.moveTo({ status: 'signed-in', tokens: arrived.tokens });
      this.host.log.info('signed in', { flow, way: attempt.way });
      this.host.platform.focusApp?.();
      return { ok: true, session: this.host.view() };
    } catch (failure) {
      const error = toAppError(failure, this.host.log);
      arrived?.finish(failedOutcome(error));
      this.attempt = undefined;
      this.key = undefined;
      this.host.moveTo(this.host.afterSignIn(error));
      this.host.log.warn('sign-in failed', { flow, way: attempt.way, error: error.code });
      return { ok: false, error };
    }
  }

  /** What the ways reach through: this session's provider, receivers, browser and state. */
  private wayDeps(attempt: SignInAttempt): WayDeps {
    return {
      log: this.host.log,
      timeoutMs: this.host.signInTimeoutMs,
      receiver: (way, signal) => this.redirectReceiver(way, signal),
      authorize: async (redirectUri) => {
        const dpop = this.host.config.dpop ? await this.attemptKey() : undefined;
        // Adding an account: the provider's login page although the browser holds another session.
        const forcedLogin = attempt.adding === true || this.host.providerLogout.forceLogin();
        const { url, checks } = await buildAuthorizationRequest(
          this.host.config,
          redirectUri,
          attempt.flow,
          dpop?.key.thumbprint,
          forcedLogin,
        );
        return {
          url: url.href,
          expectedState: checks.expectedState,
          forcedLogin,
          // The same checks whichever way the code came back: state, iss, PKCE verifier and nonce.
          exchange: (callbackUrl) => {
            // The link's one use: a copied link is dead from here on, whatever the exchange gives.
            attempt.linkUsed = true;
            return exchangeCode(this.host.config, callbackUrl, checks, dpop?.handle);
          },
        };
      },
      openSignInPage: (url) => this.openSignInPage(attempt, url),
      requestCode: () => requestSignInCode(this.host.config),
      pollCode: async (code, signal) => {
        const dpop = this.host.config.dpop ? await this.attemptKey() : undefined;
        return pollForTokens(this.host.config, code, {
          signal,
          ...(dpop ? { dpop: dpop.handle } : {}),
        });
      },
      show: (way) => {
        if (this.attempt === attempt && this.shownWay())
          this.host.moveTo({ status: 'signing-in', flow: attempt.flow, way });
      },
      otherWays: (way) => otherWays(way, this.appLinkRegistered(), false),
    };
  }

  /** The loopback receiver (RFC 8252 §7.3) or the app link (§7.1), behind one interface. */
  private async redirectReceiver(way: RedirectWay, signal: AbortSignal): Promise<RedirectReceiver> {
    if (way === 'browser') {
      const receiver = await this.host.receivers.startSignIn(signal);
      return {
        redirectUri: receiver.redirectUri,
        arrival: receiver.arrival,
        expectState: (state) => receiver.expectState(state),
        finish: (outcome) => receiver.finish(outcome),
        release: () => this.host.receivers.release(receiver),
      };
    }
    const receiver = new AppLinkReceiver({
      scheme: this.host.config.redirectScheme,
      timeoutMs: this.host.signInTimeoutMs,
      signal,
    });
    this.appLink = receiver;
    return {
      redirectUri: receiver.redirectUri,
      arrival: receiver.arrival,
      expectState: (state) => receiver.expectState(state),
      finish: () => {},
      release: () => {
        receiver.close();
        if (this.appLink === receiver) this.appLink = undefined;
      },
    };
  }

  /** The running sign-in's key: one per sign-in, so each account gets a key of its own. */
  private attemptKey(): Promise<AccountKey & { handle: DPoPHandle }> {
    if (!this.key) {
      const making = this.host.newKey();
      this.key = making;
      making.catch(() => {
        if (this.key === making) this.key = undefined;
      });
    }
    return this.key;
  }

  private appLinkRegistered(): boolean {
    return this.host.platform.appLinkRegistered?.() === true;
  }
}
