import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { JsonFileStore, KeyFileBesideDataCipher } from '../../src-main/core/node-storage.ts';
import type { Cipher } from '../../src-main/core/platform.ts';
import { TokenVault, VAULT_KEY, type TokenSet } from '../../src-main/core/vault.ts';

const owner = {
  issuer: 'http://127.0.0.1:4000/',
  clientId: 'electron-hello-world',
  audience: 'https://hello-world.example.com',
  apiOrigin: 'http://127.0.0.1:6060',
};
const tokens: TokenSet = {
  accessToken: 'ACCESS-TOKEN-SECRET-1234567890',
  accessTokenExpiresAt: Date.now() + 3600_000,
  refreshToken: 'REFRESH-TOKEN-SECRET-1234567890',
  idToken: 'ID-TOKEN-SECRET-1234567890',
  claims: { sub: 'alice', name: 'Alice Liddell', email: 'alice@example.com' },
};

function setup(
  dir = mkdtempSync(path.join(os.tmpdir(), 'vault-')),
  cipher: Cipher = new KeyFileBesideDataCipher(dir),
) {
  const store = new JsonFileStore(path.join(dir, 'session.json'));
  return { dir, store, vault: new TokenVault(store, cipher, owner) };
}

function everythingOnDisk(dir: string): string {
  return readdirSync(dir)
    .map((f) => readFileSync(path.join(dir, f), 'utf8'))
    .join('\n');
}

/** Linux without a keyring: safeStorage's basic_text backend counts as no encryption. */
const noEncryption: Cipher = {
  isAvailable: async () => false,
  encrypt: async () => {
    throw new Error('must not be called');
  },
  decrypt: async () => {
    throw new Error('must not be called');
  },
};

describe('token vault', () => {
  it('round-trips a session and never writes a token or a claim in clear', async () => {
    const { dir, vault } = setup();
    await vault.save(tokens);
    const disk = everythingOnDisk(dir);
    for (const secret of [
      tokens.accessToken,
      tokens.refreshToken!,
      tokens.idToken,
      'alice@example.com',
    ])
      expect(disk).not.toContain(secret);
    const again = setup(dir).vault;
    expect(await again.load()).toEqual({ kind: 'loaded', tokens });
  });

  it('discards a tampered ciphertext with a reason, and the file no longer holds it', async () => {
    const { dir, vault, store } = setup();
    await vault.save(tokens);
    const record = store.get('session') as { ciphertext: string };
    const bytes = Buffer.from(record.ciphertext, 'base64');
    bytes[bytes.length - 1]! ^= 1;
    store.set('session', { ...record, ciphertext: bytes.toString('base64') });
    const loaded = await setup(dir).vault.load();
    expect(loaded).toMatchObject({ kind: 'discarded', reason: { code: 'storage_unreadable' } });
    expect(new JsonFileStore(path.join(dir, 'session.json')).get('session')).toBeUndefined();
  });

  it('discards a truncated file with a reason instead of crashing', async () => {
    const { dir, vault } = setup();
    await vault.save(tokens);
    const file = path.join(dir, 'session.json');
    writeFileSync(file, readFileSync(file, 'utf8').slice(0, 40));
    const loaded = await setup(dir).vault.load();
    expect(loaded.kind).toBe('discarded');
    if (loaded.kind === 'discarded')
      expect(loaded.reason.message).toMatch(/could not be read|damaged/);
  });

  it("cannot read a vault written with another installation's key", async () => {
    const { dir, vault } = setup();
    await vault.save(tokens);
    const otherKeyDir = mkdtempSync(path.join(os.tmpdir(), 'vault-key-'));
    const loaded = await setup(dir, new KeyFileBesideDataCipher(otherKeyDir)).vault.load();
    expect(loaded).toMatchObject({ kind: 'discarded', reason: { code: 'storage_unreadable' } });
  });

  it('writes nothing at all when the OS offers no encryption', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'vault-'));
    const { vault } = setup(dir, noEncryption);
    expect(await vault.persistent()).toBe(false);
    await vault.save(tokens);
    expect(readdirSync(dir)).toEqual([]);
    expect(await vault.load()).toEqual({ kind: 'empty' });
  });

  it.each([
    ['another tenant', { issuer: 'https://other.eu.auth0.com/' }, 'AUTH0_DOMAIN'],
    ['another application', { clientId: 'someone-else' }, 'AUTH0_CLIENT_ID'],
    ['another API audience', { audience: 'https://other-api.example.com' }, 'AUTH0_AUDIENCE'],
    [
      'another API origin (its bearer token would go there)',
      { apiOrigin: 'http://127.0.0.1:6061' },
      'API_SERVER_URL',
    ],
    ['another API host', { apiOrigin: 'https://evil.example' }, 'API_SERVER_URL'],
    [
      'two settings at once',
      { audience: 'x', apiOrigin: 'https://evil.example' },
      'AUTH0_AUDIENCE, API_SERVER_URL',
    ],
  ])(
    'discards (and removes) a session saved for %s, naming the setting',
    async (_name, change, setting) => {
      const { dir, vault, store } = setup();
      await vault.save(tokens);
      const cipher = new KeyFileBesideDataCipher(dir);
      const other = new TokenVault(store, cipher, { ...owner, ...change });
      expect(await other.load()).toEqual({
        kind: 'discarded',
        reason: {
          code: 'session_expired',
          message: `The app's settings changed (${setting}) since you logged in, so the saved session was removed. Please log in again.`,
        },
      });
      expect(store.get(VAULT_KEY)).toBeUndefined();
      expect(await setup(dir).vault.load()).toEqual({ kind: 'empty' });
    },
  );

  it('discards a record saved before sessions were bound to the audience and the API', async () => {
    const { vault, store } = setup();
    await vault.save(tokens);
    const {
      audience: _audience,
      apiOrigin: _apiOrigin,
      ...older
    } = store.get(VAULT_KEY) as Record<string, unknown>;
    store.set(VAULT_KEY, older);
    expect(await vault.load()).toMatchObject({
      kind: 'discarded',
      reason: {
        code: 'session_expired',
        message: expect.stringContaining('AUTH0_AUDIENCE, API_SERVER_URL'),
      },
    });
  });

  it('still loads a session saved under the same settings', async () => {
    const { dir, vault } = setup();
    await vault.save(tokens);
    expect(await setup(dir).vault.load()).toEqual({ kind: 'loaded', tokens });
  });
});
