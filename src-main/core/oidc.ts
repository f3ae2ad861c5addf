/**
 * The OpenID Connect relying party, one function per protocol step, on openid-client v6.
 * Public client (RFC 8252 §8.5: no secret), authorization code + PKCE S256 (§8.1), `state`,
 * `nonce`, and the RFC 9207 `iss` check (openid-client does it when the provider advertises it).
 */
import * as client from 'openid-client';
import type { AppConfig } from './config.ts';
import { isAuth0Domain, isLoopbackHost } from './config.ts';
import { firstRefusedEndpoint } from './endpoint-rules.ts';
import { CoreError, providerError } from './errors.ts';
import type { FetchLike } from './network/transport.ts';
import type { TokenSet } from './vault.ts';

export const SCOPE = 'openid profile email offline_access';
/** Seconds for every request to the provider, discovery included. */
export const PROVIDER_TIMEOUT_SECONDS = 10;
/** How long the check before opening the browser waits for the provider to answer at all. */
export const PREFLIGHT_TIMEOUT_MS = 2_000;

export type AuthorizationMode = 'login' | 'signup';

/**
 * The API named the way the provider reads it (`AUTH0_RESOURCE_PARAMETER`): Auth0's `audience`,
 * RFC 8707's `resource` (§2.1 on the authorization request, §2.2 on token and refresh requests), or
 * both. Sent on every request that asks for tokens, so each access token carries the same `aud`.
 */
export function audienceParameters(config: AppConfig): Record<string, string> {
  const parameters: Record<string, string> = {};
  if (config.resourceParameter !== 'resource') parameters.audience = config.audience;
  if (config.resourceParameter !== 'audience') parameters.resource = config.audience;
  return parameters;
}

/** What must survive between building the authorization URL and the callback. Never leaves memory. */
export interface AuthorizationChecks {
  pkceCodeVerifier: string;
  expectedState: string;
  expectedNonce: string;
}

/**
 * The transport's fetch for each config's provider requests: a core binds its platform's transport to
 * the config it was made for (createAuthCore), and every request to that provider (discovery, JWKS,
 * token, refresh, revocation, device authorization and polling, DPoP nonce retries) goes through it,
 * as openid-client's `customFetch` on the discovered configuration. A config no core was made for has
 * no network: nothing falls back to Node's global `fetch` (which obeys NODE_USE_ENV_PROXY on its own
 * terms and knows no route policy).
 */
const providerFetches = new WeakMap<AppConfig, FetchLike>();

/** Sends every request to `config`'s provider through `fetch` (a transport's `fetchFor('AUTH0_DOMAIN')`). */
export function bindProviderFetch(config: AppConfig, fetch: FetchLike): void {
  providerFetches.set(config, fetch);
}

function providerFetch(config: AppConfig): FetchLike {
  const fetch = providerFetches.get(config);
  if (fetch === undefined)
    throw new CoreError('internal', undefined, {
      cause: new Error('no transport is bound to this configuration (bindProviderFetch)'),
    });
  return fetch;
}

/**
 * Discoveries by the config they were made for. Per config object, not per issuer: the configuration
 * keeps the provider's signing keys, and a provider started again at the same address (the built-in
 * demo provider after a switch away and back, or an app restart) signs with new ones. Each core is
 * made for a config of its own, so its cache goes with it. A discovery made through another transport
 * than the one bound now is made again (the configuration carries its transport).
 */
const discoveries = new WeakMap<
  AppConfig,
  { fetch: FetchLike; pending: Promise<client.Configuration> }
>();

/** Discovery, cached for this config (one per core); a failed discovery is not cached. */
export function discover(config: AppConfig): Promise<client.Configuration> {
  const key = config;
  let fetch: FetchLike;
  try {
    fetch = providerFetch(config);
  } catch (error) {
    return Promise.reject(error);
  }
  const cached = discoveries.get(key);
  if (cached?.fetch === fetch) return cached.pending;
  const pending = client
    .discovery(
      config.issuer,
      config.clientId,
      { token_endpoint_auth_method: 'none' },
      client.None(),
      {
        timeout: PROVIDER_TIMEOUT_SECONDS,
        // Every request made with this configuration goes through the transport.
        [client.customFetch]: fetch,
        // http: is accepted for loopback issuers only (config.ts refuses it elsewhere). ID token
        // signatures are verified against the provider's JWKS even from the token endpoint (without
        // this openid-client trusts TLS alone, and a forged, alg:none or HS256 token would pass).
        execute: isLoopbackHost(config.issuer.hostname)
          ? [client.allowInsecureRequests, client.enableNonRepudiationChecks]
          : [client.enableNonRepudiationChecks],
      },
    )
    .then((configuration) => {
      // allowInsecureRequests would take http anywhere: every endpoint gets the issuer's rule.
      const refused = firstRefusedEndpoint(
        config.issuer,
        configuration.serverMetadata() as Record<string, unknown>,
      );
      if (refused)
        throw new CoreError(
          'provider_error',
          `The identity provider's ${refused.name} ${refused.reason}: the app does not use it.`,
        );
      return configuration;
    })
    .catch((error: unknown) => {
      if (discoveries.get(key)?.pending === pending) discoveries.delete(key);
      throw providerError(error, config.issuer);
    });
  discoveries.set(key, { fetch, pending });
  return pending;
}

/**
 * Whether the provider answers at all, bounded by `timeoutMs`: asked before the browser is opened
 * (discovery is cached, so a provider that stopped since would otherwise cost the person a dead page
 * and a five-minute wait). Any HTTP answer counts; a refused, reset or silent connection does not,
 * and fails with the same `provider_unreachable` error as a failed discovery.
 */
export async function checkProviderAnswers(
  config: AppConfig,
  timeoutMs = PREFLIGHT_TIMEOUT_MS,
): Promise<void> {
  const url = new URL(
    `${config.issuer.pathname.replace(/\/$/, '')}/.well-known/openid-configuration`,
    config.issuer,
  );
  try {
    const response = await providerFetch(config)(url, {
      method: 'GET',
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    await response.body?.cancel();
  } catch (error) {
    throw providerError(error, config.issuer);
  }
}

/**
 * openid-client's DPoP handle for this installation's key: it signs the proofs of token requests and
 * keeps the provider's `DPoP-Nonce`, and openid-client retries a request once when the provider
 * answers `use_dpop_nonce` (RFC 9449 §8). One handle per core, so the nonce carries over.
 */
export async function dpopHandle(
  config: AppConfig,
  keyPair: client.CryptoKeyPair,
): Promise<client.DPoPHandle> {
  return client.getDPoPHandle(await discover(config), keyPair);
}

/** Step 1: the authorization request. With DPoP, `dpop_jkt` binds the code to the key (RFC 9449 §10). */
export async function buildAuthorizationRequest(
  config: AppConfig,
  redirectUri: string,
  mode: AuthorizationMode,
  dpopJkt?: string,
  /** Ask for the password even if the provider still has a session (after a logout it could not end). */
  forceLogin = false,
): Promise<{ url: URL; checks: AuthorizationChecks }> {
  const configuration = await discover(config);
  const checks: AuthorizationChecks = {
    pkceCodeVerifier: client.randomPKCECodeVerifier(),
    expectedState: client.randomState(),
    expectedNonce: client.randomNonce(),
  };
  const parameters: Record<string, string> = {
    redirect_uri: redirectUri,
    scope: SCOPE,
    ...audienceParameters(config),
    code_challenge: await client.calculatePKCECodeChallenge(checks.pkceCodeVerifier),
    code_challenge_method: 'S256',
    state: checks.expectedState,
    nonce: checks.expectedNonce,
  };
  if (dpopJkt) parameters.dpop_jkt = dpopJkt;
  if (mode === 'signup') {
    // Auth0's Universal Login opens the sign-up screen; prompt=login skips an existing session.
    parameters.screen_hint = 'signup';
    parameters.prompt = 'login';
  }
  if (forceLogin) parameters.prompt = 'login';
  return { url: client.buildAuthorizationUrl(configuration, parameters), checks };
}

/**
 * Step 2: the callback's code for tokens. `callbackUrl` carries the exact redirect URI + port.
 * With a DPoP handle the request carries a proof and the provider binds the tokens to its key.
 */
export async function exchangeCode(
  config: AppConfig,
  callbackUrl: URL,
  checks: AuthorizationChecks,
  dpop?: client.DPoPHandle,
): Promise<TokenSet> {
  const configuration = await discover(config);
  try {
    const response = await client.authorizationCodeGrant(
      configuration,
      callbackUrl,
      { ...checks, idTokenExpected: true },
      audienceParameters(config),
      dpop ? { DPoP: dpop } : undefined,
    );
    return toTokenSet(response);
  } catch (error) {
    if (error instanceof client.ResponseBodyError && error.error === 'invalid_grant') {
      // At the code exchange invalid_grant means a bad, used or foreign code, not an expired session.
      throw new CoreError(
        'callback_invalid',
        `The identity provider refused the sign-in code (${error.error_description ?? 'invalid_grant'}). Please try again.`,
        { status: error.status, cause: error },
      );
    }
    throw providerError(error, config.issuer);
  }
}

/**
 * Refresh grant; keeps the refresh token and ID token the provider did not replace. A DPoP-bound
 * refresh token is only honoured with a proof from the same key (RFC 9449 §5).
 */
export async function refreshTokens(
  config: AppConfig,
  current: TokenSet,
  dpop?: client.DPoPHandle,
): Promise<TokenSet> {
  if (!current.refreshToken)
    throw new CoreError('session_expired', 'Your session has expired. Please log in again.');
  const configuration = await discover(config);
  let next: TokenSet;
  try {
    const response = await client.refreshTokenGrant(
      configuration,
      current.refreshToken,
      audienceParameters(config),
      dpop ? { DPoP: dpop } : undefined,
    );
    next = toTokenSet(response, current);
  } catch (error) {
    // openid-client found the new ID token's iss or aud not what it must be: the same refusal as below.
    if (error instanceof client.ClientError && error.code === 'OAUTH_JWT_CLAIM_COMPARISON_FAILED')
      throw identityChanged(error);
    throw providerError(error, config.issuer);
  }
  // OpenID Connect Core §12.2: an ID token from a refresh names the same issuer, subject, audience
  // (and authorized party) as the one from the sign-in. Anything else is another user or client.
  const changed = changedIdentityClaim(current.claims, next.claims);
  if (changed) throw identityChanged(new Error(`the "${changed}" claim changed`));
  return next;
}

/** The first of iss, sub, aud, azp whose value differs between two ID tokens' claims, if any. */
export function changedIdentityClaim(
  before: Record<string, unknown>,
  after: Record<string, unknown>,
): string | undefined {
  const audience = (claims: Record<string, unknown>) => {
    const aud = claims.aud;
    return JSON.stringify(
      Array.isArray(aud) ? [...aud].map(String).sort() : aud === undefined ? [] : [String(aud)],
    );
  };
  if (after.iss !== before.iss) return 'iss';
  if (after.sub !== before.sub) return 'sub';
  if (audience(after) !== audience(before)) return 'aud';
  if (after.azp !== before.azp) return 'azp';
  return undefined;
}

function identityChanged(cause: unknown): CoreError {
  return new CoreError(
    'session_expired',
    'The identity provider answered a session refresh for another user or application, so you were signed out. Please log in again.',
    { cause },
  );
}

/**
 * What became of a revocation: `revoked` (RFC 7009 §2.2: also for a token the provider no longer
 * knows), `refused` (the provider demands client authentication, which a public client cannot give:
 * the refresh token stays valid until it expires), `unsupported` (no revocation endpoint).
 */
export type RevocationOutcome = 'revoked' | 'refused' | 'unsupported';

/**
 * RFC 7009 revocation of the refresh token (the provider drops the whole grant with it). RFC 9449
 * defines no proof for revocation: a public client revokes a DPoP-bound refresh token the same way.
 * Throws (as `providerError`) only when the provider could not be asked or answered something else.
 */
export async function revokeRefreshToken(
  config: AppConfig,
  refreshToken: string,
): Promise<RevocationOutcome> {
  const configuration = await discover(config);
  if (!configuration.serverMetadata().revocation_endpoint) return 'unsupported';
  try {
    await client.tokenRevocation(configuration, refreshToken, { token_type_hint: 'refresh_token' });
    return 'revoked';
  } catch (error) {
    if (refusesPublicClient(error)) return 'refused';
    throw providerError(error, config.issuer);
  }
}

/**
 * RFC 7009 §2.1: the provider may require client authentication for revocation; it then answers 401
 * (`invalid_client`, RFC 6749 §5.2), with or without a JSON body or a `WWW-Authenticate` challenge.
 */
function refusesPublicClient(error: unknown): boolean {
  if (error instanceof client.ResponseBodyError)
    return (
      error.status === 401 ||
      error.error === 'invalid_client' ||
      error.error === 'unauthorized_client'
    );
  if (error instanceof client.WWWAuthenticateChallengeError) return error.status === 401;
  if (error instanceof client.ClientError && error.cause instanceof Response)
    return error.cause.status === 401;
  return false;
}

/**
 * Where the provider ends its session: an `end_session_endpoint` (OpenID RP-Initiated Logout 1.0),
 * Auth0's `/v2/logout` for tenants whose discovery has none, or nowhere.
 */
export type LogoutEndpoint = 'rp-initiated' | 'auth0' | undefined;

export async function logoutEndpointOf(config: AppConfig): Promise<LogoutEndpoint> {
  const configuration = await discover(config);
  if (configuration.serverMetadata().end_session_endpoint) return 'rp-initiated';
  if (isAuth0Domain(config.issuer)) return 'auth0';
  return undefined;
}

/** The URL to open in the browser, and the `state` its return must carry (none: the provider echoes none). */
export interface LogoutRequest {
  url: URL;
  state: string | undefined;
}

/**
 * The provider's logout URL. With a return URL on an `end_session_endpoint` it carries a fresh random
 * `state` (RP-Initiated Logout §2, §3: the provider hands it back on the redirect), so the app can tell
 * the provider's return from any other request to the same address; Auth0's `/v2/logout` has no such
 * parameter. Undefined when the provider offers no logout at all.
 */
export async function buildLogoutRequest(
  config: AppConfig,
  idToken: string | undefined,
  postLogoutRedirectUri: string | undefined,
): Promise<LogoutRequest | undefined> {
  const endpoint = await logoutEndpointOf(config);
  if (endpoint === 'rp-initiated') {
    const configuration = await discover(config);
    const parameters: Record<string, string> = { client_id: config.clientId };
    if (idToken) parameters.id_token_hint = idToken;
    let state: string | undefined;
    if (postLogoutRedirectUri) {
      parameters.post_logout_redirect_uri = postLogoutRedirectUri;
      state = client.randomState();
      parameters.state = state;
    }
    return { url: client.buildEndSessionUrl(configuration, parameters), state };
  }
  if (endpoint === 'auth0') {
    const url = new URL('/v2/logout', config.issuer);
    url.searchParams.set('client_id', config.clientId);
    if (postLogoutRedirectUri) url.searchParams.set('returnTo', postLogoutRedirectUri);
    return { url, state: undefined };
  }
  return undefined;
}

/** A token endpoint answer with openid-client's helpers (`claims()`, `expiresIn()`). */
export type TokenResponse = client.TokenEndpointResponse & client.TokenEndpointResponseHelpers;

export function toTokenSet(response: TokenResponse, previous?: TokenSet): TokenSet {
  const claims = response.claims();
  const idToken = response.id_token ?? previous?.idToken;
  if (!idToken || (!claims && !previous))
    throw new CoreError('provider_error', 'The identity provider returned no ID token.');
  return {
    accessToken: response.access_token,
    // token_type decides how the token is presented: a provider without DPoP answers Bearer.
    tokenType: response.token_type === 'dpop' ? 'DPoP' : 'Bearer',
    accessTokenExpiresAt: Date.now() + (response.expiresIn() ?? 3600) * 1000,
    // RFC 9700 §4.14.2: a rotated refresh token replaces the old one; otherwise keep using it.
    refreshToken: response.refresh_token ?? previous?.refreshToken,
    idToken,
    claims: claims ? { ...claims } : previous!.claims,
  };
}
