/**
 * Real expiry: the devstack issues access tokens that live 2 seconds, and is restarted to show
 * what happens when the provider no longer knows a stored refresh token.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startDevstack } from '../../devstack/index.ts';
import { alice } from '../support/accounts.ts';
import { configFor, signIn, type TestCore, type TestCoreOptions } from '../support/core-harness.ts';
import { useIntegrationStack } from '../support/integration-stack.ts';

const TTL_SECONDS = 2;

const stack = useIntegrationStack({ devstack: { accessTokenTtl: TTL_SECONDS } });

async function signedInCore(options: TestCoreOptions = {}): Promise<TestCore> {
  const test = stack.newCore(configFor(stack.devstack), options);
  await test.core.restore();
  const { result, context } = await signIn(test, stack.browser, alice);
  await context.close();
  expect(result.ok).toBe(true);
  return test;
}

const pastExpiry = () => new Promise((resolve) => setTimeout(resolve, TTL_SECONDS * 1000 + 500));

describe('expired access tokens', () => {
  it('refreshes an expired access token before calling the API', async () => {
    const test = await signedInCore({ clockSkewSeconds: 0 });
    await pastExpiry();
    const before = stack.devstack.tokenRequests('refresh_token');
    expect(await test.core.messages.get('protected')).toEqual({
      ok: true,
      data: { text: 'This is a protected message.' },
    });
    expect(stack.devstack.tokenRequests('refresh_token') - before).toBe(1);
  });

  it('retries once with a fresh token when the API answers 401', async () => {
    // A negative skew makes the core use a token past its expiry, so the API is the one to refuse it.
    const test = await signedInCore({ clockSkewSeconds: -60 });
    await pastExpiry();
    const before = stack.devstack.tokenRequests('refresh_token');
    expect(await test.core.messages.get('protected')).toEqual({
      ok: true,
      data: { text: 'This is a protected message.' },
    });
    expect(stack.devstack.tokenRequests('refresh_token') - before).toBe(1);
  });
});

describe('a saved session that can no longer be used', () => {
  it('is discarded with a reason when the vault file was truncated', async () => {
    const test = await signedInCore();
    const file = path.join(test.dir, 'session.json');
    writeFileSync(file, readFileSync(file, 'utf8').slice(0, 50));
    const next = stack.newCore(configFor(stack.devstack), { dir: test.dir });
    await next.core.restore();
    expect(next.core.view()).toMatchObject({
      status: 'signed-out',
      error: { code: 'storage_unreadable' },
    });
    expect(next.opened).toEqual([]);
  });

  it('signs the user out with a reason when a restarted provider rejects the stored refresh token', async () => {
    const test = await signedInCore();
    const { port: idpPort } = new URL(stack.devstack.issuer);
    const { port: apiPort } = new URL(stack.devstack.apiUrl);
    await stack.devstack.close();
    // Same addresses, fresh memory: every grant, and so every refresh token, is gone.
    stack.devstack = await startDevstack({
      quiet: true,
      accessTokenTtl: TTL_SECONDS,
      idpPort: Number(idpPort),
      apiPort: Number(apiPort),
    });
    await pastExpiry();
    const next = stack.newCore(configFor(stack.devstack), { dir: test.dir });
    await next.core.restore();
    expect(next.core.view()).toMatchObject({
      status: 'signed-out',
      error: { code: 'session_expired', message: 'Your session has expired. Please log in again.' },
    });
    expect(await next.storedTokens()).toBeUndefined();
    expect(await next.core.messages.get('protected')).toMatchObject({
      ok: false,
      error: { code: 'not_signed_in' },
    });
  });
});
