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
  SealedRecord,
  tokenSetSchema,
  TokenVault,
  VAULT_KEY,
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
  private readonly record: SealedRecord<VaultContent>;
  /** The record of earlier versions, read once to migrate it. */
  private readonly single: TokenVault;

  constructor(store: KeyValueStore, cipher: Cipher, owner: VaultOwner) {
    this.store = store;
    this.record = new SealedRecord({
      store,
      cipher,
      owner,
      key: ACCOUNTS_KEY,
      version: 2,
      recordSchema,
      contentSchema,
      words: { subject: 'The saved accounts', it: 'they', was: 'were' },
    });
    this.single = new TokenVault(store, cipher, owner);
  }

  /** Whether accounts can be kept across restarts (real OS encryption is available). */
  persistent(): Promise<boolean> {
    return this.single.persistent();
  }

  async load(): Promise<AccountsLoad> {
    if (!(await this.persistent())) return { kind: 'empty' };
    const loaded = await this.record.read();
    if (loaded.kind === 'empty') return this.migrate();
    if (loaded.kind === 'discarded') {
      this.deleteQuietly(VAULT_KEY);
      return loaded;
    }
    return { kind: 'loaded', content: loaded.value, migrated: false };
  }

  /**
   * Persists every account, encrypted; a no-op when encryption is unavailable. `stillWanted` is
   * asked after the (slow) encryption, right before the synchronous write (SealedRecord.write).
   */
  async save(content: VaultContent, stillWanted: () => boolean = () => true): Promise<boolean> {
    if (!(await this.persistent())) return false;
    return this.record.write(content, stillWanted);
  }

  /** Removes every saved account; throws when the store cannot be written (the caller tells the user). */
  clear(): void {
    this.record.clear();
    // A single-session record a failed migration left behind must not come back at the next start.
    this.store.delete(VAULT_KEY);
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
}
