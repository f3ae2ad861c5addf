/**
 * The one save step every sign-in and every refresh takes (session-persistence.ts): tokens land on
 * disk only while still wanted, and a failed save keeps the session in memory and removes the
 * record left on disk. No provider: the tokens here carry no refresh token to revoke.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AppError } from '../../src-preload/contract.ts';
import type { AppConfig } from '../../src-main/core/config.ts';
import { CoreError } from '../../src-main/core/errors.ts';
import { JsonFileStore, KeyFileBesideDataCipher } from '../../src-main/core/node-storage.ts';
import type { Cipher, KeyValueStore } from '../../src-main/core/platform.ts';
import { SessionPersistence } from '../../src-main/core/session-persistence.ts';
import { ACCOUNTS_KEY, AccountVault } from '../../src-main/core/account-vault.ts';
import { Accounts } from '../../src-main/core/session-accounts.ts';
import type { TokenSet } from '../../src-main/core/vault.ts';

const owner = {
  issuer: 'http://127.0.0.1:4000/',
  clientId: 'electron-hello-world',
  audience: 'https://hello-world.example.com',
  apiOrigin: 'http://127.0.0.1:6060',
};
const tokens: TokenSet = {
  accessToken: 'ACCESS',
  accessTokenExpiresAt: Date.now() + 3600_000,
  idToken: 'ID',
  claims: { sub: 'alice' },
};
const superseded = () => new CoreError('sign_in_cancelled', 'Sign-in was cancelled.');

function setup(options: { cipher?: (dir: string) => Cipher; store?: KeyValueStore } = {}) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'session-persistence-'));
  const store = options.store ?? new JsonFileStore(path.join(dir, 'session.json'));
  const cipher = options.cipher?.(dir) ?? new KeyFileBesideDataCipher(dir);
  const vault = new AccountVault(store, cipher, owner);
  const failures: Array<AppError | undefined> = [];
  const persistence = new SessionPersistence({
    vault,
    config: {} as AppConfig,
    log: { info() {}, warn() {}, error() {} },
    saveFailed: (failure) => failures.push(failure),
  });
  const accounts = new Accounts();
  /** Persists `next` as its account, as a sign-in does (added and active once written). */
  const persist = (next: TokenSet, wanted: () => boolean) => {
    const account = { sub: next.claims.sub, tokens: next };
    return persistence.persistUnlessSuperseded(
      next,
      wanted,
      superseded,
      () => accounts.contentWith(account, true),
      () => accounts.put(account, true),
    );
  };
  return { store, vault, persistence, failures, accounts, persist };
}

describe('persistUnlessSuperseded', () => {
  it('saves tokens that are still wanted', async () => {
    const { vault, persistence, persist, accounts } = setup();
    await persist(tokens, () => true);
    expect(await vault.load()).toMatchObject({
      kind: 'loaded',
      content: { active: 'alice', accounts: [{ tokens }] },
    });
    expect(persistence.mode).toBe('encrypted');
    expect(accounts.active()?.tokens).toBe(tokens);
  });

  it('two accounts saved at once both land: each write is built after the one before it', async () => {
    const { vault, persist, accounts } = setup();
    const bobs: TokenSet = { ...tokens, accessToken: 'BOB', claims: { sub: 'bob' } };
    await Promise.all([persist(tokens, () => true), persist(bobs, () => true)]);
    const loaded = await vault.load();
    expect(loaded).toMatchObject({
      kind: 'loaded',
      content: { active: 'bob', accounts: [{ tokens }, { tokens: bobs }] },
    });
    expect(accounts.all().map((account) => account.sub)).toEqual(['alice', 'bob']);
  });

  it('writes nothing and throws when the session ended before the save', async () => {
    const { store, persist, accounts } = setup();
    await expect(persist(tokens, () => false)).rejects.toMatchObject({ code: 'sign_in_cancelled' });
    expect(store.get(ACCOUNTS_KEY)).toBeUndefined();
    expect(accounts.size).toBe(0);
  });

  it('writes nothing and throws when the session ended during the (slow) encryption', async () => {
    let wanted = true;
    const { store, persist } = setup({
      cipher: (dir) => {
        const real = new KeyFileBesideDataCipher(dir);
        return {
          isAvailable: () => real.isAvailable(),
          decrypt: (text) => real.decrypt(text),
          encrypt: async (text) => {
            wanted = false; // Log Out while the keychain works
            return real.encrypt(text);
          },
        };
      },
    });
    await expect(persist(tokens, () => wanted)).rejects.toMatchObject({
      code: 'sign_in_cancelled',
    });
    expect(store.get(ACCOUNTS_KEY)).toBeUndefined();
  });

  it('a failed save keeps the session in memory and removes the record left on disk', async () => {
    const { store, vault, failures } = setup();
    await vault.save({ active: 'alice', accounts: [{ tokens }] });
    const broken: KeyValueStore = {
      get: (key) => store.get(key),
      delete: (key) => store.delete(key),
      set: () => {
        throw new Error('disk full');
      },
    };
    const failing = setup({ store: broken });
    await failing.persist(tokens, () => true);
    expect(failing.persistence.mode).toBe('memory');
    expect(failing.failures).toEqual([undefined]);
    expect(store.get(ACCOUNTS_KEY)).toBeUndefined();
    expect(failures).toEqual([]);
  });

  it('when the record cannot be removed either, says so', async () => {
    const broken: KeyValueStore = {
      get: () => undefined,
      set: () => {
        throw new Error('read-only');
      },
      delete: () => {
        throw new Error('read-only');
      },
    };
    const { persist, failures } = setup({ store: broken });
    await persist(tokens, () => true);
    expect(failures).toEqual([expect.objectContaining({ code: 'storage_unwritable' })]);
  });
});
