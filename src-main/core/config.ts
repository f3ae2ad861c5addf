/**
 * Configuration, read once at start-up and validated at the edge: a bad value fails fast with a
 * message that names the setting, so nobody has to guess which of five variables is wrong.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';

export interface AppConfig {
  /** Issuer URL, as the provider's discovery document must state it. */
  issuer: URL;
  /** The Native application's client ID; there is no client secret (RFC 8252 §8.5). */
  clientId: string;
  /** Sent as Auth0's `audience` parameter so the access token is a JWT for the API. */
  audience: string;
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
}

/** electron-builder's `appId` in lower case (a unit test holds the two together). */
export const DEFAULT_REDIRECT_SCHEME = 'com.example.electron-auth0-hello-world';

export class ConfigError extends Error {
  readonly setting: string;
  constructor(setting: string, message: string) {
    super(`${setting}: ${message}`);
    this.name = 'ConfigError';
    this.setting = setting;
  }
}

export const SETTINGS = [
  'AUTH0_DOMAIN',
  'AUTH0_CLIENT_ID',
  'AUTH0_AUDIENCE',
  'API_SERVER_URL',
  'AUTH0_CALLBACK_PORTS',
  'AUTH0_DPOP',
  'AUTH0_REDIRECT_SCHEME',
] as const;
export type Settings = Partial<Record<(typeof SETTINGS)[number], string>>;

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
  const fromFile = cwd ? readEnvFile(path.join(cwd, '.env')) : {};
  const settings: Settings = {};
  for (const name of SETTINGS) {
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

/** Validates settings into an AppConfig. Assumes AUTH0_DOMAIN is set (else: the devstack). */
export function parseConfig(settings: Settings): AppConfig {
  const issuer = parseIssuer(required(settings, 'AUTH0_DOMAIN'));
  const clientId = required(settings, 'AUTH0_CLIENT_ID');
  if (!/^[\w.~-]{1,200}$/.test(clientId)) {
    throw new ConfigError('AUTH0_CLIENT_ID', 'must be a client ID (letters, digits, ".", "_", "~", "-").');
  }
  const audience = required(settings, 'AUTH0_AUDIENCE');
  const apiServerUrl = parseHttpUrl('API_SERVER_URL', required(settings, 'API_SERVER_URL'));
  const callbackPorts = parsePorts(settings.AUTH0_CALLBACK_PORTS ?? '');
  const dpop = parseBoolean('AUTH0_DPOP', settings.AUTH0_DPOP, false);
  const redirectScheme = parseRedirectScheme(settings.AUTH0_REDIRECT_SCHEME);
  return { issuer, clientId, audience, apiServerUrl, callbackPorts, dpop, redirectScheme };
}

/** `true` / `false` (any case); unset: the fallback; anything else names the setting. */
export function parseBoolean(name: string, value: string | undefined, fallback: boolean): boolean {
  if (value === undefined || value === '') return fallback;
  const text = value.trim().toLowerCase();
  if (text === 'true') return true;
  if (text === 'false') return false;
  throw new ConfigError(name, `"${value}" is not true or false.`);
}

function required(settings: Settings, name: keyof Settings): string {
  const value = settings[name];
  if (!value) throw new ConfigError(name, 'is required when AUTH0_DOMAIN is set.');
  return value;
}

/** `dev-x.us.auth0.com` → `https://dev-x.us.auth0.com/`; full URLs are kept as given. */
function parseIssuer(value: string): URL {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `https://${value}/`;
  const url = parseHttpUrl('AUTH0_DOMAIN', withScheme);
  if (url.search || url.hash) throw new ConfigError('AUTH0_DOMAIN', 'must not contain a query or fragment.');
  return url;
}

function parseHttpUrl(name: string, value: string): URL {
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
    throw new ConfigError(name, `http: is only allowed for loopback hosts (127.0.0.1, ::1, localhost); use https:// for ${url.host}.`);
  }
  throw new ConfigError(name, `must be an https:// URL (got ${url.protocol}).`);
}

function parsePorts(value: string): number[] {
  if (!value) return [];
  return value.split(',').map((part) => {
    const text = part.trim();
    const port = Number(text);
    if (!/^\d+$/.test(text) || !Number.isInteger(port) || port < 1 || port > 65535) {
      throw new ConfigError('AUTH0_CALLBACK_PORTS', `"${text}" is not a port (1–65535); use a comma list like 3000,3001.`);
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
    throw new ConfigError('AUTH0_REDIRECT_SCHEME', `"${value}" is not a reverse domain name like com.example.app (RFC 8252 §7.1).`);
  }
  return scheme;
}
