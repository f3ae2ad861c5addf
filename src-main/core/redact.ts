/**
 * Log redaction: the last line of defence that keeps tokens out of logs, whatever a log call passes.
 *
 * Every logger the core is given is wrapped in `redactingLogger` (createAuthCore does it), and the
 * Electron console logger and the preview's console logger use it too. It replaces
 * - anything shaped like a JWT / JWS / JWE (`eyJ…`), wherever it appears in a string;
 * - the user information (`user:password@`) of URLs, such as a proxy URL with Basic credentials;
 * - `Bearer …` / `DPoP …` credentials and secret-bearing URL parameters (`code=`, `*token*=`, …),
 *   also percent-encoded (`%3Fcode%3D…%26state%3D…`, once or more, as in a `redirect_uri`);
 * - secret-named members of JSON (or JS-object) text inside a string (`{"refresh_token":"…"}`,
 *   escaped `{\"code\":\"…\"}` included);
 * - the whole value of any field whose name says it is secret (token, secret, verifier, password,
 *   authorization, cookie, private key, credential, assertion) or that is named `code`, `state`,
 *   `nonce` (the authorization code and its checks) or `device_code` (RFC 8628's polling secret), at
 *   any depth, and the private members of a JWK.
 *
 * So error codes must be logged under another name than `code` (`error`), or they are redacted too.
 */
import type { Logger } from './platform.ts';

export const REDACTED = '[redacted]';

/** Field names whose values are never logged, at any depth. */
export const SECRET_KEY =
  /token|secret|verifier|password|passwd|authorization|cookie|private|credential|assertion|^(?:code|state|nonce|device_?code)$/i;
/** The private members of a JWK (RSA, EC, OKP, oct). */
const JWK_PRIVATE = new Set(['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth']);

/** A compact JWS (3 parts) or JWE (5 parts): a base64url JSON header always starts with `eyJ`. */
const JWT = /eyJ[\w-]*(?:\.[\w-]*){2,4}/g;
/** `Authorization` scheme + credential, as in a header value copied into a message. */
const AUTH_SCHEME = /\b(Bearer|DPoP|Basic)\s+[\w.~+/=-]+/gi;
/** Names of URL / form parameters and JSON members that carry secrets. */
const SECRET_NAME = String.raw`code|code_verifier|device_code|[\w-]*token[\w-]*|[\w-]*secret[\w-]*|password|passwd|assertion|state|nonce|authorization|cookie|credentials?`;
/** `%3D` (`=`) / `%26` (`&`) / `%3F` (`?`) / `%23` (`#`), percent-encoded once or more (`%253D`, …). */
const ENCODED = (hex: string) => String.raw`%(?:25)*${hex}`;
/**
 * URL / form parameters that carry secrets: the authorization code, tokens, PKCE verifier, passwords,
 * plain or percent-encoded (a callback URL inside a `redirect_uri` or a logged URL-encoded URL).
 */
const SECRET_PARAM = new RegExp(
  String.raw`([?&#;,\s(\[{]|^|${ENCODED('(?:3F|26|23)')})(${SECRET_NAME})(=|${ENCODED('3D')})(?:(?!${ENCODED('(?:26|23)')})[^&#\s"'<>])+`,
  'gi',
);
/**
 * A secret-named member of JSON or JS-object text: `"refresh_token":"…"`, `refresh_token: '…'`,
 * or escaped once more inside another JSON string (`\"code\":\"…\"`).
 */
const SECRET_MEMBER = new RegExp(
  String.raw`(?<![\w-])((\\?["']?)(?:${SECRET_NAME})\2\s*:\s*)(\\?["'])[^"'\\]*`,
  'gi',
);

/**
 * `user:password@` in a URL (a proxy URL with Basic credentials, `HTTPS_PROXY=http://u:p@proxy:3128`;
 * the user may hold `%40`), and the same URL percent-encoded (`http%3A%2F%2Fu%3Ap%40proxy`): the whole
 * user information goes.
 */
const URL_USERINFO = /(\b[a-z][a-z\d+.-]*:\/\/)[^\s/?#@"'<>]+@/gi;
const ENCODED_URL_USERINFO = new RegExp(
  String.raw`(\b[a-z][a-z\d+.-]*${ENCODED('3A')}${ENCODED('2F')}${ENCODED('2F')})(?:(?!${ENCODED('(?:2F|3F|23|40)')})[^\s/?#@"'<>&])+(${ENCODED('40')})`,
  'gi',
);
/** The same without a scheme, as a proxy setting may be written (`u:p@proxy:3128`, curl reads it so). */
const BARE_USERINFO = /(^|[\s=,;"'([{])[^\s/?#@:"'<>,;=([{]+:[^\s/?#@"'<>]+@(?=[\w[])/g;

const MAX_DEPTH = 12;
const MAX_STRING = 4096;

/** Redacts secrets in a string. */
export function redactString(text: string): string {
  const clipped = text.length > MAX_STRING ? `${text.slice(0, MAX_STRING)}…` : text;
  return (
    clipped
      .replace(URL_USERINFO, (_match, scheme: string) => `${scheme}${REDACTED}@`)
      .replace(
        ENCODED_URL_USERINFO,
        (_match, scheme: string, at: string) => `${scheme}${REDACTED}${at}`,
      )
      .replace(BARE_USERINFO, (_match, lead: string) => `${lead}${REDACTED}@`)
      .replace(JWT, REDACTED)
      .replace(AUTH_SCHEME, (_match, scheme: string) => `${scheme} ${REDACTED}`)
      // Up to the first quote or backslash, whatever closes the value: a token has neither.
      .replace(
        SECRET_MEMBER,
        (_match, member: string, _quote: string, open: string) => `${member}${open}${REDACTED}`,
      )
      .replace(
        SECRET_PARAM,
        (_match, lead: string, name: string, equals: string) =>
          `${lead}${name}${equals}${REDACTED}`,
      )
  );
}

/**
 * A copy of `value` that is safe to log: plain data only (no prototypes carried over, no getters run
 * twice), secrets replaced, cycles and very deep nesting cut short. Never throws.
 */
export function redactSecrets(value: unknown): unknown {
  try {
    return walk(value, 0, new WeakSet());
  } catch {
    return REDACTED;
  }
}

function walk(value: unknown, depth: number, seen: WeakSet<object>): unknown {
  if (typeof value === 'string') return redactString(value);
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'function' || typeof value === 'symbol') return `[${typeof value}]`;
    if (typeof value === 'bigint') return value.toString();
    return value;
  }
  if (seen.has(value)) return '[circular]';
  if (depth >= MAX_DEPTH) return '[too deep]';
  seen.add(value);
  try {
    if (value instanceof Error) {
      const out: Record<string, unknown> = {
        name: value.name,
        message: redactString(value.message),
      };
      // Under another name than `code`, which is redacted (the authorization code).
      const code = (value as { code?: unknown }).code;
      if (typeof code === 'string') out.errorCode = code;
      return out;
    }
    if (value instanceof URL) return redactString(value.href);
    if (value instanceof Date) return value.toISOString();
    if (Array.isArray(value)) return value.slice(0, 100).map((item) => walk(item, depth + 1, seen));
    const out: Record<string, unknown> = {};
    const isJwk = typeof (value as { kty?: unknown }).kty === 'string';
    for (const key of Object.keys(value)) {
      const secret = SECRET_KEY.test(key) || (isJwk && JWK_PRIVATE.has(key));
      // defineProperty: a field named "__proto__" stays a plain field of the copy.
      Object.defineProperty(out, key, {
        value: secret ? REDACTED : walk((value as Record<string, unknown>)[key], depth + 1, seen),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  } finally {
    seen.delete(value);
  }
}

/** Wraps a logger (none: a silent one) so that every message and field passes through redaction first. */
export function redactingLogger(inner: Logger = { info() {}, warn() {}, error() {} }): Logger {
  const wrap =
    (write: Logger['info']): Logger['info'] =>
    (message, fields) => {
      const safeMessage = redactString(String(message));
      if (fields === undefined) write(safeMessage);
      else write(safeMessage, redactSecrets(fields) as Record<string, unknown>);
    };
  return {
    info: wrap((message, fields) => inner.info(message, fields)),
    warn: wrap((message, fields) => inner.warn(message, fields)),
    error: wrap((message, fields) => inner.error(message, fields)),
  };
}
