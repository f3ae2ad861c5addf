/**
 * The small edges of signing in (issue 22): Log In or Sign Up pressed again while a sign-in waits
 * (L2), the waiting banner in the order it is read, at exactly 200 % zoom (L8, L10), and a pending
 * sign-in code on the other pages (L8); one name for the app, from the nav to the provider's pages
 * (L11).
 */
import path from 'node:path';
import type { Page } from '@playwright/test';
import { APP_NAME } from '../../src-preload/app-name.ts';
import { SCREENSHOTS, expect, screenshot, test } from './fixtures.ts';

const nav = (page: Page) => page.getByRole('navigation', { name: 'Main' });
const banner = (page: Page) => page.getByRole('region', { name: /^Finish sign(ing in|ing up)/ });

test('L2: Sign Up while a Log In waits says so and brings the sign-in forward; Log In while the code shows says so', async ({
  page,
  app,
}) => {
  await app.open();
  await nav(page).getByRole('button', { name: 'Log In' }).click();
  const loginUrl = await app.nextExternalUrl();
  await expect(banner(page)).toBeVisible();
  // Past the double-click guard: this press is a second one, not the same click twice.
  await page.waitForTimeout(1_100);
  await nav(page).getByRole('button', { name: 'Sign Up' }).click();
  const notice = page.getByRole('status').filter({ hasText: 'A sign-in is already waiting' });
  await expect(notice).toContainText('To create an account instead, press Cancel, then Sign Up.');
  // What it brought forward is the waiting sign-in's page, not a sign-up page.
  expect(await app.nextExternalUrl()).toBe(loginUrl);

  await page.getByRole('button', { name: 'Having trouble? Try another way' }).click();
  await page.getByRole('button', { name: 'Sign in with a code' }).click();
  await expect(page.getByTestId('user-code')).toBeVisible();
  await nav(page).getByRole('button', { name: 'Log In' }).click();
  await expect(
    page.getByRole('status').filter({ hasText: 'You are already signing in' }),
  ).toContainText('Finish with the code shown here, or press Cancel to start again.');
  await expect(page.getByTestId('user-code')).toBeFocused();
  await page
    .getByRole('region', { name: 'Sign in with a code' })
    .getByRole('button', { name: 'Cancel' })
    .click();
});

test('L8 + L10: the waiting banner reads and tabs in one order, and stacks at exactly 200 % zoom', async ({
  page,
  app,
}, testInfo) => {
  await app.open();
  await nav(page).getByRole('button', { name: 'Log In' }).click();
  await expect(banner(page)).toBeVisible();
  await page.getByRole('button', { name: 'Having trouble? Try another way' }).click();
  await screenshot(page, testInfo, 'signing-in-wide');

  // The keyboard goes through the banner in the order it is laid out: top to bottom, then left to right.
  await banner(page)
    .getByRole('heading')
    .evaluate((heading) => {
      heading.tabIndex = -1;
      heading.focus();
    });
  const boxes: Array<{ x: number; y: number; name: string }> = [];
  for (let i = 0; i < 6; i += 1) {
    await page.keyboard.press('Tab');
    const focused = banner(page).locator(':focus');
    if ((await focused.count()) === 0) break;
    const box = (await focused.boundingBox())!;
    boxes.push({ x: box.x, y: box.y, name: (await focused.textContent()) ?? '' });
  }
  expect(boxes.map((box) => box.name)).toEqual([
    'Reopen sign-in page',
    'Copy sign-in link',
    'Cancel',
    'Hide other ways',
    'Use the app link',
    'Sign in with a code',
  ]);
  for (let i = 1; i < boxes.length; i += 1) {
    const [before, after] = [boxes[i - 1]!, boxes[i]!];
    const sameRow = Math.abs(after.y - before.y) < 4;
    expect(
      sameRow ? after.x > before.x : after.y > before.y,
      `${before.name} → ${after.name}`,
    ).toBe(true);
  }

  // 200 % zoom of a 1280 px window: 640 CSS pixels. The buttons sit under the words, each whole.
  await page.setViewportSize({ width: 640, height: 800 });
  const message = (await banner(page).locator('.callout__message').boundingBox())!;
  const reopen = (await banner(page)
    .getByRole('button', { name: 'Reopen sign-in page' })
    .boundingBox())!;
  expect(reopen.y).toBeGreaterThan(message.y + message.height - 1);
  expect(reopen.x + reopen.width).toBeLessThanOrEqual(640);
  await screenshot(page, testInfo, 'signing-in-zoom-200');
  await page.setViewportSize({ width: 400, height: 800 });
  await screenshot(page, testInfo, 'signing-in-narrow');
  await banner(page).getByRole('button', { name: 'Cancel' }).click();
});

test('L8: a pending code is one line on the other pages, with the steps one click away', async ({
  page,
  app,
}, testInfo) => {
  await app.open();
  await nav(page).getByRole('button', { name: 'Log In' }).click();
  await page.getByRole('button', { name: 'Having trouble? Try another way' }).click();
  await page.getByRole('button', { name: 'Sign in with a code' }).click();
  const code = (await page.getByTestId('user-code').textContent())!;

  await nav(page).getByRole('link', { name: 'Public' }).click();
  const bar = page.getByRole('region', { name: 'Signing in with a code' });
  await expect(bar).toContainText(`Your code: ${code}`);
  await expect(page.getByRole('region', { name: 'Sign in with a code' })).toHaveCount(0);
  // The page itself is in view, not pushed below the code panel.
  await expect(page.getByRole('heading', { level: 1, name: 'Public Page' })).toBeInViewport();
  await screenshot(page, testInfo, 'sign-in-code-bar-wide');
  await page.setViewportSize({ width: 400, height: 800 });
  await screenshot(page, testInfo, 'sign-in-code-bar-narrow');

  await bar.getByRole('button', { name: 'Show the steps' }).click();
  await expect(page.getByTestId('user-code')).toHaveText(code);
  await expect(page.getByTestId('user-code')).toBeFocused();
  await page
    .getByRole('region', { name: 'Sign in with a code' })
    .getByRole('button', { name: 'Cancel' })
    .click();
});

test('L11: the app has one name: the nav, the window title, Home, and the demo provider’s pages', async ({
  page,
  app,
  systemBrowser,
}) => {
  await app.open();
  await expect(nav(page).getByRole('link', { name: APP_NAME })).toBeVisible();
  await expect(page).toHaveTitle(`Home · ${APP_NAME}`);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(APP_NAME);
  await nav(page).getByRole('button', { name: 'Log In' }).click();
  const url = await app.nextExternalUrl();
  const context = await systemBrowser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    const tab = await context.newPage();
    await tab.goto(url);
    await expect(tab.getByText(`Log in to ${APP_NAME} to continue.`)).toBeVisible();
    await tab.screenshot({ path: path.join(SCREENSHOTS, 'devstack-login.png'), fullPage: true });
  } finally {
    await context.close();
  }
  await banner(page).getByRole('button', { name: 'Cancel' }).click();
});
