/**
 * DPoP (RFC 9449) end to end: the core with AUTH0_DPOP=true against the real devstack (oidc-provider
 * issuing DPoP-bound tokens and requiring its nonce; the Hello World API behind Auth0's middleware,
 * also requiring its nonce), with Chromium as the system browser. Then the attacks DPoP is for: a
 * stolen access token and a stolen refresh token, replayed without the installation's key.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { mkdtempSync, readdirSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DPoPKey, jwkThumbprint } from '../../src-main/core/dpop.ts';
import { configureFromEnvironment, createAuthCore } from '../../src-main/core/index.ts';
import { JsonFileStore, KeyFileBesideDataCipher } from '../../src-main/core/node-storage.ts';
import type { Cipher } from '../../src-main/core/platform.ts';
import type { TokenSet } from '../../src-main/core/vault.ts';
import { alice, bob } from '../support/accounts.ts';
import { configFor, envFor, filesUnder, signIn, type TestCore } from '../support/core-harness.ts';
import { signInWithBrowser } from '../support/system-browser.ts';
import { providerAccepts, useIntegrationStack } from '../support/integration-stack.ts';
import { profileOf } from '../support/session-view.ts';
import { envTransport } from '../support/transport.ts';

const stack = useIntegrationStack();
const { newCore, remember } = stack;

/** Requests the Hello World API received (this process hosts it), by path. */
const apiRequests = new Map<string, number>();
const countApiRequest = (message: unknown) => {
  const { request } = message as { request: IncomingMessage };
  if (stack.devstack && request.headers.host === new URL(stack.devstack.apiUrl).host) {
    const pathname = new URL(request.url ?? '/', stack.devstack.apiUrl).pathname;
    apiRequests.set(pathname, (apiRequests.get(pathname) ?? 0) + 1);
  }
};

beforeAll(() => {
  subscribe('http.server.request.start', countApiRequest);
});

afterAll(() => {
  unsubscribe('http.server.request.start', countApiRequest);
});

function dpopConfig() {
  return configFor(stack.devstack, { AUTH0_DPOP: 'true' });
}

function claimsOf(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >;
}

async function signedIn(
  account = alice,
): Promise<{ test: TestCore; tokens: TokenSet; key: DPoPKey }> {
  const test = newCore(dpopConfig());
  await test.core.restore();
  const { result, context } = await signIn(test, stack.browser, account);
  await context.close();
  expect(result.ok).toBe(true);
  const tokens = (await test.storedTokens())!;
  remember(tokens);
  return { test, tokens, key: await test.core.session.dpopKey() };
}

interface ApiAnswer {
  status: number;
  body: string;
  challenge: string | null;
  nonce: string | null;
}

async function callApi(pathname: string, headers: Record<string, string>): Promise<ApiAnswer> {
  const response = await fetch(new URL(pathname, stack.devstack.apiUrl), { headers });
  return {
    status: response.status,
    body: await response.text(),
    challenge: response.headers.get('www-authenticate'),
    nonce: response.headers.get('dpop-nonce'),
  };
}

/**
 * What an attacker with the token and their own key does: DPoP with their proof, answering the
 * nonce challenge.
 */
async function callWithOwnKey(
  pathname: string,
  accessToken: string,
  key: DPoPKey,
): Promise<ApiAnswer> {
  const url = new URL(pathname, stack.devstack.apiUrl);
  let answer = await callApi(pathname, {
    Authorization: `DPoP ${accessToken}`,
    DPoP: await key.proof('GET', url, { accessToken }),
  });
  if (answer.status === 401 && answer.nonce) {
    answer = await callApi(pathname, {
      Authorization: `DPoP ${accessToken}`,
      DPoP: await key.proof('GET', url, { accessToken, nonce: answer.nonce }),
    });
  }
  return answer;
}

const PROTECTED = { ok: true, data: { text: 'This is a protected message.' } };
const ADMIN = { ok: true, data: { text: 'This is an admin message.' } };

describe('DPoP on (AUTH0_DPOP=true)', () => {
  it('signs in, shows the profile, calls the API, refreshes and logs out with DPoP-bound tokens', async () => {
    const test = newCore(dpopConfig());
    await test.core.restore();
    expect(test.core.view().status).toBe('signed-out');
    // No account, no key: each account's key is made for its sign-in (issue 19).
    await expect(test.core.session.dpopKey()).rejects.toMatchObject({ code: 'not_signed_in' });

    const codeRequests = stack.devstack.tokenRequests('authorization_code');
    const { result, url, context } = await signIn(test, stack.browser, alice);
    await context.close();
    expect(result).toMatchObject({ ok: true, session: { status: 'signed-in' } });
    const key = await test.core.session.dpopKey();
    expect(key.thumbprint).toMatch(/^[\w-]{43}$/);
    expect(profileOf(test.core.view())).toMatchObject({
      name: 'Alice Liddell',
      email: 'alice@example.com',
    });
    // The code is bound to the key (RFC 9449 §10), and the provider's nonce challenge was answered:
    // the first proof (no nonce) got use_dpop_nonce, openid-client retried once with the nonce.
    expect(new URL(url).searchParams.get('dpop_jkt')).toBe(key.thumbprint);
    expect(stack.devstack.tokenRequests('authorization_code') - codeRequests).toBe(2);

    // The access token is bound: cnf.jkt is the key's thumbprint; the refresh token is bound too.
    const tokens = (await test.storedTokens())!;
    remember(tokens);
    expect(tokens.tokenType).toBe('DPoP');
    expect(claimsOf(tokens.accessToken)).toMatchObject({ cnf: { jkt: key.thumbprint } });
    expect(await providerAccepts(stack.devstack, tokens.refreshToken!)).toBe('invalid_grant');

    // API calls: the first gets the API's use_dpop_nonce challenge and one retry; the next use the nonce.
    const protectedBefore = apiRequests.get('/api/messages/protected') ?? 0;
    expect(await test.core.messages.get('protected')).toEqual(PROTECTED);
    expect((apiRequests.get('/api/messages/protected') ?? 0) - protectedBefore).toBe(2);
    expect(await test.core.messages.get('protected')).toEqual(PROTECTED);
    expect((apiRequests.get('/api/messages/protected') ?? 0) - protectedBefore).toBe(3);
    expect(await test.core.messages.get('admin')).toEqual(ADMIN);
    expect(await test.core.messages.get('public')).toEqual({
      ok: true,
      data: { text: 'This is a public message.' },
    });

    // A forced refresh (as after a 401) with the bound refresh token: rotated, and still bound.
    const refreshes = stack.devstack.tokenRequests('refresh_token');
    await test.core.session.accessTokenAfterRejection(tokens.accessToken);
    expect(stack.devstack.tokenRequests('refresh_token')).toBeGreaterThan(refreshes);
    const refreshed = (await test.storedTokens())!;
    remember(refreshed);
    expect(refreshed.accessToken).not.toBe(tokens.accessToken);
    expect(refreshed.refreshToken).not.toBe(tokens.refreshToken);
    expect(refreshed.tokenType).toBe('DPoP');
    expect(claimsOf(refreshed.accessToken)).toMatchObject({ cnf: { jkt: key.thumbprint } });
    expect(await test.core.messages.get('admin')).toEqual(ADMIN);

    // Nothing the renderer saw carries a token or the key.
    const rendererSaw = JSON.stringify([result, test.events, test.core.view()]);
    for (const secret of [
      tokens.accessToken,
      tokens.refreshToken!,
      refreshed.accessToken,
      key.thumbprint,
    ])
      expect(rendererSaw).not.toContain(secret);

    // Log out: the session is gone and its refresh token revoked (even for the key's holder)...
    expect(await test.core.session.logout()).toMatchObject({
      ok: true,
      session: { status: 'signed-out' },
    });
    expect(await test.storedTokens()).toBeUndefined();
    expect(await test.core.messages.get('protected')).toMatchObject({
      ok: false,
      error: { code: 'not_signed_in' },
    });
    expect(await providerAccepts(stack.devstack, refreshed.refreshToken!, key.keyPair)).toBe(
      'invalid_grant',
    );
    // ...and the account's key went with it: the next sign-in (the same person) gets a new key,
    // so nothing links the two sessions by thumbprint.
    expect(filesUnder(test.dir)).not.toContain('dpop');
    const again = await signIn(test, stack.browser, alice);
    await again.context.close();
    remember((await test.storedTokens())!);
    expect((await test.core.session.dpopKey()).thumbprint).not.toBe(key.thumbprint);
  });

  it("refuses a stolen access token without the key: as Bearer, with another key's proof, or with a replayed proof", async () => {
    const { test, tokens, key } = await signedIn(alice);
    const accessToken = tokens.accessToken;

    // Presented as a plain bearer token: the API sees cnf.jkt and wants DPoP.
    expect(
      await callApi('/api/messages/protected', { Authorization: `Bearer ${accessToken}` }),
    ).toMatchObject({ status: 401, body: '{"message":"Bad credentials"}' });
    // Presented as DPoP with the attacker's own key (nonce challenge answered): the proof key is not cnf.jkt.
    const attacker = (await DPoPKey.generate()).key;
    const stolen = await callWithOwnKey('/api/messages/admin', accessToken, attacker);
    expect(stolen).toMatchObject({ status: 401, body: '{"message":"Bad credentials"}' });
    expect(stolen.challenge).toMatch(/^Bearer realm="api", DPoP error="invalid_token"/);
    // As DPoP with no proof at all.
    expect(
      (await callApi('/api/messages/protected', { Authorization: `DPoP ${accessToken}` })).status,
    ).toBe(401);

    // A request captured on the wire (token + a genuine proof) works once; replaying it does not,
    // and its proof is worth nothing for another URL or another token (400 invalid_dpop_proof, as
    // Auth0's middleware answers any bad proof).
    const badProof = {
      status: 400,
      body: '{"message":"Bad credentials"}',
      challenge: expect.stringContaining('error="invalid_dpop_proof"'),
    };
    const protectedUrl = new URL('/api/messages/protected', stack.devstack.apiUrl);
    const nonce = (
      await callApi('/api/messages/protected', {
        Authorization: `DPoP ${accessToken}`,
        DPoP: await key.proof('GET', protectedUrl, { accessToken }),
      })
    ).nonce!;
    const captured = {
      Authorization: `DPoP ${accessToken}`,
      DPoP: await key.proof('GET', protectedUrl, { accessToken, nonce }),
    };
    expect(await callApi('/api/messages/protected', captured)).toMatchObject({
      status: 200,
      body: '{"text":"This is a protected message."}',
    });
    expect(await callApi('/api/messages/protected', captured)).toMatchObject(badProof);
    const other = {
      Authorization: `DPoP ${accessToken}`,
      DPoP: await key.proof('GET', protectedUrl, { accessToken, nonce }),
    };
    expect(await callApi('/api/messages/admin', other)).toMatchObject(badProof);
    const forOtherToken = {
      Authorization: `DPoP ${accessToken}`,
      DPoP: await key.proof('GET', protectedUrl, { accessToken: `${accessToken}x`, nonce }),
    };
    expect(await callApi('/api/messages/protected', forOtherToken)).toMatchObject(badProof);

    // The owner is unaffected.
    expect(await test.core.messages.get('admin')).toEqual(ADMIN);
  });

  it('refuses a stolen refresh token without the key, and the owner keeps refreshing', async () => {
    const { test, tokens, key } = await signedIn(bob);
    const refreshToken = tokens.refreshToken!;
    expect(await providerAccepts(stack.devstack, refreshToken)).toBe('invalid_grant');
    expect(
      await providerAccepts(stack.devstack, refreshToken, await client.randomDPoPKeyPair('ES256')),
    ).toBe('invalid_grant');

    // The failed thefts consumed nothing: the owner's next refresh (with its key) works.
    await test.core.session.accessTokenAfterRejection(tokens.accessToken);
    const refreshed = (await test.storedTokens())!;
    remember(refreshed);
    expect(refreshed.refreshToken).not.toBe(refreshToken);
    expect(claimsOf(refreshed.accessToken)).toMatchObject({ cnf: { jkt: key.thumbprint } });
    expect(await test.core.messages.get('protected')).toEqual(PROTECTED);
    // ...and the new refresh token is bound the same way.
    expect(await providerAccepts(stack.devstack, refreshed.refreshToken!)).toBe('invalid_grant');
  });

  it('keeps the key across a restart: a new core over the same vault refreshes with the bound refresh token', async () => {
    const { test, tokens, key } = await signedIn(alice);

    // A clock skew longer than the token's lifetime: restore() must refresh, with a proof from the
    // stored key.
    const restarted = newCore(dpopConfig(), { dir: test.dir, clockSkewSeconds: 7200 });
    const refreshes = stack.devstack.tokenRequests('refresh_token');
    await restarted.core.restore();
    expect(restarted.opened).toEqual([]);
    expect(restarted.core.view()).toMatchObject({
      status: 'signed-in',
      persistence: 'encrypted',
      profile: { email: 'alice@example.com' },
    });
    expect(stack.devstack.tokenRequests('refresh_token')).toBeGreaterThan(refreshes);
    expect((await restarted.core.session.dpopKey()).thumbprint).toBe(key.thumbprint);
    const after = (await restarted.storedTokens())!;
    remember(after);
    expect(after.refreshToken).not.toBe(tokens.refreshToken);
    expect(claimsOf(after.accessToken)).toMatchObject({ cnf: { jkt: key.thumbprint } });
    expect(await restarted.core.messages.get('admin')).toEqual(ADMIN);
  });

  it('writes the private key only encrypted, and nothing at all without OS encryption', async () => {
    const { test, key } = await signedIn(alice);

    // The account's vault entry holds one opaque record for its key; decrypted (as only the core
    // could), it is the key.
    const stored = (await test.storedAccounts())!;
    const record = stored.accounts[0]!.dpopKey as unknown as Record<string, unknown>;
    expect(Object.keys(record).sort()).toEqual(['alg', 'ciphertext', 'version']);
    const jwk = JSON.parse(
      await new KeyFileBesideDataCipher(test.dir).decrypt(record.ciphertext as string),
    ) as { kty: 'EC'; crv: 'P-256'; x: string; y: string; d: string };
    expect(await jwkThumbprint(jwk)).toBe(key.thumbprint);
    const disk = filesUnder(test.dir);
    for (const clear of [
      jwk.d,
      Buffer.from(jwk.d, 'base64url').toString('base64'),
      Buffer.from(jwk.d, 'base64url').toString('hex'),
    ]) {
      expect(disk.includes(clear), 'the private key was found in clear in the vault folder').toBe(
        false,
      );
    }
    // Nothing the renderer saw carries it either.
    expect(JSON.stringify(test.events)).not.toContain(jwk.d);
    expect(JSON.stringify(await test.core.session.dpopKey())).not.toContain(jwk.d);

    // Without OS encryption: DPoP still works, with a key in memory only; nothing is written.
    const dir = mkdtempSync(path.join(os.tmpdir(), 'core-vault-'));
    const noEncryption: Cipher = {
      isAvailable: async () => false,
      encrypt: () => Promise.reject(new Error('unavailable')),
      decrypt: () => Promise.reject(new Error('unavailable')),
    };
    const opened: string[] = [];
    const ephemeral = () =>
      createAuthCore(dpopConfig(), {
        openExternal: async (url) => {
          opened.push(url);
        },
        cipher: noEncryption,
        store: new JsonFileStore(path.join(dir, 'session.json')),
        emit: () => {},
        transport: envTransport(),
      });
    const core = ephemeral();
    await core.restore();
    const login = core.session.login();
    await expect.poll(() => opened.length).toBe(1);
    const { context } = await signInWithBrowser(stack.browser, opened[0]!, {
      username: alice.email,
      password: alice.password,
    });
    await context.close();
    expect((await login).ok).toBe(true);
    expect(core.view().persistence).toBe('memory');
    expect(await core.messages.get('protected')).toEqual(PROTECTED);
    expect(readdirSync(dir)).toEqual([]);
    await core.close();
    const next = ephemeral();
    await next.restore();
    expect(next.view().status).toBe('signed-out');
    await expect(next.session.dpopKey()).rejects.toMatchObject({ code: 'not_signed_in' });
    await next.close();
  });
});

describe('the AUTH0_DPOP setting', () => {
  it('is on by default for the devstack and off by default for a configured tenant', async () => {
    const local = await configureFromEnvironment({
      DEVSTACK_IDP_PORT: '0',
      DEVSTACK_API_PORT: '0',
    });
    try {
      expect(local.config.dpop).toBe(true);
      expect(local.summary).toContain('DPoP: on');
    } finally {
      await local.stop();
    }
    const localOff = await configureFromEnvironment({
      DEVSTACK_IDP_PORT: '0',
      DEVSTACK_API_PORT: '0',
      AUTH0_DPOP: 'false',
    });
    await localOff.stop();
    expect(localOff.config.dpop).toBe(false);
    const tenant = envFor(stack.devstack);
    expect((await configureFromEnvironment(tenant)).config.dpop).toBe(false);
    expect((await configureFromEnvironment({ ...tenant, AUTH0_DPOP: 'true' })).config.dpop).toBe(
      true,
    );
    await expect(configureFromEnvironment({ ...tenant, AUTH0_DPOP: 'maybe' })).rejects.toThrow(
      /^AUTH0_DPOP: /,
    );
  });

  it('a bearer (AUTH0_DPOP=false) session on the same devstack keeps plain bearer tokens', async () => {
    const test = newCore(configFor(stack.devstack));
    await test.core.restore();
    const { result, context } = await signIn(test, stack.browser, bob);
    await context.close();
    expect(result.ok).toBe(true);
    const tokens = (await test.storedTokens())!;
    remember(tokens);
    expect(tokens.tokenType).toBe('Bearer');
    expect(claimsOf(tokens.accessToken)).not.toHaveProperty('cnf');
    expect(
      await callApi('/api/messages/protected', { Authorization: `Bearer ${tokens.accessToken}` }),
    ).toMatchObject({ status: 200 });
    expect(await test.core.messages.get('protected')).toEqual(PROTECTED);
  });
});
