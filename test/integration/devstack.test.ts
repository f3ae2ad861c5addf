/**
 * The devstack itself, over real HTTP: the local OpenID Provider (discovery, authorization code +
 * PKCE with openid-client v6, refresh rotation, RP-initiated logout) driven by Chromium as the system
 * browser, and the Hello World API's exact contract. Nothing is mocked.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import * as client from 'openid-client';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PERMISSION, AUDIENCE, CLIENT_ID, startDevstack } from '../../devstack/index.ts';
import type { Devstack } from '../../devstack/index.ts';
import { alice, bob } from '../support/accounts.ts';
import { discoverPublicClient } from '../support/core-harness.ts';
import { SignInError, signInWithBrowser } from '../support/system-browser.ts';
import { useIntegrationStack } from '../support/integration-stack.ts';

const CLI = fileURLToPath(new URL('../../devstack/cli.ts', import.meta.url));
const SCOPE = 'openid profile email offline_access';

/** The app's side of RFC 8252 §7.3: a loopback server on an OS-assigned port catching redirects. */
interface LoopbackCatcher {
  port: number;
  redirectUri: string;
  postLogoutRedirectUri: string;
  /** Every /callback and /logged-out URL received, in order. */
  received: URL[];
  close(): Promise<void>;
}

async function startLoopbackCatcher(): Promise<LoopbackCatcher> {
  const received: URL[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(
      req.url ?? '/',
      `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    );
    if (url.pathname === '/callback' || url.pathname === '/logged-out') {
      received.push(url);
    }
    if (url.pathname === '/callback') {
      // Like the app: answer with a code-free page.
      res
        .writeHead(302, {
          Location: '/done',
          'Cache-Control': 'no-store',
          'Referrer-Policy': 'no-referrer',
        })
        .end();
      return;
    }
    res
      .writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' })
      .end('<!DOCTYPE html><title>Done</title><p>You can close this tab.</p>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    redirectUri: `http://127.0.0.1:${port}/callback`,
    postLogoutRedirectUri: `http://127.0.0.1:${port}/logged-out`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function decodeJwt(jwt: string): {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
} {
  const [header, payload] = jwt.split('.');
  return {
    header: JSON.parse(Buffer.from(header ?? '', 'base64url').toString('utf8')) as Record<
      string,
      unknown
    >,
    payload: JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8')) as Record<
      string,
      unknown
    >,
  };
}

async function callApi(stack: Devstack, path: string, accessToken?: string, method = 'GET') {
  const response = await fetch(`${stack.apiUrl}${path}`, {
    method,
    headers: accessToken === undefined ? {} : { Authorization: `Bearer ${accessToken}` },
  });
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    body: await response.text(),
  };
}

interface Authorization {
  url: URL;
  verifier: string;
  state: string;
  nonce: string;
}

async function authorization(
  config: client.Configuration,
  devstack: Devstack,
  extra: Record<string, string> = {},
): Promise<Authorization> {
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: catcher.redirectUri,
    scope: SCOPE,
    audience: devstack.audience,
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...extra,
  });
  return { url, verifier, state, nonce };
}

/** Sign in through Chromium and exchange the code, as the app will. */
async function signIn(
  devstack: Devstack,
  config: client.Configuration,
  account: { email: string; password: string },
  options: {
    extra?: Record<string, string>;
    context?: BrowserContext;
    mode?: 'login' | 'signup';
    name?: string;
  } = {},
) {
  const request = await authorization(config, devstack, options.extra);
  const before = catcher.received.length;
  const browsing = await signInWithBrowser(stack.browser, request.url.href, {
    username: account.email,
    password: account.password,
    ...(options.mode ? { mode: options.mode } : {}),
    ...(options.name ? { name: options.name } : {}),
    ...(options.context ? { context: options.context } : {}),
  });
  contexts.push(browsing.context);
  const callback = catcher.received[before];
  if (callback === undefined) throw new Error('the loopback server received no callback');
  const tokens = await client.authorizationCodeGrant(config, callback, {
    pkceCodeVerifier: request.verifier,
    expectedState: request.state,
    expectedNonce: request.nonce,
    idTokenExpected: true,
  });
  return { tokens, callback, ...browsing };
}

const stack = useIntegrationStack();
let catcher: LoopbackCatcher;
let config: client.Configuration;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  catcher = await startLoopbackCatcher();
  config = await discoverPublicClient(stack.devstack);
});

afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => undefined);
  await catcher?.close();
});

describe('devstack identity provider', () => {
  it('publishes discovery for a loopback issuer with PKCE S256, RFC 9207 iss, logout and revocation', async () => {
    expect(stack.devstack.issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/u);
    expect(stack.devstack.apiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/u);
    expect(stack.devstack.clientId).toBe(CLIENT_ID);
    expect(stack.devstack.audience).toBe(AUDIENCE);
    expect(stack.devstack.accounts.map((account) => account.email)).toEqual([
      'alice@example.com',
      'bob@example.com',
    ]);

    const response = await fetch(`${stack.devstack.issuer}/.well-known/openid-configuration`);
    expect(response.status).toBe(200);
    const metadata = (await response.json()) as Record<string, unknown>;
    expect(metadata['issuer']).toBe(stack.devstack.issuer);
    expect(metadata['code_challenge_methods_supported']).toEqual(['S256']);
    expect(metadata['authorization_response_iss_parameter_supported']).toBe(true);
    expect(metadata['end_session_endpoint']).toBe(`${stack.devstack.issuer}/session/end`);
    expect(metadata['revocation_endpoint']).toBe(`${stack.devstack.issuer}/token/revocation`);
    expect(metadata['scopes_supported']).toEqual(expect.arrayContaining(SCOPE.split(' ')));
    expect(metadata['grant_types_supported']).toEqual(
      expect.arrayContaining(['authorization_code', 'refresh_token']),
    );
    expect(metadata['claims_supported']).toEqual(
      expect.arrayContaining([
        'sub',
        'name',
        'nickname',
        'picture',
        'email',
        'email_verified',
        'updated_at',
      ]),
    );
    expect(config.serverMetadata().issuer).toBe(stack.devstack.issuer);
  });

  it('refuses an unknown audience with invalid_target (redirected to the app with iss)', async () => {
    const request = await authorization(config, stack.devstack, {
      audience: 'https://unknown.example.com',
    });
    const response = await fetch(request.url, { redirect: 'manual' });
    expect(response.status).toBe(303);
    const location = new URL(response.headers.get('location') ?? '');
    expect(`${location.origin}${location.pathname}`).toBe(catcher.redirectUri);
    expect(location.searchParams.get('error')).toBe('invalid_target');
    expect(location.searchParams.get('iss')).toBe(stack.devstack.issuer);
  });
});

describe('Hello World API contract', () => {
  it('serves the public message and answers JSON errors', async () => {
    expect(await callApi(stack.devstack, '/api/messages/public')).toEqual({
      status: 200,
      contentType: 'application/json; charset=utf-8',
      body: '{"text":"This is a public message."}',
    });
    expect(await callApi(stack.devstack, '/api/messages/protected')).toEqual({
      status: 401,
      contentType: 'application/json; charset=utf-8',
      body: '{"message":"Requires authentication"}',
    });
    expect(await callApi(stack.devstack, '/api/messages/admin')).toMatchObject({
      status: 401,
      body: '{"message":"Requires authentication"}',
    });
    expect(await callApi(stack.devstack, '/api/messages/protected', 'not.a.jwt')).toMatchObject({
      status: 401,
      body: '{"message":"Bad credentials"}',
    });
    expect(await callApi(stack.devstack, '/api/messages/nothing')).toEqual({
      status: 404,
      contentType: 'application/json; charset=utf-8',
      body: '{"message":"Not Found"}',
    });
    expect(await callApi(stack.devstack, '/api/messages/public', undefined, 'POST')).toMatchObject({
      status: 404,
      body: '{"message":"Not Found"}',
    });
  });
});

describe('sign-in through the system browser', () => {
  let aliceTokens: Awaited<ReturnType<typeof signIn>>['tokens'];
  let aliceContext: BrowserContext;

  it('signs alice in (code + PKCE, iss checked) and her access token opens protected and admin', async () => {
    const result = await signIn(stack.devstack, config, alice);
    aliceTokens = result.tokens;
    aliceContext = result.context;

    expect(result.formShown).toBe(true);
    expect(result.finalUrl).toBe(`http://127.0.0.1:${catcher.port}/done`);
    expect(result.callback.searchParams.get('iss')).toBe(stack.devstack.issuer);
    expect(result.tokens.token_type.toLowerCase()).toBe('bearer');
    expect(result.tokens.refresh_token).toEqual(expect.any(String));
    expect(result.tokens.expires_in).toBeGreaterThan(3500);

    const accessToken = decodeJwt(result.tokens.access_token);
    expect(accessToken.header).toMatchObject({ alg: 'RS256', typ: 'at+jwt' });
    expect(accessToken.payload).toMatchObject({
      iss: stack.devstack.issuer,
      aud: AUDIENCE,
      client_id: CLIENT_ID,
      permissions: [ADMIN_PERMISSION],
      scope: SCOPE,
    });
    expect(result.tokens.scope).toBe(SCOPE);

    const claims = result.tokens.claims();
    expect(claims).toMatchObject({
      iss: stack.devstack.issuer,
      aud: CLIENT_ID,
      name: 'Alice Liddell',
      nickname: 'alice',
      email: 'alice@example.com',
      email_verified: true,
    });
    expect(claims?.sub).toEqual(expect.any(String));
    expect(claims?.sub).toBe(accessToken.payload['sub']);
    expect(claims?.['picture']).toMatch(/^data:image\/svg\+xml;base64,/u);
    expect(
      Buffer.from(String(claims?.['picture']).split(',')[1] ?? '', 'base64').toString(),
    ).toContain('>AL</text>');
    expect(claims?.['updated_at']).toEqual(expect.any(String));

    expect(
      await callApi(stack.devstack, '/api/messages/protected', result.tokens.access_token),
    ).toEqual({
      status: 200,
      contentType: 'application/json; charset=utf-8',
      body: '{"text":"This is a protected message."}',
    });
    expect(
      await callApi(stack.devstack, '/api/messages/admin', result.tokens.access_token),
    ).toMatchObject({
      status: 200,
      body: '{"text":"This is an admin message."}',
    });
  });

  it('gives bob protected but not admin (403 Permission denied); revocation works', async () => {
    const { tokens } = await signIn(stack.devstack, config, bob);
    expect(decodeJwt(tokens.access_token).payload['permissions']).toEqual([]);
    expect(
      await callApi(stack.devstack, '/api/messages/protected', tokens.access_token),
    ).toMatchObject({
      status: 200,
    });
    expect(await callApi(stack.devstack, '/api/messages/admin', tokens.access_token)).toEqual({
      status: 403,
      contentType: 'application/json; charset=utf-8',
      body: '{"message":"Permission denied"}',
    });

    // Logout revokes: a revoked refresh token is refused.
    await client.tokenRevocation(config, tokens.refresh_token!, {
      token_type_hint: 'refresh_token',
    });
    const refused = await client.refreshTokenGrant(config, tokens.refresh_token!).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect((refused as client.ResponseBodyError).error).toBe('invalid_grant');
  });

  it('keeps the browser on the login page with an error for a wrong password', async () => {
    const request = await authorization(config, stack.devstack);
    const before = catcher.received.length;
    const failure = await signInWithBrowser(stack.browser, request.url.href, {
      username: alice.email,
      password: 'not-her-password',
    }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(SignInError);
    const { page, context } = failure as SignInError;
    contexts.push(context);
    expect(new URL(page.url()).origin).toBe(stack.devstack.issuer);
    await expect(page.locator('[role="alert"]').innerText()).resolves.toBe(
      'Wrong email or password.',
    );
    expect(await page.locator('input[name="username"]').inputValue()).toBe(alice.email);
    expect(catcher.received.length).toBe(before);
  });

  it('signs up a new account with screen_hint=signup (refresh token too), which can then log in', async () => {
    const newcomer = {
      email: `carol-${randomBytes(4).toString('hex')}@example.com`,
      password: 'looking-glass',
    };
    const signup = await signIn(stack.devstack, config, newcomer, {
      extra: { screen_hint: 'signup', prompt: 'login' },
      mode: 'signup',
      name: 'Carol Tester',
    });
    // prompt=login makes oidc-provider drop offline_access; the devstack keeps it, as Auth0 does.
    expect(signup.tokens.refresh_token).toEqual(expect.any(String));
    expect(signup.tokens.scope?.split(' ')).toEqual(
      expect.arrayContaining(['openid', 'offline_access']),
    );
    expect(signup.tokens.claims()).toMatchObject({
      name: 'Carol Tester',
      email: newcomer.email,
      email_verified: false,
    });
    expect(decodeJwt(signup.tokens.access_token).payload['permissions']).toEqual([]);
    expect(
      await callApi(stack.devstack, '/api/messages/admin', signup.tokens.access_token),
    ).toMatchObject({ status: 403 });

    // The same email cannot sign up twice (shown on the page). A short or all-spaces password is
    // refused by the browser first: devstack-sign-up.test.ts.
    const again = await authorization(config, stack.devstack, { screen_hint: 'signup' });
    for (const [password, message] of [['looking-glass', /already exists/u]] as const) {
      const failure = await signInWithBrowser(stack.browser, again.url.href, {
        username: newcomer.email,
        password,
        mode: 'signup',
      }).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(SignInError);
      contexts.push((failure as SignInError).context);
      expect(await (failure as SignInError).page.locator('[role="alert"]').innerText()).toMatch(
        message,
      );
    }

    const login = await signIn(stack.devstack, config, newcomer);
    expect(login.tokens.claims()?.sub).toBe(signup.tokens.claims()?.sub);
  });

  it('rotates refresh tokens on every use and refuses a used one (counted by tokenRequests)', async () => {
    const before = stack.devstack.tokenRequests('refresh_token');
    const first = aliceTokens.refresh_token!;
    const refreshed = await client.refreshTokenGrant(config, first);
    expect(refreshed.refresh_token).toEqual(expect.any(String));
    expect(refreshed.refresh_token).not.toBe(first);
    // The audience and permissions survive the refresh without resending audience/resource.
    expect(decodeJwt(refreshed.access_token).payload).toMatchObject({
      aud: AUDIENCE,
      permissions: [ADMIN_PERMISSION],
    });
    expect(refreshed.claims()?.sub).toBe(aliceTokens.claims()?.sub);
    expect(
      await callApi(stack.devstack, '/api/messages/admin', refreshed.access_token),
    ).toMatchObject({
      status: 200,
    });

    const reuse = await client.refreshTokenGrant(config, first).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(reuse).toBeInstanceOf(client.ResponseBodyError);
    expect((reuse as client.ResponseBodyError).error).toBe('invalid_grant');
    // Reuse detection: oidc-provider revokes the whole grant, so the newest refresh token dies too.
    const after = await client.refreshTokenGrant(config, refreshed.refresh_token!).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect((after as client.ResponseBodyError).error).toBe('invalid_grant');

    expect(stack.devstack.tokenRequests('refresh_token') - before).toBe(3); // failures count too
    expect(stack.devstack.tokenRequests('authorization_code')).toBeGreaterThanOrEqual(4);
  });

  it('ends the provider session with RP-initiated logout to a loopback post_logout_redirect_uri', async () => {
    // alice's browser still has a provider session: a new request comes straight back, no form.
    const sso = await authorization(config, stack.devstack);
    const again = await signInWithBrowser(stack.browser, sso.url.href, {
      username: alice.email,
      password: alice.password,
      context: aliceContext,
    });
    expect(again.formShown).toBe(false);
    // ...unless the app asks for prompt=login: then the form shows despite the session.
    const forced = await authorization(config, stack.devstack, { prompt: 'login' });
    await again.page.goto(forced.url.href);
    await expect(again.page.locator('input[name="password"]').isVisible()).resolves.toBe(true);
    await again.page.close();

    const page = await aliceContext.newPage();
    const state = client.randomState();
    const endSession = client.buildEndSessionUrl(config, {
      id_token_hint: aliceTokens.id_token!,
      post_logout_redirect_uri: catcher.postLogoutRedirectUri,
      state,
    });
    await page.goto(endSession.href);
    await page.waitForURL((url) => url.pathname === '/logged-out');
    const landed = new URL(page.url());
    expect(`${landed.origin}${landed.pathname}`).toBe(catcher.postLogoutRedirectUri);
    expect(landed.searchParams.get('state')).toBe(state);

    // Session gone: the next authorization request shows the login form again.
    const next = await authorization(config, stack.devstack);
    await page.goto(next.url.href);
    await expect(page.locator('input[name="username"]').isVisible()).resolves.toBe(true);
    expect(new URL(page.url()).origin).toBe(stack.devstack.issuer);
  });
});

describe('access token expiry', () => {
  it('answers 401 Bad credentials once a short-lived access token has expired', async () => {
    const shortLived = await startDevstack({ quiet: true, accessTokenTtl: 2 });
    try {
      const shortConfig = await discoverPublicClient(shortLived);
      const { tokens } = await signIn(shortLived, shortConfig, alice);
      expect(tokens.expires_in).toBeLessThanOrEqual(2);
      expect(
        await callApi(shortLived, '/api/messages/protected', tokens.access_token),
      ).toMatchObject({ status: 200 });
      // The devstack's API allows no clock skew (one process, one clock): refused right after exp.
      const exp = Number(decodeJwt(tokens.access_token).payload['exp']);
      await new Promise((resolve) =>
        setTimeout(resolve, Math.max(0, (exp + 1) * 1000 - Date.now())),
      );
      expect(await callApi(shortLived, '/api/messages/protected', tokens.access_token)).toEqual({
        status: 401,
        contentType: 'application/json; charset=utf-8',
        body: '{"message":"Bad credentials"}',
      });
    } finally {
      await shortLived.close();
    }
  });
});

describe('cli', () => {
  it('starts on free ports, prints the issuer and accounts, and stops on SIGTERM', async () => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DEVSTACK_IDP_PORT: '0',
      DEVSTACK_API_PORT: '0',
    };
    delete env['AUTH0_DOMAIN'];
    const child = spawn(process.execPath, [CLI], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    const exited = new Promise<number | null>((resolve) =>
      child.on('exit', (code) => resolve(code)),
    );
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`cli did not start:\n${stdout}`)), 15_000);
        child.stdout.on('data', () => {
          if (stdout.includes('Press Ctrl+C')) {
            clearTimeout(timer);
            resolve();
          }
        });
        child.on('exit', () => reject(new Error(`cli exited early:\n${stdout}`)));
      });
      const issuer = /Issuer\s+(http:\/\/127\.0\.0\.1:\d+)\n/u.exec(stdout)?.[1];
      expect(issuer).toBeDefined();
      expect(stdout).toContain('alice@example.com / wonderland');
      expect(stdout).toContain('bob@example.com / builder');
      expect(stdout).toContain(CLIENT_ID);
      expect(stdout).toMatch(/Hello World API\s+http:\/\/127\.0\.0\.1:\d+\n/u);
      const metadata = (await (
        await fetch(`${issuer}/.well-known/openid-configuration`)
      ).json()) as { issuer: string };
      expect(metadata.issuer).toBe(issuer);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });

  it('fails with one clear line when a port is busy', async () => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DEVSTACK_IDP_PORT: new URL(stack.devstack.issuer).port,
      DEVSTACK_API_PORT: '0',
    };
    delete env['AUTH0_DOMAIN'];
    const child = spawn(process.execPath, [CLI], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const code = await new Promise<number | null>((resolve) =>
      child.on('exit', (exitCode) => resolve(exitCode)),
    );
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/port \d+ on 127\.0\.0\.1 is already in use.*DEVSTACK_IDP_PORT/u);
  });
});
