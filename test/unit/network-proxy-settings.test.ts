/**
 * Proxy settings as a person writes them: the `PROXY` setting, `HTTPS_PROXY` / `HTTP_PROXY` /
 * `NO_PROXY` (curl's reading of NO_PROXY), and the PAC-format answer of the OS or a PAC script.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src-main/core/config.ts';
import {
  bypassesProxy,
  joinProxyCredentials,
  parseNoProxy,
  parsePacResult,
  parseProxySetting,
  parseProxyUrl,
  proxyConfigFrom,
  proxyHopsFor,
  proxyLabel,
  splitProxyCredentials,
} from '../../src-main/core/network/proxy-settings.ts';

describe('parseProxyUrl (HTTPS_PROXY, HTTP_PROXY and PROXY share it)', () => {
  it.each([
    ['http://proxy.corp:3128', 'http://proxy.corp:3128/', 'proxy.corp:3128'],
    ['proxy.corp:3128', 'http://proxy.corp:3128/', 'proxy.corp:3128'],
    ['  HTTP://Proxy.Corp:3128/  ', 'http://proxy.corp:3128/', 'proxy.corp:3128'],
    ['https://proxy.corp', 'https://proxy.corp/', 'proxy.corp:443'],
    ['http://proxy.corp', 'http://proxy.corp/', 'proxy.corp:80'],
    [
      'http://alice:s%40cret@proxy.corp:8080',
      'http://alice:s%40cret@proxy.corp:8080/',
      'proxy.corp:8080',
    ],
    ['http://[fd00::1]:3128', 'http://[fd00::1]:3128/', '[fd00::1]:3128'],
  ])('reads %j', (value, href, label) => {
    const url = parseProxyUrl('HTTPS_PROXY', value);
    expect(url.href).toBe(href);
    expect(proxyLabel(url)).toBe(label);
  });

  it.each([
    ['', /is empty/],
    ['http://', /is not a proxy URL/],
    ['socks5://alice:s3cret@proxy.corp:1080', /socks5:\/\/ proxies are not supported/],
    ['http://alice:s3cret@proxy.corp:3128/path', /without a path/],
    ['http://proxy.corp:3128/?x=1', /without a path/],
    ['http://proxy.corp:99999', /is not a proxy URL/],
  ])('refuses %j naming the setting, never echoing credentials', (value, reason) => {
    let error: unknown;
    try {
      parseProxyUrl('HTTP_PROXY', value);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).setting).toBe('HTTP_PROXY');
    expect((error as ConfigError).message).toMatch(/^HTTP_PROXY: /);
    expect((error as ConfigError).message).toMatch(reason);
    expect((error as ConfigError).message).not.toMatch(/alice|s3cret/);
  });
});

describe('parseProxySetting (PROXY: system | none | a URL)', () => {
  it.each([
    [undefined, { kind: 'system' }],
    ['', { kind: 'system' }],
    ['system', { kind: 'system' }],
    ['SYSTEM', { kind: 'system' }],
    [' none ', { kind: 'none' }],
    ['None', { kind: 'none' }],
  ])('%j', (value, expected) => {
    expect(parseProxySetting(value)).toEqual(expected);
  });

  it('takes a proxy URL with the same parser, errors naming PROXY', () => {
    expect(parseProxySetting('proxy.corp:3128')).toEqual({
      kind: 'url',
      url: new URL('http://proxy.corp:3128'),
    });
    expect(() => parseProxySetting('ftp://proxy')).toThrow(
      /^PROXY: ftp:\/\/ proxies are not supported/,
    );
  });
});

describe('NO_PROXY, read as curl reads it', () => {
  const bypass = (noProxy: string, url: string) =>
    bypassesProxy(new URL(url), parseNoProxy(noProxy));

  it.each([
    ['*', 'https://anything.example', true],
    ['', 'https://anything.example', false],
    // A domain covers itself and every subdomain; a leading dot or *. changes nothing.
    ['corp.example', 'https://corp.example', true],
    ['corp.example', 'https://api.corp.example', true],
    ['corp.example', 'https://a.b.corp.example:8443/x', true],
    ['corp.example', 'https://notcorp.example', false],
    ['corp.example', 'https://corp.example.org', false],
    ['.corp.example', 'https://api.corp.example', true],
    ['.corp.example', 'https://corp.example', true],
    ['*.corp.example', 'https://api.corp.example', true],
    ['API.Corp.Example.', 'https://api.corp.example./x', true],
    // A port limits the entry to it (the scheme's default counts).
    ['corp.example:8443', 'https://api.corp.example:8443', true],
    ['corp.example:8443', 'https://api.corp.example', false],
    ['corp.example:443', 'https://api.corp.example', true],
    ['corp.example:80', 'http://api.corp.example', true],
    // Addresses and CIDR ranges, v4 and v6.
    ['192.168.1.5', 'http://192.168.1.5:8080', true],
    ['192.168.1.5', 'http://192.168.1.6', false],
    ['10.0.0.0/8', 'https://10.20.30.40', true],
    ['10.0.0.0/8', 'https://11.0.0.1', false],
    ['10.0.0.0/8', 'https://ten.corp.example', false],
    ['::1', 'http://[::1]:4000', true],
    ['[::1]:4000', 'http://[::1]:4000', true],
    ['[::1]:4000', 'http://[::1]:4001', false],
    ['fd00::/8', 'https://[fd12:3456::1]', true],
    // Lists: commas and spaces; unreadable entries are skipped, not fatal.
    ['a.example, b.example c.example', 'https://x.c.example', true],
    ['10.0.0.0/99, host:99999, *.*.x, corp.example', 'https://api.corp.example', true],
    ['10.0.0.0/99, host:99999, *.*.x', 'https://10.1.1.1', false],
  ])('NO_PROXY=%j for %s: %s', (noProxy, url, expected) => {
    expect(bypass(noProxy, url)).toBe(expected);
  });
});

describe('proxyConfigFrom: which proxy the settings and the environment name', () => {
  const hop = (config: ReturnType<typeof proxyConfigFrom>, url: string) => {
    const [first] = proxyHopsFor(new URL(url), config);
    return first?.kind === 'proxy' ? `${first.proxy.setting} ${first.proxy.url.host}` : 'direct';
  };

  it('system: HTTPS_PROXY for https, HTTP_PROXY for http, lower case first, NO_PROXY for both', () => {
    const config = proxyConfigFrom(
      { kind: 'system' },
      {
        HTTPS_PROXY: 'http://upper-s:1',
        https_proxy: 'http://lower-s:2',
        HTTP_PROXY: 'http://upper-h:3',
        NO_PROXY: 'corp.example',
      },
    );
    expect(hop(config, 'https://idp.example')).toBe('https_proxy lower-s:2');
    expect(hop(config, 'http://api.example')).toBe('HTTP_PROXY upper-h:3');
    expect(hop(config, 'https://api.corp.example')).toBe('direct');
    expect(hop(config, 'http://api.corp.example')).toBe('direct');
  });

  it('system: https falls back to the HTTP proxy (as undici does); empty variables count as unset', () => {
    const config = proxyConfigFrom(
      { kind: 'system' },
      { HTTPS_PROXY: '', http_proxy: 'proxy.corp:3128', no_proxy: ' ' },
    );
    expect(hop(config, 'https://idp.example')).toBe('http_proxy proxy.corp:3128');
    expect(proxyConfigFrom({ kind: 'system' }, {})).toEqual({
      http: undefined,
      https: undefined,
      noProxy: [],
    });
  });

  it('none: nothing goes through a proxy, whatever the environment says', () => {
    const config = proxyConfigFrom(
      { kind: 'none' },
      { HTTPS_PROXY: 'http://p:1', HTTP_PROXY: 'http://p:1' },
    );
    expect(hop(config, 'https://idp.example')).toBe('direct');
    expect(hop(config, 'http://api.example')).toBe('direct');
  });

  it('a URL: that proxy for every scheme, named PROXY; NO_PROXY still applies (as with curl -x)', () => {
    const config = proxyConfigFrom(parseProxySetting('http://p.corp:8080'), {
      HTTPS_PROXY: 'http://other:1',
      NO_PROXY: '.corp.example',
    });
    expect(hop(config, 'https://idp.example')).toBe('PROXY p.corp:8080');
    expect(hop(config, 'http://api.example')).toBe('PROXY p.corp:8080');
    expect(hop(config, 'https://idp.corp.example')).toBe('direct');
  });

  it('a malformed variable is a ConfigError naming that variable', () => {
    expect(() => proxyConfigFrom({ kind: 'system' }, { HTTPS_PROXY: 'socks5://p:1' })).toThrow(
      /^HTTPS_PROXY: /,
    );
    expect(() => proxyConfigFrom({ kind: 'system' }, { http_proxy: 'http://p:1/x' })).toThrow(
      /^http_proxy: /,
    );
    // PROXY=none never reads them.
    expect(() => proxyConfigFrom({ kind: 'none' }, { HTTPS_PROXY: 'socks5://p:1' })).not.toThrow();
  });
});

describe('parsePacResult (session.resolveProxy answers)', () => {
  const read = (text: string) =>
    parsePacResult(text).map((hop) =>
      hop.kind === 'direct' ? 'DIRECT' : hop.proxy.url.href.replace(/\/$/, ''),
    );

  it.each([
    ['DIRECT', ['DIRECT']],
    ['PROXY proxy.corp:3128', ['http://proxy.corp:3128']],
    ['PROXY proxy.corp:3128; DIRECT', ['http://proxy.corp:3128', 'DIRECT']],
    ['HTTPS secure.corp:443;PROXY b.corp:80', ['https://secure.corp', 'http://b.corp']],
    ['SOCKS5 s.corp:1080', ['socks5://s.corp:1080']],
    ['SOCKS s.corp:1080', ['socks4://s.corp:1080']],
    ['proxy lower.corp:8080', ['http://lower.corp:8080']],
    ['', ['DIRECT']],
    ['PROXY; QUIC q:443; nonsense', ['DIRECT']],
  ])('%j', (text, expected) => {
    expect(read(text)).toEqual(expected);
  });

  it('names where such a proxy came from', () => {
    const [hop] = parsePacResult('PROXY proxy.corp:3128');
    expect(hop).toMatchObject({ kind: 'proxy', proxy: { setting: 'the system proxy settings' } });
  });
});

describe('splitProxyCredentials / joinProxyCredentials', () => {
  it.each([
    ['http://ann:pw@proxy.corp:3128', 'http://proxy.corp:3128', 'ann:pw'],
    ['ann:p%40ss@proxy.corp:3128', 'proxy.corp:3128', 'ann:p%40ss'],
    // The URL parser reads the userinfo up to the authority's last @.
    ['http://ann:p@ss@proxy.corp', 'http://proxy.corp', 'ann:p@ss'],
    ['https://ann@proxy.corp/', 'https://proxy.corp/', 'ann'],
    ['http://proxy.corp:3128', 'http://proxy.corp:3128', undefined],
    ['system', 'system', undefined],
    ['none', 'none', undefined],
  ])('%s → %s + %s, and back', (typed, proxy, credentials) => {
    expect(splitProxyCredentials(typed)).toEqual(
      credentials === undefined ? { proxy } : { proxy, credentials },
    );
    if (credentials !== undefined) expect(joinProxyCredentials(proxy, credentials)).toBe(typed);
  });
});
