/**
 * The Electron app's transport (issue 18): every request of the core through Electron's `net.fetch`
 * (a session's `fetch`), i.e. Chromium's network stack: the system's proxy settings, PAC scripts and
 * WPAD, and the OS certificate store (a company's TLS-inspecting root there is trusted). Before a
 * byte is sent, the route Chromium will take (`session.resolveProxy(url)`, a PAC-format answer) is read and
 * the route policy (core/network/route-policy.ts) has its say: https through a proxy only as a
 * tunnel, never a credential over plain http through one, loopback direct.
 *
 * The `PROXY` setting becomes the session's proxy configuration: `system` (Chromium's own reading of
 * the OS), `none` (direct), or a fixed proxy. Thin on purpose: the decisions are the policy's; the
 * wiring is typed against electron.d.ts and unit-tested with a fake that follows its documented
 * behaviour (test/unit/electron-net-transport.test.ts).
 */
import type { ProxyConfig, Session } from 'electron';
import type { ProxySetting } from '../core/network/proxy-settings.ts';
import { parsePacResult, proxyLabel } from '../core/network/proxy-settings.ts';
import { decideRoute, type Route } from '../core/network/route-policy.ts';
import {
  ProxyAuthenticationError,
  ProxyError,
  RouteRefusedError,
  UntrustedCertificateError,
  type FetchLike,
  type Transport,
} from '../core/network/transport.ts';

/** Where Chromium's proxy exceptions are set: what a refusal tells the person to change. */
const BYPASS_SETTING = "the system's proxy exceptions";

export interface ElectronTransportOptions {
  /**
   * The session whose `fetch` (Chromium's stack: `net.fetch` is `session.defaultSession.fetch`) and
   * proxy configuration the transport uses: the default session for the app's requests, a session
   * of its own for Check connection (its proxy as typed must not change the app's).
   */
  session: Pick<Session, 'fetch' | 'resolveProxy' | 'setProxy' | 'closeAllConnections'>;
  proxy: ProxySetting;
}

/** The session's proxy configuration for a `PROXY` setting (credentials never go into it). */
export function proxyConfigFor(setting: ProxySetting): ProxyConfig {
  if (setting.kind === 'system') return { mode: 'system' };
  if (setting.kind === 'none') return { mode: 'direct' };
  const { protocol, hostname, port } = setting.url;
  const host = port === '' ? hostname : `${hostname}:${port}`;
  return { mode: 'fixed_servers', proxyRules: `${protocol}//${host}` };
}

export function createElectronTransport(options: ElectronTransportOptions): Transport {
  const { session } = options;
  // Every request waits for the session to have the setting's proxy configuration.
  const configured = session.setProxy(proxyConfigFor(options.proxy));
  // What chose the proxies resolveProxy names: PROXY's own URL, or the OS (its proxy, PAC script or
  // WPAD; Chromium does not say which).
  const proxySource = options.proxy.kind === 'url' ? 'PROXY' : 'the system proxy settings';

  async function routeFor(
    url: URL,
    request: { method: string; headers: Iterable<[string, string]>; body: string | undefined },
    destination: Parameters<Transport['fetchFor']>[0],
  ): Promise<Route> {
    await configured;
    const hops = parsePacResult(await session.resolveProxy(url.href), proxySource);
    const route = decideRoute({ url, ...request }, hops, destination, BYPASS_SETTING);
    // Loopback must stay here: Chromium bypasses proxies for it unless an exception list says
    // `<-loopback>`; if its answer names a proxy anyway, nothing is sent.
    if (route.kind === 'direct' && route.reason === 'loopback' && hops[0]?.kind === 'proxy')
      return {
        kind: 'refused',
        message: `${url.host} is on this computer, but the system's proxy settings send it through a proxy: remove "<-loopback>" from ${BYPASS_SETTING}.`,
      };
    return route;
  }

  const fetchFor =
    (destination: Parameters<Transport['fetchFor']>[0]): FetchLike =>
    async (input, init) => {
      const request = new Request(input, init);
      const body = request.body === null ? undefined : new Uint8Array(await request.arrayBuffer());
      const url = new URL(request.url);
      const route = await routeFor(
        url,
        {
          method: request.method,
          headers: [...request.headers],
          body: body === undefined ? undefined : new TextDecoder().decode(body),
        },
        destination,
      );
      if (route.kind === 'refused') throw new RouteRefusedError(route.message);
      let response: Response;
      try {
        response = await session.fetch(url.href, {
          method: request.method,
          headers: request.headers,
          ...(body === undefined ? {} : { body }),
          // The core never follows a redirect (openid-client and axios ask for 'manual', Check
          // connection for 'error'): a followed hop would skip the route check above.
          redirect: request.redirect === 'error' ? 'error' : 'manual',
          signal: request.signal,
          bypassCustomProtocolHandlers: true,
        });
      } catch (error) {
        throw chromiumFailure(error, url, route, options.proxy);
      }
      if (response.status === 407 && (route.kind === 'tunnel' || route.kind === 'forward')) {
        await response.body?.cancel();
        const label = proxyLabel(route.proxy.url);
        throw new ProxyAuthenticationError(
          label,
          proxySignInMessage(label, 'HTTP 407 Proxy Authentication Required', options.proxy),
        );
      }
      return response;
    };

  return {
    fetchFor,
    routeOf: (url) =>
      routeFor(url, { method: 'GET', headers: [], body: undefined }, 'API_SERVER_URL'),
    close: () => session.closeAllConnections(),
  };
}

/**
 * A proxy that wants to be signed in to. Chromium's stack answers it only from the system: `net.fetch`
 * gives its request no `login` listener, so the challenge is cancelled and the app 'login' event
 * (webContents and utility processes only) never fires. A user name and password in PROXY therefore
 * cannot be passed on here, and the message says so instead of suggesting they were tried.
 */
function proxySignInMessage(proxy: string, reason: string, setting: ProxySetting): string {
  const typed =
    setting.kind === 'url' && (setting.url.username !== '' || setting.url.password !== '');
  return typed
    ? `The proxy at ${proxy} asks to sign in (${reason}). The desktop app signs in to a proxy only with what the system gives it, not with a user name and password in PROXY: ask your IT team.`
    : `The proxy at ${proxy} asks to sign in (${reason}) and the system gave the app no credentials for it: ask your IT team.`;
}

/**
 * Chromium's network error (net.fetch rejects with its name, e.g. `net::ERR_CERT_AUTHORITY_INVALID`)
 * in the same words and classes as the Node transport's, so the core maps both alike.
 */
function chromiumFailure(error: unknown, url: URL, route: Route, setting: ProxySetting): unknown {
  const text = error instanceof Error ? error.message : String(error);
  const name = /net::(ERR_[A-Z_]+)/.exec(text)?.[1];
  if (name === undefined) return error;
  const proxy =
    route.kind === 'tunnel' || route.kind === 'forward' ? proxyLabel(route.proxy.url) : undefined;
  if (/^ERR_CERT_/.test(name))
    return new UntrustedCertificateError(
      url.host,
      'unknown',
      name,
      `The certificate of ${url.host} was not accepted (${name}). If your company inspects encrypted traffic, install its root certificate in the system's certificate store, then start the app again.`,
    );
  if (proxy && /^ERR_PROXY_AUTH/.test(name))
    return new ProxyAuthenticationError(proxy, proxySignInMessage(proxy, name, setting));
  if (proxy && /^ERR_(PROXY_CONNECTION_FAILED|TUNNEL_CONNECTION_FAILED|MANDATORY_PROXY)/.test(name))
    return new ProxyError(
      name === 'ERR_TUNNEL_CONNECTION_FAILED' ? 'proxy_refused' : 'proxy_unreachable',
      proxy,
      `The proxy at ${proxy} could not connect the app to ${url.host} (${name}).`,
    );
  return error;
}
