/**
 * "Copy sign-in link" (issue 19) through the preview, in Chromium: the button beside "Reopen sign-in
 * page" has main put the pending sign-in's page on the clipboard (the app's copyText; the preview's
 * recording stand-in in capture mode), says so and for how long, and keeps focus; the link never
 * reaches the page; opened in another browser it finishes the sign-in. Where the host has no
 * clipboard of its own, the banner says why. axe and screenshots, wide and narrow.
 */
import { signInWithBrowser } from '../support/system-browser.ts';
import {
  alice,
  expect,
  recordBridge,
  screenshot,
  seriousViolations,
  test,
  type PreviewApp,
} from './fixtures.ts';
import type { Page } from '@playwright/test';

const COPIED =
  'Link copied. Paste it into another browser on this computer: it works once, until the time above runs out.';

/** Log In from the nav; resolves with the page the app opened in the system browser. */
async function startSignIn(page: Page, app: PreviewApp): Promise<string> {
  await app.open();
  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('button', { name: 'Log In' })
    .click();
  await expect(page.getByText('Finish signing in with your browser')).toBeVisible();
  return app.nextExternalUrl();
}

test('Copy sign-in link: main copies the page, the banner says it works once until the time runs out, and another browser finishes the sign-in', async ({
  page,
  app,
  systemBrowser,
}, testInfo) => {
  const everything = await recordBridge(page);
  const url = await startSignIn(page, app);
  const banner = page.getByRole('region', { name: 'Finish signing in with your browser' });
  const copy = banner.getByRole('button', { name: 'Copy sign-in link' });
  // Beside "Reopen sign-in page", before Cancel: the order on screen is the keyboard's.
  await expect(banner.getByRole('button')).toHaveText([
    'Reopen sign-in page',
    'Copy sign-in link',
    'Cancel',
    'Having trouble? Try another way',
  ]);

  // By keyboard: the button stays, so focus stays on it.
  await copy.focus();
  await page.keyboard.press('Enter');
  await expect(banner.getByRole('status').filter({ hasText: 'Link copied' })).toHaveText(COPIED);
  await expect(copy).toBeFocused();
  expect(await app.clipboard()).toEqual([url]);

  // The page never had the link: no bridge answer or session event carries its state.
  const state = new URL(url).searchParams.get('state')!;
  expect(state.length).toBeGreaterThan(20);
  expect(await everything()).not.toContain(state);
  expect(await page.content()).not.toContain(state);

  for (const size of [
    { label: 'wide', width: 1280, height: 800 },
    { label: 'narrow', width: 400, height: 900 },
  ]) {
    await page.setViewportSize({ width: size.width, height: size.height });
    expect(await seriousViolations(page), size.label).toEqual([]);
    await screenshot(page, testInfo, `sign-in-link-copied-${size.label}`);
  }
  await page.setViewportSize({ width: 1280, height: 800 });

  // Another browser (a fresh context: no session at the provider) finishes the sign-in.
  const elsewhere = await signInWithBrowser(systemBrowser, (await app.clipboard())[0]!, {
    username: alice.email,
    password: alice.password,
  });
  await expect(page.getByRole('button', { name: 'Log Out' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Copy sign-in link' })).toHaveCount(0);
  await elsewhere.context.close();
});

test.describe('a host without a clipboard of its own (npm run preview)', () => {
  test.use({ previewOptions: { clipboard: false } });

  test('Copy sign-in link says why it cannot copy, and focus stays on it', async ({
    page,
    app,
  }, testInfo) => {
    await startSignIn(page, app);
    const copy = page.getByRole('button', { name: 'Copy sign-in link' });
    await copy.click();
    await expect(
      page.getByRole('status').filter({ hasText: 'no clipboard of its own here' }),
    ).toHaveText(
      'This app has no clipboard of its own here: press Reopen sign-in page and copy the address from your browser.',
    );
    await expect(copy).toBeFocused();
    expect(await app.clipboard()).toEqual([]);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, testInfo, 'sign-in-link-no-clipboard');
  });
});
