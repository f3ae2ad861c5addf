/**
 * Where a request may go through a proxy, as settings say it: the `PROXY` setting (`system` | `none` |
 * a URL), the conventional `HTTPS_PROXY` / `HTTP_PROXY` / `NO_PROXY` variables, and the answer of a
 * PAC script or the OS (Electron's `session.resolveProxy`: `"PROXY host:port; DIRECT"`).
 *
 * Pure parsing and matching, no I/O. The decision about a given request (loopback, CONNECT only, no
 * token through a proxy in clear) is route-policy.ts; this module only says which proxy, if any, the
 * settings name for a URL.
 *
 * NO_PROXY follows curl (and Go, Python requests): a comma- or space-separated list; `*` alone means
 * every host; an entry matches the host itself and every subdomain (`corp.example` and
 * `.corp.example` and `*.corp.example` all match `api.corp.example` and `corp.example`); `host:port`
 * limits it to that port (as undici and Go do); an IP address matches itself, an IP range in CIDR
 * (`10.0.0.0/8`, `fd00::/8`) every address in it. Case and a trailing dot do not matter. undici's own
 * EnvHttpProxyAgent matches a bare `corp.example` against that exact host only; the broader match of
 * curl is the one people's NO_PROXY values are written for.
 */
import { BlockList, isIP } from 'node:net';
import { ConfigError } from '../config.ts';

/** Settings (and variables) that can name a proxy, as messages name them. */
export type ProxySettingName =
  'PROXY' | 'HTTPS_PROXY' | 'https_proxy' | 'HTTP_PROXY' | 'http_proxy';

/** A proxy and the setting that named it (so a message can say which one to fix). */
export interface NamedProxy {
  /** `http:` or `https:` (how the app talks to the proxy); may carry `user:password@` for Basic auth. */
  url: URL;
  setting: ProxySettingName | 'the system proxy settings';
}

/** The `PROXY` setting: the OS's (Electron) / the environment's (Node) settings, none, or this one. */
export type ProxySetting = { kind: 'system' } | { kind: 'none' } | { kind: 'url'; url: URL };

export type NoProxyRule =
  | { kind: 'all' }
  | { kind: 'domain'; domain: string; port: number | undefined }
  | { kind: 'address'; list: BlockList; port: number | undefined };

/** The proxies the settings name for plain-HTTP and HTTPS targets, and the hosts that bypass them. */
export interface ProxyConfig {
  http: NamedProxy | undefined;
  https: NamedProxy | undefined;
  noProxy: readonly NoProxyRule[];
}

/** One step a PAC result (or a fixed configuration) offers, in order: go direct, or use this proxy. */
export type ProxyHop = { kind: 'direct' } | { kind: 'proxy'; proxy: NamedProxy };

export const NO_PROXY_CONFIG: ProxyConfig = Object.freeze({
  http: undefined,
  https: undefined,
  noProxy: Object.freeze([]),
});

/**
 * Parses a proxy URL as `HTTPS_PROXY`, `HTTP_PROXY` and `PROXY` carry it: `http://` or `https://`, a
 * host, an optional port (default 80 / 443) and optional `user:password@` for Basic authentication.
 * Without a scheme, `http://` is meant (curl and Chromium read `proxy.corp:3128` so). No path, query or
 * fragment. Messages name the setting and the proxy's host, never its credentials.
 */
export function parseProxyUrl(setting: ProxySettingName, value: string): URL {
  const text = value.trim();
  if (text === '')
    throw new ConfigError(
      setting,
      'is empty; give a proxy URL such as http://proxy.example.com:3128.',
    );
  const withScheme = /^[a-z][a-z\d+.-]*:\/\//i.test(text) ? text : `http://${text}`;
  const url = URL.parse(withScheme);
  if (url === null || url.hostname === '') {
    throw new ConfigError(
      setting,
      'is not a proxy URL; give one such as http://proxy.example.com:3128.',
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(
      setting,
      `${url.protocol}// proxies are not supported; give an http:// or https:// proxy URL.`,
    );
  }
  if ((url.pathname !== '/' && url.pathname !== '') || url.search !== '' || url.hash !== '') {
    throw new ConfigError(
      setting,
      `must be only the proxy's scheme, host and port (such as http://${url.host}), without a path.`,
    );
  }
  return url;
}

/** Parses the `PROXY` setting: `system` (default when empty), `none`, or a proxy URL. */
export function parseProxySetting(value: string | undefined): ProxySetting {
  const text = (value ?? '').trim();
  if (text === '' || /^system$/i.test(text)) return { kind: 'system' };
  if (/^none$/i.test(text)) return { kind: 'none' };
  return { kind: 'url', url: parseProxyUrl('PROXY', text) };
}

/** Parses a NO_PROXY value (see the module comment for what an entry matches). */
export function parseNoProxy(value: string | undefined): NoProxyRule[] {
  const rules: NoProxyRule[] = [];
  for (const raw of (value ?? '').split(/[\s,]+/)) {
    const entry = raw.trim().toLowerCase();
    if (entry === '') continue;
    if (entry === '*') return [{ kind: 'all' }];
    const rule = parseNoProxyEntry(entry);
    if (rule !== undefined) rules.push(rule);
  }
  return rules;
}

function parseNoProxyEntry(entry: string): NoProxyRule | undefined {
  // [v6]:port, [v6], v4:port, host:port; a bare v6 address (several colons) has no port.
  let host = entry;
  let port: number | undefined;
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
  if (bracketed) {
    host = bracketed[1] ?? '';
    port = bracketed[2] === undefined ? undefined : Number(bracketed[2]);
  } else {
    const hostPort = /^([^:]+):(\d+)$/.exec(entry);
    if (hostPort) {
      host = hostPort[1] ?? '';
      port = Number(hostPort[2]);
    }
  }
  if (port !== undefined && (!Number.isInteger(port) || port < 1 || port > 65535)) return undefined;
  const cidr = /^(.+)\/(\d{1,3})$/.exec(host);
  const address = cidr ? (cidr[1] ?? '') : host;
  const family = isIP(address);
  if (family !== 0) {
    const type = family === 4 ? 'ipv4' : 'ipv6';
    const list = new BlockList();
    if (cidr) {
      const prefix = Number(cidr[2]);
      if (prefix > (family === 4 ? 32 : 128)) return undefined;
      list.addSubnet(address, prefix, type);
    } else {
      list.addAddress(address, type);
    }
    return { kind: 'address', list, port };
  }
  if (cidr) return undefined;
  const domain = host.replace(/^\*?\.+/, '').replace(/\.$/, '');
  if (domain === '' || domain.includes('*')) return undefined;
  return { kind: 'domain', domain, port };
}

/** The port a URL connects to (its own, or its scheme's default). */
export function effectivePort(url: URL): number {
  if (url.port !== '') return Number(url.port);
  return url.protocol === 'https:' ? 443 : 80;
}

/** The URL's host as an address or name: no IPv6 brackets, lower case, no trailing dot. */
export function bareHost(url: URL): string {
  return url.hostname
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '')
    .toLowerCase();
}

/** True when `url`'s host (and port) is in the NO_PROXY list. */
export function bypassesProxy(url: URL, rules: readonly NoProxyRule[]): boolean {
  const host = bareHost(url);
  const port = effectivePort(url);
  const family = isIP(host);
  return rules.some((rule) => {
    if (rule.kind === 'all') return true;
    if (rule.port !== undefined && rule.port !== port) return false;
    if (rule.kind === 'address')
      return family !== 0 && rule.list.check(host, family === 4 ? 'ipv4' : 'ipv6');
    return family === 0 && (host === rule.domain || host.endsWith(`.${rule.domain}`));
  });
}

/**
 * What the settings make of the environment: with `PROXY=none`, nothing; with a proxy URL in `PROXY`,
 * that proxy for every scheme; with `system` (Node's meaning: the environment), `https_proxy` /
 * `HTTPS_PROXY` for https targets (falling back to the HTTP proxy, as undici does) and `http_proxy` /
 * `HTTP_PROXY` for http targets, the lower-case name first (curl, undici). `no_proxy` / `NO_PROXY`
 * applies in both proxy cases. An empty variable counts as unset. A malformed proxy URL throws a
 * ConfigError naming its variable.
 */
export function proxyConfigFrom(setting: ProxySetting, env: NodeJS.ProcessEnv): ProxyConfig {
  if (setting.kind === 'none') return NO_PROXY_CONFIG;
  const noProxy = parseNoProxy(firstSet(env, ['no_proxy', 'NO_PROXY'])?.value);
  if (setting.kind === 'url') {
    const proxy: NamedProxy = { url: setting.url, setting: 'PROXY' };
    return { http: proxy, https: proxy, noProxy };
  }
  const named = (names: ProxySettingName[]): NamedProxy | undefined => {
    const found = firstSet(env, names);
    return found === undefined
      ? undefined
      : { url: parseProxyUrl(found.name, found.value), setting: found.name };
  };
  const http = named(['http_proxy', 'HTTP_PROXY']);
  const https = named(['https_proxy', 'HTTPS_PROXY']) ?? http;
  return { http, https, noProxy };
}

function firstSet<Name extends string>(
  env: NodeJS.ProcessEnv,
  names: Name[],
): { name: Name; value: string } | undefined {
  for (const name of names) {
    const value = env[name]?.trim();
    if (value) return { name, value };
  }
  return undefined;
}

/** The proxy the settings name for `url` (a one-hop list), before the route policy has its say. */
export function proxyHopsFor(url: URL, config: ProxyConfig): ProxyHop[] {
  const proxy = url.protocol === 'https:' ? config.https : config.http;
  if (proxy === undefined || bypassesProxy(url, config.noProxy)) return [{ kind: 'direct' }];
  return [{ kind: 'proxy', proxy }];
}

/**
 * Reads a PAC-format answer (`session.resolveProxy`): `DIRECT`, `PROXY host:port`,
 * `HTTPS host:port`, `SOCKS host:port` (version 4, as Chromium reads it), `SOCKS4`/`SOCKS5 host:port`,
 * separated by `;`, tried in order. A SOCKS proxy sees a plain-HTTP request as clearly as an HTTP
 * proxy does, so it counts as a proxy like the others. Unreadable entries are dropped; an answer
 * with none left means direct (Chromium's reading too).
 *
 * `setting`: where the session's configuration came from. Chromium answers in this format whatever
 * chose the proxy (a fixed `PROXY`, the OS's proxy, its PAC script or WPAD) and does not say which,
 * so "the system proxy settings" is as precise as the app can honestly be for `PROXY=system`.
 */
export function parsePacResult(
  text: string,
  setting: NamedProxy['setting'] = 'the system proxy settings',
): ProxyHop[] {
  const hops: ProxyHop[] = [];
  for (const part of text.split(';')) {
    const match = /^\s*(DIRECT|PROXY|HTTPS|SOCKS[45]?)(?:\s+(\S+))?\s*$/i.exec(part);
    if (!match) continue;
    const kind = (match[1] ?? '').toUpperCase();
    if (kind === 'DIRECT') {
      hops.push({ kind: 'direct' });
      continue;
    }
    const scheme =
      kind === 'PROXY'
        ? 'http'
        : kind === 'HTTPS'
          ? 'https'
          : kind === 'SOCKS5'
            ? 'socks5'
            : 'socks4';
    const url = match[2] === undefined ? null : URL.parse(`${scheme}://${match[2]}`);
    if (url === null || url.hostname === '') continue;
    hops.push({ kind: 'proxy', proxy: { url, setting } });
  }
  return hops.length === 0 ? [{ kind: 'direct' }] : hops;
}

/**
 * A proxy URL as typed (`PROXY`) without its `user:password@`, and that part on its own (as typed,
 * percent-encoding kept), so the two can be stored apart: the URL in settings.json, the credentials
 * sealed (settings.ts). The userinfo ends at the authority's last `@`, as the URL parser reads it.
 * `system`, `none` and a URL without credentials come back whole.
 */
export function splitProxyCredentials(value: string): { proxy: string; credentials?: string } {
  const text = value.trim();
  const scheme = /^[a-z][a-z\d+.-]*:\/\//i.exec(text)?.[0] ?? '';
  const rest = text.slice(scheme.length);
  const end = rest.search(/[/?#]/);
  const authority = end === -1 ? rest : rest.slice(0, end);
  const at = authority.lastIndexOf('@');
  if (at === -1) return { proxy: text };
  return { proxy: scheme + rest.slice(at + 1), credentials: authority.slice(0, at) };
}

/** `splitProxyCredentials` undone: the credentials put back before the host. */
export function joinProxyCredentials(proxy: string, credentials: string): string {
  const scheme = /^[a-z][a-z\d+.-]*:\/\//i.exec(proxy)?.[0] ?? '';
  return `${scheme}${credentials}@${proxy.slice(scheme.length)}`;
}

/** `host:port` of a proxy, for messages and route lines: never its credentials. */
export function proxyLabel(url: URL): string {
  return `${url.hostname}:${effectivePort(url)}`;
}
