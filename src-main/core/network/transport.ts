/**
 * The one way the core reaches the network: a fetch-shaped function per destination, handed in by the
 * host. The Node host (the preview, tests) builds it with node-transport.ts; the Electron host with
 * `net.fetch` after `session.resolveProxy` (Chromium's proxy, PAC and certificate store). Both apply
 * route-policy.ts before anything is sent.
 *
 * `FetchLike` is what openid-client v6 calls as `customFetch` (`(url: string, { method, headers, body,
 * redirect: 'manual', signal })`) and what axios's fetch adapter calls as `env.fetch` (`(Request,
 * { redirect? })`), so it takes both a URL with options and a `Request`.
 */
import type { Destination, Route } from './route-policy.ts';

export type { Destination };

export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

export interface Transport {
  /** The fetch for requests to where `destination`'s setting points; refusals name that setting. */
  fetchFor(destination: Destination): FetchLike;
  /** How a request to `url` would go (for Check connection): no credentials, so never refused. */
  routeOf(url: URL): Promise<Route>;
  /** Closes idle connections (and any proxy tunnels). */
  close(): Promise<void>;
}

/** A transport whose routes can be replaced while cores hold it (Settings → Network → Save). */
export interface ReplaceableTransport extends Transport {
  /** From now on requests go through `next`; the one before is closed. */
  replace(next: Transport): Promise<void>;
}

/**
 * Hands every request to the transport set last. The host gives cores this one, so a new proxy
 * setting takes effect at the next request without a new core (and without ending the session);
 * openid-client's configuration keeps the fetch it was given, which looks the transport up per call.
 */
export function replaceableTransport(initial: Transport): ReplaceableTransport {
  let current = initial;
  return {
    fetchFor: (destination) => (input, init) => current.fetchFor(destination)(input, init),
    routeOf: (url) => current.routeOf(url),
    async replace(next) {
      const previous = current;
      current = next;
      if (previous !== next) await previous.close();
    },
    close: () => current.close(),
  };
}

/**
 * Why a request could not be made, in words a person can act on. `code` is stable for mapping.
 * A TypeError, as the Fetch standard rejects for a network error: openid-client passes a TypeError
 * from `customFetch` through unchanged (anything else it wraps as ClientError "something went wrong"),
 * and axios's fetch adapter keeps its message.
 */
export class NetworkError extends TypeError {
  readonly code:
    | 'plaintext_proxy_refused'
    | 'proxy_auth_required'
    | 'proxy_unreachable'
    | 'proxy_refused'
    | 'certificate_untrusted';
  constructor(code: NetworkError['code'], message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'NetworkError';
    this.code = code;
  }
}

/** The route policy refused the request: it was not sent. */
export class RouteRefusedError extends NetworkError {
  constructor(message: string) {
    super('plaintext_proxy_refused', message);
    this.name = 'RouteRefusedError';
  }
}

/** The proxy answered 407: it wants credentials the app does not have (or refused the ones given). */
export class ProxyAuthenticationError extends NetworkError {
  /** `host:port`, never credentials. */
  readonly proxy: string;
  constructor(proxy: string, message: string) {
    super('proxy_auth_required', message);
    this.name = 'ProxyAuthenticationError';
    this.proxy = proxy;
  }
}

/** The proxy could not be reached, or refused to open the tunnel (a status other than 200 or 407). */
export class ProxyError extends NetworkError {
  readonly proxy: string;
  readonly status: number | undefined;
  constructor(
    code: 'proxy_unreachable' | 'proxy_refused',
    proxy: string,
    message: string,
    options?: ErrorOptions & { status?: number },
  ) {
    super(code, message, options);
    this.name = 'ProxyError';
    this.proxy = proxy;
    this.status = options?.status;
  }
}

/** The server's (or an https proxy's) certificate was not trusted: names who issued it and the fix. */
export class UntrustedCertificateError extends NetworkError {
  /** `host:port` that presented the certificate. */
  readonly host: string;
  /** The issuer of the top certificate presented (a TLS-inspecting proxy's root shows here). */
  readonly issuer: string;
  /** OpenSSL's or Node's reason (`UNABLE_TO_GET_ISSUER_CERT_LOCALLY`, `ERR_TLS_CERT_ALTNAME_INVALID`…). */
  readonly reason: string;
  constructor(host: string, issuer: string, reason: string, message: string) {
    super('certificate_untrusted', message);
    this.name = 'UntrustedCertificateError';
    this.host = host;
    this.issuer = issuer;
    this.reason = reason;
  }
}

/** The NetworkError `error` is or wraps (axios and openid-client keep it as a cause), if any. */
export function networkErrorIn(error: unknown): NetworkError | undefined {
  let current = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    if (current instanceof NetworkError) return current;
    current = current.cause;
  }
  return undefined;
}
