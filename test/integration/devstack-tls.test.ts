/**
 * The devstack over HTTPS (DEVSTACK_TLS=1, `startDevstack({ tls })`): discovery, a sign-in in
 * Chromium, the code exchange, a refresh and a protected message, all over TLS with the throw-away
 * CA, using openid-client's `customFetch` and axios's fetch adapter on the Node transport, the way the
 * core will once it is wired. Then the same under company names that only the test proxy resolves, so
 * that a sign-in that works proves the proxy carried it, and the proxy's log proves it saw no secret.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import axios from 'axios';
import * as client from 'openid-client';
import type { Browser } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { startDevstack, type Devstack, type DevstackOptions } from '../../devstack/index.ts';
import {
  createNodeTransport,
  type NodeTransport,
} from '../../src-main/core/network/node-transport.ts';
import {
  NO_PROXY_CONFIG,
  parseProxySetting,
  proxyConfigFrom,
} from '../../src-main/core/network/proxy-settings.ts';
import { UntrustedCertificateError } from '../../src-main/core/network/transport.ts';
import { startTestProxy, type TestProxy } from '../support/proxy.ts';
import { launchSystemBrowser, signInWithBrowser } from '../support/system-browser.ts';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A one-shot loopback callback receiver (RFC 8252 §7.3) that hands over the URL it was called with. */
async function callbackReceiver(): Promise<{ redirectUri: string; callback: Promise<URL> }> {
  let deliver: (url: URL) => void = () => {};
  const callback = new Promise<URL>((resolve) => (deliver = resolve));
  const server: Server = createServer((req, res) => {
    const url = new URL(
      req.url ?? '/',
      `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    );
    res.writeHead(200, { 'Content-Type': 'text/plain' }).end('You can close this tab.');
    if (url.pathname === '/callback') deliver(url);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', () => done()));
  cleanups.push(async () => {
    server.closeAllConnections();
    await new Promise((done) => server.close(done));
  });
  return {
    redirectUri: `http://127.0.0.1:${(server.address() as AddressInfo).port}/callback`,
    callback,
  };
}

async function devstackWith(
  tls: DevstackOptions['tls'],
): Promise<Devstack & { tls: NonNullable<Devstack['tls']> }> {
  const devstack = await startDevstack({ quiet: true, tls });
  cleanups.push(() => devstack.close());
  if (devstack.tls === undefined) throw new Error('the devstack did not start with TLS');
  return devstack as Devstack & { tls: NonNullable<Devstack['tls']> };
}

async function browserWith(args: string[]): Promise<Browser> {
  const browser = await launchSystemBrowser({ args });
  cleanups.push(() => browser.close());
  return browser;
}

function transportWith(options: Parameters<typeof createNodeTransport>[0]): NodeTransport {
  const transport = createNodeTransport(options);
  cleanups.push(() => transport.close());
  return transport;
}

/**
 * Sign alice in as the app will: discovery, PKCE, the browser, the code exchange, a refresh, a
 * protected message.
 */
async function signInAndCall(devstack: Devstack, transport: NodeTransport, browser: Browser) {
  const config = await client.discovery(
    new URL(devstack.issuer),
    devstack.clientId,
    { token_endpoint_auth_method: 'none' },
    client.None(),
    {
      [client.customFetch]: transport.fetchFor('AUTH0_DOMAIN'),
      execute: [client.enableNonRepudiationChecks],
    },
  );
  const { redirectUri, callback } = await callbackReceiver();
  const checks = {
    pkceCodeVerifier: client.randomPKCECodeVerifier(),
    expectedState: client.randomState(),
    expectedNonce: client.randomNonce(),
  };
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: 'openid profile email offline_access',
    audience: devstack.audience,
    code_challenge: await client.calculatePKCECodeChallenge(checks.pkceCodeVerifier),
    code_challenge_method: 'S256',
    state: checks.expectedState,
    nonce: checks.expectedNonce,
  });
  const alice = devstack.accounts[0];
  if (alice === undefined) throw new Error('no demo account');
  await signInWithBrowser(browser, url.href, { username: alice.email, password: alice.password });
  const callbackUrl = await callback;
  const tokens = await client.authorizationCodeGrant(config, callbackUrl, checks);
  const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token ?? '');
  const api = axios.create({
    baseURL: devstack.apiUrl,
    adapter: 'fetch',
    env: { fetch: transport.fetchFor('API_SERVER_URL') },
    maxRedirects: 0,
    validateStatus: () => true,
  });
  const message = await api.get('/api/messages/protected', {
    headers: { Authorization: `Bearer ${refreshed.access_token}` },
  });
  return {
    config,
    message,
    secrets: [
      tokens.access_token,
      tokens.id_token ?? '',
      tokens.refresh_token ?? '',
      refreshed.access_token,
      refreshed.refresh_token ?? '',
      callbackUrl.searchParams.get('code') ?? '',
      checks.pkceCodeVerifier,
    ],
  };
}

describe('the devstack over HTTPS', () => {
  it('signs alice in over TLS with the throw-away CA trusted, and names that CA where it is not', async () => {
    const devstack = await devstackWith(true);
    expect(devstack.issuer).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(devstack.apiUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);

    const untrusting = transportWith({ proxy: NO_PROXY_CONFIG });
    const refused = await client
      .discovery(new URL(devstack.issuer), devstack.clientId, undefined, client.None(), {
        [client.customFetch]: untrusting.fetchFor('AUTH0_DOMAIN'),
      })
      .catch((error: unknown) => error);
    // A TypeError, as fetch rejects: openid-client passes it through (it would wrap anything else
    // as ClientError "something went wrong"), so the person reads the transport's words.
    expect(refused).toBeInstanceOf(UntrustedCertificateError);
    expect(refused).toBeInstanceOf(TypeError);
    expect((refused as Error).message).toMatch(
      /is issued by "Devstack throw-away CA [0-9a-f]{8}", which this computer does not trust/,
    );

    const transport = transportWith({
      proxy: NO_PROXY_CONFIG,
      extraCaCertificates: [devstack.tls.caPem],
    });
    const browser = await browserWith([
      `--ignore-certificate-errors-spki-list=${devstack.tls.spkiHash}`,
    ]);
    const { config, message } = await signInAndCall(devstack, transport, browser);
    const metadata = config.serverMetadata();
    expect(metadata.issuer).toBe(devstack.issuer);
    for (const endpoint of [
      metadata.token_endpoint,
      metadata.jwks_uri,
      metadata.revocation_endpoint,
    ])
      expect(endpoint).toMatch(new RegExp(`^${devstack.issuer}/`));
    // The API checked the token against its provider's keys, fetched over TLS with the same CA.
    expect(message.status).toBe(200);
    expect(message.data).toEqual({ text: 'This is a protected message.' });
  });

  it('through a company proxy under names only it resolves: the sign-in works, and the proxy sees CONNECT lines and no secret', async () => {
    const devstack = await devstackWith({ idpHost: 'idp.corp.test', apiHost: 'api.corp.test' });
    const idp = new URL(devstack.issuer);
    const api = new URL(devstack.apiUrl);
    expect(idp.hostname).toBe('idp.corp.test');
    expect(api.hostname).toBe('api.corp.test');
    // The app's proxy, whose log is checked, and the browser's (Chromium talks to Google through
    // its proxy too): both resolve the company names, nothing else does.
    const hosts = { 'idp.corp.test': '127.0.0.1', 'api.corp.test': '127.0.0.1' };
    const proxy: TestProxy = await startTestProxy({ hosts });
    const browserProxy: TestProxy = await startTestProxy({ hosts });
    cleanups.push(
      () => proxy.close(),
      () => browserProxy.close(),
    );

    const transport = transportWith({
      proxy: proxyConfigFrom(parseProxySetting(proxy.url), {}),
      extraCaCertificates: [devstack.tls.caPem],
    });
    // The user's browser goes through a proxy too; its return to the 127.0.0.1 callback stays direct.
    const browser = await browserWith([
      `--proxy-server=${browserProxy.url}`,
      `--ignore-certificate-errors-spki-list=${devstack.tls.spkiHash}`,
    ]);
    const { message, secrets } = await signInAndCall(devstack, transport, browser);
    expect(message.data).toEqual({ text: 'This is a protected message.' });

    const allowed = new Set([
      `CONNECT idp.corp.test:${idp.port}`,
      `CONNECT api.corp.test:${api.port}`,
    ]);
    const lines = proxy.lines();
    expect(lines.filter((line) => !allowed.has(line))).toEqual([]);
    expect(new Set(lines)).toEqual(allowed);
    for (const seen of [proxy.seen(), browserProxy.seen()]) {
      for (const secret of secrets) {
        expect(secret.length).toBeGreaterThan(10);
        expect(seen.includes(secret), `a proxy saw ${secret.slice(0, 12)}…`).toBe(false);
      }
    }
    for (const word of ['Authorization', 'refresh_token', 'code=', 'DPoP'])
      expect(proxy.seen()).not.toContain(word);
    expect(browserProxy.lines()).toContain(`CONNECT idp.corp.test:${idp.port}`);
    console.log(
      `[devstack-tls] the app through the proxy: ${lines.length} CONNECTs for discovery, JWKS, code, refresh and a message: ` +
        `${lines.filter((line) => line.startsWith('CONNECT idp')).length} to the provider, ` +
        `${lines.filter((line) => line.startsWith('CONNECT api')).length} to the API`,
    );
  });
});
