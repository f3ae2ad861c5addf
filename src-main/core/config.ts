/**
 * Configuration, validated at the edge by one parser whatever the source (the environment and
 * `.env`, an organisation's managed `app-config.json`, the Settings page): a bad value is refused with
 * a message that names the setting, so nobody has to guess which of five variables is wrong.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';
import {
  RESOURCE_PARAMETERS,
  SETTING_LABELS,
  SETTING_NAMES,
  type FieldErrors,
  type ResourceParameter,
  type SettingName,
} from '../../src-preload/contract.ts';

export interface AppConfig {
  /** Issuer URL, as the provider's discovery document must state it. */
  issuer: URL;
  /** The Native application's client ID; there is no client secret (RFC 8252 §8.5). */
  clientId: string;
  /** The API's identifier: the access token is a JWT whose `aud` names it. */
  audience: string;
  /**
   * How the audience is named in authorization, token and refresh requests: Auth0's `audience`,
   * RFC 8707's `resource` (providers that follow the RFC put something else in `aud` without it), or
   * both. Default: `audience` on an Auth0 domain, `both` elsewhere.
   */
  resourceParameter: ResourceParameter;
  /** Base URL of the Hello World API (`/api/messages/{public,protected,admin}`). */
  apiServerUrl: URL;
  /** Loopback ports to try in order; empty: an OS-assigned port (RFC 8252 §7.3). */
  callbackPorts: number[];
  /**
   * DPoP (RFC 9449): sender-constrained tokens, bound to this installation's key. Off by default for
   * configured tenants (the tenant and the API must support it); on in the devstack.
   */
  dpop: boolean;
  /**
   * The app link's private-use URI scheme (RFC 8252 §7.1): the redirect URI is `<scheme>:/callback`.
   * Default: the app's reverse-DNS id (electron-builder's `appId`) in lower case.
   */
  redirectScheme: string;
  /** How many accounts may be signed in at once (`MAX_ACCOUNTS`, default 5; 1: one only). */
  maxAccounts: number;
}

/** `MAX_ACCOUNTS` when it is not set. */
export const DEFAULT_MAX_ACCOUNTS = 5;

/** electron-builder's `appId` in lower case (a unit test holds the two together). */
export const DEFAULT_REDIRECT_SCHEME = 'com.example.electron-auth0-hello-world';

/**
 * The schemes this build registers with the OS (electron-builder.yml `protocols`; a unit test holds
 * the two together). AUTH0_REDIRECT_SCHEME may only name one of them: the app never claims a scheme
 * its installer did not (N5), which on Windows would register it for another app's links.
 */
export const BUILD_REDIRECT_SCHEMES: readonly string[] = [DEFAULT_REDIRECT_SCHEME];

export class ConfigError extends Error {
  readonly setting: string;
  /** The message without the setting's name: "is required.", "\"x\" is not a URL." */
  readonly reason: string;
  constructor(setting: string, reason: string) {
    super(`${setting}: ${reason}`);
    this.name = 'ConfigError';
    this.setting = setting;
    this.reason = reason;
  }
}

export const SETTINGS = SETTING_NAMES;
export type Settings = Partial<Record<SettingName, string>>;

/**
 * How messages name a setting: by its variable (`AUTH0_DOMAIN: …`, for the environment, `.env` and
 * the managed file) or by its label on the Settings page (`Domain: …`).
 */
export type SettingNames = 'variables' | 'labels';

export type SettingsValidation =
  | { ok: true; config: AppConfig }
  | {
      ok: false;
      errors: FieldErrors;
      /** The first error, as parseConfig would throw it. */ first: ConfigError;
    };

/** Auth0's own tenant domains (`dev-x.us.auth0.com`, `x.eu.auth0.com`), which match ports exactly. */
export function isAuth0Domain(issuer: URL): boolean {
  return /(^|\.)auth0\.com$/i.test(issuer.hostname);
}

/** True for hosts that never leave this machine: plain http is only acceptable there. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127(?:\.\d{1,3}){3}$/.test(host);
}

/**
 * Reads the settings from the process environment, with a `.env` file in `cwd` filling in
 * what the environment does not set (the environment wins, as with dotenv).
 */
export function readSettings(env: NodeJS.ProcessEnv, cwd?: string): Settings {
  return readNamed(env, cwd, SETTINGS);
}

/** The update settings from the environment and `.env`, read like {@link readSettings}. */
export function readUpdateSettings(env: NodeJS.ProcessEnv, cwd?: string): UpdateSettings {
  return readNamed(env, cwd, UPDATE_SETTING_NAMES);
}

function readNamed<N extends string>(
  env: NodeJS.ProcessEnv,
  cwd: string | undefined,
  names: readonly N[],
): Partial<Record<N, string>> {
  const fromFile = cwd ? readEnvFile(path.join(cwd, '.env')) : {};
  const settings: Partial<Record<N, string>> = {};
  for (const name of names) {
    const value = (env[name] ?? fromFile[name])?.trim();
    if (value) settings[name] = value;
  }
  return settings;
}

function readEnvFile(file: string): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return {};
  }
  return parseEnv(text) as Record<string, string>;
}

/**
 * Validates settings into an AppConfig, or throws the first ConfigError. Assumes AUTH0_DOMAIN is
 * set (else: the devstack).
 */
export function parseConfig(settings: Settings): AppConfig {
  const result = validateSettings(settings);
  if (!result.ok) throw result.first;
  return result.config;
}

/**
 * The one parser: every setting checked (not only up to the first bad one), each message naming its
 * setting by variable or by label. The Settings page's form and the environment both come here.
 */
export function validateSettings(
  settings: Settings,
  names: SettingNames = 'variables',
): SettingsValidation {
  const errors: FieldErrors = {};
  let first: ConfigError | undefined;
  const field = <T>(name: SettingName, parse: () => T): T | undefined => {
    try {
      return parse();
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      const named =
        names === 'labels' ? new ConfigError(SETTING_LABELS[name], error.reason) : error;
      // On the page a reason that is a predicate reads as a sentence: "Client ID is required …".
      errors[name] =
        names === 'labels' && /^(is|must) /.test(error.reason)
          ? `${SETTING_LABELS[name]} ${error.reason}`
          : named.message;
      first ??= named;
      return undefined;
    }
  };
  const requiredReason =
    names === 'labels' ? 'is required for your tenant.' : 'is required when AUTH0_DOMAIN is set.';
  const required = (name: SettingName): string => {
    const value = settings[name]?.trim();
    if (!value) throw new ConfigError(name, requiredReason);
    return value;
  };
  const issuer = field('AUTH0_DOMAIN', () => parseIssuer(required('AUTH0_DOMAIN')));
  const clientId = field('AUTH0_CLIENT_ID', () => {
    const value = required('AUTH0_CLIENT_ID');
    if (!/^[\w.~-]{1,200}$/.test(value))
      throw new ConfigError(
        'AUTH0_CLIENT_ID',
        'must be a client ID (letters, digits, ".", "_", "~", "-").',
      );
    return value;
  });
  const audience = field('AUTH0_AUDIENCE', () => required('AUTH0_AUDIENCE'));
  const apiServerUrl = field('API_SERVER_URL', () =>
    parseHttpUrl('API_SERVER_URL', required('API_SERVER_URL')),
  );
  const callbackPorts = field('AUTH0_CALLBACK_PORTS', () =>
    parsePorts(settings.AUTH0_CALLBACK_PORTS?.trim() ?? ''),
  );
  const dpop = field('AUTH0_DPOP', () => parseBoolean('AUTH0_DPOP', settings.AUTH0_DPOP, false));
  const redirectScheme = field('AUTH0_REDIRECT_SCHEME', () =>
    parseRedirectScheme(settings.AUTH0_REDIRECT_SCHEME),
  );
  const resourceParameter = field('AUTH0_RESOURCE_PARAMETER', () =>
    parseResourceParameter(settings.AUTH0_RESOURCE_PARAMETER, issuer),
  );
  const maxAccounts = field('MAX_ACCOUNTS', () => parseMaxAccounts(settings.MAX_ACCOUNTS));
  if (
    first ||
    !issuer ||
    !clientId ||
    !audience ||
    !apiServerUrl ||
    !callbackPorts ||
    dpop === undefined ||
    !redirectScheme ||
    !resourceParameter ||
    !maxAccounts
  ) {
    return { ok: false, errors, first: first ?? new ConfigError('AUTH0_DOMAIN', 'is invalid.') };
  }
  return {
    ok: true,
    config: {
      issuer,
      clientId,
      audience,
      resourceParameter,
      apiServerUrl,
      callbackPorts,
      dpop,
      redirectScheme,
      maxAccounts,
    },
  };
}

/** A whole number from 1 to 20; unset: DEFAULT_MAX_ACCOUNTS. */
function parseMaxAccounts(value: string | undefined): number {
  const text = value?.trim() ?? '';
  if (text === '') return DEFAULT_MAX_ACCOUNTS;
  if (!/^\d{1,2}$/.test(text) || Number(text) < 1 || Number(text) > 20)
    throw new ConfigError('MAX_ACCOUNTS', `"${value}" is not a whole number from 1 to 20.`);
  return Number(text);
}

/** `true` / `false` (any case); unset: the fallback; anything else names the setting. */
export function parseBoolean(name: string, value: string | undefined, fallback: boolean): boolean {
  if (value === undefined || value === '') return fallback;
  const text = value.trim().toLowerCase();
  if (text === 'true') return true;
  if (text === 'false') return false;
  throw new ConfigError(name, `"${value}" is not true or false.`);
}

/** `dev-x.us.auth0.com` → `https://dev-x.us.auth0.com/`; full URLs are kept as given. */
export function parseIssuer(value: string): URL {
  const hasScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(value);
  let url: URL;
  try {
    url = parseHttpUrl('AUTH0_DOMAIN', hasScheme ? value : `https://${value}/`);
  } catch (error) {
    // Never echo text the person did not type (the "https://" and "/" added to a bare domain).
    if (hasScheme || !(error instanceof ConfigError)) throw error;
    throw new ConfigError(
      'AUTH0_DOMAIN',
      `"${value}" is not a domain like dev-x.us.auth0.com, or an https:// URL.`,
    );
  }
  if (url.search || url.hash)
    throw new ConfigError('AUTH0_DOMAIN', 'must not contain a query or fragment.');
  return url;
}

export function parseHttpUrl(name: string, value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(name, `"${value}" is not a URL.`);
  }
  if (url.username || url.password) throw new ConfigError(name, 'must not contain credentials.');
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:') {
    if (isLoopbackHost(url.hostname)) return url;
    throw new ConfigError(
      name,
      `http: is only allowed for loopback hosts (127.0.0.1, ::1, localhost); use https:// for ${url.host}.`,
    );
  }
  // "localhost:3000" parses with the scheme "localhost:": say what is wanted, not what the parser
  // saw. A scheme the person did type ("ftp://…") is named.
  if (value.includes('://'))
    throw new ConfigError(name, `must be an https:// URL (got ${url.protocol}).`);
  throw new ConfigError(
    name,
    'must start with https:// (http:// only for 127.0.0.1, ::1 or localhost), like https://api.example.com.',
  );
}

function parsePorts(value: string): number[] {
  if (!value) return [];
  return value.split(',').map((part) => {
    const text = part.trim();
    const port = Number(text);
    if (!/^\d+$/.test(text) || !Number.isInteger(port) || port < 1 || port > 65535) {
      throw new ConfigError(
        'AUTH0_CALLBACK_PORTS',
        `"${text}" is not a port (1–65535); use a comma list like 53682, 53683.`,
      );
    }
    return port;
  });
}

/**
 * RFC 8252 §7.1: a private-use scheme is a reverse domain name the app controls ("com.example.app"),
 * so it names this app and no other; RFC 3986 scheme characters only, compared in lower case.
 */
function parseRedirectScheme(value: string | undefined): string {
  if (value === undefined || value === '') return DEFAULT_REDIRECT_SCHEME;
  const scheme = value.trim().toLowerCase();
  if (!/^[a-z][a-z0-9+.-]*$/.test(scheme) || !/^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(scheme)) {
    throw new ConfigError(
      'AUTH0_REDIRECT_SCHEME',
      `"${value}" is not a reverse domain name like com.example.app (RFC 8252 §7.1).`,
    );
  }
  if (!BUILD_REDIRECT_SCHEMES.includes(scheme))
    throw new ConfigError(
      'AUTH0_REDIRECT_SCHEME',
      `"${value}" is not a scheme this build registers (electron-builder.yml protocols: ${BUILD_REDIRECT_SCHEMES.join(', ')}).`,
    );
  return scheme;
}

/**
 * Update settings (issue 20): `AUTO_UPDATE` and `UPDATE_FEED_URL` are an administrator's (the
 * environment or the managed app-config.json), `UPDATE_PUBLIC_KEY` is the build's (the environment
 * only for tests and development). Kept apart from SETTING_NAMES: the Settings page shows them, it
 * never saves them.
 */
export const UPDATE_SETTING_NAMES = [
  'AUTO_UPDATE',
  'UPDATE_FEED_URL',
  'UPDATE_PUBLIC_KEY',
] as const;
export type UpdateSettingName = (typeof UPDATE_SETTING_NAMES)[number];
/** What an organisation's app-config.json may set; the public key is the build's alone. */
export const MANAGED_UPDATE_SETTING_NAMES = ['AUTO_UPDATE', 'UPDATE_FEED_URL'] as const;
export type UpdateSettings = Partial<Record<UpdateSettingName, string>>;

export interface UpdateConfig {
  /** `AUTO_UPDATE`, default true: false means the feed is never asked anything. */
  autoUpdate: boolean;
  /** `UPDATE_FEED_URL`: the folder holding `latest*.yml` (electron-updater's generic provider). */
  feedUrl: URL | undefined;
  /** `UPDATE_PUBLIC_KEY`: the Ed25519 key the feed's metadata must be signed with. */
  publicKey: KeyObject | undefined;
}

/** Validates the update settings, or throws the first ConfigError (named after its setting). */
export function parseUpdateConfig(settings: UpdateSettings): UpdateConfig {
  const autoUpdate = parseBoolean('AUTO_UPDATE', settings.AUTO_UPDATE, true);
  const feed = settings.UPDATE_FEED_URL?.trim();
  const feedUrl = feed ? parseHttpUrl('UPDATE_FEED_URL', feed) : undefined;
  if (feedUrl?.hash) throw new ConfigError('UPDATE_FEED_URL', 'must not contain a fragment.');
  const key = settings.UPDATE_PUBLIC_KEY?.trim();
  return { autoUpdate, feedUrl, publicKey: key ? parseUpdatePublicKey(key) : undefined };
}

/**
 * An Ed25519 public key as base64 SPKI DER (one line, what an environment variable holds) or as a
 * PEM `PUBLIC KEY` block (its line breaks may be written as `\n`).
 */
export function parseUpdatePublicKey(value: string): KeyObject {
  const text = value.trim();
  let key: KeyObject;
  try {
    key = text.includes('-----BEGIN')
      ? createPublicKey({ key: text.replace(/\\n/g, '\n'), format: 'pem' })
      : createPublicKey({ key: strictBase64(text), format: 'der', type: 'spki' });
  } catch {
    throw new ConfigError(
      'UPDATE_PUBLIC_KEY',
      'is not a public key (base64 SPKI DER, or a PEM "PUBLIC KEY" block).',
    );
  }
  if (key.asymmetricKeyType !== 'ed25519')
    throw new ConfigError(
      'UPDATE_PUBLIC_KEY',
      `must be an Ed25519 key (this one is ${key.asymmetricKeyType ?? 'unknown'}).`,
    );
  return key;
}

function strictBase64(text: string): Buffer {
  const compact = text.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) throw new Error('not base64');
  return Buffer.from(compact, 'base64');
}

/**
 * `audience` | `resource` | `both` (any case). Unset: `audience` for an Auth0 domain (Auth0 reads only
 * that), `both` elsewhere (a provider following RFC 8707 reads `resource`; `audience` is harmless).
 */
function parseResourceParameter(
  value: string | undefined,
  issuer: URL | undefined,
): ResourceParameter {
  if (value === undefined || value === '')
    return issuer && isAuth0Domain(issuer) ? 'audience' : 'both';
  const choice = value.trim().toLowerCase();
  if ((RESOURCE_PARAMETERS as readonly string[]).includes(choice))
    return choice as ResourceParameter;
  throw new ConfigError(
    'AUTH0_RESOURCE_PARAMETER',
    `"${value}" is not one of ${RESOURCE_PARAMETERS.join(', ')}.`,
  );
}
