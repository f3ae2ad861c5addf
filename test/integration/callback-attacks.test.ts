/**
 * Attacks on the loopback callback with the real devstack and Chromium as the system browser: an
 * attacker's own valid authorization code injected into the victim's receiver before the real
 * callback (code injection, with and without knowledge of the victim's `state`), the victim's real
 * callback replayed after it was used (immediately, and into a later sign-in, with and without the
 * later `state`), a hostile web page sending the user's browser tab to the callback with a wrong
 * `state`, and script injection through the provider's error description. None of them signs anyone
 * in; a callback without the sign-in's own `state` gets 400 and uses nothing up.
 *
 * The victim uses a fixed callback port (as with an Auth0 tenant) so that the attacker's code was
 * issued for the very same redirect URI: only PKCE and `state` stand between it and a session.
 */
import { createServer, type Server } from 'node:http';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alice, bob } from '../support/accounts.ts';
import { configFor, discoverPublicClient, type TestCore } from '../support/core-harness.ts';
import { send } from '../support/http.ts';
import { closedPort } from '../support/ports.ts';
import { signInWithBrowser } from '../support/system-browser.ts';
import { useIntegrationStack } from '../support/integration-stack.ts';
import { profileOf } from '../support/session-view.ts';

const XSS = '<script>alert(document.cookie)</script><img src=x onerror=alert(1)>';

const stack = useIntegrationStack();
let port: number;
const tally = { run: 0, refused: 0 };
/** The attacker's own authorization response: a valid code for the victim's redirect URI, bob's session. */
let attacker: { code: string; state: string; iss: string };

beforeAll(async () => {
  port = await closedPort();
  attacker = await attackerAuthorizationResponse();
});

afterAll(() => {
  console.info(`callback attacks: ${tally.run} attack cases run, ${tally.refused} refused`);
});

function victimCore(): TestCore {
  return stack.newCore(configFor(stack.devstack, { AUTH0_CALLBACK_PORTS: String(port) }));
}

/**
 * The attacker (bob) runs his own authorization request for the same public client and the victim's
 * redirect URI, with his own PKCE verifier, and catches the code on that port before the victim's app
 * listens there. He never exchanges it: he wants to plant it in the victim's app.
 */
async function attackerAuthorizationResponse() {
  const configuration = await discoverPublicClient(stack.devstack);
  const state = client.randomState();
  const url = client.buildAuthorizationUrl(configuration, {
    redirect_uri: `http://127.0.0.1:${port}/callback`,
    scope: 'openid profile email offline_access',
    audience: stack.devstack.audience,
    code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
    code_challenge_method: 'S256',
    state,
    nonce: client.randomNonce(),
  });
  let caught: URL | undefined;
  const catcher: Server = createServer((req, res) => {
    caught ??= new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    res.end('caught');
  });
  await new Promise<void>((resolve) => catcher.listen(port, '127.0.0.1', () => resolve()));
  try {
    const { context } = await signInWithBrowser(stack.browser, url.href, {
      username: bob.email,
      password: bob.password,
    });
    await context.close();
  } finally {
    await new Promise((resolve) => {
      catcher.close(resolve);
      catcher.closeAllConnections();
    });
  }
  const code = caught?.searchParams.get('code');
  if (!code) throw new Error('the attacker did not get a code');
  return { code, state, iss: caught!.searchParams.get('iss') ?? stack.devstack.issuer };
}

/** Starts the victim's login and returns the redirect URI and state of its authorization request. */
async function startLogin(test: TestCore) {
  const opened = test.nextOpened();
  const result = test.core.session.login();
  const authorization = new URL(await opened);
  return {
    result,
    authorization,
    redirectUri: authorization.searchParams.get('redirect_uri')!,
    state: authorization.searchParams.get('state')!,
  };
}

function callbackUrl(redirectUri: string, params: Record<string, string>): string {
  const url = new URL(redirectUri);
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
  return url.href;
}

async function expectNobodySignedIn(
  test: TestCore,
  result: Awaited<ReturnType<TestCore['core']['session']['login']>>,
  code = 'callback_invalid',
) {
  expect(result).toMatchObject({ ok: false, error: { code } });
  if (!result.ok) expect(result.error.message.length).toBeGreaterThan(20);
  expect(test.core.view()).toMatchObject({ status: 'signed-out', error: { code } });
  expect(profileOf(test.core.view())).toBeUndefined();
  expect(await test.storedTokens()).toBeUndefined();
  expect(await test.core.messages.get('protected')).toMatchObject({
    ok: false,
    error: { code: 'not_signed_in' },
  });
}

/**
 * After each case: the receiver has ended. It may linger for late browser tabs, but then it only
 * explains (410, nothing handed over); the next sign-in takes the fixed port over from it.
 */
async function portReleased(): Promise<void> {
  const late = await send(`http://127.0.0.1:${port}/callback?code=late&state=late`).catch(
    () => undefined,
  );
  if (late) {
    expect(late.status).toBe(410);
    expect(late.body).not.toContain('code=late');
  }
}

describe("code injection: the attacker's own valid code before the real callback", () => {
  it("with the attacker's state: 400, the code is never even sent, and the receiver still waits", async () => {
    tally.run++;
    const test = victimCore();
    await test.core.restore();
    const before = stack.devstack.tokenRequests('authorization_code');
    const { result, redirectUri } = await startLogin(test);
    expect(redirectUri).toBe(`http://127.0.0.1:${port}/callback`);
    const injected = await send(callbackUrl(redirectUri, attacker));
    expect(injected.status).toBe(400);
    expect(injected.body).toContain('not the sign-in the app is waiting for');
    expect(stack.devstack.tokenRequests('authorization_code')).toBe(before);
    // Nothing was used up: the app still waits for its own callback (here: the user cancels).
    expect(test.core.view()).toMatchObject({ status: 'signing-in', flow: 'login' });
    expect(test.core.session.cancel()).toEqual({ ok: true });
    await expectNobodySignedIn(test, await result, 'sign_in_cancelled');
    tally.refused++;
    await portReleased();
  });

  it("a web page in the user's browser navigating a tab to the callback (wrong state) uses nothing up: the real sign-in completes", async () => {
    tally.run++;
    const test = victimCore();
    await test.core.restore();
    const before = stack.devstack.tokenRequests('authorization_code');
    const { result, authorization, redirectUri } = await startLogin(test);
    // The user's browser visits a hostile site (another site: evil.example, served by the test) whose
    // script sends the tab to the app's callback with the attacker's code and a made-up state.
    const context = await stack.browser.newContext();
    const planted = callbackUrl(redirectUri, { ...attacker, state: 'guessed-state' });
    await context.route('http://evil.example/**', (route) =>
      route.fulfill({
        contentType: 'text/html',
        body: `<!doctype html><title>cute cats</title><script>location.href = ${JSON.stringify(planted)};</script>`,
      }),
    );
    const evil = await context.newPage();
    const landed = evil.waitForResponse((response) => response.url().startsWith(`${redirectUri}?`));
    await evil.goto('http://evil.example/cats');
    const answer = await landed;
    expect(answer.status()).toBe(400);
    // It came from the other site's page (its Referer), as a top-level navigation of the tab.
    expect(answer.request().headers()['referer']).toBe('http://evil.example/');
    expect(answer.request().isNavigationRequest()).toBe(true);
    await expect
      .poll(() => evil.textContent('body'))
      .toContain('not the sign-in the app is waiting for');
    expect(stack.devstack.tokenRequests('authorization_code')).toBe(before);
    expect(test.core.view()).toMatchObject({ status: 'signing-in' });

    // Then the user signs in, in the same browser: the app takes its own callback.
    await signInWithBrowser(stack.browser, authorization.href, {
      username: alice.email,
      password: alice.password,
      context,
    });
    expect(await result).toMatchObject({
      ok: true,
      session: { status: 'signed-in', profile: { email: alice.email } },
    });
    expect((await test.storedTokens())?.claims.email).toBe(alice.email);
    expect(stack.devstack.tokenRequests('authorization_code')).toBe(before + 1);
    await context.close();
    tally.refused++;
    await portReleased();
  });

  it("even with the victim's own state (leaked): PKCE binds the code to the attacker's verifier", async () => {
    tally.run++;
    const test = victimCore();
    await test.core.restore();
    const before = stack.devstack.tokenRequests('authorization_code');
    const { result, redirectUri, state } = await startLogin(test);
    expect((await send(callbackUrl(redirectUri, { ...attacker, state }))).status).toBe(303);
    await expectNobodySignedIn(test, await result);
    // This time the code did reach the provider, which refused it for the victim's verifier.
    expect(stack.devstack.tokenRequests('authorization_code')).toBe(before + 1);
    if (!(await result).ok)
      expect(((await result) as { error: { message: string } }).error.message).toMatch(
        /refused the sign-in code/,
      );
    tally.refused++;
    await portReleased();
  });
});

describe("replay: the victim's real callback used again", () => {
  let used: { url: string; code: string; state: string; sub: string; accessToken: string };

  it("a replay right after the real callback is not taken; the session stays the victim's own", async () => {
    tally.run++;
    const test = victimCore();
    await test.core.restore();
    const { result, authorization } = await startLogin(test);
    const context = await stack.browser.newContext();
    const callbacks: string[] = [];
    context.on('request', (req) => {
      if (req.url().startsWith(`http://127.0.0.1:${port}/callback?`)) callbacks.push(req.url());
    });
    await signInWithBrowser(stack.browser, authorization.href, {
      username: alice.email,
      password: alice.password,
      context,
    });
    expect(await result).toMatchObject({
      ok: true,
      session: { status: 'signed-in', profile: { email: alice.email } },
    });
    const stored = (await test.storedTokens())!;
    const url = callbacks[0]!;
    used = {
      url,
      code: new URL(url).searchParams.get('code')!,
      state: new URL(url).searchParams.get('state')!,
      sub: String(stored.claims.sub),
      accessToken: stored.accessToken,
    };

    // The receiver lingers for late tabs and the browser's outcome page, but hands over nothing more.
    const replay = await send(url).catch(() => ({ status: 0, body: '' }));
    expect(replay.status).not.toBe(303);
    expect(replay.body).not.toContain(used.code);
    expect(test.core.view()).toMatchObject({
      status: 'signed-in',
      profile: { email: alice.email },
    });
    expect((await test.storedTokens())!.accessToken).toBe(stored.accessToken);
    await context.close();
    tally.refused++;
    await portReleased();
  });

  it('a replay into a later sign-in (old code, old state) is refused on the state check', async () => {
    tally.run++;
    const test = victimCore();
    await test.core.restore();
    const before = stack.devstack.tokenRequests('authorization_code');
    const { result, redirectUri } = await startLogin(test);
    expect(redirectUri).toBe(new URL(used.url).origin + new URL(used.url).pathname);
    expect((await send(used.url)).status).toBe(400);
    expect(test.core.view()).toMatchObject({ status: 'signing-in' });
    test.core.session.cancel();
    await expectNobodySignedIn(test, await result, 'sign_in_cancelled');
    expect(stack.devstack.tokenRequests('authorization_code')).toBe(before);
    tally.refused++;
    await portReleased();
  });

  it("a replay of the used code with the later sign-in's state (leaked) is refused by the provider", async () => {
    tally.run++;
    const test = victimCore();
    await test.core.restore();
    const { result, redirectUri, state } = await startLogin(test);
    expect(
      (await send(callbackUrl(redirectUri, { code: used.code, state, iss: stack.devstack.issuer })))
        .status,
    ).toBe(303);
    await expectNobodySignedIn(test, await result);
    tally.refused++;
    await portReleased();
  });
});

describe('what the receiver shows the browser', () => {
  it("escapes a script in the provider's error description on the outcome page, and never shows the code", async () => {
    tally.run++;
    const test = victimCore();
    await test.core.restore();
    const { result, redirectUri, state } = await startLogin(test);
    const callback = await send(
      callbackUrl(redirectUri, {
        error: 'access_denied',
        error_description: XSS,
        state,
        iss: stack.devstack.issuer,
        code: 'SECRET-CODE-xyz',
      }),
    );
    expect(callback.status).toBe(303);
    expect(callback.headers.location).toBe('/done');
    const done = await send(new URL('/done', redirectUri).href);
    const final = await result;
    expect(final).toMatchObject({ ok: false, error: { code: 'access_denied' } });
    expect(done.status).toBe(200);
    expect(done.body).toContain('&#60;script&#62;alert(document.cookie)&#60;/script&#62;');
    expect(done.body).not.toContain('<script');
    expect(done.body).not.toContain('<img');
    expect(done.body).not.toContain('SECRET-CODE-xyz');
    expect(done.headers['content-security-policy']).toMatch(/default-src 'none'/);
    expect(await test.storedTokens()).toBeUndefined();
    tally.refused++;
    await portReleased();
  });

  it('refused every case', () => {
    expect(tally).toEqual({ run: 7, refused: 7 });
  });
});
