/**
 * "Sign in with a code": the OAuth 2.0 device authorization grant (RFC 8628), for when the browser
 * cannot come back to the app (a blocked loopback port, a browser on another machine).
 *
 * The app asks the provider for a pair of codes (§3.1–3.2): the device code stays in the main
 * process (it is as good as the tokens it will fetch), the short user code is shown with the page
 * to enter it at. Then the app polls the token endpoint (§3.4–3.5) until the user has approved or
 * declined, or the code expires. openid-client's `pollDeviceAuthorizationGrant` keeps the `interval`,
 * adds 5 s on `slow_down` and honours a 503's `Retry-After`; this module adds what it leaves to the
 * caller: an HTTP 429 with `Retry-After`, the `expires_in` deadline, cancellation, and the errors a
 * person must be told about in their words (`expired_token`, `access_denied`).
 *
 * Same request as the code flow: the same `audience` and scopes (with `offline_access`, so the session
 * survives restarts), and with DPoP the token requests carry proofs, binding the tokens to our key.
 */
import * as client from 'openid-client';
import type { SignInCodeView } from '../../src-preload/contract.ts';
import type { AppConfig } from './config.ts';
import { isLoopbackHost } from './config.ts';
import { CoreError, providerError } from './errors.ts';
import { SCOPE, discover, toTokenSet } from './oidc.ts';
import type { TokenSet } from './vault.ts';

/** RFC 8628 §3.2: without `interval` the client waits 5 seconds between polls. */
const DEFAULT_INTERVAL_SECONDS = 5;
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
      audience: config.audience,
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
  return {
    view: { userCode, verificationUri, expiresAt: Date.now() + lifetime * 1000, expired: false },
    pageToOpen: complete ?? verificationUri,
    authorization: { ...authorization, expires_in: lifetime },
  };
}

export interface PollOptions {
  /** Aborting stops polling with `sign_in_cancelled`. */
  signal: AbortSignal;
  dpop?: client.DPoPHandle;
}

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
  let interval = code.authorization.interval ?? DEFAULT_INTERVAL_SECONDS;
  for (;;) {
    const remaining = deadline - Date.now();
    if (remaining <= 0) throw expired();
    const expiry = AbortSignal.timeout(remaining);
    const signal = AbortSignal.any([options.signal, expiry]);
    try {
      const response = await client.pollDeviceAuthorizationGrant(
        configuration,
        { ...code.authorization, interval },
        undefined,
        options.dpop ? { signal, DPoP: options.dpop } : { signal },
      );
      return toTokenSet(response);
    } catch (error) {
      if (options.signal.aborted)
        throw new CoreError('sign_in_cancelled', 'Sign-in was cancelled.');
      if (expiry.aborted) throw expired();
      // HTTP 429 Too Many Requests: wait what Retry-After says (bounded), then poll on; the next call
      // waits `interval` before its first request, so the wait is the new interval.
      const retryAfter = tooManyRequests(error);
      if (retryAfter !== undefined) {
        interval = Math.max(interval, Math.min(retryAfter, MAX_RETRY_AFTER_SECONDS));
        continue;
      }
      throw pollError(error, config);
    }
  }
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

/**
 * The `Retry-After` seconds of a 429 answer, else undefined. openid-client leaves a 429 to the caller:
 * it surfaces as a ResponseBodyError (a JSON error body) or a ClientError whose cause is the Response.
 */
function tooManyRequests(error: unknown): number | undefined {
  const response =
    error instanceof client.ResponseBodyError
      ? error.response
      : error instanceof client.ClientError && error.cause instanceof Response
        ? error.cause
        : undefined;
  if (response?.status !== 429) return undefined;
  const header = response.headers.get('retry-after')?.trim() ?? '';
  if (/^\d+$/.test(header)) return Number(header);
  const date = Date.parse(header);
  if (Number.isFinite(date)) return Math.max(0, Math.ceil((date - Date.now()) / 1000));
  return DEFAULT_INTERVAL_SECONDS;
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
