/**
 * The vault of accounts (issue 19): several sessions keyed by `sub` with the active one, nothing in
 * clear on disk, the migration of the single-session vault earlier versions wrote (started from a
 * vault those versions' own code wrote: TokenVault and the installation key store), and the
 * in-memory bookkeeping of which account becomes active when one goes.
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ACCOUNTS_KEY, AccountVault } from '../../src-main/core/account-vault.ts';
import { DPOP_KEY_RECORD, DPoPKeyStore, openKeyRecord } from '../../src-main/core/dpop.ts';
import { JsonFileStore, KeyFileBesideDataCipher } from '../../src-main/core/node-storage.ts';
import type { Cipher } from '../../src-main/core/platform.ts';
import { Accounts } from '../../src-main/core/session-accounts.ts';
import { TokenVault, VAULT_KEY, type TokenSet } from '../../src-main/core/vault.ts';

const owner = {
  issuer: 'http://127.0.0.1:4000/',
  clientId: 'electron-hello-world',
  audience: 'https://hello-world.example.com',
  apiOrigin: 'http://127.0.0.1:6060',
};
const alice: TokenSet = {
  accessToken: 'ALICE-ACCESS-TOKEN-SECRET',
  accessTokenExpiresAt: Date.now() + 3600_000,
  refreshToken: 'ALICE-REFRESH-TOKEN-SECRET',
  idToken: 'ALICE-ID-TOKEN-SECRET',
  claims: { sub: 'alice', name: 'Alice Liddell' },
};
const bob: TokenSet = {
  ...alice,
  accessToken: 'BOB-ACCESS-TOKEN-SECRET',
  refreshToken: 'BOB-REFRESH-TOKEN-SECRET',
  idToken: 'BOB-ID-TOKEN-SECRET',
  claims: { sub: 'bob', name: 'Bob Builder' },
};
const quiet = { info() {}, warn() {}, error() {} };

function setup(dir = mkdtempSync(path.join(os.tmpdir(), 'account-vault-')), cipher?: Cipher) {
  const store = new JsonFileStore(path.join(dir, 'session.json'));
  const realCipher = cipher ?? new KeyFileBesideDataCipher(dir);
  return { dir, store, cipher: realCipher, vault: new AccountVault(store, realCipher, owner) };
}

function everythingOnDisk(dir: string): string {
  return readdirSync(dir)
    .map((file) => readFileSync(path.join(dir, file), 'utf8'))
    .join('\n');
}

describe('the vault of accounts', () => {
  it('holds several accounts and the active one, with no token, sub or name in clear', async () => {
    const { dir, vault } = setup();
    const content = { active: 'bob', accounts: [{ tokens: alice }, { tokens: bob }] };
    expect(await vault.save(content)).toBe(true);
    expect(await setup(dir).vault.load()).toEqual({ kind: 'loaded', content, migrated: false });
    const disk = everythingOnDisk(dir);
    // Each with a character base64 never has ('-', ' ', '"'): a short name like "Bob" alone turns up
    // in random ciphertext now and then (it did: 1 run in a few hundred).
    for (const secret of [
      'ACCESS-TOKEN',
      'REFRESH-TOKEN',
      'ID-TOKEN',
      'Alice Liddell',
      'Bob Builder',
      '"alice"',
      '"bob"',
    ])
      expect(disk).not.toContain(secret);
  });

  it('keeps nothing on disk without OS encryption (memory only)', async () => {
    const none: Cipher = {
      isAvailable: async () => false,
      encrypt: () => Promise.reject(new Error('must not be called')),
      decrypt: () => Promise.reject(new Error('must not be called')),
    };
    const { store, vault } = setup(undefined, none);
    expect(await vault.save({ active: 'alice', accounts: [{ tokens: alice }] })).toBe(false);
    expect(store.get(ACCOUNTS_KEY)).toBeUndefined();
    expect(await vault.load()).toEqual({ kind: 'empty' });
  });

  it('discards the accounts saved under another API origin, naming the setting', async () => {
    const { dir, store, cipher, vault } = setup();
    await vault.save({ active: 'alice', accounts: [{ tokens: alice }] });
    const moved = new AccountVault(store, cipher, { ...owner, apiOrigin: 'http://127.0.0.1:7070' });
    expect(await moved.load()).toMatchObject({
      kind: 'discarded',
      reason: { code: 'session_expired', message: expect.stringContaining('API_SERVER_URL') },
    });
    expect(await setup(dir).vault.load()).toEqual({ kind: 'empty' });
  });

  it('discards a damaged record with a reason', async () => {
    const { store, vault } = setup();
    store.set(ACCOUNTS_KEY, { version: 2, ...owner, ciphertext: 'not encrypted' });
    expect(await vault.load()).toMatchObject({
      kind: 'discarded',
      reason: { code: 'storage_unreadable' },
    });
    expect(store.get(ACCOUNTS_KEY)).toBeUndefined();
  });
});

describe('an unusable vault of accounts', () => {
  const cases: Array<[string, (store: JsonFileStore, cipher: Cipher) => Promise<unknown>, string]> =
    [
      [
        'a record that is not one',
        async (store) => store.set(ACCOUNTS_KEY, { version: 2, ...owner }),
        'The saved accounts were damaged, so they were removed. Please log in again.',
      ],
      [
        'a ciphertext from elsewhere',
        async (store) => store.set(ACCOUNTS_KEY, { version: 2, ...owner, ciphertext: 'AAAA' }),
        'The saved accounts could not be decrypted (changed, or from another installation), so they were removed. Please log in again.',
      ],
      [
        'content that is not accounts',
        async (store, cipher) =>
          store.set(ACCOUNTS_KEY, {
            version: 2,
            ...owner,
            ciphertext: await cipher.encrypt(JSON.stringify({ active: 'alice', accounts: [] })),
          }),
        'The saved accounts were damaged, so they were removed. Please log in again.',
      ],
    ];

  it.each(cases)(
    '%s is discarded with the words the person reads, and an old single session with it',
    async (_name, damage, message) => {
      const { store, cipher, vault } = setup();
      // A single-session record an interrupted migration left behind must not come back later.
      await new TokenVault(store, cipher, owner).save(alice);
      await damage(store, cipher);
      expect(await vault.load()).toEqual({
        kind: 'discarded',
        reason: { code: 'storage_unreadable', message },
      });
      expect(store.get(ACCOUNTS_KEY)).toBeUndefined();
      expect(store.get(VAULT_KEY)).toBeUndefined();
      expect(await vault.load()).toEqual({ kind: 'empty' });
    },
  );

  it('a store that cannot be read is answered with a reason, not a crash', async () => {
    const { dir, cipher } = setup();
    const store = new JsonFileStore(path.join(dir, 'session.json'));
    store.get = () => {
      throw new Error('EACCES');
    };
    expect(await new AccountVault(store, cipher, owner).load()).toEqual({
      kind: 'discarded',
      reason: {
        code: 'storage_unreadable',
        message: 'The saved accounts could not be read, so they were removed. Please log in again.',
      },
    });
  });
});

describe('migration of the single-session vault (earlier versions)', () => {
  it('the saved session becomes the first, active account with the installation key', async () => {
    const { dir, store, cipher } = setup();
    // What earlier versions wrote: the session record and the installation's DPoP key.
    await new TokenVault(store, cipher, owner).save(alice);
    const installationKey = await new DPoPKeyStore(store, cipher, async () => true, quiet).key();
    const legacyKeyRecord = store.get(DPOP_KEY_RECORD);

    const loaded = await setup(dir).vault.load();
    expect(loaded).toEqual({
      kind: 'loaded',
      content: { active: 'alice', accounts: [{ tokens: alice, dpopKey: legacyKeyRecord }] },
      migrated: true,
    });
    if (loaded.kind !== 'loaded') throw new Error('not loaded');
    const key = await openKeyRecord(cipher, loaded.content.accounts[0]!.dpopKey!);
    expect(key.thumbprint).toBe(installationKey.thumbprint);
    // The old records are gone once the new one is written; the next start reads only the new one.
    const after = setup(dir);
    expect(after.store.get(VAULT_KEY)).toBeUndefined();
    expect(after.store.get(DPOP_KEY_RECORD)).toBeUndefined();
    expect(await after.vault.load()).toMatchObject({ kind: 'loaded', migrated: false });
  });

  it('an installation key with no session left is dropped: it must not link the next account', async () => {
    const { store, cipher, vault } = setup();
    await new DPoPKeyStore(store, cipher, async () => true, quiet).key();
    expect(await vault.load()).toEqual({ kind: 'empty' });
    expect(store.get(DPOP_KEY_RECORD)).toBeUndefined();
  });

  it('a session saved under other settings is not migrated', async () => {
    const { store, cipher, vault } = setup();
    await new TokenVault(store, cipher, { ...owner, clientId: 'someone-else' }).save(alice);
    expect(await vault.load()).toMatchObject({
      kind: 'discarded',
      reason: { message: expect.stringContaining('AUTH0_CLIENT_ID') },
    });
    expect(store.get(VAULT_KEY)).toBeUndefined();
    expect(store.get(ACCOUNTS_KEY)).toBeUndefined();
  });
});

describe('the accounts in memory', () => {
  const account = (tokens: TokenSet) => ({ sub: tokens.claims.sub, tokens });
  const carol = { ...bob, claims: { sub: 'carol', name: 'Carol' } };

  it('one account per sub: a second sign-in of the same person updates it in place', () => {
    const accounts = new Accounts();
    accounts.put(account(alice), true);
    accounts.put(account(bob), true);
    const renewed = { ...alice, accessToken: 'NEW' };
    accounts.put(account(renewed), true);
    expect(accounts.all().map(({ sub }) => sub)).toEqual(['alice', 'bob']);
    expect(accounts.active()?.tokens).toBe(renewed);
  });

  it('when the active account goes, the next one becomes active (the previous one at the end)', () => {
    const accounts = new Accounts();
    for (const tokens of [alice, bob, carol]) accounts.put(account(tokens), false);
    accounts.activate('bob');
    accounts.remove('bob');
    expect(accounts.active()?.sub).toBe('carol');
    accounts.remove('carol');
    expect(accounts.active()?.sub).toBe('alice');
    accounts.remove('alice');
    expect(accounts.active()).toBeUndefined();
    expect(accounts.content()).toBeUndefined();
  });

  it('removing an account that is not active leaves the active one', () => {
    const accounts = new Accounts();
    for (const tokens of [alice, bob]) accounts.put(account(tokens), false);
    accounts.remove('bob');
    expect(accounts.active()?.sub).toBe('alice');
  });
});
