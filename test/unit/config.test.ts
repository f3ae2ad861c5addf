import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  DEFAULT_REDIRECT_SCHEME,
  isLoopbackHost,
  parseConfig,
  readSettings,
  type Settings,
} from '../../src-main/core/config.ts';

const valid: Settings = {
  AUTH0_DOMAIN: 'dev-x.us.auth0.com',
  AUTH0_CLIENT_ID: 'abc123',
  AUTH0_AUDIENCE: 'https://hello-world.example.com',
  API_SERVER_URL: 'http://127.0.0.1:6060',
};

function errorOf(settings: Settings): ConfigError {
  try {
    parseConfig(settings);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration', () => {
  it('uses the app id as the app link scheme, or AUTH0_REDIRECT_SCHEME in lower case', () => {
    expect(parseConfig(valid).redirectScheme).toBe(DEFAULT_REDIRECT_SCHEME);
    expect(
      parseConfig({ ...valid, AUTH0_REDIRECT_SCHEME: DEFAULT_REDIRECT_SCHEME.toUpperCase() })
        .redirectScheme,
    ).toBe(DEFAULT_REDIRECT_SCHEME);
  });

  it('refuses a scheme the build does not register (another app’s scheme), naming electron-builder’s protocols (N5)', () => {
    expect(errorOf({ ...valid, AUTH0_REDIRECT_SCHEME: 'com.acme.desktop' }).message).toBe(
      `AUTH0_REDIRECT_SCHEME: "com.acme.desktop" is not a scheme this build registers (electron-builder.yml protocols: ${DEFAULT_REDIRECT_SCHEME}).`,
    );
  });

  it.each([
    'myapp',
    'http',
    'https',
    'com.example/app',
    'com.example:app',
    '1com.example',
    'com..example',
    'javascript',
  ])(
    'refuses %j as the app link scheme (RFC 8252 §7.1: a reverse domain name), naming the setting',
    (scheme) => {
      expect(errorOf({ ...valid, AUTH0_REDIRECT_SCHEME: scheme }).message).toMatch(
        /^AUTH0_REDIRECT_SCHEME: /,
      );
    },
  );

  it('names the API as `audience` on an Auth0 domain and as both elsewhere, unless AUTH0_RESOURCE_PARAMETER says', () => {
    expect(parseConfig(valid).resourceParameter).toBe('audience');
    expect(
      parseConfig({ ...valid, AUTH0_DOMAIN: 'https://sso.example.org' }).resourceParameter,
    ).toBe('both');
    expect(parseConfig({ ...valid, AUTH0_DOMAIN: 'http://127.0.0.1:4000' }).resourceParameter).toBe(
      'both',
    );
    for (const [value, parsed] of [
      ['resource', 'resource'],
      ['Both', 'both'],
      [' AUDIENCE ', 'audience'],
    ] as const)
      expect(parseConfig({ ...valid, AUTH0_RESOURCE_PARAMETER: value }).resourceParameter).toBe(
        parsed,
      );
  });

  it.each(['resources', 'aud', 'audience,resource', 'none'])(
    'refuses %j as AUTH0_RESOURCE_PARAMETER, naming the setting and the choices',
    (value) => {
      expect(errorOf({ ...valid, AUTH0_RESOURCE_PARAMETER: value }).message).toBe(
        `AUTH0_RESOURCE_PARAMETER: "${value}" is not one of audience, resource, both.`,
      );
    },
  );

  it('turns a bare Auth0 domain into an https issuer', () => {
    const config = parseConfig(valid);
    expect(config.issuer.href).toBe('https://dev-x.us.auth0.com/');
    expect(config.clientId).toBe('abc123');
    expect(config.apiServerUrl.href).toBe('http://127.0.0.1:6060/');
    expect(config.callbackPorts).toEqual([]);
  });

  it('keeps a full issuer URL and parses the callback port list in order', () => {
    const config = parseConfig({
      ...valid,
      AUTH0_DOMAIN: 'http://127.0.0.1:4000',
      AUTH0_CALLBACK_PORTS: '3000, 3001,3002',
    });
    expect(config.issuer.href).toBe('http://127.0.0.1:4000/');
    expect(config.callbackPorts).toEqual([3000, 3001, 3002]);
  });

  it('refuses plain http to anything but a loopback host, naming the setting', () => {
    expect(errorOf({ ...valid, AUTH0_DOMAIN: 'http://idp.example.com' }).message).toMatch(
      /^AUTH0_DOMAIN: http: is only allowed for loopback/,
    );
    expect(errorOf({ ...valid, API_SERVER_URL: 'http://api.example.com' }).setting).toBe(
      'API_SERVER_URL',
    );
  });

  it.each([
    ['AUTH0_CLIENT_ID', { ...valid, AUTH0_CLIENT_ID: undefined }],
    ['AUTH0_AUDIENCE', { ...valid, AUTH0_AUDIENCE: undefined }],
    ['API_SERVER_URL', { ...valid, API_SERVER_URL: undefined }],
    ['API_SERVER_URL', { ...valid, API_SERVER_URL: 'not a url' }],
    ['AUTH0_DOMAIN', { ...valid, AUTH0_DOMAIN: 'ftp://dev-x.us.auth0.com' }],
    ['AUTH0_DOMAIN', { ...valid, AUTH0_DOMAIN: 'https://user:pw@dev-x.us.auth0.com' }],
    ['AUTH0_CLIENT_ID', { ...valid, AUTH0_CLIENT_ID: 'has spaces' }],
    ['AUTH0_CALLBACK_PORTS', { ...valid, AUTH0_CALLBACK_PORTS: '3000,abc' }],
    ['AUTH0_CALLBACK_PORTS', { ...valid, AUTH0_CALLBACK_PORTS: '70000' }],
    ['AUTH0_CALLBACK_PORTS', { ...valid, AUTH0_CALLBACK_PORTS: '0' }],
    ['AUTH0_DPOP', { ...valid, AUTH0_DPOP: 'yes' }],
    ['AUTH0_DPOP', { ...valid, AUTH0_DPOP: '1' }],
  ])('names %s when it is missing or invalid', (setting, settings) => {
    const error = errorOf(settings as Settings);
    expect(error.setting).toBe(setting);
    expect(error.message.startsWith(`${setting}: `)).toBe(true);
  });

  it('turns DPoP on only when AUTH0_DPOP says true (off by default for a configured tenant)', () => {
    expect(parseConfig(valid).dpop).toBe(false);
    expect(parseConfig({ ...valid, AUTH0_DPOP: 'true' }).dpop).toBe(true);
    expect(parseConfig({ ...valid, AUTH0_DPOP: 'TRUE' }).dpop).toBe(true);
    expect(parseConfig({ ...valid, AUTH0_DPOP: 'false' }).dpop).toBe(false);
    expect(errorOf({ ...valid, AUTH0_DPOP: 'on' }).message).toBe(
      'AUTH0_DPOP: "on" is not true or false.',
    );
    expect(readSettings({ AUTH0_DPOP: ' true ' })).toEqual({ AUTH0_DPOP: 'true' });
  });

  it('reads .env for what the environment does not set; the environment wins', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'config-'));
    writeFileSync(
      path.join(dir, '.env'),
      'AUTH0_DOMAIN=from-file.auth0.com\nAUTH0_CLIENT_ID="file-client"\n# comment\n',
    );
    const settings = readSettings({ AUTH0_DOMAIN: 'from-env.auth0.com', UNRELATED: 'x' }, dir);
    expect(settings).toEqual({
      AUTH0_DOMAIN: 'from-env.auth0.com',
      AUTH0_CLIENT_ID: 'file-client',
    });
  });

  it('knows which hosts are loopback', () => {
    expect(['127.0.0.1', '127.1.2.3', 'localhost', '[::1]', '::1'].every(isLoopbackHost)).toBe(
      true,
    );
    expect(['127.0.0.1.evil.com', 'example.com', '10.0.0.1', '0.0.0.0'].some(isLoopbackHost)).toBe(
      false,
    );
  });
});
