/**
 * The session: signed-out → signing-in → signed-in, and back. It owns the tokens (they never leave
 * the main process), runs one sign-in at a time through the system browser, refreshes access tokens
 * single-flight, and reports every change through `emit`. One concern per file: the states and the
 * view (session-state.ts), the sign-ins (sign-in.ts) and their ways (sign-in-ways.ts), the vault
 * writes (session-persistence.ts), refreshing (session-refresh.ts), the loopback receivers
 * (session-receivers.ts).
 */
import type { DPoPHandle } from 'openid-client';
import type {
  OtherSignInWay,
  PendingActivity,
  Result,
  SessionView,
} from '../../src-preload/contract.ts';
import type { AppConfig } from './config.ts';
import { DPoPKeyStore, type DPoPKey } from './dpop.ts';
import { CoreError, toAppError } from './errors.ts';
import { dpopHandle } from './oidc.ts';
import { silentLogger, type CorePlatform } from './platform.ts';
import { ProviderLogout, type ProviderLogoutOutcome } from './provider-logout.ts';
import { CALLBACK_PATH, LOGGED_OUT_PATH } from './registration.ts';
import { SessionPersistence } from './session-persistence.ts';
import { SessionReceivers } from './session-receivers.ts';
import { TokenRefresher } from './session-refresh.ts';
import { tokensOf, viewOf, type SessionState } from './session-state.ts';
import { REOPEN_GUARD_MS, SignIns } from './sign-in.ts';
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

export { REOPEN_GUARD_MS };

const NOT_SIGNED_IN = 'You need to log in to see this.';

export class SessionManager {
  private readonly config: AppConfig;
  private readonly platform: CorePlatform;
  private readonly vault: TokenVault;
  /** This installation's DPoP key: survives restarts and logout (the refresh token is bound to it). */
  private readonly keys: DPoPKeyStore;
  /** openid-client's DPoP handle over that key; it keeps the provider's DPoP-Nonce between requests. */
  private handle: Promise<DPoPHandle> | undefined;
  private readonly options: Required<SessionOptions>;
  private readonly log;
  private readonly persistence: SessionPersistence;
  private readonly receivers: SessionReceivers;
  private readonly providerLogout: ProviderLogout;

  /** What the session is now; changed only by `moveTo`. */
  private state: SessionState = { status: 'restoring' };
  /**
   * Bumped each time the session ends (logout, a rejected refresh). Work begun under an older epoch
   * (a code exchange, a refresh, a vault write) must not bring the session back when it finishes:
   * it checks the epoch after every await and right before it writes.
   */
  private epoch = 0;
  private readonly signIns: SignIns;
  private readonly refresher: TokenRefresher;

  constructor(config: AppConfig, platform: CorePlatform, options: SessionOptions = {}) {
    this.config = config;
    this.platform = platform;
    this.log = platform.log ?? silentLogger;
    this.vault = new TokenVault(platform.store, platform.cipher, vaultOwnerOf(config));
    this.keys = new DPoPKeyStore(
      platform.store,
      platform.cipher,
      () => this.vault.persistent(),
      this.log,
    );
    this.options = {
      signInTimeoutMs: options.signInTimeoutMs ?? 5 * 60_000,
      clockSkewSeconds: options.clockSkewSeconds ?? 60,
      logoutTimeoutMs: options.logoutTimeoutMs ?? 60_000,
    };
    this.persistence = new SessionPersistence({
      vault: this.vault,
      config,
      log: this.log,
      saveFailed: (failure) => this.moveTo({ ...this.state, error: failure ?? this.state.error }),
    });
    this.receivers = new SessionReceivers({ callbackPorts: config.callbackPorts, ...this.options });
    this.providerLogout = new ProviderLogout({
      config,
      store: platform.store,
      openExternal: platform.openExternal,
      log: this.log,
      startReceiver: (path, requireState) => this.receivers.startLogout(path, requireState),
      changed: () => {
        if (this.state.status === 'signed-out') this.platform.emit(this.view());
      },
      persist: () => this.persistence.mode === 'encrypted',
    });
    this.refresher = new TokenRefresher(
      {
        config,
        log: this.log,
        persistence: this.persistence,
        tokens: () => this.tokens,
        epoch: () => this.epoch,
        dpop: () => this.dpop(),
        hold: (tokens) => this.holdTokens(tokens),
        endSession: (reason) => this.endSession(reason),
      },
      NOT_SIGNED_IN,
    );
    this.signIns = new SignIns({
      config,
      platform,
      log: this.log,
      signInTimeoutMs: this.options.signInTimeoutMs,
      receivers: this.receivers,
      providerLogout: this.providerLogout,
      persistence: this.persistence,
      dpop: () => this.dpop(),
      state: () => this.state,
      moveTo: (next) => this.moveTo(next),
      epoch: () => this.epoch,
      view: () => this.view(),
    });
  }

  view(): SessionView {
    const { status } = this.state;
    const registered = this.platform.appLinkRegistered?.() === true;
    return viewOf(this.state, {
      persistence: this.persistence.mode,
      providerSessionNotEnded: status === 'signed-out' && this.providerLogout.unreachable(),
      appLink: {
        registered,
        missing:
          status === 'signing-in' && !registered ? this.platform.appLinkMissing?.() : undefined,
      },
    });
  }

  /** At start: back to signed-in from the vault, refreshing if the access token has expired. */
  async restore(): Promise<void> {
    const epoch = this.epoch;
    await this.persistence.detect();
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
      this.moveTo({
        status: 'signed-out',
        error: loaded.kind === 'discarded' ? loaded.reason : undefined,
      });
      return;
    }
    // Called again on a signed-out session (tests re-seed the vault): restoring it is a move.
    const { status } = this.state;
    if (status === 'restoring' || status === 'signed-in') this.holdTokens(loaded.tokens);
    else this.moveTo({ status: 'restoring', tokens: loaded.tokens });
    if (this.expiresSoon(loaded.tokens)) {
      try {
        await this.refresher.refresh();
      } catch (error) {
        // invalid_grant has already signed the user out with its reason. If the provider is merely
        // unreachable, the refresh token may still be good: stay signed in and try again on use.
        if (!this.tokens) return;
        this.log.warn('refresh at start failed; will retry on use', {
          error: toAppError(error, this.log).code,
        });
      }
    }
    const tokens = this.tokens;
    if (tokens) this.moveTo({ status: 'signed-in', tokens });
  }

  login(): Promise<Result<{ session: SessionView }>> {
    return this.signIns.start('login');
  }

  signup(): Promise<Result<{ session: SessionView }>> {
    return this.signIns.start('signup');
  }

  cancel(): Result {
    return this.signIns.cancel();
  }

  /** Opens the pending sign-in's page again (the browser often opens it behind the app). */
  reopen(): Promise<Result> {
    return this.signIns.reopen();
  }

  /** "Try another way": the current way stops and the chosen one starts (`code` again: a new code). */
  useWay(way: OtherSignInWay): Result {
    return this.signIns.useWay(way);
  }

  /** Opens the provider's page for the sign-in code shown now. */
  openCodePage(): Promise<Result> {
    return this.signIns.openCodePage();
  }

  /** Puts the sign-in code shown now on the clipboard (the text is ours, never the renderer's). */
  copyCode(): Result {
    return this.signIns.copyCode();
  }

  /** A URL the OS delivered for the app's scheme: taken only by a pending app-link sign-in. */
  deliverAppLink(url: string): boolean {
    return this.signIns.deliverAppLink(url);
  }

  /**
   * For a switch to another provider (Settings → Save): forgets the session locally and revokes its
   * refresh token at this provider (best effort), without opening a browser: the person is on the
   * Settings page, not logging out, and a logout tab from the old provider would only confuse. This
   * provider's browser session is not ended, so it is marked: a switch back asks for the password.
   */
  async endForSwitch(): Promise<void> {
    const tokens = this.tokens;
    this.signIns.abort();
    this.endSession(undefined);
    // The browser may still be signed in here: after a switch back, Log In asks for the password.
    this.providerLogout.switchedAway();
    if (tokens) await this.persistence.revoke(tokens, 'switched to another provider');
  }

  /**
   * Logs out locally first (always succeeds), then revokes and ends the provider's session. The
   * answer says whether that second half could run: `unreachable` means the provider still has a
   * session, and the next sign-in will ask for the password.
   */
  async logout(): Promise<Result<{ session: SessionView } & ProviderLogoutOutcome>> {
    const tokens = this.tokens;
    this.signIns.abort();
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

  /**
   * What a restart to update must wait for (issue 20): a sign-in (the browser is on its way back to
   * a port of this process), a sign-in code being polled, or a logout whose provider half runs.
   */
  pendingActivity(): PendingActivity | undefined {
    if (this.state.status === 'signing-in')
      return this.state.way.way === 'code' ? 'sign-in-code' : 'sign-in';
    if (this.providerLogout.pending()) return 'logout';
    return undefined;
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
    if (this.state.status !== 'signed-in') throw new CoreError('not_signed_in', NOT_SIGNED_IN);
    const { tokens } = this.state;
    return credentialOf(this.expiresSoon(tokens) ? await this.refresher.refresh() : tokens);
  }

  /** Like accessTokenAfterRejection(), with the scheme. */
  async apiCredentialAfterRejection(rejected: string): Promise<ApiCredential> {
    const tokens = this.tokens;
    if (tokens && tokens.accessToken !== rejected) return credentialOf(tokens);
    if (!tokens) throw new CoreError('not_signed_in', NOT_SIGNED_IN);
    return credentialOf(await this.refresher.refresh());
  }

  /** This installation's DPoP key, to sign API proofs with. Main process only: never sent anywhere. */
  dpopKey(): Promise<DPoPKey> {
    return this.keys.key();
  }

  async close(): Promise<void> {
    this.signIns.abort();
    await this.receivers.closeAll();
  }

  /** The tokens the session holds now (read at start, or signed in); they never leave main. */
  private get tokens(): TokenSet | undefined {
    return tokensOf(this.state);
  }

  /** The one move between states: stores the new state and tells the renderer. */
  private moveTo(next: SessionState): void {
    this.state = next;
    this.platform.emit(this.view());
  }

  /** Tokens read at start or refreshed replace the ones held, in the same state (no move, no emit). */
  private holdTokens(tokens: TokenSet): void {
    const { state } = this;
    if (state.status === 'signed-in' || state.status === 'restoring')
      this.state = { ...state, tokens };
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

  /** Forgets the session locally: memory and vault. Whatever was in flight for it is now unwanted. */
  private endSession(reason: SessionView['error']): void {
    this.epoch += 1;
    const failure = this.persistence.clear();
    this.moveTo({ status: 'signed-out', error: failure ?? reason });
  }

  private expiresSoon(tokens: TokenSet): boolean {
    return tokens.accessTokenExpiresAt - this.options.clockSkewSeconds * 1000 <= Date.now();
  }
}

function credentialOf(tokens: TokenSet): ApiCredential {
  return {
    accessToken: tokens.accessToken,
    scheme: tokens.tokenType === 'DPoP' ? 'DPoP' : 'Bearer',
  };
}
