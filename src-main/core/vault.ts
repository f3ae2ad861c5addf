/**
 * The single-session record (version 1, store key `session`): one session's secrets, encrypted
 * through the Cipher port before they reach the KeyValueStore. Since several accounts (issue 19) the
 * vault is account-vault.ts; this record is what earlier versions wrote, read once at the first start
 * to migrate it (and written by tests that start from such a vault). Nothing is ever written in
 * clear; without real OS encryption nothing is written at all. A record that cannot be read or
 * decrypted is discarded with a reason the UI shows, never a crash.
 */
import { z } from 'zod';
import type { AppError } from '../../src-preload/contract.ts';
import type { AppConfig } from './config.ts';
import type { Cipher, KeyValueStore } from './platform.ts';

/**
 * What a stored session belongs to: the tenant, the application, the API its access token is for
 * and the origin it is sent to. A session saved under other settings is discarded, never used: a
 * changed `API_SERVER_URL` (a user-writable `.env`) must not receive the stored bearer token.
 */
export interface VaultOwner {
  issuer: string;
  clientId: string;
  audience: string;
  apiOrigin: string;
}

/** The owner record for `config`. */
export function vaultOwnerOf(config: AppConfig): VaultOwner {
  return {
    issuer: config.issuer.href,
    clientId: config.clientId,
    audience: config.audience,
    apiOrigin: config.apiServerUrl.origin,
  };
}

/** The setting behind each owner field, to name it in the reason. */
const OWNER_SETTINGS: Record<keyof VaultOwner, string> = {
  issuer: 'AUTH0_DOMAIN',
  clientId: 'AUTH0_CLIENT_ID',
  audience: 'AUTH0_AUDIENCE',
  apiOrigin: 'API_SERVER_URL',
};

/** Everything the core keeps about a signed-in user. Lives only in the main process. */
export interface TokenSet {
  accessToken: string;
  /** Epoch milliseconds. */
  accessTokenExpiresAt: number;
  /** How the API must be shown the token: `DPoP` when the provider bound it to our key (RFC 9449). */
  tokenType?: 'Bearer' | 'DPoP' | undefined;
  refreshToken?: string | undefined;
  idToken: string;
  /** The ID token's claims, as validated at sign-in. */
  claims: Record<string, unknown> & { sub: string };
}

export const tokenSetSchema = z.object({
  accessToken: z.string().min(1),
  accessTokenExpiresAt: z.number(),
  tokenType: z.enum(['Bearer', 'DPoP']).optional(),
  refreshToken: z.string().min(1).optional(),
  idToken: z.string().min(1),
  claims: z.looseObject({ sub: z.string() }),
});

const recordSchema = z.object({
  version: z.literal(1),
  issuer: z.string(),
  clientId: z.string(),
  // Absent in records saved before they were bound to these: such a record counts as changed.
  audience: z.string().optional(),
  apiOrigin: z.string().optional(),
  ciphertext: z.string(),
});

export const VAULT_KEY = 'session';

/**
 * Why a record saved under `saved` may not be used under `owner` (the settings that changed, named),
 * or undefined when it belongs to this tenant, application, audience and API.
 */
export function ownerChanged(
  saved: Partial<Record<keyof VaultOwner, string | undefined>>,
  owner: VaultOwner,
): AppError | undefined {
  const changed = (Object.keys(OWNER_SETTINGS) as Array<keyof VaultOwner>).filter(
    (field) => saved[field] !== owner[field],
  );
  if (changed.length === 0) return undefined;
  const settings = changed.map((field) => OWNER_SETTINGS[field]).join(', ');
  return {
    code: 'session_expired',
    message: `The app's settings changed (${settings}) since you logged in, so the saved session was removed. Please log in again.`,
  };
}

/** How a record's messages name what it holds: "The saved session" … "it was", or a plural. */
export interface RecordWords {
  subject: string;
  it: 'it' | 'they';
  was: 'was' | 'were';
}

export type SealedLoad<T> =
  { kind: 'empty' } | { kind: 'loaded'; value: T } | { kind: 'discarded'; reason: AppError };

/** A stored record: the settings it was saved under and its encrypted content. */
type RecordShape = Partial<Record<keyof VaultOwner, string | undefined>> & { ciphertext: string };

/**
 * One encrypted record of the store, bound to the settings it was saved under: read back only under
 * the same ones; a record that cannot be read, decrypted or parsed is removed and answered with a
 * reason the UI shows. The single session of earlier versions and the vault of accounts are each one.
 */
export class SealedRecord<T> {
  private readonly store: KeyValueStore;
  private readonly cipher: Cipher;
  private readonly owner: VaultOwner;
  private readonly key: string;
  private readonly version: number;
  private readonly recordSchema: z.ZodType<RecordShape>;
  private readonly contentSchema: z.ZodType<T>;
  private readonly words: RecordWords;

  constructor(options: {
    store: KeyValueStore;
    cipher: Cipher;
    owner: VaultOwner;
    key: string;
    version: number;
    recordSchema: z.ZodType<RecordShape>;
    contentSchema: z.ZodType<T>;
    words: RecordWords;
  }) {
    this.store = options.store;
    this.cipher = options.cipher;
    this.owner = options.owner;
    this.key = options.key;
    this.version = options.version;
    this.recordSchema = options.recordSchema;
    this.contentSchema = options.contentSchema;
    this.words = options.words;
  }

  async read(): Promise<SealedLoad<T>> {
    const { subject, it, was } = this.words;
    const removed = `so ${it} ${was} removed. Please log in again.`;
    const damaged = `${subject} ${was} damaged, ${removed}`;
    let raw: unknown;
    try {
      raw = this.store.get(this.key);
    } catch {
      return this.discard(`${subject} could not be read, ${removed}`);
    }
    if (raw === undefined) return { kind: 'empty' };
    const record = this.recordSchema.safeParse(raw);
    if (!record.success) return this.discard(damaged);
    // A record saved under other settings (tenant, application, audience, API) is not ours to use.
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
        `${subject} could not be decrypted (changed, or from another installation), ${removed}`,
      );
    }
    const parsed = this.contentSchema.safeParse(content);
    if (!parsed.success) return this.discard(damaged);
    return { kind: 'loaded', value: parsed.data };
  }

  /**
   * Encrypts and writes `value`. Encryption takes time (the OS keychain may even ask the user):
   * `stillWanted` is asked after it, right before the synchronous write, so a session that ended
   * meanwhile is not written back. Resolves whether it was written; rejects when encrypting or
   * writing failed.
   */
  async write(value: T, stillWanted: () => boolean): Promise<boolean> {
    const ciphertext = await this.cipher.encrypt(JSON.stringify(value));
    if (!stillWanted()) return false;
    this.store.set(this.key, { version: this.version, ...this.owner, ciphertext });
    return true;
  }

  /** Removes the record; throws when the store cannot be written (the caller tells the user). */
  clear(): void {
    this.store.delete(this.key);
  }

  /** For records that are unusable anyway: a failed removal is retried at the next start. */
  private clearQuietly(): void {
    try {
      this.clear();
    } catch {
      // The record is discarded again next time, or overwritten by the next save.
    }
  }

  private discard(message: string): SealedLoad<T> {
    this.clearQuietly();
    return { kind: 'discarded', reason: { code: 'storage_unreadable', message } };
  }
}

export type VaultLoad =
  | { kind: 'empty' }
  | { kind: 'loaded'; tokens: TokenSet }
  | { kind: 'discarded'; reason: AppError };

export class TokenVault {
  private readonly cipher: Cipher;
  private readonly record: SealedRecord<TokenSet>;
  private available: Promise<boolean> | undefined;

  constructor(store: KeyValueStore, cipher: Cipher, owner: VaultOwner) {
    this.cipher = cipher;
    this.record = new SealedRecord({
      store,
      cipher,
      owner,
      key: VAULT_KEY,
      version: 1,
      recordSchema,
      contentSchema: tokenSetSchema,
      words: { subject: 'The saved session', it: 'it', was: 'was' },
    });
  }

  /** Whether sessions can be kept across restarts (real OS encryption is available). */
  async persistent(): Promise<boolean> {
    this.available ??= this.cipher.isAvailable().catch(() => false);
    return this.available;
  }

  async load(): Promise<VaultLoad> {
    if (!(await this.persistent())) return { kind: 'empty' };
    const loaded = await this.record.read();
    return loaded.kind === 'loaded' ? { kind: 'loaded', tokens: loaded.value } : loaded;
  }

  /** Persists the token set, encrypted; a no-op when encryption is unavailable (SealedRecord.write). */
  async save(tokens: TokenSet, stillWanted: () => boolean = () => true): Promise<boolean> {
    if (!(await this.persistent())) return false;
    return this.record.write(tokens, stillWanted);
  }

  /** Removes the saved session; throws when the store cannot be written (the caller tells the user). */
  clear(): void {
    this.record.clear();
  }
}
