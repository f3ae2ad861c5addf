/**
 * Sign in with a code (RFC 8628, issue 9): the time from the user's approval at the provider (the
 * provider's "You are signed in" page has loaded in the browser) to the app being signed in (the
 * core's `signed-in` event, what turns the nav to Log Out), for two polling intervals. The wait is
 * the rest of the current polling interval plus one token request, so the median sits near half the
 * interval and the maximum near the whole interval.
 *
 * Run: npm run bench:sign-in-code  (node bench/sign-in-code.ts); BENCH_QUICK=1: one sample at the
 * 1 s interval only.
 */
import { performance } from 'node:perf_hooks';
import type { Browser } from 'playwright-core';
import { startDevstack, type Devstack } from '../devstack/index.ts';
import type { SessionView } from '../src-preload/contract.ts';
import { alice } from '../test/support/accounts.ts';
import { configFor, createTestCore } from '../test/support/core-harness.ts';
import { enterSignInCode, launchSystemBrowser } from '../test/support/system-browser.ts';
import { median, ms, printResult, printTable, QUICK, round, runBench, samples } from './support.ts';
import { signInOf } from '../test/support/session-view.ts';

const SAMPLES = samples(5, 1);
const INTERVALS: readonly number[] = QUICK ? [1] : [1, 5];
const devstacks: Devstack[] = [];
let browser: Browser | undefined;

async function approvalToSignedIn(devstack: Devstack): Promise<number> {
  const test = createTestCore(configFor(devstack));
  await test.core.restore();
  let signedInAt = 0;
  const signedIn = new Promise<void>((resolve) => {
    const poll = setInterval(() => {
      if (test.events.some((view: SessionView) => view.status === 'signed-in')) {
        signedInAt = performance.now();
        clearInterval(poll);
        resolve();
      }
    }, 2);
  });
  const opened = test.nextOpened();
  const result = test.core.session.login();
  await opened;
  test.core.session.useWay('code');
  while (!signInOf(test.core.view())?.code) await new Promise((resolve) => setTimeout(resolve, 10));
  const code = signInOf(test.core.view())!.code!;
  const { context } = await enterSignInCode(browser!, code.verificationUri, code.userCode, {
    username: alice.email,
    password: alice.password,
  });
  const approvedAt = performance.now();
  await signedIn;
  await result;
  await context.close();
  await test.core.session.logout();
  await test.core.close();
  return Math.max(0, signedInAt - approvedAt);
}

async function main(): Promise<void> {
  browser = await launchSystemBrowser();
  const rows: string[][] = [];
  const figures: Record<string, { n: number; medianMs: number; minMs: number; maxMs: number }> = {};
  for (const interval of INTERVALS) {
    const devstack = await startDevstack({ quiet: true, deviceCodeInterval: interval });
    devstacks.push(devstack);
    const times: number[] = [];
    for (let i = 0; i < SAMPLES; i++) times.push(await approvalToSignedIn(devstack));
    rows.push([
      `${interval} s`,
      String(SAMPLES),
      ms(median(times)),
      ms(Math.min(...times)),
      ms(Math.max(...times)),
    ]);
    figures[`interval${interval}s`] = {
      n: times.length,
      medianMs: round(median(times)),
      minMs: round(Math.min(...times)),
      maxMs: round(Math.max(...times)),
    };
  }
  console.log(
    `Sign in with a code: approval at the provider → signed in (core event)${QUICK ? ' (BENCH_QUICK=1: figures not meaningful)' : ''}`,
  );
  printTable(['polling interval', 'samples', 'median', 'min', 'max'], rows);
  printResult({ bench: 'sign-in-code', ...figures });
}

await runBench('bench:sign-in-code', main, async () => {
  await browser?.close();
  await Promise.all(devstacks.map((devstack) => devstack.close()));
});
