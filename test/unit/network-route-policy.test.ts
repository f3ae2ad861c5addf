/**
 * The route policy (src-main/core/network/route-policy.ts) as a table: for each request and the
 * proxies offered for it, the route a user or an attacker would see taken — direct, a CONNECT tunnel,
 * plain forwarding — or the refusal and its message.
 */
import { describe, expect, it } from 'vitest';
import type { ProxyHop } from '../../src-main/core/network/proxy-settings.ts';
import { parsePacResult } from '../../src-main/core/network/proxy-settings.ts';
import type { Destination, RequestView } from '../../src-main/core/network/route-policy.ts';
import {
  carriesCredential,
  decideRoute,
  describeRoute,
} from '../../src-main/core/network/route-policy.ts';

const PROXY: ProxyHop[] = [
  {
    kind: 'proxy',
    proxy: { url: new URL('http://alice:s3cret@proxy.corp:3128'), setting: 'HTTPS_PROXY' },
  },
];
const DIRECT: ProxyHop[] = [{ kind: 'direct' }];
// JWT-shaped, built at run time so no token-like literal is committed.
const JWT = [{ alg: 'ES256' }, { sub: 'alice' }]
  .map((part) => Buffer.from(JSON.stringify(part)).toString('base64url'))
  .concat(Buffer.from('signature').toString('base64url'))
  .join('.');
const API_REFUSAL =
  'The API server URL is http:// and a proxy is in use: use https:// or add its host to NO_PROXY';
const DOMAIN_REFUSAL =
  'The Domain is http:// and a proxy is in use: use https:// or add its host to NO_PROXY';

function request(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): RequestView {
  return {
    url: new URL(url),
    method: init.method ?? 'GET',
    headers: Object.entries(init.headers ?? {}),
    body: init.body,
  };
}

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

type Expected = 'direct (loopback)' | 'direct' | 'tunnel' | 'forward' | { refused: string };

const TABLE: Array<[string, RequestView, ProxyHop[], Destination, Expected]> = [
  // 1. Loopback is always direct, whatever is offered and whatever the request carries.
  [
    '127.0.0.1 with a bearer token, a proxy offered',
    request('http://127.0.0.1:6060/api/messages/protected', {
      headers: { Authorization: `Bearer ${JWT}` },
    }),
    PROXY,
    'API_SERVER_URL',
    'direct (loopback)',
  ],
  [
    'anywhere in 127.0.0.0/8',
    request('http://127.8.9.10:4000/token', {
      method: 'POST',
      body: form({ grant_type: 'refresh_token', refresh_token: 'rt-1' }),
    }),
    PROXY,
    'AUTH0_DOMAIN',
    'direct (loopback)',
  ],
  [
    '[::1]',
    request('http://[::1]:4000/.well-known/openid-configuration'),
    PROXY,
    'AUTH0_DOMAIN',
    'direct (loopback)',
  ],
  [
    'localhost, any case',
    request('http://LocalHost:6060/api/messages/admin', { headers: { DPoP: JWT } }),
    PROXY,
    'API_SERVER_URL',
    'direct (loopback)',
  ],
  [
    'https on loopback',
    request('https://127.0.0.1:4443/token'),
    PROXY,
    'AUTH0_DOMAIN',
    'direct (loopback)',
  ],
  // Only what is loopback by address or the name localhost: a lookalike name goes through the proxy.
  [
    'a name that merely contains 127.0.0.1',
    request('https://127.0.0.1.nip.example/token'),
    PROXY,
    'AUTH0_DOMAIN',
    'tunnel',
  ],
  [
    'an IPv4-mapped address is not taken for loopback (fails safe: tunnelled)',
    request('https://[::ffff:127.0.0.1]/token'),
    PROXY,
    'AUTH0_DOMAIN',
    'tunnel',
  ],
  // 2. https through a proxy: only a CONNECT tunnel, with or without credentials.
  [
    'https with a bearer token through a proxy',
    request('https://api.corp.example/api/messages/protected', {
      headers: { Authorization: `Bearer ${JWT}` },
    }),
    PROXY,
    'API_SERVER_URL',
    'tunnel',
  ],
  [
    'https token request through a proxy',
    request('https://idp.corp.example/oauth/token', {
      method: 'POST',
      body: form({ grant_type: 'authorization_code', code: 'c-1', code_verifier: 'v-1' }),
    }),
    PROXY,
    'AUTH0_DOMAIN',
    'tunnel',
  ],
  [
    'https with no proxy offered',
    request('https://idp.corp.example/.well-known/openid-configuration'),
    DIRECT,
    'AUTH0_DOMAIN',
    'direct',
  ],
  // 3. Plain http through a proxy: forwarded only when nothing secret is in it.
  [
    'http public message, no credential',
    request('http://api.corp.example/api/messages/public'),
    PROXY,
    'API_SERVER_URL',
    'forward',
  ],
  [
    'http with a bearer token',
    request('http://api.corp.example/api/messages/protected', {
      headers: { Authorization: `Bearer ${JWT}` },
    }),
    PROXY,
    'API_SERVER_URL',
    { refused: API_REFUSAL },
  ],
  [
    'http with a DPoP proof and token',
    request('http://api.corp.example/api/messages/protected', {
      headers: { authorization: 'DPoP opaque-at', dpop: JWT },
    }),
    PROXY,
    'API_SERVER_URL',
    { refused: API_REFUSAL },
  ],
  [
    'http with a DPoP proof only',
    request('http://idp.corp.example/token', { method: 'POST', headers: { DPoP: JWT } }),
    PROXY,
    'AUTH0_DOMAIN',
    { refused: DOMAIN_REFUSAL },
  ],
  [
    'http refresh body',
    request('http://idp.corp.example/token', {
      method: 'POST',
      body: form({ grant_type: 'refresh_token', refresh_token: 'opaque-rt-7f3a', client_id: 'c' }),
    }),
    PROXY,
    'AUTH0_DOMAIN',
    { refused: DOMAIN_REFUSAL },
  ],
  [
    'http code exchange body',
    request('http://idp.corp.example/token', {
      method: 'POST',
      body: form({
        grant_type: 'authorization_code',
        code: 'code-5e8d',
        code_verifier: 'verifier-9a8b',
        redirect_uri: 'http://127.0.0.1:53682/callback',
      }),
    }),
    PROXY,
    'AUTH0_DOMAIN',
    { refused: DOMAIN_REFUSAL },
  ],
  [
    'http device code polling body',
    request('http://idp.corp.example/token', {
      method: 'POST',
      body: form({
        grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
        device_code: 'dc-1',
        client_id: 'c',
      }),
    }),
    PROXY,
    'AUTH0_DOMAIN',
    { refused: DOMAIN_REFUSAL },
  ],
  [
    'http revocation body (token=)',
    request('http://idp.corp.example/revoke', {
      method: 'POST',
      body: form({ token: 'opaque-rt-7f3a', token_type_hint: 'refresh_token' }),
    }),
    PROXY,
    'AUTH0_DOMAIN',
    { refused: DOMAIN_REFUSAL },
  ],
  [
    'http JSON body with a refresh token',
    request('http://idp.corp.example/token', {
      method: 'POST',
      body: JSON.stringify({ refresh_token: 'opaque-rt-7f3a' }),
    }),
    PROXY,
    'AUTH0_DOMAIN',
    { refused: DOMAIN_REFUSAL },
  ],
  [
    'http code in the query',
    request('http://idp.corp.example/cb?code=code-5e8d&state=s'),
    PROXY,
    'AUTH0_DOMAIN',
    { refused: DOMAIN_REFUSAL },
  ],
  [
    'http logout with id_token_hint',
    request(`http://idp.corp.example/session/end?id_token_hint=${JWT}`),
    PROXY,
    'AUTH0_DOMAIN',
    { refused: DOMAIN_REFUSAL },
  ],
  [
    'http with a cookie',
    request('http://api.corp.example/api/messages/public', { headers: { Cookie: 'session=abc' } }),
    PROXY,
    'API_SERVER_URL',
    { refused: API_REFUSAL },
  ],
  [
    'http with a secret-named header',
    request('http://api.corp.example/x', { headers: { 'X-Api-Token': 'abc' } }),
    PROXY,
    'API_SERVER_URL',
    { refused: API_REFUSAL },
  ],
  [
    'http body too long to inspect (fails closed)',
    request('http://idp.corp.example/x', { method: 'POST', body: 'a'.repeat(5000) }),
    PROXY,
    'AUTH0_DOMAIN',
    { refused: DOMAIN_REFUSAL },
  ],
  [
    'http with a token but no proxy: direct',
    request('http://api.corp.example/api/messages/protected', {
      headers: { Authorization: `Bearer ${JWT}` },
    }),
    DIRECT,
    'API_SERVER_URL',
    'direct',
  ],
  // A PAC list falls back in order: a proxy anywhere in it may carry the request.
  [
    'http with a token, PAC "DIRECT; PROXY p:8080"',
    request('http://api.corp.example/api/messages/protected', {
      headers: { Authorization: `Bearer ${JWT}` },
    }),
    parsePacResult('DIRECT; PROXY p.corp:8080'),
    'API_SERVER_URL',
    { refused: API_REFUSAL },
  ],
  [
    'https, PAC "PROXY a:1; PROXY b:2": the first one',
    request('https://api.corp.example/x'),
    parsePacResult('PROXY a.corp:1; PROXY b.corp:2'),
    'API_SERVER_URL',
    'tunnel',
  ],
  [
    'https, PAC "DIRECT": direct',
    request('https://api.corp.example/x'),
    parsePacResult('DIRECT'),
    'API_SERVER_URL',
    'direct',
  ],
  [
    'http with a token, through a SOCKS proxy',
    request('http://api.corp.example/x', { headers: { Authorization: 'Bearer t' } }),
    parsePacResult('SOCKS5 s.corp:1080'),
    'API_SERVER_URL',
    { refused: API_REFUSAL },
  ],
  // Nothing but http(s).
  [
    'ftp:',
    request('ftp://files.corp.example/x'),
    DIRECT,
    'API_SERVER_URL',
    { refused: 'The API server URL must be an http:// or https:// URL (got ftp:).' },
  ],
];

describe('decideRoute', () => {
  it.each(TABLE)('%s', (_name, view, hops, destination, expected) => {
    const route = decideRoute(view, hops, destination);
    if (typeof expected === 'object') {
      expect(route).toEqual({ kind: 'refused', message: expected.refused });
    } else if (expected === 'direct (loopback)') {
      expect(route).toEqual({ kind: 'direct', reason: 'loopback' });
    } else if (expected === 'direct') {
      expect(route).toEqual({ kind: 'direct', reason: 'no proxy' });
    } else {
      const firstProxy = hops.find((hop) => hop.kind === 'proxy');
      expect(route).toEqual({
        kind: expected,
        proxy: firstProxy?.kind === 'proxy' ? firstProxy.proxy : undefined,
      });
    }
  });

  it('counts its cases: every rule has refusals and passes', () => {
    const kinds = TABLE.map(
      ([, view, hops, destination]) => decideRoute(view, hops, destination).kind,
    );
    expect(kinds.filter((kind) => kind === 'refused')).toHaveLength(16);
    expect(new Set(kinds)).toEqual(new Set(['direct', 'tunnel', 'forward', 'refused']));
  });

  it('names what the person can change instead of NO_PROXY where that is the fix (Electron: the OS list)', () => {
    const route = decideRoute(
      request('http://api.corp.example/x', { headers: { Authorization: 'Bearer t' } }),
      PROXY,
      'API_SERVER_URL',
      "the system's proxy bypass list",
    );
    expect(route).toEqual({
      kind: 'refused',
      message:
        "The API server URL is http:// and a proxy is in use: use https:// or add its host to the system's proxy bypass list",
    });
  });
});

describe('carriesCredential', () => {
  it.each([
    ['no headers, no body', request('http://h/x'), false],
    [
      'ordinary headers',
      request('http://h/x', { headers: { Accept: 'application/json', 'User-Agent': 'axios/1' } }),
      false,
    ],
    [
      'a body without a secret',
      request('http://h/x', { method: 'POST', body: form({ client_id: 'c', scope: 'openid' }) }),
      false,
    ],
    [
      'Authorization of any scheme',
      request('http://h/x', { headers: { Authorization: 'Basic dTpw' } }),
      true,
    ],
    [
      'Proxy-Authorization',
      request('http://h/x', { headers: { 'Proxy-Authorization': 'Basic dTpw' } }),
      true,
    ],
    ['a JWT in any header value', request('http://h/x', { headers: { 'X-Trace': JWT } }), true],
    ['a JWT in the path', request(`http://h/tokens/${JWT}`), true],
    ['user information in the URL', request('http://u:p@h/x'), true],
  ])('%s: %s', (_name, view, expected) => {
    expect(carriesCredential(view)).toBe(expected);
  });
});

describe('describeRoute', () => {
  it('gives Check connection one line per route, never the proxy credentials', () => {
    const lines = [
      decideRoute(request('http://127.0.0.1:6060/x'), PROXY, 'API_SERVER_URL'),
      decideRoute(request('https://api.corp.example/x'), DIRECT, 'API_SERVER_URL'),
      decideRoute(request('https://api.corp.example/x'), PROXY, 'API_SERVER_URL'),
      decideRoute(request('http://api.corp.example/x'), PROXY, 'API_SERVER_URL'),
      decideRoute(
        request('http://api.corp.example/x', { headers: { Authorization: 'Bearer t' } }),
        PROXY,
        'API_SERVER_URL',
      ),
    ].map(describeRoute);
    expect(lines).toEqual([
      'direct (loopback)',
      'direct',
      'via proxy proxy.corp:3128',
      'via proxy proxy.corp:3128',
      `not sent: ${API_REFUSAL}`,
    ]);
    expect(lines.join('\n')).not.toMatch(/alice|s3cret/);
  });

  it('says when the system chose the proxy (Electron: its settings, PAC script or WPAD), and when a setting named it', () => {
    const https = request('https://api.corp.example/x');
    const route = (hops: ProxyHop[]) => describeRoute(decideRoute(https, hops, 'API_SERVER_URL'));
    expect(route(parsePacResult('PROXY wpad-chosen.corp:8080; DIRECT'))).toBe(
      'via system proxy settings: wpad-chosen.corp:8080',
    );
    expect(route(parsePacResult('PROXY proxy.corp:3128', 'PROXY'))).toBe(
      'via proxy proxy.corp:3128',
    );
    expect(route(PROXY)).toBe('via proxy proxy.corp:3128');
  });
});
