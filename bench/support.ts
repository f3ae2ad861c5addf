/**
 * Shared helpers for the benchmarks: statistics, an aligned table, and a catcher for the browser's
 * redirect back to a loopback `/callback` (so the benchmark, not the browser, decides when the
 * callback is delivered).
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { get, type IncomingMessage } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { BrowserContext, Page } from 'playwright-core';

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

/** Runs a bench's `main`, reports a failure as exit code 1, and always runs its `cleanup`. */
export async function runBench(
  name: string,
  main: () => Promise<void>,
  cleanup: () => Promise<void>,
): Promise<void> {
  try {
    await main();
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

/**
 * Holds the provider's redirect back to a loopback `/callback` in a browser context. Playwright does
 * not route requests a browser makes by following a redirect, so the catcher routes the provider's
 * authorization endpoint instead: it performs that request itself (with the context's cookies, i.e.
 * the provider session), and when the answer is a redirect to `http://127.0.0.1:<port>/callback` it
 * keeps that URL for `next()` and shows a blank page, so nothing reaches the app. Any other answer
 * (e.g. the redirect to the login form when there is no session yet) goes to the browser unchanged,
 * and that sign-in then ends at the app as usual.
 */
export class CallbackCatcher {
  private readonly caught: string[] = [];
  private waiters: Array<(url: string) => void> = [];

  static async install(
    context: BrowserContext,
    authorizationEndpoint: string,
  ): Promise<CallbackCatcher> {
    const catcher = new CallbackCatcher();
    const endpoint = new URL(authorizationEndpoint);
    await context.route(
      (url) => url.origin === endpoint.origin && url.pathname === endpoint.pathname,
      async (route) => {
        const response = await route.fetch({ maxRedirects: 0 });
        const location = response.headers()['location'];
        const target = location ? new URL(location, route.request().url()) : undefined;
        if (!target || target.hostname !== '127.0.0.1' || target.pathname !== '/callback') {
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
  next(timeoutMs = 10_000): Promise<string> {
    const ready = this.caught.shift();
    if (ready !== undefined) return Promise.resolve(ready);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((waiter) => waiter !== done);
        reject(
          new Error(
            `the provider did not redirect straight back to a loopback /callback within ${timeoutMs} ms (no provider session?)`,
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

  /** Opens `authorizationUrl` in `page` (the provider session answers at once) and returns the held callback URL. */
  async authorize(page: Page, authorizationUrl: string): Promise<string> {
    const caught = this.next();
    const [callbackUrl] = await Promise.all([
      caught,
      page.goto(authorizationUrl, { waitUntil: 'commit' }),
    ]);
    const code = new URL(callbackUrl).searchParams.get('code');
    if (!code) throw new Error(`the provider sent no code: ${new URL(callbackUrl).search}`);
    return callbackUrl;
  }
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
