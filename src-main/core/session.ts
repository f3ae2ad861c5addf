/**
 * The session: signed-out → signing-in → signed-in, and back. It owns the tokens (they never leave
 * the main process) of every account signed in (issue 19: one per `sub`, one of them active), runs
 * one sign-in at a time through the system browser, refreshes each account's access token
 * single-flight, and reports every change through `emit`. One concern per file: the states and the
 * view (session-state.ts), the accounts (session-accounts.ts, account-vault.ts), the sign-ins
 * (sign-in.ts) and their ways (sign-in-ways.ts), the vault writes (session-persistence.ts),
 * refreshing (session-refresh.ts), the loopback receivers (session-receivers.ts).
 */
import type { DPoPHandle } from 'openid-client';
import type {
  AccountSummary,
  AppError,
  OtherSignInWay,
  PendingActivity,
  Result,
  SessionView,
} from '../../src-preload/contract.ts';
import { AccountVault, type StoredAccount } from './account-vault.ts';
import type { AppConfig } from './config.ts';
import { DPoPKey, openKeyRecord, sealKeyRecord } from './dpop.ts';
import { CoreError, toAppError } from './errors.ts';
import { dpopHandle } from './oidc.ts';
import { silentLogger, type CorePlatform } from './platform.ts';
import { ProviderLogout, type ProviderLogoutOutcome } from './provider-logout.ts';
import { CALLBACK_PATH, LOGGED_OUT_PATH } from './registration.ts';
import { Accounts, type Account, type AccountKey } from './session-accounts.ts';
import { SessionPersistence } from './session-persistence.ts';
import { SessionReceivers } from './session-receivers.ts';
import { TokenRefresher } from './session-refresh.ts';
import { accountNameOf, tokensOf, viewOf, type SessionState } from './session-state.ts';
import { REOPEN_GUARD_MS, SignIns } from './sign-in.ts';
import { vaultOwnerOf, type TokenSet } from './vault.ts';

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
  /** The account it belongs to (the ID token's `sub`). */
  sub: string;
  /** That account's DPoP key, to sign the proof with (`DPoP` scheme). */
  key?: DPoPKey | undefined;
}

export { CALLBACK_PATH, LOGGED_OUT_PATH };

export { REOPEN_GUARD_MS };

const NOT_SIGNED_IN = 'You need to log in to see this.';

export class SessionManager {
  private readonly config: AppConfig;
  private readonly platform: CorePlatform;
  private readonly vault: AccountVault;
  /** Every account signed in, and which is active; the vault's content in memory. */
  private readonly accounts = new Accounts();
  /** One refresher per account (by `sub`): single-flight per account, never across accounts. */
  private readonly refreshers = new Map<string, TokenRefresher>();
  /** openid-client's DPoP handle over each key; it keeps the provider's DPoP-Nonce between requests. */
  private readonly handles = new WeakMap<DPoPKey, Promise<DPoPHandle>>();
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

  constructor(config: AppConfig, platform: CorePlatform, options: SessionOptions = {}) {
    this.config = config;
    this.platform = platform;
    this.log = platform.log ?? silentLogger;
    this.vault = new AccountVault(platform.store, platform.cipher, vaultOwnerOf(config));
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
    this.signIns = new SignIns({
      config,
      platform,
      log: this.log,
      signInTimeoutMs: this.options.signInTimeoutMs,
      receivers: this.receivers,
      providerLogout: this.providerLogout,
      persistence: this.persistence,
      newKey: () => this.newKey(),
      persistAccount: (tokens, key, wanted, superseded) =>
        this.persistAccount(tokens, key, wanted, superseded),
      afterSignIn: (error) => this.afterSignIn(error),
      hasAccounts: () => this.accounts.size > 0,
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
      accounts: this.accountList(),
    });
  }

  /** At start: back to signed-in from the vault, refreshing if the access token has expired. */
  async restore(): Promise<void> {
    const epoch = this.epoch;
    await this.persistence.detect();
    if (this.config.dpop) this.log.info('sender-constrained tokens (DPoP) on, a key per account');
    const loaded = await this.vault.load();
    const accounts = loaded.kind === 'loaded' ? await this.accountsOf(loaded.content.accounts) : [];
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
    if (loaded.migrated) this.log.info('the saved session became the first account of the vault');
    this.accounts.clear();
    for (const account of accounts)
      this.accounts.put(account, account.sub === loaded.content.active);
    const active = this.accounts.active()!;
    // Called again on a signed-out session (tests re-seed the vault): restoring it is a move.
    const { status } = this.state;
    if (status === 'restoring' || status === 'signed-in') this.holdTokens(active.tokens);
    else this.moveTo({ status: 'restoring', tokens: active.tokens });
    // Only the active account is refreshed now; the others when they are next used.
    if (this.expiresSoon(active.tokens)) {
      try {
        await this.refresherFor(active.sub).refresh();
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

  /**
   * Signs in one more account (issue 19) with `prompt=login`, so the provider shows its login page
   * although the browser holds another session; an account already present is updated, not added.
   */
  async addAccount(): Promise<Result<{ session: SessionView; notice?: string }>> {
    const max = this.config.maxAccounts;
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
    const result = await this.signIns.start('login', true);
    const active = this.accounts.active();
    if (!result.ok || !active || !before.has(active.sub)) return result;
    // The same person again: their account was updated (new tokens) and made active, not added.
    return { ...result, notice: `Already added: switched to ${accountNameOf(active.tokens)}` };
  }

  /** The active account's `sub`, if any (a message fetched for another is not shown). */
  activeSub(): string | undefined {
    return this.accounts.active()?.sub;
  }

  /** Makes another account the active one: no browser, no network (the vault is rewritten locally). */
  switchTo(sub: string): Result<{ session: SessionView }> {
    if (this.state.status !== 'signed-in' || !this.accounts.activate(sub))
      return { ok: false, error: { code: 'invalid_request', message: 'No such account.' } };
    this.rewriteVault();
    this.moveTo({ status: 'signed-in', tokens: this.accounts.active()!.tokens });
    return { ok: true, session: this.view() };
  }

  /** The accounts signed in, in the order they were added (`sub`, a name, which is active). */
  accountList(): AccountSummary[] {
    const active = this.accounts.active()?.sub;
    return this.accounts
      .all()
      .map(({ sub, tokens }) => ({ sub, name: accountNameOf(tokens), active: sub === active }));
  }

  /**
   * Signs out of one account: forgotten here first, then its refresh token revoked (best effort,
   * no browser: the provider's session is the browser's, shared by the accounts). The next account
   * becomes active, or the app is signed out when it was the last.
   */
  async signOutAccount(sub: string): Promise<Result<{ session: SessionView }>> {
    const account = this.accounts.get(sub);
    if (this.state.status !== 'signed-in' || !account)
      return { ok: false, error: { code: 'invalid_request', message: 'No such account.' } };
    this.accounts.remove(sub);
    this.refreshers.delete(sub);
    const next = this.accounts.active();
    if (next) {
      this.rewriteVault();
      this.moveTo({ status: 'signed-in', tokens: next.tokens });
    } else {
      this.endSession(undefined);
    }
    await this.persistence.revoke(account.tokens, 'signed out of one account');
    return { ok: true, session: this.view() };
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
    const accounts = this.accounts.all();
    this.signIns.abort();
    this.endSession(undefined);
    // The browser may still be signed in here: after a switch back, Log In asks for the password.
    this.providerLogout.switchedAway();
    await Promise.all(
      accounts.map(({ tokens }) => this.persistence.revoke(tokens, 'switched to another provider')),
    );
  }

  /**
   * Logs out locally first (always succeeds), then revokes and ends the provider's session. The
   * answer says whether that second half could run: `unreachable` means the provider still has a
   * session, and the next sign-in will ask for the password.
   */
  async logout(): Promise<Result<{ session: SessionView } & ProviderLogoutOutcome>> {
    const active = this.accounts.active();
    const others = this.accounts.all().filter((account) => account !== active);
    this.signIns.abort();
    this.endSession(undefined);
    // Every account's refresh token is revoked; the browser's session is ended with the active one's.
    await Promise.all(
      others.map(({ tokens }) => this.persistence.revoke(tokens, 'signed out of all accounts')),
    );
    const outcome: ProviderLogoutOutcome = active
      ? await this.providerLogout.end(active.tokens)
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

  /**
   * After an API answered 401 to `rejected` (the active account's access token): a new token, unless
   * another caller already got one.
   */
  async accessTokenAfterRejection(rejected: string): Promise<string> {
    const sub = this.accounts.active()?.sub;
    if (sub === undefined) throw new CoreError('not_signed_in', NOT_SIGNED_IN);
    const credential = { accessToken: rejected, scheme: 'Bearer', sub } as const;
    return (await this.apiCredentialAfterRejection(credential)).accessToken;
  }

  /** The active account's access token, with the scheme and the key it must be presented with. */
  async apiCredential(): Promise<ApiCredential> {
    const active = this.accounts.active();
    if (this.state.status !== 'signed-in' || !active)
      throw new CoreError('not_signed_in', NOT_SIGNED_IN);
    if (!this.expiresSoon(active.tokens)) return credentialOf(active);
    await this.refresherFor(active.sub).refresh();
    return this.credentialFor(active.sub);
  }

  /** After the API answered 401 to `rejected`: that account's new token (refreshed once). */
  async apiCredentialAfterRejection(rejected: ApiCredential): Promise<ApiCredential> {
    const account = this.accounts.get(rejected.sub);
    if (!account) throw new CoreError('not_signed_in', NOT_SIGNED_IN);
    if (account.tokens.accessToken !== rejected.accessToken) return credentialOf(account);
    await this.refresherFor(account.sub).refresh();
    return this.credentialFor(account.sub);
  }

  /**
   * The active account's DPoP key, to sign API proofs with. Main process only: never sent anywhere.
   * Each account has its own (its thumbprint is the `cnf.jkt` of that account's tokens only).
   */
  async dpopKey(): Promise<DPoPKey> {
    const key = this.accounts.active()?.key;
    if (!key) throw new CoreError('not_signed_in', 'No account with a proof-of-possession key.');
    return key;
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

  /** openid-client's handle over `key` (made once; a failed discovery is retried next time). */
  private handleFor(key: DPoPKey): Promise<DPoPHandle> {
    let handle = this.handles.get(key);
    if (!handle) {
      const pending = dpopHandle(this.config, key.keyPair);
      handle = pending;
      this.handles.set(key, pending);
      pending.catch(() => {
        if (this.handles.get(key) === pending) this.handles.delete(key);
      });
    }
    return handle;
  }

  /**
   * A new key for one sign-in: it becomes the account's, so no two accounts share a thumbprint. Its
   * private half is exported once, to be encrypted for the vault; without OS encryption it lives in
   * memory only (and so does the account).
   */
  private async newKey(): Promise<AccountKey & { handle: DPoPHandle }> {
    const { key, privateJwk } = await DPoPKey.generate();
    let keyRecord;
    if (await this.vault.persistent()) {
      try {
        keyRecord = await sealKeyRecord(this.platform.cipher, privateJwk);
      } catch (error) {
        this.log.error('could not encrypt a proof-of-possession key (DPoP); keeping it in memory', {
          reason: error instanceof Error ? error.name : 'unknown',
        });
      }
    }
    return { key, keyRecord, handle: await this.handleFor(key) };
  }

  /** The accounts as read from the vault, their keys opened (a key that cannot be is left out). */
  private accountsOf(stored: readonly StoredAccount[]): Promise<Account[]> {
    return Promise.all(
      stored.map(async ({ tokens, dpopKey: keyRecord }) => {
        const account: Account = { sub: tokens.claims.sub, tokens };
        if (!keyRecord) return account;
        try {
          return {
            ...account,
            key: await openKeyRecord(this.platform.cipher, keyRecord),
            keyRecord,
          };
        } catch {
          // Its DPoP-bound refresh token fails at the next refresh, and that account signs in again.
          this.log.warn('an account’s proof-of-possession key (DPoP) could not be read');
          return account;
        }
      }),
    );
  }

  /** The tokens a sign-in brought: the account they belong to, added or updated, and active. */
  private async persistAccount(
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
    await this.persistence.persistUnlessSuperseded(
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

  /** Where a sign-in that did not finish leaves the session: the active account, else signed out. */
  private afterSignIn(error: AppError): SessionState {
    const active = this.accounts.active();
    return active
      ? { status: 'signed-in', tokens: active.tokens, error }
      : { status: 'signed-out', error };
  }

  /** The refresher of `sub`'s account: one per account, made when first needed. */
  private refresherFor(sub: string): TokenRefresher {
    let refresher = this.refreshers.get(sub);
    if (refresher) return refresher;
    const account = () => this.accounts.get(sub);
    refresher = new TokenRefresher(
      {
        config: this.config,
        log: this.log,
        tokens: () => account()?.tokens,
        epoch: () => this.epoch,
        dpop: async () => {
          const key = account()?.key;
          return key ? { handle: await this.handleFor(key) } : undefined;
        },
        persist: (tokens, wanted, superseded) =>
          this.persistence.persistUnlessSuperseded(
            tokens,
            wanted,
            superseded,
            () => this.accounts.contentWith({ ...account()!, tokens }, false),
            () => {
              this.accounts.put({ ...account()!, tokens }, false);
              if (this.accounts.active()?.sub === sub) this.holdTokens(tokens);
            },
          ),
        endSession: (reason) => this.dropAccount(sub, reason),
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

  /**
   * One account is signed out (the provider rejected its refresh token): the next one becomes
   * active, or, when it was the last, the session ends with `reason`.
   */
  private dropAccount(sub: string, reason: AppError): void {
    const wasActive = this.accounts.active()?.sub === sub;
    this.accounts.remove(sub);
    this.refreshers.delete(sub);
    const next = this.accounts.active();
    if (!next) {
      this.endSession(reason);
      return;
    }
    this.rewriteVault();
    if (wasActive) this.moveTo({ status: 'signed-in', tokens: next.tokens, error: reason });
  }

  /** Writes the accounts as they are (in the background); dropped if the session ends first. */
  private rewriteVault(): void {
    const epoch = this.epoch;
    void this.persistence.rewrite(
      () => this.accounts.content(),
      () => this.epoch === epoch,
    );
  }

  /** Forgets every account locally: memory and vault. Whatever was in flight is now unwanted. */
  private endSession(reason: SessionView['error']): void {
    this.epoch += 1;
    this.accounts.clear();
    this.refreshers.clear();
    const failure = this.persistence.clear();
    this.moveTo({ status: 'signed-out', error: failure ?? reason });
  }

  private expiresSoon(tokens: TokenSet): boolean {
    return tokens.accessTokenExpiresAt - this.options.clockSkewSeconds * 1000 <= Date.now();
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
