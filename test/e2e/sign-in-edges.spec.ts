/**
 * The edges of signing in and out, as a person meets them in the preview: the provider stopping under
 * the app, a double-click on Log In, the waiting banner, Cancel, a browser tab that comes back after
 * the app stopped waiting, Log Out while the provider cannot be reached, Permission denied, the API
 * down, who is signed in, and the nav at 200% zoom. Screenshots of each state land in
 * test-results/screenshots/; axe checks each new view.
 */
import { closedPort } from '../support/ports.ts';
import { restartableDevstack } from '../support/restartable-devstack.ts';
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
} from './fixtures.ts';

test('a double-click on Log In opens one tab and shows no alert; Log In again and "Reopen sign-in page" open the same page', async ({
  page,
  app,
  systemBrowser,
}, testInfo) => {
  await app.open();
  await page.getByRole('button', { name: 'Log In' }).dblclick();
  const url = await app.nextExternalUrl();
  const banner = page.getByRole('region', { name: 'Finish signing in with your browser' });
  await expect(banner).toBeVisible();
  await expect(banner).toContainText('About 5 minutes left');
  // A moment later: still one tab, nothing red.
  await page.waitForTimeout(1_200);
  expect(await app.externalUrls()).toEqual([url]);
  await expect(page.getByRole('alert')).toHaveCount(0);
  await screenshot(page, testInfo, 'signing-in-banner-wide');
  expect(await seriousViolations(page), 'signing-in banner').toEqual([]);

  // The browser opened behind the app: Log In again brings the same page forward, as does the banner.
  await page.getByRole('button', { name: 'Log In' }).click();
  expect(await app.nextExternalUrl()).toBe(url);
  await banner.getByRole('button', { name: 'Reopen sign-in page' }).click();
  expect(await app.nextExternalUrl()).toBe(url);
  await expect(page.getByRole('alert')).toHaveCount(0);

  await page.setViewportSize({ width: 400, height: 800 });
  await expect(banner.getByRole('button', { name: 'Cancel' })).toBeVisible();
  await screenshot(page, testInfo, 'signing-in-banner-narrow');
  expect(await seriousViolations(page), 'signing-in banner narrow').toEqual([]);
  await page.setViewportSize({ width: 1280, height: 800 });

  // The one sign-in they all joined completes once.
  const { context } = await signInWithBrowser(systemBrowser, url, {
    username: alice.email,
    password: alice.password,
  });
  await expect(page.getByRole('button', { name: 'Log Out' })).toBeVisible();
  await expect(page.getByRole('alert')).toHaveCount(0);
  await context.close();
});

test('Cancel is a neutral notice, not an error; the tab finished later says the sign-in was cancelled', async ({
  page,
  app,
  systemBrowser,
}, testInfo) => {
  await app.open();
  await page.getByRole('button', { name: 'Log In' }).click();
  const url = await app.nextExternalUrl();
  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect(
    page.getByRole('region', { name: 'Finish signing in with your browser' }),
  ).toHaveCount(0);
  await expect(page.getByRole('status').filter({ hasText: 'Sign-in cancelled' })).toBeVisible();
  await expect(page.getByRole('alert')).toHaveCount(0);
  await screenshot(page, testInfo, 'cancelled-notice');
  expect(await seriousViolations(page), 'cancelled notice').toEqual([]);

  // The person finishes in the browser anyway, with a correct password.
  const { page: tab, context } = await signInWithBrowser(systemBrowser, url, {
    username: alice.email,
    password: alice.password,
  });
  await expect(tab.getByRole('heading', { name: 'Sign-in cancelled' })).toBeVisible();
  await expect(tab.locator('body')).toContainText('cancelled in Electron Auth0 Hello World');
  await expect(tab.locator('body')).toContainText(
    'Go back to the app and press Log In to start again',
  );
  await screenshot(tab, testInfo, 'late-tab-cancelled');
  await expect(page.getByRole('button', { name: 'Log In' })).toBeVisible();
  await context.close();
});

test.describe('with a short sign-in time limit', () => {
  test.use({ previewOptions: { session: { signInTimeoutMs: 4_000 } } });

  test('after the timeout the app says so, and the tab finished later explains instead of a dead page', async ({
    page,
    app,
    systemBrowser,
  }, testInfo) => {
    await app.open();
    await page.getByRole('button', { name: 'Log In' }).click();
    const url = await app.nextExternalUrl();
    await expect(
      page.getByRole('region', { name: 'Finish signing in with your browser' }),
    ).toContainText('Less than a minute left');
    await expect(page.getByRole('alert')).toContainText('Sign-in timed out', { timeout: 10_000 });
    await expect(page.getByRole('alert')).toContainText(
      'No answer from the browser within 4 seconds',
    );
    const { page: tab, context } = await signInWithBrowser(systemBrowser, url, {
      username: alice.email,
      password: alice.password,
    });
    await expect(tab.getByRole('heading', { name: 'Sign-in timed out' })).toBeVisible();
    await expect(tab.locator('body')).toContainText(
      'stopped waiting for this sign-in after 4 seconds',
    );
    await screenshot(tab, testInfo, 'late-tab-timeout');
    await context.close();
  });
});

test('reloading the "All done" tab shows it again, naming the app', async ({
  page,
  app,
}, testInfo) => {
  await app.open();
  await page.getByRole('button', { name: 'Log In' }).click();
  const { page: tab } = await app.finishSignIn(alice);
  await expect(tab.getByRole('heading', { name: 'All done' })).toBeVisible();
  await tab.reload();
  await expect(tab.getByRole('heading', { name: 'All done' })).toBeVisible();
  await expect(tab.locator('body')).toContainText('Electron Auth0 Hello World');
  await screenshot(tab, testInfo, 'late-tab-all-done-reload');
});

test('Log In with the provider stopped after the app started: a fast, clear error and no browser tab', async ({
  page,
  app,
}, testInfo) => {
  const start = await restartableDevstack('e2e-edges-');
  const provider = await start();
  await app.restart({ env: envFor(provider) });
  await app.open();
  // The app has talked to the provider (discovery cached), as a running app has.
  await page.getByRole('button', { name: 'Log In' }).click();
  await app.nextExternalUrl();
  await page.getByRole('button', { name: 'Cancel' }).click();
  await provider.close();

  const started = Date.now();
  await page.getByRole('button', { name: 'Log In' }).click();
  await expect(page.getByRole('alert')).toContainText('Cannot reach the sign-in service');
  expect(Date.now() - started).toBeLessThan(4_000);
  await expect(page.getByRole('alert')).toContainText('could not be reached');
  // One name for the service in title and message (L5).
  await expect(page.getByRole('alert')).toContainText('The sign-in service at');
  await expect(page.getByRole('alert')).not.toContainText('identity provider');
  expect(await app.externalUrls()).toHaveLength(1);
  await screenshot(page, testInfo, 'provider-stopped-after-start');
});

test('Log Out with the provider stopped says so and offers Try again; the next Log In asks for the password', async ({
  page,
  app,
  systemBrowser,
}, testInfo) => {
  const start = await restartableDevstack('e2e-edges-');
  let provider = await start();
  await app.restart({ env: envFor(provider) });
  await app.open();
  const first = await logIn(page, app, alice);
  await provider.close();

  await page.getByRole('button', { name: 'Log Out' }).click();
  await expect(page.getByRole('button', { name: 'Log In' }).first()).toBeVisible();
  const warning = page
    .getByRole('alert')
    .filter({ hasText: 'Your session at the sign-in service may still be open' });
  await expect(warning).toContainText(
    'You are signed out of this app, but the sign-in service could not be reached to end your session there',
  );
  await expect(warning).toContainText('the next Log In will ask for your password');
  expect(await app.externalUrls()).toHaveLength(1);
  await screenshot(page, testInfo, 'logout-provider-unreachable');
  expect(await seriousViolations(page), 'logout unreachable').toEqual([]);
  await warning.getByRole('button', { name: 'Try again' }).click();
  // The retry visibly happened: when, and that it failed again (issue 22, M2).
  await expect(warning).toContainText(
    /Still cannot reach the sign-in service \(tried at \d{1,2}:\d{2}( [AP]M)?\)\./,
  );
  await expect(warning.getByRole('button', { name: 'Try again' })).toBeFocused();
  // Log In while it is still down: one alert for one problem, with one name for the service (L5).
  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('button', { name: 'Log In' })
    .click();
  await expect(warning).toContainText(
    'Log In could not reach it either: check your connection, then try again.',
  );
  await expect(page.getByRole('alert')).toHaveCount(1);

  // The provider is back, with its sessions: the same browser is still signed in there.
  provider = await start();
  await page.getByRole('button', { name: 'Log In' }).first().click();
  const url = await app.nextExternalUrl();
  expect(new URL(url).searchParams.get('prompt')).toBe('login');
  const again = await signInWithBrowser(systemBrowser, url, {
    username: alice.email,
    password: alice.password,
    context: first.context,
  });
  expect(again.formShown).toBe(true);
  await expect(page.getByRole('button', { name: 'Log Out' })).toBeVisible();
  await expect(page.getByRole('alert')).toHaveCount(0);
  await again.page.close();
  await provider.close();
});

test('Log Out says the browser was opened to end the provider session', async ({
  page,
  app,
}, testInfo) => {
  await app.open();
  await logIn(page, app, alice);
  await page.getByRole('button', { name: 'Log Out' }).click();
  const notice = page.getByRole('status').filter({ hasText: 'You are logged out' });
  await expect(notice).toContainText(
    'We opened your web browser to end your session at the sign-in service too',
  );
  await expect(page.getByRole('alert')).toHaveCount(0);
  await screenshot(page, testInfo, 'logout-browser-opened');
  expect(await seriousViolations(page), 'logout notice').toEqual([]);
});

test('Permission denied: no Try again, says what would help, and says it once', async ({
  page,
  app,
}, testInfo) => {
  await app.open();
  await logIn(page, app, bob);
  await page.getByRole('link', { name: 'Admin' }).click();
  const alert = page.getByRole('alert');
  await expect(alert).toContainText('Permission denied');
  await expect(alert).toContainText('read:admin-messages');
  // What would help: another account (the account menu), or the permission.
  await expect(alert).toContainText(
    'Switch to an account that has it in the account menu (or add one there), or ask an administrator',
  );
  await expect(page.getByRole('button', { name: 'Try again' })).toHaveCount(0);
  await expect(page.getByRole('main').getByText('Permission denied')).toHaveCount(1);
  await screenshot(page, testInfo, 'admin-permission-denied-edges');
  expect(await seriousViolations(page), 'permission denied').toEqual([]);
});

test('with the API down the alert says it plainly first, the technical sentence after, and offers Try again', async ({
  page,
  app,
  devstack,
}, testInfo) => {
  const port = await closedPort();
  await app.restart({ env: envFor(devstack, { API_SERVER_URL: `http://127.0.0.1:${port}` }) });
  await app.open('#/public');
  const alert = page.getByRole('alert');
  await expect(alert.locator('.callout__title')).toHaveText('The message could not be loaded');
  await expect(alert.locator('.callout__message')).toContainText('could not be reached');
  // Words for the person using the app, not for whoever runs the server (L5).
  await expect(alert).not.toContainText('Is it running');
  await expect(alert.getByRole('button', { name: 'Try again' })).toBeVisible();
  await screenshot(page, testInfo, 'api-down-edges');
});

test('the nav shows who is signed in; at 200% zoom it collapses to the Menu and the app’s name stays on one line', async ({
  page,
  app,
}, testInfo) => {
  await app.open();
  await logIn(page, app, alice);
  const nav = page.locator('.nav-bar');
  await expect(nav).toContainText('Alice Liddell');
  await expect(nav.getByText('Signed in as')).toBeAttached();
  await screenshot(page, testInfo, 'nav-signed-in-wide');

  // 200% zoom of a 1280×800 window lays the page out in 640×400 CSS pixels.
  await page.setViewportSize({ width: 640, height: 400 });
  const menu = page.getByRole('button', { name: 'Menu' });
  await expect(menu).toBeVisible();
  // One line of the brand's text is about 25px; wrapped it would be twice that.
  const oneLine = 40;
  const brand = page.locator('.mobile-nav-bar__brand span');
  expect((await brand.boundingBox())!.height).toBeLessThan(oneLine);
  await screenshot(page, testInfo, 'nav-zoom-200');
  await menu.click();
  await expect(page.locator('.mobile-nav-bar__menu')).toContainText('Alice Liddell');
  await screenshot(page, testInfo, 'nav-zoom-200-menu-open');
  expect(await seriousViolations(page), 'nav at 200%').toEqual([]);

  // Just above the breakpoint the desktop nav, the app's whole name included, fits on one row.
  await page.setViewportSize({ width: 1040, height: 600 });
  await expect(page.locator('.nav-bar')).toBeVisible();
  const navBox = (await page.locator('.nav-bar').boundingBox())!;
  expect(navBox.height).toBeLessThanOrEqual(64);
  expect((await page.locator('.nav-bar__brand span').boundingBox())!.height).toBeLessThan(oneLine);
  // Every item of the nav is inside the window (nothing pushed off to the right).
  for (const item of await page.locator('.nav-bar > *').all()) {
    const itemBox = (await item.boundingBox())!;
    expect(itemBox.x + itemBox.width).toBeLessThanOrEqual(1040);
  }
  await screenshot(page, testInfo, 'nav-signed-in-1040');
});

test('Sign Up refuses a password of only spaces before anything is sent', async ({
  page,
  app,
  systemBrowser,
}, testInfo) => {
  await app.open();
  await page.getByRole('button', { name: 'Sign Up' }).click();
  const url = await app.nextExternalUrl();
  const context = await systemBrowser.newContext();
  const tab = await context.newPage();
  await tab.goto(url);
  await expect(tab.getByRole('heading', { name: 'Create your account' })).toBeVisible();
  expect(await tab.evaluate('document.activeElement.id')).toBe('name');
  await tab.locator('#username').fill(`spaces-${Date.now()}@example.com`);
  await tab.locator('#password').fill(' '.repeat(8));
  await tab.getByRole('button', { name: 'Sign Up' }).click();
  expect(await tab.evaluate("document.getElementById('password').validity.patternMismatch")).toBe(
    true,
  );
  await expect(tab.getByRole('heading', { name: 'Create your account' })).toBeVisible();
  await screenshot(tab, testInfo, 'sign-up-spaces-refused');
  // The app is still waiting for this sign-up; nothing failed there.
  await expect(
    page.getByRole('region', { name: 'Finish signing up with your browser' }),
  ).toBeVisible();
  await page.getByRole('button', { name: 'Cancel' }).click();
  await context.close();
});
