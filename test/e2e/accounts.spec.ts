/**
 * Issue 19 in the renderer: the account menu in the nav (a WAI-ARIA menu button), driven by keyboard
 * only, through the preview on the real core and devstack. Alice signs in, adds Bob (the provider's
 * login page appears although the browser holds Alice's session), switches back and forth (the
 * Admin page follows the active account), signs out of Bob (Alice is active again), adds Alice again
 * (updated, not added twice) and signs out of all. The same menu in the narrow window's menu, axe on
 * both, and the MAX_ACCOUNTS refusal as the person sees it.
 */
import type { Locator, Page } from '@playwright/test';
import { signInWithBrowser } from '../support/system-browser.ts';
import {
  alice,
  bob,
  envFor,
  expect,
  logIn,
  screenshot,
  seriousViolations,
  test,
  type PreviewApp,
} from './fixtures.ts';

/** The account menu's button: its accessible name says who is active. */
function accountButton(page: Page, name: string): Locator {
  return page.getByRole('button', { name: `Signed in as ${name}`, exact: true });
}

/** The open account menu. */
function accountMenu(page: Page): Locator {
  return page.getByRole('menu', { name: 'Accounts' });
}

/** Expects the menu's items, in order: one radio per account (the active one checked), then the actions. */
async function expectItems(
  page: Page,
  accounts: { name: string; active: boolean }[],
): Promise<void> {
  const menu = accountMenu(page);
  const radios = menu.getByRole('menuitemradio');
  await expect(radios).toHaveText(accounts.map((account) => account.name));
  for (const [index, account] of accounts.entries())
    await expect(radios.nth(index)).toHaveAttribute('aria-checked', String(account.active));
  const active = accounts.find((account) => account.active)!.name;
  await expect(menu.getByRole('menuitem')).toHaveText([
    'Add another account',
    `Sign out of ${active}`,
    'Sign out of all accounts',
  ]);
}

/** The item that has focus, by its accessible role and name. */
async function expectFocusOn(page: Page, role: 'menuitemradio' | 'menuitem', name: string) {
  await expect(accountMenu(page).getByRole(role, { name, exact: true })).toBeFocused();
}

/** "Add another account" from the open menu's focused item: the sign-in starts as Log In's does. */
async function addAccountFrom(
  page: Page,
  app: PreviewApp,
  systemBrowser: Parameters<typeof signInWithBrowser>[0],
  account: { email: string; password: string },
  context: Parameters<typeof signInWithBrowser>[2]['context'],
  focusAfter: Locator = page.locator('#signing-in-title'),
  picture?: () => Promise<void>,
) {
  await page.keyboard.press('Enter');
  await expect(accountMenu(page)).toHaveCount(0);
  // The waiting banner, as for Log In. In the wide nav the pressed control went away with the
  // account menu, so focus is on the banner's heading; in the narrow one on the Menu button.
  await expect(page.locator('#signing-in-title')).toHaveText('Finish signing in with your browser');
  // The app does not look signed out meanwhile: it says who stays signed in.
  await expect(page.locator('.sign-in-banner')).toContainText(
    /Adding an account: .+ stays signed in, and Cancel goes back to .+\./,
  );
  await expect(page.getByText('You need to log in to see this page.')).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Log In' })).toHaveCount(0);
  await expect(focusAfter).toBeFocused();
  await picture?.();
  const url = await app.nextExternalUrl();
  expect(new URL(url).searchParams.get('prompt')).toBe('login');
  // In the browser that holds the first account's session: the provider asks again all the same.
  const result = await signInWithBrowser(systemBrowser, url, {
    username: account.email,
    password: account.password,
    ...(context ? { context } : {}),
  });
  expect(result.formShown, 'the provider showed its login page').toBe(true);
  return result;
}

test('alice adds bob and switches, signs out of one and of all, with the account menu by keyboard', async ({
  page,
  app,
  systemBrowser,
}, testInfo) => {
  await app.open();
  const { context } = await logIn(page, app, alice);
  await expect(page.getByRole('heading', { name: 'Profile Page' })).toBeVisible();
  await expect(page.locator('.profile__account')).toHaveText('Account: Alice Liddell');

  // From the last tab, Tab reaches the account menu's button; one account: Log Out stays after it.
  const aliceButton = accountButton(page, alice.name);
  await page.getByRole('link', { name: 'Settings', exact: true }).focus();
  await page.keyboard.press('Tab');
  await expect(aliceButton).toBeFocused();
  await expect(aliceButton).toHaveAttribute('aria-haspopup', 'menu');
  await expect(aliceButton).toHaveAttribute('aria-expanded', 'false');
  await expect(page.getByRole('button', { name: 'Log Out' })).toBeVisible();

  // Enter opens on the first item.
  await page.keyboard.press('Enter');
  await expect(aliceButton).toHaveAttribute('aria-expanded', 'true');
  await expectItems(page, [{ name: alice.name, active: true }]);
  await expectFocusOn(page, 'menuitemradio', alice.name);
  await page.keyboard.press('ArrowDown');
  await expectFocusOn(page, 'menuitem', 'Add another account');
  await addAccountFrom(page, app, systemBrowser, bob, context, undefined, () =>
    screenshot(page, testInfo, 'accounts-adding-wide'),
  );

  // Bob is active; two accounts, so Log Out lives on only in the menu.
  const bobButton = accountButton(page, bob.name);
  await expect(bobButton).toBeVisible();
  await expect(page.getByRole('button', { name: 'Log Out' })).toHaveCount(0);
  await page.getByRole('link', { name: 'Profile', exact: true }).click();
  await expect(page.locator('.profile__account')).toHaveText(
    'Account: Bob Builder (2 accounts signed in: switch in the account menu)',
  );
  await expect(page.getByRole('main')).toContainText('bob@example.com');
  await screenshot(page, testInfo, 'accounts-profile-bob-wide');

  // ArrowUp opens on the last item; Home, End and the arrows wrap; Escape closes onto the button.
  await bobButton.focus();
  await page.keyboard.press('ArrowUp');
  await expectItems(page, [
    { name: alice.name, active: false },
    { name: bob.name, active: true },
  ]);
  await expectFocusOn(page, 'menuitem', 'Sign out of all accounts');
  // Roving tabindex: the focused item alone is in the tab order.
  await expect(accountMenu(page).locator('[tabindex="0"]')).toHaveCount(1);
  await page.keyboard.press('Home');
  await expectFocusOn(page, 'menuitemradio', alice.name);
  await page.keyboard.press('ArrowUp');
  await expectFocusOn(page, 'menuitem', 'Sign out of all accounts');
  await page.keyboard.press('ArrowDown');
  await expectFocusOn(page, 'menuitemradio', alice.name);
  await page.keyboard.press('End');
  await expectFocusOn(page, 'menuitem', 'Sign out of all accounts');
  await page.keyboard.press('ArrowUp');
  await expectFocusOn(page, 'menuitem', `Sign out of ${bob.name}`);
  await screenshot(page, testInfo, 'accounts-menu-open-wide');
  expect(await seriousViolations(page), 'account menu open, wide').toEqual([]);
  await page.keyboard.press('Escape');
  await expect(accountMenu(page)).toHaveCount(0);
  await expect(bobButton).toBeFocused();
  await expect(bobButton).toHaveAttribute('aria-expanded', 'false');

  // Tab from inside the menu closes it and moves on past the button (to the page).
  await page.keyboard.press('ArrowDown');
  await expectFocusOn(page, 'menuitemradio', alice.name);
  await page.keyboard.press('Tab');
  await expect(accountMenu(page)).toHaveCount(0);
  await expect(bobButton).not.toBeFocused();
  await expect(page.locator('body')).not.toBeFocused();

  // The Admin page follows the active account: "Permission denied" as Bob, the message as Alice.
  await page.getByRole('link', { name: 'Admin', exact: true }).click();
  await expect(page.getByRole('alert')).toContainText('Permission denied');
  await screenshot(page, testInfo, 'accounts-admin-bob-wide');
  await bobButton.focus();
  await page.keyboard.press('Enter');
  await expectFocusOn(page, 'menuitemradio', alice.name);
  await page.keyboard.press('Enter');
  await expect(accountMenu(page)).toHaveCount(0);
  await expect(aliceButton).toBeFocused();
  await expect(page.getByRole('main')).toContainText('"text": "This is an admin message."');
  await expect(page.getByRole('alert')).toHaveCount(0);
  // Said to screen readers: the button keeps focus and not every reader reads its new name.
  await expect(
    page.getByRole('status').filter({ hasText: `Switched to ${alice.name}` }),
  ).toHaveCount(1);
  // Back to Bob with ArrowDown and Space.
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  await expectFocusOn(page, 'menuitemradio', bob.name);
  await page.keyboard.press(' ');
  await expect(bobButton).toBeFocused();
  await expect(page.getByRole('alert')).toContainText('Permission denied');
  await expect(page.getByRole('main')).not.toContainText('This is an admin message.');
  // Protected shows the active account's message too (asked for again after each switch).
  await page.getByRole('link', { name: 'Protected', exact: true }).click();
  await expect(page.getByRole('main')).toContainText('"text": "This is a protected message."');

  // Sign out of Bob: Alice is active again, and Log Out is back beside the menu.
  await bobButton.focus();
  await page.keyboard.press('ArrowUp');
  await expectFocusOn(page, 'menuitem', 'Sign out of all accounts');
  await page.keyboard.press('ArrowUp');
  await expectFocusOn(page, 'menuitem', `Sign out of ${bob.name}`);
  await page.keyboard.press('Enter');
  const status = page.getByRole('status').filter({ hasText: `Signed out of ${bob.name}` });
  await expect(status).toContainText(`${alice.name} is the active account now.`);
  await expect(aliceButton).toBeFocused();
  await expect(page.getByRole('button', { name: 'Log Out' })).toBeVisible();
  await expect(page.getByRole('main')).toContainText('"text": "This is a protected message."');

  // Adding Alice again updates her account: the app says so, and still lists her once.
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  await expectFocusOn(page, 'menuitem', 'Add another account');
  await addAccountFrom(page, app, systemBrowser, alice, context);
  const already = page.getByRole('status').filter({ hasText: 'Already added' });
  await expect(already).toContainText(`Already added: switched to ${alice.name}`);
  await screenshot(page, testInfo, 'accounts-already-added-wide');
  await aliceButton.focus();
  await page.keyboard.press('Enter');
  await expectItems(page, [{ name: alice.name, active: true }]);

  // Sign out of all accounts is Log Out: signed out here, the provider's logout page opened.
  await page.keyboard.press('End');
  await expectFocusOn(page, 'menuitem', 'Sign out of all accounts');
  await page.keyboard.press('Enter');
  await expect(
    page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Log In' }),
  ).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Electron Auth0 Hello World' })).toBeVisible();
  expect(await app.nextExternalUrl()).toContain('id_token_hint=');
  await expect(page.locator('body')).not.toBeFocused();
});

test('in a narrow window the account menu is in the Menu, by keyboard, and passes axe', async ({
  page,
  app,
  systemBrowser,
}, testInfo) => {
  await app.open();
  const { context } = await logIn(page, app, alice);
  await page.setViewportSize({ width: 400, height: 800 });
  const menu = page.getByRole('button', { name: 'Menu' });
  await menu.focus();
  await page.keyboard.press('Enter');
  const aliceButton = accountButton(page, alice.name);
  await aliceButton.focus();
  await page.keyboard.press('ArrowDown');
  await expectFocusOn(page, 'menuitemradio', alice.name);
  await page.keyboard.press('ArrowDown');
  // The narrow menu closes with the add; focus is on its Menu button, as after its Log In.
  await addAccountFrom(page, app, systemBrowser, bob, context, menu);
  await expect(menu).toHaveAttribute('aria-expanded', 'false');

  await menu.focus();
  await page.keyboard.press('Enter');
  const bobButton = accountButton(page, bob.name);
  await expect(bobButton).toBeVisible();
  await expect(page.getByRole('button', { name: 'Log Out' })).toHaveCount(0);
  await bobButton.focus();
  await page.keyboard.press('Enter');
  await expectItems(page, [
    { name: alice.name, active: false },
    { name: bob.name, active: true },
  ]);
  await expectFocusOn(page, 'menuitemradio', alice.name);
  await screenshot(page, testInfo, 'accounts-menu-open-narrow');
  expect(await seriousViolations(page), 'account menu open, narrow').toEqual([]);

  // Escape closes the account menu only: the narrow Menu stays open, focus on the account button.
  await page.keyboard.press('Escape');
  await expect(accountMenu(page)).toHaveCount(0);
  await expect(bobButton).toBeFocused();
  await expect(menu).toHaveAttribute('aria-expanded', 'true');

  // Switching closes both menus; focus goes to the Menu button, as for the menu's other items.
  await page.keyboard.press('Enter');
  await page.keyboard.press('Enter');
  await expect(menu).toHaveAttribute('aria-expanded', 'false');
  await expect(menu).toBeFocused();
  await expect(page.locator('.profile__account')).toContainText('Account: Alice Liddell');
  await screenshot(page, testInfo, 'accounts-profile-narrow');
  expect(await seriousViolations(page), 'profile with two accounts, narrow').toEqual([]);
});

test('with MAX_ACCOUNTS=1, Add another account says why not and opens no browser', async ({
  page,
  app,
  devstack,
}, testInfo) => {
  await app.restart({ env: envFor(devstack, { MAX_ACCOUNTS: '1' }) });
  await app.open();
  await logIn(page, app, alice);
  const before = (await app.externalUrls()).length;
  const aliceButton = accountButton(page, alice.name);
  await aliceButton.focus();
  await page.keyboard.press('Enter');
  await page.keyboard.press('ArrowDown');
  await expectFocusOn(page, 'menuitem', 'Add another account');
  await page.keyboard.press('Enter');
  const alert = page.getByRole('alert');
  await expect(alert.locator('.callout__title')).toHaveText('No more accounts can be added');
  await expect(alert).toContainText(
    'This app keeps one account at a time. Sign out of it to use another.',
  );
  // Still signed in as Alice, focus still on her button, and no sign-in page was opened.
  await expect(aliceButton).toBeFocused();
  expect((await app.externalUrls()).length).toBe(before);
  await screenshot(page, testInfo, 'accounts-full-wide');
  expect(await seriousViolations(page), 'accounts full').toEqual([]);
});
