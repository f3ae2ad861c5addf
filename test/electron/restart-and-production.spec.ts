/**
 * What only the real app can show: the session surviving a restart (tokens encrypted with the OS
 * keychain through safeStorage) and the production build (app://, its Content-Security-Policy)
 * loading cleanly. Skips with one line where no Electron binary is installed (as the whole suite does).
 *
 * On Linux the restart journey needs a Secret Service; without one Electron's safeStorage falls back
 * to `basic_text` and the app keeps the session in memory only, by design. CI runs the suite inside
 * .ci/with-keyring (its own D-Bus session, an unlocked gnome-keyring, and Electron told
 * --password-store=gnome-libsecret); elsewhere the journey says why it skipped, and where
 * REQUIRE_ELECTRON=1 it fails (desktop-app.ts requireKeychain).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test as base, type Page } from '@playwright/test';
import type { Browser } from 'playwright-core';
import { cspFor } from '../../src-main/electron/policy.ts';
import { alice } from '../support/accounts.ts';
import { systemBrowserFixture } from '../support/system-browser.ts';
import { binary, launchDesktop, logIn, requireKeychain } from './desktop-app.ts';
import { isAppUrl } from './expectations.ts';

base.skip(!binary.found, binary.found ? '' : binary.reason);

const test = base.extend<{ profile: string }, { systemBrowser: Browser }>({
  systemBrowser: systemBrowserFixture,
  // eslint-disable-next-line no-empty-pattern -- Playwright reads a fixture's dependencies from this pattern
  profile: async ({}, use) => {
    const profile = mkdtempSync(path.join(os.tmpdir(), 'electron-restart-'));
    await use(profile);
    rmSync(profile, { recursive: true, force: true });
  },
});

async function openTab(
  page: Page,
  name: 'Profile' | 'Public' | 'Protected' | 'Admin',
): Promise<void> {
  await page.getByRole('link', { name, exact: true }).first().click();
}

test('a restart restores the session from the OS keychain', async ({ profile, systemBrowser }) => {
  const first = await launchDesktop(profile);
  try {
    await expect(first.page.getByRole('button', { name: 'Log In' }).first()).toBeVisible();
    await requireKeychain(first, 'restart journey');
    await logIn(first, systemBrowser, alice);
  } finally {
    await first.app.close();
  }

  // The devstack asks for the ports it used last on this profile (the stored session's issuer names
  // its port), unless told otherwise: so no DEVSTACK_*_PORT=0 this time.
  const second = await launchDesktop(profile, {
    env: { DEVSTACK_IDP_PORT: null, DEVSTACK_API_PORT: null },
  });
  try {
    // Signed in straight away: no Log In, no browser opened.
    await expect(second.page.getByRole('button', { name: 'Log Out' }).first()).toBeVisible();
    await openTab(second.page, 'Profile');
    await expect(second.page.getByRole('heading', { name: alice.name })).toBeVisible();
    await openTab(second.page, 'Protected');
    await expect(second.page.getByRole('main')).toContainText('This is a protected message.');
    expect(await second.openedUrls()).toEqual([]);
  } finally {
    await second.app.close();
  }
});

test('the production build loads from app:// under its Content-Security-Policy with no console error', async ({
  profile,
}) => {
  const desktop = await launchDesktop(profile);
  try {
    const { page } = desktop;
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`${message.type()}: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
    // From the first byte with the listeners attached: load the app again, then visit every page.
    await page.reload();
    await expect(page.getByRole('button', { name: 'Log In' }).first()).toBeVisible();
    for (const tab of ['Public', 'Profile', 'Protected', 'Admin'] as const) {
      const link = page.getByRole('link', { name: tab, exact: true });
      if ((await link.count()) > 0) await link.first().click();
    }
    await page.getByRole('link', { name: 'Public', exact: true }).first().click();
    await expect(page.getByRole('main')).toContainText('This is a public message.');

    const served = await page.evaluate(async () => {
      const { href } = (globalThis as unknown as { location: { href: string } }).location;
      const response = await fetch(href);
      return { url: href, csp: response.headers.get('content-security-policy') };
    });
    // Scheme + host: the WHATWG URL parser gives app: (a non-special scheme) the origin "null".
    expect(isAppUrl(served.url)).toBe(true);
    expect(served.csp).toBe(cspFor('production'));
    expect(problems).toEqual([]);
  } finally {
    await desktop.app.close();
  }
});
