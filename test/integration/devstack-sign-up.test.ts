/**
 * The demo provider's sign-up form, as a person uses it in Chromium: it focuses its first field, keeps
 * its rules in the page (length, not only spaces, the hint), refuses a password of only spaces in the
 * browser and on the server, links "Log in instead", and clears an old server error once the person
 * edits the form.
 */
import * as client from 'openid-client';
import type { BrowserContext, Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { MIN_PASSWORD_LENGTH } from '../../devstack/index.ts';
import { alice } from '../support/accounts.ts';
import { discoverPublicClient } from '../support/core-harness.ts';
import { closedPort } from '../support/ports.ts';
import { useIntegrationStack } from '../support/integration-stack.ts';

const stack = useIntegrationStack();
let context: BrowserContext | undefined;

afterEach(async () => {
  await context?.close();
  context = undefined;
});

/** Opens the provider's sign-up page for a fresh authorization request, as the app's Sign Up does. */
async function signUpPage(): Promise<Page> {
  const configuration = await discoverPublicClient(stack.devstack);
  const url = client.buildAuthorizationUrl(configuration, {
    redirect_uri: `http://127.0.0.1:${await closedPort()}/callback`,
    scope: 'openid profile email offline_access',
    audience: stack.devstack.audience,
    code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
    code_challenge_method: 'S256',
    state: client.randomState(),
    nonce: client.randomNonce(),
    screen_hint: 'signup',
    prompt: 'login',
  });
  context = await stack.browser.newContext();
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  await page.goto(url.href);
  await page.getByRole('heading', { name: 'Create your account' }).waitFor();
  return page;
}

const focusedId = (page: Page) =>
  page.evaluate('document.activeElement && document.activeElement.id');

describe("the demo provider's sign-up form", () => {
  it('focuses its first field and states its rules in the page', async () => {
    const page = await signUpPage();
    expect(await focusedId(page)).toBe('name');
    const password = page.locator('#password');
    expect(await password.getAttribute('minlength')).toBe(String(MIN_PASSWORD_LENGTH));
    expect(await password.getAttribute('aria-describedby')).toBe('password-hint');
    expect(await page.locator('#password-hint').innerText()).toBe(
      `At least ${MIN_PASSWORD_LENGTH} characters, not only spaces.`,
    );
  });

  it('refuses a password of eight spaces in the browser, and on the server when the browser check is skipped', async () => {
    const page = await signUpPage();
    await page.locator('#username').fill(`spaces-${Date.now()}@example.com`);
    await page.locator('#password').fill(' '.repeat(8));
    await page.getByRole('button', { name: 'Sign Up' }).click();
    // The browser keeps the form: the field is invalid and nothing was sent.
    expect(
      await page.evaluate("document.getElementById('password').validity.patternMismatch"),
    ).toBe(true);
    expect(page.url()).toContain('/interaction/');
    expect(await page.getByRole('heading', { name: 'Create your account' }).isVisible()).toBe(true);
    expect(await page.locator('[role="alert"]').count()).toBe(0);

    // A client that skips the browser's check (or an old browser) meets the same rule on the server.
    await page.evaluate('document.forms[0].noValidate = true');
    await Promise.all([
      page.waitForEvent('load'),
      page.getByRole('button', { name: 'Sign Up' }).click(),
    ]);
    expect(await page.locator('[role="alert"]').innerText()).toBe(
      'A password cannot be only spaces.',
    );
  });

  it('refuses a short password in the browser (minlength), and on the server too', async () => {
    const page = await signUpPage();
    await page.locator('#username').fill(`short-${Date.now()}@example.com`);
    await page.locator('#password').fill('short');
    await page.getByRole('button', { name: 'Sign Up' }).click();
    expect(await page.evaluate("document.getElementById('password').validity.tooShort")).toBe(true);
    expect(await page.locator('[role="alert"]').count()).toBe(0);
    await page.evaluate('document.forms[0].noValidate = true');
    await Promise.all([
      page.waitForEvent('load'),
      page.getByRole('button', { name: 'Sign Up' }).click(),
    ]);
    expect(await page.locator('[role="alert"]').innerText()).toBe(
      `Password must be at least ${MIN_PASSWORD_LENGTH} characters.`,
    );
  });

  it('offers "Log in instead" as a link when the email already has an account', async () => {
    const page = await signUpPage();
    await page.locator('#username').fill(alice.email);
    await page.locator('#password').fill('another good password');
    await Promise.all([
      page.waitForEvent('load'),
      page.getByRole('button', { name: 'Sign Up' }).click(),
    ]);
    const alert = page.locator('[role="alert"]');
    expect(await alert.innerText()).toContain('An account with this email already exists.');
    await Promise.all([
      page.waitForEvent('load'),
      alert.getByRole('link', { name: 'Log in instead' }).click(),
    ]);
    await page.getByRole('heading', { name: 'Welcome' }).waitFor();
    expect(await page.locator('form input[name="password"]').count()).toBe(1);
  });

  it('clears an old server error as soon as the person edits the form', async () => {
    const page = await signUpPage();
    await page.locator('#username').fill(alice.email);
    await page.locator('#password').fill('another good password');
    await Promise.all([
      page.waitForEvent('load'),
      page.getByRole('button', { name: 'Sign Up' }).click(),
    ]);
    expect(await page.locator('[role="alert"]').count()).toBe(1);
    // The page came back with the email filled in: the password field has the focus.
    expect(await focusedId(page)).toBe('password');
    await page.locator('#username').fill(`someone-else-${Date.now()}@example.com`);
    expect(await page.locator('[role="alert"]').count()).toBe(0);
  });
});
