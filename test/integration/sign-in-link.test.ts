/**
 * "Copy sign-in link" (issue 19), the core against the real devstack with Chromium as the browser:
 * the pending sign-in's authorization URL goes to the clipboard (the platform's copyText, as
 * Electron's clipboard.writeText) and never into an answer or an event; opened in a fresh browser
 * context (another browser or profile, where the other account lives) it finishes the sign-in,
 * once. After the sign-in completed, was cancelled or timed out, copying is refused and the copied
 * link signs nobody in: the provider sends the browser back with that `state` to a receiver that
 * no longer takes it, and no code is exchanged.
 */
import type { BrowserContext } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { alice, bob } from '../support/accounts.ts';
import { configFor, signIn, type TestCore } from '../support/core-harness.ts';
import { useIntegrationStack } from '../support/integration-stack.ts';
import { profileOf } from '../support/session-view.ts';
import { signInWithBrowser } from '../support/system-browser.ts';

const stack = useIntegrationStack();
const contexts: BrowserContext[] = [];
afterEach(async () => {
  for (const context of contexts.splice(0)) await context.close();
});

const REFUSED = { ok: false, error: { code: 'invalid_request' } };

/** Code exchanges at the provider so far. */
const exchanges = () => stack.devstack.tokenRequests('authorization_code');

/** Starts a sign-in (Log In, or Add another account) and copies its link; returns both. */
async function copiedLink(test: TestCore, start: () => Promise<unknown>) {
  const opened = test.nextOpened();
  const pending = start();
  const url = await opened;
  const copied = test.clipboard.length;
  expect(await test.core.handle('auth:copy-sign-in-link', [])).toEqual({ ok: true });
  expect(test.clipboard).toHaveLength(copied + 1);
  const link = test.clipboard.at(-1)!;
  return { pending, url, link, state: new URL(link).searchParams.get('state')! };
}

/** Opens `link` in a fresh browser context and signs in there as `account`. */
async function finishElsewhere(link: string, account: { email: string; password: string }) {
  const browsing = await signInWithBrowser(stack.browser, link, {
    username: account.email,
    password: account.password,
  });
  contexts.push(browsing.context);
  return browsing;
}

describe('Copy sign-in link', () => {
  it('copies the pending authorization URL, which finishes the sign-in in a fresh browser context, once', async () => {
    const test = stack.newCore(configFor(stack.devstack));
    await test.core.restore();
    const { pending, url, link, state } = await copiedLink(test, () => test.core.session.login());
    // Exactly the page the app opened: same state, PKCE challenge and loopback redirect.
    expect(link).toBe(url);
    expect(state).toBeTruthy();
    // The renderer never gets it: not in the answer (checked above), not in any view.
    expect(JSON.stringify(test.core.view())).not.toContain(state);
    expect(JSON.stringify(test.events)).not.toContain(state);

    const before = exchanges();
    const browsing = await finishElsewhere(link, alice);
    expect(browsing.formShown).toBe(true);
    expect(await pending).toMatchObject({ ok: true, session: { status: 'signed-in' } });
    expect(profileOf(test.core.view())).toMatchObject({ email: alice.email });
    expect(exchanges()).toBe(before + 1);

    // Completed: there is no link any more, and the old one is spent.
    expect(await test.core.handle('auth:copy-sign-in-link', [])).toMatchObject(REFUSED);
    expect(test.clipboard).toEqual([link]);
    await finishElsewhere(link, bob);
    expect(exchanges()).toBe(before + 1);
    expect(profileOf(test.core.view())).toMatchObject({ email: alice.email });
    expect(test.core.session.accountList()).toHaveLength(1);
  });

  it('adds bob from his own browser profile: the copied link asks for the login there', async () => {
    const test = stack.newCore(configFor(stack.devstack));
    await test.core.restore();
    const first = await signIn(test, stack.browser, alice);
    contexts.push(first.context);
    const { pending, link } = await copiedLink(test, () => test.core.session.addAccount());
    expect(new URL(link).searchParams.get('prompt')).toBe('login');
    await finishElsewhere(link, bob);
    expect(await pending).toMatchObject({ ok: true, session: { status: 'signed-in' } });
    expect(test.core.session.accountList().map(({ name, active }) => [name, active])).toEqual([
      ['Alice Liddell', false],
      ['Bob Builder', true],
    ]);
  });

  it.each([
    {
      end: 'cancelled',
      options: {},
      stop: (test: TestCore) => test.core.session.cancel(),
      code: 'sign_in_cancelled',
      page: 'Sign-in cancelled',
    },
    {
      end: 'timed out',
      options: { signInTimeoutMs: 1_500 },
      stop: () => undefined,
      code: 'sign_in_timeout',
      page: 'Sign-in timed out',
    },
  ])(
    'a $end sign-in: copying is refused and its copied link signs nobody in',
    async ({ options, stop, code, page }) => {
      const test = stack.newCore(configFor(stack.devstack), options);
      await test.core.restore();
      const { pending, link } = await copiedLink(test, () => test.core.session.login());
      stop(test);
      expect(await pending).toMatchObject({ ok: false, error: { code } });
      expect(await test.core.handle('auth:copy-sign-in-link', [])).toMatchObject(REFUSED);

      const before = exchanges();
      const browsing = await finishElsewhere(link, alice);
      // The provider sends the browser back with the dead state; the app says why and takes nothing.
      await browsing.page.getByRole('heading', { name: page }).waitFor();
      expect(exchanges()).toBe(before);
      expect(test.core.view()).toMatchObject({ status: 'signed-out', error: { code } });
      expect(await test.storedAccounts()).toBeUndefined();
    },
  );
});
