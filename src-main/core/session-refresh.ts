/**
 * Refreshing one account's access token (RFC 6749 §6), single-flight: every caller that finds
 * the token about to expire waits on the same request, so a rotating refresh token is spent once.
 * Each account has its own refresher (issue 19): one never hands its tokens to another. The
 * rotated token is saved before the new access token is used, and a refresh the person logged out
 * of meanwhile is revoked instead of kept (session-persistence.ts).
 */
import type { DPoPHandle } from 'openid-client';
import type { AppError } from '../../src-preload/contract.ts';
import type { AppConfig } from './config.ts';
import { CoreError } from './errors.ts';
import { refreshTokens } from './oidc.ts';
import type { Logger } from './platform.ts';
import type { TokenSet } from './vault.ts';

/** What a refresh needs from the account it refreshes. */
export interface RefreshHost {
  config: AppConfig;
  log: Logger;
  /** The account's tokens held now (none: the account is gone). */
  tokens(): TokenSet | undefined;
  /** Changes whenever the session ends: a refresh that started before must not land. */
  epoch(): number;
  /** openid-client's DPoP handle over the account's key (none: the account has no key). */
  dpop(): Promise<{ handle: DPoPHandle } | undefined>;
  /**
   * Persists refreshed tokens and then holds them in memory for the account (no move, no emit);
   * revokes them and throws `superseded()` when `wanted()` turns false first.
   */
  persist(tokens: TokenSet, wanted: () => boolean, superseded: () => Error): Promise<void>;
  /** The provider no longer honours the account's refresh token: it is signed out with `reason`. */
  endSession(reason: AppError): void;
}

export class TokenRefresher {
  private refreshing: Promise<TokenSet> | undefined;

  private readonly host: RefreshHost;
  private readonly notSignedIn: string;

  constructor(host: RefreshHost, notSignedIn: string) {
    this.host = host;
    this.notSignedIn = notSignedIn;
  }

  /** New tokens; one request at a time, whoever asks. */
  refresh(): Promise<TokenSet> {
    this.refreshing ??= this.refreshOnce().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async refreshOnce(): Promise<TokenSet> {
    const { host } = this;
    const current = host.tokens();
    if (!current) throw new CoreError('not_signed_in', this.notSignedIn);
    const epoch = host.epoch();
    const wanted = () => host.epoch() === epoch && host.tokens() === current;
    let next: TokenSet;
    try {
      // A DPoP-bound refresh token needs a proof even if DPoP has been switched off since sign-in.
      const dpop = host.config.dpop || current.tokenType === 'DPoP' ? await host.dpop() : undefined;
      next = await refreshTokens(host.config, current, dpop?.handle);
    } catch (error) {
      if (
        error instanceof CoreError &&
        error.code === 'session_expired' &&
        host.tokens() === current
      ) {
        host.log.warn('refresh token rejected; signed out');
        host.endSession(error.toAppError());
      }
      throw error;
    }
    // The rotated refresh token is on disk before the new access token is used: a crash now must
    // not leave the vault holding a refresh token the provider has already retired. Logged out while
    // the provider answered or during the (slow) encryption: the rotated token is revoked instead.
    await host.persist(next, wanted, () => new CoreError('not_signed_in', 'You were logged out.'));
    return next;
  }
}
