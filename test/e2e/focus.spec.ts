/**
 * The focus rule (issue 22, M2), walked by keyboard only: when the control a person pressed goes away
 * or cannot act, focus moves to the new content's heading or primary control, or stays on the
 * control; it never falls to the page (the next Tab would start again at "Skip to content"). A
 * watcher in the page checks `document.activeElement` on every frame from the first Tab on.
 */
import type { Locator, Page } from '@playwright/test';
import { closedPort } from '../support/ports.ts';
import { envFor, expect, screenshot, test } from './fixtures.ts';

/** Counts the frames on which focus is on the page itself, once armed by the first keyboard step. */
const FOCUS_WATCH = `(() => {
  window.__focusLost = [];
  window.__focusWatchArmed = false;
  const tick = () => {
    const active = document.activeElement;
    if (window.__focusWatchArmed && (!active || active === document.body))
      window.__focusLost.push(location.hash);
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})()`;

async function focusLost(page: Page): Promise<string[]> {
  return (await page.evaluate('window.__focusLost')) as string[];
}

/**
 * Presses Tab (or Shift+Tab) until `target` has focus: how a keyboard user gets there. The watch is
 * armed once a key was pressed (before that, a freshly opened page rightly has focus on itself).
 */
async function tabTo(page: Page, target: Locator, back = false): Promise<void> {
  for (let presses = 0; presses < 60; presses += 1) {
    const focused = await target.evaluate(
      (element) => element === element.ownerDocument.activeElement,
    );
    if (focused) {
      await page.evaluate('window.__focusWatchArmed = true');
      return;
    }
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
    await page.evaluate('window.__focusWatchArmed = true');
  }
  throw new Error(`Tab never reached ${target.toString()}`);
}

async function press(page: Page, target: Locator, key = 'Enter', back = false): Promise<void> {
  await tabTo(page, target, back);
  await page.keyboard.press(key);
}

test.beforeEach(async ({ page }) => {
  await page.addInitScript(FOCUS_WATCH);
});

test.afterEach(async ({ page }) => {
  expect(await focusLost(page), 'frames with focus on the page').toEqual([]);
});

test('signing in, by keyboard: the app link, a code, Cancel on the code screen and on the banner', async ({
  page,
  app,
}, testInfo) => {
  await app.open();
  const nav = page.getByRole('navigation', { name: 'Main' });
  await press(page, nav.getByRole('button', { name: 'Log In' }));
  const banner = page.getByRole('region', { name: /^Finish signing in/ });
  await expect(banner).toBeVisible();
  // Log In stays where it was: focus stays on it.
  await expect(nav.getByRole('button', { name: 'Log In' })).toBeFocused();

  // "Use the app link" goes away once chosen: focus to the banner's heading.
  await press(page, page.getByRole('button', { name: 'Having trouble? Try another way' }));
  await press(page, page.getByRole('button', { name: 'Use the app link' }));
  await expect(page.getByRole('button', { name: 'Use the app link' })).toHaveCount(0);
  await expect(banner.getByRole('heading')).toBeFocused();

  // "Sign in with a code": the code it shows takes focus.
  await press(page, page.getByRole('button', { name: 'Having trouble? Try another way' }));
  await press(page, page.getByRole('button', { name: 'Sign in with a code' }));
  await expect(page.getByTestId('user-code')).toBeFocused();
  await screenshot(page, testInfo, 'focus-sign-in-code');

  // Cancel on the code screen: the notice that says so.
  await press(
    page,
    page
      .getByRole('region', { name: 'Sign in with a code' })
      .getByRole('button', { name: 'Cancel' }),
  );
  const cancelled = page.getByRole('status').filter({ hasText: 'Sign-in cancelled' });
  await expect(cancelled).toBeFocused();

  // Log In again, Cancel in the waiting banner: the notice again.
  await press(page, nav.getByRole('button', { name: 'Log In' }), 'Enter', true);
  await expect(banner).toBeVisible();
  await press(page, banner.getByRole('button', { name: 'Cancel' }));
  await expect(banner).toHaveCount(0);
  await expect(page.getByRole('status').filter({ hasText: 'Sign-in cancelled' })).toBeFocused();
});

test('Log In from the narrow menu: the menu closes and focus is on the Menu button', async ({
  page,
  app,
}) => {
  await page.setViewportSize({ width: 400, height: 800 });
  await app.open();
  await press(page, page.getByRole('button', { name: 'Menu' }));
  await press(page, page.locator('.mobile-nav-bar__menu').getByRole('button', { name: 'Log In' }));
  await expect(page.getByRole('region', { name: /^Finish signing in/ })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Menu' })).toBeFocused();
  await expect(page.getByRole('button', { name: 'Menu' })).toHaveAttribute(
    'aria-expanded',
    'false',
  );
  // The next Tab is the first item after the menu: a control of the waiting banner.
  await page.keyboard.press('Tab');
  await expect(
    page.getByRole('region', { name: /^Finish signing in/ }).locator(':focus'),
  ).toHaveCount(1);
});

test('Try again on a page that still fails stays on Try again and says when it tried', async ({
  page,
  app,
  devstack,
}, testInfo) => {
  const port = await closedPort();
  await app.restart({ env: envFor(devstack, { API_SERVER_URL: `http://127.0.0.1:${port}` }) });
  await app.open('#/public');
  const alert = page.getByRole('alert').filter({ hasText: 'The message could not be loaded' });
  await press(page, alert.getByRole('button', { name: 'Try again' }));
  await expect(alert).toContainText(
    /Still cannot reach the message API \(tried at \d{1,2}:\d{2}( [AP]M)?\)\./,
  );
  await expect(alert.getByRole('button', { name: 'Try again' })).toBeFocused();
  await screenshot(page, testInfo, 'message-still-failing');
});

test('Settings by keyboard: Check connection takes focus to its results; Save, "Save anyway?" and Save anyway', async ({
  page,
  app,
  devstack,
}) => {
  await app.restart({ env: {} });
  await app.open('#/settings');
  // The radio group: Tab to the checked choice, an arrow key picks the other.
  await press(page, page.getByRole('radio', { name: 'Built-in demo provider' }), 'ArrowRight');
  await expect(page.getByRole('radio', { name: 'Your Auth0 tenant' })).toBeChecked();
  const values: Array<[string, string]> = [
    ['Domain', devstack.issuer],
    ['Client ID', devstack.clientId],
    ['Audience', devstack.audience],
    ['API server URL', devstack.apiUrl],
  ];
  for (const [label, value] of values) {
    await tabTo(page, page.getByLabel(label));
    await page.keyboard.type(value);
  }
  const check = page.getByRole('button', { name: 'Check connection' });
  await press(page, check);
  await expect(page.locator('#check-results-summary')).toBeFocused();
  await expect(page.locator('#check-results-summary')).toHaveText(/^All 7 checks passed/);

  // A changed form is not the one checked: Save asks first, and the question takes focus.
  await tabTo(page, page.getByLabel('Callback ports'), true);
  await page.keyboard.type('53682');
  await press(page, page.getByRole('button', { name: 'Save', exact: true }));
  await expect(page.getByText(/Save anyway\?$/)).toBeFocused();
  await press(page, page.getByRole('button', { name: 'Save anyway' }));
  // N5: the switch is confirmed on the host's own page (the person's browser), not by this page.
  await app.confirmSwitch([new URL(devstack.issuer).host]);
  await expect(page.getByRole('button', { name: 'Save', exact: true })).toBeFocused();
  await expect(page.locator('#settings-save-status')).toContainText('Saved.');
});
