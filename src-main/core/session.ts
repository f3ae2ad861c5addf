/**
 * The session: signed-out → signing-in → signed-in, and back. It owns the tokens (they never leave
 * the main process) of every account signed in (issue 19: one per `sub`, one of them active), runs
 * one sign-in at a time through the system browser, refreshes each account's access token
 * single-flight, and reports every change through `emit`. One concern per file: the states and the
 * view (session-state.ts); the accounts with their keys, refreshers and credentials, and adding,
 * switching and signing out of one (session-account-keeper.ts, session-accounts.ts,
 * account-vault.ts); the sign-ins (sign-in.ts) and their ways (sign-in-ways.ts); the vault writes
 * (session-persistence.ts); refreshing (session-refresh.ts); the loopback receivers
 * (session-receivers.ts).
 */
import type {
  AccountSummary,
  AppError,
  OtherSignInWay,
  PendingActivity,
  Result,
  SessionView,
} from '../../src-preload/contract.ts';
import { AccountVault } from './account-vault.ts';
import type { AppConfig } from './config.ts';
import type { DPoPKey } from './dpop.ts';
import { toAppError } from './errors.ts';
import { silentLogger, type CorePlatform } from './platform.ts';
import { ProviderLogout, type ProviderLogoutOutcome } from './provider-logout.ts';
import { CALLBACK_PATH, LOGGED_OUT_PATH } from './registration.ts';
import { AccountKeeper, SWITCH_WRITE_DELAY_MS } from './session-account-keeper.ts';
import type { ApiCredential } from './session-credentials.ts';
import { SessionPersistence } from './session-persistence.ts';
import { SessionReceivers } from './session-receivers.ts';
import { tokensOf, viewOf, type SessionState } from './session-state.ts';
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
  /** How long after the last account switch the choice is written (default SWITCH_WRITE_DELAY_MS). */
  switchWriteDelayMs?: number;
}

export { CALLBACK_PATH, LOGGED_OUT_PATH, REOPEN_GUARD_MS };
export type { ApiCredential };

export class SessionManager {
  private readonly config: AppConfig;
  private readonly platform: CorePlatform;
  private readonly vault: AccountVault;
  /** Every account signed in with its key, refresher and credential; which one is active. */
  private readonly accounts: AccountKeeper;
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
      switchWriteDelayMs: options.switchWriteDelayMs ?? SWITCH_WRITE_DELAY_MS,
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
    this.accounts = new AccountKeeper({
      config,
      platform,
      log: this.log,
      vault: this.vault,
      persistence: this.persistence,
      clockSkewSeconds: this.options.clockSkewSeconds,
      switchWriteDelayMs: this.options.switchWriteDelayMs,
      epoch: () => this.epoch,
      signedIn: () => this.state.status === 'signed-in',
      show: (tokens, error) => this.moveTo({ status: 'signed-in', tokens, error }),
      hold: (tokens) => this.holdTokens(tokens),
      end: (reason) => this.endSession(reason),
      signInAnother: () => this.signIns.start('login', true),
      view: () => this.view(),
    });
    this.signIns = new SignIns({
      config,
      platform,
      log: this.log,
      signInTimeoutMs: this.options.signInTimeoutMs,
      receivers: this.receivers,
      providerLogout: this.providerLogout,
      persistence: this.persistence,
      newKey: () => this.accounts.newKey(),
      persistAccount: (tokens, key, wanted, superseded) =>
        this.accounts.persistSignIn(tokens, key, wanted, superseded),
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
      accounts: this.accounts.list(),
    });
  }

  /** At start: back to signed-in from the vault, refreshing if the access token has expired. */
  async restore(): Promise<void> {
    const epoch = this.epoch;
    await this.persistence.detect();
    if (this.config.dpop) this.log.info('sender-constrained tokens (DPoP) on, a key per account');
    const loaded = await this.vault.load();
    const accounts =
      loaded.kind === 'loaded' ? await this.accounts.open(loaded.content.accounts) : [];
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
    this.accounts.replace(accounts, loaded.content.active);
    const active = this.accounts.active()!;
    // Called again on a signed-out session (tests re-seed the vault): restoring it is a move.
    const { status } = this.state;
    if (status === 'restoring' || status === 'signed-in') this.holdTokens(active.tokens);
    else this.moveTo({ status: 'restoring', tokens: active.tokens });
    // Only the active account is refreshed now; the others when they are next used.
    try {
      await this.accounts.credentials.freshen(active.sub);
    } catch (error) {
      // invalid_grant has already signed the user out with its reason. If the provider is merely
      // unreachable, the refresh token may still be good: stay signed in and try again on use.
      if (!this.tokens) return;
      this.log.warn('refresh at start failed; will retry on use', {
        error: toAppError(error, this.log).code,
      });
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

  /** Signs in one more account (issue 19): `prompt=login`; one already present is updated. */
  addAccount(): Promise<Result<{ session: SessionView; notice?: string }>> {
    return this.accounts.add();
  }

  /** The active account's `sub`, if any (a message fetched for another is not shown). */
  activeSub(): string | undefined {
    return this.accounts.active()?.sub;
  }

  /** Makes another account the active one: no browser, no network. */
  switchTo(sub: string): Result<{ session: SessionView }> {
    return this.accounts.switchTo(sub);
  }

  /** The accounts signed in, in the order they were added (`sub`, a name, which is active). */
  accountList(): AccountSummary[] {
    return this.accounts.list();
  }

  /** Signs out of one account (its refresh token revoked, no browser); the next becomes active. */
  signOutAccount(sub: string): Promise<Result<{ session: SessionView }>> {
    return this.accounts.signOut(sub);
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

  /** Puts the pending sign-in's page on the clipboard ("Copy sign-in link"): once, while it waits. */
  copySignInLink(): Result {
    return this.signIns.copySignInLink();
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
    return (await this.accounts.credentials.credential()).accessToken;
  }

  /** After an API answered 401 to `rejected` (the active account's): a new one, once. */
  accessTokenAfterRejection(rejected: string): Promise<string> {
    return this.accounts.credentials.accessTokenAfterRejection(rejected);
  }

  /** The active account's access token, with the scheme and the key it must be presented with. */
  apiCredential(): Promise<ApiCredential> {
    return this.accounts.credentials.credential();
  }

  /** After the API answered 401 to `rejected`: that account's new token (refreshed once). */
  apiCredentialAfterRejection(rejected: ApiCredential): Promise<ApiCredential> {
    return this.accounts.credentials.credentialAfterRejection(rejected);
  }

  /** The active account's DPoP key, to sign API proofs with (main process only, one per account). */
  async dpopKey(): Promise<DPoPKey> {
    return this.accounts.credentials.activeKey();
  }

  async close(): Promise<void> {
    this.signIns.abort();
    await this.accounts.flush();
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

  /** Where a sign-in that did not finish leaves the session: the active account, else signed out. */
  private afterSignIn(error: AppError): SessionState {
    const active = this.accounts.active();
    return active
      ? { status: 'signed-in', tokens: active.tokens, error }
      : { status: 'signed-out', error };
  }

  /** Forgets every account locally: memory and vault. Whatever was in flight is now unwanted. */
  private endSession(reason: SessionView['error']): void {
    this.epoch += 1;
    this.accounts.clear();
    const failure = this.persistence.clear();
    this.moveTo({ status: 'signed-out', error: failure ?? reason });
  }
}
