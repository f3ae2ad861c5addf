/**
 * The Node transport (the browser preview and the tests): a fetch-shaped function on undici's own
 * `fetch` that
 * - asks the route policy (route-policy.ts) about every request, and every redirect hop, before a byte
 *   is sent: loopback direct, https through a proxy only inside a CONNECT tunnel, no credential over
 *   plain HTTP through a proxy;
 * - goes through the proxy the settings name (`PROXY`, `HTTPS_PROXY` / `HTTP_PROXY` / `NO_PROXY`,
 *   proxy-settings.ts), with Basic credentials from the proxy URL;
 * - trusts Node's bundled roots, the roots in `NODE_EXTRA_CA_CERTS`, and the OS store
 *   (`tls.getCACertificates('system')`, Node ≥ 22.15, so every Node this project runs on);
 * - says which certificate was not trusted (its issuer) and how to fix it, and names the proxy when it
 *   wants credentials (407) or cannot be reached.
 *
 * Why not undici's EnvHttpProxyAgent: it decides direct-or-proxy inside the dispatcher with its own
 * NO_PROXY reading, which sends loopback through the proxy unless NO_PROXY lists it and matches a bare
 * domain exactly; the policy could not know the route it judged is the route taken. Here the policy's
 * route picks the dispatcher. Why own connectors: undici's ProxyAgent gives no hook to read the
 * certificate a tunnelled TLS handshake refused, and reports a 407 only as text.
 */
import { readFileSync } from 'node:fs';
import { connect as netConnect, isIP, type Socket } from 'node:net';
import {
  connect as tlsConnect,
  createSecureContext,
  getCACertificates,
  type DetailedPeerCertificate,
  type SecureContext,
  type TLSSocket,
} from 'node:tls';
import { Agent, Pool, fetch as undiciFetch, type Dispatcher } from 'undici';
import type { NamedProxy, ProxyConfig, ProxySetting } from './proxy-settings.ts';
import { effectivePort, proxyConfigFrom, proxyHopsFor, proxyLabel } from './proxy-settings.ts';
import type { Destination, Route } from './route-policy.ts';
import { decideRoute } from './route-policy.ts';
import type { FetchLike, Transport } from './transport.ts';
import {
  NetworkError,
  ProxyAuthenticationError,
  ProxyError,
  RouteRefusedError,
  UntrustedCertificateError,
} from './transport.ts';

export const CONNECT_TIMEOUT_MS = 10_000;
/** Redirects a `redirect: 'follow'` request may take (the Fetch standard's limit). */
const MAX_REDIRECTS = 20;
/** A CONNECT answer's head larger than this is not a proxy talking. */
const MAX_CONNECT_HEAD = 16 * 1024;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
/** Not carried to another origin by a followed redirect (the Fetch standard drops Authorization). */
const ORIGIN_BOUND_HEADERS = ['authorization', 'dpop', 'cookie'];

export interface NodeTransportOptions {
  /** Which proxy for which URL (`proxyConfigFrom(parseProxySetting(PROXY), process.env)`). */
  proxy: ProxyConfig;
  /** PEM roots to trust besides Node's, NODE_EXTRA_CA_CERTS's and the OS's (tests, a devstack CA). */
  extraCaCertificates?: readonly string[];
  /** Also trust the OS store. Default true. */
  systemCertificates?: boolean;
  connectTimeoutMs?: number;
  /**
   * Addresses for names, used instead of DNS for direct connections (benchmarks and tests that reach
   * a server under a company name without a hosts file, as the test proxy resolves it).
   */
  hosts?: Readonly<Record<string, string>>;
}

export interface NodeTransport extends Transport {
  /** How many roots are trusted, by source (Check connection can show it). */
  readonly trust: TrustSummary;
}

export interface TrustSummary {
  /** Node's bundled roots plus NODE_EXTRA_CA_CERTS (`tls.getCACertificates('default')`). */
  default: number;
  /** Of those, from NODE_EXTRA_CA_CERTS. */
  extra: number;
  system: number;
  given: number;
}

interface Trust {
  context: SecureContext;
  summary: TrustSummary;
}

/** Every root the transport trusts, in one secure context built once. */
export function buildTrust(
  options: Pick<NodeTransportOptions, 'extraCaCertificates' | 'systemCertificates'>,
): Trust {
  const defaults = getCACertificates('default');
  const system = options.systemCertificates === false ? [] : getCACertificates('system');
  const given = options.extraCaCertificates ?? [];
  const ca = [...new Set([...defaults, ...system, ...given])];
  return {
    context: createSecureContext({ ca }),
    summary: {
      default: defaults.length,
      extra: getCACertificates('extra').length,
      system: system.length,
      given: given.length,
    },
  };
}

interface Target {
  host: string;
  port: number;
  tls: boolean;
}

export function createNodeTransport(options: NodeTransportOptions): NodeTransport {
  // Built on the first TLS connection (about 0.1 s for ~1,000 roots), not when the host starts.
  let trust: Trust | undefined;
  const context = (): SecureContext => (trust ??= buildTrust(options)).context;
  const timeoutMs = options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS;
  const direct = new Agent({
    connect: (connectOptions, callback) => {
      openDirect(targetOf(connectOptions), context, timeoutMs, options.hosts).then(
        (socket) => callback(null, socket),
        (error: Error) => callback(error, null),
      );
    },
  });
  const viaProxy = new Map<string, { tunnel: Agent; forward: Dispatcher }>();

  function dispatchersFor(proxy: NamedProxy): { tunnel: Agent; forward: Dispatcher } {
    const key = `${proxy.setting} ${proxy.url.href}`;
    let entry = viaProxy.get(key);
    if (entry === undefined) {
      const tunnel = new Agent({
        connect: (connectOptions, callback) => {
          openThroughProxy(proxy, targetOf(connectOptions), context, timeoutMs).then(
            (socket) => callback(null, socket),
            (error: Error) => callback(error, null),
          );
        },
      });
      // Plain http through the proxy: the request line carries the absolute URL (RFC 9112 §3.2.2).
      const forward = new Pool(proxy.url.origin, {
        connect: (_connectOptions, callback) => {
          openToProxy(proxy, context, timeoutMs).then(
            (socket) => callback(null, socket),
            (error: Error) => callback(error, null),
          );
        },
      }).compose((dispatch) => (dispatchOptions, handler) => {
        const target = new URL(String(dispatchOptions.origin));
        const headers = headerPairs(dispatchOptions.headers).filter(
          ([name]) => !/^(host|proxy-authorization)$/i.test(name),
        );
        headers.push(['host', target.host]);
        const authorization = basicCredentials(proxy.url);
        if (authorization !== undefined) headers.push(['proxy-authorization', authorization]);
        return dispatch(
          {
            ...dispatchOptions,
            origin: proxy.url.origin,
            path: `${target.origin}${dispatchOptions.path}`,
            headers: headers.flat(),
          },
          failOnProxyAuthentication(handler, proxy),
        );
      });
      entry = { tunnel, forward };
      viaProxy.set(key, entry);
    }
    return entry;
  }

  function routeFor(request: Outgoing, destination: Destination): Route {
    return decideRoute(
      {
        url: request.url,
        method: request.method,
        headers: request.headers,
        body: request.body === undefined ? undefined : new TextDecoder().decode(request.body),
      },
      proxyHopsFor(request.url, options.proxy),
      destination,
    );
  }

  async function send(request: Outgoing, route: Route): Promise<Response> {
    const dispatcher =
      route.kind === 'tunnel'
        ? dispatchersFor(route.proxy).tunnel
        : route.kind === 'forward'
          ? dispatchersFor(route.proxy).forward
          : direct;
    let response;
    try {
      response = await undiciFetch(request.url, {
        method: request.method,
        headers: request.headers,
        body: request.body,
        redirect: 'manual',
        signal: request.signal,
        dispatcher,
      });
    } catch (error) {
      const cause = (error as { cause?: unknown }).cause;
      throw cause instanceof NetworkError ? cause : error;
    }
    return new Response(response.body as ReadableStream<Uint8Array> | null, {
      status: response.status,
      statusText: response.statusText,
      headers: [...response.headers],
    });
  }

  const fetchFor =
    (destination: Destination): FetchLike =>
    async (input, init) => {
      let request = await outgoing(input, init);
      for (let redirects = 0; ; redirects++) {
        const route = routeFor(request, destination);
        if (route.kind === 'refused') throw new RouteRefusedError(route.message);
        const response = await send(request, route);
        const location = response.headers.get('location');
        if (
          request.redirect === 'manual' ||
          !REDIRECT_STATUSES.has(response.status) ||
          location === null
        ) {
          return withUrl(response, request.url, redirects > 0);
        }
        await response.body?.cancel();
        if (request.redirect === 'error') throw new TypeError('fetch failed: redirected');
        if (redirects >= MAX_REDIRECTS) throw new TypeError('fetch failed: too many redirects');
        request = redirected(request, response.status, new URL(location, request.url));
      }
    };

  let closing: Promise<void> | undefined;
  return {
    get trust() {
      return (trust ??= buildTrust(options)).summary;
    },
    fetchFor,
    routeOf: async (url) => routeFor({ ...EMPTY_GET, url }, 'API_SERVER_URL'),
    // Once: a host closed twice (a test's afterAll after the test closed it, a quit during a
    // restart) must not ask undici to close a closed agent (it rejects: "The client is destroyed").
    close: () =>
      (closing ??= (async () => {
        const all: Dispatcher[] = [direct];
        for (const { tunnel, forward } of viaProxy.values()) all.push(tunnel, forward);
        viaProxy.clear();
        await Promise.all(all.map((dispatcher) => dispatcher.close()));
      })()),
  };
}

/**
 * The Node host's transports (the preview, tests): for a `PROXY` setting, the Node transport with the
 * proxies it and the environment (`HTTPS_PROXY`, `HTTP_PROXY`, `NO_PROXY`) name. Throws a ConfigError
 * naming the variable when one of them is not a proxy URL.
 */
export function nodeTransports(
  env: NodeJS.ProcessEnv,
  options: Omit<NodeTransportOptions, 'proxy'> = {},
): (proxy: ProxySetting) => NodeTransport {
  return (proxy) =>
    createNodeTransport({
      ...options,
      extraCaCertificates: [...(options.extraCaCertificates ?? []), ...extraCertificatesIn(env)],
      proxy: proxyConfigFrom(proxy, env),
    });
}

/**
 * The roots in the file NODE_EXTRA_CA_CERTS names in `env`. Node reads that variable once, when the
 * process starts (`tls.getCACertificates('extra')`); a host started with an environment of its own
 * (the preview's `env` option, tests) gets the same roots this way. An unreadable file adds nothing
 * (Node has already warned about it at start).
 */
function extraCertificatesIn(env: NodeJS.ProcessEnv): string[] {
  const file = env.NODE_EXTRA_CA_CERTS?.trim();
  if (!file) return [];
  try {
    return readFileSync(file, 'utf8').match(PEM_CERTIFICATE) ?? [];
  } catch {
    return [];
  }
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g;

/**
 * A request as the transport handles it: the body read once (so the policy can read it, and a
 * redirect resend it).
 */
interface Outgoing {
  url: URL;
  method: string;
  headers: Array<[string, string]>;
  body: Uint8Array | undefined;
  signal: AbortSignal | undefined;
  redirect: Request['redirect'];
}

const EMPTY_GET: Omit<Outgoing, 'url'> = {
  method: 'GET',
  headers: [],
  body: undefined,
  signal: undefined,
  redirect: 'manual',
};

/** Whatever openid-client or axios passes (a URL and options, or a Request), as one Outgoing. */
async function outgoing(
  input: string | URL | Request,
  init: RequestInit | undefined,
): Promise<Outgoing> {
  const request = new Request(input, init);
  return {
    url: new URL(request.url),
    method: request.method,
    headers: [...request.headers],
    body: request.body === null ? undefined : new Uint8Array(await request.arrayBuffer()),
    signal: request.signal,
    redirect: request.redirect,
  };
}

/**
 * The next hop of a followed redirect (Fetch standard §4.4: 303 → GET; credentials stay with their
 * origin).
 */
function redirected(request: Outgoing, status: number, next: URL): Outgoing {
  const toGet =
    (status === 303 && request.method !== 'HEAD') ||
    ((status === 301 || status === 302) && request.method === 'POST');
  const sameOrigin = next.origin === request.url.origin;
  const headers = request.headers.filter(([name]) => {
    const lower = name.toLowerCase();
    if (!sameOrigin && ORIGIN_BOUND_HEADERS.includes(lower)) return false;
    return !(toGet && (lower.startsWith('content-') || lower === 'transfer-encoding'));
  });
  return {
    ...request,
    url: next,
    method: toGet ? 'GET' : request.method,
    headers,
    body: toGet ? undefined : request.body,
  };
}

function withUrl(response: Response, url: URL, wasRedirected: boolean): Response {
  // A constructed Response has an empty url; callers (and openid-client's messages) may read it.
  Object.defineProperties(response, {
    url: { value: url.href },
    redirected: { value: wasRedirected },
  });
  return response;
}

function headerPairs(headers: Dispatcher.DispatchOptions['headers']): Array<[string, string]> {
  if (headers == null) return [];
  if (Array.isArray(headers)) {
    const pairs: Array<[string, string]> = [];
    for (let i = 0; i + 1 < headers.length; i += 2)
      pairs.push([String(headers[i]), String(headers[i + 1])]);
    return pairs;
  }
  const pairs: Array<[string, string]> = [];
  for (const [name, value] of Object.entries(headers as Record<string, unknown>)) {
    if (Array.isArray(value)) for (const item of value) pairs.push([name, String(item)]);
    else if (value !== undefined) pairs.push([name, String(value)]);
  }
  return pairs;
}

/**
 * A forwarding proxy's 407 arrives as a response, which undici's fetch turns into a bare "fetch
 * failed" (Fetch standard §4.6: no window to ask for credentials). Abort with the error that names the
 * proxy instead. The handler is patched in place, as undici's own proxy wrapper does: its methods
 * keep their `this`.
 */
function failOnProxyAuthentication(
  handler: Dispatcher.DispatchHandlers,
  proxy: NamedProxy,
): Dispatcher.DispatchHandlers {
  const { onConnect, onHeaders } = handler;
  let abort: ((error: Error) => void) | undefined;
  handler.onConnect = function (this: unknown, abortRequest, ...rest) {
    abort = abortRequest;
    return onConnect?.call(this, abortRequest, ...rest);
  };
  handler.onHeaders = function (this: unknown, statusCode, headers, resume, statusText) {
    if (statusCode === 407 && abort !== undefined) {
      const raw = (headers ?? []).map(String);
      const challenges = raw.filter(
        (_value, i) => i % 2 === 1 && /^proxy-authenticate$/i.test(raw[i - 1] ?? ''),
      );
      abort(proxyAuthenticationError(proxy, challenges.join(', ') || null));
      return false;
    }
    return onHeaders?.call(this, statusCode, headers, resume, statusText) ?? true;
  };
  return handler;
}

function targetOf(options: { hostname: string; protocol: string; port: string }): Target {
  const tls = options.protocol === 'https:';
  return {
    host: options.hostname.replace(/^\[|\]$/g, ''),
    port: options.port === '' ? (tls ? 443 : 80) : Number(options.port),
    tls,
  };
}

function authority({ host, port }: { host: string; port: number }): string {
  return `${isIP(host) === 6 ? `[${host}]` : host}:${port}`;
}

function basicCredentials(url: URL): string | undefined {
  if (url.username === '' && url.password === '') return undefined;
  const pair = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
  return `Basic ${Buffer.from(pair).toString('base64')}`;
}

async function openDirect(
  target: Target,
  context: () => SecureContext,
  timeoutMs: number,
  hosts: Readonly<Record<string, string>> | undefined,
): Promise<Socket> {
  const address = hosts?.[target.host.toLowerCase()];
  const socket = await openTcp(
    address === undefined ? target : { ...target, host: address },
    timeoutMs,
  );
  return target.tls
    ? secureSocket(socket, target, context(), timeoutMs, authority(target))
    : socket;
}

/** A connection to the proxy itself: TCP, or TLS verified like any server for an https:// proxy. */
async function openToProxy(
  proxy: NamedProxy,
  context: () => SecureContext,
  timeoutMs: number,
): Promise<Socket> {
  const target: Target = {
    host: proxy.url.hostname.replace(/^\[|\]$/g, ''),
    port: effectivePort(proxy.url),
    tls: proxy.url.protocol === 'https:',
  };
  let socket: Socket;
  try {
    socket = await openTcp(target, timeoutMs);
  } catch (error) {
    throw new ProxyError(
      'proxy_unreachable',
      proxyLabel(proxy.url),
      `The proxy at ${proxyLabel(proxy.url)} (${proxy.setting}) could not be reached: ${(error as Error).message}.`,
      { cause: error },
    );
  }
  return target.tls
    ? secureSocket(socket, target, context(), timeoutMs, `the proxy at ${proxyLabel(proxy.url)}`)
    : socket;
}

/** A CONNECT tunnel through the proxy to `target` (RFC 9110 §9.3.6), then TLS to the target inside it. */
async function openThroughProxy(
  proxy: NamedProxy,
  target: Target,
  context: () => SecureContext,
  timeoutMs: number,
): Promise<Socket> {
  const socket = await openToProxy(proxy, context, timeoutMs);
  try {
    const lines = [`CONNECT ${authority(target)} HTTP/1.1`, `Host: ${authority(target)}`];
    const authorization = basicCredentials(proxy.url);
    if (authorization !== undefined) lines.push(`Proxy-Authorization: ${authorization}`);
    const answer = await exchangeHead(socket, `${lines.join('\r\n')}\r\n\r\n`, timeoutMs);
    if (answer.status === 407) throw proxyAuthenticationError(proxy, answer.authenticate);
    if (answer.status < 200 || answer.status > 299) {
      throw new ProxyError(
        'proxy_refused',
        proxyLabel(proxy.url),
        `The proxy at ${proxyLabel(proxy.url)} (${proxy.setting}) refused to connect to ${authority(target)} (HTTP ${answer.status}).`,
        { status: answer.status },
      );
    }
  } catch (error) {
    socket.destroy();
    throw error;
  }
  return target.tls
    ? secureSocket(socket, target, context(), timeoutMs, authority(target))
    : socket;
}

/** Writes `head` and reads the answer's status line and headers; the socket is left paused after them. */
function exchangeHead(
  socket: Socket,
  head: string,
  timeoutMs: number,
): Promise<{ status: number; authenticate: string | null }> {
  return new Promise((resolve, reject) => {
    let received = Buffer.alloc(0);
    const timer = setTimeout(
      () => finish(new Error('the proxy did not answer CONNECT in time')),
      timeoutMs,
    );
    const finish = (
      error: Error | undefined,
      value?: { status: number; authenticate: string | null },
    ) => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('error', finish);
      socket.off('close', onClose);
      if (error) reject(error);
      else if (value) resolve(value);
    };
    const onClose = () => finish(new Error('the proxy closed the connection'));
    const onData = (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const end = received.indexOf('\r\n\r\n');
      if (end === -1) {
        if (received.length > MAX_CONNECT_HEAD)
          finish(new Error('the proxy sent an oversized answer'));
        return;
      }
      socket.pause();
      // The target speaks first only after our TLS ClientHello: anything more now is not a proxy.
      if (received.length > end + 4) {
        finish(new Error('the proxy sent data before the tunnel was used'));
        return;
      }
      const lines = received.subarray(0, end).toString('latin1').split('\r\n');
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '');
      if (!status) {
        finish(new Error('the proxy did not answer in HTTP'));
        return;
      }
      const authenticate = lines
        .filter((line) => /^proxy-authenticate:/i.test(line))
        .map((line) => line.slice(line.indexOf(':') + 1).trim())
        .join(', ');
      finish(undefined, { status: Number(status[1]), authenticate: authenticate || null });
    };
    socket.on('data', onData);
    socket.once('error', finish);
    socket.once('close', onClose);
    socket.write(head);
  });
}

function proxyAuthenticationError(
  proxy: NamedProxy,
  authenticate: string | null,
): ProxyAuthenticationError {
  const label = proxyLabel(proxy.url);
  const schemes = (authenticate ?? '')
    .split(/,\s*(?=[A-Za-z][\w-]*(?:\s|$))/)
    .map((challenge) => challenge.trim().split(/\s+/)[0] ?? '')
    .filter((scheme) => scheme !== '');
  const basic = schemes.length === 0 || schemes.some((scheme) => /^basic$/i.test(scheme));
  const hasCredentials = proxy.url.username !== '' || proxy.url.password !== '';
  const message = hasCredentials
    ? `The proxy at ${label} did not accept the user name and password in ${proxy.setting} (HTTP 407 Proxy Authentication Required).`
    : basic
      ? `The proxy at ${label} asks for a user name and password (HTTP 407 Proxy Authentication Required): put them in ${proxy.setting} as http://user:password@${label}.`
      : `The proxy at ${label} asks to sign in with ${schemes.join(', ')} (HTTP 407 Proxy Authentication Required), which this app can only answer with a user name and password in ${proxy.setting}.`;
  return new ProxyAuthenticationError(label, message);
}

function openTcp(target: Target, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = netConnect({ host: target.host, port: target.port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(
        Object.assign(new Error(`connect ETIMEDOUT ${authority(target)}`), { code: 'ETIMEDOUT' }),
      );
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.off('error', onError);
      socket.setNoDelay(true);
      socket.setKeepAlive(true, 60_000);
      resolve(socket);
    });
    const onError = (error: Error) => {
      clearTimeout(timer);
      reject(error);
    };
    socket.once('error', onError);
  });
}

/**
 * TLS over `socket`, verified against `context`. `rejectUnauthorized: false` only so that a refused
 * certificate can still be read for the message: a connection is handed on only when Node says it is
 * `authorized` (chain and host name, tls.checkServerIdentity), and destroyed otherwise.
 */
function secureSocket(
  socket: Socket,
  target: Target,
  context: SecureContext,
  timeoutMs: number,
  who: string,
): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const tlsSocket = tlsConnect({
      socket,
      host: target.host,
      servername: isIP(target.host) === 0 ? target.host : undefined,
      secureContext: context,
      rejectUnauthorized: false,
      ALPNProtocols: ['http/1.1'],
    });
    const timer = setTimeout(() => {
      tlsSocket.destroy();
      reject(
        Object.assign(new Error(`TLS handshake with ${who} timed out`), { code: 'ETIMEDOUT' }),
      );
    }, timeoutMs);
    const onError = (error: Error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(error);
    };
    tlsSocket.once('error', onError);
    tlsSocket.once('secureConnect', () => {
      clearTimeout(timer);
      tlsSocket.off('error', onError);
      if (tlsSocket.authorized) {
        resolve(tlsSocket);
        return;
      }
      const error = untrustedCertificate(
        who,
        tlsSocket.getPeerCertificate(true),
        String(tlsSocket.authorizationError),
      );
      tlsSocket.destroy();
      reject(error);
    });
  });
}

/** The issuer named in the top certificate of the chain the server presented. */
function chainIssuer(certificate: DetailedPeerCertificate): string {
  let top = certificate;
  for (let depth = 0; depth < 10; depth++) {
    const next = top.issuerCertificate as DetailedPeerCertificate | undefined;
    if (next === undefined || next === top || next.fingerprint256 === top.fingerprint256) break;
    top = next;
  }
  const name = (field: string | string[] | undefined) =>
    Array.isArray(field) ? field.join(', ') : field;
  const common = name(top.issuer?.CN);
  const organisation = name(top.issuer?.O);
  if (common && organisation && !common.includes(organisation))
    return `${common} (${organisation})`;
  return common ?? organisation ?? 'an unnamed issuer';
}

const UNTRUSTED_ISSUER = new Set([
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_UNTRUSTED',
]);

function untrustedCertificate(
  who: string,
  certificate: DetailedPeerCertificate,
  reason: string,
): UntrustedCertificateError {
  const issuer = chainIssuer(certificate);
  const subject = `The certificate of ${who}`;
  let message: string;
  if (UNTRUSTED_ISSUER.has(reason)) {
    message = `${subject} is issued by "${issuer}", which this computer does not trust. If your company inspects encrypted traffic, install its root certificate ("${issuer}") in the system's certificate store, or put it in a PEM file named by NODE_EXTRA_CA_CERTS, then start the app again.`;
  } else if (reason === 'CERT_HAS_EXPIRED') {
    message = `${subject} (issued by "${issuer}") expired on ${certificate.valid_to}.`;
  } else if (reason === 'CERT_NOT_YET_VALID') {
    message = `${subject} (issued by "${issuer}") is not valid before ${certificate.valid_from}: check this computer's clock.`;
  } else if (reason === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    message = `${subject} (issued by "${issuer}") is for other names (${certificate.subjectaltname ?? certificate.subject?.CN ?? 'none'}).`;
  } else {
    message = `${subject} (issued by "${issuer}") was not accepted: ${reason}.`;
  }
  return new UntrustedCertificateError(who, issuer, reason, message);
}
