/**
 * What a second provider, one nobody here wrote, does differently (issue 16, found against Glewlwyd):
 * it names the API with RFC 8707's `resource` instead of Auth0's `audience`, and it refuses to revoke
 * tokens for a public client. The hostile test provider plays it, on 127.0.0.1 (the test follows its
 * redirects in place of the browser); the devstack, with Chromium as the browser, shows that the access
 * token's `aud` is the API's whichever way it is named.
 */
import { describe, expect, it } from 'vitest';
import { CHECK_NAMES, checkConnection } from '../../src-main/core/connection-check.ts';
import { RESOURCE_PARAMETERS } from '../../src-preload/contract.ts';
import { alice } from '../support/accounts.ts';
import { configFor, signIn, type TestCore } from '../support/core-harness.ts';
import { send } from '../support/http.ts';
import { type Scenario } from '../support/hostile-provider.ts';
import { useHostileProvider, useIntegrationStack } from '../support/integration-stack.ts';
import { envTransport } from '../support/transport.ts';

const stack = useIntegrationStack({ devstack: { deviceCodeInterval: 1 } });
const hostile = useHostileProvider();

const API = 'https://api.example';

/** A core signed in at the hostile provider, which answers per `scenario` from now on. */
async function signedInAgainst(
  scenario: Scenario,
  settings: Record<string, string> = {},
  options: { clockSkewSeconds?: number } = {},
): Promise<TestCore> {
  hostile.provider.use(scenario);
  const test = hostile.newCore(settings, options);
  await test.core.restore();
  const opened = test.nextOpened();
  const result = test.core.session.login();
  const authorizationUrl = await opened;
  authorizations.push(new URL(authorizationUrl).searchParams);
  expect((await send(await hostile.provider.authorize(authorizationUrl))).status).toBe(303);
  expect(await result).toMatchObject({ ok: true, session: { status: 'signed-in' } });
  return test;
}
const authorizations: URLSearchParams[] = [];

/** The claims of a JWT access token (the devstack's), unverified: what the API will check. */
function claimsOf(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()) as Record<
    string,
    unknown
  >;
}

/** What the app must send for each choice of AUTH0_RESOURCE_PARAMETER. */
const EXPECTED = {
  audience: { audience: API, resource: null },
  resource: { audience: null, resource: API },
  both: { audience: API, resource: API },
} as const;

describe('the API named as `audience`, `resource` (RFC 8707) or both: AUTH0_RESOURCE_PARAMETER', () => {
  it.each(RESOURCE_PARAMETERS)(
    '%s: the authorization, code exchange, refresh and sign-in code requests carry exactly that',
    async (choice) => {
      const test = await signedInAgainst(
        {},
        { AUTH0_RESOURCE_PARAMETER: choice },
        { clockSkewSeconds: 7200 },
      );
      // Every access token now expires "soon": asking for one refreshes.
      await test.core.session.accessToken();
      const sent = {
        authorization: authorizations.at(-1)!,
        'code exchange': hostile.provider.tokenForms.find(
          (form) => form.get('grant_type') === 'authorization_code',
        )!,
        refresh: hostile.provider.tokenForms.find(
          (form) => form.get('grant_type') === 'refresh_token',
        )!,
      };
      await test.core.session.logout();
      // Sign in with a code: the device authorization request and each poll.
      hostile.provider.use({
        deviceAnswers: [{ status: 400, body: { error: 'authorization_pending' } }],
      });
      const opened = test.nextOpened();
      const login = test.core.session.login();
      await opened;
      expect(test.core.session.useWay('code').ok).toBe(true);
      expect(await login).toMatchObject({ ok: true });
      Object.assign(sent, {
        'device authorization': hostile.provider.deviceAuthorizations[0]!,
        'device code poll': hostile.provider.tokenForms.at(-1)!,
      });
      for (const [request, form] of Object.entries(sent)) {
        expect(form, request).toBeDefined();
        expect(
          { audience: form.get('audience'), resource: form.get('resource') },
          `${choice}: ${request}`,
        ).toEqual(EXPECTED[choice]);
      }
    },
    20_000,
  );

  it.each(RESOURCE_PARAMETERS)(
    'the devstack takes %s: the access token names the API in aud, the API answers, a refresh keeps it',
    async (choice) => {
      const test = stack.newCore(configFor(stack.devstack, { AUTH0_RESOURCE_PARAMETER: choice }), {
        clockSkewSeconds: 7200,
      });
      await test.core.restore();
      const { result, url, context } = await signIn(test, stack.browser, alice);
      await context.close();
      expect(result).toMatchObject({ ok: true });
      expect(new URL(url).searchParams.get('resource')).toBe(
        choice === 'audience' ? null : stack.devstack.audience,
      );
      const first = (await test.storedTokens())!;
      expect(claimsOf(first.accessToken)).toMatchObject({ aud: stack.devstack.audience });
      // The API checks aud: the admin message needs the token to be for it.
      expect(await test.core.messages.get('admin')).toMatchObject({ ok: true });
      const refreshed = (await test.storedTokens())!;
      expect(refreshed.refreshToken).not.toBe(first.refreshToken);
      expect(claimsOf(refreshed.accessToken)).toMatchObject({ aud: stack.devstack.audience });
      await test.core.session.logout();
    },
    30_000,
  );
});

describe('a provider that refuses to revoke tokens for a public client (RFC 7009 §2.1)', () => {
  it.each([
    [
      '401 invalid_client (JSON)',
      {
        status: 401,
        body: { error: 'invalid_client', error_description: 'client authentication required' },
      },
    ],
    [
      '401 with a Basic challenge and no body',
      { status: 401, headers: { 'WWW-Authenticate': 'Basic realm="x"' } },
    ],
    ['400 invalid_client', { status: 400, body: { error: 'invalid_client' } }],
  ])(
    '%s: Log Out signs out of the app and says the refresh token stays valid there',
    async (_name, revocation) => {
      const test = await signedInAgainst({ revocation });
      const refreshToken = (await test.storedTokens())!.refreshToken!;
      const result = await test.core.session.logout();
      expect(result).toMatchObject({
        ok: true,
        providerLogout: 'none',
        revocation: 'refused',
        session: { status: 'signed-out' },
      });
      // It was asked, for the refresh token, as a public client (no secret).
      expect(hostile.provider.revocations).toHaveLength(1);
      expect(hostile.provider.revocations[0]!.get('token')).toBe(refreshToken);
      expect(hostile.provider.revocations[0]!.get('token_type_hint')).toBe('refresh_token');
      expect(hostile.provider.revocations[0]!.has('client_secret')).toBe(false);
      expect(await test.storedTokens()).toBeUndefined();
    },
  );

  it('a provider that revokes: Log Out claims nothing more (control)', async () => {
    const test = await signedInAgainst({});
    const result = await test.core.session.logout();
    expect(result).toMatchObject({ ok: true, providerLogout: 'none' });
    expect(result).not.toHaveProperty('revocation');
    expect(hostile.provider.revocations).toHaveLength(1);
  });
});

describe('Check connection says what Log Out can end there', () => {
  const configOf = (settings: Record<string, string> = {}) =>
    configFor(
      {
        issuer: hostile.provider.issuer,
        clientId: hostile.provider.clientId,
        audience: API,
        apiUrl: stack.devstack.apiUrl,
      },
      settings,
    );
  const lineOf = async (name: string, settings?: Record<string, string>) =>
    (await checkConnection(configOf(settings), envTransport())).find((line) => line.name === name)!;

  it("a provider that answers 401 to a public client's revocation fails the Revocation line with the reason", async () => {
    hostile.provider.use({ revocation: { status: 401, body: { error: 'invalid_client' } } });
    expect(await lineOf(CHECK_NAMES.revocation)).toEqual({
      name: CHECK_NAMES.revocation,
      passed: false,
      detail:
        'The provider refuses to revoke tokens for a public client: Log Out cannot end the refresh token there.',
      route: 'direct (loopback)',
    });
    // Asked with a made-up token, as this public client, nothing else.
    expect(hostile.provider.revocations).toHaveLength(1);
    expect(Object.fromEntries(hostile.provider.revocations[0]!)).toEqual({
      token: 'connection-check-not-a-token',
      token_type_hint: 'refresh_token',
      client_id: hostile.provider.clientId,
    });
  });

  it('a provider that revokes passes it, and the code flow line says how the Audience is sent', async () => {
    hostile.provider.use({});
    expect(await lineOf(CHECK_NAMES.revocation)).toMatchObject({
      passed: true,
      detail: expect.stringContaining('it revokes tokens for this public client'),
    });
    expect((await lineOf(CHECK_NAMES.code)).detail).toContain(
      'The Audience is sent as both audience (Auth0) and resource (RFC 8707).',
    );
    expect(
      (await lineOf(CHECK_NAMES.code, { AUTH0_RESOURCE_PARAMETER: 'resource' })).detail,
    ).toContain('The Audience is sent as resource (RFC 8707).');
  });
});
