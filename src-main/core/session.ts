/**
 * The session: signed-out → signing-in → signed-in, and back. It owns the tokens (they never leave
 * the main process), runs one sign-in at a time through the system browser and the loopback
 * receiver, refreshes access tokens single-flight, and reports every change through `emit`.
 */
import type { DPoPHandle } from 'openid-client';
import type { AppError, ProfileClaims, Result, SessionStatus, SessionView } from '../../src-preload/contract.ts';
import type { AppConfig } from './config.ts';
import { DPoPKeyStore, type DPoPKey } from './dpop.ts';
import { CoreError, toAppError } from './errors.ts';
import { LoopbackReceiver } from './loopback.ts';
import {
  buildAuthorizationRequest,
  buildLogoutUrl,
  discover,
  dpopHandle,
  exchangeCode,
  refreshTokens,
  revokeRefreshToken,
  type AuthorizationMode,
} from './oidc.ts';
import { silentLogger, type CorePorts } from './ports.ts';
import { TokenVault, type TokenSet } from './vault.ts';

export interface SessionOptions {
  /** How long a sign-in waits for the browser (default 5 minutes). */
  signInTimeoutMs?: number;
  /** Refresh access tokens that expire within this many seconds (default 60). */
  clockSkewSeconds?: number;
}

/** An access token and how to present it to the API (`DPoP` needs a proof from our key with it). */
export interface ApiCredential {
  accessToken: string;
  scheme: 'Bearer' | 'DPoP';
}

export const CALLBACK_PATH = '/callback';
export const LOGGED_OUT_PATH = '/logged-out';

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
  private pendingSignIn: AbortController | undefined;
  private refreshing: Promise<TokenSet> | undefined;
  private readonly receivers = new Set<LoopbackReceiver>();

  constructor(config: AppConfig, ports: CorePorts, options: SessionOptions = {}) {
    this.config = config;
    this.ports = ports;
    this.log = ports.log ?? silentLogger;
    this.vault = new TokenVault(ports.store, ports.cipher, { issuer: config.issuer.href, clientId: config.clientId });
    this.keys = new DPoPKeyStore(ports.store, ports.cipher, () => this.vault.persistent(), this.log);
    this.options = { signInTimeoutMs: options.signInTimeoutMs ?? 5 * 60_000, clockSkewSeconds: options.clockSkewSeconds ?? 60 };
  }

  view(): SessionView {
    const view: SessionView = { status: this.status, persistence: this.persistence };
    if (this.status === 'signing-in' && this.flow) view.flow = this.flow;
    if (this.status === 'signed-in' && this.tokens) view.profile = profileOf(this.tokens);
    if (this.error) view.error = this.error;
    return view;
  }

  /** At start: back to signed-in from the vault, refreshing if the access token has expired. */
  async restore(): Promise<void> {
    this.persistence = (await this.vault.persistent()) ? 'encrypted' : 'memory';
    if (this.persistence === 'memory') {
      this.log.warn('OS encryption unavailable: the session will be kept in memory only');
    }
    if (this.config.dpop) {
      const { origin } = await this.keys.load();
      this.log.info('sender-constrained tokens (DPoP) on', { key: origin });
    }
    const loaded = await this.vault.load();
    if (loaded.kind !== 'loaded') {
      if (loaded.kind === 'discarded') this.log.warn('saved session discarded', { reason: loaded.reason.message });
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
        this.log.warn('refresh at start failed; will retry on use', { code: toAppError(error).code });
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
    if (!this.pendingSignIn) return { ok: false, error: { code: 'invalid_request', message: 'No sign-in is in progress.' } };
    this.pendingSignIn.abort();
    return { ok: true };
  }

  /** Logs out locally first (always succeeds), then revokes and ends the provider's session. */
  async logout(): Promise<Result<{ session: SessionView }>> {
    const tokens = this.tokens;
    this.pendingSignIn?.abort();
    this.endSession(undefined);
    if (tokens) await this.endProviderSession(tokens);
    return { ok: true, session: this.view() };
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
    if (!tokens || this.status !== 'signed-in') throw new CoreError('not_signed_in', 'You need to log in to see this.');
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
    this.pendingSignIn?.abort();
    await Promise.all([...this.receivers].map((receiver) => receiver.close()));
  }

  private async signIn(mode: AuthorizationMode): Promise<Result<{ session: SessionView }>> {
    if (this.pendingSignIn) {
      return { ok: false, error: { code: 'sign_in_in_progress', message: 'A sign-in is already waiting in your browser. Finish it there or cancel it.' } };
    }
    if (this.status === 'signed-in') return { ok: true, session: this.view() };
    const abort = new AbortController();
    this.pendingSignIn = abort;
    this.flow = mode;
    this.update('signing-in');
    let receiver: LoopbackReceiver | undefined;
    try {
      await discover(this.config);
      receiver = await this.startReceiver(CALLBACK_PATH, abort.signal);
      const dpop = this.config.dpop ? await this.dpop() : undefined;
      const { url, checks } = await buildAuthorizationRequest(this.config, receiver.redirectUri, mode, dpop?.key.thumbprint);
      receiver.expectState(checks.expectedState);
      // electronegativity-ignore: OPEN_EXTERNAL_JS_CHECK — a URL the core built from the provider's discovery document, never renderer input; the port opens only http(s) (createOpenExternal)
      await this.ports.openExternal(url.href);
      const callbackUrl = await receiver.arrival;
      if (abort.signal.aborted) throw new CoreError('sign_in_cancelled', 'Sign-in was cancelled.');
      const tokens = await exchangeCode(this.config, callbackUrl, checks, dpop?.handle);
      if (abort.signal.aborted) throw new CoreError('sign_in_cancelled', 'Sign-in was cancelled.');
      await this.persist(tokens);
      this.tokens = tokens;
      receiver.finish({ ok: true, message: 'You are signed in. You can close this tab and return to the app.' });
      this.pendingSignIn = undefined;
      this.update('signed-in');
      this.log.info('signed in', { flow: mode });
      this.ports.focusApp?.();
      return { ok: true, session: this.view() };
    } catch (failure) {
      const error = toAppError(failure);
      receiver?.finish({ ok: false, message: `${error.message} You can close this tab and return to the app.` });
      this.pendingSignIn = undefined;
      this.update('signed-out', error);
      this.log.warn('sign-in failed', { flow: mode, code: error.code });
      return { ok: false, error };
    } finally {
      if (receiver) this.receivers.delete(receiver);
    }
  }

  private async startReceiver(path: string, signal?: AbortSignal): Promise<LoopbackReceiver> {
    const receiver = await LoopbackReceiver.start({
      ports: this.config.callbackPorts,
      path,
      // The sign-in receiver takes only the callback answering its own request (expectState).
      requireState: path === CALLBACK_PATH,
      timeoutMs: this.options.signInTimeoutMs,
      ...(signal ? { signal } : {}),
    });
    this.receivers.add(receiver);
    return receiver;
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
    let next: TokenSet;
    try {
      // A DPoP-bound refresh token needs a proof even if DPoP has been switched off since sign-in.
      const dpop = this.config.dpop || current.tokenType === 'DPoP' ? await this.dpop() : undefined;
      next = await refreshTokens(this.config, current, dpop?.handle);
    } catch (error) {
      if (error instanceof CoreError && error.code === 'session_expired' && this.tokens === current) {
        this.log.warn('refresh token rejected; signed out');
        this.endSession(error.toAppError());
      }
      throw error;
    }
    if (this.tokens !== current) throw new CoreError('not_signed_in', 'You were logged out.');
    // The rotated refresh token is on disk before the new access token is used: a crash now must
    // not leave the vault holding a refresh token the provider has already retired.
    await this.persist(next);
    this.tokens = next;
    return next;
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

  private async persist(tokens: TokenSet): Promise<void> {
    try {
      await this.vault.save(tokens);
    } catch (error) {
      this.persistence = 'memory';
      this.log.error('could not save the session; keeping it in memory', { reason: error instanceof Error ? error.name : 'unknown' });
    }
  }

  /** Forgets the session locally: memory and vault. */
  private endSession(reason: AppError | undefined): void {
    this.tokens = undefined;
    this.vault.clear();
    this.update('signed-out', reason);
  }

  private async endProviderSession(tokens: TokenSet): Promise<void> {
    if (tokens.refreshToken) {
      try {
        await revokeRefreshToken(this.config, tokens.refreshToken);
      } catch (error) {
        this.log.warn('refresh token revocation failed (best effort)', { code: toAppError(error).code });
      }
    }
    let receiver: LoopbackReceiver | undefined;
    try {
      receiver = await this.startReceiver(LOGGED_OUT_PATH);
    } catch {
      // No free port: the provider's logout still runs, it just cannot bring the tab back to us.
    }
    try {
      const url = await buildLogoutUrl(this.config, tokens.idToken, receiver?.redirectUri);
      if (!url) {
        await receiver?.close();
        return;
      }
      if (receiver) {
        const arrived = receiver;
        arrived.arrival.then(
          () => arrived.finish({ ok: true, message: 'You have been logged out. You can close this tab.' }),
          () => this.receivers.delete(arrived),
        );
      }
      // electronegativity-ignore: OPEN_EXTERNAL_JS_CHECK — a URL the core built from the provider's discovery document, never renderer input; the port opens only http(s) (createOpenExternal)
      await this.ports.openExternal(url.href);
    } catch (error) {
      await receiver?.close();
      this.log.warn('provider logout could not be started', { code: toAppError(error).code });
    }
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

function credentialOf(tokens: TokenSet): ApiCredential {
  return { accessToken: tokens.accessToken, scheme: tokens.tokenType === 'DPoP' ? 'DPoP' : 'Bearer' };
}

/** The ID token's claims minus the protocol-only ones; public data about the user. */
function profileOf(tokens: TokenSet): ProfileClaims {
  const { nonce: _nonce, at_hash: _atHash, c_hash: _cHash, sid: _sid, ...claims } = tokens.claims;
  return claims as ProfileClaims;
}
