/**
 * Benchmark of the core against a real devstack (free ports), with Debian's Chromium as the system
 * browser. Prints figures; asserts only that each step worked.
 *
 *   1. Code exchange: from the callback reaching the loopback receiver to the tokens saved in the
 *      vault, through the core, next to a bare openid-client `authorizationCodeGrant` (the floor).
 *      Every sample uses a fresh code from the same provider, obtained by the same browser context
 *      (its provider session answers at once after the first form login). The browser's redirect to
 *      the loopback is held by `page.route`; the benchmark delivers it itself, timed.
 *   2. Protected message: `core.messages.get('protected')` next to a direct axios GET with the same
 *      bearer token, interleaved, after a warm-up.
 *   3. Single-flight refresh: refresh requests seen at the provider for 100 concurrent calls with an
 *      expiring access token.
 *
 * Run: npm run bench:core  (node bench/core.ts)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import axios from 'axios';
import * as client from 'openid-client';
import type { Browser, BrowserContext } from 'playwright-core';
import { startDevstack, type Devstack } from '../devstack/index.ts';
import { createAuthCore, type AuthCore } from '../src-main/core/index.ts';
import { JsonFileStore, KeyFileBesideDataCipher } from '../src-main/core/node-storage.ts';
import { PROVIDER_TIMEOUT_SECONDS, SCOPE } from '../src-main/core/oidc.ts';
import type { KeyValueStore } from '../src-main/core/ports.ts';
import { VAULT_KEY } from '../src-main/core/vault.ts';
import { configFor, createTestCore, type TestCore } from '../test/support/core-harness.ts';
import { launchSystemBrowser, signInWithBrowser } from '../test/support/system-browser.ts';
import { CallbackCatcher, deliverCallback, freePort, median, ms, printTable, quantile, round } from './support.ts';

const alice = { email: 'alice@example.com', password: 'wonderland' };
const EXCHANGE_WARMUP = 3;
const EXCHANGE_SAMPLES = 20;
const MESSAGE_WARMUP = 20;
const MESSAGE_SAMPLES = 60;
const CONCURRENT_CALLS = 100;
const PROTECTED_TEXT = 'This is a protected message.';

let devstack: Devstack | undefined;
let browser: Browser | undefined;
let core: AuthCore | undefined;
let expiring: TestCore | undefined;
const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-core-'));

async function main(): Promise<void> {
  const started = performance.now();
  [devstack, browser] = await Promise.all([startDevstack({ quiet: true }), launchSystemBrowser()]);
  const stack = devstack;
  const config = configFor(stack);

  // The core, with the test harness's Node ports, and a store that notes when the vault is written.
  let vaultSavedAt: number | undefined;
  const files = new JsonFileStore(path.join(dir, 'session.json'));
  const store: KeyValueStore = {
    get: (key) => files.get(key),
    set: (key, value) => {
      files.set(key, value);
      if (key === VAULT_KEY) vaultSavedAt = performance.now();
    },
    delete: (key) => files.delete(key),
  };
  let openWaiters: Array<(url: string) => void> = [];
  const theCore = createAuthCore(config, {
    openExternal: async (url) => {
      const waiters = openWaiters;
      openWaiters = [];
      for (const waiter of waiters) waiter(url);
    },
    cipher: new KeyFileBesideDataCipher(dir),
    store,
    emit: () => {},
  });
  core = theCore;
  await theCore.restore();
  if (theCore.view().status !== 'signed-out') throw new Error(`expected a signed-out core, got ${theCore.view().status}`);

  // One browser context plays the user's browser: its cookies are the provider session.
  const context = await browser.newContext();
  const catcher = await CallbackCatcher.install(context);
  const authorize = async (authorizationUrl: string): Promise<string> => {
    const caught = catcher.next();
    const { page } = await signInWithBrowser(browser!, authorizationUrl, { username: alice.email, password: alice.password, context });
    const callbackUrl = await caught;
    await page.close();
    if (!new URL(callbackUrl).searchParams.has('code')) throw new Error(`the provider sent no code: ${callbackUrl}`);
    return callbackUrl;
  };

  // --- 1. code exchange: core vs. bare authorizationCodeGrant ---------------------------------
  const floorConfig = await client.discovery(new URL(stack.issuer), stack.clientId, { token_endpoint_auth_method: 'none' }, client.None(), {
    timeout: PROVIDER_TIMEOUT_SECONDS,
    execute: [client.allowInsecureRequests],
  });
  const floorRedirectUri = `http://127.0.0.1:${await freePort()}/callback`;

  const coreSample = async (last: boolean): Promise<{ saved: number; resolved: number }> => {
    const opened = new Promise<string>((resolve) => openWaiters.push(resolve));
    const login = theCore.session.login();
    const callbackUrl = await authorize(await opened);
    let resolvedAt = 0;
    const result = login.then((value) => {
      resolvedAt = performance.now();
      return value;
    });
    vaultSavedAt = undefined;
    const t0 = performance.now();
    const [status, outcome] = await Promise.all([deliverCallback(callbackUrl), result]);
    if (status !== 303) throw new Error(`the loopback receiver answered ${status}, expected 303`);
    if (!outcome.ok) throw new Error(`core login failed: ${outcome.error.code}: ${outcome.error.message}`);
    if (vaultSavedAt === undefined) throw new Error('the vault was not written');
    const sample = { saved: vaultSavedAt - t0, resolved: resolvedAt - t0 };
    if (!last) {
      const out = await theCore.session.logout();
      if (!out.ok) throw new Error('logout failed');
    }
    return sample;
  };

  const floorSample = async (): Promise<number> => {
    const pkceCodeVerifier = client.randomPKCECodeVerifier();
    const expectedState = client.randomState();
    const expectedNonce = client.randomNonce();
    const url = client.buildAuthorizationUrl(floorConfig, {
      redirect_uri: floorRedirectUri,
      scope: SCOPE,
      audience: stack.audience,
      code_challenge: await client.calculatePKCECodeChallenge(pkceCodeVerifier),
      code_challenge_method: 'S256',
      state: expectedState,
      nonce: expectedNonce,
    });
    const callbackUrl = new URL(await authorize(url.href));
    const t0 = performance.now();
    const tokens = await client.authorizationCodeGrant(floorConfig, callbackUrl, { pkceCodeVerifier, expectedState, expectedNonce, idTokenExpected: true });
    const elapsed = performance.now() - t0;
    if (!tokens.access_token || !tokens.id_token || !tokens.refresh_token) throw new Error('the floor grant returned incomplete tokens');
    return elapsed;
  };

  const coreSaved: number[] = [];
  const coreResolved: number[] = [];
  const floor: number[] = [];
  const rounds = EXCHANGE_WARMUP + EXCHANGE_SAMPLES;
  for (let i = 0; i < rounds; i++) {
    const last = i === rounds - 1;
    // Alternate which kind goes first, so neither always benefits from the other's warm-up.
    let c: { saved: number; resolved: number };
    let f: number;
    if (i % 2 === 0) {
      c = await coreSample(last);
      f = await floorSample();
    } else {
      f = await floorSample();
      c = await coreSample(last);
    }
    if (i < EXCHANGE_WARMUP) continue;
    coreSaved.push(c.saved);
    coreResolved.push(c.resolved);
    floor.push(f);
  }
  await context.close();

  // --- 2. protected message: core vs. direct axios -------------------------------------------
  if (theCore.view().status !== 'signed-in') throw new Error('the core is not signed in after the last sample');
  const token = await theCore.session.accessToken();
  const messageUrl = new URL('api/messages/protected', config.apiServerUrl).href;
  const viaCore = async (): Promise<number> => {
    const t0 = performance.now();
    const result = await theCore.messages.get('protected');
    const elapsed = performance.now() - t0;
    if (!result.ok || result.data.text !== PROTECTED_TEXT) throw new Error(`core message call failed: ${JSON.stringify(result)}`);
    return elapsed;
  };
  const direct = async (): Promise<number> => {
    const t0 = performance.now();
    const response = await axios.get<{ text: string }>(messageUrl, { headers: { Authorization: `Bearer ${token}` } });
    const elapsed = performance.now() - t0;
    if (response.status !== 200 || response.data.text !== PROTECTED_TEXT) throw new Error(`direct call failed: ${response.status}`);
    return elapsed;
  };
  const coreCalls: number[] = [];
  const directCalls: number[] = [];
  for (let i = 0; i < MESSAGE_WARMUP + MESSAGE_SAMPLES; i++) {
    let a: number;
    let b: number;
    if (i % 2 === 0) {
      a = await viaCore();
      b = await direct();
    } else {
      b = await direct();
      a = await viaCore();
    }
    if (i < MESSAGE_WARMUP) continue;
    coreCalls.push(a);
    directCalls.push(b);
  }

  // --- 3. single-flight refresh ---------------------------------------------------------------
  // A core over the signed-in vault whose clock skew outlasts the token: to it, every access token
  // is about to expire. restore() refreshes once; then count what 100 concurrent calls cause.
  expiring = createTestCore(config, { dir, clockSkewSeconds: 7200 });
  await expiring.core.restore();
  if (expiring.core.view().status !== 'signed-in') throw new Error('the expiring core did not restore the session');
  const before = stack.tokenRequests('refresh_token');
  const results = await Promise.all(Array.from({ length: CONCURRENT_CALLS }, () => expiring!.core.messages.get('protected')));
  const refreshes = stack.tokenRequests('refresh_token') - before;
  const failed = results.filter((result) => !result.ok).length;
  if (failed > 0) throw new Error(`${failed} of ${CONCURRENT_CALLS} concurrent calls failed`);

  // --- report -----------------------------------------------------------------------------------
  const exchangeRatio = median(coreSaved) / median(floor);
  const messageRatio = median(coreCalls) / median(directCalls);
  const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');
  console.log(`\nbench:core — devstack ${stack.issuer} (IdP), ${stack.apiUrl} (API); Node ${process.version}, ${os.cpus().length} CPUs\n`);
  printTable(
    ['measure', 'n', 'median', 'p90', 'goal'],
    [
      ['code exchange, core: callback delivered → vault saved', String(coreSaved.length), ms(median(coreSaved)), ms(quantile(coreSaved, 0.9)), ''],
      ['code exchange, core: callback delivered → login() resolved', String(coreResolved.length), ms(median(coreResolved)), ms(quantile(coreResolved, 0.9)), ''],
      ['code exchange, floor: authorizationCodeGrant alone', String(floor.length), ms(median(floor)), ms(quantile(floor, 0.9)), ''],
      ['  ratio core (vault saved) / floor, medians', '', exchangeRatio.toFixed(2), '', `≤ 1.2 ${verdict(exchangeRatio <= 1.2)}`],
      ["protected message, core: messages.get('protected')", String(coreCalls.length), ms(median(coreCalls)), ms(quantile(coreCalls, 0.9)), ''],
      ['protected message, direct axios GET, same bearer token', String(directCalls.length), ms(median(directCalls)), ms(quantile(directCalls, 0.9)), ''],
      ['  ratio core / direct, medians', '', messageRatio.toFixed(2), '', `≤ 1.2 ${verdict(messageRatio <= 1.2)}`],
      [`refresh requests at the provider, ${CONCURRENT_CALLS} concurrent calls, expiring token`, '', String(refreshes), '', `= 1 ${verdict(refreshes === 1)}`],
    ],
  );
  const wall = (performance.now() - started) / 1000;
  console.log(`\n(${EXCHANGE_WARMUP} warm-up exchange pairs and ${MESSAGE_WARMUP} warm-up message pairs not counted; wall time ${wall.toFixed(1)} s)\n`);
  console.log(
    JSON.stringify({
      bench: 'core',
      codeExchange: {
        n: coreSaved.length,
        coreVaultSavedMedianMs: round(median(coreSaved)),
        coreVaultSavedP90Ms: round(quantile(coreSaved, 0.9)),
        coreLoginResolvedMedianMs: round(median(coreResolved)),
        floorMedianMs: round(median(floor)),
        floorP90Ms: round(quantile(floor, 0.9)),
        ratio: round(exchangeRatio, 3),
        goal: 1.2,
      },
      protectedMessage: {
        n: coreCalls.length,
        coreMedianMs: round(median(coreCalls)),
        coreP90Ms: round(quantile(coreCalls, 0.9)),
        directMedianMs: round(median(directCalls)),
        directP90Ms: round(quantile(directCalls, 0.9)),
        ratio: round(messageRatio, 3),
        goal: 1.2,
      },
      singleFlightRefresh: { concurrentCalls: CONCURRENT_CALLS, refreshRequests: refreshes, goal: 1 },
      wallSeconds: round(wall, 1),
    }),
  );
  if (refreshes !== 1) process.exitCode = 1;
}

async function cleanup(): Promise<void> {
  await core?.close().catch(() => {});
  await expiring?.core.close().catch(() => {});
  await browser?.close().catch(() => {});
  await devstack?.close().catch(() => {});
  rmSync(dir, { recursive: true, force: true });
}

try {
  await main();
} catch (error) {
  console.error('bench:core failed:', error instanceof Error ? (error.stack ?? error.message) : error);
  process.exitCode = 1;
} finally {
  await cleanup();
}
