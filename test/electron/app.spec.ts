/**
 * The user's journeys in the real Electron app (the built dist/main/main.js), with Debian's Chromium
 * as the system browser: the app's `shell.openExternal` is replaced in the main process so the test
 * reads the authorization URL and signs in through the provider's page in that browser.
 *
 * Each test starts its own app: a fresh profile (APP_USER_DATA_DIR), no AUTH0_* settings, so the app
 * starts its own devstack on free ports. Skips with one line where no Electron binary is installed.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test as base, type Page } from '@playwright/test';
import type { Browser } from 'playwright-core';
import { alice, bob } from '../support/accounts.ts';
import { send } from '../support/http.ts';
import { signInWithBrowser, systemBrowserFixture } from '../support/system-browser.ts';
import {
  binary,
  launchArguments,
  launchDesktop,
  logIn,
  rendererSandbox,
  sandbox,
  type DesktopApp,
} from './desktop-app.ts';
import { expectedPageFacts, isAppUrl } from './expectations.ts';

base.skip(!binary.found, binary.found ? '' : binary.reason);

const test = base.extend<{ desktop: DesktopApp }, { systemBrowser: Browser }>({
  systemBrowser: systemBrowserFixture,
  // eslint-disable-next-line no-empty-pattern -- Playwright reads a fixture's dependencies from this pattern
  desktop: async ({}, use) => {
    const profile = mkdtempSync(path.join(os.tmpdir(), 'electron-app-'));
    const desktop = await launchDesktop(profile);
    await use(desktop);
    await desktop.app.close();
    rmSync(profile, { recursive: true, force: true });
  },
});

async function openTab(
  page: Page,
  name: 'Profile' | 'Public' | 'Protected' | 'Admin',
): Promise<void> {
  await page.getByRole('link', { name, exact: true }).first().click();
}

test('alice logs in, sees her profile, the protected and admin messages, and logs out', async ({
  desktop,
  systemBrowser,
}) => {
  const { page } = desktop;
  await expect(page.getByRole('button', { name: 'Log In' }).first()).toBeVisible();

  await logIn(desktop, systemBrowser, alice);

  await openTab(page, 'Profile');
  await expect(page.getByRole('heading', { name: alice.name })).toBeVisible();
  await openTab(page, 'Protected');
  await expect(page.getByRole('main')).toContainText('"text": "This is a protected message."');
  await openTab(page, 'Admin');
  await expect(page.getByRole('main')).toContainText('"text": "This is an admin message."');

  const before = (await desktop.openedUrls()).length;
  await page.getByRole('button', { name: 'Log Out' }).first().click();
  await expect(page.getByRole('button', { name: 'Log In' }).first()).toBeVisible();
  // The provider's session is ended in the browser too (RP-initiated logout).
  const logoutUrl = new URL(await desktop.nextOpenedUrl(before));
  expect(logoutUrl.hostname).toBe('127.0.0.1');
  await expect(page.getByRole('link', { name: 'Protected', exact: true })).toHaveCount(0);
});

test('bob, who lacks the admin permission, is told "Permission denied" on the Admin page', async ({
  desktop,
  systemBrowser,
}) => {
  await logIn(desktop, systemBrowser, bob);
  await openTab(desktop.page, 'Protected');
  await expect(desktop.page.getByRole('main')).toContainText('This is a protected message.');
  await openTab(desktop.page, 'Admin');
  await expect(desktop.page.getByRole('alert')).toContainText('Permission denied');
});

test('Sign Up creates a new account in the browser and signs it in', async ({
  desktop,
  systemBrowser,
}) => {
  const { page } = desktop;
  const before = (await desktop.openedUrls()).length;
  await page.getByRole('button', { name: 'Sign Up' }).first().click();
  await expect(page.getByText('Finish signing up with your browser')).toBeVisible();
  const signupUrl = await desktop.nextOpenedUrl(before);
  expect(new URL(signupUrl).searchParams.get('screen_hint')).toBe('signup');
  const email = `electron-${Date.now()}@example.com`;
  const { context } = await signInWithBrowser(systemBrowser, signupUrl, {
    username: email,
    password: 'correct horse battery',
    mode: 'signup',
    name: 'Eve Desktop',
  });
  await context.close();
  await expect(page.getByRole('button', { name: 'Log Out' }).first()).toBeVisible();
  await openTab(page, 'Profile');
  await expect(page.getByRole('main')).toContainText(email);
  await expect(page.getByRole('main')).toContainText('Eve Desktop');
});

test('cancelling a sign-in ends it and closes the loopback redirect listener', async ({
  desktop,
}) => {
  const { page } = desktop;
  await page.getByRole('button', { name: 'Log In' }).first().click();
  const authorizationUrl = new URL(await desktop.nextOpenedUrl(0));
  await expect(page.getByText('Finish signing in with your browser')).toBeVisible();

  await page.getByRole('button', { name: 'Cancel' }).click();

  await expect(page.getByText('Finish signing in with your browser')).toBeHidden();
  await expect(page.getByRole('button', { name: 'Log In' }).first()).toBeEnabled();
  const redirectUri = authorizationUrl.searchParams.get('redirect_uri');
  expect(redirectUri).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
  // The receiver takes nothing any more; a tab that comes back late is told the sign-in was cancelled.
  // (A browser's top-level navigation, not fetch(): the receiver refuses anything else.)
  const late = await send(`${redirectUri}?code=late&state=late`);
  expect(late.status).toBe(410);
  expect(late.body).toContain('Sign-in cancelled');
});

test('the page has no Node, sees only window.auth, runs from app:// and cannot eval', async ({
  desktop,
}) => {
  const facts = await desktop.page.evaluate(() => {
    const scope = globalThis as unknown as Record<string, unknown> & {
      location: { protocol: string; host: string };
    };
    let evalResult = 'allowed';
    try {
      // Refused by the CSP (no 'unsafe-eval').
      (0, eval)('1');
    } catch {
      evalResult = 'blocked';
    }
    return {
      origin: `${scope.location.protocol}//${scope.location.host}`,
      require: typeof scope.require,
      process: typeof scope.process,
      auth: Object.keys((scope.auth as object | undefined) ?? {}).sort(),
      evalResult,
    };
  });
  expect(facts).toEqual(expectedPageFacts());
});

test('links open in the system browser, never in the app window', async ({ desktop }) => {
  const { page } = desktop;
  type Scope = { open(url: string): unknown; location: { href: string } };
  const before = (await desktop.openedUrls()).length;
  const opened = await page.evaluate(() =>
    (globalThis as unknown as Scope).open('https://example.com/docs'),
  );
  expect(opened).toBeNull();
  expect(await desktop.nextOpenedUrl(before)).toBe('https://example.com/docs');

  // Not https: dropped, not opened anywhere.
  await page.evaluate(() => (globalThis as unknown as Scope).open('file:///etc/passwd'));
  // Navigating the window itself away from the app is refused.
  await page.evaluate(() => {
    (globalThis as unknown as Scope).location.href = 'https://example.com/';
  });
  await page.waitForTimeout(500);
  expect(isAppUrl(page.url())).toBe(true);
  expect(await desktop.openedUrls()).toEqual(['https://example.com/docs']);
});

test('a second launch does not start another app', async ({ desktop }) => {
  if (!binary.found) return;
  // Same profile: the single-instance lock is taken, so the second process quits at once. It is
  // started with the switches Playwright's launch used (--no-sandbox only where the suite has no sandbox).
  const second = spawn(binary.executablePath, launchArguments(), {
    cwd: desktop.env.APP_USER_DATA_DIR,
    env: desktop.env,
    stdio: 'ignore',
  });
  const code = await new Promise<number | null>((resolve) => second.on('exit', resolve));
  expect(code).toBe(0);
  await expect(desktop.page.getByRole('button', { name: 'Log In' }).first()).toBeVisible();
});

test('the window’s renderer is sandboxed: process.sandboxed, and the OS sandbox where the kernel allows it', async ({
  desktop,
}) => {
  const facts = await rendererSandbox(desktop);
  // Electron's renderer sandbox (app.enableSandbox()): no Node in any renderer, whatever the OS allows.
  expect(facts.processSandboxed).toBe(true);
  test.skip(!sandbox.chromiumSandbox, 'line' in sandbox ? sandbox.line : 'no OS sandbox here');
  if (process.platform === 'linux') expect(facts.seccomp).toBe('2');
  else expect(facts.osSandboxed).toBe(true);
});
