/**
 * Log Out and Cancel win over work still in flight, and logout never holds the only callback port.
 * Against the real devstack with Chromium as the system browser. The cipher is slowed (300 ms, as a
 * busy keychain can be) or made to fail, and the store made unwritable, the way the real edge can
 * behave: everything else is real.
 *
 * - A refresh whose vault write is still encrypting when the user logs out must not write the
 *   session back (next start: signed in again), and its rotated refresh token must be revoked.
 * - The same after a code exchange, for Cancel and for Log Out.
 * - A failed save removes the previous record (a refresh token the provider has since retired).
 * - A failed delete of the saved session is logged and told to the user.
 * - With one fixed callback port, Log Out (logout tab never finished) then Log In at once works, and
 *   the logout receiver stops waiting after a short time by itself.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { VaultContent } from '../../src-main/core/account-vault.ts';
import type { Cipher, Logger } from '../../src-main/core/platform.ts';
import type { TokenSet } from '../../src-main/core/vault.ts';
import { alice } from '../support/accounts.ts';
import { configFor, signIn, type TestCore } from '../support/core-harness.ts';
import { send } from '../support/http.ts';
import { closedPort } from '../support/ports.ts';
import { signInWithBrowser } from '../support/system-browser.ts';
import { providerAccepts, useIntegrationStack } from '../support/integration-stack.ts';
import { recordingLogger } from '../support/recording-logger.ts';

const stack = useIntegrationStack();
const { newCore, remember } = stack;

/**
 * The vault's real cipher, made slow or failing on demand (a keychain can take its time or refuse),
 * telling the test what it is asked to encrypt and when.
 */
class KeychainControl {
  delayMs = 0;
  fail = false;
  private waiters: Array<(plaintext: string) => void> = [];

  /**
   * Resolves with the active account's tokens of the next vault content handed to encrypt(), as
   * soon as the call starts.
   */
  nextEncrypt(): Promise<TokenSet> {
    return new Promise((resolve) =>
      this.waiters.push((plaintext) => {
        const content = JSON.parse(plaintext) as VaultContent;
        resolve(
          content.accounts.find(({ tokens }) => tokens.claims.sub === content.active)!.tokens,
        );
      }),
    );
  }

  wrap = (cipher: Cipher): Cipher => ({
    isAvailable: () => cipher.isAvailable(),
    decrypt: (ciphertext) => cipher.decrypt(ciphertext),
    encrypt: async (plaintext) => {
      // The vault's content (not a DPoP key being sealed).
      if (plaintext.startsWith('{"active"'))
        for (const waiter of this.waiters.splice(0)) waiter(plaintext);
      if (this.delayMs) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
      if (this.fail) throw new Error('The keychain refused.');
      return cipher.encrypt(plaintext);
    },
  });
}

/** A signed-in vault folder (alice), made by a core of its own. */
async function signedInFolder(): Promise<string> {
  const first = newCore(configFor(stack.devstack));
  await first.core.restore();
  const { result, context } = await signIn(first, stack.browser, alice);
  expect(result.ok).toBe(true);
  await context.close();
  return first.dir;
}

/** A core over `dir` to which every access token is about to expire: each API call refreshes. */
async function expiringCore(
  dir: string,
  keychain: KeychainControl,
  log?: Logger,
): Promise<TestCore> {
  const test = newCore(configFor(stack.devstack), {
    dir,
    clockSkewSeconds: 7200,
    wrapCipher: keychain.wrap,
    ...(log ? { log } : {}),
  });
  await test.core.restore();
  expect(test.core.view().status).toBe('signed-in');
  return test;
}

/** A new start of the app over the same folder. */
async function restartOver(dir: string): Promise<TestCore> {
  const again = newCore(configFor(stack.devstack), { dir });
  await again.core.restore();
  return again;
}

describe('Log Out while a refresh is being written to the vault (slow keychain, 300 ms)', () => {
  it('leaves the vault empty and the app signed out, and revokes the rotated refresh token', async () => {
    const keychain = new KeychainControl();
    const test = await expiringCore(await signedInFolder(), keychain);
    keychain.delayMs = 300;
    const encrypting = keychain.nextEncrypt();
    const refreshes = stack.devstack.tokenRequests('refresh_token');
    const message = test.core.messages.get('protected');
    // The provider has answered and the rotated tokens are being encrypted: now the user logs out.
    const rotated = await encrypting;
    remember(rotated);
    expect(stack.devstack.tokenRequests('refresh_token')).toBe(refreshes + 1);
    const [answer, logout] = await Promise.all([message, test.core.session.logout()]);
    // Let any write that was still on its way land before judging.
    await new Promise((resolve) => setTimeout(resolve, 400));

    expect(logout.ok).toBe(true);
    expect(answer).toMatchObject({ ok: false, error: { code: 'not_signed_in' } });
    expect(test.core.view().status).toBe('signed-out');
    expect(await test.storedTokens()).toBeUndefined();
    expect(await providerAccepts(stack.devstack, rotated.refreshToken!)).toBe('invalid_grant');
    // The next start is signed out too.
    const again = await restartOver(test.dir);
    expect(again.core.view().status).toBe('signed-out');
    expect(again.opened).toEqual([]);
  });
});

describe('Cancel or Log Out while a new sign-in is being written to the vault (slow keychain, 300 ms)', () => {
  it.each(['Cancel', 'Log Out'] as const)(
    '%s wins: no session in memory or on disk, and the new refresh token is revoked',
    async (action) => {
      const keychain = new KeychainControl();
      const test = newCore(configFor(stack.devstack), { wrapCipher: keychain.wrap });
      await test.core.restore();
      keychain.delayMs = 300;
      const encrypting = keychain.nextEncrypt();
      const opened = test.nextOpened();
      const login = test.core.session.login();
      const browsing = signInWithBrowser(stack.browser, await opened, {
        username: alice.email,
        password: alice.password,
      });
      // The code has been exchanged and the tokens are being encrypted: now the user gives up.
      const issued = await encrypting;
      remember(issued);
      if (action === 'Cancel') expect(test.core.session.cancel()).toEqual({ ok: true });
      else expect((await test.core.session.logout()).ok).toBe(true);
      const result = await login;
      await (await browsing).context.close();
      await new Promise((resolve) => setTimeout(resolve, 400));

      expect(result).toMatchObject({ ok: false, error: { code: 'sign_in_cancelled' } });
      expect(test.core.view().status).toBe('signed-out');
      expect(await test.core.messages.get('protected')).toMatchObject({
        ok: false,
        error: { code: 'not_signed_in' },
      });
      expect(await test.storedTokens()).toBeUndefined();
      expect(await providerAccepts(stack.devstack, issued.refreshToken!)).toBe('invalid_grant');
      expect((await restartOver(test.dir)).core.view().status).toBe('signed-out');
    },
  );
});

describe('the vault cannot be written', () => {
  it('a failed save removes the previous record (its refresh token was retired by the rotation) and says the session is in memory', async () => {
    const keychain = new KeychainControl();
    const log = recordingLogger();
    const test = await expiringCore(await signedInFolder(), keychain, log);
    const before = (await test.storedTokens())!;
    expect(before).toBeDefined();
    keychain.fail = true;
    // The refresh rotates the refresh token; saving the new one fails.
    expect(await test.core.messages.get('protected')).toEqual({
      ok: true,
      data: { text: 'This is a protected message.' },
    });
    expect(test.core.view()).toMatchObject({ status: 'signed-in', persistence: 'memory' });
    expect(await providerAccepts(stack.devstack, before.refreshToken!)).toBe('invalid_grant');
    // What is on disk would only sign the next start in with a retired token: it is gone.
    expect(await test.storedTokens()).toBeUndefined();
    expect(log.lines.some((line) => line.startsWith('error could not save the session'))).toBe(
      true,
    );
  });

  it('a failed delete at Log Out is logged and told to the user', async () => {
    const log = recordingLogger();
    const test = newCore(configFor(stack.devstack), { log });
    await test.core.restore();
    const { context } = await signIn(test, stack.browser, alice);
    await context.close();
    // The store writes a temporary file and renames it: a directory in its place makes every write
    // fail, even as root.
    mkdirSync(path.join(test.dir, `session.json.${process.pid}.tmp`));

    const result = await test.core.session.logout();
    expect(result.ok).toBe(true);
    expect(test.core.view()).toMatchObject({
      status: 'signed-out',
      error: {
        code: 'storage_unwritable',
        message: expect.stringContaining('could not be deleted from this computer'),
      },
    });
    // The renderer was told (every session change is an event).
    expect(
      test.events.some(
        (view) => view.status === 'signed-out' && view.error?.code === 'storage_unwritable',
      ),
    ).toBe(true);
    expect(
      log.lines.some((line) => line.startsWith('error could not delete the saved session')),
    ).toBe(true);
    // Memory is cleared whatever the disk says: nothing more is sent with the user's token.
    expect(await test.core.messages.get('protected')).toMatchObject({
      ok: false,
      error: { code: 'not_signed_in' },
    });
  });
});

describe('OS-assigned callback ports (the default)', () => {
  it('Log In before the logout tab came back: the logout tab still reaches the app, not "This site can\'t be reached"', async () => {
    const test = newCore(configFor(stack.devstack));
    await test.core.restore();
    const first = await signIn(test, stack.browser, alice);
    await first.context.close();
    const logoutOpened = test.nextOpened();
    await test.core.session.logout();
    // Where the provider sends the tab back, with the logout request's state (N1: required).
    const logoutUrl = new URL(await logoutOpened);
    const back = new URL(logoutUrl.searchParams.get('post_logout_redirect_uri')!);
    back.searchParams.set('state', logoutUrl.searchParams.get('state')!);

    // Log In at once, before the provider sent the logout tab back.
    const signInOpened = test.nextOpened();
    const login = test.core.session.login();
    await signInOpened;
    const answer = await send(back.href);
    expect(answer.status).toBeLessThan(400);
    await test.core.session.cancel();
    expect(await login).toMatchObject({ ok: false, error: { code: 'sign_in_cancelled' } });
  });
});

describe('one fixed callback port (the usual Auth0 set-up)', () => {
  it('Log Out without following the logout page, then Log In at once: the sign-in gets the port and completes', async () => {
    const port = await closedPort();
    const test = newCore(configFor(stack.devstack, { AUTH0_CALLBACK_PORTS: String(port) }));
    await test.core.restore();
    const first = await signIn(test, stack.browser, alice);
    expect(first.result.ok).toBe(true);
    await first.context.close();

    const logoutOpened = test.nextOpened();
    expect(await test.core.session.logout()).toMatchObject({ ok: true, providerLogout: 'opened' });
    // The logout page names our port as its way back; the user never opens it.
    expect(new URL(await logoutOpened).searchParams.get('post_logout_redirect_uri')).toBe(
      `http://127.0.0.1:${port}/logged-out`,
    );

    const second = await signIn(test, stack.browser, alice);
    expect(second.result).toMatchObject({ ok: true, session: { status: 'signed-in' } });
    expect(new URL(second.url).searchParams.get('redirect_uri')).toBe(
      `http://127.0.0.1:${port}/callback`,
    );
    await second.context.close();
    // The logout tab comes back now, to the port the sign-in took: told what happened (issue 22,
    // L6), not "Not found"; and it took nothing (still signed in).
    const lateLogout = await send(`http://127.0.0.1:${port}/logged-out`);
    expect(lateLogout.status).toBe(200);
    expect(lateLogout.body).toContain('The app started a new sign-in before this tab came back.');
    expect(test.core.view().status).toBe('signed-in');
  });

  it('the logout receiver stops waiting after a short time (then only answers late tabs, and yields the port to any new receiver)', async () => {
    const port = await closedPort();
    const test = newCore(configFor(stack.devstack, { AUTH0_CALLBACK_PORTS: String(port) }), {
      logoutTimeoutMs: 500,
    });
    await test.core.restore();
    const { context } = await signIn(test, stack.browser, alice);
    await context.close();
    const logoutOpened = test.nextOpened();
    await test.core.session.logout();
    await logoutOpened;
    await new Promise((resolve) => setTimeout(resolve, 800));
    // The provider sending the tab back now is told the wait is over: nothing is handed over any more.
    const late = await send(`http://127.0.0.1:${port}/logged-out`);
    expect(late.status).toBe(410);
    expect(late.body).toContain('You are logged out');
  });
});
