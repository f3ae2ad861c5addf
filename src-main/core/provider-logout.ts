/**
 * Ending the session at the identity provider, honestly.
 *
 * Log Out signs the person out of the app at once; this is the second half: revoke the refresh token
 * (RFC 7009) and open the provider's RP-initiated logout page in the system browser. Both need the
 * provider. When it cannot be reached, the app must not pretend: the person is told, can try again,
 * and until the provider's session has been ended the next sign-in sends `prompt=login` (OpenID
 * Connect Core §3.1.2.1), so on a shared computer Log In never signs the same person straight back in.
 *
 * The marker is cleared only by what proves the provider's session is over: the provider's return
 * from its logout page carrying the random `state` sent with that request (constant-time compare, like
 * the sign-in's), or a sign-in that asked for the password. Any web page can send a tab to
 * `127.0.0.1:<port>/logged-out`, and any local program can send that GET, while the "Sign out?" page
 * is still open: without the state that is nobody's proof. Where the provider echoes no state (Auth0's
 * `/v2/logout`), its return proves nothing either, so the marker stays until the password was asked.
 *
 * The "ask for the password" marker is persisted (it holds no secret, only which state the logout is
 * in), so it survives a restart. The tokens a retry needs (refresh token to revoke, ID token as the
 * logout hint) stay in memory only and are forgotten when the app quits.
 */
import type { ProviderLogoutResult, RevocationResult } from '../../src-preload/contract.ts';
import type { AppConfig } from './config.ts';
import { CoreError, toAppError } from './errors.ts';
import type { LoopbackReceiver } from './loopback.ts';
import {
  buildLogoutRequest,
  checkProviderAnswers,
  logoutEndpointOf,
  revokeRefreshToken,
} from './oidc.ts';
import type { KeyValueStore, Logger, OpenExternal } from './platform.ts';
import { LOGGED_OUT_PATH, sendsLogoutReturn } from './registration.ts';

export type { ProviderLogoutResult };

/** What Log Out (or its retry) could do at the provider. */
export interface ProviderLogoutOutcome {
  providerLogout: ProviderLogoutResult;
  /** The provider would not revoke the refresh token for a public client: it stays valid there. */
  revocation?: RevocationResult;
}

/**
 * Where the markers are kept: one per provider (issuer and client), so that switching providers in
 * Settings neither clears nor borrows another provider's marker.
 */
export const PROVIDER_LOGOUT_KEY = 'providerLogouts';
/** The one marker of earlier versions (before markers were per provider): it counts for every provider. */
const LEGACY_PROVIDER_LOGOUT_KEY = 'providerLogout';
export { LOGGED_OUT_PATH };

/** What is persisted: which state the provider's session is in after a logout. Never a token. */
type Marker = { state: 'ending' | 'unreachable'; since: number };

/** The key a provider's marker is kept under (an object key, so dots in the issuer do no harm). */
export function providerLogoutKeyOf(config: Pick<AppConfig, 'issuer' | 'clientId'>): string {
  return `${config.issuer.href} ${config.clientId}`;
}

function asMarker(value: unknown): Marker | undefined {
  const marker = value as Partial<Marker> | undefined;
  return marker && (marker.state === 'ending' || marker.state === 'unreachable')
    ? { state: marker.state, since: Number(marker.since) || 0 }
    : undefined;
}

export interface ProviderLogoutDeps {
  config: AppConfig;
  store: KeyValueStore;
  openExternal: OpenExternal;
  log: Logger;
  /**
   * Starts a loopback receiver for the provider's post-logout redirect; `requireState`: it takes only
   * a return carrying the state given to its `expectState()`.
   */
  startReceiver(path: string, requireState: boolean): Promise<LoopbackReceiver>;
  /** Called when the marker changes, so the session can tell the renderer. */
  changed(): void;
  /**
   * Whether anything may be written to disk. Without OS encryption the app promises to write
   * nothing at all, so the marker then lives in memory only (for as long as the app runs).
   */
  persist(): boolean;
}

export class ProviderLogout {
  private readonly deps: ProviderLogoutDeps;
  /** For a retry while the app runs; memory only. */
  private leftover: { refreshToken?: string | undefined; idToken?: string | undefined } | undefined;
  /** The marker as last read or written (`null`: not read yet). */
  private memo: Marker | undefined | null = null;
  /** The last attempt's revocation was refused (RFC 7009 §2.1: the provider wants client authentication). */
  private revocationRefused = false;
  /** Attempts under way, and logout receivers waiting for the provider's page to come back. */
  private running = 0;
  private readonly waiting = new Set<LoopbackReceiver>();

  constructor(deps: ProviderLogoutDeps) {
    this.deps = deps;
  }

  /** True until the provider's session is known to be ended (or a new sign-in asked for the password). */
  forceLogin(): boolean {
    return this.marker() !== undefined;
  }

  /**
   * True while the provider's session is being ended: revocation or the logout page under way, or
   * its return awaited by the logout receiver (a restart now would leave the browser's tab on a dead
   * port). Updates wait for it (issue 20).
   */
  pending(): boolean {
    return this.running > 0 || this.waiting.size > 0;
  }

  /** True when the last attempt could not reach the provider: the UI says so and offers a retry. */
  unreachable(): boolean {
    return this.marker()?.state === 'unreachable';
  }

  /** A sign-in with `prompt=login` completed: the provider's old session is gone or replaced. */
  signedIn(): void {
    this.leftover = undefined;
    this.clear();
  }

  /**
   * Settings switched the app to another provider. The app's session here ends without the browser,
   * so this provider's own session may live on in the browser: the next sign-in here, after a switch
   * back, asks for the password.
   */
  switchedAway(): void {
    this.save('ending');
  }

  /** Ends the provider's session for these tokens (from Log Out). */
  async end(tokens: {
    refreshToken?: string | undefined;
    idToken?: string | undefined;
  }): Promise<ProviderLogoutOutcome> {
    this.leftover = { refreshToken: tokens.refreshToken, idToken: tokens.idToken };
    this.revocationRefused = false;
    // Persisted before anything can fail: the next sign-in asks for the password until we know better.
    this.save('ending');
    return this.outcome(await this.attempt());
  }

  /** Try again after `unreachable` (from the UI's "Try again"). */
  async retry(): Promise<ProviderLogoutOutcome> {
    if (!this.marker()) return { providerLogout: 'none' };
    return this.outcome(await this.attempt());
  }

  private outcome(providerLogout: ProviderLogoutResult): ProviderLogoutOutcome {
    return this.revocationRefused ? { providerLogout, revocation: 'refused' } : { providerLogout };
  }

  private async attempt(): Promise<ProviderLogoutResult> {
    this.running += 1;
    try {
      return await this.attemptOnce();
    } finally {
      this.running -= 1;
    }
  }

  private async attemptOnce(): Promise<ProviderLogoutResult> {
    const { config, log } = this.deps;
    try {
      await checkProviderAnswers(config);
    } catch (error) {
      log.warn('provider logout: the provider could not be reached', {
        error: toAppError(error, log).code,
      });
      return this.failed();
    }
    const refreshToken = this.leftover?.refreshToken;
    if (refreshToken) {
      try {
        const revocation = await revokeRefreshToken(config, refreshToken);
        // Refused is final: asking again without client authentication gets the same answer.
        this.leftover = { ...this.leftover, refreshToken: undefined };
        this.revocationRefused = revocation === 'refused';
        if (this.revocationRefused)
          log.warn(
            'the provider refuses to revoke tokens for a public client: the refresh token stays valid until it expires',
          );
      } catch (error) {
        const appError = toAppError(error, log);
        log.warn('refresh token revocation failed', { error: appError.code });
        if (appError.code === 'provider_unreachable') return this.failed();
      }
    }
    return this.openLogoutPage();
  }

  private async openLogoutPage(): Promise<ProviderLogoutResult> {
    const { config, log } = this.deps;
    let receiver: LoopbackReceiver | undefined;
    try {
      const endpoint = await logoutEndpointOf(config);
      if (!endpoint) {
        // The provider offers no logout page: revocation was all there is. The marker stays until the
        // next sign-in, which asks for the password.
        this.save('ending');
        return 'none';
      }
      // The logout return rule (registration.ts): no return URL where none can have been registered
      // (an Auth0 domain without fixed callback ports); the provider's own page then ends the tab.
      if (sendsLogoutReturn(config)) {
        try {
          receiver = await this.deps.startReceiver(LOGGED_OUT_PATH, endpoint === 'rp-initiated');
        } catch {
          // No free port: the provider's logout still runs, it just cannot bring the tab back to us.
        }
      }
      const request = await buildLogoutRequest(
        config,
        this.leftover?.idToken,
        receiver?.redirectUri,
      );
      if (!request) throw new CoreError('provider_error', 'The provider offers no logout page.');
      if (receiver) this.awaitReturn(receiver, request.state);
      this.save('ending');
      // Not awaited: an opener may return only when the browser exits (xdg-open without a desktop
      // environment runs it in the foreground), and Log Out must not wait for that. A failure still
      // counts, when it comes.
      // electronegativity-ignore: OPEN_EXTERNAL_JS_CHECK — a URL the core built from the provider's discovery document, never renderer input; the port opens only http(s) (createOpenExternal)
      this.deps.openExternal(request.url.href).catch(async (error: unknown) => {
        await receiver?.close();
        log.warn('provider logout page could not be opened', {
          error: toAppError(error, log).code,
        });
        this.failed();
      });
      return 'opened';
    } catch (error) {
      await receiver?.close();
      const appError = toAppError(error, log);
      log.warn('provider logout could not be started', { error: appError.code });
      return this.failed();
    }
  }

  /**
   * The provider's return to the logout receiver. With a `state` the receiver takes only the return
   * carrying it, and that return proves the provider's session is over: the marker goes. Without one
   * (Auth0's `/v2/logout`) anybody could have sent the same GET: the tab is told it is logged out, the
   * marker stays until a sign-in asked for the password.
   */
  private awaitReturn(receiver: LoopbackReceiver, state: string | undefined): void {
    if (state) receiver.expectState(state);
    this.waiting.add(receiver);
    const settled = () => this.waiting.delete(receiver);
    receiver.arrival.then(settled, settled);
    receiver.arrival.then(
      () => {
        if (state) {
          this.leftover = undefined;
          this.clear();
        }
        receiver.finish({ ok: true, message: 'You have been logged out. You can close this tab.' });
      },
      () => {},
    );
  }

  private failed(): ProviderLogoutResult {
    this.save('unreachable');
    return 'unreachable';
  }

  private marker(): Marker | undefined {
    if (this.memo !== null) return this.memo;
    this.memo = undefined;
    if (!this.deps.persist()) return undefined;
    try {
      this.memo =
        asMarker(this.storedMarkers()[providerLogoutKeyOf(this.deps.config)]) ??
        asMarker(this.deps.store.get(LEGACY_PROVIDER_LOGOUT_KEY));
    } catch {
      // Unreadable: treat as absent.
    }
    return this.memo;
  }

  /** Every provider's marker, as stored (anything unreadable counts as none). */
  private storedMarkers(): Record<string, unknown> {
    const value = this.deps.store.get(PROVIDER_LOGOUT_KEY);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? { ...(value as Record<string, unknown>) }
      : {};
  }

  private save(state: Marker['state']): void {
    const before = this.marker()?.state;
    const marker: Marker = { state, since: Date.now() };
    this.memo = marker;
    if (this.deps.persist()) {
      try {
        const markers = this.storedMarkers();
        markers[providerLogoutKeyOf(this.deps.config)] = marker;
        this.deps.store.set(PROVIDER_LOGOUT_KEY, markers);
      } catch (error) {
        this.deps.log.error('could not save the provider logout state', {
          reason: error instanceof Error ? error.name : 'unknown',
        });
      }
    }
    if (before !== state) this.deps.changed();
  }

  private clear(): void {
    if (!this.marker()) return;
    this.memo = undefined;
    if (this.deps.persist()) {
      try {
        const markers = this.storedMarkers();
        delete markers[providerLogoutKeyOf(this.deps.config)];
        if (Object.keys(markers).length > 0) this.deps.store.set(PROVIDER_LOGOUT_KEY, markers);
        else this.deps.store.delete(PROVIDER_LOGOUT_KEY);
        this.deps.store.delete(LEGACY_PROVIDER_LOGOUT_KEY);
      } catch {
        // Nothing readable to delete.
      }
    }
    this.deps.changed();
  }
}
