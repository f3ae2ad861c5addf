/**
 * The app link (RFC 8252 §7.1 private-use URI scheme redirect) through the real core against the
 * real devstack: Chromium signs in, the provider redirects it to `<scheme>:/callback?…`, and the
 * test hands that URL to the core the way the OS would (Electron's `open-url` / argv). Then every
 * way a delivered URL must be refused: no sign-in waiting, a second delivery, another scheme or
 * path, a wrong or no state (dropped: the sign-in keeps waiting), a forged code; refused URLs are
 * logged redacted and change nothing the user sees.
 */
import { describe, expect, it } from 'vitest';
import { APP_LINK_REDIRECT_URI } from '../../devstack/index.ts';
import { DEFAULT_REDIRECT_SCHEME } from '../../src-main/core/config.ts';
import type { SessionView } from '../../src-preload/contract.ts';
import { alice, bob } from '../support/accounts.ts';
import { configFor, type TestCore } from '../support/core-harness.ts';
import { signInForAppLink } from '../support/system-browser.ts';
import { useIntegrationStack } from '../support/integration-stack.ts';
import { recordingLogger } from '../support/recording-logger.ts';
import { signInOf } from '../support/session-view.ts';

const stack = useIntegrationStack();
const { newCore } = stack;

function appLinkCore(options: { registered?: boolean; missing?: string; dir?: string } = {}) {
  const log = recordingLogger();
  const test = newCore(configFor(stack.devstack, { AUTH0_DPOP: 'true' }), {
    appLinkRegistered: options.registered ?? true,
    ...(options.missing ? { appLinkMissing: options.missing } : {}),
    log,
    ...(options.dir ? { dir: options.dir } : {}),
  });
  return { test, lines: log.lines };
}

async function waitForView(
  test: TestCore,
  predicate: (view: SessionView) => boolean,
): Promise<void> {
  const started = Date.now();
  while (!test.events.some(predicate)) {
    if (Date.now() - started > 10_000)
      throw new Error(`no such view; last ${JSON.stringify(test.events.at(-1))}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Starts a login, switches it to the app link, and returns the authorization URL the browser got. */
async function startAppLinkSignIn(test: TestCore) {
  const first = test.nextOpened();
  const result = test.core.session.login();
  await first;
  expect(signInOf(test.core.view())).toMatchObject({
    way: 'browser',
    otherWays: ['app-link', 'code'],
  });
  const opened = test.nextOpened();
  expect(test.core.session.useWay('app-link').ok).toBe(true);
  const authorizationUrl = await opened;
  await waitForView(test, (view) => signInOf(view)?.way === 'app-link');
  return { result, authorizationUrl };
}

describe('the app link', () => {
  it('signs alice in through <scheme>:/callback handed over by the OS; a restart restores the session, logout ends it', async () => {
    const { test, lines } = appLinkCore();
    await test.core.restore();
    const { result, authorizationUrl } = await startAppLinkSignIn(test);
    const authorization = new URL(authorizationUrl);
    expect(authorization.searchParams.get('redirect_uri')).toBe(
      `${DEFAULT_REDIRECT_SCHEME}:/callback`,
    );
    expect(authorization.searchParams.get('redirect_uri')).toBe(APP_LINK_REDIRECT_URI);
    expect(authorization.searchParams.get('code_challenge_method')).toBe('S256');

    const { appLink } = await signInForAppLink(stack.browser, authorizationUrl, {
      username: alice.email,
      password: alice.password,
    });
    expect(appLink.startsWith(`${DEFAULT_REDIRECT_SCHEME}:/callback?`)).toBe(true);
    expect(test.core.session.deliverAppLink(appLink)).toBe(true);
    expect(await result).toMatchObject({
      ok: true,
      session: { status: 'signed-in', profile: { email: alice.email } },
    });
    const stored = (await test.storedTokens())!;
    expect(stored.tokenType).toBe('DPoP');
    expect(stored.refreshToken).toBeTruthy();
    expect(await test.core.messages.get('admin')).toMatchObject({ ok: true });

    // The same URL again, now that nothing waits: dropped, logged without its code.
    const eventsBefore = test.events.length;
    expect(test.core.session.deliverAppLink(appLink)).toBe(false);
    expect(test.events.length).toBe(eventsBefore);
    const code = new URL(appLink).searchParams.get('code')!;
    expect(lines.join('\n')).toContain('app link dropped');
    expect(lines.join('\n')).not.toContain(code);

    await test.core.close();
    const restarted = appLinkCore({ dir: test.dir });
    await restarted.test.core.restore();
    expect(restarted.test.core.view()).toMatchObject({
      status: 'signed-in',
      profile: { email: alice.email },
    });
    await restarted.test.core.session.logout();
    expect(restarted.test.core.view().status).toBe('signed-out');
    expect(await restarted.test.storedTokens()).toBeUndefined();
  });

  it('is not offered, and cannot be chosen, where the OS does not route the scheme to this app; the sign-in says why', async () => {
    const missing = `no program on this desktop opens ${DEFAULT_REDIRECT_SCHEME}: links`;
    const { test } = appLinkCore({ registered: false, missing });
    await test.core.restore();
    const opened = test.nextOpened();
    const result = test.core.session.login();
    await opened;
    expect(signInOf(test.core.view())).toMatchObject({
      way: 'browser',
      otherWays: ['code'],
      appLinkMissing: missing,
    });
    expect(test.core.session.useWay('app-link')).toMatchObject({
      ok: false,
      error: { code: 'way_unavailable' },
    });
    expect(signInOf(test.core.view())?.way).toBe('browser');
    test.core.session.cancel();
    expect(await result).toMatchObject({ ok: false, error: { code: 'sign_in_cancelled' } });
  });

  it('drops a URL delivered while no sign-in waits, without a word to the user', async () => {
    const { test, lines } = appLinkCore();
    await test.core.restore();
    const before = test.events.length;
    expect(
      test.core.session.deliverAppLink(
        `${DEFAULT_REDIRECT_SCHEME}:/callback?code=forged-code-123&state=x`,
      ),
    ).toBe(false);
    expect(test.events.length).toBe(before);
    expect(test.core.view()).toMatchObject({ status: 'signed-out' });
    expect(test.core.view().error).toBeUndefined();
    expect(lines.join('\n')).not.toContain('forged-code-123');
  });

  it('drops another scheme, another path, a host form and a fragment while waiting, and still takes the real one', async () => {
    const { test } = appLinkCore();
    await test.core.restore();
    const { result, authorizationUrl } = await startAppLinkSignIn(test);
    const { appLink } = await signInForAppLink(stack.browser, authorizationUrl, {
      username: bob.email,
      password: bob.password,
    });
    const query = new URL(appLink).search;
    const eventsBefore = test.events.length;
    for (const wrong of [
      `com.example.other:/callback${query}`,
      `${DEFAULT_REDIRECT_SCHEME}:/callbackx${query}`,
      `${DEFAULT_REDIRECT_SCHEME}:/callback/more${query}`,
      `${DEFAULT_REDIRECT_SCHEME}://callback${query}`,
      `${DEFAULT_REDIRECT_SCHEME}:/callback${query}#frag`,
      `http://127.0.0.1/callback${query}`,
      'not a url',
    ]) {
      expect(test.core.session.deliverAppLink(wrong), wrong).toBe(false);
    }
    expect(test.events.length).toBe(eventsBefore);
    expect(signInOf(test.core.view())?.way).toBe('app-link');
    expect(test.core.session.deliverAppLink(appLink)).toBe(true);
    // A second delivery while the first is being exchanged is dropped too.
    expect(test.core.session.deliverAppLink(appLink)).toBe(false);
    expect(await result).toMatchObject({
      ok: true,
      session: { status: 'signed-in', profile: { email: bob.email } },
    });
    await test.core.session.logout();
  });

  it('drops a URL with a wrong or no state, logged redacted: the sign-in keeps waiting and takes the real link', async () => {
    const { test, lines } = appLinkCore();
    await test.core.restore();
    const { result, authorizationUrl } = await startAppLinkSignIn(test);
    const { appLink } = await signInForAppLink(stack.browser, authorizationUrl, {
      username: bob.email,
      password: bob.password,
    });
    const eventsBefore = test.events.length;
    // Any program can open a URL of the app's scheme: with the real code and another state, with no
    // state, with a made-up code and state. None may use up the sign-in.
    const tampered = new URL(appLink);
    tampered.searchParams.set('state', 'attacker-state');
    const stateless = new URL(appLink);
    stateless.searchParams.delete('state');
    const madeUp = `${DEFAULT_REDIRECT_SCHEME}:/callback?code=made-up-code-42&state=made-up&iss=${encodeURIComponent(stack.devstack.issuer)}`;
    for (const wrong of [tampered.href, stateless.href, madeUp])
      expect(test.core.session.deliverAppLink(wrong), wrong).toBe(false);
    expect(test.events.length).toBe(eventsBefore);
    expect(test.core.view()).toMatchObject({ status: 'signing-in', signIn: { way: 'app-link' } });
    const log = lines.join('\n');
    expect(log).toContain('"reason":"wrong-state"');
    expect(log).not.toContain(new URL(appLink).searchParams.get('code')!);
    expect(log).not.toContain('made-up-code-42');

    expect(test.core.session.deliverAppLink(appLink)).toBe(true);
    expect(await result).toMatchObject({
      ok: true,
      session: { status: 'signed-in', profile: { email: bob.email } },
    });
    await test.core.session.logout();
  });

  it('refuses a forged code with the right state: the provider does not know it', async () => {
    const { test } = appLinkCore();
    await test.core.restore();
    const { result, authorizationUrl } = await startAppLinkSignIn(test);
    const state = new URL(authorizationUrl).searchParams.get('state')!;
    const forged = new URL(`${DEFAULT_REDIRECT_SCHEME}:/callback`);
    forged.searchParams.set('code', 'forged-authorization-code');
    forged.searchParams.set('state', state);
    forged.searchParams.set('iss', stack.devstack.issuer);
    expect(test.core.session.deliverAppLink(forged.href)).toBe(true);
    expect(await result).toMatchObject({ ok: false, error: { code: 'callback_invalid' } });
    expect(await test.storedTokens()).toBeUndefined();
  });

  it('stops taking URLs once the user switches to another way', async () => {
    const { test } = appLinkCore();
    await test.core.restore();
    const { result, authorizationUrl } = await startAppLinkSignIn(test);
    const { appLink } = await signInForAppLink(stack.browser, authorizationUrl, {
      username: bob.email,
      password: bob.password,
    });
    expect(test.core.session.useWay('code').ok).toBe(true);
    await waitForView(
      test,
      (view) => signInOf(view)?.way === 'code' && signInOf(view)?.code !== undefined,
    );
    expect(test.core.session.deliverAppLink(appLink)).toBe(false);
    expect(test.core.view().status).toBe('signing-in');
    test.core.session.cancel();
    expect(await result).toMatchObject({ ok: false, error: { code: 'sign_in_cancelled' } });
  });
});
