/**
 * The moves between the ways of one sign-in (sign-in-ways.ts), without a provider or a browser:
 * the receivers, the authorization request and the code polling are stand-ins the test drives, and
 * each test checks what the person would see (the ways shown, in order) and what the browser tab
 * or the provider would notice (a receiver left open, a page opened, a tab told the outcome).
 */
import { describe, expect, it, vi } from 'vitest';
import type { OtherSignInWay, SignInCodeView } from '../../src-preload/contract.ts';
import type { SignInCode } from '../../src-main/core/device-code.ts';
import { CoreError } from '../../src-main/core/errors.ts';
import type { Outcome } from '../../src-main/core/loopback.ts';
import { otherWays, type RedirectWay, type WayState } from '../../src-main/core/session-state.ts';
import {
  runWays,
  switchWay,
  type RedirectReceiver,
  type SignInAttempt,
  type WayDeps,
} from '../../src-main/core/sign-in-ways.ts';
import type { TokenSet } from '../../src-main/core/vault.ts';

const TOKENS: TokenSet = {
  accessToken: 'access',
  accessTokenExpiresAt: Date.now() + 3600_000,
  idToken: 'id',
  claims: { sub: 'alice' },
};

interface FakeReceiver extends RedirectReceiver {
  way: RedirectWay;
  expected?: string;
  outcomes: Outcome[];
  released: boolean;
  arrive(url: string): void;
}

function fakeReceiver(way: RedirectWay, signal: AbortSignal): FakeReceiver {
  let deliver!: (url: URL) => void;
  const arrival = new Promise<URL>((resolve, reject) => {
    deliver = resolve;
    signal.addEventListener('abort', () => reject(cancelledError()), { once: true });
  });
  arrival.catch(() => {});
  const receiver: FakeReceiver = {
    way,
    redirectUri: way === 'browser' ? 'http://127.0.0.1:3000/callback' : 'app:/callback',
    arrival,
    outcomes: [],
    released: false,
    expectState(state) {
      receiver.expected = state;
    },
    finish(outcome) {
      receiver.outcomes.push(outcome);
    },
    release() {
      receiver.released = true;
    },
    arrive: (url) => deliver(new URL(url)),
  };
  return receiver;
}

function cancelledError(): CoreError {
  return new CoreError('sign_in_cancelled', 'Sign-in was cancelled.');
}

function codeNumber(n: number): SignInCode {
  const view: SignInCodeView = {
    userCode: `CODE-${n}`,
    verificationUri: 'http://127.0.0.1:4000/device',
    expiresAt: 1_900_000_000_000,
    expired: false,
  };
  return {
    view,
    pageToOpen: `http://127.0.0.1:4000/device?user_code=CODE-${n}`,
    authorization: { expires_in: 600, interval: 5 } as SignInCode['authorization'],
  };
}

/** A sign-in with stand-ins the test drives; `shown` is what the person saw, in order. */
function harness(
  options: { portsBusy?: boolean; appLink?: boolean; ways?: OtherSignInWay[] } = {},
) {
  const shown: WayState[] = [];
  const receivers: FakeReceiver[] = [];
  const opened: string[] = [];
  const polls: Array<{ code: SignInCode; approve(): void; expire(): void }> = [];
  let codes = 0;
  const deps: WayDeps = {
    log: { info() {}, warn() {}, error() {} },
    timeoutMs: 60_000,
    receiver: async (way, signal) => {
      if (way === 'browser' && options.portsBusy)
        throw new CoreError('ports_busy', 'Every callback port is taken.');
      const receiver = fakeReceiver(way, signal);
      receivers.push(receiver);
      return receiver;
    },
    authorize: async (redirectUri) => ({
      url: `http://127.0.0.1:4000/auth?redirect_uri=${encodeURIComponent(redirectUri)}`,
      expectedState: `state-for-${redirectUri}`,
      forcedLogin: false,
      exchange: async (callbackUrl) => {
        if (callbackUrl.searchParams.get('code') !== 'good')
          throw new CoreError('callback_invalid', 'The sign-in service refused the code.');
        return TOKENS;
      },
    }),
    openSignInPage: async (url) => {
      opened.push(url);
    },
    requestCode: async () => codeNumber(++codes),
    pollCode: (code, signal) =>
      new Promise<TokenSet>((resolve, reject) => {
        signal.addEventListener('abort', () => reject(cancelledError()), { once: true });
        polls.push({
          code,
          approve: () => resolve(TOKENS),
          expire: () => reject(new CoreError('code_expired', 'The code expired.')),
        });
      }),
    show: (way) => shown.push(way),
    otherWays: (way) => options.ways ?? otherWays(way, options.appLink === true, false),
  };
  const attempt: SignInAttempt = {
    flow: 'login',
    abort: new AbortController(),
    result: new Promise(() => {}),
    way: 'browser',
  };
  const run = runWays(attempt, deps);
  run.catch(() => {});
  return { attempt, run, shown, receivers, opened, polls, deps };
}

const shownWays = (shown: WayState[]) => shown.map((way) => way.way);

/** The browser way, then a code the person asked for, which expired. */
async function codeExpired(): Promise<ReturnType<typeof harness>> {
  const test = harness();
  await vi.waitFor(() => expect(test.opened).toHaveLength(1));
  switchWay(test.attempt, 'code');
  await vi.waitFor(() => expect(test.polls).toHaveLength(1));
  test.polls[0]!.expire();
  await vi.waitFor(() => expect(test.shown.at(-1)).toMatchObject({ code: { expired: true } }));
  return test;
}

describe('the ways of one sign-in', () => {
  it('the browser way: one request per receiver, its page opened, the state expected, the tokens back', async () => {
    const test = harness();
    await vi.waitFor(() => expect(test.opened).toHaveLength(1));
    const [receiver] = test.receivers;
    expect(receiver!.expected).toBe('state-for-http://127.0.0.1:3000/callback');
    expect(test.shown.at(-1)).toMatchObject({ way: 'browser', url: test.opened[0] });
    expect((test.shown.at(-1) as { expiresAt: number }).expiresAt).toBeGreaterThan(Date.now());
    receiver!.arrive('http://127.0.0.1:3000/callback?code=good&state=s');
    const arrived = await test.run;
    expect(arrived.tokens).toBe(TOKENS);
    expect(receiver!.released).toBe(true);
    // The tab hears the outcome only once the session knows it (after the save).
    expect(receiver!.outcomes).toEqual([]);
    arrived.finish({ ok: true, message: 'signed in' });
    expect(receiver!.outcomes).toEqual([{ ok: true, message: 'signed in' }]);
  });

  it('a refused code tells the tab why and ends the sign-in with that error', async () => {
    const test = harness();
    await vi.waitFor(() => expect(test.opened).toHaveLength(1));
    test.receivers[0]!.arrive('http://127.0.0.1:3000/callback?code=forged&state=s');
    await expect(test.run).rejects.toMatchObject({ code: 'callback_invalid' });
    expect(test.receivers[0]!.outcomes).toEqual([
      {
        ok: false,
        message:
          'The sign-in service refused the code. You can close this tab and return to the app.',
      },
    ]);
    expect(test.receivers[0]!.released).toBe(true);
  });

  it('no callback port: says why and offers the other ways at once; the code chosen signs in', async () => {
    const test = harness({ portsBusy: true, appLink: true });
    await vi.waitFor(() => expect(shownWays(test.shown)).toContain('choose'));
    expect(test.shown.at(-1)).toEqual({
      way: 'choose',
      notice: { code: 'ports_busy', message: 'Every callback port is taken.' },
    });
    expect(test.opened).toEqual([]);
    switchWay(test.attempt, 'code');
    await vi.waitFor(() => expect(test.polls).toHaveLength(1));
    expect(test.shown.at(-1)).toEqual({
      way: 'code',
      code: codeNumber(1).view,
      page: codeNumber(1).pageToOpen,
    });
    test.polls[0]!.approve();
    expect((await test.run).tokens).toBe(TOKENS);
    expect(shownWays(test.shown)).toEqual(['browser', 'choose', 'code', 'code']);
  });

  it('no callback port and no other way: the sign-in fails with the port error', async () => {
    const test = harness({ portsBusy: true, ways: [] });
    await expect(test.run).rejects.toMatchObject({ code: 'ports_busy' });
    expect(shownWays(test.shown)).toEqual(['browser']);
  });

  it('switching from the browser to the app link: the loopback stops and its tab hears why', async () => {
    const test = harness({ appLink: true });
    await vi.waitFor(() => expect(test.opened).toHaveLength(1));
    switchWay(test.attempt, 'app-link');
    await vi.waitFor(() => expect(test.opened).toHaveLength(2));
    const [loopback, appLink] = test.receivers;
    expect(loopback!.released).toBe(true);
    expect(loopback!.outcomes.map((o) => o.ok)).toEqual([false]);
    expect(appLink!.way).toBe('app-link');
    expect(test.opened[1]).toContain(encodeURIComponent('app:/callback'));
    // The new way shows its own page, nothing of the old one.
    expect(test.shown.at(-2)).toEqual({ way: 'app-link' });
    appLink!.arrive('app:/callback?code=good&state=s');
    expect((await test.run).tokens).toBe(TOKENS);
    expect(test.attempt.way).toBe('app-link');
  });

  it('a code that expires stays on screen marked expired, without its page; a new one replaces it', async () => {
    const test = await codeExpired();
    expect(test.shown.at(-1)).toEqual({
      way: 'code',
      code: { ...codeNumber(1).view, expired: true },
    });
    switchWay(test.attempt, 'code');
    await vi.waitFor(() => expect(test.polls).toHaveLength(2));
    // Asked for a new code: the expired one stays until the new one arrives.
    expect(test.shown.at(-2)).toEqual({
      way: 'code',
      code: { ...codeNumber(1).view, expired: true },
    });
    expect(test.shown.at(-1)).toMatchObject({ way: 'code', code: { userCode: 'CODE-2' } });
    test.polls[1]!.approve();
    expect((await test.run).tokens).toBe(TOKENS);
  });

  it('Cancel while waiting ends the sign-in as cancelled and stops the way', async () => {
    const test = harness();
    await vi.waitFor(() => expect(test.opened).toHaveLength(1));
    test.attempt.abort.abort();
    await expect(test.run).rejects.toMatchObject({ code: 'sign_in_cancelled' });
    expect(test.receivers[0]!.released).toBe(true);
    expect(test.receivers[0]!.outcomes.map((o) => o.ok)).toEqual([false]);
  });

  it('Cancel while a code waits for a choice after it expired ends the sign-in', async () => {
    const test = await codeExpired();
    test.attempt.abort.abort();
    await expect(test.run).rejects.toMatchObject({ code: 'sign_in_cancelled' });
  });

  it('another way picked before the sign-in page opened: that page is never opened', async () => {
    const test = harness();
    switchWay(test.attempt, 'code');
    await vi.waitFor(() => expect(test.polls).toHaveLength(1));
    expect(test.opened).toEqual([]);
    expect(test.receivers[0]!.released).toBe(true);
    expect(shownWays(test.shown)).toEqual(['browser', 'code', 'code']);
  });
});
