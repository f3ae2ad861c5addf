/**
 * Ending the session at the identity provider, honestly.
 *
 * Log Out signs the person out of the app at once; this is the second half: revoke the refresh token
 * (RFC 7009) and open the provider's RP-initiated logout page in the system browser. Both need the
 * provider. When it cannot be reached, the app must not pretend: the person is told, can try again,
 * and until the provider's session has been ended the next sign-in sends `prompt=login` (OpenID
 * Connect Core §3.1.2.1), so on a shared computer Log In never signs the same person straight back in.
 *
 * The "ask for the password" marker is persisted (it holds no secret, only which state the logout is
 * in), so it survives a restart. The tokens a retry needs (refresh token to revoke, ID token as the
 * logout hint) stay in memory only and are forgotten when the app quits.
 */
import type { ProviderLogoutResult } from '../../src-preload/contract.ts';
import type { AppConfig } from './config.ts';
import { CoreError, toAppError } from './errors.ts';
import type { LoopbackReceiver } from './loopback.ts';
import { buildLogoutUrl, checkProviderAnswers, revokeRefreshToken } from './oidc.ts';
import type { KeyValueStore, Logger, OpenExternal } from './ports.ts';
import { LOGGED_OUT_PATH, sendsLogoutReturn } from './registration.ts';

export type { ProviderLogoutResult };

export const PROVIDER_LOGOUT_KEY = 'providerLogout';
export { LOGGED_OUT_PATH };

/** What is persisted: which state the provider's session is in after a logout. Never a token. */
type Marker = { state: 'ending' | 'unreachable'; since: number };

export interface ProviderLogoutDeps {
  config: AppConfig;
  store: KeyValueStore;
  openExternal: OpenExternal;
  log: Logger;
  /** Starts a loopback receiver for the provider's post-logout redirect. */
  startReceiver(path: string): Promise<LoopbackReceiver>;
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

  constructor(deps: ProviderLogoutDeps) {
    this.deps = deps;
  }

  /** True until the provider's session is known to be ended (or a new sign-in asked for the password). */
  forceLogin(): boolean {
    return this.marker() !== undefined;
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

  /** Ends the provider's session for these tokens (from Log Out). */
  async end(tokens: {
    refreshToken?: string | undefined;
    idToken?: string | undefined;
  }): Promise<ProviderLogoutResult> {
    this.leftover = { refreshToken: tokens.refreshToken, idToken: tokens.idToken };
    // Persisted before anything can fail: the next sign-in asks for the password until we know better.
    this.save('ending');
    return this.attempt();
  }

  /** Try again after `unreachable` (from the UI's "Try again"). */
  async retry(): Promise<ProviderLogoutResult> {
    if (!this.marker()) return 'none';
    return this.attempt();
  }

  private async attempt(): Promise<ProviderLogoutResult> {
    const { config, log } = this.deps;
    try {
      await checkProviderAnswers(config);
    } catch (error) {
      log.warn('provider logout: the provider could not be reached', {
        error: toAppError(error).code,
      });
      return this.failed();
    }
    const refreshToken = this.leftover?.refreshToken;
    if (refreshToken) {
      try {
        await revokeRefreshToken(config, refreshToken);
        this.leftover = { ...this.leftover, refreshToken: undefined };
      } catch (error) {
        const appError = toAppError(error);
        log.warn('refresh token revocation failed', { error: appError.code });
        if (appError.code === 'provider_unreachable') return this.failed();
      }
    }
    return this.openLogoutPage();
  }

  private async openLogoutPage(): Promise<ProviderLogoutResult> {
    const { config, log } = this.deps;
    let receiver: LoopbackReceiver | undefined;
    // The logout return rule (registration.ts): no return URL where none can have been registered
    // (an Auth0 domain without fixed callback ports); the provider's own page then ends the tab.
    if (sendsLogoutReturn(config)) {
      try {
        receiver = await this.deps.startReceiver(LOGGED_OUT_PATH);
      } catch {
        // No free port: the provider's logout still runs, it just cannot bring the tab back to us.
      }
    }
    try {
      const url = await buildLogoutUrl(config, this.leftover?.idToken, receiver?.redirectUri);
      if (!url) {
        await receiver?.close();
        // The provider offers no logout page: revocation was all there is. The marker stays until the
        // next sign-in, which asks for the password.
        this.save('ending');
        return 'none';
      }
      if (receiver) {
        const arrived = receiver;
        arrived.arrival.then(
          () => {
            // The provider sent the browser back to us: its session has been ended.
            this.leftover = undefined;
            this.clear();
            arrived.finish({
              ok: true,
              message: `You have been logged out. You can close this tab.`,
            });
          },
          () => {},
        );
      }
      this.save('ending');
      // Not awaited: an opener may return only when the browser exits (xdg-open without a desktop
      // environment runs it in the foreground), and Log Out must not wait for that. A failure still
      // counts, when it comes.
      // electronegativity-ignore: OPEN_EXTERNAL_JS_CHECK — a URL the core built from the provider's discovery document, never renderer input; the port opens only http(s) (createOpenExternal)
      this.deps.openExternal(url.href).catch(async (error: unknown) => {
        await receiver?.close();
        log.warn('provider logout page could not be opened', { error: toAppError(error).code });
        this.failed();
      });
      return 'opened';
    } catch (error) {
      await receiver?.close();
      const appError = error instanceof CoreError ? error.toAppError() : toAppError(error);
      log.warn('provider logout could not be started', { error: appError.code });
      return this.failed();
    }
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
      const value = this.deps.store.get(PROVIDER_LOGOUT_KEY) as Partial<Marker> | undefined;
      if (value && (value.state === 'ending' || value.state === 'unreachable'))
        this.memo = { state: value.state, since: Number(value.since) || 0 };
    } catch {
      // Unreadable: treat as absent.
    }
    return this.memo;
  }

  private save(state: Marker['state']): void {
    const before = this.marker()?.state;
    this.memo = { state, since: Date.now() };
    if (this.deps.persist()) {
      try {
        this.deps.store.set(PROVIDER_LOGOUT_KEY, this.memo);
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
        this.deps.store.delete(PROVIDER_LOGOUT_KEY);
      } catch {
        // Nothing readable to delete.
      }
    }
    this.deps.changed();
  }
}
