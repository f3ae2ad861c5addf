/**
 * The edges of signing in and out that a person stumbles on, against the real devstack with Chromium
 * as the system browser: the provider stopping while the app runs, a double-click on Log In, Log Out
 * while the provider cannot be reached (and the next Log In asking for the password), and browser tabs
 * that come back after the app stopped waiting.
 */
import { mkdtempSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_SENTENCES } from '../../src-main/core/errors.ts';
import { checkProviderAnswers } from '../../src-main/core/oidc.ts';
import { connected } from '../support/transport.ts';
import { PROVIDER_LOGOUT_KEY, providerLogoutKeyOf } from '../../src-main/core/provider-logout.ts';
import { JsonFileStore } from '../../src-main/core/node-storage.ts';
import { REOPEN_GUARD_MS } from '../../src-main/core/session.ts';
import { alice } from '../support/accounts.ts';
import { configFor, signIn } from '../support/core-harness.ts';
import { send } from '../support/http.ts';
import { signInWithBrowser } from '../support/system-browser.ts';
import { useIntegrationStack } from '../support/integration-stack.ts';
import { recordingLogger } from '../support/recording-logger.ts';
import { restartableDevstack } from '../support/restartable-devstack.ts';
import { expiresAtOf, providerSessionOf } from '../support/session-view.ts';

const stack = useIntegrationStack();
const { newCore } = stack;

/** A server that accepts connections and never answers: a hung provider. */
async function silentServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    port: (server.address() as { port: number }).port,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

describe('the provider stops while the app runs', () => {
  it('Log In fails fast with "could not be reached" and opens no browser tab', async () => {
    const start = await restartableDevstack('session-edges-');
    const provider = await start();
    const test = newCore(configFor(provider));
    await test.core.restore();
    // A first sign-in discovers (and caches) the provider, as a running app has.
    const opened = test.nextOpened();
    const first = test.core.session.login();
    await opened;
    test.core.session.cancel();
    await first;
    await provider.close();

    const started = performance.now();
    const result = await test.core.session.login();
    const elapsed = performance.now() - started;
    expect(result).toMatchObject({
      ok: false,
      error: {
        code: 'provider_unreachable',
        message: expect.stringContaining('could not be reached'),
      },
    });
    expect(test.opened).toHaveLength(1);
    expect(test.core.view()).toMatchObject({
      status: 'signed-out',
      error: { code: 'provider_unreachable' },
    });
    expect(elapsed).toBeLessThan(2_500);
  });

  it('the check before opening the browser gives up on a provider that accepts but never answers', async () => {
    const silent = await silentServer();
    try {
      const config = connected(
        configFor({ ...stack.devstack, issuer: `http://127.0.0.1:${silent.port}` }),
      );
      await expect(checkProviderAnswers(config, 300)).rejects.toMatchObject({
        code: 'provider_unreachable',
      });
      await expect(
        checkProviderAnswers(connected(configFor(stack.devstack))),
      ).resolves.toBeUndefined();
    } finally {
      await silent.close();
    }
  });
});

describe('a second Log In while one waits', () => {
  it('joins the pending sign-in: a double-click opens one tab, a later click reopens the same page, one session results', async () => {
    const test = newCore(configFor(stack.devstack));
    await test.core.restore();
    const opened = test.nextOpened();
    const first = test.core.session.login();
    const url = await opened;
    const doubleClick = test.core.session.login();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(test.opened).toEqual([url]);

    await new Promise((resolve) => setTimeout(resolve, REOPEN_GUARD_MS));
    const reopened = test.nextOpened();
    const later = test.core.session.signup();
    expect(await reopened).toBe(url);
    // The banner's "Reopen sign-in page" opens the very same URL again.
    const viaButton = test.nextOpened();
    expect(await test.core.handle('auth:reopen', [])).toEqual({ ok: true });
    expect(await viaButton).toBe(url);
    expect(test.core.view()).toMatchObject({
      status: 'signing-in',
      flow: 'login',
      expiresAt: expect.any(Number),
    });

    const { context } = await signInWithBrowser(stack.browser, url, {
      username: alice.email,
      password: alice.password,
    });
    for (const result of await Promise.all([first, doubleClick, later])) {
      expect(result).toMatchObject({
        ok: true,
        session: { status: 'signed-in', profile: { email: alice.email } },
      });
    }
    expect(await test.core.handle('auth:reopen', [])).toMatchObject({
      ok: false,
      error: { code: 'invalid_request' },
    });
    await context.close();
  });

  it('says in the view when the app stops waiting, in about the configured time', async () => {
    const test = newCore(configFor(stack.devstack), { signInTimeoutMs: 5 * 60_000 });
    await test.core.restore();
    const opened = test.nextOpened();
    const before = Date.now();
    const login = test.core.session.login();
    await opened;
    const expiresAt = expiresAtOf(test.core.view())!;
    expect(expiresAt - before).toBeGreaterThan(5 * 60_000 - 2_000);
    expect(expiresAt - before).toBeLessThanOrEqual(5 * 60_000 + 2_000);
    test.core.session.cancel();
    await login;
  });
});

describe('Log Out while the provider cannot be reached', () => {
  it('signs out of the app, says the provider session was not ended, and the next Log In asks for the password until it is', async () => {
    const start = await restartableDevstack('session-edges-');
    let provider = await start();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'session-edges-core-'));
    const test = newCore(configFor(provider), { dir });
    await test.core.restore();
    const first = await signIn(test, stack.browser, alice);
    expect(first.result).toMatchObject({ ok: true });
    expect(first.formShown).toBe(true);
    const refreshToken = (await test.storedTokens())!.refreshToken!;

    await provider.close();
    const logout = await test.core.session.logout();
    expect(logout).toMatchObject({
      ok: true,
      providerLogout: 'unreachable',
      session: { status: 'signed-out', providerSession: 'not-ended' },
    });
    // Signed out of the app at once, and nothing was opened on a dead page.
    expect(await test.storedTokens()).toBeUndefined();
    expect(test.opened).toHaveLength(1);
    // The marker is persisted and holds no secret.
    const stored = new JsonFileStore(path.join(dir, 'session.json')).get(PROVIDER_LOGOUT_KEY);
    expect(stored).toEqual({
      [providerLogoutKeyOf(configFor(provider))]: {
        state: 'unreachable',
        since: expect.any(Number),
      },
    });
    expect(JSON.stringify(stored)).not.toContain(refreshToken);
    // Trying again while it is still down says so again.
    expect(await test.core.handle('auth:end-provider-session', [])).toMatchObject({
      ok: true,
      providerLogout: 'unreachable',
    });

    // The provider comes back (with its sessions: the browser is still signed in there). The app restarts.
    provider = await start();
    await test.core.close();
    const again = newCore(configFor(provider), { dir });
    await again.core.restore();
    expect(again.core.view()).toMatchObject({ status: 'signed-out', providerSession: 'not-ended' });
    // The same browser as before: it still carries the provider's session cookie.
    const opened = again.nextOpened();
    const login = again.core.session.login();
    const url = await opened;
    const second = await signInWithBrowser(stack.browser, url, {
      username: alice.email,
      password: alice.password,
      context: first.context,
    });
    // Without prompt=login the provider's live session would have signed alice in without a password.
    expect(new URL(url).searchParams.get('prompt')).toBe('login');
    expect(second.formShown).toBe(true);
    expect(await login).toMatchObject({ ok: true });
    // Once the password was asked, the marker is gone: the next sign-in is an ordinary one.
    expect(
      new JsonFileStore(path.join(dir, 'session.json')).get(PROVIDER_LOGOUT_KEY),
    ).toBeUndefined();
    expect(providerSessionOf(again.core.view())).toBeUndefined();
    await first.context.close();
    await again.core.close();
    await provider.close();
  });

  it('"Try again" ends the provider session once it answers: the logout page opens and its return clears the marker', async () => {
    const start = await restartableDevstack('session-edges-');
    let provider = await start();
    const test = newCore(configFor(provider));
    await test.core.restore();
    const { context } = await signIn(test, stack.browser, alice);
    await provider.close();
    expect(await test.core.session.logout()).toMatchObject({ providerLogout: 'unreachable' });

    provider = await start();
    const opened = test.nextOpened();
    const retry = await test.core.handle('auth:end-provider-session', []);
    expect(retry).toMatchObject({ ok: true, providerLogout: 'opened' });
    const logoutUrl = new URL(await opened);
    expect(logoutUrl.searchParams.get('id_token_hint')).toBeTruthy();
    expect(providerSessionOf(test.core.view())).toBeUndefined();
    const tab = await context.newPage();
    await tab.goto(logoutUrl.href);
    await tab.getByText('You have been logged out').waitFor();
    // Back at the app: the provider session is ended, the next sign-in is an ordinary one.
    const next = test.nextOpened();
    const login = test.core.session.login();
    expect(new URL(await next).searchParams.get('prompt')).toBeNull();
    test.core.session.cancel();
    await login;
    await context.close();
    await provider.close();
  });

  it("an ordinary Log Out opens the provider's logout page and says so", async () => {
    const test = newCore(configFor(stack.devstack));
    await test.core.restore();
    const { context } = await signIn(test, stack.browser, alice);
    const opened = test.nextOpened();
    expect(await test.core.session.logout()).toMatchObject({
      ok: true,
      providerLogout: 'opened',
      session: { status: 'signed-out' },
    });
    expect(new URL(await opened).pathname).toMatch(/session\/end/);
    expect(providerSessionOf(test.core.view())).toBeUndefined();
    await context.close();
  });
});

describe("a forged return from the provider's logout page", () => {
  it('a program or page that sends the logout return before the provider does ends nothing: the next Log In shows the password form', async () => {
    const test = newCore(configFor(stack.devstack));
    await test.core.restore();
    const first = await signIn(test, stack.browser, alice);
    expect(first.formShown).toBe(true);
    const opened = test.nextOpened();
    expect(await test.core.session.logout()).toMatchObject({ providerLogout: 'opened' });
    const logoutUrl = new URL(await opened);
    // The logout request carries a fresh random state for the way back (RP-Initiated Logout §2).
    expect(logoutUrl.searchParams.get('state')).toMatch(/^[\w-]{32,}$/);
    const back = new URL(logoutUrl.searchParams.get('post_logout_redirect_uri')!);

    // The person leaves the provider's "Sign out?" page open. Meanwhile another local program sends
    // the return (no state, a made-up one, an empty one), and a page in the same browser sends a tab.
    const forged: Array<[string, number, string]> = [];
    for (const query of ['', '?state=forged', '?state=']) {
      const answer = await send(`${back.href}${query}`);
      forged.push([`program ${query || '(no state)'}`, answer.status, answer.body]);
    }
    const tab = await first.context.newPage();
    const navigation = await tab.goto(`${back.href}?state=guessed`);
    forged.push(['browser tab', navigation?.status() ?? 0, await tab.locator('body').innerText()]);
    await tab.close();

    // The same browser, whose provider session was never ended: Log In must still ask for the password.
    const next = test.nextOpened();
    const login = test.core.session.login();
    const url = await next;
    const second = await signInWithBrowser(stack.browser, url, {
      username: alice.email,
      password: alice.password,
      context: first.context,
    });
    expect(second.formShown).toBe(true);
    expect(new URL(url).searchParams.get('prompt')).toBe('login');
    expect(await login).toMatchObject({ ok: true, session: { status: 'signed-in' } });
    // Each forged return was refused, and said so.
    for (const [who, status, body] of forged) {
      expect(status, who).toBe(400);
      expect(body, who).toContain('Not this logout');
    }
    await first.context.close();
  });
});

describe('a browser tab that comes back after the app stopped waiting', () => {
  it('after the timeout, a correct password ends on a page that says what happened, not a dead page', async () => {
    const test = newCore(configFor(stack.devstack), { signInTimeoutMs: 1_500 });
    await test.core.restore();
    const opened = test.nextOpened();
    const login = test.core.session.login();
    const url = await opened;
    expect(await login).toMatchObject({
      ok: false,
      error: { code: 'sign_in_timeout', message: expect.stringContaining('2 seconds') },
    });
    const { page, context } = await signInWithBrowser(stack.browser, url, {
      username: alice.email,
      password: alice.password,
    });
    await page.getByRole('heading', { name: 'Sign-in timed out' }).waitFor();
    expect(await page.locator('body').innerText()).toContain(
      'Go back to the app and press Log In to start again',
    );
    expect(test.core.view().status).toBe('signed-out');
    await context.close();
  });

  it('after the "All done" page, a reload shows it again', async () => {
    const test = newCore(configFor(stack.devstack));
    await test.core.restore();
    const { page, context, result } = await signIn(test, stack.browser, alice);
    expect(result).toMatchObject({ ok: true });
    await page.getByRole('heading', { name: 'All done' }).waitFor();
    await page.reload();
    await page.getByRole('heading', { name: 'All done' }).waitFor();
    expect(await page.locator('body').innerText()).toContain('Hello World');
    // A new sign-in takes the port over at once (here: any port; with a fixed port, the same one).
    const late = await send(new URL('/callback?code=x&state=y', new URL(page.url())).href);
    expect(late.status).toBe(410);
    await context.close();
  });
});

describe('a failure in words that are not the app’s', () => {
  // toAppError never forwards a foreign message to the screen: the OS's words go to the log, the
  // person reads the sentence for `internal`.
  it('shows the app’s own sentence and logs the OS’s words when the browser opener throws', async () => {
    const log = recordingLogger();
    const test = newCore(configFor(stack.devstack), {
      log,
      wrapOpenExternal: () => async () => {
        throw new Error('spawn /usr/bin/xdg-open EACCES');
      },
    });
    await test.core.restore();
    const result = await test.core.session.login();
    expect(result).toEqual({
      ok: false,
      error: { code: 'internal', message: ERROR_SENTENCES.internal },
    });
    expect(test.core.view()).toMatchObject({ status: 'signed-out', error: { code: 'internal' } });
    expect(JSON.stringify(test.events)).not.toContain('xdg-open');
    expect(
      log.lines.filter((line) => line.includes('spawn /usr/bin/xdg-open EACCES')),
    ).toHaveLength(1);
  });
});
