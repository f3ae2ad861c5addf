/**
 * The session's moves that need no provider: restore from the vault (what is emitted, once per
 * move), the token handed to the API only while signed in, a provider switch, and the actions that
 * need a pending sign-in refused without one. The provider's address is a port nothing listens on.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { SessionView } from '../../src-preload/contract.ts';
import { parseConfig, type AppConfig } from '../../src-main/core/config.ts';
import { JsonFileStore, KeyFileBesideDataCipher } from '../../src-main/core/node-storage.ts';
import { ACCOUNTS_KEY, AccountVault } from '../../src-main/core/account-vault.ts';
import { SessionManager } from '../../src-main/core/session.ts';
import { TokenVault, VAULT_KEY, vaultOwnerOf, type TokenSet } from '../../src-main/core/vault.ts';
import { envTransport } from '../support/transport.ts';

const config: AppConfig = parseConfig({
  AUTH0_DOMAIN: 'http://127.0.0.1:9/',
  AUTH0_CLIENT_ID: 'unit-client',
  AUTH0_AUDIENCE: 'https://hello-world.example.com',
  API_SERVER_URL: 'http://127.0.0.1:9',
});
const fresh: TokenSet = {
  accessToken: 'ACCESS-TOKEN-SECRET',
  accessTokenExpiresAt: Date.now() + 3600_000,
  idToken: 'ID-TOKEN-SECRET',
  claims: { sub: 'alice', name: 'Alice', nonce: 'n' },
};

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function setup() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'session-manager-'));
  dirs.push(dir);
  const store = new JsonFileStore(path.join(dir, 'session.json'));
  const cipher = new KeyFileBesideDataCipher(dir);
  const events: SessionView[] = [];
  const opened: string[] = [];
  const session = new SessionManager(config, {
    store,
    cipher,
    openExternal: async (url) => void opened.push(url),
    emit: (view) => void events.push(view),
    transport: envTransport(),
  });
  const vault = new TokenVault(store, cipher, vaultOwnerOf(config));
  const accounts = new AccountVault(store, cipher, vaultOwnerOf(config));
  return { session, vault, accounts, store, events, opened };
}

describe('the session without a provider', () => {
  it('restores nothing from an empty vault: one move, to signed out', async () => {
    const { session, events } = setup();
    expect(session.view()).toEqual({ status: 'restoring', persistence: 'encrypted' });
    await session.restore();
    expect(events).toEqual([{ status: 'signed-out', persistence: 'encrypted' }]);
  });

  it('restores saved tokens that are still fresh: one move, to signed in with the profile only', async () => {
    const { session, vault, events } = setup();
    await vault.save(fresh);
    await session.restore();
    expect(events).toEqual([
      {
        status: 'signed-in',
        persistence: 'encrypted',
        profile: { sub: 'alice', name: 'Alice' },
        accounts: [{ sub: 'alice', name: 'Alice', active: true }],
      },
    ]);
    expect(await session.apiCredential()).toEqual({
      accessToken: 'ACCESS-TOKEN-SECRET',
      scheme: 'Bearer',
      sub: 'alice',
      key: undefined,
    });
  });

  it('holds the tokens in memory only as the main process sees them (secrets-at-rest.test.ts reads them so)', async () => {
    const { session, vault } = setup();
    const held = () => (session as unknown as { tokens?: TokenSet }).tokens;
    await session.restore();
    expect(held()).toBeUndefined();
    await vault.save(fresh);
    await session.restore();
    expect(held()).toEqual(fresh);
    await session.endForSwitch();
    expect(held()).toBeUndefined();
  });

  it('restoring again after a sign-out takes the tokens saved since', async () => {
    const { session, vault } = setup();
    await session.restore();
    await vault.save(fresh);
    await session.restore();
    expect(session.view()).toMatchObject({ status: 'signed-in', profile: { sub: 'alice' } });
  });

  it('hands the API no token unless signed in', async () => {
    const { session } = setup();
    await session.restore();
    await expect(session.apiCredential()).rejects.toMatchObject({ code: 'not_signed_in' });
    await expect(session.accessTokenAfterRejection('x')).rejects.toMatchObject({
      code: 'not_signed_in',
    });
  });

  it('a provider switch signs out and empties the vault, without opening a browser', async () => {
    const { session, vault, store, events, opened } = setup();
    await vault.save(fresh);
    await session.restore();
    await session.endForSwitch();
    expect(events.at(-1)).toEqual({ status: 'signed-out', persistence: 'encrypted' });
    expect(store.get(ACCOUNTS_KEY)).toBeUndefined();
    expect(store.get(VAULT_KEY)).toBeUndefined();
    expect(opened).toEqual([]);
    await expect(session.apiCredential()).rejects.toMatchObject({ code: 'not_signed_in' });
  });

  it('refuses what needs a pending sign-in when none is', async () => {
    const { session, events } = setup();
    await session.restore();
    const none = { ok: false, error: { code: 'invalid_request' } };
    expect(session.cancel()).toMatchObject(none);
    expect(await session.reopen()).toMatchObject(none);
    expect(session.useWay('code')).toMatchObject(none);
    expect(await session.openCodePage()).toMatchObject(none);
    expect(session.copyCode()).toMatchObject(none);
    expect(session.deliverAppLink(`${config.redirectScheme}:/callback?code=c&state=s`)).toBe(false);
    expect(events).toHaveLength(1);
  });
});

describe('several accounts without a provider (issue 19)', () => {
  const bobs: TokenSet = {
    ...fresh,
    accessToken: 'BOB-ACCESS-TOKEN',
    claims: { sub: 'bob', name: 'Bob' },
  };
  const both = { active: 'bob', accounts: [{ tokens: fresh }, { tokens: bobs }] };

  it('restores every account with the same one active', async () => {
    const { session, accounts, events } = setup();
    await accounts.save(both);
    await session.restore();
    const listed = [
      { sub: 'alice', name: 'Alice', active: false },
      { sub: 'bob', name: 'Bob', active: true },
    ];
    expect(events).toEqual([
      {
        status: 'signed-in',
        persistence: 'encrypted',
        profile: { sub: 'bob', name: 'Bob' },
        accounts: listed,
      },
    ]);
    expect(session.accountList()).toEqual(listed);
    expect((await session.apiCredential()).accessToken).toBe('BOB-ACCESS-TOKEN');
  });

  it('switches with no network (the provider and API are unreachable) and keeps it across a restart', async () => {
    const { session, accounts, store, opened } = setup();
    await accounts.save(both);
    await session.restore();
    const switched = session.switchTo('alice');
    expect(switched).toMatchObject({ ok: true, session: { profile: { sub: 'alice' } } });
    expect((await session.apiCredential()).accessToken).toBe('ACCESS-TOKEN-SECRET');
    expect(opened).toEqual([]);
    // The next start finds alice active.
    const again = new SessionManager(config, {
      store,
      cipher: new KeyFileBesideDataCipher(path.dirname(store.file)),
      openExternal: async () => {},
      emit: () => {},
      transport: envTransport(),
    });
    await vi.waitFor(async () =>
      expect(await accounts.load()).toMatchObject({ content: { active: 'alice' } }),
    );
    await again.restore();
    expect(again.view()).toMatchObject({ status: 'signed-in', profile: { sub: 'alice' } });
    expect(again.accountList().map(({ sub }) => sub)).toEqual(['alice', 'bob']);
  });

  it('refuses to switch to an account it does not hold', async () => {
    const { session, accounts } = setup();
    await accounts.save(both);
    await session.restore();
    expect(session.switchTo('mallory')).toMatchObject({
      ok: false,
      error: { code: 'invalid_request' },
    });
    expect(session.view()).toMatchObject({ profile: { sub: 'bob' } });
  });

  it('a provider switch forgets every account', async () => {
    const { session, accounts, store } = setup();
    await accounts.save(both);
    await session.restore();
    await session.endForSwitch();
    expect(session.accountList()).toEqual([]);
    expect(store.get(ACCOUNTS_KEY)).toBeUndefined();
  });
});
