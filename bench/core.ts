/**
 * Benchmark of the core against a real devstack (free ports), with Debian's Chromium as the system
 * browser. Prints figures; asserts only that each step worked.
 *
 *   1. Code exchange: from the callback reaching the loopback receiver to the tokens saved in the
 *      vault, through the core, next to a bare openid-client `authorizationCodeGrant` (the floor).
 *      Every sample uses a fresh code from the same provider, obtained by the same browser context
 *      playing the user's system browser. Between core samples the core logs out the way a user
 *      does: Log Out, then the provider's logout page opened in that browser, which ends the
 *      provider session and returns to the app; so the next Log In meets the provider's login form,
 *      and the benchmark types the password as a person would (the core's prompt=login rule stays
 *      as it is; nothing here switches it off). The browser's redirect to the loopback is held (see
 *      CallbackCatcher); the benchmark delivers it itself. The core's time runs from the request
 *      reaching the loopback receiver (Node's http.server.request.start diagnostics channel) until
 *      the vault's store.set returned; the floor's time is the `authorizationCodeGrant` call alone.
 *      Neither window contains the browser, the form or the logout. Each starts after a 100 ms pause.
 *   2. Protected message: `core.messages.get('protected')` next to a direct axios GET with the same
 *      bearer token, interleaved, after a warm-up.
 *   3. Single-flight refresh: refresh requests seen at the provider for 100 concurrent calls with an
 *      expiring access token.
 *
 * Run: npm run bench:core  (node bench/core.ts); BENCH_QUICK=1 for a few samples without warm-up.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import axios from 'axios';
import * as client from 'openid-client';
import type { Browser } from 'playwright-core';
import { startDevstack, type Devstack } from '../devstack/index.ts';
import { createAuthCore, type AuthCore } from '../src-main/core/index.ts';
import { JsonFileStore, KeyFileBesideDataCipher } from '../src-main/core/node-storage.ts';
import { PROVIDER_TIMEOUT_SECONDS, SCOPE } from '../src-main/core/oidc.ts';
import type { Cipher, KeyValueStore } from '../src-main/core/platform.ts';
import { ACCOUNTS_KEY } from '../src-main/core/account-vault.ts';
import { configFor, createTestCore, type TestCore } from '../test/support/core-harness.ts';
import { closedPort } from '../test/support/ports.ts';
import { alice } from '../test/support/accounts.ts';
import { launchSystemBrowser } from '../test/support/system-browser.ts';
import {
  benchHeader,
  CallbackArrivals,
  CallbackCatcher,
  deliverCallback,
  finishProviderLogout,
  median,
  ms,
  printResult,
  printTable,
  quantile,
  QUICK,
  round,
  runBench,
  samples,
} from './support.ts';
import { envTransport } from '../test/support/transport.ts';

const EXCHANGE_WARMUP = samples(3, 0);
const EXCHANGE_SAMPLES = samples(40, 3);
const MESSAGE_WARMUP = samples(50, 0);
const MESSAGE_SAMPLES = samples(200, 10);
const CONCURRENT_CALLS = 100;
/** Pause before each timed exchange so the browser and Playwright (same process) have gone quiet. */
const SETTLE_MS = 100;
const settle = () => new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
const PROTECTED_TEXT = 'This is a protected message.';

let devstack: Devstack | undefined;
let browser: Browser | undefined;
let core: AuthCore | undefined;
let expiring: TestCore | undefined;
let arrivals: CallbackArrivals | undefined;
const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-core-'));

async function main(): Promise<void> {
  const started = performance.now();
  [devstack, browser] = await Promise.all([startDevstack({ quiet: true }), launchSystemBrowser()]);
  const stack = devstack;
  const config = configFor(stack);
  const arrived = (arrivals = new CallbackArrivals());

  // The core, with the test harness's Node ports, and a store that notes when the vault is written.
  let vaultSavedAt: number | undefined;
  const files = new JsonFileStore(path.join(dir, 'session.json'));
  const store: KeyValueStore = {
    get: (key) => files.get(key),
    set: (key, value) => {
      files.set(key, value);
      if (key === ACCOUNTS_KEY) vaultSavedAt = performance.now();
    },
    delete: (key) => files.delete(key),
  };
  // ...and a cipher that notes when encryption of the token set starts (the vault save begins).
  const keyFile = new KeyFileBesideDataCipher(dir);
  let encryptStartedAt: number | undefined;
  const cipher: Cipher = {
    isAvailable: () => keyFile.isAvailable(),
    encrypt: (plaintext) => {
      encryptStartedAt = performance.now();
      return keyFile.encrypt(plaintext);
    },
    decrypt: (ciphertext) => keyFile.decrypt(ciphertext),
  };
  // What the core asks the system browser to open: sign-in pages and the provider's logout page.
  let openWaiters: Array<(url: string) => void> = [];
  const nextOpened = () => new Promise<string>((resolve) => openWaiters.push(resolve));
  const theCore = createAuthCore(config, {
    openExternal: async (url) => {
      const waiters = openWaiters;
      openWaiters = [];
      for (const waiter of waiters) waiter(url);
    },
    cipher,
    store,
    emit: () => {},
    transport: envTransport(),
  });
  core = theCore;
  await theCore.restore();
  if (theCore.view().status !== 'signed-out')
    throw new Error(`expected a signed-out core, got ${theCore.view().status}`);

  const floorConfig = await client.discovery(
    new URL(stack.issuer),
    stack.clientId,
    { token_endpoint_auth_method: 'none' },
    client.None(),
    {
      timeout: PROVIDER_TIMEOUT_SECONDS,
      execute: [client.allowInsecureRequests],
    },
  );
  const floorRedirectUri = `http://127.0.0.1:${await closedPort()}/callback`;
  const floorAuthorization = async () => {
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
    return { url: url.href, checks: { pkceCodeVerifier, expectedState, expectedNonce } };
  };

  // One browser context plays the user's browser: its cookies are the provider session. The
  // provider answers an authorization at once when that session exists, else shows its login form
  // (filled in as Alice); the catcher holds every redirect to a loopback /callback.
  const context = await browser.newContext();
  const catcher = await CallbackCatcher.install(
    context,
    floorConfig.serverMetadata().authorization_endpoint!,
  );
  const systemPage = await context.newPage();
  const authorize = (authorizationUrl: string) =>
    catcher.authorize(systemPage, authorizationUrl, alice);

  // --- 1. code exchange: core vs. bare authorizationCodeGrant ---------------------------------
  const coreSample = async (
    last: boolean,
  ): Promise<{ saved: number; resolved: number; delivery: number; vaultSave: number }> => {
    const opened = nextOpened();
    const login = theCore.session.login();
    const callbackUrl = await authorize(await opened);
    let resolvedAt = 0;
    const result = login.then((value) => {
      resolvedAt = performance.now();
      return value;
    });
    vaultSavedAt = undefined;
    encryptStartedAt = undefined;
    await settle();
    const t0 = performance.now();
    const [status, outcome] = await Promise.all([deliverCallback(callbackUrl), result]);
    if (status !== 303) throw new Error(`the loopback receiver answered ${status}, expected 303`);
    if (!outcome.ok)
      throw new Error(`core login failed: ${outcome.error.code}: ${outcome.error.message}`);
    if (vaultSavedAt === undefined || encryptStartedAt === undefined)
      throw new Error('the vault was not written');
    const arrivedAt = arrived.at(callbackUrl);
    if (arrivedAt === undefined || arrivedAt < t0)
      throw new Error('the callback was not seen arriving at the loopback receiver');
    const sample = {
      saved: vaultSavedAt - arrivedAt,
      resolved: resolvedAt - arrivedAt,
      delivery: arrivedAt - t0,
      vaultSave: vaultSavedAt - encryptStartedAt,
    };
    if (!last) {
      // Log Out, and finish it at the provider in the browser as the user would.
      const logoutPage = nextOpened();
      const out = await theCore.session.logout();
      if (!out.ok) throw new Error('logout failed');
      await finishProviderLogout(systemPage, await withTimeout(logoutPage, 'the logout page'));
    }
    return sample;
  };

  const floorSample = async (): Promise<number> => {
    const { url, checks } = await floorAuthorization();
    const callbackUrl = new URL(await authorize(url));
    await settle();
    const t0 = performance.now();
    const tokens = await client.authorizationCodeGrant(floorConfig, callbackUrl, {
      ...checks,
      idTokenExpected: true,
    });
    const elapsed = performance.now() - t0;
    if (!tokens.access_token || !tokens.id_token || !tokens.refresh_token)
      throw new Error('the floor grant returned incomplete tokens');
    return elapsed;
  };

  const coreSaved: number[] = [];
  const coreResolved: number[] = [];
  const deliveries: number[] = [];
  const vaultSaves: number[] = [];
  const floor: number[] = [];
  const rounds = EXCHANGE_WARMUP + EXCHANGE_SAMPLES;
  for (let i = 0; i < rounds; i++) {
    const last = i === rounds - 1;
    // Alternate which kind goes first, so neither always benefits from the other's warm-up.
    let c: { saved: number; resolved: number; delivery: number; vaultSave: number };
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
    deliveries.push(c.delivery);
    vaultSaves.push(c.vaultSave);
    floor.push(f);
  }
  await context.close();

  // --- 2. protected message: core vs. direct axios -------------------------------------------
  if (theCore.view().status !== 'signed-in')
    throw new Error('the core is not signed in after the last sample');
  const token = await theCore.session.accessToken();
  const messageUrl = new URL('api/messages/protected', config.apiServerUrl).href;
  const viaCore = async (): Promise<number> => {
    const t0 = performance.now();
    const result = await theCore.messages.get('protected');
    const elapsed = performance.now() - t0;
    if (!result.ok || result.data.text !== PROTECTED_TEXT)
      throw new Error(`core message call failed: ${JSON.stringify(result)}`);
    return elapsed;
  };
  const direct = async (): Promise<number> => {
    const t0 = performance.now();
    const response = await axios.get<{ text: string }>(messageUrl, {
      headers: { Authorization: `Bearer ${token}` },
    });
    const elapsed = performance.now() - t0;
    if (response.status !== 200 || response.data.text !== PROTECTED_TEXT)
      throw new Error(`direct call failed: ${response.status}`);
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
  if (expiring.core.view().status !== 'signed-in')
    throw new Error('the expiring core did not restore the session');
  const before = stack.tokenRequests('refresh_token');
  const results = await Promise.all(
    Array.from({ length: CONCURRENT_CALLS }, () => expiring!.core.messages.get('protected')),
  );
  const refreshes = stack.tokenRequests('refresh_token') - before;
  const failed = results.filter((result) => !result.ok).length;
  if (failed > 0) throw new Error(`${failed} of ${CONCURRENT_CALLS} concurrent calls failed`);

  // --- report -----------------------------------------------------------------------------------
  const exchangeRatio = median(coreSaved) / median(floor);
  const overhead = coreSaved.map((value, i) => value - floor[i]!);
  const messageRatio = median(coreCalls) / median(directCalls);
  const verdict = (ok: boolean) => (QUICK ? 'not judged' : ok ? 'met' : 'MISSED');
  console.log(benchHeader('bench:core', `devstack ${stack.issuer} (IdP), ${stack.apiUrl} (API)`));
  printTable(
    ['measure', 'n', 'median', 'p90', 'goal'],
    [
      [
        'code exchange, core: callback at receiver → vault saved',
        String(coreSaved.length),
        ms(median(coreSaved)),
        ms(quantile(coreSaved, 0.9)),
        '',
      ],
      [
        '  of which: vault save (encrypt + store.set)',
        String(vaultSaves.length),
        ms(median(vaultSaves)),
        ms(quantile(vaultSaves, 0.9)),
        '',
      ],
      [
        'code exchange, core: callback at receiver → login() resolved',
        String(coreResolved.length),
        ms(median(coreResolved)),
        ms(quantile(coreResolved, 0.9)),
        '',
      ],
      [
        'code exchange, floor: authorizationCodeGrant alone',
        String(floor.length),
        ms(median(floor)),
        ms(quantile(floor, 0.9)),
        '',
      ],
      [
        '  ratio core (vault saved) / floor, medians',
        '',
        exchangeRatio.toFixed(3),
        '',
        `≤ 1.2 ${verdict(exchangeRatio <= 1.2)}`,
      ],
      [
        '  core − floor, per round (paired)',
        String(overhead.length),
        ms(median(overhead)),
        ms(quantile(overhead, 0.9)),
        '',
      ],
      [
        '  (not counted: GET sent → callback at receiver)',
        String(deliveries.length),
        ms(median(deliveries)),
        ms(quantile(deliveries, 0.9)),
        '',
      ],
      [
        "protected message, core: messages.get('protected')",
        String(coreCalls.length),
        ms(median(coreCalls)),
        ms(quantile(coreCalls, 0.9)),
        '',
      ],
      [
        'protected message, direct axios GET, same bearer token',
        String(directCalls.length),
        ms(median(directCalls)),
        ms(quantile(directCalls, 0.9)),
        '',
      ],
      [
        '  ratio core / direct, medians',
        '',
        messageRatio.toFixed(3),
        '',
        `≤ 1.2 ${verdict(messageRatio <= 1.2)}`,
      ],
      [
        `refresh requests at the provider, ${CONCURRENT_CALLS} concurrent calls, expiring token`,
        '',
        String(refreshes),
        '',
        `= 1 ${verdict(refreshes === 1)}`,
      ],
    ],
  );
  const wall = (performance.now() - started) / 1000;
  console.log(
    `\n(${QUICK ? 'BENCH_QUICK=1: a few samples, figures not meaningful; ' : ''}${EXCHANGE_WARMUP} warm-up exchange pairs and ${MESSAGE_WARMUP} warm-up message pairs not counted; ${SETTLE_MS} ms pause before each timed exchange; the provider showed its login form ${catcher.formsShown} times (after each finished logout); wall time ${wall.toFixed(1)} s)\n`,
  );
  printResult({
    bench: 'core',
    codeExchange: {
      n: coreSaved.length,
      coreVaultSavedMedianMs: round(median(coreSaved)),
      coreVaultSavedP90Ms: round(quantile(coreSaved, 0.9)),
      coreLoginResolvedMedianMs: round(median(coreResolved)),
      vaultSaveMedianMs: round(median(vaultSaves)),
      deliveryMedianMs: round(median(deliveries)),
      floorMedianMs: round(median(floor)),
      floorP90Ms: round(quantile(floor, 0.9)),
      ratio: round(exchangeRatio, 3),
      pairedOverheadMedianMs: round(median(overhead)),
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
    singleFlightRefresh: {
      concurrentCalls: CONCURRENT_CALLS,
      refreshRequests: refreshes,
      goal: 1,
    },
    loginFormsShown: catcher.formsShown,
    wallSeconds: round(wall, 1),
  });
  if (refreshes !== 1 && !QUICK) process.exitCode = 1;
}

/** `promise`, or an error naming `what` after 10 s (the core opened nothing). */
function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_resolve, reject) => {
      timer = setTimeout(
        () => reject(new Error(`the core did not open ${what} within 10 s`)),
        10_000,
      );
    }),
  ]).finally(() => clearTimeout(timer));
}

async function cleanup(): Promise<void> {
  arrivals?.close();
  await core?.close().catch(() => {});
  await expiring?.core.close().catch(() => {});
  await browser?.close().catch(() => {});
  await devstack?.close().catch(() => {});
  rmSync(dir, { recursive: true, force: true });
}

await runBench('bench:core', main, cleanup);
