/**
 * Debian's Chromium as the user's system browser (RFC 8252: sign-in never happens in an embedded
 * view). Tests open the app's authorization URL in it and fill the identity provider's form the way a
 * person would, relying only on the form's input names (`username`, `password`, optional `name`) and
 * its single submit button, so the same helper works with any provider page built that way.
 */
import type { WorkerFixture } from '@playwright/test';
import { chromium } from 'playwright-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';

export const CHROMIUM_ARGS: readonly string[] = Object.freeze([
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
]);

export function chromiumExecutablePath(): string {
  return process.env['PLAYWRIGHT_CHROMIUM_EXECUTABLE'] ?? '/usr/bin/chromium';
}

/**
 * Launch Chromium headless (PLAYWRIGHT_CHROMIUM_EXECUTABLE overrides /usr/bin/chromium). `args` are
 * added to CHROMIUM_ARGS (e.g. a proxy, or a certificate to trust).
 */
export async function launchSystemBrowser(
  options: { headless?: boolean; args?: readonly string[] } = {},
): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumExecutablePath(),
    args: [...CHROMIUM_ARGS, ...(options.args ?? [])],
    headless: options.headless ?? true,
  });
}

/**
 * The Playwright suites' `systemBrowser` worker fixture: one system browser per worker, closed at
 * its end.
 */
export const systemBrowserFixture: [WorkerFixture<Browser, object>, { scope: 'worker' }] = [
  // eslint-disable-next-line no-empty-pattern -- Playwright reads fixture dependencies from this pattern
  async ({}, use) => {
    const browser = await launchSystemBrowser();
    await use(browser);
    await browser.close();
  },
  { scope: 'worker' },
];

export interface SignInOptions {
  username: string;
  password: string;
  /**
   * 'signup' also fills the optional `name` input when the page has one. The URL decides which page
   * shows.
   */
  mode?: 'login' | 'signup';
  name?: string;
  /** Reuse a browser context (its cookies are the provider session); default: a fresh one. */
  context?: BrowserContext;
  /** Default 20 s. */
  timeoutMs?: number;
}

export interface SignInResult {
  page: Page;
  context: BrowserContext;
  /** Where the browser ended: the app's loopback callback, or the page the app sent it to after. */
  finalUrl: string;
  /** False when the provider redirected straight back (an existing session, no form shown). */
  formShown: boolean;
}

/** Thrown when the provider's page, not the app, is where the browser stayed (e.g. wrong password). */
export class SignInError extends Error {
  readonly page: Page;
  readonly context: BrowserContext;
  constructor(message: string, page: Page, context: BrowserContext) {
    super(message);
    this.name = 'SignInError';
    this.page = page;
    this.context = context;
  }
}

/**
 * A predicate for "the browser is back at the app": the origin of the authorization request's
 * redirect_uri (the loopback server, whatever path it redirects to), else anything off the provider.
 */
export function returnedToApp(authorizationUrl: string): (url: URL) => boolean {
  const authorization = new URL(authorizationUrl);
  const redirectUri = authorization.searchParams.get('redirect_uri');
  if (redirectUri) {
    const { origin } = new URL(redirectUri);
    return (url) => url.origin === origin;
  }
  return (url) => url.origin !== authorization.origin && url.protocol !== 'about:';
}

/** The provider's login (or sign-up) form, by the input names every provider page here uses. */
export const LOGIN_FORM = 'form:has(input[name="username"]):has(input[name="password"])';

/** Visible text of an error/alert element on the page, if any (for error messages only). */
async function alertText(page: Page): Promise<string> {
  const alert = page.locator('[role="alert"]');
  return (await alert.count()) > 0 ? (await alert.first().innerText()).trim() : '';
}

/**
 * Open `authorizationUrl` in a tab, sign in (or sign up) through the provider's form, and wait until
 * the browser is back at the app's loopback redirect URI (or the page it redirects to). A callback
 * whose page then fails to load (the app's one-shot server already closed) still counts as back.
 */
export async function signInWithBrowser(
  browser: Browser,
  authorizationUrl: string,
  options: SignInOptions,
): Promise<SignInResult> {
  const timeout = options.timeoutMs ?? 20_000;
  const context = options.context ?? (await browser.newContext());
  const page = await context.newPage();
  page.setDefaultTimeout(timeout);
  const atApp = returnedToApp(authorizationUrl);

  // The first top-level request to the app (redirects included) marks the return, whatever loads after.
  let appUrl: string | undefined;
  const reached = new Promise<'app'>((resolve) => {
    page.on('request', (request) => {
      if (
        appUrl === undefined &&
        request.isNavigationRequest() &&
        request.frame() === page.mainFrame() &&
        atApp(new URL(request.url()))
      ) {
        appUrl = request.url();
        resolve('app');
      }
    });
  });
  const tolerateAfterReturn = (error: unknown): void => {
    if (appUrl === undefined) throw error;
  };
  const landed = async (formShown: boolean): Promise<SignInResult> => {
    await page
      .waitForURL((url) => atApp(url) || url.protocol === 'chrome-error:', {
        waitUntil: 'domcontentloaded',
        timeout: 10_000,
      })
      .catch(() => undefined);
    const finalUrl = atApp(new URL(page.url())) ? page.url() : (appUrl ?? page.url());
    return { page, context, finalUrl, formShown };
  };

  await page.goto(authorizationUrl, { waitUntil: 'domcontentloaded' }).catch(tolerateAfterReturn);
  const form = page.locator(LOGIN_FORM);
  // Either the provider shows its form, or (existing session) sends the browser straight back.
  const first = await Promise.race([
    form.waitFor({ state: 'visible' }).then(() => 'form' as const),
    reached,
  ]);
  if (first === 'app') return landed(false);

  const nameInput = form.locator('input[name="name"]');
  if (options.mode === 'signup' && options.name !== undefined && (await nameInput.count()) > 0) {
    await nameInput.fill(options.name);
  }
  await form.locator('input[name="username"]').fill(options.username);
  await form.locator('input[name="password"]').fill(options.password);

  // A submission ends either back at the app or in a new provider document (an error on the form).
  const loaded = page.waitForEvent('load').then(() => 'page' as const);
  await form.locator('[type="submit"]').click().catch(tolerateAfterReturn);
  const outcome = await Promise.race([reached, loaded]);
  if (outcome === 'app' || appUrl !== undefined) return landed(true);
  const message = await alertText(page);
  throw new SignInError(
    `sign-in did not return to the app (still at ${page.url()})${message ? `: ${message}` : ''}`,
    page,
    context,
  );
}

export interface AppLinkSignIn {
  /** The URL the browser was sent to at the app's private-use scheme, as the OS would hand it over. */
  appLink: string;
  page: Page;
  context: BrowserContext;
}

/**
 * Like signInWithBrowser, for an authorization URL whose redirect_uri is the app link
 * (`<scheme>:/callback`, RFC 8252 §7.1). A browser hands such a URL to the OS, not to a server: the
 * test catches the provider's redirect to it (its `Location`), which is what the OS would deliver.
 */
export async function signInForAppLink(
  browser: Browser,
  authorizationUrl: string,
  options: SignInOptions,
): Promise<AppLinkSignIn> {
  const timeout = options.timeoutMs ?? 20_000;
  const redirectUri = new URL(authorizationUrl).searchParams.get('redirect_uri') ?? '';
  const scheme = new URL(redirectUri).protocol;
  const context = options.context ?? (await browser.newContext());
  const page = await context.newPage();
  page.setDefaultTimeout(timeout);
  const handed = new Promise<string>((resolve) => {
    page.on('response', (response) => {
      const location = response.headers()['location'];
      if (location?.toLowerCase().startsWith(scheme)) resolve(location);
    });
  });
  const form = page.locator(LOGIN_FORM);
  // The navigation to the scheme itself fails in a browser without a handler: what matters is where
  // it was sent.
  await page.goto(authorizationUrl, { waitUntil: 'domcontentloaded' }).catch(() => undefined);
  const first = await Promise.race([
    form.waitFor({ state: 'visible' }).then(() => 'form' as const),
    handed.then(() => 'app' as const),
  ]);
  if (first === 'form') {
    await form.locator('input[name="username"]').fill(options.username);
    await form.locator('input[name="password"]').fill(options.password);
    await form
      .locator('[type="submit"]')
      .click()
      .catch(() => undefined);
  }
  const appLink = await Promise.race([
    handed,
    new Promise<never>((_resolve, reject) =>
      setTimeout(
        () => reject(new Error(`the provider never redirected to ${scheme} (at ${page.url()})`)),
        timeout,
      ).unref(),
    ),
  ]);
  return { appLink, page, context };
}

export interface CodeEntryOptions {
  username: string;
  password: string;
  /** Press "No, cancel" at the confirmation instead of approving. */
  decline?: boolean;
  context?: BrowserContext;
  timeoutMs?: number;
}

/**
 * Sign in with a code (RFC 8628) as a person does in any browser: open the provider's page, type the
 * code the app shows, confirm it is the same, log in. Relies on the page's `user_code` input and its
 * buttons' words ("Continue", "Yes"/"No"), and the same login form as signInWithBrowser.
 * Resolves once the provider has shown its final page; returns that page.
 */
export async function enterSignInCode(
  browser: Browser,
  verificationUri: string,
  userCode: string,
  options: CodeEntryOptions,
): Promise<{ page: Page; context: BrowserContext }> {
  const context = options.context ?? (await browser.newContext());
  const page = await context.newPage();
  page.setDefaultTimeout(options.timeoutMs ?? 20_000);
  await page.goto(verificationUri, { waitUntil: 'domcontentloaded' });
  await page.locator('input[name="user_code"]').fill(userCode);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.waitForLoadState('domcontentloaded');
  await page.getByRole('button', { name: options.decline ? /^No/ : /^Yes/ }).click();
  // The provider ends on a page telling the user to return to the app (or asks them to log in first).
  const finished = page.getByText(/return to the app|close this (tab|page)/i).first();
  const form = page.locator(LOGIN_FORM);
  await form.or(finished).first().waitFor();
  if (!options.decline && (await form.isVisible())) {
    await form.locator('input[name="username"]').fill(options.username);
    await form.locator('input[name="password"]').fill(options.password);
    await form.locator('[type="submit"]').click();
    await finished.waitFor();
  }
  return { page, context };
}
