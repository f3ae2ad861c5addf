/**
 * The session: signed-out → signing-in → signed-in, and back. It owns the tokens (they never leave
 * the main process), runs one sign-in at a time through the system browser and the loopback
 * receiver, refreshes access tokens single-flight, and reports every change through `emit`.
 */
import type { DPoPHandle } from 'openid-client';
import type {
  AppError,
  OtherSignInWay,
  ProfileClaims,
  Result,
  SessionStatus,
  SessionView,
  SignInCodeView,
  SignInWay,
} from '../../src-preload/contract.ts';
import { AppLinkReceiver } from './app-link.ts';
import type { AppConfig } from './config.ts';
import { DPoPKeyStore, type DPoPKey } from './dpop.ts';
import { pollForTokens, requestSignInCode } from './device-code.ts';
import { CoreError, toAppError } from './errors.ts';
import { LoopbackReceiver, SWITCHED_WAY, type LoopbackOptions, type Outcome } from './loopback.ts';
import {
  buildAuthorizationRequest,
  checkProviderAnswers,
  revokeRefreshToken,
  discover,
  dpopHandle,
  exchangeCode,
  refreshTokens,
  type AuthorizationMode,
} from './oidc.ts';
import { silentLogger, type CorePorts } from './ports.ts';
import { ProviderLogout, type ProviderLogoutOutcome } from './provider-logout.ts';
import { CALLBACK_PATH, LOGGED_OUT_PATH } from './registration.ts';
import { TokenVault, vaultOwnerOf, type TokenSet } from './vault.ts';

export interface SessionOptions {
  /** How long a sign-in waits for the browser (default 5 minutes). */
  signInTimeoutMs?: number;
  /** Refresh access tokens that expire within this many seconds (default 60). */
  clockSkewSeconds?: number;
  /**
   * How long the logout receiver waits for the provider's logout page to come back (default 60 s).
   * It may hold the only callback port, so it is short, and a new sign-in closes it at once.
   */
  logoutTimeoutMs?: number;
}

/** An access token and how to present it to the API (`DPoP` needs a proof from our key with it). */
export interface ApiCredential {
  accessToken: string;
  scheme: 'Bearer' | 'DPoP';
}

export { CALLBACK_PATH, LOGGED_OUT_PATH };

/** A logout tab back after Log In had already started a new sign-in on its port. */
const LOGOUT_TAB_AFTER_SIGN_IN = {
  title: 'Logging out finished here',
  message:
    'The app started a new sign-in before this tab came back. Finish signing in from the tab the app opened for it; you can close this one.',
};
/**
 * A second Log In within this long of opening the sign-in page is the same person's double-click: it
 * joins the pending sign-in without opening the page again (one tab, not two).
 */
export const REOPEN_GUARD_MS = 1_000;

/** The sign-in that is waiting for the browser. One at a time. */
interface PendingSignIn {
  abort: AbortController;
  flow: AuthorizationMode;
  /** What every caller of login()/signup() during this sign-in gets. */
  result: Promise<Result<{ session: SessionView }>>;
  /** The authorization URL, once built; reopened on request. */
  url?: string;
  /** When the page was last opened (epoch ms). */
  openedAt?: number;
  /** When the app stops waiting (epoch ms), once the receiver listens. */
  expiresAt?: number;
  /** The way it is taking now; `choose`: none, waiting for the user to pick one. */
  way: SignInWay | 'choose';
  /** Ends only the current way (the user picked another). `abort` ends the whole sign-in. */
  wayAbort?: AbortController;
  /** The way the user picked, to run once the current one has stopped. */
  next?: OtherSignInWay;
  /** With way `code`: what the UI shows, and the page to open (never the device code). */
  code?: SignInCodeView;
  codePage?: string;
  /** Why the default way could not start. */
  notice?: AppError;
  /** Tells the way's browser tab how the sign-in ended (the loopback's outcome page). */
  done?: (outcome: Outcome) => void;
  /** The way that brought the tokens asked for the password (after a logout that could not end the provider's session). */
  forcedLogin?: boolean;
}

/** Resolves never; rejects when `signal` aborts. */
function untilAborted(signal: AbortSignal): Promise<never> {
  return new Promise((_resolve, reject) => {
    if (signal.aborted) reject(signal.reason);
    else signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

export class SessionManager {
  private readonly config: AppConfig;
  private readonly ports: CorePorts;
  private readonly vault: TokenVault;
  /** This installation's DPoP key: survives restarts and logout (the refresh token is bound to it). */
  private readonly keys: DPoPKeyStore;
  /** openid-client's DPoP handle over that key; it keeps the provider's DPoP-Nonce between requests. */
  private handle: Promise<DPoPHandle> | undefined;
  private readonly options: Required<SessionOptions>;
  private readonly log;

  private status: SessionStatus = 'restoring';
  private flow: AuthorizationMode | undefined;
  private error: AppError | undefined;
  private persistence: SessionView['persistence'] = 'encrypted';
  private tokens: TokenSet | undefined;
  private pendingSignIn: PendingSignIn | undefined;
  private refreshing: Promise<TokenSet> | undefined;
  private readonly receivers = new Set<LoopbackReceiver>();
  /** Logout receivers (or their start), waiting for the provider's logout page to come back. */
  private readonly logoutReceivers = new Set<Promise<LoopbackReceiver>>();
  /**
   * Bumped each time the session ends (logout, a rejected refresh). Work begun under an older epoch
   * (a code exchange, a refresh, a vault write) must not bring the session back when it finishes:
   * it checks the epoch after every await and right before it writes.
   */
  private epoch = 0;
  /** The app-link receiver while an app-link sign-in waits; delivered URLs go to it and nowhere else. */
  private appLink: AppLinkReceiver | undefined;
  private readonly providerLogout: ProviderLogout;

  constructor(config: AppConfig, ports: CorePorts, options: SessionOptions = {}) {
    this.config = config;
    this.ports = ports;
    this.log = ports.log ?? silentLogger;
    this.vault = new TokenVault(ports.store, ports.cipher, vaultOwnerOf(config));
    this.keys = new DPoPKeyStore(
      ports.store,
      ports.cipher,
      () => this.vault.persistent(),
      this.log,
    );
    this.options = {
      signInTimeoutMs: options.signInTimeoutMs ?? 5 * 60_000,
      clockSkewSeconds: options.clockSkewSeconds ?? 60,
      logoutTimeoutMs: options.logoutTimeoutMs ?? 60_000,
    };
    this.providerLogout = new ProviderLogout({
      config,
      store: ports.store,
      openExternal: ports.openExternal,
      log: this.log,
      startReceiver: (path, requireState) => this.startLogoutReceiver(path, requireState),
      changed: () => {
        if (this.status === 'signed-out') this.ports.emit(this.view());
      },
      persist: () => this.persistence === 'encrypted',
    });
  }

  view(): SessionView {
    const view: SessionView = { status: this.status, persistence: this.persistence };
    if (this.status === 'signing-in' && this.flow) view.flow = this.flow;
    if (this.status === 'signing-in' && this.pendingSignIn?.expiresAt)
      view.expiresAt = this.pendingSignIn.expiresAt;
    const pending = this.pendingSignIn;
    if (this.status === 'signing-in' && pending) {
      view.signIn = { way: pending.way, otherWays: this.otherWays(pending, false) };
      const appLinkMissing =
        this.ports.appLinkRegistered?.() === true ? undefined : this.ports.appLinkMissing?.();
      if (appLinkMissing) view.signIn.appLinkMissing = appLinkMissing;
      if (pending.way === 'code' && pending.code) view.signIn.code = { ...pending.code };
      if (pending.notice) view.signIn.notice = pending.notice;
    }
    if (this.status === 'signed-out' && this.providerLogout.unreachable())
      view.providerSession = 'not-ended';
    if (this.status === 'signed-in' && this.tokens) view.profile = profileOf(this.tokens);
    if (this.error) view.error = this.error;
    return view;
  }

  /** At start: back to signed-in from the vault, refreshing if the access token has expired. */
  async restore(): Promise<void> {
    const epoch = this.epoch;
    this.persistence = (await this.vault.persistent()) ? 'encrypted' : 'memory';
    if (this.persistence === 'memory') {
      this.log.warn('OS encryption unavailable: the session will be kept in memory only');
    }
    if (this.config.dpop) {
      const { origin } = await this.keys.load();
      this.log.info('sender-constrained tokens (DPoP) on', { key: origin });
    }
    const loaded = await this.vault.load();
    // Logged out while the vault was being read: what was read is no longer the session.
    if (this.epoch !== epoch) return;
    if (loaded.kind !== 'loaded') {
      if (loaded.kind === 'discarded')
        this.log.warn('saved session discarded', { reason: loaded.reason.message });
      this.update('signed-out', loaded.kind === 'discarded' ? loaded.reason : undefined);
      return;
    }
    this.tokens = loaded.tokens;
    if (this.expiresSoon(loaded.tokens)) {
      try {
        await this.refresh();
      } catch (error) {
        // invalid_grant has already signed the user out with its reason. If the provider is merely
        // unreachable, the refresh token may still be good: stay signed in and try again on use.
        if (!this.tokens) return;
        this.log.warn('refresh at start failed; will retry on use', {
          error: toAppError(error).code,
        });
      }
    }
    this.update('signed-in');
  }

  login(): Promise<Result<{ session: SessionView }>> {
    return this.signIn('login');
  }

  signup(): Promise<Result<{ session: SessionView }>> {
    return this.signIn('signup');
  }

  cancel(): Result {
    if (!this.pendingSignIn)
      return {
        ok: false,
        error: { code: 'invalid_request', message: 'No sign-in is in progress.' },
      };
    this.pendingSignIn.abort.abort();
    return { ok: true };
  }

  /** Opens the pending sign-in's page again (the browser often opens it behind the app). */
  async reopen(): Promise<Result> {
    const pending = this.pendingSignIn;
    if (!pending)
      return { ok: false, error: { code: 'invalid_request', message: 'No sign-in is waiting.' } };
    if (pending.url) await this.openSignInPage(pending, pending.url);
    return { ok: true };
  }

  /**
   * Switches the pending sign-in to another way ("Try another way"): the current way is cancelled
   * (its loopback receiver closed, its polling stopped) and the chosen one starts. `code` while a
   * code is shown asks for a new one.
   */
  useWay(way: OtherSignInWay): Result {
    const pending = this.pendingSignIn;
    if (!pending)
      return {
        ok: false,
        error: { code: 'invalid_request', message: 'No sign-in is in progress.' },
      };
    if (!this.otherWays(pending, true).includes(way)) {
      return {
        ok: false,
        error: {
          code: 'way_unavailable',
          message:
            way === 'app-link'
              ? 'The app link is not set up on this computer.'
              : 'That way to sign in is not available.',
        },
      };
    }
    pending.next = way;
    // A tab that still comes back to the loopback hears that another way was chosen (loopback.ts).
    pending.wayAbort?.abort(SWITCHED_WAY);
    return { ok: true };
  }

  /** Opens the provider's page for the sign-in code shown now (the code stays on screen to compare). */
  async openCodePage(): Promise<Result> {
    const pending = this.pendingSignIn;
    const page = pending?.way === 'code' ? pending.codePage : undefined;
    if (!page || pending?.code?.expired)
      return {
        ok: false,
        error: { code: 'invalid_request', message: 'No sign-in code is shown.' },
      };
    try {
      // electronegativity-ignore: OPEN_EXTERNAL_JS_CHECK — the provider's verification page, checked to be http(s) (device-code.ts pageUrl), never renderer input
      await this.ports.openExternal(page);
      return { ok: true };
    } catch (error) {
      this.log.warn('could not open the sign-in code page', { error: toAppError(error).code });
      return {
        ok: false,
        error: {
          code: 'internal',
          message: 'The page could not be opened. Type the address shown into your browser.',
        },
      };
    }
  }

  /** Puts the sign-in code shown now on the clipboard (the text is ours, never the renderer's). */
  copyCode(): Result {
    const code = this.pendingSignIn?.way === 'code' ? this.pendingSignIn.code : undefined;
    if (!code || code.expired)
      return {
        ok: false,
        error: { code: 'invalid_request', message: 'No sign-in code is shown.' },
      };
    if (!this.ports.copyText)
      return {
        ok: false,
        error: { code: 'way_unavailable', message: 'This app has no clipboard of its own here.' },
      };
    this.ports.copyText(code.userCode);
    return { ok: true };
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
      this.log.warn('app link dropped', { reason: refusal, url });
      return false;
    }
    this.log.info('app link received');
    return true;
  }

  /**
   * For a switch to another provider (Settings → Save): forgets the session locally and revokes its
   * refresh token at this provider (best effort), without opening a browser: the person is on the
   * Settings page, not logging out, and a logout tab from the old provider would only confuse. This
   * provider's browser session is not ended, so it is marked: a switch back asks for the password.
   */
  async endForSwitch(): Promise<void> {
    const tokens = this.tokens;
    this.pendingSignIn?.abort.abort();
    this.endSession(undefined);
    // The browser may still be signed in here: after a switch back, Log In asks for the password.
    this.providerLogout.switchedAway();
    if (!tokens?.refreshToken) return;
    try {
      await revokeRefreshToken(this.config, tokens.refreshToken);
    } catch (error) {
      this.log.warn('refresh token revocation at the old provider failed (best effort)', {
        error: toAppError(error).code,
      });
    }
  }

  /**
   * Logs out locally first (always succeeds), then revokes and ends the provider's session. The
   * answer says whether that second half could run: `unreachable` means the provider still has a
   * session, and the next sign-in will ask for the password.
   */
  async logout(): Promise<Result<{ session: SessionView } & ProviderLogoutOutcome>> {
    const tokens = this.tokens;
    this.pendingSignIn?.abort.abort();
    this.endSession(undefined);
    const outcome: ProviderLogoutOutcome = tokens
      ? await this.providerLogout.end(tokens)
      : { providerLogout: 'none' };
    return { ok: true, session: this.view(), ...outcome };
  }

  /** Try again to end the provider's session after a logout that could not reach it. */
  async endProviderSession(): Promise<Result<{ session: SessionView } & ProviderLogoutOutcome>> {
    const outcome = await this.providerLogout.retry();
    return { ok: true, session: this.view(), ...outcome };
  }

  /** A valid access token for an API call, refreshed (single-flight) when it expires soon. */
  async accessToken(): Promise<string> {
    return (await this.apiCredential()).accessToken;
  }

  /** After an API answered 401 to `rejected`: a new token, unless another caller already got one. */
  async accessTokenAfterRejection(rejected: string): Promise<string> {
    return (await this.apiCredentialAfterRejection(rejected)).accessToken;
  }

  /** Like accessToken(), with the scheme the token must be presented with. */
  async apiCredential(): Promise<ApiCredential> {
    const tokens = this.tokens;
    if (!tokens || this.status !== 'signed-in')
      throw new CoreError('not_signed_in', 'You need to log in to see this.');
    return credentialOf(this.expiresSoon(tokens) ? await this.refresh() : tokens);
  }

  /** Like accessTokenAfterRejection(), with the scheme. */
  async apiCredentialAfterRejection(rejected: string): Promise<ApiCredential> {
    if (this.tokens && this.tokens.accessToken !== rejected) return credentialOf(this.tokens);
    if (!this.tokens) throw new CoreError('not_signed_in', 'You need to log in to see this.');
    return credentialOf(await this.refresh());
  }

  /** This installation's DPoP key, to sign API proofs with. Main process only: never sent anywhere. */
  dpopKey(): Promise<DPoPKey> {
    return this.keys.key();
  }

  async close(): Promise<void> {
    this.pendingSignIn?.abort.abort();
    await Promise.all([...this.receivers].map((receiver) => receiver.close()));
    await LoopbackReceiver.closeLingering();
  }

  /**
   * One sign-in at a time. A second Log In or Sign Up while one waits is not an error: it joins the
   * pending one and brings its page forward (reopens it), except right after it was opened, which is
   * a double-click.
   */
  private signIn(mode: AuthorizationMode): Promise<Result<{ session: SessionView }>> {
    const pending = this.pendingSignIn;
    if (pending) {
      if (pending.url && Date.now() - (pending.openedAt ?? 0) >= REOPEN_GUARD_MS) {
        // Never waits for the opener on its own (see arrivalUnlessOpenerFails).
        return Promise.race([
          pending.result,
          this.openSignInPage(pending, pending.url).then(() => pending.result),
        ]);
      }
      return pending.result;
    }
    if (this.status === 'signed-in') return Promise.resolve({ ok: true, session: this.view() });
    const abort = new AbortController();
    let settle!: (result: Result<{ session: SessionView }>) => void;
    const next: PendingSignIn = {
      abort,
      flow: mode,
      result: new Promise((resolve) => (settle = resolve)),
      way: 'browser',
    };
    this.pendingSignIn = next;
    this.flow = mode;
    this.update('signing-in');
    void this.runSignIn(next).then(settle);
    return next.result;
  }

  /** Opens (or reopens) the sign-in page in the system browser. */
  private async openSignInPage(pending: PendingSignIn, url: string): Promise<void> {
    pending.openedAt = Date.now();
    // electronegativity-ignore: OPEN_EXTERNAL_JS_CHECK — a URL the core built from the provider's discovery document, never renderer input; the port opens only http(s) (createOpenExternal)
    await this.ports.openExternal(url);
  }

  private async runSignIn(pending: PendingSignIn): Promise<Result<{ session: SessionView }>> {
    const { abort, flow: mode } = pending;
    const epoch = this.epoch;
    /** False once the user cancelled or logged out: from then on nothing of this sign-in may land. */
    const wanted = () => !abort.signal.aborted && this.epoch === epoch;
    try {
      // Discovery is cached: ask the provider whether it answers at all (bounded) before the browser
      // is opened on what could be a dead page, with the same error as at start when it does not.
      await checkProviderAnswers(this.config);
      await discover(this.config);
      if (abort.signal.aborted) throw new CoreError('sign_in_cancelled', 'Sign-in was cancelled.');
      const tokens = await this.runWays(pending);
      // Tokens from every way take this one path: persisted, then signed in. Cancel or Log Out while
      // they arrived or while the vault is written (a keychain can be slow) wins: nothing lands, and
      // the refresh token nobody will hold is revoked.
      if (!wanted()) {
        await this.revokeUnwanted(tokens);
        throw new CoreError('sign_in_cancelled', 'Sign-in was cancelled.');
      }
      await this.persist(tokens, wanted);
      if (!wanted()) {
        await this.revokeUnwanted(tokens);
        throw new CoreError('sign_in_cancelled', 'Sign-in was cancelled.');
      }
      this.tokens = tokens;
      if (pending.forcedLogin) this.providerLogout.signedIn();
      pending.done?.({
        ok: true,
        message: 'You are signed in. You can close this tab and return to the app.',
      });
      this.pendingSignIn = undefined;
      this.update('signed-in');
      this.log.info('signed in', { flow: mode, way: pending.way });
      this.ports.focusApp?.();
      return { ok: true, session: this.view() };
    } catch (failure) {
      const error = toAppError(failure);
      pending.done?.({
        ok: false,
        message: `${error.message} You can close this tab and return to the app.`,
      });
      this.pendingSignIn = undefined;
      this.update('signed-out', error);
      this.log.warn('sign-in failed', { flow: mode, way: pending.way, error: error.code });
      return { ok: false, error };
    }
  }

  /**
   * Runs the pending sign-in's ways until one brings tokens: the loopback redirect first; another
   * way when the user picks one (the current one is aborted first); a choice of the others when the
   * loopback receiver cannot start; a new choice when a sign-in code expires.
   */
  private async runWays(pending: PendingSignIn): Promise<TokenSet> {
    let way: PendingSignIn['way'] = 'browser';
    for (;;) {
      // A way picked before the current one had even started (the loopback is still being set up).
      if (pending.next) {
        way = pending.next;
        pending.next = undefined;
      }
      pending.way = way;
      pending.done = undefined;
      // What belonged to the previous way: its page (reopen), its deadline, its forced login.
      pending.url = undefined;
      pending.expiresAt = undefined;
      pending.forcedLogin = false;
      if (way !== 'code') {
        pending.code = undefined;
        pending.codePage = undefined;
      }
      if (way !== 'choose') pending.notice = undefined;
      const wayAbort = new AbortController();
      pending.wayAbort = wayAbort;
      const signal = AbortSignal.any([pending.abort.signal, wayAbort.signal]);
      this.update('signing-in');
      try {
        if (way === 'browser') return await this.signInWithLoopback(pending, signal);
        if (way === 'app-link') return await this.signInWithAppLink(pending, signal);
        if (way === 'code') return await this.signInWithCode(pending, signal);
        await untilAborted(signal);
        throw new CoreError('sign_in_cancelled', 'Sign-in was cancelled.');
      } catch (failure) {
        if (pending.abort.signal.aborted)
          throw new CoreError('sign_in_cancelled', 'Sign-in was cancelled.');
        const next = pending.next;
        pending.next = undefined;
        if (next) {
          way = next;
          continue;
        }
        if (
          way === 'browser' &&
          failure instanceof CoreError &&
          failure.code === 'ports_busy' &&
          this.otherWays(pending, false).length > 0
        ) {
          // RFC 8252 §7.3 cannot work here: say so and offer the other ways at once.
          this.log.warn('no loopback port; offering the other ways');
          pending.notice = failure.toAppError();
          way = 'choose';
          continue;
        }
        if (
          way === 'code' &&
          failure instanceof CoreError &&
          failure.code === 'code_expired' &&
          pending.code
        ) {
          // Keep the screen: it says the code expired and offers a new one.
          pending.code = { ...pending.code, expired: true };
          pending.codePage = undefined;
          this.log.info('sign-in code expired');
          const idle = new AbortController();
          pending.wayAbort = idle;
          this.update('signing-in');
          await untilAborted(AbortSignal.any([pending.abort.signal, idle.signal])).catch(
            () => undefined,
          );
          if (pending.abort.signal.aborted)
            throw new CoreError('sign_in_cancelled', 'Sign-in was cancelled.');
          way = pending.next ?? 'code';
          pending.next = undefined;
          continue;
        }
        throw failure;
      }
    }
  }

  /** The default way: the system browser comes back to a one-shot loopback receiver (RFC 8252 §7.3). */
  private async signInWithLoopback(pending: PendingSignIn, signal: AbortSignal): Promise<TokenSet> {
    // A logout receiver may hold the only callback port (one fixed port is the usual Auth0 set-up):
    // the sign-in needs it more than a logout tab the user may never finish. With OS-assigned ports
    // there is no contest: the logout tab can still come back to its own port.
    if (this.config.callbackPorts.length > 0) await this.closeLogoutReceivers();
    // A logout tab that comes back to the port this sign-in took is told what happened.
    const receiver = await this.startReceiver(CALLBACK_PATH, signal, {
      otherPages: { [LOGGED_OUT_PATH]: LOGOUT_TAB_AFTER_SIGN_IN },
    });
    try {
      pending.expiresAt = Date.now() + this.options.signInTimeoutMs;
      const dpop = this.config.dpop ? await this.dpop() : undefined;
      const forceLogin = this.providerLogout.forceLogin();
      const { url, checks } = await buildAuthorizationRequest(
        this.config,
        receiver.redirectUri,
        pending.flow,
        dpop?.key.thumbprint,
        forceLogin,
      );
      if (signal.aborted) throw new CoreError('sign_in_cancelled', 'Sign-in was cancelled.');
      receiver.expectState(checks.expectedState);
      pending.url = url.href;
      pending.forcedLogin = forceLogin;
      this.update('signing-in');
      const callbackUrl = await arrivalUnlessOpenerFails(
        receiver.arrival,
        this.openSignInPage(pending, url.href),
      );
      if (signal.aborted) throw new CoreError('sign_in_cancelled', 'Sign-in was cancelled.');
      const tokens = await exchangeCode(this.config, callbackUrl, checks, dpop?.handle);
      pending.done = (outcome) => receiver.finish(outcome);
      return tokens;
    } catch (failure) {
      const error = toAppError(failure);
      receiver.finish({
        ok: false,
        message: `${error.message} You can close this tab and return to the app.`,
      });
      throw failure;
    } finally {
      this.receivers.delete(receiver);
    }
  }

  /** The app link: the browser comes back to `<scheme>:/callback`, handed over by the OS (RFC 8252 §7.1). */
  private async signInWithAppLink(pending: PendingSignIn, signal: AbortSignal): Promise<TokenSet> {
    const receiver = new AppLinkReceiver({
      scheme: this.config.redirectScheme,
      timeoutMs: this.options.signInTimeoutMs,
      signal,
    });
    this.appLink = receiver;
    try {
      pending.expiresAt = Date.now() + this.options.signInTimeoutMs;
      const dpop = this.config.dpop ? await this.dpop() : undefined;
      const forceLogin = this.providerLogout.forceLogin();
      const { url, checks } = await buildAuthorizationRequest(
        this.config,
        receiver.redirectUri,
        pending.flow,
        dpop?.key.thumbprint,
        forceLogin,
      );
      if (signal.aborted) throw new CoreError('sign_in_cancelled', 'Sign-in was cancelled.');
      receiver.expectState(checks.expectedState);
      pending.url = url.href;
      pending.forcedLogin = forceLogin;
      this.update('signing-in');
      const callbackUrl = await arrivalUnlessOpenerFails(
        receiver.arrival,
        this.openSignInPage(pending, url.href),
      );
      if (signal.aborted) throw new CoreError('sign_in_cancelled', 'Sign-in was cancelled.');
      // The same checks as the loopback callback: state, iss, then the code with our PKCE verifier and nonce.
      return await exchangeCode(this.config, callbackUrl, checks, dpop?.handle);
    } finally {
      receiver.close();
      if (this.appLink === receiver) this.appLink = undefined;
    }
  }

  /** Sign in with a code (RFC 8628): show the user code, poll until approved, declined or expired. */
  private async signInWithCode(pending: PendingSignIn, signal: AbortSignal): Promise<TokenSet> {
    const code = await requestSignInCode(this.config);
    if (signal.aborted) throw new CoreError('sign_in_cancelled', 'Sign-in was cancelled.');
    pending.code = code.view;
    pending.codePage = code.pageToOpen;
    this.update('signing-in');
    this.log.info('sign-in code issued', {
      expiresInSeconds: code.authorization.expires_in,
      interval: code.authorization.interval ?? 5,
    });
    const dpop = this.config.dpop ? await this.dpop() : undefined;
    return pollForTokens(this.config, code, { signal, ...(dpop ? { dpop: dpop.handle } : {}) });
  }

  /** The ways the user may switch to now (`forSwitch`: including a new code while one is shown). */
  private otherWays(pending: PendingSignIn, forSwitch: boolean): OtherSignInWay[] {
    const ways: OtherSignInWay[] = [];
    if (this.ports.appLinkRegistered?.() === true && (forSwitch || pending.way !== 'app-link'))
      ways.push('app-link');
    if (forSwitch || pending.way !== 'code') ways.push('code');
    return ways;
  }

  private async startReceiver(
    path: string,
    signal?: AbortSignal,
    extra: Partial<LoopbackOptions> = {},
  ): Promise<LoopbackReceiver> {
    const receiver = await LoopbackReceiver.start({
      ports: this.config.callbackPorts,
      path,
      // The sign-in receiver takes only the callback answering its own request (expectState).
      requireState: true,
      timeoutMs: this.options.signInTimeoutMs,
      ...(signal ? { signal } : {}),
      ...extra,
    });
    this.receivers.add(receiver);
    return receiver;
  }

  /**
   * The receiver for the provider's post-logout redirect (`requireState`: only the return carrying the
   * logout request's state); a tab that comes back late is still told it is logged out.
   */
  private async startLogoutReceiver(
    path: string,
    requireState: boolean,
  ): Promise<LoopbackReceiver> {
    const loggedOut = {
      title: 'You are logged out',
      message: 'The sign-in service has ended your session. You can close this tab.',
    };
    // Short: it may hold the only callback port while the user never finishes the logout tab.
    const starting = this.startReceiver(path, undefined, {
      timeoutMs: this.options.logoutTimeoutMs,
      latePages: { cancelled: loggedOut, timeout: loggedOut },
      requireState,
      wrongStatePage: {
        title: 'Not this logout',
        message:
          'This is not the logout the app is waiting for. Finish logging out in the tab the app opened.',
      },
    });
    this.logoutReceivers.add(starting);
    let receiver: LoopbackReceiver;
    try {
      receiver = await starting;
    } catch (error) {
      this.logoutReceivers.delete(starting);
      throw error;
    }
    if (!this.logoutReceivers.has(starting)) {
      // A sign-in started meanwhile and took the port back: the logout page goes without a way back.
      await receiver.close();
      throw new CoreError('ports_busy', 'A sign-in needs the callback port.');
    }
    const forget = () => {
      this.receivers.delete(receiver);
      this.logoutReceivers.delete(starting);
    };
    receiver.arrival.then(forget, forget);
    return receiver;
  }

  /** Closes every waiting logout receiver (and any being started), so a sign-in can have the port. */
  private async closeLogoutReceivers(): Promise<void> {
    const pending = [...this.logoutReceivers];
    this.logoutReceivers.clear();
    await Promise.all(
      pending.map((starting) =>
        starting.then(
          (receiver) => receiver.close(),
          () => {},
        ),
      ),
    );
  }

  private refresh(): Promise<TokenSet> {
    this.refreshing ??= this.refreshOnce().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async refreshOnce(): Promise<TokenSet> {
    const current = this.tokens;
    if (!current) throw new CoreError('not_signed_in', 'You need to log in to see this.');
    const epoch = this.epoch;
    const wanted = () => this.epoch === epoch && this.tokens === current;
    let next: TokenSet;
    try {
      // A DPoP-bound refresh token needs a proof even if DPoP has been switched off since sign-in.
      const dpop = this.config.dpop || current.tokenType === 'DPoP' ? await this.dpop() : undefined;
      next = await refreshTokens(this.config, current, dpop?.handle);
    } catch (error) {
      if (
        error instanceof CoreError &&
        error.code === 'session_expired' &&
        this.tokens === current
      ) {
        this.log.warn('refresh token rejected; signed out');
        this.endSession(error.toAppError());
      }
      throw error;
    }
    // Logged out while the provider answered: the rotated refresh token is live and nobody holds it.
    if (!wanted()) {
      await this.revokeUnwanted(next);
      throw new CoreError('not_signed_in', 'You were logged out.');
    }
    // The rotated refresh token is on disk before the new access token is used: a crash now must
    // not leave the vault holding a refresh token the provider has already retired. A logout during
    // the (slow) encryption wins: the write does not land after the vault was cleared.
    await this.persist(next, wanted);
    if (!wanted()) {
      await this.revokeUnwanted(next);
      throw new CoreError('not_signed_in', 'You were logged out.');
    }
    this.tokens = next;
    return next;
  }

  /** Tokens that arrived after the session ended: nobody will use them, so the provider should forget them (best effort). */
  private async revokeUnwanted(tokens: TokenSet): Promise<void> {
    if (!tokens.refreshToken) return;
    try {
      await revokeRefreshToken(this.config, tokens.refreshToken);
      this.log.info('revoked a refresh token that arrived after the session ended');
    } catch (error) {
      this.log.warn('refresh token revocation failed (best effort)', {
        error: toAppError(error).code,
      });
    }
  }

  /** The key and openid-client's handle over it (made once; a failed discovery is retried next time). */
  private async dpop(): Promise<{ key: DPoPKey; handle: DPoPHandle }> {
    const key = await this.keys.key();
    if (!this.handle) {
      const pending = dpopHandle(this.config, key.keyPair);
      this.handle = pending;
      pending.catch(() => {
        if (this.handle === pending) this.handle = undefined;
      });
    }
    return { key, handle: await this.handle };
  }

  /** Saves `tokens` unless `wanted()` turns false first; a failure keeps the session in memory only. */
  private async persist(tokens: TokenSet, wanted: () => boolean): Promise<void> {
    try {
      await this.vault.save(tokens, wanted);
    } catch (error) {
      this.persistence = 'memory';
      this.log.error('could not save the session; keeping it in memory', {
        reason: error instanceof Error ? error.name : 'unknown',
      });
      // The record still on disk holds a refresh token the provider has retired (rotation) or a
      // session the user no longer has: a restart must not find it.
      const failure = wanted() ? this.clearVault() : undefined;
      this.update(this.status, failure ?? this.error);
    }
  }

  /** Removes the saved session; when that fails, logs it and returns what to tell the user. */
  private clearVault(): AppError | undefined {
    try {
      this.vault.clear();
      return undefined;
    } catch (error) {
      this.log.error('could not delete the saved session', {
        reason: error instanceof Error ? error.name : 'unknown',
      });
      return {
        code: 'storage_unwritable',
        message:
          'The saved session could not be deleted from this computer, so the app may sign you in again when it next starts. Check that the app’s data folder can be written to, then log out again.',
      };
    }
  }

  /** Forgets the session locally: memory and vault. Whatever was in flight for it is now unwanted. */
  private endSession(reason: AppError | undefined): void {
    this.epoch += 1;
    this.tokens = undefined;
    const failure = this.clearVault();
    this.update('signed-out', failure ?? reason);
  }

  private expiresSoon(tokens: TokenSet): boolean {
    return tokens.accessTokenExpiresAt - this.options.clockSkewSeconds * 1000 <= Date.now();
  }

  private update(status: SessionStatus, error?: AppError): void {
    this.status = status;
    this.error = error;
    if (status !== 'signing-in') this.flow = undefined;
    this.ports.emit(this.view());
  }
}

/**
 * The callback's arrival, unless opening the browser fails first. The opener is never awaited on its
 * own: one may return only when the browser exits (xdg-open without a desktop environment runs the
 * browser in the foreground), and the callback can arrive long before that.
 */
function arrivalUnlessOpenerFails(arrival: Promise<URL>, opening: Promise<void>): Promise<URL> {
  return Promise.race([arrival, opening.then(() => arrival)]);
}

function credentialOf(tokens: TokenSet): ApiCredential {
  return {
    accessToken: tokens.accessToken,
    scheme: tokens.tokenType === 'DPoP' ? 'DPoP' : 'Bearer',
  };
}

/** The ID token's claims minus the protocol-only ones; public data about the user. */
function profileOf(tokens: TokenSet): ProfileClaims {
  const { nonce: _nonce, at_hash: _atHash, c_hash: _cHash, sid: _sid, ...claims } = tokens.claims;
  return claims as ProfileClaims;
}
