/**
 * Benchmark: what DPoP (RFC 9449) costs per API call. One devstack (free ports), two cores signed in
 * as the same user through Chromium as the system browser: one with AUTH0_DPOP=true (DPoP-bound
 * token, `Authorization: DPoP` + a fresh ES256 proof per call, the API verifying proof, `ath`,
 * `cnf.jkt`, its nonce and the proof's `jti`), one with AUTH0_DPOP=false (plain bearer token). Then
 * `core.messages.get('protected')` through each, interleaved (alternating order) after a warm-up.
 * Prints median and p90 of each, and the extra latency per call. Asserts only that every call worked.
 *
 * Run: npm run bench:dpop  (node bench/dpop.ts); BENCH_QUICK=1 for a few samples without warm-up.
 */
import { rmSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { Browser } from 'playwright-core';
import { startDevstack, type Devstack } from '../devstack/index.ts';
import { configFor, createTestCore, signIn, type TestCore } from '../test/support/core-harness.ts';
import { launchSystemBrowser } from '../test/support/system-browser.ts';
import { alice } from '../test/support/accounts.ts';
import {
  benchHeader,
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

const WARMUP = samples(20, 0);
const SAMPLES = samples(100, 5);
const PROOF_SAMPLES = samples(500, 20);
const PROTECTED_TEXT = 'This is a protected message.';

let devstack: Devstack | undefined;
let browser: Browser | undefined;
const cores: TestCore[] = [];

async function signedInCore(stack: Devstack, dpop: boolean): Promise<TestCore> {
  const test = createTestCore(configFor(stack, { AUTH0_DPOP: String(dpop) }));
  cores.push(test);
  await test.core.restore();
  const { result, context } = await signIn(test, browser!, alice);
  await context.close();
  if (!result.ok)
    throw new Error(
      `sign-in failed (${dpop ? 'DPoP' : 'bearer'}): ${JSON.stringify(result.error)}`,
    );
  const tokens = await test.storedTokens();
  const expected = dpop ? 'DPoP' : 'Bearer';
  if (tokens?.tokenType !== expected)
    throw new Error(`expected a ${expected} token, got ${tokens?.tokenType}`);
  return test;
}

async function timedCall(test: TestCore, label: string): Promise<number> {
  const t0 = performance.now();
  const result = await test.core.messages.get('protected');
  const elapsed = performance.now() - t0;
  if (!result.ok || result.data.text !== PROTECTED_TEXT)
    throw new Error(`${label} call failed: ${JSON.stringify(result)}`);
  return elapsed;
}

async function main(): Promise<void> {
  const started = performance.now();
  [devstack, browser] = await Promise.all([startDevstack({ quiet: true }), launchSystemBrowser()]);
  const stack = devstack;
  const withDpop = await signedInCore(stack, true);
  const withBearer = await signedInCore(stack, false);

  const dpopCalls: number[] = [];
  const bearerCalls: number[] = [];
  for (let i = 0; i < WARMUP + SAMPLES; i++) {
    let d: number;
    let b: number;
    if (i % 2 === 0) {
      d = await timedCall(withDpop, 'DPoP');
      b = await timedCall(withBearer, 'bearer');
    } else {
      b = await timedCall(withBearer, 'bearer');
      d = await timedCall(withDpop, 'DPoP');
    }
    if (i < WARMUP) continue;
    dpopCalls.push(d);
    bearerCalls.push(b);
  }
  const paired = dpopCalls.map((value, i) => value - bearerCalls[i]!);

  // The client's share: signing one proof (ES256, with ath) in this process.
  const key = await withDpop.core.session.dpopKey();
  const target = new URL('api/messages/protected', stack.apiUrl);
  const token = (await withDpop.storedTokens())!.accessToken;
  const proofTimes: number[] = [];
  for (let i = 0; i < PROOF_SAMPLES; i++) {
    const t0 = performance.now();
    await key.proof('GET', target, { accessToken: token, nonce: 'n' });
    proofTimes.push(performance.now() - t0);
  }

  const extraMedian = median(dpopCalls) - median(bearerCalls);
  const extraP90 = quantile(dpopCalls, 0.9) - quantile(bearerCalls, 0.9);
  console.log(benchHeader('bench:dpop', `devstack ${stack.issuer} (IdP), ${stack.apiUrl} (API)`));
  printTable(
    ['measure', 'n', 'median', 'p90'],
    [
      [
        "protected message, core with DPoP: messages.get('protected')",
        String(dpopCalls.length),
        ms(median(dpopCalls)),
        ms(quantile(dpopCalls, 0.9)),
      ],
      [
        "protected message, core with bearer: messages.get('protected')",
        String(bearerCalls.length),
        ms(median(bearerCalls)),
        ms(quantile(bearerCalls, 0.9)),
      ],
      [
        'extra latency per call with DPoP (difference of the statistics)',
        '',
        ms(extraMedian),
        ms(extraP90),
      ],
      [
        'extra latency per call with DPoP (paired rounds, DPoP − bearer)',
        String(paired.length),
        ms(median(paired)),
        ms(quantile(paired, 0.9)),
      ],
      [
        '  of which client side: signing one proof (ES256 + ath)',
        String(proofTimes.length),
        ms(median(proofTimes)),
        ms(quantile(proofTimes, 0.9)),
      ],
    ],
  );
  const wall = (performance.now() - started) / 1000;
  console.log(
    `\n(${QUICK ? 'BENCH_QUICK=1: a few samples, figures not meaningful; ' : ''}${WARMUP} warm-up pairs not counted; order alternates each round; wall time ${wall.toFixed(1)} s)\n`,
  );
  printResult({
    bench: 'dpop',
    n: dpopCalls.length,
    dpopMedianMs: round(median(dpopCalls)),
    dpopP90Ms: round(quantile(dpopCalls, 0.9)),
    bearerMedianMs: round(median(bearerCalls)),
    bearerP90Ms: round(quantile(bearerCalls, 0.9)),
    extraMedianMs: round(extraMedian),
    extraP90Ms: round(extraP90),
    pairedExtraMedianMs: round(median(paired)),
    proofSignMedianMs: round(median(proofTimes), 3),
    wallSeconds: round(wall, 1),
  });
}

async function cleanup(): Promise<void> {
  for (const test of cores) {
    await test.core.close().catch(() => {});
    rmSync(test.dir, { recursive: true, force: true });
  }
  await browser?.close().catch(() => {});
  await devstack?.close().catch(() => {});
}

await runBench('bench:dpop', main, cleanup);
