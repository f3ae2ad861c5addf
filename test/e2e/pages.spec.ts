/**
 * Every page, signed out and signed in, wide and narrow: axe-core finds no serious or critical
 * violation, and a screenshot of each is kept in test-results/screenshots/ to look at.
 * Also: the narrow-window menu, and the renderer never seeing a token.
 */
import path from 'node:path';
import type { Page } from '@playwright/test';
import { JsonFileStore, KeyFileBesideDataCipher } from '../../src-main/core/node-storage.ts';
import { storedTokens } from '../support/stored-accounts.ts';
import {
  alice,
  expect,
  logIn,
  recordBridge,
  screenshot,
  seriousViolations,
  test,
} from './fixtures.ts';

const PAGES = [
  { hash: '#/', name: 'home', heading: 'Electron Auth0 Hello World' },
  { hash: '#/profile', name: 'profile', heading: 'Profile Page' },
  { hash: '#/public', name: 'public', heading: 'Public Page' },
  { hash: '#/protected', name: 'protected', heading: 'Protected Page' },
  { hash: '#/admin', name: 'admin', heading: 'Admin Page' },
  { hash: '#/no-such-page', name: 'not-found', heading: /not found/i },
] as const;

const SIZES = [
  { label: 'wide', width: 1280, height: 800 },
  { label: 'narrow', width: 400, height: 800 },
] as const;

async function visitAll(
  page: Page,
  baseUrl: string,
  state: string,
  testInfo: Parameters<Parameters<typeof test>[2]>[1],
) {
  for (const size of SIZES) {
    await page.setViewportSize({ width: size.width, height: size.height });
    for (const target of PAGES) {
      await page.goto(`${baseUrl}${target.hash}`);
      await expect(page.getByRole('heading', { level: 1, name: target.heading })).toBeVisible();
      // Let message pages finish loading before judging them.
      await expect(page.getByText('Getting the message from the API…')).toHaveCount(0);
      expect(await seriousViolations(page), `${target.name} ${state} ${size.label}`).toEqual([]);
      await screenshot(page, testInfo, `${target.name}-${state}-${size.label}`);
    }
  }
}

test('every page signed out, wide and narrow, passes axe', async ({ page, app }, testInfo) => {
  await app.open();
  await visitAll(page, app.preview.url, 'signed-out', testInfo);
});

test('every page signed in, wide and narrow, passes axe, and the renderer never sees a token', async ({
  page,
  app,
}, testInfo) => {
  // Record every bridge answer and every session event the renderer receives.
  const everythingReceived = await recordBridge(page);
  await app.open();
  await logIn(page, app, alice);
  await visitAll(page, app.preview.url, 'signed-in', testInfo);

  // The tokens, as only the main process can read them: decrypted from the preview's vault.
  const store = new JsonFileStore(path.join(app.preview.dataDir, 'session.json'));
  const tokens = (await storedTokens(store, new KeyFileBesideDataCipher(app.preview.dataDir)))!;
  const everything = await everythingReceived();
  // Bridge answers and the event stream's session frames, signed in and out.
  expect(everything.match(/event: session:changed/g)?.length ?? 0).toBeGreaterThan(0);
  expect(everything).toContain('alice@example.com');
  for (const token of [tokens.accessToken, tokens.idToken, tokens.refreshToken!])
    expect(everything).not.toContain(token);
  // No JWT of any kind (access or ID token) and no refresh token field ever crossed the bridge.
  expect(everything).not.toMatch(/eyJ[\w-]+\.[\w-]+\.[\w-]+/);
  expect(everything).not.toMatch(/refresh_?token|access_?token|id_?token/i);
});

test('in a narrow window the tabs and buttons move behind the Menu button', async ({
  page,
  app,
}, testInfo) => {
  await page.setViewportSize({ width: 400, height: 800 });
  await app.open();
  const menu = page.getByRole('button', { name: 'Menu' });
  await expect(menu).toBeVisible();
  await expect(menu).toHaveAttribute('aria-expanded', 'false');
  await expect(page.getByRole('link', { name: 'Public' })).toBeHidden();
  await menu.click();
  await expect(menu).toHaveAttribute('aria-expanded', 'true');
  await screenshot(page, testInfo, 'menu-open-narrow');
  await page.getByRole('link', { name: 'Public' }).click();
  await expect(page.getByRole('heading', { name: 'Public Page' })).toBeVisible();
  await expect(page.getByRole('main')).toContainText('This is a public message.');
  await expect(menu).toHaveAttribute('aria-expanded', 'false');
  // Keyboard: the menu opens with Enter and closes with Escape.
  await menu.focus();
  await page.keyboard.press('Enter');
  await expect(menu).toHaveAttribute('aria-expanded', 'true');
  await page.keyboard.press('Escape');
  await expect(menu).toHaveAttribute('aria-expanded', 'false');
  // Log In from the menu works as on the desktop nav.
  await menu.click();
  await page.getByRole('button', { name: 'Log In' }).click();
  await app.finishSignIn(alice);
  // Signed in, the app goes to the Profile page (which closes the menu); then open it again.
  await expect(page.getByRole('heading', { name: 'Profile Page' })).toBeVisible();
  await menu.click();
  await expect(page.getByRole('link', { name: 'Admin' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Log Out' })).toBeVisible();
});
