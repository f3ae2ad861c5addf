/**
 * Several accounts (issue 19), the core against the real devstack with Chromium as the system
 * browser and DPoP on: alice signs in, bob is added (the provider's login page although the browser
 * holds alice's session), each account has its own tokens, DPoP key and refresh chain, a switch is
 * local, a restart brings both back with the same one active, and Log Out ends them all. Plus the
 * migration of a vault written in the single-session format with real tokens.
 */
import path from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { ACCOUNTS_KEY } from '../../src-main/core/account-vault.ts';
import { DPOP_KEY_RECORD } from '../../src-main/core/dpop.ts';
import { JsonFileStore, KeyFileBesideDataCipher } from '../../src-main/core/node-storage.ts';
import { TokenVault, vaultOwnerOf } from '../../src-main/core/vault.ts';
import { alice, bob } from '../support/accounts.ts';
import { configFor, signIn, type Account, type TestCore } from '../support/core-harness.ts';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { send } from '../support/http.ts';
import { providerAccepts, useIntegrationStack } from '../support/integration-stack.ts';
import { profileOf } from '../support/session-view.ts';
import { signInWithBrowser } from '../support/system-browser.ts';

const stack = useIntegrationStack();
const contexts: BrowserContext[] = [];
afterEach(async () => {
  for (const context of contexts.splice(0)) await context.close();
});

const PROTECTED = { ok: true, data: { text: 'This is a protected message.' } };
const ADMIN = { ok: true, data: { text: 'This is an admin message.' } };
const DENIED = {
  ok: false,
  error: { code: 'api_error', status: 403, message: 'Permission denied' },
};

function config(overrides: Record<string, string> = {}) {
  return configFor(stack.devstack, { AUTH0_DPOP: 'true', ...overrides });
}

function claimsOf(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >;
}

/** alice signed in; her browser context stays open (the provider's session lives on in it). */
async function aliceSignedIn(options: Parameters<typeof stack.newCore>[1] = {}) {
  const test = stack.newCore(config(), options);
  await test.core.restore();
  const { result, context } = await signIn(test, stack.browser, alice);
  contexts.push(context);
  expect(result).toMatchObject({ ok: true, session: { status: 'signed-in' } });
  return { test, context };
}

/** "Add another account" completed in `context` (the same browser) as `account`. */
async function addAccount(test: TestCore, context: BrowserContext, account: Account) {
  const opened = test.nextOpened();
  const result = test.core.session.addAccount();
  const url = await opened;
  const browsing = await signInWithBrowser(stack.browser, url, {
    username: account.email,
    password: account.password,
    context,
  });
  await browsing.page.close();
  return { result: await result, url, formShown: browsing.formShown };
}

/** Every request to the provider's token endpoint so far, whatever its grant. */
function allTokenRequests(): number {
  return ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code']
    .map((grant) => stack.devstack.tokenRequests(grant))
    .reduce((sum, count) => sum + count, 0);
}

/** Each account's sub by email, as the vault holds them. */
async function subsByEmail(test: TestCore): Promise<Record<string, string>> {
  const stored = (await test.storedAccounts())!;
  return Object.fromEntries(
    stored.accounts.map(({ tokens }) => [String(tokens.claims['email']), tokens.claims.sub]),
  );
}

describe('several accounts', () => {
  it('adds bob beside alice with the login page, switches locally, and keeps both across a restart', async () => {
    const { test, context } = await aliceSignedIn();
    expect(await test.core.messages.get('admin')).toEqual(ADMIN);

    // The provider shows its login page although the browser still holds alice's session.
    const added = await addAccount(test, context, bob);
    expect(new URL(added.url).searchParams.get('prompt')).toBe('login');
    expect(added.formShown).toBe(true);
    expect(added.result).toMatchObject({ ok: true, session: { status: 'signed-in' } });
    expect(profileOf(test.core.view())).toMatchObject({ email: bob.email });
    expect(await test.core.messages.get('protected')).toEqual(PROTECTED);
    expect(await test.core.messages.get('admin')).toEqual(DENIED);

    // Switching: no browser and no request to the provider, alice's admin message again.
    const subs = await subsByEmail(test);
    const openedBefore = test.opened.length;
    const tokenRequests = allTokenRequests();
    expect(test.core.session.switchTo(subs[alice.email]!)).toMatchObject({
      ok: true,
      session: { status: 'signed-in', profile: { email: alice.email } },
    });
    expect(test.opened.length).toBe(openedBefore);
    expect(allTokenRequests()).toBe(tokenRequests);
    expect(await test.core.messages.get('admin')).toEqual(ADMIN);
    expect(test.core.session.switchTo(subs[bob.email]!)).toMatchObject({ ok: true });
    expect(await test.core.messages.get('admin')).toEqual(DENIED);
    expect(test.core.session.switchTo(subs[alice.email]!)).toMatchObject({ ok: true });

    // One key per account: the provider and the API see two thumbprints, not one installation's.
    const stored = (await test.storedAccounts())!;
    expect(stored.accounts).toHaveLength(2);
    const jkts = stored.accounts.map(({ tokens }) => claimsOf(tokens.accessToken)['cnf']);
    expect(jkts[0]).not.toEqual(jkts[1]);
    expect(new Set(stored.accounts.map(({ dpopKey }) => dpopKey?.ciphertext)).size).toBe(2);

    // A restart: both accounts back, alice still the active one, without a browser.
    await expect.poll(async () => (await test.storedAccounts())?.active).toBe(subs[alice.email]);
    const restarted = stack.newCore(config(), { dir: test.dir });
    await restarted.core.restore();
    expect(restarted.opened).toEqual([]);
    expect(profileOf(restarted.core.view())).toMatchObject({ email: alice.email });
    expect(restarted.core.session.accountList()).toEqual([
      { sub: subs[alice.email], name: alice.name, active: true },
      { sub: subs[bob.email], name: bob.name, active: false },
    ]);
    expect(await restarted.core.messages.get('admin')).toEqual(ADMIN);
    restarted.core.session.switchTo(subs[bob.email]!);
    expect(await restarted.core.messages.get('admin')).toEqual(DENIED);
  });

  it('adding alice again updates her account (new tokens), never a duplicate', async () => {
    const { test, context } = await aliceSignedIn();
    await addAccount(test, context, bob);
    const before = (await test.storedAccounts())!;
    const aliceBefore = before.accounts.find(
      ({ tokens }) => tokens.claims['email'] === alice.email,
    );

    const again = await addAccount(test, context, alice);
    expect(again.result).toMatchObject({
      ok: true,
      session: { profile: { email: alice.email } },
      notice: `Already added: switched to ${alice.name}`,
    });
    const after = (await test.storedAccounts())!;
    expect(after.accounts.map(({ tokens }) => tokens.claims['email'])).toEqual([
      alice.email,
      bob.email,
    ]);
    expect(after.active).toBe(aliceBefore!.tokens.claims.sub);
    const aliceAfter = after.accounts[0]!;
    expect(aliceAfter.tokens.refreshToken).not.toBe(aliceBefore!.tokens.refreshToken);
    expect(await test.core.messages.get('admin')).toEqual(ADMIN);
  });

  it('Log Out with two accounts empties the vault and revokes both refresh tokens at the provider', async () => {
    const { test, context } = await aliceSignedIn();
    await addAccount(test, context, bob);
    const subs = await subsByEmail(test);
    const bobKey = await test.core.session.dpopKey();
    test.core.session.switchTo(subs[alice.email]!);
    const aliceKey = await test.core.session.dpopKey();
    const stored = (await test.storedAccounts())!;
    const tokensOf = (email: string) =>
      stored.accounts.find(({ tokens }) => tokens.claims['email'] === email)!.tokens;

    const logout = await test.core.session.logout();
    expect(logout).toMatchObject({ ok: true, session: { status: 'signed-out' } });
    expect(test.core.session.accountList()).toEqual([]);
    expect(
      new JsonFileStore(path.join(test.dir, 'session.json')).get(ACCOUNTS_KEY),
    ).toBeUndefined();
    // Revoked: not even the holder of each account's own key can refresh any more.
    expect(
      await providerAccepts(stack.devstack, tokensOf(alice.email).refreshToken!, aliceKey.keyPair),
    ).toBe('invalid_grant');
    expect(
      await providerAccepts(stack.devstack, tokensOf(bob.email).refreshToken!, bobKey.keyPair),
    ).toBe('invalid_grant');
  });

  it('refreshes each account on its own: using bob rotates only his chain, alice’s when she is next used', async () => {
    // Every access token counts as expiring (a clock skew longer than its lifetime).
    const { test, context } = await aliceSignedIn({ clockSkewSeconds: 7200 });
    await addAccount(test, context, bob);
    const subs = await subsByEmail(test);
    const tokensOf = async (email: string) =>
      (await test.storedAccounts())!.accounts.find(
        ({ tokens }) => tokens.claims['email'] === email,
      )!.tokens;
    const aliceBefore = await tokensOf(alice.email);
    const bobBefore = await tokensOf(bob.email);

    // Two calls at once as bob: one refresh (single-flight), of bob's chain only.
    const refreshes = stack.devstack.tokenRequests('refresh_token');
    const calls = await Promise.all([
      test.core.messages.get('protected'),
      test.core.messages.get('protected'),
    ]);
    expect(calls).toEqual([PROTECTED, PROTECTED]);
    expect(stack.devstack.tokenRequests('refresh_token') - refreshes).toBe(1);
    expect((await tokensOf(bob.email)).refreshToken).not.toBe(bobBefore.refreshToken);
    expect((await tokensOf(alice.email)).refreshToken).toBe(aliceBefore.refreshToken);

    // A switch while bob's refresh is in flight: alice's call gets alice's token, not bob's, and
    // bob's answer is not shown under alice.
    const bobCall = test.core.messages.get('admin');
    test.core.session.switchTo(subs[alice.email]!);
    const aliceCall = test.core.messages.get('admin');
    // bob's answer came after the switch: not shown under alice (issue 19).
    expect(await bobCall).toMatchObject({ ok: false, error: { code: 'account_switched' } });
    expect(await aliceCall).toEqual(ADMIN);
    expect((await tokensOf(alice.email)).refreshToken).not.toBe(aliceBefore.refreshToken);
  });

  it('a forged callback during Add account signs nobody in: alice stays, alone and active', async () => {
    const { test } = await aliceSignedIn();
    const opened = test.nextOpened();
    const result = test.core.session.addAccount();
    const url = new URL(await opened);
    // An attacker who even knows this sign-in's state sends the app a code of their choosing.
    const callback = new URL(url.searchParams.get('redirect_uri')!);
    callback.searchParams.set('code', 'forged-code');
    callback.searchParams.set('state', url.searchParams.get('state')!);
    callback.searchParams.set('iss', stack.devstack.issuer);
    await send(callback);
    expect(await result).toMatchObject({ ok: false });
    expect(test.core.view()).toMatchObject({
      status: 'signed-in',
      profile: { email: alice.email },
    });
    expect((await test.storedAccounts())!.accounts).toHaveLength(1);
    expect(await test.core.messages.get('admin')).toEqual(ADMIN);
  });
});

describe('a switch and the vault', () => {
  it('a switch is written after the message it was for, and at once when the app closes', async () => {
    // A long delay makes "not yet written" and "written by close" certain, whatever the load.
    const { test, context } = await aliceSignedIn({ switchWriteDelayMs: 60_000 });
    expect((await addAccount(test, context, bob)).result).toMatchObject({ ok: true });
    const subs = await subsByEmail(test);
    const onDisk = () => new JsonFileStore(path.join(test.dir, 'session.json')).get(ACCOUNTS_KEY);
    const before = JSON.stringify(onDisk());
    for (const email of [alice.email, bob.email, alice.email])
      expect(test.core.session.switchTo(subs[email]!)).toMatchObject({ ok: true });
    expect(await test.core.messages.get('admin')).toEqual(ADMIN);
    expect(JSON.stringify(onDisk())).toBe(before);
    // Quitting right after a switch keeps it: the next start shows alice.
    await test.core.close();
    expect(JSON.stringify(onDisk())).not.toBe(before);
    const restarted = stack.newCore(config(), { dir: test.dir });
    await restarted.core.restore();
    expect(profileOf(restarted.core.view())).toMatchObject({ email: alice.email });
  });
});

describe('migration of a single-session vault', () => {
  it('the signed-in person stays signed in, with the installation key as the account’s own', async () => {
    // A vault in today's format with real tokens: the session record and the installation key.
    const { test } = await aliceSignedIn();
    const stored = (await test.storedAccounts())!;
    const [only] = stored.accounts;
    const store = new JsonFileStore(path.join(test.dir, 'session.json'));
    const cipher = new KeyFileBesideDataCipher(test.dir);
    await test.core.close();
    store.delete(ACCOUNTS_KEY);
    await new TokenVault(store, cipher, vaultOwnerOf(config())).save(only!.tokens);
    store.set(DPOP_KEY_RECORD, only!.dpopKey);

    // The first start after the update: signed in, no browser, and the bound refresh token works
    // (a clock skew longer than the token's lifetime makes the start refresh with the key).
    const refreshes = stack.devstack.tokenRequests('refresh_token');
    const updated = stack.newCore(config(), { dir: test.dir, clockSkewSeconds: 7200 });
    await updated.core.restore();
    expect(updated.opened).toEqual([]);
    expect(profileOf(updated.core.view())).toMatchObject({ email: alice.email });
    expect(stack.devstack.tokenRequests('refresh_token')).toBeGreaterThan(refreshes);
    expect(await updated.core.messages.get('admin')).toEqual(ADMIN);
    const migrated = (await updated.storedAccounts())!;
    expect(migrated.accounts).toHaveLength(1);
    expect(migrated.accounts[0]!.dpopKey).toEqual(only!.dpopKey);
    const files = new JsonFileStore(path.join(test.dir, 'session.json'));
    expect(files.get('session')).toBeUndefined();
    expect(files.get(DPOP_KEY_RECORD)).toBeUndefined();
  });
});

describe('signing out of one account, and the limits (issue 19, step 2)', () => {
  it('Sign out of bob: his refresh token is revoked, no browser opens, alice becomes active', async () => {
    const { test, context } = await aliceSignedIn();
    await addAccount(test, context, bob);
    const subs = await subsByEmail(test);
    const bobKey = await test.core.session.dpopKey();
    const bobTokens = (await test.storedTokens())!;
    const opened = test.opened.length;

    const answer = await test.core.handle('accounts:sign-out', [subs[bob.email]]);
    expect(answer).toMatchObject({
      ok: true,
      session: {
        status: 'signed-in',
        profile: { email: alice.email },
        accounts: [{ sub: subs[alice.email], name: alice.name, active: true }],
      },
    });
    expect(test.opened.length).toBe(opened);
    expect(await providerAccepts(stack.devstack, bobTokens.refreshToken!, bobKey.keyPair)).toBe(
      'invalid_grant',
    );
    expect(await test.core.messages.get('admin')).toEqual(ADMIN);
    expect((await test.storedAccounts())!.accounts).toHaveLength(1);

    // The last one: signed out, still without a browser.
    expect(await test.core.handle('accounts:sign-out', [subs[alice.email]])).toMatchObject({
      ok: true,
      session: { status: 'signed-out' },
    });
    expect(test.opened.length).toBe(opened);
    expect(await test.storedAccounts()).toBeUndefined();
  });

  it('refuses what the renderer may not ask: an unknown account, a sub that is not a string', async () => {
    const { test } = await aliceSignedIn();
    expect(await test.core.handle('accounts:switch', ['mallory'])).toMatchObject({
      ok: false,
      error: { code: 'invalid_request' },
    });
    expect(await test.core.handle('accounts:sign-out', [{ sub: 'x' }])).toMatchObject({
      ok: false,
      error: { code: 'invalid_request' },
    });
    expect(await test.core.handle('accounts:switch', ['x'.repeat(300)])).toMatchObject({
      ok: false,
      error: { code: 'invalid_request' },
    });
    expect(test.core.view()).toMatchObject({ profile: { email: alice.email } });
  });

  it('MAX_ACCOUNTS=1: Add another account is refused before any browser opens', async () => {
    const test = stack.newCore(config({ MAX_ACCOUNTS: '1' }));
    await test.core.restore();
    const { result, context } = await signIn(test, stack.browser, alice);
    contexts.push(context);
    expect(result.ok).toBe(true);
    const opened = test.opened.length;
    expect(await test.core.handle('accounts:add', [])).toEqual({
      ok: false,
      error: {
        code: 'accounts_full',
        message: 'This app keeps one account at a time. Sign out of it to use another.',
      },
    });
    expect(test.opened.length).toBe(opened);
    expect(test.core.view()).toMatchObject({ status: 'signed-in' });
  });
});

/** The message API behind a gate: requests wait until `release()` (a slow API). */
async function slowApi(target: string) {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  let arrived!: () => void;
  const arrival = new Promise<void>((resolve) => (arrived = resolve));
  const server: Server = createServer((incoming, outgoing) => {
    arrived();
    void gate.then(() => {
      const upstream = httpRequest(
        new URL(incoming.url ?? '/', target),
        // The Host header stays the one the app sent: the DPoP proof's `htu` names it.
        { method: incoming.method, headers: incoming.headers },
        (answer) => {
          outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(outgoing);
        },
      );
      incoming.pipe(upstream);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    /** Resolves once a request is waiting at the gate. */
    waiting: () => arrival,
    release: () => open(),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('a switch during a slow API call (issue 19)', () => {
  it('the message fetched for alice is not shown once bob is active; bob gets his own', async () => {
    const api = await slowApi(stack.devstack.apiUrl);
    try {
      const test = stack.newCore(config({ API_SERVER_URL: api.url }));
      await test.core.restore();
      const first = await signIn(test, stack.browser, alice);
      contexts.push(first.context);
      await addAccount(test, first.context, bob);
      const subs = await subsByEmail(test);
      await test.core.handle('accounts:switch', [subs[alice.email]]);

      // alice asks for the admin message; the API is slow; meanwhile the person switches to bob.
      const aliceCall = test.core.handle('messages:get', ['admin']);
      await api.waiting();
      expect(await test.core.handle('accounts:switch', [subs[bob.email]])).toMatchObject({
        ok: true,
      });
      api.release();
      const late = await aliceCall;
      expect(late).toEqual({
        ok: false,
        error: {
          code: 'account_switched',
          message:
            'You switched accounts while this message was on its way, so it was not shown. Open the page again.',
        },
      });
      expect(JSON.stringify(late)).not.toContain('admin message');
      expect(await test.core.handle('messages:get', ['admin'])).toEqual(DENIED);
    } finally {
      api.release();
      await api.close();
    }
  });
});
