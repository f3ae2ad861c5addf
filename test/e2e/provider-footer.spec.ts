/**
 * The footer's "Identity provider: …" line, which the README promises is always shown: after Log In,
 * Log Out and a provider switch it still names the provider in use (issue 22, M1: the answers to
 * login and logout once carried no provider, and the line vanished until a reload).
 */
import type { Page } from '@playwright/test';
import { alice, bob, expect, fillTenant, logIn, tenantValuesOf, test } from './fixtures.ts';

const footerProvider = (page: Page) => page.locator('footer .page-footer__provider');

async function logOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Log Out' }).first().click();
  await expect(page.getByRole('button', { name: 'Log In' }).first()).toBeVisible();
  // Log Out's own answer (it brings this notice, and the Home page) is in.
  await expect(page.getByRole('status').filter({ hasText: 'You are logged out' })).toBeVisible();
}

test('the footer names the provider after Log In, after Log Out and after a provider switch', async ({
  page,
  app,
  devstack,
}) => {
  await app.restart({ env: {} });
  await app.open();
  const demo = 'Identity provider: Built-in demo provider';
  await expect(footerProvider(page)).toHaveText(demo);

  await logIn(page, app, alice);
  await expect(footerProvider(page)).toHaveText(demo);
  await logOut(page);
  await expect(footerProvider(page)).toHaveText(demo);

  // Switch to another provider from Settings: the footer follows, and keeps following.
  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: 'Settings' })
    .click();
  await fillTenant(page, tenantValuesOf(devstack));
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await page.getByRole('button', { name: 'Save anyway' }).click();
  const host = new URL(devstack.issuer).host;
  // The switch is confirmed on the host's own page (issue 16, N5).
  await app.confirmSwitch([host, new URL(devstack.apiUrl).origin]);
  await expect(footerProvider(page)).toHaveText(`Identity provider: ${host}`);

  await logIn(page, app, bob);
  await expect(footerProvider(page)).toHaveText(`Identity provider: ${host}`);
  await logOut(page);
  await expect(footerProvider(page)).toHaveText(`Identity provider: ${host}`);

  // The provider's name leads to where it is chosen (L11).
  await footerProvider(page).getByRole('link', { name: host }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Settings' })).toBeVisible();
});
