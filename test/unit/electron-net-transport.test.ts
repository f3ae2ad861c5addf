/**
 * The Electron transport (src-main/electron/net-transport.ts) against the fake electron's session
 * (test/support/fake-electron.ts, after electron.d.ts; `net.fetch` is the default session's `fetch`):
 * the route Chromium would take comes from `session.resolveProxy(url)` before `net.fetch` is called,
 * and the route policy decides what may be sent: a token over plain http through a proxy never
 * reaches net.fetch; loopback routed to a proxy is refused; a 407 and Chromium's certificate errors
 * are said in the Node transport's words.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createElectronTransport, proxyConfigFor } from '../../src-main/electron/net-transport.ts';
import { parseProxySetting } from '../../src-main/core/network/proxy-settings.ts';
import { describeRoute } from '../../src-main/core/network/route-policy.ts';
import {
  ProxyAuthenticationError,
  RouteRefusedError,
  UntrustedCertificateError,
} from '../../src-main/core/network/transport.ts';
import { fakeElectron } from '../support/fake-electron.ts';

const session = fakeElectron.module.session.defaultSession;
/** net.fetch is the default session's fetch. */
const net = session;

afterEach(() => {
  vi.clearAllMocks();
});

function transport(proxy = 'system') {
  return createElectronTransport({ session, proxy: parseProxySetting(proxy) });
}

describe('the Electron transport', () => {
  it.each([
    ['system', { mode: 'system' }],
    ['none', { mode: 'direct' }],
    [
      'http://ann:secret@proxy.corp.example:3128',
      { mode: 'fixed_servers', proxyRules: 'http://proxy.corp.example:3128' },
    ],
    [
      'https://proxy.corp.example',
      { mode: 'fixed_servers', proxyRules: 'https://proxy.corp.example' },
    ],
  ])('PROXY=%s is the session proxy configuration %j (never a password)', async (value, config) => {
    expect(proxyConfigFor(parseProxySetting(value))).toEqual(config);
    await transport(value).fetchFor('AUTH0_DOMAIN')('https://idp.example.com/x');
    expect(session.setProxy).toHaveBeenCalledWith(config);
  });

  it('asks resolveProxy for the route, then sends through net.fetch with the body and headers', async () => {
    session.resolveProxy.mockResolvedValueOnce('PROXY proxy.corp.example:3128; DIRECT');
    const answer = await transport().fetchFor('AUTH0_DOMAIN')('https://idp.example.com/token', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=refresh_token&refresh_token=rt',
      redirect: 'manual',
    });
    expect(answer.status).toBe(200);
    expect(session.resolveProxy).toHaveBeenCalledWith('https://idp.example.com/token');
    const [url, init] = net.fetch.mock.calls[0]! as [string, RequestInit];
    expect(url).toBe('https://idp.example.com/token');
    expect(init.method).toBe('POST');
    expect(new TextDecoder().decode(init.body as Uint8Array)).toBe(
      'grant_type=refresh_token&refresh_token=rt',
    );
    expect(init.redirect).toBe('manual');
  });

  it('never hands a token for a plain-http URL to net.fetch when the system routes it through a proxy', async () => {
    session.resolveProxy.mockResolvedValue('PROXY proxy.corp.example:3128');
    const fetch = transport().fetchFor('API_SERVER_URL');
    await expect(
      fetch('http://api.corp.example/api/messages/protected', {
        headers: { Authorization: 'Bearer token-value' },
      }),
    ).rejects.toThrow(
      new RouteRefusedError(
        "The API server URL is http:// and a proxy is in use: use https:// or add its host to the system's proxy exceptions",
      ),
    );
    expect(net.fetch).not.toHaveBeenCalled();
    // Without a credential, plain http through the proxy may go.
    await fetch('http://api.corp.example/api/messages/public');
    expect(net.fetch).toHaveBeenCalledTimes(1);
    session.resolveProxy.mockResolvedValue('DIRECT');
  });

  it('refuses a loopback URL the system would send through a proxy', async () => {
    session.resolveProxy.mockResolvedValueOnce('PROXY proxy.corp.example:3128');
    await expect(
      transport().fetchFor('AUTH0_DOMAIN')('http://127.0.0.1:4000/token', { method: 'POST' }),
    ).rejects.toBeInstanceOf(RouteRefusedError);
    expect(net.fetch).not.toHaveBeenCalled();
  });

  it('names the proxy on a 407, and says how to fix an untrusted certificate', async () => {
    session.resolveProxy.mockResolvedValueOnce('PROXY proxy.corp.example:3128');
    net.fetch.mockResolvedValueOnce(new Response('', { status: 407 }));
    const fetch = transport().fetchFor('AUTH0_DOMAIN');
    const refused = await fetch('https://idp.example.com/.well-known/openid-configuration').catch(
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(ProxyAuthenticationError);
    expect((refused as Error).message).toMatch(
      /^The proxy at proxy\.corp\.example:3128 asks to sign in/,
    );

    // A password in PROXY cannot be handed to Chromium (net.fetch cancels proxy sign-in): said, never echoed.
    for (const answer of [
      () => net.fetch.mockResolvedValueOnce(new Response('', { status: 407 })),
      () => net.fetch.mockRejectedValueOnce(new TypeError('net::ERR_PROXY_AUTH_UNSUPPORTED')),
    ]) {
      session.resolveProxy.mockResolvedValueOnce('PROXY proxy.corp.example:3128');
      answer();
      const typed = await transport('http://ann:pr0xy-pa55@proxy.corp.example:3128')
        .fetchFor('AUTH0_DOMAIN')('https://idp.example.com/x')
        .catch((error: unknown) => error);
      expect(typed).toBeInstanceOf(ProxyAuthenticationError);
      expect((typed as Error).message).toMatch(
        /^The proxy at proxy\.corp\.example:3128 asks to sign in \((HTTP 407 Proxy Authentication Required|ERR_PROXY_AUTH_UNSUPPORTED)\)\. The desktop app signs in to a proxy only with what the system gives it, not with a user name and password in PROXY: ask your IT team\.$/,
      );
      expect((typed as Error).message).not.toMatch(/pr0xy-pa55|ann/);
    }

    net.fetch.mockRejectedValueOnce(new TypeError('net::ERR_CERT_AUTHORITY_INVALID'));
    const untrusted = await fetch('https://idp.example.com/x').catch((error: unknown) => error);
    expect(untrusted).toBeInstanceOf(UntrustedCertificateError);
    expect((untrusted as Error).message).toContain(
      "install its root certificate in the system's certificate store",
    );
  });

  it('routeOf says the route Check connection shows', async () => {
    session.resolveProxy.mockResolvedValueOnce('HTTPS proxy.corp.example:443');
    expect(await transport().routeOf(new URL('https://api.example.com/'))).toMatchObject({
      kind: 'tunnel',
      proxy: { url: new URL('https://proxy.corp.example:443') },
    });
  });

  it.each([
    // The OS chose it (its proxy, a PAC script or WPAD: resolveProxy answers alike for all three).
    [
      'system',
      'PROXY pac-chosen.corp.example:8080',
      'via system proxy settings: pac-chosen.corp.example:8080',
    ],
    // PROXY named it: Chromium answers in the same format, but the setting is the app's own.
    [
      'http://ann:secret@proxy.corp.example:3128',
      'PROXY proxy.corp.example:3128',
      'via proxy proxy.corp.example:3128',
    ],
    ['system', 'DIRECT', 'direct'],
  ])('PROXY=%s, resolveProxy "%s": Check connection reads "%s"', async (proxy, answer, line) => {
    session.resolveProxy.mockResolvedValueOnce(answer);
    const route = await transport(proxy).routeOf(new URL('https://api.example.com/'));
    expect(describeRoute(route)).toBe(line);
  });
});
