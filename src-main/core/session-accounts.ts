/**
 * The accounts a session holds in memory (issue 19): one per `sub` of the ID token, in the order
 * they were added, each with its own tokens and DPoP key, and which one is active. This is what the
 * vault holds (account-vault.ts), with the keys opened; with memory-only persistence it is all
 * there is. Pure bookkeeping: no I/O, no events (session.ts moves the state and saves).
 */
import type { DPoPKey, KeyRecord } from './dpop.ts';
import type { TokenSet } from './vault.ts';
import type { VaultContent } from './account-vault.ts';

/** An account's own DPoP key (RFC 9449), and how it is stored. */
export interface AccountKey {
  readonly key: DPoPKey;
  /** The key as stored (encrypted); absent when it lives in memory only. */
  readonly keyRecord?: KeyRecord | undefined;
}

/** One signed-in account. Replaced, never mutated: a changed account is a new object. */
export interface Account extends Partial<AccountKey> {
  readonly sub: string;
  readonly tokens: TokenSet;
}

export class Accounts {
  private list: Account[] = [];
  private activeSub: string | undefined;

  /** The active account, if any. */
  active(): Account | undefined {
    return this.list.find((account) => account.sub === this.activeSub);
  }

  get(sub: string): Account | undefined {
    return this.list.find((account) => account.sub === sub);
  }

  all(): readonly Account[] {
    return this.list;
  }

  get size(): number {
    return this.list.length;
  }

  /**
   * `account` replaces the one with its `sub` (same place in the list) or joins at the end; with
   * `activate` it becomes the active one (also when it is the first).
   */
  put(account: Account, activate: boolean): void {
    const index = this.list.findIndex((each) => each.sub === account.sub);
    if (index === -1) this.list = [...this.list, account];
    else this.list = this.list.map((each, at) => (at === index ? account : each));
    if (activate || this.activeSub === undefined) this.activeSub = account.sub;
  }

  /** Makes `sub` the active account; false when there is no such account. */
  activate(sub: string): boolean {
    if (!this.get(sub)) return false;
    this.activeSub = sub;
    return true;
  }

  /**
   * Forgets `sub`'s account; when it was the active one, the next in the list (or the previous one
   * when it was the last) becomes active.
   */
  remove(sub: string): Account | undefined {
    const index = this.list.findIndex((each) => each.sub === sub);
    if (index === -1) return undefined;
    const removed = this.list[index];
    this.list = this.list.filter((each) => each.sub !== sub);
    if (this.activeSub === sub)
      this.activeSub = (this.list[index] ?? this.list[index - 1] ?? undefined)?.sub;
    return removed;
  }

  clear(): void {
    this.list = [];
    this.activeSub = undefined;
  }

  /** What the vault would hold with `account` put (and activated) — the rest as they are now. */
  contentWith(account: Account, activate: boolean): VaultContent {
    const next = new Accounts();
    next.list = this.list;
    next.activeSub = this.activeSub;
    next.put(account, activate);
    return next.content()!;
  }

  /** What the vault holds for these accounts; undefined when there are none. */
  content(): VaultContent | undefined {
    const active = this.activeSub;
    if (active === undefined || this.list.length === 0) return undefined;
    return {
      active,
      accounts: this.list.map(({ tokens, keyRecord }) => ({
        tokens,
        ...(keyRecord ? { dpopKey: keyRecord } : {}),
      })),
    };
  }
}
