/**
 * The route policy: for one outgoing request and the proxies the settings (or the OS, or a PAC script)
 * offer for its URL, how it may go, decided before a byte is sent. Pure; every transport (Node's, and
 * Electron's `net.fetch` after `session.resolveProxy`) asks it first and obeys.
 *
 * 1. Loopback hosts (`127.0.0.0/8`, `::1`, `localhost`) always go direct: the built-in provider, the
 *    loopback API and the callback receiver are on this machine, and a proxy would see their
 *    plain-HTTP tokens (RFC 8252 §8.3 allows plain HTTP for loopback only because it stays here).
 * 2. An `https:` request through a proxy goes only as a CONNECT tunnel: the proxy sees the host name
 *    and port, TLS hides the rest (RFC 9110 §9.3.6).
 * 3. A plain `http:` request through a proxy shows the proxy every byte. One that carries a credential
 *    (an `Authorization`, `DPoP` or `Cookie` header; a token, code, device code, verifier or secret
 *    in its URL or body; anything redaction would hide) is refused, naming the setting to change
 *    (RFC 6750 §5.3: bearer tokens only over TLS). A plain request with nothing secret may go.
 */
import { isLoopbackHost } from '../config.ts';
import { SECRET_KEY, redactString } from '../redact.ts';
import type { NamedProxy, ProxyHop } from './proxy-settings.ts';
import { proxyLabel } from './proxy-settings.ts';

/** The setting that names where a request goes; a refusal names it. */
export type Destination = 'AUTH0_DOMAIN' | 'API_SERVER_URL' | 'UPDATE_FEED_URL';

/** How the Settings page and messages call each destination's setting. */
export const DESTINATION_LABEL: Readonly<Record<Destination, string>> = Object.freeze({
  AUTH0_DOMAIN: 'The Domain',
  API_SERVER_URL: 'The API server URL',
  UPDATE_FEED_URL: 'The update feed URL',
});

/** What the policy reads of a request: its URL, method, headers and body as text (if any). */
export interface RequestView {
  url: URL;
  method: string;
  headers: Iterable<[string, string]>;
  /** The body as sent, decoded as UTF-8; undefined when there is none. */
  body: string | undefined;
}

export type Route =
  | { kind: 'direct'; reason: 'loopback' | 'no proxy' }
  /** https through the proxy's CONNECT tunnel. */
  | { kind: 'tunnel'; proxy: NamedProxy }
  /** Plain http through the proxy (nothing secret in it). */
  | { kind: 'forward'; proxy: NamedProxy }
  | { kind: 'refused'; message: string };

/** Headers that carry a credential whatever their value looks like. */
const CREDENTIAL_HEADERS = new Set(['authorization', 'dpop', 'cookie', 'proxy-authorization']);
/** Longer bodies are not inspected: they count as carrying a credential (fail closed). */
const MAX_INSPECTED_BODY = 4096;

/**
 * True when the request carries something a proxy must not read: a credential header, a secret-named
 * header, URL parameter or body member, a JWT anywhere, or a body too long to inspect. "Secret" is
 * what log redaction (redact.ts) hides, so the two can never disagree about what a secret looks like.
 */
export function carriesCredential(request: RequestView): boolean {
  for (const [name, value] of request.headers) {
    const lower = name.toLowerCase();
    if (CREDENTIAL_HEADERS.has(lower) || SECRET_KEY.test(lower)) return true;
    if (redactString(value) !== value) return true;
  }
  if (redactString(request.url.href) !== request.url.href) return true;
  const body = request.body;
  if (body === undefined || body === '') return false;
  return body.length > MAX_INSPECTED_BODY || redactString(body) !== body;
}

/**
 * How `request` goes, given the proxies offered for its URL in order (`proxyHopsFor` for settings and
 * the environment, `parsePacResult` for the OS or a PAC script). `bypassSetting` is what the person
 * can add the host to instead of using https (`NO_PROXY` in Node; the OS's bypass list in Electron).
 */
export function decideRoute(
  request: RequestView,
  hops: readonly ProxyHop[],
  destination: Destination,
  bypassSetting = 'NO_PROXY',
): Route {
  const { url } = request;
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return {
      kind: 'refused',
      message: `${DESTINATION_LABEL[destination]} must be an http:// or https:// URL (got ${url.protocol}).`,
    };
  }
  if (isLoopbackHost(url.hostname)) return { kind: 'direct', reason: 'loopback' };
  const first = hops[0] ?? { kind: 'direct' };
  if (url.protocol === 'https:') {
    return first.kind === 'direct'
      ? { kind: 'direct', reason: 'no proxy' }
      : { kind: 'tunnel', proxy: first.proxy };
  }
  // A PAC list falls back from one entry to the next: any proxy in it may end up carrying the request.
  if (hops.some((hop) => hop.kind === 'proxy') && carriesCredential(request)) {
    return {
      kind: 'refused',
      message: `${DESTINATION_LABEL[destination]} is http:// and a proxy is in use: use https:// or add its host to ${bypassSetting}`,
    };
  }
  return first.kind === 'direct'
    ? { kind: 'direct', reason: 'no proxy' }
    : { kind: 'forward', proxy: first.proxy };
}

/**
 * One line for Check connection: "direct", "direct (loopback)", "via proxy host:port" (a proxy the
 * settings name: PROXY, HTTPS_PROXY, HTTP_PROXY) or "via system proxy settings: host:port" (one the
 * OS chose in Electron, by its proxy settings, a PAC script or WPAD: Chromium does not say which).
 */
export function describeRoute(route: Route): string {
  switch (route.kind) {
    case 'direct':
      return route.reason === 'loopback' ? 'direct (loopback)' : 'direct';
    case 'tunnel':
    case 'forward':
      return route.proxy.setting === 'the system proxy settings'
        ? `via system proxy settings: ${proxyLabel(route.proxy.url)}`
        : `via proxy ${proxyLabel(route.proxy.url)}`;
    case 'refused':
      return `not sent: ${route.message}`;
  }
}
