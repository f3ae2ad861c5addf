/**
 * A hostile identity provider against the real core: every forged answer is refused, nobody is signed
 * in, nothing is written to the vault, and the session view carries a clear error. The provider is
 * test/support/hostile-provider.ts, on 127.0.0.1; the test follows its redirects in place of the
 * browser. A control case (an honest answer from the same provider) signs in, so the refusals are
 * the checks at work and not a broken harness.
 */
import { generateKeyPairSync } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { SessionOptions } from '../../src-main/core/session.ts';
import { send } from '../support/http.ts';
import { useHostileProvider } from '../support/integration-stack.ts';
import {
  type HostileProvider,
  type Scenario,
  type TokenContext,
} from '../support/hostile-provider.ts';
import { profileOf } from '../support/session-view.ts';

const hostile = useHostileProvider();
const tally = { run: 0, refused: 0 };

afterAll(() => {
  console.info(`forged provider: ${tally.run} attack cases run, ${tally.refused} refused`);
});

/** One sign-in through the real core, with the hostile provider answering per `scenario`. */
async function signInAgainst(scenario: Scenario, options: SessionOptions = {}) {
  hostile.provider.use(scenario);
  const test = hostile.newCore({}, options);
  await test.core.restore();
  const opened = test.nextOpened();
  const result = test.core.session.login();
  const callback = await hostile.provider.authorize(await opened);
  // No Origin or fetch metadata: as the browser's top-level redirect arrives.
  expect((await send(callback)).status).toBe(303);
  return { test, result: await result };
}

const otherKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;

type Case = [name: string, scenario: Scenario, reason: RegExp];

const idToken = (make: (context: TokenContext, p: HostileProvider) => string): Scenario => ({
  tokenResponse: (context, p) => p.validTokenResponse(context, make(context, p)),
});

const cases: Case[] = [
  [
    'an ID token with a bad signature (another key, the published kid)',
    idToken((c, p) => p.signRs256(p.claims(c), { key: otherKey })),
    /signature/i,
  ],
  [
    'an ID token with its signature stripped',
    idToken((c, p) => `${p.signRs256(p.claims(c)).split('.').slice(0, 2).join('.')}.`),
    /signature|JWS|JWT/i,
  ],
  [
    'an ID token with a tampered payload (sub changed after signing)',
    idToken((c, p) => {
      const [header, , signature] = p.signRs256(p.claims(c)).split('.');
      return `${header}.${Buffer.from(JSON.stringify(p.claims(c, { sub: 'admin' }))).toString('base64url')}.${signature}`;
    }),
    /signature/i,
  ],
  [
    'an unsecured ID token (alg: none)',
    idToken((c, p) => p.signNone(p.claims(c))),
    /alg|signature|JWS|unsupported/i,
  ],
  [
    'an ID token HMAC-signed with the public key (HS256 alg confusion)',
    idToken((c, p) => p.signHs256WithPublicKey(p.claims(c))),
    /alg|HS256|unsupported/i,
  ],
  [
    'an ID token whose kid is not in the JWKS',
    idToken((c, p) => p.signRs256(p.claims(c), { key: otherKey, kid: 'not-published' })),
    /key|kid|JWKS|signature/i,
  ],
  [
    'an ID token for another audience',
    idToken((c, p) => p.signRs256(p.claims(c, { aud: 'someone-else' }))),
    /aud/i,
  ],
  [
    'an ID token for several audiences without azp',
    idToken((c, p) => p.signRs256(p.claims(c, { aud: [c.clientId, 'someone-else'] }))),
    /azp|aud/i,
  ],
  [
    'an ID token from another issuer',
    idToken((c, p) => p.signRs256(p.claims(c, { iss: 'https://evil.example' }))),
    /iss/i,
  ],
  [
    'an ID token with a wrong nonce',
    idToken((c, p) => p.signRs256(p.claims(c, { nonce: 'replayed-nonce' }))),
    /nonce/i,
  ],
  [
    'an ID token without a nonce',
    idToken((c, p) => p.signRs256(p.claims(c, { nonce: undefined }))),
    /nonce/i,
  ],
  [
    'an expired ID token',
    idToken((c, p) =>
      p.signRs256(
        p.claims(c, {
          exp: Math.floor(Date.now() / 1000) - 3600,
          iat: Math.floor(Date.now() / 1000) - 7200,
        }),
      ),
    ),
    /exp|expired/i,
  ],
  [
    'an ID token without a subject',
    idToken((c, p) => p.signRs256(p.claims(c, { sub: undefined }))),
    /sub/i,
  ],
  [
    'a token response without an ID token',
    { tokenResponse: (c, p) => p.validTokenResponse(c, null) },
    /id_token|ID token/i,
  ],
  [
    'a token response without a token_type',
    { tokenResponse: (c, p) => ({ ...p.validTokenResponse(c), token_type: undefined }) },
    /token_type/i,
  ],
  [
    "an authorization response with another provider's iss (mix-up)",
    { responseIss: 'https://honest-provider.example' },
    /iss/i,
  ],
  [
    'an authorization response without the iss it promised (RFC 9207)',
    { responseIss: null },
    /iss/i,
  ],
];

describe('a forged identity provider', () => {
  it('control: an honest answer from the same provider signs in (the refusals below are real checks)', async () => {
    const { test, result } = await signInAgainst({});
    expect(result).toMatchObject({
      ok: true,
      session: { status: 'signed-in', profile: { sub: 'mallory' } },
    });
    expect(await test.storedTokens()).toBeDefined();
  });

  it.each(cases)(
    'refuses %s: no session, nothing stored, a clear error',
    async (_name, scenario, reason) => {
      tally.run++;
      const tokenRequestsBefore = hostile.provider.tokenRequests;
      const { test, result } = await signInAgainst(scenario);
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(['callback_invalid', 'provider_error']).toContain(result.error.code);
      expect(result.error.message).toMatch(reason);
      expect(result.error.message.length).toBeGreaterThan(20);
      expect(test.core.view()).toMatchObject({
        status: 'signed-out',
        error: { code: result.error.code },
      });
      expect(profileOf(test.core.view())).toBeUndefined();
      // Nothing written at all: no vault record, no key file.
      expect(readdirSync(test.dir)).toEqual([]);
      expect(await test.core.messages.get('protected')).toMatchObject({
        ok: false,
        error: { code: 'not_signed_in' },
      });
      // A mix-up is caught on the authorization response, before the code is sent anywhere.
      if (scenario.responseIss !== undefined)
        expect(hostile.provider.tokenRequests).toBe(tokenRequestsBefore);
      tally.refused++;
    },
  );
});

/** A refresh answered with an ID token built by `make` (claims of the sign-in's, minus the nonce). */
const refreshedIdToken = (
  make: (context: TokenContext, p: HostileProvider) => string,
): Scenario => ({
  refreshResponse: (context, p) => p.validTokenResponse(context, make(context, p)),
});
const sameUser = (c: TokenContext, p: HostileProvider, overrides: Record<string, unknown> = {}) =>
  p.claims(c, { nonce: undefined, ...overrides });

const refreshCases: Array<[name: string, scenario: Scenario]> = [
  [
    'another subject (sub) for the same issuer and client',
    refreshedIdToken((c, p) =>
      p.signRs256(sameUser(c, p, { sub: 'admin', name: 'Admin', email: 'admin@evil.example' })),
    ),
  ],
  [
    'an extra audience (aud) with azp set, which openid-client accepts',
    refreshedIdToken((c, p) =>
      p.signRs256(sameUser(c, p, { aud: [c.clientId, 'someone-else'], azp: c.clientId })),
    ),
  ],
  [
    'another issuer (iss)',
    refreshedIdToken((c, p) => p.signRs256(sameUser(c, p, { iss: 'https://evil.example' }))),
  ],
];

describe('a forged identity provider at refresh (OpenID Connect Core §12.2: same iss, sub, aud)', () => {
  // Every access token counts as expiring: the next token request refreshes.
  const refreshing: SessionOptions = { clockSkewSeconds: 24 * 3600 };

  it('control: a refresh naming the same user keeps the session, with the new tokens', async () => {
    const { test, result } = await signInAgainst({}, refreshing);
    expect(result.ok).toBe(true);
    const before = (await test.storedTokens())!;
    const requests = hostile.provider.tokenRequests;
    const accessToken = await test.core.session.accessToken();
    expect(hostile.provider.tokenRequests).toBe(requests + 1);
    expect(accessToken).not.toBe(before.accessToken);
    expect(test.core.view()).toMatchObject({ status: 'signed-in', profile: { sub: 'mallory' } });
    expect((await test.storedTokens())!.accessToken).toBe(accessToken);
  });

  it.each(refreshCases)(
    'signs the user out when the refreshed ID token names %s',
    async (_name, scenario) => {
      tally.run++;
      const { test, result } = await signInAgainst(scenario, refreshing);
      expect(result).toMatchObject({ ok: true, session: { profile: { sub: 'mallory' } } });
      const requests = hostile.provider.tokenRequests;
      await expect(test.core.session.accessToken()).rejects.toMatchObject({
        code: 'session_expired',
      });
      expect(hostile.provider.tokenRequests).toBe(requests + 1);
      expect(test.core.view()).toMatchObject({
        status: 'signed-out',
        error: {
          code: 'session_expired',
          message: expect.stringMatching(/another user or application.*signed out/),
        },
      });
      expect(profileOf(test.core.view())).toBeUndefined();
      expect(await test.storedTokens()).toBeUndefined();
      expect(await test.core.messages.get('protected')).toMatchObject({
        ok: false,
        error: { code: 'not_signed_in' },
      });
      tally.refused++;
    },
  );

  it('refused every case', () => {
    expect(tally).toEqual({
      run: cases.length + refreshCases.length,
      refused: cases.length + refreshCases.length,
    });
  });
});
