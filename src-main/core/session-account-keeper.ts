/**
 * The accounts of a session (issue 19): read from and written to the vault, a DPoP key made for
 * each, and the account actions: add one, switch, sign out of one. Each account's refresher and API
 * credential are session-credentials.ts. session.ts owns the states and is the only one to move
 * between them: this module asks it to through `AccountHost` and never emits anything itself.
 */
import type { DPoPHandle } from 'openid-client';
import type { AccountSummary, AppError, Result, SessionView } from '../../src-preload/contract.ts';
import type { AccountVault, StoredAccount } from './account-vault.ts';
import type { AppConfig } from './config.ts';
import { DPoPKey, openKeyRecord, sealKeyRecord } from './dpop.ts';
import type { CorePlatform, Logger } from './platform.ts';
import { Accounts, type Account, type AccountKey } from './session-accounts.ts';
import type { SessionPersistence } from './session-persistence.ts';
import { AccountCredentials } from './session-credentials.ts';
import { accountNameOf } from './session-state.ts';
import type { TokenSet } from './vault.ts';

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
  /** Each account's refresher, DPoP handle and API credential. */
  readonly credentials: AccountCredentials;
  private readonly host: AccountHost;
  /** The write a switch scheduled and that has not begun (see SWITCH_WRITE_DELAY_MS). */
  private switchWrite: ReturnType<typeof setTimeout> | undefined;

  constructor(host: AccountHost) {
    this.host = host;
    this.credentials = new AccountCredentials({
      ...host,
      accounts: this.accounts,
      drop: (sub, reason) => this.drop(sub, reason),
    });
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
    this.credentials.clear();
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
    this.credentials.forget(sub);
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
    return { key, keyRecord, handle: await this.credentials.handleFor(key) };
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
        this.credentials.forget(account.sub);
        this.accounts.put(account, true);
      },
    );
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
}

function noSuchAccount(): Result<never> {
  return { ok: false, error: { code: 'invalid_request', message: 'No such account.' } };
}
