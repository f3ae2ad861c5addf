/**
 * One place that turns whatever went wrong into an `AppError` a person can read. Protocol errors
 * keep the provider's own words (`error`, `error_description`); nothing here ever includes a token.
 */
import * as oauth from 'oauth4webapi';
import * as oidc from 'openid-client';
import type { AppError, ErrorCode } from '../../src-preload/contract.ts';

/** An error the core raises on purpose, already phrased for the UI. */
export class CoreError extends Error {
  readonly code: ErrorCode;
  readonly status: number | undefined;
  constructor(code: ErrorCode, message: string, options?: { status?: number; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CoreError';
    this.code = code;
    this.status = options?.status;
  }
  toAppError(): AppError {
    return this.status === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, status: this.status };
  }
}

/** True for failures to reach a server at all: refused, reset, DNS, TLS, timeout. */
export function isNetworkFailure(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'TimeoutError' || error.name === 'AbortError') return true;
  if (error instanceof TypeError && /fetch failed|network/i.test(error.message)) return true;
  const code = (error as { code?: unknown }).code;
  return (
    typeof code === 'string' &&
    /^(ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNABORTED|EHOSTUNREACH|ENETUNREACH|UND_ERR_\w+)$/.test(
      code,
    )
  );
}

/** Maps an error from talking to the identity provider. */
export function providerError(error: unknown, issuer: URL | string): CoreError {
  if (error instanceof CoreError) return error;
  if (isNetworkFailure(error) || isNetworkFailure((error as { cause?: unknown })?.cause)) {
    return new CoreError(
      'provider_unreachable',
      // "Sign-in service": the one name the UI uses for the identity provider (issue 22, L5).
      `The sign-in service at ${String(issuer)} could not be reached. Check your connection and try again.`,
      { cause: error },
    );
  }
  if (error instanceof oidc.AuthorizationResponseError) {
    if (error.error === 'access_denied') {
      return new CoreError(
        'access_denied',
        `Sign-in was denied: ${error.error_description ?? 'access_denied'}.`,
        { cause: error },
      );
    }
    return new CoreError(
      'provider_error',
      `The sign-in service refused the sign-in: ${describe(error.error, error.error_description)}.`,
      { cause: error },
    );
  }
  if (error instanceof oidc.ResponseBodyError) {
    if (error.error === 'invalid_grant') {
      return new CoreError('session_expired', 'Your session has expired. Please log in again.', {
        status: error.status,
        cause: error,
      });
    }
    return new CoreError(
      'provider_error',
      `The sign-in service answered with an error: ${describe(error.error, error.error_description)}.`,
      { status: error.status, cause: error },
    );
  }
  if (error instanceof oidc.ClientError) {
    // openid-client's own checks: state, iss, nonce, signatures, claims. The response is not trusted.
    // Its message is generic ("invalid response encountered"); the cause names the check that failed
    // (e.g. 'unexpected JWT "aud" (audience) claim value'), and never carries a token.
    const detail =
      error.cause instanceof Error && error.cause.message ? error.cause.message : error.message;
    return new CoreError('callback_invalid', `The sign-in response was rejected: ${detail}.`, {
      cause: error,
    });
  }
  if (
    error instanceof oauth.OperationProcessingError ||
    error instanceof oauth.UnsupportedOperationError
  ) {
    // The same checks, where the core calls oauth4webapi itself (device-code.ts polling).
    return new CoreError(
      'callback_invalid',
      `The sign-in response was rejected: ${error.message}.`,
      { cause: error },
    );
  }
  return new CoreError(
    'internal',
    `Something went wrong talking to the sign-in service: ${error instanceof Error ? error.message : String(error)}`,
    { cause: error },
  );
}

function describe(code: string, description: string | undefined): string {
  return description ? `${code} (${description})` : code;
}

export function toAppError(error: unknown): AppError {
  if (error instanceof CoreError) return error.toAppError();
  return {
    code: 'internal',
    message: error instanceof Error ? error.message : 'Unexpected error.',
  };
}
