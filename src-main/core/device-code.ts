/**
 * "Sign in with a code": the OAuth 2.0 device authorization grant (RFC 8628), for when the browser
 * cannot come back to the app (a blocked loopback port, a browser on another machine).
 *
 * The app asks the provider for a pair of codes (§3.1–3.2): the device code stays in the main
 * process (it is as good as the tokens it will fetch), the short user code is shown with the page
 * to enter it at. Then the app polls the token endpoint (§3.4–3.5) until the user has approved or
 * declined, or the code expires.
 *
 * The polling state is ours (one request per step with oauth4webapi, which openid-client is built on):
 * the interval, floored at 1 s whatever the provider says, grows by 5 s on `slow_down` "for this and
 * all subsequent requests" (§3.5), and nothing resets it: an HTTP 429 or 503 with `Retry-After` makes
 * one wait longer (bounded), never shorter. The wait between polls ends the moment the sign-in is
 * cancelled or switched to another way, so the UI never lags behind Cancel. Approved tokens get the
 * same checks as every other way: openid-client's claim checks (oauth4webapi) and the ID token's
 * signature against the provider's JWKS (non-repudiation, as `discover` sets for the code flow).
 *
 * Same request as the code flow: the same audience (`audience` and/or `resource`) and scopes (with
 * `offline_access`, so the session survives restarts), and with DPoP the token requests carry
 * proofs, binding the tokens to our key.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import * as oauth from 'oauth4webapi';
import * as client from 'openid-client';
import type { SignInCodeView } from '../../src-preload/contract.ts';
import type { AppConfig } from './config.ts';
import { isLoopbackHost } from './config.ts';
import { CoreError, providerError } from './errors.ts';
import {
  PROVIDER_TIMEOUT_SECONDS,
  audienceParameters,
  SCOPE,
  discover,
  toTokenSet,
  type TokenResponse,
} from './oidc.ts';
import type { TokenSet } from './vault.ts';

/** RFC 8628 §3.2: without `interval` the client waits 5 seconds between polls. */
const DEFAULT_INTERVAL_SECONDS = 5;
/** Whatever the provider says (0.1 s would be a request loop): at least this long between polls. */
export const MIN_INTERVAL_SECONDS = 1;
/** RFC 8628 §3.5: `slow_down` adds this to the interval, for that and every later request. */
const SLOW_DOWN_SECONDS = 5;
/** The longest a code is kept alive for, whatever the provider says (Auth0: 15 minutes). */
const MAX_LIFETIME_SECONDS = 30 * 60;
/** The longest wait a `Retry-After` may impose before the next poll. */
const MAX_RETRY_AFTER_SECONDS = 60;
/** A user code is short and typed by hand; anything longer is not one. */
const MAX_USER_CODE_LENGTH = 64;

/** A code the provider issued. The device code never leaves the main process. */
export interface SignInCode {
  /** What the UI may show. */
  view: SignInCodeView;
  /** The page that already carries the code (`verification_uri_complete`), else `verification_uri`. */
  pageToOpen: string;
  /** openid-client's response, needed to poll; holds the device code. */
  authorization: client.DeviceAuthorizationResponse;
}

/** Step 1 (RFC 8628 §3.1): asks the provider for a device code and a user code. */
export async function requestSignInCode(config: AppConfig): Promise<SignInCode> {
  const configuration = await discover(config);
  if (!configuration.serverMetadata().device_authorization_endpoint) {
    throw new CoreError(
      'way_unavailable',
      'The identity provider does not offer sign-in with a code. Enable the Device Code grant for this application.',
    );
  }
  let authorization: client.DeviceAuthorizationResponse;
  try {
    authorization = await client.initiateDeviceAuthorization(configuration, {
      scope: SCOPE,
      ...audienceParameters(config),
    });
  } catch (error) {
    if (
      error instanceof client.ResponseBodyError &&
      (error.error === 'unauthorized_client' || error.error === 'invalid_grant')
    ) {
      throw new CoreError(
        'way_unavailable',
        `The identity provider refused to give a sign-in code (${error.error}). Enable the Device Code grant for this application.`,
        { status: error.status, cause: error },
      );
    }
    throw providerError(error, config.issuer);
  }
  const userCode = authorization.user_code;
  if (
    userCode.length === 0 ||
    userCode.length > MAX_USER_CODE_LENGTH ||
    !/^[\x21-\x7e ]+$/.test(userCode)
  ) {
    throw new CoreError(
      'provider_error',
      'The identity provider sent a sign-in code that cannot be shown.',
    );
  }
  const verificationUri = pageUrl(authorization.verification_uri, config);
  const complete =
    authorization.verification_uri_complete === undefined
      ? undefined
      : pageUrl(authorization.verification_uri_complete, config);
  const lifetime = Math.min(Math.max(authorization.expires_in, 1), MAX_LIFETIME_SECONDS);
  const interval = Math.max(
    authorization.interval ?? DEFAULT_INTERVAL_SECONDS,
    MIN_INTERVAL_SECONDS,
  );
  return {
    view: { userCode, verificationUri, expiresAt: Date.now() + lifetime * 1000, expired: false },
    pageToOpen: complete ?? verificationUri,
    authorization: { ...authorization, expires_in: lifetime, interval },
  };
}

export interface PollOptions {
  /** Aborting stops polling at once, even between polls, with `sign_in_cancelled`. */
  signal: AbortSignal;
  dpop?: client.DPoPHandle;
}

/** What one poll brought: the tokens, or how long to wait before the next one. */
type PollAnswer =
  | { kind: 'tokens'; tokens: TokenSet }
  | { kind: 'wait'; slowDown: boolean; retryAfterSeconds: number | undefined };

/**
 * Step 2 (RFC 8628 §3.4): polls until the user approved (the tokens), declined (`access_denied`) or
 * the code expired (`code_expired`, at `expires_in` at the latest); `sign_in_cancelled` when aborted.
 */
export async function pollForTokens(
  config: AppConfig,
  code: SignInCode,
  options: PollOptions,
): Promise<TokenSet> {
  const configuration = await discover(config);
  const deadline = code.view.expiresAt;
  let interval = Math.max(
    code.authorization.interval ?? DEFAULT_INTERVAL_SECONDS,
    MIN_INTERVAL_SECONDS,
  );
  let wait = interval;
  for (;;) {
    await pause(wait, deadline, options.signal);
    const answer = await pollOnce(config, configuration, code, deadline, options);
    if (answer.kind === 'tokens') return answer.tokens;
    // §3.5: slow_down raises the interval for good; a Retry-After only lengthens this one wait.
    if (answer.slowDown) interval += SLOW_DOWN_SECONDS;
    wait = Math.max(interval, Math.min(answer.retryAfterSeconds ?? 0, MAX_RETRY_AFTER_SECONDS));
  }
}

/** Waits `seconds` (less if the code expires first); ends at once on abort. */
async function pause(seconds: number, deadline: number, signal: AbortSignal): Promise<void> {
  const remaining = deadline - Date.now();
  if (remaining <= 0) throw expired();
  try {
    await sleep(Math.min(seconds * 1000, remaining), undefined, { signal });
  } catch (error) {
    if (signal.aborted) throw cancelled();
    throw error;
  }
  if (Date.now() >= deadline) throw expired();
}

/** One token request with the device code, and what its answer means for polling. */
async function pollOnce(
  config: AppConfig,
  configuration: client.Configuration,
  code: SignInCode,
  deadline: number,
  options: PollOptions,
  dpopRetried = false,
): Promise<PollAnswer> {
  const as = configuration.serverMetadata();
  // openid-client's own defaults for the client: ID token `iat`/`exp` tolerate 30 s of clock skew.
  const clientMetadata: oauth.Client = {
    ...configuration.clientMetadata(),
    [oauth.clockTolerance]: 30,
  };
  const insecure = isLoopbackHost(config.issuer.hostname);
  // The same transport as openid-client's own requests, whenever one is set on the configuration.
  const transport = configuration[client.customFetch];
  const via = transport ? { [oauth.customFetch]: transport } : {};
  const expiry = AbortSignal.timeout(Math.max(deadline - Date.now(), 1));
  const signal = AbortSignal.any([
    options.signal,
    expiry,
    AbortSignal.timeout(PROVIDER_TIMEOUT_SECONDS * 1000),
  ]);
  let response: Response;
  try {
    response = await oauth.deviceCodeGrantRequest(
      as,
      clientMetadata,
      oauth.None(),
      code.authorization.device_code,
      {
        [oauth.allowInsecureRequests]: insecure,
        ...via,
        additionalParameters: audienceParameters(config),
        signal,
        ...(options.dpop ? { DPoP: options.dpop } : {}),
      },
    );
    // RFC 6585 429 (and a 503 that says when to come back): not an OAuth answer; wait and poll on.
    if (
      response.status === 429 ||
      (response.status === 503 && response.headers.has('retry-after'))
    ) {
      await response.body?.cancel();
      return {
        kind: 'wait',
        slowDown: false,
        retryAfterSeconds: retryAfterOf(response) ?? DEFAULT_INTERVAL_SECONDS,
      };
    }
    const result = await oauth.processDeviceCodeResponse(as, clientMetadata, response);
    if (result.id_token) {
      await oauth.validateApplicationLevelSignature(as, response, {
        [oauth.allowInsecureRequests]: insecure,
        ...via,
        signal: AbortSignal.timeout(PROVIDER_TIMEOUT_SECONDS * 1000),
      });
    }
    return { kind: 'tokens', tokens: toTokenSet(withHelpers(result)) };
  } catch (error) {
    if (options.signal.aborted) throw cancelled();
    if (expiry.aborted) throw expired();
    if (
      error instanceof oauth.ResponseBodyError &&
      (error.error === 'authorization_pending' || error.error === 'slow_down')
    ) {
      return {
        kind: 'wait',
        slowDown: error.error === 'slow_down',
        retryAfterSeconds: retryAfterOf(error.response),
      };
    }
    // RFC 9449 §8: the proof needs the provider's nonce; the handle has kept it, so ask once more.
    if (options.dpop && !dpopRetried && oauth.isDPoPNonceError(error))
      return pollOnce(config, configuration, code, deadline, options, true);
    throw pollError(error, config);
  }
}

/** openid-client's helpers on an oauth4webapi token response, as `toTokenSet` reads them. */
function withHelpers(result: oauth.TokenEndpointResponse): TokenResponse {
  return Object.assign(result, {
    claims: () => oauth.getValidatedIdTokenClaims(result),
    expiresIn: () => result.expires_in,
  }) as unknown as TokenResponse;
}

function cancelled(): CoreError {
  return new CoreError('sign_in_cancelled');
}

function expired(): CoreError {
  return new CoreError(
    'code_expired',
    'The sign-in code has expired. Get a new code to try again.',
  );
}

function pollError(error: unknown, config: AppConfig): CoreError {
  if (error instanceof client.ResponseBodyError) {
    if (error.error === 'expired_token') return expired();
    if (error.error === 'access_denied') {
      return new CoreError(
        'access_denied',
        'The sign-in was declined at the identity provider. If that was not you, no harm is done: the code is no longer valid.',
        { status: error.status, cause: error },
      );
    }
  }
  return providerError(error, config.issuer);
}

/** The seconds a `Retry-After` header asks for (RFC 9110 §10.2.3: seconds or a date), if any. */
function retryAfterOf(response: Response): number | undefined {
  const header = response.headers.get('retry-after')?.trim();
  if (!header) return undefined;
  if (/^\d+$/.test(header)) return Number(header);
  const date = Date.parse(header);
  if (Number.isFinite(date)) return Math.max(0, Math.ceil((date - Date.now()) / 1000));
  return undefined;
}

/** The provider's page must be a web page (never `javascript:` or a file), https unless loopback. */
function pageUrl(value: string, config: AppConfig): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new CoreError(
      'provider_error',
      'The identity provider sent a sign-in code page that is not a URL.',
    );
  }
  const secure =
    url.protocol === 'https:' ||
    (url.protocol === 'http:' &&
      isLoopbackHost(url.hostname) &&
      isLoopbackHost(config.issuer.hostname));
  if (!secure || url.username || url.password) {
    throw new CoreError(
      'provider_error',
      'The identity provider sent a sign-in code page that is not an https:// address.',
    );
  }
  return url.href;
}
