/**
 * A devstack with a data folder (the preview's and the Electron app's built-in one) survives its own
 * restart: the same ports, the same folder, and a saved session is still honoured — restored without
 * a browser, refreshed (its refresh token and signing key were kept), and good for the API. Sign-ups
 * survive too, as password hashes only, in owner-only files.
 * (Without a data folder a restart forgets everything: core-expiry.test.ts, "restarted provider".)
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { STATE_FILES } from '../../devstack/index.ts';
import { alice } from '../support/accounts.ts';
import {
  configFor,
  filesUnder,
  signIn,
  type TestCore,
  type TestCoreOptions,
} from '../support/core-harness.ts';
import { useIntegrationStack } from '../support/integration-stack.ts';
import { restartableDevstack, type RestartableDevstack } from '../support/restartable-devstack.ts';

const PROTECTED = { ok: true, data: { text: 'This is a protected message.' } };
/** The app's default on the devstack: DPoP-bound tokens, nonces required by the provider and the API. */
const DPOP = { AUTH0_DPOP: 'true' };

/**
 * Started on two free ports and a state folder of its own, so that it can be started again as the
 * same provider.
 */
const stack = useIntegrationStack({
  devstack: async () => {
    start = await restartableDevstack();
    dataDir = start.dataDir;
    return start();
  },
});
let start: RestartableDevstack;
let dataDir: string;
const passwords: string[] = [alice.password];

/** Stops the devstack and starts it again on the same ports and folder. */
async function restart(): Promise<void> {
  const issuer = stack.devstack.issuer;
  await stack.devstack.close();
  stack.devstack = await start();
  expect(stack.devstack.issuer).toBe(issuer);
}

function newCore(options: TestCoreOptions = {}): TestCore {
  return stack.newCore(configFor(stack.devstack, DPOP), options);
}

describe('a devstack restarted on its data folder', () => {
  it('still honours a saved session: restored without a browser, refreshed, and the API accepts it', async () => {
    const first = newCore();
    await first.core.restore();
    const { result, context } = await signIn(first, stack.browser, alice);
    await context.close();
    expect(result.ok).toBe(true);
    expect(await first.core.messages.get('protected')).toEqual(PROTECTED);
    const before = (await first.storedTokens())!;
    await first.core.close();

    await restart();

    // A new core over the same vault; the skew makes every stored access token "expiring": the
    // restore has to refresh, which only a provider that kept the refresh token (and the grant) allows.
    const next = newCore({ dir: first.dir, clockSkewSeconds: 7200 });
    await next.core.restore();
    expect(next.core.view()).toMatchObject({
      status: 'signed-in',
      profile: { email: alice.email },
    });
    expect(next.core.view().error).toBeUndefined();
    expect(next.opened).toEqual([]);
    expect(stack.devstack.tokenRequests('refresh_token')).toBeGreaterThanOrEqual(1);
    const after = (await next.storedTokens())!;
    expect(after.refreshToken).toEqual(expect.any(String));
    expect(after.refreshToken).not.toBe(before.refreshToken);
    // The refreshed ID token is signed by the same (kept) key the core verifies against the JWKS.
    expect(after.idToken).not.toBe(before.idToken);

    expect(await next.core.messages.get('protected')).toEqual(PROTECTED);
    expect(await next.core.messages.get('admin')).toEqual({
      ok: true,
      data: { text: 'This is an admin message.' },
    });
  });

  it('keeps signed-up accounts: the new account logs in after a restart', async () => {
    const newcomer = {
      email: `kept-${Date.now()}@example.com`,
      password: 'a-long-password-kept',
      name: 'Kept Person',
    };
    passwords.push(newcomer.password);
    const first = newCore();
    await first.core.restore();
    const signup = await signIn(first, stack.browser, newcomer, 'signup');
    await signup.context.close();
    expect(signup.result.ok).toBe(true);

    await restart();

    const next = newCore();
    await next.core.restore();
    const login = await signIn(next, stack.browser, newcomer);
    await login.context.close();
    expect(login.result.ok).toBe(true);
    expect(login.formShown).toBe(true);
    expect(next.core.view()).toMatchObject({
      status: 'signed-in',
      profile: { email: newcomer.email, name: newcomer.name },
    });
    expect(await next.core.messages.get('protected')).toEqual(PROTECTED);
  });

  it('keeps its state owner-only, and no password in clear', async () => {
    await stack.devstack.close();
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    // No temporary file left behind: exactly the three state files.
    expect(readdirSync(dataDir).sort()).toEqual(Object.values(STATE_FILES).sort());
    for (const name of readdirSync(dataDir)) {
      expect({ name, mode: statSync(path.join(dataDir, name)).mode & 0o777 }).toEqual({
        name,
        mode: 0o600,
      });
    }
    const accounts = JSON.parse(readFileSync(path.join(dataDir, STATE_FILES.accounts), 'utf8')) as {
      accounts: Array<Record<string, unknown>>;
    };
    expect(accounts.accounts).toHaveLength(1);
    expect(Object.keys(accounts.accounts[0]!).sort()).toEqual([
      'email',
      'emailVerified',
      'hash',
      'id',
      'kdf',
      'name',
      'permissions',
      'salt',
      'updatedAt',
    ]);
    const everything = filesUnder(dataDir);
    for (const password of passwords) expect(everything).not.toContain(password);
    stack.devstack = await start();
  });
});
