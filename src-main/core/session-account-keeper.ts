/**
 * The accounts of a session and what each needs to be used (issue 19): its DPoP key with
 * openid-client's handle over it, its single-flight refresher and its API credential; and the account
 * actions: add one, switch, sign out of one. session.ts owns the states and is the only one to move
 * between them: this module asks it to through `AccountHost` and never emits anything itself.
 */
import type { DPoPHandle } from 'openid-client';
import type { AccountSummary, AppError, Result, SessionView } from '../../src-preload/contract.ts';
import type { AccountVault, StoredAccount } from './account-vault.ts';
import type { AppConfig } from './config.ts';
import { DPoPKey, openKeyRecord, sealKeyRecord } from './dpop.ts';
import { CoreError } from './errors.ts';
import { dpopHandle } from './oidc.ts';
import type { CorePlatform, Logger } from './platform.ts';
import { Accounts, type Account, type AccountKey } from './session-accounts.ts';
import type { SessionPersistence } from './session-persistence.ts';
import { TokenRefresher } from './session-refresh.ts';
import { accountNameOf } from './session-state.ts';
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

/**
 * A switch changes only which account is active: that is written this long after the last switch,
 * so the message the switch was for is not held up by the encryption and the (synchronous) file
 * write, and a burst of switches writes once. Closing the session writes it at once.
 */
export const SWITCH_WRITE_DELAY_MS = 150;

/** What the account handling needs from the session that owns the states. */
export interface AccountHost {
  config: AppConfig;
  platform: CorePlatform;
  log: Logger;
  vault: AccountVault;
  persistence: SessionPersistence;
  /** Refresh access tokens that expire within this many seconds. */
  clockSkewSeconds: number;
  /** How long after the last switch the active account is written (SWITCH_WRITE_DELAY_MS). */
  switchWriteDelayMs: number;
  /** Changes whenever the session ends: work begun before must not land. */
  epoch(): number;
  signedIn(): boolean;
  /** Moves to signed-in with `tokens` (the active account's), and `error` to show if any. */
  show(tokens: TokenSet, error?: AppError): void;
  /** Holds the active account's refreshed tokens in the same state (no move). */
  hold(tokens: TokenSet): void;
  /** Ends the session (every account forgotten, the vault cleared) with `reason`. */
  end(reason: AppError | undefined): void;
  /** A sign-in with `prompt=login` whose account is added (or updated) and made active. */
  signInAnother(): Promise<Result<{ session: SessionView }>>;
  view(): SessionView;
}

export class AccountKeeper {
  /** Every account signed in, and which is active; the vault's content in memory. */
  private readonly accounts = new Accounts();
  /** One refresher per account (by `sub`): single-flight per account, never across accounts. */
  private readonly refreshers = new Map<string, TokenRefresher>();
  /** openid-client's DPoP handle over each key; it keeps the provider's DPoP-Nonce between requests. */
  private readonly handles = new WeakMap<DPoPKey, Promise<DPoPHandle>>();
  private readonly host: AccountHost;
  /** The write a switch scheduled and that has not begun (see SWITCH_WRITE_DELAY_MS). */
  private switchWrite: ReturnType<typeof setTimeout> | undefined;

  constructor(host: AccountHost) {
    this.host = host;
  }

  active(): Account | undefined {
    return this.accounts.active();
  }

  all(): readonly Account[] {
    return this.accounts.all();
  }

  get size(): number {
    return this.accounts.size;
  }

  /** The accounts signed in, in the order they were added (`sub`, a name, which is active). */
  list(): AccountSummary[] {
    const active = this.accounts.active()?.sub;
    return this.accounts
      .all()
      .map(({ sub, tokens }) => ({ sub, name: accountNameOf(tokens), active: sub === active }));
  }

  /** The accounts as read from the vault, their keys opened (a key that cannot be is left out). */
  open(stored: readonly StoredAccount[]): Promise<Account[]> {
    const { cipher } = this.host.platform;
    return Promise.all(
      stored.map(async ({ tokens, dpopKey: keyRecord }) => {
        const account: Account = { sub: tokens.claims.sub, tokens };
        if (!keyRecord) return account;
        try {
          return { ...account, key: await openKeyRecord(cipher, keyRecord), keyRecord };
        } catch {
          // Its DPoP-bound refresh token fails at the next refresh, and that account signs in again.
          this.host.log.warn('an account’s proof-of-possession key (DPoP) could not be read');
          return account;
        }
      }),
    );
  }

  /** Replaces the accounts held with `accounts` (read at start), `active` the active one. */
  replace(accounts: readonly Account[], active: string): void {
    this.clear();
    for (const account of accounts) this.accounts.put(account, account.sub === active);
  }

  /** Forgets every account in memory (the session clears the vault). */
  clear(): void {
    this.cancelSwitchWrite();
    this.accounts.clear();
    this.refreshers.clear();
  }

  /**
   * Signs in one more account with `prompt=login`, so the provider shows its login page although
   * the browser holds another session; an account already present is updated, not added.
   */
  async add(): Promise<Result<{ session: SessionView; notice?: string }>> {
    const max = this.host.config.maxAccounts;
    if (this.accounts.size >= max)
      return {
        ok: false,
        error: {
          code: 'accounts_full',
          message:
            max === 1
              ? 'This app keeps one account at a time. Sign out of it to use another.'
              : `This app keeps at most ${max} accounts. Sign out of one to add another.`,
        },
      };
    const before = new Set(this.accounts.all().map(({ sub }) => sub));
    const result = await this.host.signInAnother();
    const active = this.accounts.active();
    if (!result.ok || !active || !before.has(active.sub)) return result;
    // The same person again: their account was updated (new tokens) and made active, not added.
    return { ...result, notice: `Already added: switched to ${accountNameOf(active.tokens)}` };
  }

  /** Makes another account the active one: no browser, no network (the vault is rewritten locally). */
  switchTo(sub: string): Result<{ session: SessionView }> {
    if (!this.host.signedIn() || !this.accounts.activate(sub)) return noSuchAccount();
    this.writeSoon();
    this.host.show(this.accounts.active()!.tokens);
    return { ok: true, session: this.host.view() };
  }

  /**
   * Signs out of one account: forgotten here first, then its refresh token revoked (best effort,
   * no browser: the provider's session is the browser's, shared by the accounts). The next account
   * becomes active, or the app is signed out when it was the last.
   */
  async signOut(sub: string): Promise<Result<{ session: SessionView }>> {
    const account = this.accounts.get(sub);
    if (!this.host.signedIn() || !account) return noSuchAccount();
    this.drop(sub, undefined);
    await this.host.persistence.revoke(account.tokens, 'signed out of one account');
    return { ok: true, session: this.host.view() };
  }

  /**
   * `sub`'s account is forgotten (signed out of, or its refresh token rejected with `reason`): the
   * next one becomes active, or, when it was the last, the session ends with `reason`.
   */
  private drop(sub: string, reason: AppError | undefined): void {
    const wasActive = this.accounts.active()?.sub === sub;
    this.accounts.remove(sub);
    this.refreshers.delete(sub);
    const next = this.accounts.active();
    if (!next) {
      this.host.end(reason);
      return;
    }
    void this.rewriteVault();
    if (wasActive) this.host.show(next.tokens, reason);
  }

  /**
   * A new key for one sign-in: it becomes the account's, so no two accounts share a thumbprint. Its
   * private half is exported once, to be encrypted for the vault; without OS encryption it lives in
   * memory only (and so does the account).
   */
  async newKey(): Promise<AccountKey & { handle: DPoPHandle }> {
    const { key, privateJwk } = await DPoPKey.generate();
    let keyRecord;
    if (await this.host.vault.persistent()) {
      try {
        keyRecord = await sealKeyRecord(this.host.platform.cipher, privateJwk);
      } catch (error) {
        this.host.log.error(
          'could not encrypt a proof-of-possession key (DPoP); keeping it in memory',
          { reason: error instanceof Error ? error.name : 'unknown' },
        );
      }
    }
    return { key, keyRecord, handle: await this.handleFor(key) };
  }

  /** The tokens a sign-in brought: the account they belong to, added or updated, and active. */
  async persistSignIn(
    tokens: TokenSet,
    key: AccountKey | undefined,
    wanted: () => boolean,
    superseded: () => Error,
  ): Promise<void> {
    const account: Account = {
      sub: tokens.claims.sub,
      tokens,
      ...(key ? { key: key.key, keyRecord: key.keyRecord } : {}),
    };
    await this.host.persistence.persistUnlessSuperseded(
      tokens,
      wanted,
      superseded,
      () => this.accounts.contentWith(account, true),
      () => {
        // A refresh of the tokens this sign-in replaces must not hand them out afterwards.
        this.refreshers.delete(account.sub);
        this.accounts.put(account, true);
      },
    );
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
  private handleFor(key: DPoPKey): Promise<DPoPHandle> {
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
        endSession: (reason) => this.drop(sub, reason),
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

  /** Writes the accounts as they are (in the background); dropped if the session ends first. */
  private rewriteVault(): Promise<void> {
    // This write has the active account too: a switch's pending one is not needed any more.
    this.cancelSwitchWrite();
    const epoch = this.host.epoch();
    return this.host.persistence.rewrite(
      () => this.accounts.content(),
      () => this.host.epoch() === epoch,
    );
  }

  /** A switch's write, SWITCH_WRITE_DELAY_MS after the last switch. */
  private writeSoon(): void {
    this.cancelSwitchWrite();
    const epoch = this.host.epoch();
    const timer = setTimeout(() => {
      this.switchWrite = undefined;
      if (this.host.epoch() === epoch) void this.rewriteVault();
    }, this.host.switchWriteDelayMs);
    timer.unref?.();
    this.switchWrite = timer;
  }

  /** Writes a switch's pending choice now (the session closes); nothing when none is pending. */
  async flush(): Promise<void> {
    if (this.switchWrite !== undefined) await this.rewriteVault();
  }

  private cancelSwitchWrite(): void {
    if (this.switchWrite !== undefined) clearTimeout(this.switchWrite);
    this.switchWrite = undefined;
  }

  private expiresSoon(tokens: TokenSet): boolean {
    return tokens.accessTokenExpiresAt - this.host.clockSkewSeconds * 1000 <= Date.now();
  }
}

function noSuchAccount(): Result<never> {
  return { ok: false, error: { code: 'invalid_request', message: 'No such account.' } };
}

function credentialOf({ sub, tokens, key }: Account): ApiCredential {
  return {
    accessToken: tokens.accessToken,
    scheme: tokens.tokenType === 'DPoP' ? 'DPoP' : 'Bearer',
    sub,
    key,
  };
}
