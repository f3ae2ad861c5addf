/**
 * A provider nobody here wrote (issue 16, Glewlwyd's behaviour): it names the API with RFC 8707's
 * `resource`, and it refuses to revoke tokens for a public client (played by the hostile test
 * provider). Through the preview, in Chromium: Settings shows and saves the Resource parameter, Check
 * connection says how the Audience is sent, the sign-in sends it so; Log Out says in one line that the
 * refresh token stays valid where revocation is refused.
 */
import { send } from '../support/http.ts';
import { startHostileProvider } from '../support/hostile-provider.ts';
import { signInWithBrowser } from '../support/system-browser.ts';
import { alice, envFor, expect, fillTenant, screenshot, tenantValuesOf, test } from './fixtures.ts';

test('Settings → Resource parameter: shown, checked, saved, and the sign-in names the API as resource', async ({
  page,
  app,
  devstack,
  systemBrowser,
}, testInfo) => {
  await app.restart({ env: {} });
  await app.open();
  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: 'Settings' })
    .click();
  await expect(page.getByText('Loading settings…')).toHaveCount(0);
  await fillTenant(page, tenantValuesOf(devstack));
  const choice = page.getByLabel('Resource parameter');
  await expect(choice).toHaveValue('');
  await expect(choice.locator('option:checked')).toHaveText(
    'Default: audience on an Auth0 domain, both elsewhere',
  );
  await choice.selectOption('resource');

  await page.getByRole('button', { name: 'Check connection' }).click();
  const lines = page.getByRole('list', { name: 'Connection checks' }).getByRole('listitem');
  await expect(lines.filter({ hasText: 'Authorization code' })).toContainText(
    'The Audience is sent as resource (RFC 8707).',
  );
  await expect(lines.filter({ hasText: 'Revocation' })).toContainText(
    'it revokes tokens for this public client',
  );
  for (const size of [
    { label: 'wide', width: 1280, height: 2100 },
    { label: 'narrow', width: 400, height: 2800 },
  ]) {
    await page.setViewportSize({ width: size.width, height: size.height });
    await screenshot(page, testInfo, `settings-resource-parameter-${size.label}`);
  }
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.getByRole('button', { name: 'Save' }).click();
  await app.confirmSwitch([new URL(devstack.issuer).host]);
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();

  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('button', { name: 'Log In' })
    .click();
  const url = new URL(await app.nextExternalUrl());
  expect(url.searchParams.get('resource')).toBe(devstack.audience);
  expect(url.searchParams.get('audience')).toBeNull();
  const { context } = await signInWithBrowser(systemBrowser, url.href, {
    username: alice.email,
    password: alice.password,
  });
  await expect(page.getByRole('button', { name: 'Log Out' })).toBeVisible();
  // The API takes the token: its aud is the API's.
  await page.getByRole('link', { name: 'Admin' }).click();
  await expect(page.getByRole('main')).toContainText('"text": "This is an admin message."');
  await context.close();
});

test('Log Out against a provider that refuses to revoke the refresh token says it stays valid, in one line', async ({
  page,
  app,
}, testInfo) => {
  const provider = await startHostileProvider();
  try {
    provider.use({ revocation: { status: 401, body: { error: 'invalid_client' } } });
    await app.restart({
      env: envFor({
        issuer: provider.issuer,
        clientId: provider.clientId,
        audience: 'https://api.example',
        apiUrl: 'http://127.0.0.1:9',
      }),
    });
    await app.open();
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('button', { name: 'Log In' })
      .click();
    // The provider answers the authorization request at once, as a browser with a session would.
    expect((await send(await provider.authorize(await app.nextExternalUrl()))).status).toBe(303);
    await expect(page.getByRole('button', { name: 'Log Out' })).toBeVisible();

    await page.getByRole('button', { name: 'Log Out' }).click();
    const notice = page.getByRole('status').filter({ hasText: 'logged out' });
    await expect(notice).toContainText('You are logged out of this app');
    await expect(notice).toContainText(
      'The sign-in service refuses to revoke tokens for this app, so its refresh token stays valid there until it expires.',
    );
    expect(provider.revocations).toHaveLength(1);
    await expect(
      page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Log In' }),
    ).toBeVisible();
    for (const size of [
      { label: 'wide', width: 1280, height: 800 },
      { label: 'narrow', width: 400, height: 800 },
    ]) {
      await page.setViewportSize({ width: size.width, height: size.height });
      await screenshot(page, testInfo, `logout-revocation-refused-${size.label}`);
    }
  } finally {
    await app.restart();
    await provider.close();
  }
});
