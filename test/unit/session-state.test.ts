/**
 * The session's view is a pure function of its state: what the renderer sees for each state, as a
 * table (state → view), and which ways "Try another way" offers.
 */
import { describe, expect, it } from 'vitest';
import type { AppError, SessionView } from '../../src-preload/contract.ts';
import {
  otherWays,
  tokensOf,
  viewOf,
  type SessionState,
  type ViewFacts,
} from '../../src-main/core/session-state.ts';
import type { TokenSet } from '../../src-main/core/vault.ts';
import { isSessionView } from '../../src-preload/contract.ts';

const tokens: TokenSet = {
  accessToken: 'ACCESS-TOKEN-SECRET',
  accessTokenExpiresAt: Date.now() + 3600_000,
  refreshToken: 'REFRESH-TOKEN-SECRET',
  idToken: 'ID-TOKEN-SECRET',
  claims: { sub: 'alice', name: 'Alice', nonce: 'n-1', at_hash: 'ah', c_hash: 'ch', sid: 's-1' },
};
const busy: AppError = { code: 'ports_busy', message: 'Every callback port is taken.' };
const failed: AppError = { code: 'sign_in_cancelled', message: 'Sign-in was cancelled.' };
const code = {
  userCode: 'BCDF-GHJK',
  verificationUri: 'http://127.0.0.1:4000/device',
  expiresAt: 1_900_000_000_000,
  expired: false,
};

const plain: ViewFacts = {
  persistence: 'encrypted',
  providerSessionNotEnded: false,
  appLink: { registered: false },
  accounts: [],
};
const alicesAccount = [{ sub: 'alice', name: 'Alice', active: true }];
const withAppLink: ViewFacts = { ...plain, appLink: { registered: true } };
const appLinkMissing: ViewFacts = {
  ...plain,
  appLink: { registered: false, missing: 'The OS opens this scheme with another app.' },
};
const notEnded: ViewFacts = { ...plain, providerSessionNotEnded: true };

const table: Array<{ label: string; state: SessionState; facts?: ViewFacts; view: SessionView }> = [
  {
    label: 'restoring: the status only',
    state: { status: 'restoring', tokens },
    view: { status: 'restoring', persistence: 'encrypted' },
  },
  {
    label: 'signed out with the reason',
    state: { status: 'signed-out', error: failed },
    facts: { ...plain, persistence: 'memory' },
    view: { status: 'signed-out', persistence: 'memory', error: failed },
  },
  {
    label: 'signed out after a Log Out that could not reach the provider',
    state: { status: 'signed-out' },
    facts: notEnded,
    view: { status: 'signed-out', persistence: 'encrypted', providerSession: 'not-ended' },
  },
  {
    label: 'the provider session is said only while signed out',
    state: { status: 'signed-in', tokens },
    facts: { ...notEnded, accounts: alicesAccount },
    view: {
      status: 'signed-in',
      persistence: 'encrypted',
      profile: { sub: 'alice', name: 'Alice' },
      accounts: [{ sub: 'alice', name: 'Alice', active: true }],
    },
  },
  {
    label: 'signing in by browser, before the page is built: the code way offered',
    state: { status: 'signing-in', flow: 'login', way: { way: 'browser' } },
    view: {
      status: 'signing-in',
      persistence: 'encrypted',
      flow: 'login',
      signIn: { way: 'browser', otherWays: ['code'] },
    },
  },
  {
    label: 'signing up by browser with the page open: when the app stops waiting',
    state: {
      status: 'signing-in',
      flow: 'signup',
      way: { way: 'browser', url: 'http://127.0.0.1:4000/auth?x', expiresAt: 1_800_000 },
    },
    facts: withAppLink,
    view: {
      status: 'signing-in',
      persistence: 'encrypted',
      flow: 'signup',
      expiresAt: 1_800_000,
      signIn: { way: 'browser', otherWays: ['app-link', 'code'] },
    },
  },
  {
    label: 'by app link: the app link is not offered again',
    state: { status: 'signing-in', flow: 'login', way: { way: 'app-link', expiresAt: 5 } },
    facts: withAppLink,
    view: {
      status: 'signing-in',
      persistence: 'encrypted',
      flow: 'login',
      expiresAt: 5,
      signIn: { way: 'app-link', otherWays: ['code'] },
    },
  },
  {
    label: 'why the app link is not offered',
    state: { status: 'signing-in', flow: 'login', way: { way: 'browser' } },
    facts: appLinkMissing,
    view: {
      status: 'signing-in',
      persistence: 'encrypted',
      flow: 'login',
      signIn: {
        way: 'browser',
        otherWays: ['code'],
        appLinkMissing: 'The OS opens this scheme with another app.',
      },
    },
  },
  {
    label: 'by code, waiting for the code: nothing to show yet, code not offered',
    state: { status: 'signing-in', flow: 'login', way: { way: 'code' } },
    view: {
      status: 'signing-in',
      persistence: 'encrypted',
      flow: 'login',
      signIn: { way: 'code', otherWays: [] },
    },
  },
  {
    label: 'by code: the code shown, never its page (which carries the code for the browser)',
    state: {
      status: 'signing-in',
      flow: 'login',
      way: { way: 'code', code, page: 'http://127.0.0.1:4000/device?user_code=BCDF-GHJK' },
    },
    facts: withAppLink,
    view: {
      status: 'signing-in',
      persistence: 'encrypted',
      flow: 'login',
      signIn: { way: 'code', otherWays: ['app-link'], code },
    },
  },
  {
    label: 'no way yet: the notice, and the ways to choose',
    state: { status: 'signing-in', flow: 'login', way: { way: 'choose', notice: busy } },
    facts: withAppLink,
    view: {
      status: 'signing-in',
      persistence: 'encrypted',
      flow: 'login',
      signIn: { way: 'choose', otherWays: ['app-link', 'code'], notice: busy },
    },
  },
  {
    label: 'adding an account: the accounts already signed in, the active one marked',
    state: { status: 'signing-in', flow: 'login', way: { way: 'browser' } },
    facts: { ...plain, accounts: alicesAccount },
    view: {
      status: 'signing-in',
      persistence: 'encrypted',
      flow: 'login',
      signIn: { way: 'browser', otherWays: ['code'] },
      accounts: alicesAccount,
    },
  },
  {
    label: 'a failed save while signing in is said with the state',
    state: { status: 'signing-in', flow: 'login', way: { way: 'browser' }, error: busy },
    facts: { ...plain, persistence: 'memory' },
    view: {
      status: 'signing-in',
      persistence: 'memory',
      flow: 'login',
      signIn: { way: 'browser', otherWays: ['code'] },
      error: busy,
    },
  },
];

describe('the session view, a pure function of the state', () => {
  it.each(table)('$label', ({ state, facts, view }) => {
    expect(viewOf(state, facts ?? plain)).toStrictEqual(view);
  });

  it('never carries a token: the signed-in view has the claims only', () => {
    const text = JSON.stringify(
      viewOf({ status: 'signed-in', tokens }, { ...plain, accounts: alicesAccount }),
    );
    for (const secret of [tokens.accessToken, tokens.refreshToken!, tokens.idToken, 'n-1', 's-1'])
      expect(text).not.toContain(secret);
  });

  it('copies the code: a view the renderer changes does not change the state', () => {
    const state: SessionState = { status: 'signing-in', flow: 'login', way: { way: 'code', code } };
    const changed = viewOf(state, plain);
    if (changed.status !== 'signing-in') throw new Error('expected a signing-in view');
    changed.signIn.code!.expired = true;
    expect(viewOf(state, plain)).toMatchObject({ signIn: { code: { expired: false } } });
  });
});

describe('the view on the wire: one shape per status', () => {
  // The preview's bridge takes a view from the event stream only in the union's shape: the renderer
  // reads `profile` when signed in and `signIn` while signing in without probing.
  it.each(table)('the bridge accepts the view of "$label"', ({ state, facts, view }) => {
    expect(isSessionView(viewOf(state, facts ?? plain))).toBe(true);
    expect(isSessionView(JSON.parse(JSON.stringify(view)))).toBe(true);
  });

  it.each([
    { label: 'no status', value: { persistence: 'encrypted' } },
    { label: 'an unknown status', value: { status: 'signed-up', persistence: 'encrypted' } },
    { label: 'signed in without a profile', value: { status: 'signed-in', persistence: 'memory' } },
    {
      label: 'signing in without the way',
      value: { status: 'signing-in', flow: 'login', persistence: 'memory' },
    },
    {
      label: 'signing in with an unknown flow',
      value: { status: 'signing-in', flow: 'x', signIn: {}, persistence: 'memory' },
    },
    { label: 'no persistence', value: { status: 'signed-out' } },
    { label: 'not an object', value: 'signed-in' },
  ])('the bridge refuses $label', ({ value }) => {
    expect(isSessionView(value)).toBe(false);
  });
});

describe('the ways to switch to', () => {
  it.each([
    { current: 'browser', registered: false, forSwitch: false, ways: ['code'] },
    { current: 'browser', registered: true, forSwitch: false, ways: ['app-link', 'code'] },
    { current: 'app-link', registered: true, forSwitch: false, ways: ['code'] },
    { current: 'code', registered: true, forSwitch: false, ways: ['app-link'] },
    { current: 'code', registered: false, forSwitch: false, ways: [] },
    { current: 'code', registered: true, forSwitch: true, ways: ['app-link', 'code'] },
    { current: 'app-link', registered: false, forSwitch: true, ways: ['code'] },
    { current: 'choose', registered: true, forSwitch: false, ways: ['app-link', 'code'] },
  ] as const)(
    'from $current (app link registered: $registered, for a switch: $forSwitch): $ways',
    ({ current, registered, forSwitch, ways }) => {
      expect(otherWays(current, registered, forSwitch)).toEqual(ways);
    },
  );

  it('the tokens are held while restoring and signed in, not otherwise', () => {
    expect(tokensOf({ status: 'restoring', tokens })).toBe(tokens);
    expect(tokensOf({ status: 'signed-in', tokens })).toBe(tokens);
    expect(tokensOf({ status: 'signed-out' })).toBeUndefined();
    expect(tokensOf({ status: 'signing-in', flow: 'login', way: { way: 'browser' } })).toBe(
      undefined,
    );
  });
});
