/**
 * The core against the real devstack (oidc-provider + the Hello World API), with Debian's Chromium
 * filling the provider's forms as the user's system browser would. Nothing here is mocked but the
 * Electron edge (storage and openExternal use their Node implementations).
 */
import { describe, expect, it } from 'vitest';
import { startDevstack } from '../../devstack/index.ts';
import { alice, bob } from '../support/accounts.ts';
import { configFor, discoverPublicClient, signIn, type TestCore } from '../support/core-harness.ts';
import { send } from '../support/http.ts';
import { closedPort, occupiedPort } from '../support/ports.ts';
import { providerAccepts, useIntegrationStack } from '../support/integration-stack.ts';
import { profileOf, signInOf } from '../support/session-view.ts';

/** Every core and every token any test obtained: none may ever be found in clear in any vault folder. */
const stack = useIntegrationStack();
const { newCore, remember } = stack;

/** Starts a login and answers its loopback receiver with `params` instead of the browser. */
async function forgedCallback(
  test: TestCore,
  params: (expected: { state: string; iss: string }) => Record<string, string>,
) {
  const opened = test.nextOpened();
  const result = test.core.session.login();
  const authorizationUrl = new URL(await opened);
  const redirectUri = authorizationUrl.searchParams.get('redirect_uri')!;
  const callback = new URL(redirectUri);
  for (const [key, value] of Object.entries(
    params({ state: authorizationUrl.searchParams.get('state')!, iss: stack.devstack.issuer }),
  )) {
    callback.searchParams.set(key, value);
  }
  expect((await send(callback.href)).status).toBe(303);
  return { result: await result, redirectUri };
}

describe('sign-in through the system browser', () => {
  it('signs alice in with PKCE S256, state, nonce and the audience, and shows her profile from the ID token', async () => {
    const test = newCore(configFor(stack.devstack));
    await test.core.restore();
    expect(test.core.view().status).toBe('signed-out');

    const { result, url, page } = await signIn(test, stack.browser, alice);
    const authorization = new URL(url);
    expect(authorization.origin).toBe(stack.devstack.issuer);
    expect(Object.fromEntries(authorization.searchParams)).toMatchObject({
      client_id: 'electron-hello-world',
      response_type: 'code',
      scope: 'openid profile email offline_access',
      audience: 'https://hello-world.example.com',
      code_challenge_method: 'S256',
    });
    expect(authorization.searchParams.get('redirect_uri')).toMatch(
      /^http:\/\/127\.0\.0\.1:\d+\/callback$/,
    );
    for (const p of ['state', 'nonce', 'code_challenge'])
      expect(authorization.searchParams.get(p)?.length).toBeGreaterThanOrEqual(43);
    expect(authorization.searchParams.has('client_secret')).toBe(false);

    expect(result).toMatchObject({ ok: true, session: { status: 'signed-in' } });
    const profile = profileOf(test.core.view())!;
    expect(profile).toMatchObject({
      name: 'Alice Liddell',
      email: 'alice@example.com',
      email_verified: true,
    });
    expect(profile.sub).toBeTruthy();
    expect(profile.nickname).toBeTruthy();
    expect(String(profile.picture)).toMatch(/^(data:image\/|https:)/);
    // The browser tab was told to go back to the app, and its address holds no code.
    await page.getByText('You can close this tab and return to the app').waitFor({ timeout: 5000 });
    expect(page.url()).not.toContain('code=');
    // What the renderer sees never includes a token.
    const stored = (await test.storedTokens())!;
    remember(stored);
    const rendererSaw = JSON.stringify([result, test.events, test.core.view()]);
    for (const token of [stored.accessToken, stored.idToken, stored.refreshToken!])
      expect(rendererSaw).not.toContain(token);
    expect(stored.refreshToken).toBeTruthy();

    expect(await test.core.messages.get('public')).toEqual({
      ok: true,
      data: { text: 'This is a public message.' },
    });
    expect(await test.core.messages.get('protected')).toEqual({
      ok: true,
      data: { text: 'This is a protected message.' },
    });
    expect(await test.core.messages.get('admin')).toEqual({
      ok: true,
      data: { text: 'This is an admin message.' },
    });
    await page.context().close();
  });

  it('gives bob the protected message but "Permission denied" for the admin one', async () => {
    const test = newCore(configFor(stack.devstack));
    await test.core.restore();
    const { result, context } = await signIn(test, stack.browser, bob);
    expect(result.ok).toBe(true);
    expect(profileOf(test.core.view())?.email).toBe('bob@example.com');
    expect(await test.core.messages.get('protected')).toEqual({
      ok: true,
      data: { text: 'This is a protected message.' },
    });
    expect(await test.core.messages.get('admin')).toEqual({
      ok: false,
      error: { code: 'api_error', status: 403, message: 'Permission denied' },
    });
    await context.close();
  });

  it('signs up a new account and signs it in', async () => {
    const test = newCore(configFor(stack.devstack));
    await test.core.restore();
    const email = `new-${Date.now()}@example.com`;
    const { result, url, context } = await signIn(
      test,
      stack.browser,
      { email, password: 'a-long-password', name: 'New Person' },
      'signup',
    );
    expect(new URL(url).searchParams.get('screen_hint')).toBe('signup');
    expect(new URL(url).searchParams.get('prompt')).toBe('login');
    expect(result.ok).toBe(true);
    expect(profileOf(test.core.view())).toMatchObject({ email, name: 'New Person' });
    expect(await test.core.messages.get('protected')).toMatchObject({ ok: true });
    await context.close();
  });

  it('opens one flow at a time: a second login or signup while one is pending joins it, no error', async () => {
    const test = newCore(configFor(stack.devstack));
    await test.core.restore();
    const opened = test.nextOpened();
    const first = test.core.session.login();
    await opened;
    // Within a second of opening: a double-click, nothing opens again.
    const second = test.core.session.login();
    const third = test.core.session.signup();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(test.opened).toHaveLength(1);
    expect(test.core.view()).toMatchObject({ status: 'signing-in', flow: 'login' });
    expect(test.core.session.cancel()).toEqual({ ok: true });
    for (const result of await Promise.all([first, second, third])) {
      expect(result).toMatchObject({ ok: false, error: { code: 'sign_in_cancelled' } });
    }
  });
});

describe('a provider started again at the same address', () => {
  // The built-in demo provider keeps its keys in memory: stopped and started again on port 4000 (a
  // switch away and back, an app restart in the preview) it signs with a new key. Was: discovery and
  // the provider's keys were cached per issuer for the whole process, so within a minute of the last
  // sign-in the next one was rejected ("no applicable keys found") in the browser tab.
  it('signs in against its new keys, not the ones the last sign-in fetched', async () => {
    const port = await closedPort();
    const first = await startDevstack({ quiet: true, idpPort: port, apiPort: 0 });
    try {
      const before = newCore(configFor(first));
      const { context } = await signIn(before, stack.browser, alice);
      await context.close();
      expect(before.core.view()).toMatchObject({ status: 'signed-in' });
    } finally {
      await first.close();
    }
    const second = await startDevstack({ quiet: true, idpPort: port, apiPort: 0 });
    try {
      expect(second.issuer).toBe(first.issuer);
      const after = newCore(configFor(second));
      const { context, result } = await signIn(after, stack.browser, alice);
      await context.close();
      expect(result).toMatchObject({ ok: true });
      expect(after.core.view()).toMatchObject({
        status: 'signed-in',
        profile: { email: 'alice@example.com' },
      });
    } finally {
      await second.close();
    }
  });
});

describe('sessions that last', () => {
  it('restores the session in a new core over the same vault, without a browser', async () => {
    const first = newCore(configFor(stack.devstack));
    await first.core.restore();
    const { context } = await signIn(first, stack.browser, alice);
    await context.close();

    const second = newCore(configFor(stack.devstack), { dir: first.dir });
    await second.core.restore();
    expect(second.opened).toEqual([]);
    expect(second.core.view()).toMatchObject({
      status: 'signed-in',
      persistence: 'encrypted',
      profile: { email: 'alice@example.com' },
    });
    expect(await second.core.messages.get('admin')).toEqual({
      ok: true,
      data: { text: 'This is an admin message.' },
    });
  });

  it('refreshes an access token that expires within the clock skew, rotating the refresh token', async () => {
    const signedIn = newCore(configFor(stack.devstack));
    await signedIn.core.restore();
    const { context } = await signIn(signedIn, stack.browser, alice);
    await context.close();
    const before = (await signedIn.storedTokens())!;

    // A clock skew longer than the token's lifetime: every use counts as "about to expire".
    const test = newCore(configFor(stack.devstack), { dir: signedIn.dir, clockSkewSeconds: 7200 });
    await test.core.restore();
    const refreshesBefore = stack.devstack.tokenRequests('refresh_token');
    expect(await test.core.messages.get('protected')).toEqual({
      ok: true,
      data: { text: 'This is a protected message.' },
    });
    const after = (await test.storedTokens())!;
    remember(after);
    expect(stack.devstack.tokenRequests('refresh_token')).toBeGreaterThan(refreshesBefore);
    expect(after.accessToken).not.toBe(before.accessToken);
    expect(after.refreshToken).not.toBe(before.refreshToken);
    // Rotation: the provider no longer honours the old refresh token.
    expect(await providerAccepts(stack.devstack, before.refreshToken!)).toBe('invalid_grant');
  });

  it('makes exactly one refresh request for 100 concurrent calls with an expiring token', async () => {
    const signedIn = newCore(configFor(stack.devstack));
    await signedIn.core.restore();
    const { context } = await signIn(signedIn, stack.browser, alice);
    await context.close();
    // A core whose clock skew outlasts the token: to it, the access token is always expiring.
    const expiring = newCore(configFor(stack.devstack), {
      dir: signedIn.dir,
      clockSkewSeconds: 7200,
    });
    await expiring.core.restore();
    const counted = stack.devstack.tokenRequests('refresh_token');
    const results = await Promise.all(
      Array.from({ length: 100 }, () => expiring.core.messages.get('protected')),
    );
    expect(results.every((r) => r.ok)).toBe(true);
    expect(stack.devstack.tokenRequests('refresh_token') - counted).toBe(1);
  });
});

describe('logging out', () => {
  it('empties the vault, revokes the refresh token and ends the provider session in the browser', async () => {
    const test = newCore(configFor(stack.devstack));
    await test.core.restore();
    const { context, page } = await signIn(test, stack.browser, alice);
    const stored = (await test.storedTokens())!;

    const opened = test.nextOpened();
    const result = await test.core.session.logout();
    expect(result).toMatchObject({ ok: true, session: { status: 'signed-out' } });
    expect(await test.storedTokens()).toBeUndefined();
    expect(await test.core.messages.get('protected')).toMatchObject({
      ok: false,
      error: { code: 'not_signed_in' },
    });
    expect(await providerAccepts(stack.devstack, stored.refreshToken!)).toBe('invalid_grant');

    const logoutUrl = new URL(await opened);
    const metadata = (await discoverPublicClient(stack.devstack)).serverMetadata();
    expect(`${logoutUrl.origin}${logoutUrl.pathname}`).toBe(metadata.end_session_endpoint);
    expect(logoutUrl.searchParams.get('id_token_hint')).toBe(stored.idToken);
    expect(logoutUrl.searchParams.get('post_logout_redirect_uri')).toMatch(
      /^http:\/\/127\.0\.0\.1:\d+\/logged-out$/,
    );

    // The same browser (it holds the provider's session cookie) follows the logout URL...
    await page.goto(logoutUrl.href);
    await page.waitForURL(/^http:\/\/127\.0\.0\.1:\d+\/done$/, { timeout: 15_000 });
    expect(await page.textContent('body')).toContain('You have been logged out');
    // ...and afterwards the provider asks for a password again.
    const again = test.nextOpened();
    const login = test.core.session.login();
    await page.goto(await again);
    await page.waitForSelector('input[name="password"]', { timeout: 10_000 });
    test.core.session.cancel();
    expect((await login).ok).toBe(false);
    await context.close();
  });
});

describe('bad input ends the sign-in with a clear error and no session', () => {
  it.each([
    [
      'no code',
      (e: { state: string; iss: string }) => ({ state: e.state, iss: e.iss }),
      'callback_invalid',
    ],
    [
      'error=access_denied',
      (e: { state: string; iss: string }) => ({
        error: 'access_denied',
        error_description: 'User said no',
        state: e.state,
        iss: e.iss,
      }),
      'access_denied',
    ],
    [
      'a wrong iss (mix-up)',
      (e: { state: string; iss: string }) => ({
        code: 'abc',
        state: e.state,
        iss: 'https://evil.example.com',
      }),
      'callback_invalid',
    ],
    [
      'a forged code',
      (e: { state: string; iss: string }) => ({ code: 'forged-code', state: e.state, iss: e.iss }),
      'callback_invalid',
    ],
  ])('callback with %s', async (_name, params, code) => {
    const test = newCore(configFor(stack.devstack));
    await test.core.restore();
    const { result } = await forgedCallback(test, params);
    expect(result).toMatchObject({ ok: false, error: { code } });
    if (!result.ok) expect(result.error.message.length).toBeGreaterThan(10);
    expect(test.core.view()).toMatchObject({ status: 'signed-out', error: { code } });
    expect(await test.storedTokens()).toBeUndefined();
  });

  it('does not accept a second callback after the first', async () => {
    const test = newCore(configFor(stack.devstack));
    await test.core.restore();
    const { redirectUri } = await forgedCallback(test, (e) => ({
      code: 'forged-code',
      state: e.state,
      iss: e.iss,
    }));
    // The receiver lingers so a late tab or a reload reads a page, but takes no callback.
    const again = await send(`${redirectUri}?code=again&state=again`);
    expect(again.status).toBe(410);
    expect(again.body).toContain('already used');
    expect(test.core.view().status).toBe('signed-out');
  });

  it('answers 400 to a callback with a wrong or no state and goes on waiting for its own', async () => {
    const test = newCore(configFor(stack.devstack));
    await test.core.restore();
    const before = stack.devstack.tokenRequests('authorization_code');
    const opened = test.nextOpened();
    const login = test.core.session.login();
    const authorization = new URL(await opened);
    const redirectUri = authorization.searchParams.get('redirect_uri')!;
    const state = authorization.searchParams.get('state')!;
    for (const query of [
      'code=abc&state=not-the-state',
      'code=abc',
      `code=abc&state=${state}x`,
      `code=abc&state=${state.slice(0, -1)}`,
      'error=access_denied&state=nope',
    ]) {
      expect(
        (await send(`${redirectUri}?${query}&iss=${encodeURIComponent(stack.devstack.issuer)}`))
          .status,
      ).toBe(400);
    }
    expect(test.core.view()).toMatchObject({ status: 'signing-in', flow: 'login' });
    expect(stack.devstack.tokenRequests('authorization_code')).toBe(before);
    // Its own state (with a forged code) is taken, and ends the sign-in.
    expect(
      (
        await send(
          `${redirectUri}?code=forged&state=${state}&iss=${encodeURIComponent(stack.devstack.issuer)}`,
        )
      ).status,
    ).toBe(303);
    expect(await login).toMatchObject({ ok: false, error: { code: 'callback_invalid' } });
  });

  it('answers 404 to another path and goes on waiting; cancel ends it', async () => {
    const test = newCore(configFor(stack.devstack));
    await test.core.restore();
    const opened = test.nextOpened();
    const login = test.core.session.login();
    const redirectUri = new URL(new URL(await opened).searchParams.get('redirect_uri')!);
    expect((await send(new URL('/elsewhere?code=x', redirectUri).href)).status).toBe(404);
    expect(test.core.view()).toMatchObject({ status: 'signing-in', flow: 'login' });
    expect(await test.core.handle('auth:cancel', [])).toEqual({ ok: true });
    expect(await login).toMatchObject({
      ok: false,
      error: { code: 'sign_in_cancelled', message: 'Sign-in was cancelled.' },
    });
    expect(test.core.view().status).toBe('signed-out');
    // A tab that comes back now is told the sign-in was cancelled; nothing is accepted.
    const late = await send(`${redirectUri.href}?code=late&state=late`);
    expect(late.status).toBe(410);
    expect(late.body).toContain('Sign-in cancelled');
    expect(test.core.view()).toMatchObject({
      status: 'signed-out',
      error: { code: 'sign_in_cancelled' },
    });
  });

  it('times out', async () => {
    const test = newCore(configFor(stack.devstack), { signInTimeoutMs: 300 });
    await test.core.restore();
    expect(await test.core.session.login()).toMatchObject({
      ok: false,
      error: { code: 'sign_in_timeout' },
    });
    expect(test.core.view()).toMatchObject({
      status: 'signed-out',
      error: { code: 'sign_in_timeout' },
    });
  });

  it('says clearly when every configured callback port is busy, opens no browser, and offers the other ways instead', async () => {
    const busy = [await occupiedPort(), await occupiedPort()];
    const ports = busy.map((s) => (s.address() as { port: number }).port);
    try {
      const test = newCore(configFor(stack.devstack, { AUTH0_CALLBACK_PORTS: ports.join(',') }));
      await test.core.restore();
      const pending = test.core.session.login();
      while (signInOf(test.core.view())?.way !== 'choose')
        await new Promise((resolve) => setTimeout(resolve, 20));
      expect(test.core.view()).toMatchObject({
        status: 'signing-in',
        signIn: {
          otherWays: ['code'],
          notice: { code: 'ports_busy', message: expect.stringContaining(String(ports[0])) },
        },
      });
      expect(test.opened).toEqual([]);
      test.core.session.cancel();
      expect(await pending).toMatchObject({ ok: false, error: { code: 'sign_in_cancelled' } });
      expect(test.opened).toEqual([]);
    } finally {
      for (const s of busy) s.close();
    }
  });

  it('fails clearly when the provider is unreachable', async () => {
    const port = await closedPort();
    const test = newCore(configFor({ ...stack.devstack, issuer: `http://127.0.0.1:${port}` }));
    await test.core.restore();
    const result = await test.core.session.login();
    expect(result).toMatchObject({
      ok: false,
      error: {
        code: 'provider_unreachable',
        message: expect.stringContaining(`127.0.0.1:${port}`),
      },
    });
    expect(test.opened).toEqual([]);
  });

  it('fails clearly when the message API is unreachable', async () => {
    const port = await closedPort();
    const test = newCore(configFor({ ...stack.devstack, apiUrl: `http://127.0.0.1:${port}` }));
    await test.core.restore();
    expect(await test.core.messages.get('public')).toEqual({
      ok: false,
      error: {
        code: 'api_unreachable',
        message: `The message API at http://127.0.0.1:${port} could not be reached. Check your connection, or try again in a moment.`,
      },
    });
  });

  it('refuses unknown channels and invalid arguments without throwing', async () => {
    const test = newCore(configFor(stack.devstack));
    expect(await test.core.handle('auth:steal-tokens', [])).toMatchObject({
      ok: false,
      error: { code: 'invalid_request' },
    });
    expect(await test.core.handle('messages:get', ['secrets'])).toMatchObject({
      ok: false,
      error: { code: 'invalid_request' },
    });
    expect(await test.core.handle('messages:get', 'public')).toMatchObject({
      ok: false,
      error: { code: 'invalid_request' },
    });
    expect(await test.core.handle('__proto__', [])).toMatchObject({
      ok: false,
      error: { code: 'invalid_request' },
    });
  });
});
