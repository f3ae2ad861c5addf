/**
 * Check connection: what can be known about a provider and an API without signing in, each result
 * one line, passed or failed, with the reason.
 *
 *   Discovery                 the OpenID configuration answers and names the issuer that was typed
 *   Authorization code + PKCE `code` responses and S256 (RFC 7636; RFC 8252 §8.1 requires PKCE)
 *   Refresh tokens            the token endpoint knows the client and takes refresh tokens: a made-up
 *                             refresh token must be refused as `invalid_grant` (not `invalid_client`
 *                             or `unauthorized_client`); nothing is issued
 *   Revocation                a revocation endpoint (RFC 7009) that revokes for a public client: a
 *                             made-up token must be answered 200, not 401 (client authentication
 *                             required: Log Out could not end a refresh token there)
 *   Logout                    an end_session_endpoint, or Auth0's /v2/logout
 *   Signing keys (JWKS)       the JWKS answers with at least one signing key
 *   Hello World API           GET {API}/api/messages/public answers { text }
 *
 * Every request has its own 10 s bound (AbortSignal.timeout), so the whole check ends within about
 * 20 s however the servers behave (discovery, then the rest side by side). Nothing here sends a token
 * or a secret; answers are only read for the fields named above.
 *
 * A hostile discovery document must not make this an SSRF or port-scan tool (N6): every discovered
 * endpoint follows the sign-in's rule (endpoint-rules.ts: https; http only when issuer and endpoint
 * are both loopback) before anything is sent to it; the provider's own words (status,
 * error_description, key algorithms) are echoed only from the issuer's own host; a network failure at
 * any other host is one generic "could not be reached". A failed prerequisite (discovery) marks the
 * lines that need it "skipped", not failed; a network failure at a host the person typed says why in
 * plain words, with the code (ECONNREFUSED, ENOTFOUND) beside it.
 */
import type { ConnectionCheckLine } from '../../src-preload/contract.ts';
import type { AppConfig } from './config.ts';
import { endpointRefusal } from './endpoint-rules.ts';
import { describeRoute } from './network/route-policy.ts';
import { networkErrorIn, type FetchLike, type Transport } from './network/transport.ts';
import { PROVIDER_TIMEOUT_SECONDS } from './oidc.ts';
import { isAuth0Domain } from './registration.ts';

export const CHECK_TIMEOUT_MS = PROVIDER_TIMEOUT_SECONDS * 1000;
/** Answers larger than this are not read (a discovery document or a JWKS is a few kB). */
const MAX_ANSWER_BYTES = 512 * 1024;

export const CHECK_NAMES = {
  discovery: 'Discovery',
  code: 'Authorization code with PKCE (S256)',
  refresh: 'Refresh tokens',
  revocation: 'Revocation',
  logout: 'Logout',
  jwks: 'Signing keys (JWKS)',
  api: 'Hello World API',
} as const;

/** The line Check connection starts with when the proxy settings themselves cannot be used. */
export const PROXY_SETTINGS_CHECK = 'Proxy settings';

/** That line: failed, with what is wrong and what the app does instead. */
export function proxySettingsLine(problem: string): ConnectionCheckLine {
  return { name: PROXY_SETTINGS_CHECK, passed: false, detail: problem };
}

type Metadata = Record<string, unknown>;

class CheckFailure extends Error {
  /** The network error's code (ECONNREFUSED, ENOTFOUND, timeout), shown in small print. */
  readonly code: string | undefined;
  constructor(message: string, code?: string) {
    super(message);
    this.code = code;
  }
}

export interface ConnectionCheckOptions {
  /** Per request, default 10 s. */
  timeoutMs?: number;
}

/** Every request goes through `transport`, the way the sign-in's and the API calls' would. */
export async function checkConnection(
  config: AppConfig,
  transport: Transport,
  options: ConnectionCheckOptions = {},
): Promise<ConnectionCheckLine[]> {
  const timeoutMs = options.timeoutMs ?? CHECK_TIMEOUT_MS;
  // The hosts the person typed: a failure there may say why; anywhere else it says only that.
  const typed = new Set([config.issuer.host, config.apiServerUrl.host]);
  const request = (url: URL | string, init: RequestInit = {}) => {
    const target = new URL(url);
    const fetch = transport.fetchFor(
      target.origin === config.apiServerUrl.origin ? 'API_SERVER_URL' : 'AUTH0_DOMAIN',
    );
    return fetchBounded(fetch, target, init, timeoutMs, typed.has(target.host));
  };
  /** A line whose request goes to `url`, with the route it takes ("direct", "via proxy host:port"). */
  const routed = async (
    url: unknown,
    pending: Promise<ConnectionCheckLine>,
  ): Promise<ConnectionCheckLine> => {
    const [result, route] = await Promise.all([pending, routeTo(transport, url)]);
    return route === undefined ? result : { ...result, route };
  };
  const api = routed(
    apiMessageUrl(config.apiServerUrl),
    line(CHECK_NAMES.api, () => checkApi(config.apiServerUrl, request)),
  );
  const discovery = await line(CHECK_NAMES.discovery, async () => {
    const metadata = await discover(config.issuer, request);
    return {
      detail: `${String(metadata.issuer)} answered with its OpenID configuration.`,
      metadata,
    };
  });
  const metadata = discovery.metadata;
  const needsDiscovery = (name: string) => skipped(name, 'Skipped: discovery failed.');
  const refresh = metadata
    ? routed(
        metadata.token_endpoint,
        line(CHECK_NAMES.refresh, () => checkRefresh(config, metadata, request)),
      )
    : undefined;
  const rest: Array<Promise<ConnectionCheckLine> | ConnectionCheckLine> =
    metadata && refresh
      ? [
          line(CHECK_NAMES.code, async () => ({
            detail: `${checkCodeFlow(config.issuer, metadata)} ${AUDIENCE_SENT_AS[config.resourceParameter]}`,
          })),
          refresh,
          // A client the token endpoint does not know is refused everywhere: one reason, on one line.
          refresh.then((result) =>
            result.detail.startsWith(UNKNOWN_CLIENT)
              ? skipped(CHECK_NAMES.revocation, 'Skipped: the Client ID is not known.')
              : routed(
                  metadata.revocation_endpoint,
                  line(CHECK_NAMES.revocation, () => checkRevocation(config, metadata, request)),
                ),
          ),
          line(CHECK_NAMES.logout, async () => ({ detail: checkLogout(config.issuer, metadata) })),
          routed(
            metadata.jwks_uri,
            line(CHECK_NAMES.jwks, () => checkJwks(config.issuer, metadata, request)),
          ),
        ]
      : [
          CHECK_NAMES.code,
          CHECK_NAMES.refresh,
          CHECK_NAMES.revocation,
          CHECK_NAMES.logout,
          CHECK_NAMES.jwks,
        ].map(needsDiscovery);
  const lines = await Promise.all([...rest, api]);
  const discoveryRoute = await routeTo(transport, discoveryUrl(config.issuer));
  return [
    strip(discoveryRoute === undefined ? discovery : { ...discovery, route: discoveryRoute }),
    ...lines.map(strip),
  ];
}

function skipped(name: string, detail: string): ConnectionCheckLine {
  return { name, passed: false, skipped: true, detail };
}

async function line<T extends { detail: string }>(
  name: string,
  run: () => Promise<T>,
): Promise<ConnectionCheckLine & Partial<T>> {
  try {
    const result = await run();
    return { ...result, name, passed: true };
  } catch (error) {
    const code = error instanceof CheckFailure ? error.code : undefined;
    return {
      name,
      passed: false,
      detail: reasonOf(error),
      ...(code ? { code } : {}),
    } as ConnectionCheckLine & Partial<T>;
  }
}

function strip(result: ConnectionCheckLine): ConnectionCheckLine {
  return {
    name: result.name,
    passed: result.passed,
    detail: result.detail,
    ...(result.skipped ? { skipped: true } : {}),
    ...(result.code ? { code: result.code } : {}),
    ...(result.route ? { route: result.route } : {}),
  };
}

/** How a request to `url` would go, in Check connection's words; undefined for no usable URL. */
async function routeTo(transport: Transport, url: unknown): Promise<string | undefined> {
  const target = url instanceof URL ? url : typeof url === 'string' ? URL.parse(url) : null;
  if (target === null) return undefined;
  try {
    return describeRoute(await transport.routeOf(target));
  } catch {
    return undefined;
  }
}

function discoveryUrl(issuer: URL): URL {
  return new URL(`${issuer.href.replace(/\/+$/, '')}/.well-known/openid-configuration`);
}

function apiMessageUrl(apiServerUrl: URL): URL {
  return new URL(
    'api/messages/public',
    apiServerUrl.href.endsWith('/') ? apiServerUrl : `${apiServerUrl.href}/`,
  );
}

/**
 * A network failure in a person's words. Only for a host the person typed: anywhere else the
 * difference between "refused" and "no answer" would tell a hostile discovery document which ports
 * of another host are open.
 */
function networkFailure(host: string, error: unknown, timeoutMs: number, typed: boolean) {
  // The transport's words: about the proxy (which the person set) or a request it did not send, they
  // tell nothing about another host's ports; about a certificate, only at a typed host.
  const network = networkErrorIn(error);
  if (network && (typed || network.code !== 'certificate_untrusted'))
    return new CheckFailure(network.message, network.code);
  if (!typed) return new CheckFailure(`${host} could not be reached.`);
  if (error instanceof Error && error.name === 'TimeoutError')
    return new CheckFailure(
      `${host} could not be reached: timed out after ${timeoutMs / 1000} s.`,
      'timeout',
    );
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const code = cause?.code;
  const why =
    code === 'ENOTFOUND' || code === 'EAI_AGAIN'
      ? 'no such host: check the spelling'
      : code === 'ECONNREFUSED'
        ? 'connection refused'
        : code === 'ECONNRESET' || code === 'UND_ERR_SOCKET'
          ? 'the connection was closed before an answer'
          : code && /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/.test(code)
            ? 'its certificate is not trusted'
            : 'no answer';
  return new CheckFailure(`${host} could not be reached: ${why}.`, code);
}

type Request = (
  url: URL | string,
  init?: RequestInit,
) => Promise<{ status: number; body: unknown; text: string }>;

async function fetchBounded(
  fetch: FetchLike,
  target: URL,
  init: RequestInit,
  timeoutMs: number,
  typed: boolean,
): Promise<{ status: number; body: unknown; text: string }> {
  let response: Response;
  try {
    response = await fetch(target, {
      ...init,
      redirect: 'error',
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    throw networkFailure(target.host, error, timeoutMs, typed);
  }
  const declared = Number(response.headers.get('content-length') ?? 0);
  if (declared > MAX_ANSWER_BYTES)
    throw new CheckFailure(`${target.host} answered with ${declared} bytes, too much to be this.`);
  let text: string;
  try {
    text = await response.text();
  } catch {
    throw new CheckFailure(
      `${target.host} did not finish its answer within ${timeoutMs / 1000} s.`,
    );
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: response.status, body, text };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Same issuer whether or not one of them ends in "/" (Auth0's does, many others' do not). */
function sameIssuer(a: string, b: string): boolean {
  return a.replace(/\/+$/, '') === b.replace(/\/+$/, '');
}

async function discover(issuer: URL, request: Request): Promise<Metadata> {
  const url = discoveryUrl(issuer);
  const answer = await request(url);
  if (answer.status !== 200)
    throw new CheckFailure(`${url.href} answered HTTP ${answer.status}; is the Domain right?`);
  if (!isObject(answer.body))
    throw new CheckFailure(`${url.href} did not answer with a JSON document.`);
  const stated = answer.body.issuer;
  if (typeof stated !== 'string')
    throw new CheckFailure('The OpenID configuration names no issuer.');
  if (!sameIssuer(stated, issuer.href))
    throw new CheckFailure(
      `The provider says its issuer is ${stated}, not ${issuer.href}: use that as the Domain.`,
    );
  return answer.body;
}

function list(metadata: Metadata, name: string): string[] | undefined {
  const value = metadata[name];
  return Array.isArray(value)
    ? value.filter((item): item is string => typeof item === 'string')
    : undefined;
}

/** A discovered endpoint the sign-in would use: present, and allowed by its rule (endpoint-rules.ts). */
function endpoint(metadata: Metadata, name: string, missing: string, issuer: URL): string {
  const value = metadata[name];
  if (typeof value !== 'string' || !URL.canParse(value))
    throw new CheckFailure(`The provider has ${missing}.`);
  const refused = endpointRefusal(issuer, value);
  if (refused)
    throw new CheckFailure(
      `The provider's ${name} ${refused}: the app does not use it, so nothing was sent there.`,
    );
  return value;
}

/** Whether an answer from `url` may be echoed: only the issuer's own host speaks for the provider. */
function fromIssuerHost(issuer: URL, url: string): boolean {
  return new URL(url).host === issuer.host;
}

/**
 * Any failure at an endpoint on another host than the issuer's, in one sentence whatever happened
 * (refused, silent, or an answer that is not the endpoint's): a hostile discovery document learns
 * nothing about what listens there.
 */
function foreignFailure(kind: string, url: string): CheckFailure {
  return new CheckFailure(
    `${new URL(url).host} could not be reached, or did not answer as the provider's ${kind}.`,
  );
}

async function requestOrForeignFailure(
  issuer: URL,
  kind: string,
  url: string,
  request: Request,
  init?: RequestInit,
): ReturnType<Request> {
  try {
    return await request(url, init);
  } catch (error) {
    if (!fromIssuerHost(issuer, url) && error instanceof CheckFailure)
      throw foreignFailure(kind, url);
    throw error;
  }
}

function checkCodeFlow(issuer: URL, metadata: Metadata): string {
  endpoint(metadata, 'authorization_endpoint', 'no authorization_endpoint', issuer);
  endpoint(metadata, 'token_endpoint', 'no token_endpoint', issuer);
  const responseTypes = list(metadata, 'response_types_supported') ?? [];
  if (!responseTypes.includes('code'))
    throw new CheckFailure(
      'The provider does not offer the authorization code flow (response type "code").',
    );
  // RFC 8414: absent grant_types_supported means ["authorization_code", "implicit"].
  const grants = list(metadata, 'grant_types_supported');
  if (grants && !grants.includes('authorization_code'))
    throw new CheckFailure('The provider does not list the authorization_code grant.');
  const methods = list(metadata, 'code_challenge_methods_supported');
  if (!methods)
    throw new CheckFailure(
      'The provider does not say it supports PKCE (no code_challenge_methods_supported).',
    );
  if (!methods.includes('S256'))
    throw new CheckFailure(
      `The provider offers PKCE with ${methods.join(', ') || 'no method'}, not S256.`,
    );
  return 'The provider offers the authorization code flow with PKCE S256.';
}

async function checkRefresh(
  config: AppConfig,
  metadata: Metadata,
  request: Request,
): Promise<{ detail: string }> {
  const grants = list(metadata, 'grant_types_supported');
  if (grants && !grants.includes('refresh_token'))
    throw new CheckFailure('The provider does not list the refresh_token grant.');
  const scopes = list(metadata, 'scopes_supported');
  if (scopes && !scopes.includes('offline_access'))
    throw new CheckFailure('The provider does not offer the offline_access scope.');
  const token = endpoint(metadata, 'token_endpoint', 'no token_endpoint', config.issuer);
  // A made-up refresh token: the answer says whether this client may use refresh tokens at all.
  const answer = await requestOrForeignFailure(config.issuer, 'token endpoint', token, request, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
    body: new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: 'connection-check-not-a-token',
      client_id: config.clientId,
    }).toString(),
  });
  const error =
    isObject(answer.body) && typeof answer.body.error === 'string' ? answer.body.error : undefined;
  if (error === 'invalid_grant')
    return { detail: 'The token endpoint knows the Client ID and takes refresh tokens.' };
  // A token endpoint on another host is the discovery document's word, not the provider's: no echo.
  if (!fromIssuerHost(config.issuer, token)) throw foreignFailure('token endpoint', token);
  const description =
    isObject(answer.body) && typeof answer.body.error_description === 'string'
      ? ` (${answer.body.error_description.slice(0, 200)})`
      : '';
  if (error === 'invalid_client' || (answer.status === 401 && error !== 'invalid_request')) {
    throw new CheckFailure(`${UNKNOWN_CLIENT}${description}: is it the Native application's?`);
  }
  if (error === 'unauthorized_client')
    throw new CheckFailure(
      `This application may not use refresh tokens${description}: allow the Refresh Token grant.`,
    );
  throw new CheckFailure(
    `The token endpoint answered HTTP ${answer.status}${error ? ` ${error}` : ''}${description}.`,
  );
}

const UNKNOWN_CLIENT = 'The token endpoint does not know this Client ID';

/** How the sign-in names the API (AUTH0_RESOURCE_PARAMETER), said on the code flow's line. */
const AUDIENCE_SENT_AS: Record<AppConfig['resourceParameter'], string> = {
  audience: 'The Audience is sent as audience (Auth0).',
  resource: 'The Audience is sent as resource (RFC 8707).',
  both: 'The Audience is sent as both audience (Auth0) and resource (RFC 8707).',
};

/**
 * The revocation endpoint, asked to revoke a made-up token as this public client: RFC 7009 §2.2 has it
 * answer 200 (an unknown token is no error). A provider that requires client authentication for
 * revocation answers 401 instead, and then Log Out cannot end a real refresh token there either.
 */
async function checkRevocation(
  config: AppConfig,
  metadata: Metadata,
  request: Request,
): Promise<{ detail: string }> {
  const revocation = endpoint(
    metadata,
    'revocation_endpoint',
    'no revocation_endpoint: logout could not revoke the refresh token',
    config.issuer,
  );
  const answer = await requestOrForeignFailure(
    config.issuer,
    'revocation endpoint',
    revocation,
    request,
    {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
      body: new URLSearchParams({
        token: 'connection-check-not-a-token',
        token_type_hint: 'refresh_token',
        client_id: config.clientId,
      }).toString(),
    },
  );
  if (answer.status === 200)
    return {
      detail: `Revocation endpoint: ${revocation}; it revokes tokens for this public client.`,
    };
  if (!fromIssuerHost(config.issuer, revocation))
    throw foreignFailure('revocation endpoint', revocation);
  const error =
    isObject(answer.body) && typeof answer.body.error === 'string' ? answer.body.error : undefined;
  if (answer.status === 401 || error === 'invalid_client' || error === 'unauthorized_client')
    throw new CheckFailure(
      'The provider refuses to revoke tokens for a public client: Log Out cannot end the refresh token there.',
    );
  throw new CheckFailure(
    `The revocation endpoint answered HTTP ${answer.status}${error ? ` ${error}` : ''}.`,
  );
}

function checkLogout(issuer: URL, metadata: Metadata): string {
  if (typeof metadata.end_session_endpoint === 'string')
    return `End session endpoint: ${endpoint(metadata, 'end_session_endpoint', 'no end_session_endpoint', issuer)}.`;
  if (isAuth0Domain(issuer)) return `Auth0 logout: ${new URL('/v2/logout', issuer).href}.`;
  throw new CheckFailure(
    'The provider has no end_session_endpoint: logout could not end its session.',
  );
}

async function checkJwks(
  issuer: URL,
  metadata: Metadata,
  request: Request,
): Promise<{ detail: string }> {
  const uri = endpoint(metadata, 'jwks_uri', 'no jwks_uri', issuer);
  const own = fromIssuerHost(issuer, uri);
  const answer = await requestOrForeignFailure(issuer, 'JWKS', uri, request);
  if (answer.status !== 200)
    throw own
      ? new CheckFailure(`${uri} answered HTTP ${answer.status}.`)
      : foreignFailure('JWKS', uri);
  const keys =
    isObject(answer.body) && Array.isArray(answer.body.keys)
      ? answer.body.keys.filter(isObject)
      : undefined;
  if (!keys) throw own ? new CheckFailure(`${uri} is not a JWKS.`) : foreignFailure('JWKS', uri);
  const signing = keys.filter((key) => key.use === undefined || key.use === 'sig');
  if (signing.length === 0)
    throw own ? new CheckFailure(`${uri} holds no signing key.`) : foreignFailure('JWKS', uri);
  if (!own) return { detail: `${signing.length} signing key${signing.length === 1 ? '' : 's'}.` };
  return {
    detail: `${signing.length} signing key${signing.length === 1 ? '' : 's'} (${[...new Set(signing.map((key) => String(key.alg ?? key.kty)))].join(', ')}).`,
  };
}

async function checkApi(apiServerUrl: URL, request: Request): Promise<{ detail: string }> {
  const url = apiMessageUrl(apiServerUrl);
  const answer = await request(url, { headers: { Accept: 'application/json' } });
  if (answer.status !== 200)
    throw new CheckFailure(
      `GET ${url.href} answered HTTP ${answer.status}; is the API server URL right?`,
    );
  if (!isObject(answer.body) || typeof answer.body.text !== 'string')
    throw new CheckFailure(`GET ${url.href} did not answer with a message ({ "text": … }).`);
  return { detail: `GET ${url.pathname} answered "${answer.body.text.slice(0, 100)}".` };
}

function reasonOf(error: unknown): string {
  if (error instanceof CheckFailure) return error.message;
  return `Unexpected failure: ${error instanceof Error ? error.message : String(error)}.`;
}
