/**
 * A devstack with a data folder (the preview's and the Electron app's built-in one) survives its own
 * restart: the same ports, the same folder, and a saved session is still honoured — restored without
 * a browser, refreshed (its refresh token and signing key were kept), and good for the API. Sign-ups
 * survive too, as password hashes only, in owner-only files.
 * (Without a data folder a restart forgets everything: core-expiry.test.ts, "restarted provider".)
 */
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STATE_FILES, startDevstack, type Devstack } from '../../devstack/index.ts';
import { alice } from '../support/accounts.ts';
import {
  configFor,
  createTestCore,
  filesUnder,
  signIn,
  type TestCore,
} from '../support/core-harness.ts';
import { closedPort } from '../support/ports.ts';
import { launchSystemBrowser } from '../support/system-browser.ts';

const PROTECTED = { ok: true, data: { text: 'This is a protected message.' } };
/** The app's default on the devstack: DPoP-bound tokens, nonces required by the provider and the API. */
const DPOP = { AUTH0_DPOP: 'true' };

let browser: Browser;
let devstack: Devstack;
let dataDir: string;
let idpPort: number;
let apiPort: number;
const cores: TestCore[] = [];
const passwords: string[] = [alice.password];

function start(): Promise<Devstack> {
  return startDevstack({ quiet: true, idpPort, apiPort, dataDir });
}

/** Stops the devstack and starts it again on the same ports and folder. */
async function restart(): Promise<void> {
  const issuer = devstack.issuer;
  await devstack.close();
  devstack = await start();
  expect(devstack.issuer).toBe(issuer);
}

function newCore(options: Parameters<typeof createTestCore>[1] = {}): TestCore {
  const test = createTestCore(configFor(devstack, DPOP), options);
  cores.push(test);
  return test;
}

beforeAll(async () => {
  dataDir = path.join(mkdtempSync(path.join(os.tmpdir(), 'devstack-state-')), 'devstack');
  idpPort = await closedPort();
  do apiPort = await closedPort();
  while (apiPort === idpPort);
  [devstack, browser] = await Promise.all([start(), launchSystemBrowser()]);
});

afterAll(async () => {
  for (const test of cores) await test.core.close();
  await browser?.close();
  await devstack?.close();
});

describe('a devstack restarted on its data folder', () => {
  it('still honours a saved session: restored without a browser, refreshed, and the API accepts it', async () => {
    const first = newCore();
    await first.core.restore();
    const { result, context } = await signIn(first, browser, alice);
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
    expect(devstack.tokenRequests('refresh_token')).toBeGreaterThanOrEqual(1);
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
    const signup = await signIn(first, browser, newcomer, 'signup');
    await signup.context.close();
    expect(signup.result.ok).toBe(true);

    await restart();

    const next = newCore();
    await next.core.restore();
    const login = await signIn(next, browser, newcomer);
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
    await devstack.close();
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
    devstack = await start();
  });
});
