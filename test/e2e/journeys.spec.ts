/**
 * Every journey a user has, in Chromium, through the preview host, on the real core and devstack.
 */
import { readdirSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { closedPort } from '../support/ports.ts';
import { send } from '../support/http.ts';
import { alice, bob, envFor, expect, logIn, screenshot, test } from './fixtures.ts';

test('alice logs in, sees her profile, protected and admin messages, and logs out of the provider too', async ({
  page,
  app,
}, testInfo) => {
  await app.open();
  await expect(page.getByRole('heading', { name: 'Electron Auth0 Hello World' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Protected' })).toHaveCount(0);
  await expect(page.getByRole('link', { name: 'Admin' })).toHaveCount(0);

  await page.getByRole('button', { name: 'Log In' }).click();
  await expect(page.getByText('Finish signing in with your browser')).toBeVisible();
  await screenshot(page, testInfo, 'signing-in');
  const { context, page: browserTab } = await app.finishSignIn(alice);
  await expect(browserTab.getByText('You can close this tab and return to the app')).toBeVisible();
  expect(browserTab.url()).not.toContain('code=');

  // Signed in: the Profile page from the ID token.
  await expect(page.getByRole('heading', { name: 'Profile Page' })).toBeVisible();
  await expect(page.getByRole('main')).toContainText('Alice Liddell');
  await expect(page.getByRole('main')).toContainText('alice@example.com');
  await expect(page.getByText('Decoded ID Token')).toBeVisible();
  await expect(page.getByRole('main')).toContainText('"email_verified": true');
  await expect(page.getByRole('link', { name: 'Profile' })).toHaveAttribute('aria-current', 'page');

  await page.getByRole('link', { name: 'Protected' }).click();
  await expect(page.getByRole('heading', { name: 'Protected Page' })).toBeVisible();
  await expect(page.getByRole('main')).toContainText('"text": "This is a protected message."');
  await expect(page.getByRole('link', { name: 'Protected' })).toHaveAttribute(
    'aria-current',
    'page',
  );

  await page.getByRole('link', { name: 'Admin' }).click();
  await expect(page.getByRole('main')).toContainText('"text": "This is an admin message."');

  await page.getByRole('button', { name: 'Log Out' }).click();
  // The session event can arrive before the logout answer: for a moment the Admin page shows its own Log In.
  await expect(
    page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Log In' }),
  ).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Electron Auth0 Hello World' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Protected' })).toHaveCount(0);
  await expect(page.getByRole('link', { name: 'Admin' })).toHaveCount(0);

  // The provider's session ends too: its logout page, followed in the same browser, comes back to
  // the app's loopback page, and the next sign-in asks for the password again.
  const logoutUrl = await app.nextExternalUrl();
  expect(logoutUrl).toContain('id_token_hint=');
  await browserTab.goto(logoutUrl);
  await expect(browserTab.getByText('You have been logged out')).toBeVisible();
  await page.getByRole('button', { name: 'Log In' }).click();
  await browserTab.goto(await app.nextExternalUrl());
  await expect(browserTab.locator('input[name="password"]')).toBeVisible();
  await page.getByRole('button', { name: 'Cancel' }).click();
  await context.close();
});

test('bob sees the protected message but "Permission denied" on the Admin page', async ({
  page,
  app,
}, testInfo) => {
  await app.open();
  await logIn(page, app, bob);
  await page.getByRole('link', { name: 'Protected' }).click();
  await expect(page.getByRole('main')).toContainText('This is a protected message.');
  await page.getByRole('link', { name: 'Admin' }).click();
  await expect(page.getByRole('alert')).toContainText('Permission denied');
  await screenshot(page, testInfo, 'admin-permission-denied');
});

test('Sign Up creates a new account and signs it in', async ({ page, app }) => {
  await app.open();
  await page.getByRole('button', { name: 'Sign Up' }).first().click();
  // Says sign-up, not sign-in (issue 22, L1).
  const banner = page.getByRole('region', { name: 'Finish signing up with your browser' });
  await expect(banner).toBeVisible();
  await expect(banner.getByRole('button', { name: 'Reopen sign-up page' })).toBeVisible();
  const email = `e2e-${Date.now()}@example.com`;
  await app.finishSignIn(
    { email, password: 'correct horse battery', name: 'Eve Tester' },
    'signup',
  );
  await expect(page.getByRole('button', { name: 'Log Out' })).toBeVisible();
  await page.goto(`${app.preview.url}#/profile`);
  await expect(page.getByRole('main')).toContainText(email);
  await expect(page.getByRole('main')).toContainText('Eve Tester');
});

test('a pending sign-in can be cancelled', async ({ page, app }) => {
  await app.open();
  await page.getByRole('button', { name: 'Log In' }).click();
  const url = await app.nextExternalUrl();
  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByText('Finish signing in with your browser')).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Log In' })).toBeEnabled();
  // The loopback receiver takes nothing any more: a tab coming back now is only told what happened.
  const redirectUri = new URL(url).searchParams.get('redirect_uri')!;
  // (A browser's top-level navigation, not fetch(): the receiver refuses anything else.)
  const late = await send(`${redirectUri}?code=late&state=late`);
  expect(late.status).toBe(410);
  expect(late.body).toContain('Sign-in cancelled');
});

test('the session survives a restart of the app', async ({ page, app }) => {
  await app.open();
  await logIn(page, app, alice);
  await app.restart();
  await app.open('#/profile');
  await expect(page.getByRole('button', { name: 'Log Out' })).toBeVisible();
  await expect(page.getByRole('main')).toContainText('alice@example.com');
  expect(await app.externalUrls()).toEqual([]);
});

test('on the built-in devstack (no AUTH0_* settings) the session survives a restart too', async ({
  page,
  app,
}) => {
  // The preview starts its own devstack, which keeps its state in the preview's data folder.
  const idpPort = await closedPort();
  let apiPort = await closedPort();
  while (apiPort === idpPort) apiPort = await closedPort();
  const env = { DEVSTACK_IDP_PORT: String(idpPort), DEVSTACK_API_PORT: String(apiPort) };
  await app.restart({ env });
  expect(app.preview.summary).toContain(`Identity provider: http://127.0.0.1:${idpPort}`);
  await app.open();
  await logIn(page, app, alice);

  // Both the preview and its devstack stop; both start again on the same folder.
  await app.restart({ env });
  await app.open('#/profile');
  await expect(page.getByRole('button', { name: 'Log Out' })).toBeVisible();
  await expect(page.getByRole('main')).toContainText('alice@example.com');
  expect(await app.externalUrls()).toEqual([]);
  // The restarted provider still signs with the same key, so its API accepts the saved tokens.
  await page.getByRole('link', { name: 'Admin' }).click();
  await expect(page.getByRole('main')).toContainText('"text": "This is an admin message."');
  // Its state is in the preview's data folder (no sign-up here, so no accounts file).
  expect(readdirSync(path.join(app.preview.dataDir, 'devstack')).sort()).toEqual([
    'ports.json',
    'provider.json',
    'secrets.json',
  ]);
});

test.describe('when the provider is down', () => {
  test('Log In explains that the sign-in service cannot be reached', async ({
    page,
    app,
    devstack,
  }, testInfo) => {
    const port = await closedPort();
    await app.restart({ env: envFor(devstack, { AUTH0_DOMAIN: `http://127.0.0.1:${port}` }) });
    await app.open();
    await page.getByRole('button', { name: 'Log In' }).click();
    await expect(page.getByRole('alert')).toContainText('could not be reached');
    await expect(page.getByRole('button', { name: 'Log In' })).toBeVisible();
    await screenshot(page, testInfo, 'provider-down');
  });
});

test.describe('when the message API is down', () => {
  test('the Public page shows the error instead of a message', async ({
    page,
    app,
    devstack,
  }, testInfo) => {
    const port = await closedPort();
    await app.restart({ env: envFor(devstack, { API_SERVER_URL: `http://127.0.0.1:${port}` }) });
    await app.open('#/public');
    await expect(page.getByRole('alert')).toContainText('could not be reached');
    await screenshot(page, testInfo, 'api-down');
  });
});

test('after API_SERVER_URL changes, the saved session is dropped, the app says why, and the new server gets no token', async ({
  page,
  app,
  devstack,
}, testInfo) => {
  await app.open();
  await logIn(page, app, alice);
  await expect(page.getByRole('button', { name: 'Log Out' })).toBeVisible();
  // Whoever now listens at the address the settings name: it records any credential it is sent.
  const credentials: string[] = [];
  const other = createServer((req, res) => {
    if (req.headers.authorization) credentials.push(req.headers.authorization);
    res
      .writeHead(200, { 'Content-Type': 'application/json' })
      .end('{"text":"from another server"}');
  });
  await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', () => resolve()));
  try {
    await app.restart({
      env: envFor(devstack, {
        API_SERVER_URL: `http://127.0.0.1:${(other.address() as AddressInfo).port}`,
      }),
    });
    await app.open('#/protected');
    const alert = page.getByRole('alert');
    await expect(alert).toContainText('Your session has ended');
    await expect(alert).toContainText(
      "The app's settings changed (API_SERVER_URL) since you logged in",
    );
    await expect(page.getByRole('button', { name: 'Log In' }).first()).toBeVisible();
    await expect(page.getByRole('main')).toContainText('You need to log in');
    await screenshot(page, testInfo, 'settings-changed-signed-out');
    expect(credentials).toEqual([]);
  } finally {
    await new Promise((resolve) => other.close(resolve));
  }
});

test('signed out, the Protected page says why and offers Log In', async ({ page, app }) => {
  await app.open('#/protected');
  await expect(page.getByRole('main')).toContainText('You need to log in');
  await expect(page.getByRole('main').getByRole('button', { name: 'Log In' })).toBeVisible();
});

test('without OS encryption the app says the session will not be remembered, and saves nothing', async ({
  page,
  app,
}, testInfo) => {
  await app.restart({ encryption: 'unavailable' });
  await app.open();
  await expect(page.getByText('Your session will not be remembered')).toBeVisible();
  await logIn(page, app, alice);
  await expect(page.getByRole('button', { name: 'Log Out' })).toBeVisible();
  await screenshot(page, testInfo, 'not-encrypted-notice');
  expect(readdirSync(app.preview.dataDir)).toEqual([]);
  await app.restart({ encryption: 'unavailable' });
  await app.open();
  await expect(page.getByRole('button', { name: 'Log In' })).toBeVisible();
});
