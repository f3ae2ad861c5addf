/**
 * Issue 19's Electron journey: several accounts through the real IPC bridge. Alice logs in, "Add
 * another account" in the account menu signs Bob in (the provider's login page appears although the
 * system browser holds Alice's session), the menu switches between them by keyboard (the Admin page
 * follows: the message for Alice, "Permission denied" for Bob), "Sign out of Bob Builder" leaves
 * Alice active, "Sign out of all accounts" logs out. The same journey runs through the preview in
 * test/e2e/accounts.spec.ts. Skips with one line where no Electron binary is installed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test as base, type Page } from '@playwright/test';
import type { Browser, BrowserContext } from 'playwright-core';
import { alice, bob } from '../support/accounts.ts';
import { signInWithBrowser, systemBrowserFixture } from '../support/system-browser.ts';
import { binary, launchDesktop, type DesktopApp } from './desktop-app.ts';

base.skip(!binary.found, binary.found ? '' : binary.reason);

const test = base.extend<{ desktop: DesktopApp }, { systemBrowser: Browser }>({
  systemBrowser: systemBrowserFixture,
  // eslint-disable-next-line no-empty-pattern -- Playwright reads a fixture's dependencies from this pattern
  desktop: async ({}, use) => {
    const profile = mkdtempSync(path.join(os.tmpdir(), 'electron-accounts-'));
    const desktop = await launchDesktop(profile);
    await use(desktop);
    await desktop.app.close();
    rmSync(profile, { recursive: true, force: true });
  },
});

/** Signs in at the URL the app opened next, in `context` (one browser for both accounts). */
async function signInNext(
  desktop: DesktopApp,
  browser: Browser,
  before: number,
  who: { email: string; password: string },
  context?: BrowserContext,
) {
  const url = await desktop.nextOpenedUrl(before);
  return signInWithBrowser(browser, url, {
    username: who.email,
    password: who.password,
    ...(context ? { context } : {}),
  });
}

function accountButton(page: Page, name: string) {
  return page.getByRole('button', { name: `Signed in as ${name}`, exact: true });
}

/** Opens the account menu by keyboard and chooses the item `steps` ArrowDowns below the first. */
async function chooseByKeyboard(page: Page, active: string, steps: number): Promise<void> {
  await accountButton(page, active).focus();
  await page.keyboard.press('Enter');
  for (let step = 0; step < steps; step++) await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
}

test('alice adds bob in the account menu, switches between them and signs out of one, then all', async ({
  desktop,
  systemBrowser,
}) => {
  const { page } = desktop;
  await page.getByRole('button', { name: 'Log In' }).first().click();
  const first = await signInNext(desktop, systemBrowser, 0, alice);
  await expect(accountButton(page, alice.name)).toBeVisible();

  // Menu: Alice, Add another account, Sign out of Alice Liddell, Sign out of all accounts.
  let before = (await desktop.openedUrls()).length;
  await chooseByKeyboard(page, alice.name, 1);
  await expect(page.getByText('Finish signing in with your browser')).toBeVisible();
  const added = await signInNext(desktop, systemBrowser, before, bob, first.context);
  expect(added.formShown, 'the provider asked for a password despite Alice’s session').toBe(true);
  await first.context.close();
  await expect(accountButton(page, bob.name)).toBeVisible();

  await page.getByRole('link', { name: 'Admin', exact: true }).first().click();
  await expect(page.getByRole('alert')).toContainText('Permission denied');
  // Menu: Alice, Bob (active), …: Enter on the first item switches to Alice, no browser opened.
  before = (await desktop.openedUrls()).length;
  await chooseByKeyboard(page, bob.name, 0);
  await expect(accountButton(page, alice.name)).toBeFocused();
  await expect(page.getByRole('main')).toContainText('"text": "This is an admin message."');
  await chooseByKeyboard(page, alice.name, 1);
  await expect(accountButton(page, bob.name)).toBeFocused();
  await expect(page.getByRole('alert')).toContainText('Permission denied');
  expect((await desktop.openedUrls()).length, 'a switch opens no browser').toBe(before);

  // Menu: Alice, Bob, Add another account, Sign out of Bob Builder, Sign out of all accounts.
  await chooseByKeyboard(page, bob.name, 3);
  await expect(accountButton(page, alice.name)).toBeFocused();
  await expect(
    page.getByRole('status').filter({ hasText: `Signed out of ${bob.name}` }),
  ).toBeVisible();
  await expect(page.getByRole('main')).toContainText('"text": "This is an admin message."');

  // One account: Alice, Add another account, Sign out of Alice Liddell, Sign out of all accounts.
  before = (await desktop.openedUrls()).length;
  await chooseByKeyboard(page, alice.name, 3);
  await expect(page.getByRole('button', { name: 'Log In' }).first()).toBeVisible();
  // Sign out of all is Log Out: the provider's logout page is opened too.
  expect(new URL(await desktop.nextOpenedUrl(before)).searchParams.has('id_token_hint')).toBe(true);
});
