/**
 * One place that turns whatever went wrong into an `AppError` a person can read. Protocol errors
 * keep the provider's own words (`error`, `error_description`); any other error's own message (a
 * library's, Node's, a bug's) is for the log, never the UI. Nothing here ever includes a token.
 */
import * as oauth from 'oauth4webapi';
import * as oidc from 'openid-client';
import type { AppError, ErrorCode } from '../../src-preload/contract.ts';
import { networkErrorIn } from './network/transport.ts';
import type { Logger } from './platform.ts';

/**
 * The sentence a person reads for each error code when nothing more particular is said: the one
 * table of them (a `CoreError` without a message of its own, a foreign error, a handler's failure).
 */
export const ERROR_SENTENCES: Readonly<Record<ErrorCode, string>> = {
  config_invalid: 'The app’s settings cannot be used. Open Settings to see which one and why.',
  provider_unreachable:
    'The sign-in service could not be reached. Check your connection and try again.',
  provider_error: 'The sign-in service answered with an error. Please try again.',
  access_denied: 'Sign-in was denied at the sign-in service.',
  callback_invalid: 'The sign-in response was rejected. Please try again.',
  sign_in_cancelled: 'Sign-in was cancelled.',
  sign_in_timeout: 'The sign-in took too long. Please try again.',
  ports_busy: 'Every callback port is in use: close the program using them, or try another way.',
  code_expired: 'The sign-in code has expired. Get a new code to try again.',
  way_unavailable: 'This way of signing in is not available here.',
  session_expired: 'Your session has expired. Please log in again.',
  not_signed_in: 'You need to log in to see this.',
  storage_unreadable:
    'The saved session could not be read, so it was removed. Please log in again.',
  storage_not_encrypted:
    'This computer offers the app no encryption, so your session is not saved: log in again next time.',
  storage_unwritable:
    'The saved session could not be deleted from this computer. Check the app’s data folder.',
  api_unreachable: 'The message API could not be reached. Check your connection and try again.',
  api_error: 'The message API answered with an error.',
  invalid_request: 'The app could not handle that request.',
  preview_locked: 'This preview needs the link printed in the terminal that started it.',
  switch_not_confirmed: 'The switch was not confirmed: the app keeps its current provider.',
  internal: 'Something went wrong in the app. Please try again.',
  account_switched:
    'You switched accounts while this message was on its way, so it was not shown. Open the page again.',
  accounts_full: 'No more accounts can be added here: sign out of one first.',
};

/** An error the core raises on purpose, already phrased for the UI (by default the code's sentence). */
export class CoreError extends Error {
  readonly code: ErrorCode;
  readonly status: number | undefined;
  constructor(
    code: ErrorCode,
    message: string = ERROR_SENTENCES[code],
    options?: { status?: number; cause?: unknown },
  ) {
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
  // The transport's own words: a refused route, a proxy that wants credentials, an untrusted
  // certificate (with its issuer and the fix). They name hosts and settings, never a token.
  const network = networkErrorIn(error);
  if (network) return new CoreError('provider_unreachable', network.message, { cause: error });
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
      return new CoreError('session_expired', undefined, { status: error.status, cause: error });
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
  // Anything else is not the provider's answer: its own message stays with the cause, for the log.
  return new CoreError(
    'internal',
    'Something went wrong talking to the sign-in service. Please try again.',
    { cause: error },
  );
}

function describe(code: string, description: string | undefined): string {
  return description ? `${code} (${description})` : code;
}

/**
 * The `AppError` the UI shows for `error`. A `CoreError` was phrased for a person; any other error's
 * message was not (and may name files, hosts or internals): it goes to `log`, with the cause of an
 * `internal` CoreError, and the person reads the code's sentence.
 */
export function toAppError(error: unknown, log?: Pick<Logger, 'error'>): AppError {
  if (error instanceof CoreError) {
    if (error.code === 'internal' && error.cause !== undefined) logForeign(error.cause, log);
    return error.toAppError();
  }
  logForeign(error, log);
  return { code: 'internal', message: ERROR_SENTENCES.internal };
}

function logForeign(error: unknown, log: Pick<Logger, 'error'> | undefined): void {
  log?.error('unexpected error', {
    name: error instanceof Error ? error.name : typeof error,
    message: error instanceof Error ? error.message : String(error),
  });
}
