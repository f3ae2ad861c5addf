/**
 * The vault of accounts as only the main process could read it (test-only decryption through the
 * same store and cipher): every account's tokens, or the active one's.
 */
import type { VaultContent } from '../../src-main/core/account-vault.ts';
import { ACCOUNTS_KEY } from '../../src-main/core/account-vault.ts';
import type { Cipher, KeyValueStore } from '../../src-main/core/platform.ts';
import type { TokenSet } from '../../src-main/core/vault.ts';

/** What the vault holds now, decrypted, or undefined when it holds nothing. */
export async function storedAccounts(
  store: KeyValueStore,
  cipher: Cipher,
): Promise<VaultContent | undefined> {
  const record = store.get(ACCOUNTS_KEY) as { ciphertext: string } | undefined;
  return record ? (JSON.parse(await cipher.decrypt(record.ciphertext)) as VaultContent) : undefined;
}

/** The active account's tokens as stored, or undefined when the vault holds none. */
export async function storedTokens(
  store: KeyValueStore,
  cipher: Cipher,
): Promise<TokenSet | undefined> {
  const content = await storedAccounts(store, cipher);
  return content?.accounts.find(({ tokens }) => tokens.claims.sub === content.active)?.tokens;
}
