/**
 * A provider nobody here wrote (issue 16, Glewlwyd's behaviour played by the hostile test provider):
 * it refuses to revoke tokens for a public client. Through the preview, in Chromium: Log Out says so
 * in one line instead of claiming everything was ended.
 */
import { send } from '../support/http.ts';
import { startHostileProvider } from '../support/hostile-provider.ts';
import { envFor, expect, screenshot, test } from './fixtures.ts';

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
