/**
 * Also the app link (RFC 8252 §7.1): the provider's redirect to `<scheme>:/callback` is handed to the
 * app through the preview's stand-in for the OS (`POST /__preview/open-url`, capture mode only).
 *
 * "Try another way" through the preview, in Chromium, against the real core and devstack: sign in
 * with a code (RFC 8628) where the test types the code into the devstack's own pages in the system
 * browser, declines, lets a code expire and gets a new one, cancels; the code screen wide and narrow
 * (axe, screenshots); no bridge answer or session event ever carries a token or the device code.
 */
import path from 'node:path';
import type { Page } from '@playwright/test';
import { startDevstack } from '../../devstack/index.ts';
import { JsonFileStore, KeyFileBesideDataCipher } from '../../src-main/core/node-storage.ts';
import { storedTokens } from '../support/stored-accounts.ts';
import { enterSignInCode, signInForAppLink } from '../support/system-browser.ts';
import {
  alice,
  bob,
  envFor,
  expect,
  recordBridge,
  screenshot,
  seriousViolations,
  test,
} from './fixtures.ts';

const USER_CODE = /^[B-DF-HJ-NP-TV-XZ]{4}-[B-DF-HJ-NP-TV-XZ]{4}$/;

/** Log In, then "Try another way" → "Sign in with a code"; returns the code and address shown. */
async function switchToCode(page: Page): Promise<{ userCode: string; address: string }> {
  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('button', { name: 'Log In' })
    .click();
  await expect(page.getByText('Finish signing in with your browser')).toBeVisible();
  const more = page.getByRole('button', { name: 'Having trouble? Try another way' });
  await expect(more).toHaveAttribute('aria-expanded', 'false');
  await more.click();
  await expect(page.getByRole('button', { name: 'Hide other ways' })).toHaveAttribute(
    'aria-expanded',
    'true',
  );
  await page.getByRole('button', { name: 'Sign in with a code' }).click();
  await expect(page.getByRole('heading', { name: 'Sign in with a code' })).toBeVisible();
  const userCode = (await page.getByTestId('user-code').innerText()).trim();
  const address = (await page.getByTestId('verification-uri').innerText()).trim();
  expect(userCode).toMatch(USER_CODE);
  return { userCode, address };
}

test('alice signs in with a code typed at the provider; the session survives a restart; logout ends it', async ({
  page,
  app,
  systemBrowser,
  devstack,
}, testInfo) => {
  const everything = await recordBridge(page);
  await app.open();
  const { userCode, address } = await switchToCode(page);
  expect(address).toBe(`${devstack.issuer}/device`);
  await expect(
    page.getByText('Enter this code only if you started signing in to this app just now.'),
  ).toBeVisible();
  await expect(page.getByText('Finish signing in with your browser')).toHaveCount(0);

  // Copy code: main puts exactly the code on the clipboard (the app's copyText: Electron's clipboard,
  // the preview's recording stand-in).
  await page.getByRole('button', { name: 'Copy code' }).click();
  await expect(page.getByRole('button', { name: 'Copied' })).toBeVisible();
  expect(await app.clipboard()).toEqual([userCode]);

  // Open the page opens the provider's page that carries the code; the code stays on screen.
  const before = (await app.externalUrls()).length;
  await page.getByRole('button', { name: 'Open the page' }).click();
  await expect.poll(async () => (await app.externalUrls()).length).toBe(before + 1);
  const opened = new URL((await app.externalUrls()).at(-1)!);
  expect(`${opened.origin}${opened.pathname}`).toBe(address);
  expect(opened.searchParams.get('user_code')).toBe(userCode);
  await expect(page.getByTestId('user-code')).toHaveText(userCode);

  for (const size of [
    { label: 'wide', width: 1280, height: 900 },
    { label: 'narrow', width: 400, height: 900 },
  ]) {
    await page.setViewportSize({ width: size.width, height: size.height });
    expect(await seriousViolations(page), size.label).toEqual([]);
    await screenshot(page, testInfo, `sign-in-code-${size.label}`);
  }
  await page.setViewportSize({ width: 1280, height: 900 });

  // What the person does in any browser: the address, the code, log in, confirm.
  const { page: tab, context } = await enterSignInCode(systemBrowser, address, userCode, {
    username: alice.email,
    password: alice.password,
  });
  await screenshot(tab, testInfo, 'sign-in-code-provider-done');
  const approved = Date.now();
  await expect(page.getByRole('button', { name: 'Log Out' })).toBeVisible();
  testInfo.annotations.push({
    type: 'approval → signed-in nav (ms)',
    description: String(Date.now() - approved),
  });
  await expect(page.getByRole('heading', { name: 'Sign in with a code' })).toHaveCount(0);
  await page.getByRole('link', { name: 'Admin' }).click();
  await expect(page.getByRole('main')).toContainText('"text": "This is an admin message."');
  await context.close();

  // The tokens, as only the main process can read them; none of them, and no device code, ever
  // crossed the bridge.
  const tokens = (await storedTokens(
    new JsonFileStore(path.join(app.preview.dataDir, 'session.json')),
    new KeyFileBesideDataCipher(app.preview.dataDir),
  ))!;
  const seen = await everything();
  expect(seen).toContain(userCode);
  for (const token of [tokens.accessToken, tokens.idToken, tokens.refreshToken!])
    expect(seen).not.toContain(token);
  expect(seen).not.toMatch(/eyJ[\w-]+\.[\w-]+\.[\w-]+/);
  expect(seen).not.toMatch(/refresh_?token|access_?token|id_?token|device_?code/i);

  await app.restart();
  await app.open('#/profile');
  await expect(page.getByRole('main')).toContainText('alice@example.com');
  await page.getByRole('button', { name: 'Log Out' }).click();
  await expect(
    page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Log In' }),
  ).toBeVisible();
});

test('declining at the provider says the sign-in was declined', async ({
  page,
  app,
  systemBrowser,
}) => {
  await app.open();
  const { userCode, address } = await switchToCode(page);
  const { context } = await enterSignInCode(systemBrowser, address, userCode, {
    username: bob.email,
    password: bob.password,
    decline: true,
  });
  await expect(page.getByRole('alert')).toContainText('declined');
  await expect(page.getByRole('heading', { name: 'Sign in with a code' })).toHaveCount(0);
  await expect(
    page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Log In' }),
  ).toBeEnabled();
  await context.close();
});

test('Cancel on the code screen stops the sign-in quietly', async ({ page, app }) => {
  await app.open();
  await switchToCode(page);
  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByRole('heading', { name: 'Sign in with a code' })).toHaveCount(0);
  await expect(page.getByRole('alert')).toHaveCount(0);
  await expect(
    page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Log In' }),
  ).toBeEnabled();
});

/**
 * Milliseconds, measured in the page, from the click on the button named `label` to the first DOM
 * change that leaves no code on screen.
 */
async function codeScreenGoneAfter(
  page: Page,
  label: string,
  press: () => Promise<void>,
): Promise<number> {
  await expect(page.getByTestId('user-code')).toBeVisible();
  await page.evaluate(`
    window.__gone = new Promise((resolve) => {
      const observer = new MutationObserver(() => {
        if (!document.querySelector('[data-testid="user-code"]')) {
          observer.disconnect();
          resolve(performance.now());
        }
      });
      observer.observe(document.body, { childList: true, subtree: true });
    });
    document.addEventListener('click', (event) => {
      if (event.target.closest('button')?.textContent.trim() === ${JSON.stringify(label)})
        window.__pressed = performance.now();
    }, { capture: true });
  `);
  await press();
  return (await page.evaluate('window.__gone.then((gone) => gone - window.__pressed)')) as number;
}

test('Cancel and a switch to the app link end the wait between polls at once: the code screen is gone within 200 ms', async ({
  page,
  app,
}, testInfo) => {
  await app.open();
  await switchToCode(page);
  // The first poll is 5 s away: Cancel lands in the wait.
  const cancelled = await codeScreenGoneAfter(page, 'Cancel', () =>
    page.getByRole('button', { name: 'Cancel' }).click(),
  );
  testInfo.annotations.push({
    type: 'Cancel → code screen gone (ms)',
    description: String(Math.round(cancelled)),
  });
  expect(cancelled).toBeLessThan(200);
  await expect(page.getByRole('alert')).toHaveCount(0);

  await switchToCode(page);
  const switched = await codeScreenGoneAfter(page, 'Use the app link', async () => {
    await page.getByRole('button', { name: 'Having trouble? Try another way' }).click();
    await page.getByRole('button', { name: 'Use the app link' }).click();
  });
  testInfo.annotations.push({
    type: 'Use the app link → code screen gone (ms)',
    description: String(Math.round(switched)),
  });
  expect(switched).toBeLessThan(200);
  await expect(page.getByText('your browser then hands you back to this app')).toBeVisible();
  await page.getByRole('button', { name: 'Cancel' }).click();
});

test('an expired code says so and a new one can be had', async ({ page, app }, testInfo) => {
  const shortLived = await startDevstack({ quiet: true, deviceCodeTtl: 3 });
  try {
    await app.restart({ env: envFor(shortLived) });
    await app.open();
    const { userCode } = await switchToCode(page);
    await expect(page.getByText('This code has expired')).toBeVisible({ timeout: 15_000 });
    await expect(page.getByRole('button', { name: 'Copy code' })).toBeDisabled();
    await expect(page.getByRole('button', { name: 'Open the page' })).toBeDisabled();
    await screenshot(page, testInfo, 'sign-in-code-expired');
    await page.getByRole('button', { name: 'Get a new code' }).click();
    await expect(page.getByTestId('user-code')).not.toHaveText(userCode);
    await expect(page.getByTestId('user-code')).toHaveText(USER_CODE);
    await page.getByRole('button', { name: 'Cancel' }).click();
    await expect(page.getByRole('heading', { name: 'Sign in with a code' })).toHaveCount(0);
  } finally {
    await app.restart();
    await shortLived.close();
  }
});

/** What the OS does with a URL of the app's scheme: hand it to the app (the preview's stand-in). */
async function openUrl(
  app: { preview: { url: string; key: string } },
  url: string,
): Promise<number> {
  const response = await fetch(`${app.preview.url}__preview/open-url`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Preview-Key': app.preview.key },
    body: JSON.stringify({ url }),
  });
  await response.body?.cancel();
  return response.status;
}

test('bob signs in through the app link handed over by the OS; a stray or replayed link changes nothing', async ({
  page,
  app,
  systemBrowser,
}, testInfo) => {
  const everything = await recordBridge(page);
  await app.open();
  // A link delivered while nothing waits: dropped, nothing shown.
  expect(
    await openUrl(app, 'com.example.electron-auth0-hello-world:/callback?code=stray&state=stray'),
  ).toBe(202);
  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('button', { name: 'Log In' })
    .click();
  await expect(page.getByText('Finish signing in with your browser')).toBeVisible();
  const loopbackUrl = await app.nextExternalUrl();
  await page.getByRole('button', { name: 'Having trouble? Try another way' }).click();
  await screenshot(page, testInfo, 'try-another-way');
  await page.getByRole('button', { name: 'Use the app link' }).click();
  await expect(page.getByText('your browser then hands you back to this app')).toBeVisible();
  const authorizationUrl = await app.nextExternalUrl();
  expect(authorizationUrl).not.toBe(loopbackUrl);
  expect(new URL(authorizationUrl).searchParams.get('redirect_uri')).toBe(
    'com.example.electron-auth0-hello-world:/callback',
  );

  const { appLink, context } = await signInForAppLink(systemBrowser, authorizationUrl, {
    username: bob.email,
    password: bob.password,
  });
  // Another scheme or path first: dropped while the real one is still awaited.
  const query = new URL(appLink).search;
  expect(await openUrl(app, `com.example.other-app:/callback${query}`)).toBe(202);
  expect(await openUrl(app, `com.example.electron-auth0-hello-world:/elsewhere${query}`)).toBe(202);
  await expect(page.getByText('Finish signing in with your browser')).toBeVisible();
  expect(await openUrl(app, appLink)).toBe(202);
  await expect(page.getByRole('button', { name: 'Log Out' })).toBeVisible();
  await context.close();
  // The same link again (a replay): the session stays as it is, no alert.
  expect(await openUrl(app, appLink)).toBe(202);
  await page.goto(`${app.preview.url}#/profile`);
  await expect(page.getByRole('main')).toContainText('bob@example.com');
  await expect(page.getByRole('alert')).toHaveCount(0);

  const seen = await everything();
  expect(seen).not.toContain(new URL(appLink).searchParams.get('code')!);
  expect(seen).not.toMatch(/eyJ[\w-]+\.[\w-]+\.[\w-]+/);
  expect(seen).not.toMatch(/refresh_?token|access_?token|id_?token/i);

  await app.restart();
  await app.open('#/profile');
  await expect(page.getByRole('main')).toContainText('bob@example.com');
  await page.getByRole('button', { name: 'Log Out' }).click();
  await expect(
    page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Log In' }),
  ).toBeVisible();
});
