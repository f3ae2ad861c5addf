/**
 * The vault of accounts (issue 19): every signed-in account's tokens and DPoP key, keyed by the ID
 * token's `sub`, and which one is active. One record (store key `accounts`, version 2), bound like
 * the single-session record before it to the issuer, client ID, audience and API origin, its
 * content encrypted through the Cipher port as one piece: nothing is written in clear, and nothing
 * at all without real OS encryption (the accounts then live in memory only).
 *
 * The first start after an update finds the single-session record of earlier versions (vault.ts)
 * and the installation's DPoP key (dpop.ts `dpop-key`): the session becomes the first (active)
 * account with that key, the new record is written, and only then are the old records removed, so
 * an interrupted migration is simply done again.
 */
import { z } from 'zod';
import type { AppError } from '../../src-preload/contract.ts';
import { DPOP_KEY_RECORD, keyRecordSchema, type KeyRecord } from './dpop.ts';
import type { Cipher, KeyValueStore } from './platform.ts';
import {
  ownerChanged,
  tokenSetSchema,
  TokenVault,
  type TokenSet,
  type VaultOwner,
} from './vault.ts';

export const ACCOUNTS_KEY = 'accounts';

/** One account as stored: its tokens and, when its tokens are DPoP-bound, its key (encrypted). */
export interface StoredAccount {
  tokens: TokenSet;
  dpopKey?: KeyRecord | undefined;
}

/** What the vault holds: the accounts in the order they were added, and the active one's `sub`. */
export interface VaultContent {
  active: string;
  accounts: StoredAccount[];
}

const contentSchema = z.object({
  active: z.string(),
  accounts: z
    .array(z.object({ tokens: tokenSetSchema, dpopKey: keyRecordSchema.optional() }))
    .min(1),
});

const recordSchema = z.object({
  version: z.literal(2),
  issuer: z.string(),
  clientId: z.string(),
  audience: z.string(),
  apiOrigin: z.string(),
  ciphertext: z.string(),
});

export type AccountsLoad =
  | { kind: 'empty' }
  | { kind: 'loaded'; content: VaultContent; migrated: boolean }
  | { kind: 'discarded'; reason: AppError };

export class AccountVault {
  private readonly store: KeyValueStore;
  private readonly cipher: Cipher;
  private readonly owner: VaultOwner;
  /** The record of earlier versions, read once to migrate it. */
  private readonly single: TokenVault;

  constructor(store: KeyValueStore, cipher: Cipher, owner: VaultOwner) {
    this.store = store;
    this.cipher = cipher;
    this.owner = owner;
    this.single = new TokenVault(store, cipher, owner);
  }

  /** Whether accounts can be kept across restarts (real OS encryption is available). */
  persistent(): Promise<boolean> {
    return this.single.persistent();
  }

  async load(): Promise<AccountsLoad> {
    if (!(await this.persistent())) return { kind: 'empty' };
    let raw: unknown;
    try {
      raw = this.store.get(ACCOUNTS_KEY);
    } catch {
      return this.discard(
        'The saved accounts could not be read, so they were removed. Please log in again.',
      );
    }
    if (raw === undefined) return this.migrate();
    const record = recordSchema.safeParse(raw);
    if (!record.success)
      return this.discard(
        'The saved accounts were damaged, so they were removed. Please log in again.',
      );
    const changed = ownerChanged(record.data, this.owner);
    if (changed) {
      this.clearQuietly();
      return { kind: 'discarded', reason: changed };
    }
    let content: unknown;
    try {
      content = JSON.parse(await this.cipher.decrypt(record.data.ciphertext));
    } catch {
      return this.discard(
        'The saved accounts could not be decrypted (changed, or from another installation), so they were removed. Please log in again.',
      );
    }
    const parsed = contentSchema.safeParse(content);
    if (!parsed.success)
      return this.discard(
        'The saved accounts were damaged, so they were removed. Please log in again.',
      );
    return { kind: 'loaded', content: parsed.data, migrated: false };
  }

  /**
   * Persists every account, encrypted; a no-op when encryption is unavailable. `stillWanted` is
   * asked after the (slow) encryption, right before the synchronous write. Resolves whether the
   * record was written; rejects when encrypting or writing failed.
   */
  async save(content: VaultContent, stillWanted: () => boolean = () => true): Promise<boolean> {
    if (!(await this.persistent())) return false;
    const ciphertext = await this.cipher.encrypt(JSON.stringify(content));
    if (!stillWanted()) return false;
    this.store.set(ACCOUNTS_KEY, { version: 2, ...this.owner, ciphertext });
    return true;
  }

  /** Removes every saved account; throws when the store cannot be written (the caller tells the user). */
  clear(): void {
    this.store.delete(ACCOUNTS_KEY);
    // A single-session record a failed migration left behind must not come back at the next start.
    this.store.delete('session');
  }

  /** The first start after an update: today's single session (and key) become the first account. */
  private async migrate(): Promise<AccountsLoad> {
    const loaded = await this.single.load();
    if (loaded.kind !== 'loaded') {
      // No session to carry over: the installation key is bound to nothing and must not link the
      // next account to the last one.
      if (loaded.kind === 'empty') this.deleteQuietly(DPOP_KEY_RECORD);
      return loaded;
    }
    let key: KeyRecord | undefined;
    try {
      const parsed = keyRecordSchema.safeParse(this.store.get(DPOP_KEY_RECORD));
      key = parsed.success ? parsed.data : undefined;
    } catch {
      key = undefined;
    }
    const content: VaultContent = {
      active: loaded.tokens.claims.sub,
      accounts: [{ tokens: loaded.tokens, ...(key ? { dpopKey: key } : {}) }],
    };
    try {
      await this.save(content);
      this.single.clear();
      this.deleteQuietly(DPOP_KEY_RECORD);
    } catch {
      // Kept in memory; the old records stay and the migration runs again at the next start.
    }
    return { kind: 'loaded', content, migrated: true };
  }

  private deleteQuietly(key: string): void {
    try {
      this.store.delete(key);
    } catch {
      // Removed again at the next start.
    }
  }

  private clearQuietly(): void {
    try {
      this.clear();
    } catch {
      // The record is discarded again next time, or overwritten by the next save.
    }
  }

  private discard(message: string): AccountsLoad {
    this.clearQuietly();
    return { kind: 'discarded', reason: { code: 'storage_unreadable', message } };
  }
}
