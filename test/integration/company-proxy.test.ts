/**
 * The app on a company network (issue 18): the real core, every request through its one transport,
 * against the devstack over HTTPS under names that only the company proxy resolves (idp.corp.test,
 * api.corp.test → 127.0.0.1). Nothing else can reach them, so every step that works (discovery, JWKS,
 * the code exchange, DPoP nonce retries, refresh at restore, Protected and Admin, the sign-in code,
 * revocation at logout) proves the proxy carried it; and the proxy's log proves it saw CONNECT lines
 * only, never a token, a proof, a code or a refresh token.
 *
 * Then what must never go through a proxy: a loopback provider and API (the trap sees nothing), and a
 * token for a plain-http API (refused with the setting to change, nothing sent).
 */
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEVICE_CODE_GRANT, startDevstack, type Devstack } from '../../devstack/index.ts';
import type { SessionView } from '../../src-preload/contract.ts';
import {
  createNodeTransport,
  type NodeTransport,
} from '../../src-main/core/network/node-transport.ts';
import { parseProxySetting, proxyConfigFrom } from '../../src-main/core/network/proxy-settings.ts';
import type { TokenSet } from '../../src-main/core/vault.ts';
import { alice } from '../support/accounts.ts';
import { configFor, signIn, type TestCore } from '../support/core-harness.ts';
import { useIntegrationStack } from '../support/integration-stack.ts';
import { startTestProxy, type TestProxy } from '../support/proxy.ts';
import { signInOf } from '../support/session-view.ts';
import { enterSignInCode, signInWithBrowser } from '../support/system-browser.ts';

const HOSTS = { 'idp.corp.test': '127.0.0.1', 'api.corp.test': '127.0.0.1' };
/** Words that would mean the proxy read a credential (RFC 6750 §5.3, RFC 9449, RFC 6749 §4.1.3). */
const SECRET_WORDS = ['Authorization', 'authorization:', 'DPoP', 'dpop:', 'code=', 'refresh_token'];

let browserProxy: TestProxy | undefined;
const stack = useIntegrationStack({
  devstack: {
    tls: { idpHost: 'idp.corp.test', apiHost: 'api.corp.test' },
    deviceCodeInterval: 1,
  },
  // The person's browser goes through the company proxy too; its return to 127.0.0.1 stays direct.
  browserArgs: async (devstack) => {
    browserProxy = await startTestProxy({ hosts: HOSTS });
    return [
      `--proxy-server=${browserProxy.url}`,
      `--ignore-certificate-errors-spki-list=${devstack.tls!.spkiHash}`,
    ];
  },
});

/** The app's proxy: the one whose log is read. */
let proxy: TestProxy;
let transport: NodeTransport;
const transports: NodeTransport[] = [];
/** Every secret any core held, to look for in the proxy's log. */
const secrets = new Set<string>();

beforeAll(async () => {
  proxy = await startTestProxy({ hosts: HOSTS });
  transport = transportVia(proxy.url);
});

afterAll(async () => {
  await Promise.all(transports.map((each) => each.close()));
  await proxy?.close();
  await browserProxy?.close();
});

/** A transport as the preview makes it for `PROXY=<proxyUrl>`, trusting the devstack's CA. */
function transportVia(proxyUrl: string, devstack: Devstack = stack.devstack): NodeTransport {
  const made = createNodeTransport({
    proxy: proxyConfigFrom(parseProxySetting(proxyUrl), {}),
    ...(devstack.tls ? { extraCaCertificates: [devstack.tls.caPem] } : {}),
  });
  transports.push(made);
  return made;
}

function remember(tokens: TokenSet | undefined): void {
  if (!tokens) return;
  for (const secret of [tokens.accessToken, tokens.refreshToken, tokens.idToken])
    if (secret) secrets.add(secret);
}

function viewWhere(
  test: TestCore,
  predicate: (view: SessionView) => boolean,
): Promise<SessionView> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const check = () => {
      const found = test.events.find(predicate);
      if (found) return resolve(found);
      if (Date.now() - started > 15_000) return reject(new Error('no such session view'));
      setTimeout(check, 25);
    };
    check();
  });
}

/** Asks the provider, through a proxy of its own, whether it still honours `refreshToken`. */
async function providerHonours(refreshToken: string): Promise<boolean | string> {
  const checker = await startTestProxy({ hosts: HOSTS });
  try {
    const configuration = await client.discovery(
      new URL(stack.devstack.issuer),
      stack.devstack.clientId,
      { token_endpoint_auth_method: 'none' },
      client.None(),
      { [client.customFetch]: transportVia(checker.url).fetchFor('AUTH0_DOMAIN') },
    );
    await client.refreshTokenGrant(configuration, refreshToken);
    return true;
  } catch (error) {
    return error instanceof client.ResponseBodyError ? error.error : String(error);
  } finally {
    await checker.close();
  }
}

describe('through a company proxy, to a provider and an API only the proxy can reach', () => {
  const dpop = { AUTH0_DPOP: 'true' };

  it('signs alice in, restores and refreshes her session, shows Protected and Admin, and logs her out: all through CONNECT tunnels', async () => {
    expect(new URL(stack.devstack.issuer).hostname).toBe('idp.corp.test');
    const test = stack.newCore(configFor(stack.devstack, dpop), { transport });
    await test.core.restore();
    // The authorization code as the browser carried it to the app's loopback receiver.
    const context = await stack.browser.newContext();
    const codes: string[] = [];
    context.on('request', (request) => {
      const url = new URL(request.url());
      const code = url.searchParams.get('code');
      if (url.hostname === '127.0.0.1' && code) codes.push(code);
    });
    const opened = test.nextOpened();
    const login = test.core.session.login();
    await signInWithBrowser(stack.browser, await opened, {
      username: alice.email,
      password: alice.password,
      context,
    });
    expect(await login).toMatchObject({ ok: true, session: { status: 'signed-in' } });
    await context.close();
    expect(codes).toHaveLength(1);
    secrets.add(codes[0]!);
    remember(await test.storedTokens());
    await test.core.close();

    // A restart: the access token counts as expiring, so the restore refreshes it (with a DPoP proof
    // and the provider's nonce retry) before the pages ask for messages (the API's nonce retry).
    const restarted = stack.newCore(configFor(stack.devstack, dpop), {
      transport,
      dir: test.dir,
      clockSkewSeconds: 7200,
    });
    const before = (await test.storedTokens())!;
    await restarted.core.restore();
    expect(restarted.core.view()).toMatchObject({
      status: 'signed-in',
      profile: { email: alice.email },
    });
    const after = (await restarted.storedTokens())!;
    remember(after);
    expect(after.refreshToken).not.toBe(before.refreshToken);
    expect(after.tokenType).toBe('DPoP');
    expect(await restarted.core.messages.get('protected')).toEqual({
      ok: true,
      data: { text: 'This is a protected message.' },
    });
    expect(await restarted.core.messages.get('admin')).toEqual({
      ok: true,
      data: { text: 'This is an admin message.' },
    });
    remember(await restarted.storedTokens());

    const revoked = (await restarted.storedTokens())!.refreshToken!;
    const logout = await restarted.core.session.logout();
    expect(logout).toMatchObject({ ok: true, session: { status: 'signed-out' } });
    expect(logout.ok && logout.providerLogout).not.toBe('unreachable');
    // The provider-logout page is for the browser; the revocation went through the proxy.
    expect(restarted.opened.at(-1)).toMatch(/^https:\/\/idp\.corp\.test:\d+\//);
    expect(await providerHonours(revoked)).toBe('invalid_grant');
    await restarted.core.close();
  });

  it('signs alice in with a code (device authorization and polling through the proxy)', async () => {
    const test = stack.newCore(configFor(stack.devstack, dpop), { transport });
    await test.core.restore();
    const opened = test.nextOpened();
    const result = test.core.session.login();
    await opened;
    expect(test.core.session.useWay('code').ok).toBe(true);
    const shown = await viewWhere(test, (view) => signInOf(view)?.code !== undefined);
    const code = signInOf(shown)!.code!;
    expect(code.verificationUri).toMatch(/^https:\/\/idp\.corp\.test:\d+\/device$/);
    const polls = stack.devstack.tokenRequests(DEVICE_CODE_GRANT);
    await enterSignInCode(stack.browser, code.verificationUri, code.userCode, {
      username: alice.email,
      password: alice.password,
    });
    expect(await result).toMatchObject({ ok: true, session: { status: 'signed-in' } });
    expect(stack.devstack.tokenRequests(DEVICE_CODE_GRANT)).toBeGreaterThan(polls);
    remember(await test.storedTokens());
    expect(await test.core.messages.get('protected')).toMatchObject({ ok: true });
    await test.core.session.logout();
    await test.core.close();
  });

  it("the proxy's log holds CONNECT lines to the two hosts and nothing else: no token, proof, code or refresh token", () => {
    const idp = new URL(stack.devstack.issuer);
    const api = new URL(stack.devstack.apiUrl);
    const allowed = new Set([
      `CONNECT idp.corp.test:${idp.port}`,
      `CONNECT api.corp.test:${api.port}`,
    ]);
    const lines = proxy.lines();
    expect(lines.filter((line) => !allowed.has(line))).toEqual([]);
    expect(new Set(lines)).toEqual(allowed);
    const seen = proxy.seen();
    expect(secrets.size).toBeGreaterThanOrEqual(8);
    for (const secret of secrets) {
      expect(secret.length).toBeGreaterThan(10);
      expect(seen.includes(secret), `the proxy saw ${secret.slice(0, 12)}…`).toBe(false);
    }
    for (const word of SECRET_WORDS) expect(seen).not.toContain(word);
    console.log(
      `[company-proxy] ${lines.length} CONNECTs for two sign-ins, a restore with refresh, four messages and two logouts ` +
        `(${lines.filter((line) => line.includes('idp.')).length} to the provider, ${lines.filter((line) => line.includes('api.')).length} to the API)`,
    );
  });

  it('a token for a plain-http API behind the proxy is refused with the setting to change, and the proxy sees nothing', async () => {
    const api = new URL(stack.devstack.apiUrl);
    const test = stack.newCore(
      { ...configFor(stack.devstack), apiServerUrl: new URL(`http://api.corp.test:${api.port}/`) },
      { transport },
    );
    await test.core.restore();
    const { result } = await signIn(test, stack.browser, alice);
    expect(result).toMatchObject({ ok: true });
    remember(await test.storedTokens());
    proxy.clear();
    expect(await test.core.messages.get('protected')).toEqual({
      ok: false,
      error: {
        code: 'api_unreachable',
        message:
          'The API server URL is http:// and a proxy is in use: use https:// or add its host to NO_PROXY',
      },
    });
    expect(proxy.lines()).toEqual([]);
    await test.core.session.logout();
    await test.core.close();
  });
});

describe('what never goes through a proxy', () => {
  let loopback: Devstack;
  let trap: TestProxy;
  beforeAll(async () => {
    [loopback, trap] = await Promise.all([startDevstack({ quiet: true }), startTestProxy()]);
  });
  afterAll(async () => {
    await trap?.close();
    await loopback?.close();
  });

  it('a loopback provider and API go direct whatever proxy is set: the trap sees nothing of a whole session', async () => {
    const test = stack.newCore(configFor(loopback), {
      transport: transportVia(trap.url, loopback),
    });
    await test.core.restore();
    const { result } = await signIn(test, stack.browser, alice);
    expect(result).toMatchObject({ ok: true, session: { status: 'signed-in' } });
    stack.remember((await test.storedTokens())!);
    expect(await test.core.messages.get('admin')).toMatchObject({ ok: true });
    expect(await test.core.session.logout()).toMatchObject({ ok: true });
    await test.core.close();
    expect(trap.lines()).toEqual([]);
  });
});
