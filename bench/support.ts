/**
 * Shared helpers for the benchmarks: quick mode, the one JSON result line, statistics, an aligned
 * table, a catcher for the browser's redirect back to a loopback `/callback` (so the benchmark, not
 * the browser, decides when the callback is delivered), and finishing a provider logout.
 *
 * Every benchmark (bench/*.ts, `bench:*` in package.json) follows the same contract, which
 * `npm run bench:smoke` (bench/smoke.ts) checks for each of them in `npm test`:
 *   - `BENCH_QUICK=1`: a handful of samples, no warm-up, no figure asserted (`QUICK`, `samples()`);
 *   - stdout ends with exactly one JSON line, printed by `printResult()` (or `skipBench()`);
 *   - a benchmark that cannot run here says why on stdout and exits 0 through `skipBench()`;
 *   - any other failure exits non-zero (`runBench()`).
 */
import os from 'node:os';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { get, type IncomingMessage } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { APIResponse, BrowserContext, Page } from 'playwright-core';
import { LOGIN_FORM } from '../test/support/system-browser.ts';

/** `BENCH_QUICK=1`: prove the benchmark runs (a handful of samples, no warm-up), assert no figure. */
export const QUICK = process.env['BENCH_QUICK'] === '1';

/** How many samples (or warm-up rounds) to take: `full` normally, `quick` under BENCH_QUICK=1. */
export function samples(full: number, quick: number): number {
  return QUICK ? quick : full;
}

let resultPrinted = false;

/**
 * Prints the benchmark's result as its last stdout line: one JSON object named by `bench` (the
 * script's name after `bench:`), marked `quick` when BENCH_QUICK=1. Call it once, at the end.
 */
export function printResult(result: { bench: string } & Record<string, unknown>): void {
  if (resultPrinted)
    throw new Error('printResult() called twice: a benchmark prints one JSON line');
  resultPrinted = true;
  console.log(JSON.stringify({ ...result, quick: QUICK }));
}

/**
 * For a benchmark that cannot run on this machine (e.g. no Electron binary could be had): prints
 * the reason (one line, the failure as the tool reported it) and the JSON line
 * `{"bench": name, "skipped": reason}`, and leaves the exit code at 0.
 */
export function skipBench(name: string, reason: string): void {
  console.log(`bench:${name} skipped: ${reason}`);
  printResult({ bench: name, skipped: reason });
}

export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

/** Nearest-rank quantile (p90 of 20 samples is the 18th smallest). */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  if (q === 0.5 && sorted.length % 2 === 0) {
    return (sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!) / 2;
  }
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[rank - 1]!;
}

export function round(value: number, digits = 2): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** Prints rows as columns: the first left-aligned, the others right-aligned. */
export function printTable(
  header: readonly string[],
  rows: ReadonlyArray<readonly string[]>,
): void {
  const all = [header, ...rows];
  const widths = header.map((_, column) =>
    Math.max(...all.map((row) => (row[column] ?? '').length)),
  );
  const line = (row: readonly string[]) =>
    row
      .map((cell, column) =>
        column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!),
      )
      .join('  ');
  console.log(line(header));
  console.log(widths.map((width) => '-'.repeat(width)).join('  '));
  for (const row of rows) console.log(line(row));
}

export function ms(value: number): string {
  return `${value.toFixed(2)} ms`;
}

/**
 * The line every bench prints above its table: its name, what it measured, and the machine it ran
 * on (Node, CPUs, load), so a figure is never read without its conditions.
 */
export function benchHeader(name: string, what: string): string {
  const machine = `Node ${process.version}, ${os.cpus().length} CPUs, load average ${os.loadavg()[0]!.toFixed(2)}`;
  return `\n${name} — ${what}; ${machine}${QUICK ? '; BENCH_QUICK=1: figures not meaningful' : ''}\n`;
}

/**
 * Runs a bench's `main`, reports a failure as exit code 1, and always runs its `cleanup`. A `main`
 * that returns without printing its JSON line (printResult / skipBench) is a failure too.
 */
export async function runBench(
  name: string,
  main: () => Promise<void>,
  cleanup: () => Promise<void>,
): Promise<void> {
  try {
    await main();
    if (!resultPrinted) throw new Error('finished without printing its JSON result line');
  } catch (error) {
    console.error(
      `${name} failed:`,
      error instanceof Error ? (error.stack ?? error.message) : error,
    );
    process.exitCode = 1;
  } finally {
    await cleanup();
  }
}

/** A redirect's target, resolved against the URL that answered it. */
function redirectTarget(response: APIResponse, base: string): URL | undefined {
  const location =
    response.status() >= 300 && response.status() < 400 && response.headers()['location'];
  return location ? new URL(location, base) : undefined;
}

const isLoopbackCallback = (url: URL | undefined): url is URL =>
  url !== undefined && url.hostname === '127.0.0.1' && url.pathname === '/callback';

/**
 * Holds the provider's redirect back to a loopback `/callback` in a browser context. Playwright does
 * not route requests a browser makes by following a redirect, so the catcher routes the two
 * navigations that start a way back to the app and performs them itself (with the context's
 * cookies, i.e. the provider session):
 *   - the authorization request: with a provider session it redirects straight to the callback;
 *   - a form posted to the provider (the login form, when there is no session or `prompt=login`
 *     asks for the password): its redirects on the provider's origin (oidc-provider's resume of the
 *     authorization request) are followed the same way, with the context's request API.
 * When the chain ends in a redirect to `http://127.0.0.1:<port>/callback`, that URL is kept for
 * `next()` and the browser gets a blank page, so nothing reaches the app. Any other answer (the
 * login form, an error page, the logout's return to the app) goes to the browser unchanged.
 */
export class CallbackCatcher {
  private readonly caught: string[] = [];
  private waiters: Array<(url: string) => void> = [];
  /** How many authorizations showed the provider's login form (the rest came straight back). */
  formsShown = 0;

  static async install(
    context: BrowserContext,
    authorizationEndpoint: string,
  ): Promise<CallbackCatcher> {
    const catcher = new CallbackCatcher();
    const endpoint = new URL(authorizationEndpoint);
    await context.route(
      (url) => url.origin === endpoint.origin,
      async (route) => {
        const request = route.request();
        const formPost = request.method() === 'POST' && request.isNavigationRequest();
        if (!formPost && new URL(request.url()).pathname !== endpoint.pathname) {
          await route.continue();
          return;
        }
        let response = await route.fetch({ maxRedirects: 0 });
        let target = redirectTarget(response, request.url());
        for (let hop = 0; formPost && hop < 10 && target?.origin === endpoint.origin; hop++) {
          response = await context.request.get(target.href, { maxRedirects: 0 });
          target = redirectTarget(response, target.href);
        }
        if (!isLoopbackCallback(target)) {
          await route.fulfill({ response });
          return;
        }
        await route.fulfill({
          status: 200,
          contentType: 'text/html',
          body: '<!doctype html><title>held</title>callback held by the benchmark',
        });
        const waiter = catcher.waiters.shift();
        if (waiter) waiter(target.href);
        else catcher.caught.push(target.href);
      },
    );
    return catcher;
  }

  /** The next callback URL the provider sent the browser to (already caught, or the next one). */
  next(timeoutMs = 20_000): Promise<string> {
    const ready = this.caught.shift();
    if (ready !== undefined) return Promise.resolve(ready);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((waiter) => waiter !== done);
        reject(
          new Error(
            `the provider did not redirect back to a loopback /callback within ${timeoutMs} ms`,
          ),
        );
      }, timeoutMs);
      const done = (url: string) => {
        clearTimeout(timer);
        resolve(url);
      };
      this.waiters.push(done);
    });
  }

  /**
   * Opens `authorizationUrl` in `page` as the user's browser and returns the held callback URL. The
   * provider either answers at once (its session) or shows its login form, which is filled in as
   * `account` the way a person would (after a finished logout, or when `prompt=login` asks).
   */
  async authorize(
    page: Page,
    authorizationUrl: string,
    account: { email: string; password: string },
  ): Promise<string> {
    const caught = this.next();
    await page.goto(authorizationUrl, { waitUntil: 'commit' });
    const form = page.locator(LOGIN_FORM);
    const first = await Promise.race([
      caught.then(() => 'held' as const),
      form.waitFor({ state: 'visible', timeout: 20_000 }).then(
        () => 'form' as const,
        () => 'held' as const,
      ),
    ]);
    if (first === 'form') {
      this.formsShown += 1;
      await form.locator('input[name="username"]').fill(account.email);
      await form.locator('input[name="password"]').fill(account.password);
      await form.locator('[type="submit"]').click();
    }
    const callbackUrl = await caught;
    const code = new URL(callbackUrl).searchParams.get('code');
    if (!code) throw new Error(`the provider sent no code: ${new URL(callbackUrl).search}`);
    return callbackUrl;
  }
}

/**
 * Finishes a provider logout the way a person does: the system browser (`page`, in the context that
 * holds the provider session) opens the logout URL the app opened, the provider ends its session
 * and sends the browser back to the app's loopback receiver (`post_logout_redirect_uri`), which
 * then knows the provider session is over. Resolves when the browser is back at the app.
 */
export async function finishProviderLogout(page: Page, logoutUrl: string): Promise<void> {
  const returnTo = new URL(logoutUrl).searchParams.get('post_logout_redirect_uri');
  if (!returnTo)
    throw new Error(
      `the logout URL names no post_logout_redirect_uri: ${new URL(logoutUrl).pathname}`,
    );
  const app = new URL(returnTo).origin;
  await page.goto(logoutUrl, { waitUntil: 'commit' });
  await page.waitForURL((url) => url.origin === app, { waitUntil: 'load', timeout: 15_000 });
}

/**
 * Delivers a held callback to the app's loopback receiver the way the browser's top-level GET
 * would (no Origin header, redirects not followed). node:http rather than fetch: it does less work
 * in this process while the app is busy with the callback.
 */
export function deliverCallback(callbackUrl: string): Promise<number> {
  return new Promise((resolve, reject) => {
    get(callbackUrl, { agent: false }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    }).on('error', reject);
  });
}

/**
 * When an HTTP server of this process received the headers of a request for `/callback` on `port`
 * (Node's `http.server.request.start` diagnostics channel: published just before the server's
 * 'request' handler runs, i.e. the moment the app's loopback receiver gets the callback).
 */
export class CallbackArrivals {
  private readonly arrivals = new Map<string, number>();
  private readonly listener = (message: unknown) => {
    const { request } = message as { request: IncomingMessage };
    if (request.url?.startsWith('/callback'))
      this.arrivals.set(request.headers.host ?? '', performance.now());
  };

  constructor() {
    subscribe('http.server.request.start', this.listener);
  }

  /** performance.now() of the last arrival at `callbackUrl`'s host:port, if any. */
  at(callbackUrl: string): number | undefined {
    return this.arrivals.get(new URL(callbackUrl).host);
  }

  close(): void {
    unsubscribe('http.server.request.start', this.listener);
  }
}
