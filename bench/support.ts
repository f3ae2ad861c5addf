/**
 * Shared helpers for the benchmarks: statistics, an aligned table, and a catcher for the browser's
 * redirect back to a loopback `/callback` (so the benchmark, not the browser, decides when the
 * callback is delivered).
 */
import { createServer } from 'node:net';
import type { BrowserContext } from 'playwright-core';

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
export function printTable(header: readonly string[], rows: ReadonlyArray<readonly string[]>): void {
  const all = [header, ...rows];
  const widths = header.map((_, column) => Math.max(...all.map((row) => (row[column] ?? '').length)));
  const line = (row: readonly string[]) =>
    row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ');
  console.log(line(header));
  console.log(widths.map((width) => '-'.repeat(width)).join('  '));
  for (const row of rows) console.log(line(row));
}

export function ms(value: number): string {
  return `${value.toFixed(2)} ms`;
}

/** A port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * Intercepts every top-level request of a browser context to `http://127.0.0.1:<any port>/callback`,
 * answers it with a blank page (so nothing reaches the app) and hands the full URL to `next()`.
 */
export class CallbackCatcher {
  private readonly caught: string[] = [];
  private waiters: Array<(url: string) => void> = [];

  static async install(context: BrowserContext): Promise<CallbackCatcher> {
    const catcher = new CallbackCatcher();
    await context.route(
      (url) => url.hostname === '127.0.0.1' && url.pathname === '/callback',
      async (route) => {
        const url = route.request().url();
        await route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>held</title>held by the benchmark' });
        const waiter = catcher.waiters.shift();
        if (waiter) waiter(url);
        else catcher.caught.push(url);
      },
    );
    return catcher;
  }

  /** The next callback URL the browser was sent to (already caught, or the next one). */
  next(timeoutMs = 20_000): Promise<string> {
    const ready = this.caught.shift();
    if (ready !== undefined) return Promise.resolve(ready);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((waiter) => waiter !== done);
        reject(new Error(`no callback within ${timeoutMs} ms`));
      }, timeoutMs);
      const done = (url: string) => {
        clearTimeout(timer);
        resolve(url);
      };
      this.waiters.push(done);
    });
  }
}

/** Delivers a held callback to the app's loopback receiver the way the browser would (no Origin). */
export async function deliverCallback(callbackUrl: string): Promise<number> {
  const response = await fetch(callbackUrl, { redirect: 'manual' });
  await response.arrayBuffer();
  return response.status;
}
