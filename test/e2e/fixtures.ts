/**
 * Fixtures for the end-to-end journeys: a devstack per worker, Debian's Chromium as the user's
 * system browser, and per test a fresh preview host (capture mode: the sign-in URLs it would open
 * are read from /__preview/external-urls and driven in the system browser, as a user would).
 *
 * The preview answers only a browser that opened its printed link (`preview.link`,
 * `http://127.0.0.1:<port>/#key=<key>`, a new key each launch): `app.open()` opens that link first
 * in each launch (the page keeps the key in its tab's sessionStorage and sends it as
 * `X-Preview-Key`), then the page asked for, in the same tab. How a launch is opened lives in one
 * place, `openPrintedLink` (test/support/preview-page.ts), which bench:app uses too. Tests read the
 * test-only endpoints with `app.externalUrls()`, which sends the key as `X-Preview-Key`.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { test as base, expect, type Page, type TestInfo } from '@playwright/test';
import type { Browser, Page as BrowserTab } from 'playwright-core';
import { startDevstack, type Devstack } from '../../devstack/index.ts';
import { startPreview, type Preview, type PreviewOptions } from '../../src-main/preview/server.ts';
import { envFor } from '../support/core-harness.ts';
import { openPrintedLink } from '../support/preview-page.ts';
import {
  signInWithBrowser,
  systemBrowserFixture,
  type SignInResult,
} from '../support/system-browser.ts';

export { expect };
export { alice, bob } from '../support/accounts.ts';
export { envFor };

export const SCREENSHOTS = path.resolve('test-results/screenshots');

export interface PreviewApp {
  preview: Preview;
  /**
   * Opens the app in the test's page and waits until the session is known: the printed link first
   * (once per launch: the page keeps its key for this tab), then `hash`.
   */
  open(hash?: string): Promise<void>;
  /** The URLs the app asked the system browser to open, read from `/__preview/external-urls` with the key. */
  externalUrls(): Promise<string[]>;
  /** What the app put on the clipboard (its copyText), read from `/__preview/clipboard` with the key. */
  clipboard(): Promise<string[]>;
  /** Waits for the next URL the app asks the system browser to open. */
  nextExternalUrl(): Promise<string>;
  /** Completes the pending sign-in in the system browser. */
  finishSignIn(
    account: { email: string; password: string; name?: string },
    mode?: 'login' | 'signup',
  ): Promise<SignInResult>;
  /** Starts another preview (e.g. after a restart) with these options. */
  restart(options?: Partial<PreviewOptions>): Promise<void>;
  /**
   * Answers the switch confirmation the host opened in the system browser (Settings → Save to
   * another provider or API): checks the page names `names`, presses Switch or Cancel, returns the
   * page's URL.
   */
  confirmSwitch(names: string[], decision?: 'Switch' | 'Cancel'): Promise<string>;
}

interface Fixtures {
  app: PreviewApp;
  previewOptions: Partial<PreviewOptions>;
}

export const test = base.extend<Fixtures, { devstack: Devstack; systemBrowser: Browser }>({
  devstack: [
    // eslint-disable-next-line no-empty-pattern -- Playwright reads fixture dependencies from this pattern
    async ({}, use) => {
      const devstack = await startDevstack({ quiet: true });
      await use(devstack);
      await devstack.close();
    },
    { scope: 'worker' },
  ],
  systemBrowser: systemBrowserFixture,
  previewOptions: [{}, { option: true }],
  app: async ({ devstack, systemBrowser, page, previewOptions }, use) => {
    const start = (options: Partial<PreviewOptions>) =>
      startPreview({
        env: envFor(devstack),
        externalBrowser: 'capture',
        ...previewOptions,
        ...options,
      });
    let preview = await start({});
    let seen = 0;
    /** Switch confirmations already answered. */
    const answered = new Set<string>();
    /** The launch whose link this page has opened (its key is in the tab's sessionStorage). */
    let unlocked: Preview | undefined;
    const contexts: SignInResult['context'][] = [];
    const app: PreviewApp = {
      get preview() {
        return preview;
      },
      async open(hash = '#/') {
        if (unlocked !== preview) {
          // What a user does: open the link the preview printed. The page takes the key out of the
          // address bar and history at once.
          await openPrintedLink(page, preview);
          await expect(page).toHaveURL(`${preview.url}#/`);
          unlocked = preview;
          if (hash === '#/') {
            await expect(page.getByText('Restoring your session…')).toHaveCount(0);
            return;
          }
        }
        await page.goto(`${preview.url}${hash}`);
        await expect(page.getByText('Restoring your session…')).toHaveCount(0);
      },
      async externalUrls() {
        // Read the way any test of the preview would: through its HTTP endpoint, with the key.
        const response = await fetch(`${preview.url}__preview/external-urls`, {
          headers: { 'X-Preview-Key': preview.key },
        });
        expect(response.status).toBe(200);
        return (await response.json()) as string[];
      },
      async clipboard() {
        const response = await fetch(`${preview.url}__preview/clipboard`, {
          headers: { 'X-Preview-Key': preview.key },
        });
        expect(response.status).toBe(200);
        return (await response.json()) as string[];
      },
      async nextExternalUrl() {
        let urls: string[] = [];
        await expect
          .poll(async () => {
            urls = await app.externalUrls();
            return urls.length;
          })
          .toBeGreaterThan(seen);
        seen = urls.length;
        return urls[urls.length - 1]!;
      },
      async finishSignIn(account, mode = 'login') {
        const url = await app.nextExternalUrl();
        const result = await signInWithBrowser(systemBrowser, url, {
          username: account.email,
          password: account.password,
          mode,
          ...(account.name ? { name: account.name } : {}),
        });
        contexts.push(result.context);
        return result;
      },
      async confirmSwitch(names, decision = 'Switch') {
        // The newest confirmation page the host opened (a logout tab may have been opened before).
        let url = '';
        await expect
          .poll(async () => {
            const urls = await app.externalUrls();
            url =
              urls.findLast(
                (each) => each.startsWith(`${preview.url}__confirm/`) && !answered.has(each),
              ) ?? '';
            seen = urls.length;
            return url;
          })
          .not.toBe('');
        answered.add(url);
        const context = await systemBrowser.newContext();
        contexts.push(context);
        const tab = await context.newPage();
        await tab.goto(url);
        await expect(
          tab.getByRole('heading', { level: 1, name: 'Switch identity provider?' }),
        ).toBeVisible();
        for (const name of names) await expect(tab.getByRole('main')).toContainText(name);
        await tab
          .getByRole('button', { name: decision === 'Switch' ? /^Switch to / : 'Cancel' })
          .click();
        await expect(tab.getByRole('heading', { level: 1 })).toHaveText(
          decision === 'Switch' ? 'Switched' : 'Not switched',
        );
        return url;
      },
      async restart(options = {}) {
        const dataDir = preview.dataDir;
        await preview.close();
        preview = await start({ dataDir, ...options });
        seen = 0;
      },
    };
    await use(app);
    for (const context of contexts) await context.close().catch(() => {});
    await preview.close();
  },
});

/**
 * Saves a full-page screenshot under test-results/screenshots/ and attaches it to the report: of the
 * app's page, or of a tab in the system browser.
 */
export async function screenshot(
  page: Pick<Page | BrowserTab, 'screenshot' | 'evaluate'>,
  testInfo: TestInfo,
  name: string,
): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `${name}.png`);
  // From the top: a full-page picture of a scrolled page paints the sticky nav bar mid-page.
  const scrolled = (await page.evaluate('window.scrollY')) as number;
  if (scrolled > 0) await page.evaluate('window.scrollTo(0, 0)');
  await page.screenshot({ path: file, fullPage: true });
  if (scrolled > 0) await page.evaluate(`window.scrollTo(0, ${scrolled})`);
  await testInfo.attach(name, { path: file, contentType: 'image/png' });
}

/** The page's serious and critical axe-core violations, each with the elements it was found on. */
export async function seriousViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

/**
 * Records every bridge answer and every server-sent event the renderer receives (the event stream is
 * read with fetch: a copy of its body is kept as it arrives). Returns a function giving all of it.
 */
export async function recordBridge(page: Page): Promise<() => Promise<string>> {
  const received: string[] = [];
  page.on('response', async (response) => {
    if (response.url().includes('/__bridge/') && !response.url().endsWith('/events'))
      received.push(await response.text().catch(() => ''));
  });
  await page.addInitScript(`
    window.__events = [];
    const originalFetch = window.fetch;
    window.fetch = async (...args) => {
      const response = await originalFetch(...args);
      const url = String(args[0] instanceof Request ? args[0].url : args[0]);
      if (!url.endsWith('/__bridge/events') || !response.body) return response;
      const [copy, original] = response.body.tee();
      void (async () => {
        const reader = copy.pipeThrough(new TextDecoderStream()).getReader();
        for (;;) {
          const { value, done } = await reader.read().catch(() => ({ done: true }));
          if (done) return;
          window.__events.push(value);
        }
      })();
      return new Response(original, { status: response.status, headers: response.headers });
    };
  `);
  return async () =>
    [...received, ...((await page.evaluate('window.__events')) as string[])].join('\n');
}

/** Logs in from the nav and completes the sign-in in the system browser. */
export async function logIn(
  page: Page,
  app: PreviewApp,
  account: { email: string; password: string },
): Promise<SignInResult> {
  await page.getByRole('button', { name: 'Log In' }).first().click();
  const result = await app.finishSignIn(account);
  await expect(page.getByRole('button', { name: 'Log Out' })).toBeVisible();
  return result;
}

/** The Settings page's four tenant fields, by label. */
export type TenantValues = Partial<
  Record<'Domain' | 'Client ID' | 'Audience' | 'API server URL', string>
>;

/** A devstack's addresses as the four tenant fields (what a person copies from its printout). */
export function tenantValuesOf(devstack: {
  issuer: string;
  clientId: string;
  audience: string;
  apiUrl: string;
}): TenantValues {
  return {
    Domain: devstack.issuer,
    'Client ID': devstack.clientId,
    Audience: devstack.audience,
    'API server URL': devstack.apiUrl,
  };
}

/** On the Settings page: chooses "Your Auth0 tenant" and types the fields given. */
export async function fillTenant(page: Page, values: TenantValues): Promise<void> {
  await page.getByRole('radio', { name: 'Your Auth0 tenant' }).check();
  for (const label of ['Domain', 'Client ID', 'Audience', 'API server URL'] as const) {
    const value = values[label];
    // Exact: a hint elsewhere on the page also mentions the Audience.
    if (value !== undefined) await page.getByLabel(label, { exact: true }).fill(value);
  }
}
