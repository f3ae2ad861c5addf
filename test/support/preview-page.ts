/**
 * How a page opens a preview launch, in one place for the e2e fixtures (test/e2e/fixtures.ts) and the
 * benchmarks (bench/app.ts): the way a user does, with the link the launch printed
 * (`http://127.0.0.1:<port>/#key=<key>`, a new key each launch). The page takes the key out of the
 * address bar and keeps it in its tab's sessionStorage, so each new tab or launch opens its link.
 */
import type { Page } from 'playwright-core';
import type { Preview } from '../../src-main/preview/server.ts';

export async function openPrintedLink(
  page: Pick<Page, 'goto'>,
  preview: Pick<Preview, 'link'>,
  options: { waitUntil?: 'commit' | 'domcontentloaded' | 'load' } = {},
): Promise<void> {
  await page.goto(preview.link, options);
}
