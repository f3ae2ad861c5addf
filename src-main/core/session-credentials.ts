/**
 * What each account of a session needs to call the API (issue 19): openid-client's DPoP handle over
 * its key (which keeps the provider's DPoP-Nonce), one single-flight refresher per account (never
 * across accounts), and its credential: the access token, refreshed when it expires soon, with the
 * scheme and key it must be presented with. The accounts themselves are session-account-keeper.ts.
 */
import type { DPoPHandle } from 'openid-client';
import type { AppError } from '../../src-preload/contract.ts';
import type { AppConfig } from './config.ts';
import type { DPoPKey } from './dpop.ts';
import { CoreError } from './errors.ts';
import { dpopHandle } from './oidc.ts';
import type { Logger } from './platform.ts';
import type { Account, Accounts } from './session-accounts.ts';
import type { SessionPersistence } from './session-persistence.ts';
import { TokenRefresher } from './session-refresh.ts';
import type { TokenSet } from './vault.ts';

/** An access token and how to present it to the API (`DPoP` needs a proof from our key with it). */
export interface ApiCredential {
  accessToken: string;
  scheme: 'Bearer' | 'DPoP';
  /** The account it belongs to (the ID token's `sub`). */
  sub: string;
  /** That account's DPoP key, to sign the proof with (`DPoP` scheme). */
  key?: DPoPKey | undefined;
}

export const NOT_SIGNED_IN = 'You need to log in to see this.';

/** What the credentials need from the accounts and the session. */
export interface CredentialHost {
  config: AppConfig;
  log: Logger;
  persistence: SessionPersistence;
  /** Refresh access tokens that expire within this many seconds. */
  clockSkewSeconds: number;
  /** The accounts held now (read, and updated with refreshed tokens). */
  accounts: Accounts;
  /** Changes whenever the session ends: work begun before must not land. */
  epoch(): number;
  signedIn(): boolean;
  /** Holds the active account's refreshed tokens in the same state (no move). */
  hold(tokens: TokenSet): void;
  /** The provider rejected `sub`'s refresh token: that account is signed out with `reason`. */
  drop(sub: string, reason: AppError): void;
}

export class AccountCredentials {
  /** One refresher per account (by `sub`): single-flight per account, never across accounts. */
  private readonly refreshers = new Map<string, TokenRefresher>();
  /** openid-client's DPoP handle over each key; it keeps the provider's DPoP-Nonce between requests. */
  private readonly handles = new WeakMap<DPoPKey, Promise<DPoPHandle>>();
  private readonly host: CredentialHost;
  private readonly accounts: Accounts;

  constructor(host: CredentialHost) {
    this.host = host;
    this.accounts = host.accounts;
  }

  /** Forgets `sub`'s refresher: its tokens were replaced or it was signed out. */
  forget(sub: string): void {
    this.refreshers.delete(sub);
  }

  clear(): void {
    this.refreshers.clear();
  }

  /** Refreshes `sub`'s tokens when they expire soon (single-flight per account). */
  async freshen(sub: string): Promise<void> {
    const account = this.accounts.get(sub);
    if (account && this.expiresSoon(account.tokens)) await this.refresherFor(sub).refresh();
  }

  /** The active account's access token, refreshed when it expires soon, with its scheme and key. */
  async credential(): Promise<ApiCredential> {
    const active = this.accounts.active();
    if (!this.host.signedIn() || !active) throw new CoreError('not_signed_in', NOT_SIGNED_IN);
    if (!this.expiresSoon(active.tokens)) return credentialOf(active);
    await this.refresherFor(active.sub).refresh();
    return this.credentialFor(active.sub);
  }

  /** After the API answered 401 to `rejected`: that account's new token (refreshed once). */
  async credentialAfterRejection(rejected: ApiCredential): Promise<ApiCredential> {
    const account = this.accounts.get(rejected.sub);
    if (!account) throw new CoreError('not_signed_in', NOT_SIGNED_IN);
    if (account.tokens.accessToken !== rejected.accessToken) return credentialOf(account);
    await this.refresherFor(account.sub).refresh();
    return this.credentialFor(account.sub);
  }

  /** After the API answered 401 to `rejected` (the active account's access token): a new one. */
  async accessTokenAfterRejection(rejected: string): Promise<string> {
    const sub = this.accounts.active()?.sub;
    if (sub === undefined) throw new CoreError('not_signed_in', NOT_SIGNED_IN);
    const credential = { accessToken: rejected, scheme: 'Bearer', sub } as const;
    return (await this.credentialAfterRejection(credential)).accessToken;
  }

  /**
   * The active account's DPoP key, to sign API proofs with. Main process only: never sent anywhere.
   * Each account has its own (its thumbprint is the `cnf.jkt` of that account's tokens only).
   */
  activeKey(): DPoPKey {
    const key = this.accounts.active()?.key;
    if (!key) throw new CoreError('not_signed_in', 'No account with a proof-of-possession key.');
    return key;
  }

  /** openid-client's handle over `key` (made once; a failed discovery is retried next time). */
  handleFor(key: DPoPKey): Promise<DPoPHandle> {
    let handle = this.handles.get(key);
    if (!handle) {
      const pending = dpopHandle(this.host.config, key.keyPair);
      handle = pending;
      this.handles.set(key, pending);
      pending.catch(() => {
        if (this.handles.get(key) === pending) this.handles.delete(key);
      });
    }
    return handle;
  }

  /** The refresher of `sub`'s account: one per account, made when first needed. */
  private refresherFor(sub: string): TokenRefresher {
    let refresher = this.refreshers.get(sub);
    if (refresher) return refresher;
    const { host } = this;
    const account = () => this.accounts.get(sub);
    refresher = new TokenRefresher(
      {
        config: host.config,
        log: host.log,
        tokens: () => account()?.tokens,
        epoch: () => host.epoch(),
        dpop: async () => {
          const key = account()?.key;
          return key ? { handle: await this.handleFor(key) } : undefined;
        },
        persist: (tokens, wanted, superseded) =>
          host.persistence.persistUnlessSuperseded(
            tokens,
            wanted,
            superseded,
            () => this.accounts.contentWith({ ...account()!, tokens }, false),
            () => {
              this.accounts.put({ ...account()!, tokens }, false);
              if (this.accounts.active()?.sub === sub) host.hold(tokens);
            },
          ),
        endSession: (reason) => host.drop(sub, reason),
      },
      NOT_SIGNED_IN,
    );
    this.refreshers.set(sub, refresher);
    return refresher;
  }

  /** `sub`'s credential as held now. */
  private credentialFor(sub: string): ApiCredential {
    const account = this.accounts.get(sub);
    if (!account) throw new CoreError('not_signed_in', NOT_SIGNED_IN);
    return credentialOf(account);
  }

  private expiresSoon(tokens: TokenSet): boolean {
    return tokens.accessTokenExpiresAt - this.host.clockSkewSeconds * 1000 <= Date.now();
  }
}

function credentialOf({ sub, tokens, key }: Account): ApiCredential {
  return {
    accessToken: tokens.accessToken,
    scheme: tokens.tokenType === 'DPoP' ? 'DPoP' : 'Bearer',
    sub,
    key,
  };
}
