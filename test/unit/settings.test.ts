/**
 * The Settings page's rules, as pure functions: one parser for the form and the environment, where
 * each value comes from, what to register at the provider, and when logout may send a return URL.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig, validateSettings, type Settings } from '../../src-main/core/config.ts';
import { JsonFileStore, KeyFileBesideDataCipher } from '../../src-main/core/node-storage.ts';
import type { Cipher } from '../../src-main/core/platform.ts';
import {
  NO_FIXED_PORT_WARNING,
  isAuth0Domain,
  registrationFor,
  sendsLogoutReturn,
} from '../../src-main/core/registration.ts';
import {
  SAVED_SETTINGS_KEY,
  formRefusal,
  loadSavedSettings,
  readManagedSettings,
  readSavedSettings,
  resolveSettings,
  saveSettings,
  withLockedValues,
  writeSavedSettings,
} from '../../src-main/core/settings.ts';

const tenant: Settings = {
  AUTH0_DOMAIN: 'dev-x.us.auth0.com',
  AUTH0_CLIENT_ID: 'abc123',
  AUTH0_AUDIENCE: 'https://hello-world.example.com',
  API_SERVER_URL: 'http://127.0.0.1:6060',
};

describe('validateSettings: one parser for the environment and the form', () => {
  it('reports every invalid field at once, by variable for the environment and by label for the form', () => {
    const bad: Settings = {
      AUTH0_DOMAIN: 'http://idp.example.com',
      AUTH0_CLIENT_ID: 'has spaces',
      API_SERVER_URL: 'nope',
      AUTH0_CALLBACK_PORTS: '80,x',
      AUTH0_DPOP: 'yes',
    };
    const asEnv = validateSettings(bad);
    const asForm = validateSettings(bad, 'labels');
    expect(asEnv.ok || asForm.ok).toBe(false);
    if (asEnv.ok || asForm.ok) return;
    expect(Object.keys(asEnv.errors).sort()).toEqual([
      'API_SERVER_URL',
      'AUTH0_AUDIENCE',
      'AUTH0_CALLBACK_PORTS',
      'AUTH0_CLIENT_ID',
      'AUTH0_DOMAIN',
      'AUTH0_DPOP',
    ]);
    expect(asEnv.errors.AUTH0_AUDIENCE).toBe(
      'AUTH0_AUDIENCE: is required when AUTH0_DOMAIN is set.',
    );
    expect(asForm.errors).toEqual({
      AUTH0_DOMAIN:
        'Domain: http: is only allowed for loopback hosts (127.0.0.1, ::1, localhost); use https:// for idp.example.com.',
      AUTH0_CLIENT_ID: 'Client ID must be a client ID (letters, digits, ".", "_", "~", "-").',
      AUTH0_AUDIENCE: 'Audience is required for your tenant.',
      API_SERVER_URL: 'API server URL: "nope" is not a URL.',
      AUTH0_CALLBACK_PORTS:
        'Callback ports: "x" is not a port (1–65535); use a comma list like 53682, 53683.',
      AUTH0_DPOP: 'Use DPoP: "yes" is not true or false.',
    });
    // parseConfig throws the first of them, as it always did.
    expect(() => parseConfig(bad)).toThrow(asEnv.first.message);
    expect(asEnv.first.setting).toBe('AUTH0_DOMAIN');
  });

  it('messages quote only what the person typed, and say what is wanted', () => {
    const result = validateSettings(
      { ...tenant, AUTH0_DOMAIN: 'my tenant', API_SERVER_URL: 'localhost:3000' },
      'labels',
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    // Not "https://my tenant/" (the scheme and slash the parser added) nor "got localhost:".
    expect(result.errors.AUTH0_DOMAIN).toBe(
      'Domain: "my tenant" is not a domain like dev-x.us.auth0.com, or an https:// URL.',
    );
    expect(result.errors.API_SERVER_URL).toBe(
      'API server URL must start with https:// (http:// only for 127.0.0.1, ::1 or localhost), like https://api.example.com.',
    );
    // A full URL that does not parse is quoted as typed.
    const typed = validateSettings({ ...tenant, AUTH0_DOMAIN: 'https://my tenant' }, 'labels');
    expect(!typed.ok && typed.errors.AUTH0_DOMAIN).toBe(
      'Domain: "https://my tenant" is not a URL.',
    );
  });

  it('accepts what the environment accepts, trimming what a person typed', () => {
    const result = validateSettings(
      { ...tenant, AUTH0_CLIENT_ID: '  abc123 ', AUTH0_CALLBACK_PORTS: ' 53682, 53683 ' },
      'labels',
    );
    expect(result.ok && result.config).toMatchObject({
      clientId: 'abc123',
      callbackPorts: [53682, 53683],
      issuer: new URL('https://dev-x.us.auth0.com/'),
    });
  });
});

describe('where each value comes from', () => {
  const saved = {
    provider: 'tenant' as const,
    values: { ...tenant, AUTH0_DOMAIN: 'saved.eu.auth0.com', AUTH0_DPOP: 'true' },
  };

  it('environment first, then the managed file, then the saved settings; unset ones have no source', () => {
    const resolved = resolveSettings({
      environment: { AUTH0_CLIENT_ID: 'from-env' },
      managed: { AUTH0_CLIENT_ID: 'from-file', AUTH0_AUDIENCE: 'managed-api' },
      saved,
    });
    expect(resolved.provider).toBe('tenant');
    expect(resolved.settings).toMatchObject({
      AUTH0_CLIENT_ID: 'from-env',
      AUTH0_AUDIENCE: 'managed-api',
      AUTH0_DOMAIN: 'saved.eu.auth0.com',
      AUTH0_DPOP: 'true',
    });
    expect(resolved.sources).toEqual({
      provider: 'saved',
      AUTH0_CLIENT_ID: 'environment',
      AUTH0_AUDIENCE: 'managed',
      AUTH0_DOMAIN: 'saved',
      API_SERVER_URL: 'saved',
      AUTH0_DPOP: 'saved',
    });
  });

  it('packaged (managed-first): the managed file wins over the environment and .env, which only fill in what it leaves unset', () => {
    const resolved = resolveSettings({
      environment: {
        AUTH0_DOMAIN: 'attacker.example.com',
        AUTH0_CLIENT_ID: 'from-env',
        API_SERVER_URL: 'https://evil.example',
      },
      managed: {
        AUTH0_DOMAIN: 'corp.eu.auth0.com',
        AUTH0_AUDIENCE: 'managed-api',
        API_SERVER_URL: 'https://api.corp.example',
      },
      saved,
      order: 'managed-first',
    });
    expect(resolved.provider).toBe('tenant');
    expect(resolved.settings).toMatchObject({
      AUTH0_DOMAIN: 'corp.eu.auth0.com',
      AUTH0_AUDIENCE: 'managed-api',
      API_SERVER_URL: 'https://api.corp.example',
      // Left unset by the organisation: the environment fills it in.
      AUTH0_CLIENT_ID: 'from-env',
    });
    expect(resolved.sources).toMatchObject({
      provider: 'managed',
      AUTH0_DOMAIN: 'managed',
      AUTH0_CLIENT_ID: 'environment',
    });
  });

  it('the app link scheme is never taken from saved settings, and in a packaged app not from the environment (N5)', () => {
    const scheme = 'com.example.electron-auth0-hello-world';
    const fromSaved = resolveSettings({
      environment: {},
      managed: {},
      saved: { provider: 'tenant', values: { ...tenant, AUTH0_REDIRECT_SCHEME: 'com.other.app' } },
    });
    expect(fromSaved.form.values.AUTH0_REDIRECT_SCHEME).toBeUndefined();
    expect(fromSaved.settings.AUTH0_REDIRECT_SCHEME).toBeUndefined();
    const packaged = resolveSettings({
      environment: { AUTH0_REDIRECT_SCHEME: 'com.other.app' },
      managed: {},
      saved: undefined,
      order: 'managed-first',
    });
    expect(packaged.settings.AUTH0_REDIRECT_SCHEME).toBeUndefined();
    const managed = resolveSettings({
      environment: { AUTH0_REDIRECT_SCHEME: 'com.other.app' },
      managed: { AUTH0_REDIRECT_SCHEME: scheme },
      saved: undefined,
      order: 'managed-first',
    });
    expect(managed.sources.AUTH0_REDIRECT_SCHEME).toBe('managed');
    // The form may not set it: refused with a reason; the same value as in use passes.
    expect(
      formRefusal({ provider: 'tenant', values: { AUTH0_REDIRECT_SCHEME: 'com.x.y' } }, managed),
    ).toMatch(/^App link scheme: set by the app's build or your organisation's app-config\.json/);
    expect(
      formRefusal({ provider: 'tenant', values: { AUTH0_REDIRECT_SCHEME: scheme } }, managed),
    ).toBeUndefined();
  });

  it('nothing anywhere: the built-in demo provider', () => {
    expect(resolveSettings({ environment: {}, managed: {}, saved: undefined })).toMatchObject({
      provider: 'demo',
      settings: {},
      sources: { provider: 'default' },
    });
  });

  it('a domain from the environment or the managed file fixes the provider to the tenant, even over a saved demo choice', () => {
    const resolved = resolveSettings({
      environment: {},
      managed: { AUTH0_DOMAIN: 'corp.eu.auth0.com' },
      saved: { provider: 'demo', values: {} },
    });
    expect(resolved).toMatchObject({
      provider: 'tenant',
      sources: { provider: 'managed', AUTH0_DOMAIN: 'managed' },
    });
  });

  it('the demo provider keeps only the callback ports and DPoP the environment or managed file set, not saved tenant values', () => {
    const resolved = resolveSettings({
      environment: { AUTH0_DPOP: 'false' },
      managed: { AUTH0_CALLBACK_PORTS: '53682' },
      saved: { provider: 'demo', values: { ...tenant, AUTH0_CALLBACK_PORTS: '1' } },
    });
    expect(resolved.provider).toBe('demo');
    expect(resolved.settings).toEqual({ AUTH0_DPOP: 'false', AUTH0_CALLBACK_PORTS: '53682' });
  });

  it('a form cannot change a read-only value: environment and managed values are put back', () => {
    const resolved = resolveSettings({
      environment: { AUTH0_DOMAIN: 'env.auth0.com' },
      managed: { AUTH0_AUDIENCE: 'managed-api' },
      saved: undefined,
    });
    const form = withLockedValues(
      {
        provider: 'demo',
        values: {
          AUTH0_DOMAIN: 'evil.example.com',
          AUTH0_AUDIENCE: 'x',
          AUTH0_CLIENT_ID: ' mine ',
        },
      },
      resolved,
    );
    expect(form).toEqual({
      provider: 'tenant',
      values: {
        AUTH0_DOMAIN: 'env.auth0.com',
        AUTH0_AUDIENCE: 'managed-api',
        AUTH0_CLIENT_ID: 'mine',
      },
    });
  });

  it('saved settings round-trip through the store; a record it cannot read is ignored, not trusted', () => {
    const store = new JsonFileStore(
      path.join(mkdtempSync(path.join(os.tmpdir(), 'settings-')), 'settings.json'),
    );
    expect(readSavedSettings(store)).toBeUndefined();
    writeSavedSettings(store, { provider: 'tenant', values: { ...tenant, AUTH0_DPOP: '' } });
    expect(readSavedSettings(store)).toEqual({ provider: 'tenant', values: tenant });
    for (const broken of [
      { version: 2, provider: 'tenant', values: {} },
      { version: 1, provider: 'evil', values: {} },
      { version: 1, provider: 'demo', values: { AUTH0_DOMAIN: 5 } },
      'text',
    ]) {
      store.set(SAVED_SETTINGS_KEY, broken);
      const warnings: string[] = [];
      expect(
        readSavedSettings(store, {
          info() {},
          warn: (message) => void warnings.push(message),
          error() {},
        }),
      ).toBeUndefined();
      expect(warnings).toEqual(['saved settings unreadable; ignored']);
    }
    // Unknown names in a saved record are dropped.
    store.set(SAVED_SETTINGS_KEY, {
      version: 1,
      provider: 'demo',
      values: { NODE_OPTIONS: '--inspect', AUTH0_DPOP: 'true' },
    });
    expect(readSavedSettings(store)).toEqual({ provider: 'demo', values: { AUTH0_DPOP: 'true' } });
  });

  describe("a proxy's user name and password from the Settings page", () => {
    const PASSWORD = 'pr0xy-pa55%40word';
    const typed = `http://ann.proxyuser:${PASSWORD}@proxy.corp.example:3128`;
    const form = { provider: 'demo' as const, values: { PROXY: typed } };
    const fresh = () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'settings-proxy-'));
      const file = path.join(dir, 'settings.json');
      return { dir, file, store: new JsonFileStore(file) };
    };
    const bytesOf = (file: string) => readFileSync(file).toString('latin1');

    it('are sealed with the vault cipher: the file holds neither, and they come back for the next start', async () => {
      const { dir, file, store } = fresh();
      const cipher = new KeyFileBesideDataCipher(dir);
      await saveSettings(store, cipher, form);

      const bytes = bytesOf(file);
      for (const secret of [PASSWORD, 'pr0xy-pa55', 'ann.proxyuser'])
        expect(bytes).not.toContain(secret);
      expect(JSON.parse(bytes).settings.values).toEqual({
        PROXY: 'http://proxy.corp.example:3128',
      });
      expect(await loadSavedSettings(new JsonFileStore(file), cipher)).toEqual(form);
    });

    it('without OS encryption they are not written at all (kept for this run by the host), and the reason is logged', async () => {
      const { file, store } = fresh();
      const none: Cipher = {
        isAvailable: async () => false,
        encrypt: () => Promise.reject(new Error('no encryption')),
        decrypt: () => Promise.reject(new Error('no encryption')),
      };
      const warnings: string[] = [];
      await saveSettings(store, none, form, {
        info() {},
        warn: (message) => void warnings.push(message),
        error() {},
      });
      expect(bytesOf(file)).not.toContain('pr0xy-pa55');
      expect(bytesOf(file)).not.toContain('ann.proxyuser');
      expect(warnings).toEqual([
        'the proxy password is kept for this run only: the system offers no encryption to save it with',
      ]);
      expect(await loadSavedSettings(store, none)).toEqual({
        provider: 'demo',
        values: { PROXY: 'http://proxy.corp.example:3128' },
      });
    });

    it('sealed under another key (or tampered) are dropped, not used', async () => {
      const { dir, file, store } = fresh();
      await saveSettings(store, new KeyFileBesideDataCipher(dir), form);
      const other = new KeyFileBesideDataCipher(mkdtempSync(path.join(os.tmpdir(), 'other-key-')));
      expect(await loadSavedSettings(new JsonFileStore(file), other)).toEqual({
        provider: 'demo',
        values: { PROXY: 'http://proxy.corp.example:3128' },
      });
    });

    it('the plain writer never puts them on disk either', () => {
      const { file, store } = fresh();
      writeSavedSettings(store, { provider: 'demo', values: { PROXY: 'ann:pw@proxy.corp:3128' } });
      expect(JSON.parse(bytesOf(file)).settings.values).toEqual({ PROXY: 'proxy.corp:3128' });
    });
  });

  it('reads a managed app-config.json, and refuses one it cannot use, naming the file or the setting', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'managed-'));
    const file = path.join(dir, 'app-config.json');
    expect(readManagedSettings(file)).toEqual({});
    expect(readManagedSettings(undefined)).toEqual({});
    writeFileSync(
      file,
      JSON.stringify({
        AUTH0_DOMAIN: ' corp.eu.auth0.com ',
        AUTH0_CALLBACK_PORTS: [53682, 53683],
        AUTH0_DPOP: false,
        AUTH0_AUDIENCE: '',
      }),
    );
    expect(readManagedSettings(file)).toEqual({
      AUTH0_DOMAIN: 'corp.eu.auth0.com',
      AUTH0_CALLBACK_PORTS: '53682,53683',
      AUTH0_DPOP: 'false',
    });
    for (const [text, message] of [
      ['{', `${file}: is not JSON.`],
      ['[]', `${file}: must be a JSON object of settings.`],
      ['{"AUTH0_SECRET":"x"}', `${file}: "AUTH0_SECRET" is not a setting`],
      ['{"AUTH0_DOMAIN":{"a":1}}', `AUTH0_DOMAIN: in ${file} must be a string.`],
    ] as const) {
      writeFileSync(file, text);
      expect(() => readManagedSettings(file)).toThrow(message);
    }
  });
});

describe('what to register', () => {
  const auth0 = new URL('https://dev-x.us.auth0.com/');
  const other = new URL('https://idp.example.com/');

  it('one callback and one logout URL per callback port, in order', () => {
    expect(registrationFor({ issuer: auth0, callbackPorts: [53682, 53683] })).toEqual({
      callbackUrls: ['http://127.0.0.1:53682/callback', 'http://127.0.0.1:53683/callback'],
      logoutUrls: ['http://127.0.0.1:53682/logged-out', 'http://127.0.0.1:53683/logged-out'],
    });
  });

  it('warns on an Auth0 domain without a fixed callback port (Auth0 matches ports exactly); others get the port-less URIs', () => {
    expect(registrationFor({ issuer: auth0, callbackPorts: [] })).toEqual({
      callbackUrls: [],
      logoutUrls: [],
      warning: NO_FIXED_PORT_WARNING,
    });
    expect(registrationFor({ issuer: other, callbackPorts: [] })).toEqual({
      callbackUrls: ['http://127.0.0.1/callback'],
      logoutUrls: ['http://127.0.0.1/logged-out'],
    });
    // The app link's redirect URI, when the settings have a scheme.
    expect(
      registrationFor({ issuer: auth0, callbackPorts: [], redirectScheme: 'com.acme.app' }),
    ).toEqual({
      callbackUrls: [],
      logoutUrls: [],
      warning: NO_FIXED_PORT_WARNING,
      appLinkUrl: 'com.acme.app:/callback',
    });
  });

  it('knows Auth0 domains and nothing that only looks like one', () => {
    expect(
      ['https://dev-x.us.auth0.com/', 'https://x.eu.auth0.com/', 'https://AUTH0.COM/'].map((url) =>
        isAuth0Domain(new URL(url)),
      ),
    ).toEqual([true, true, true]);
    expect(
      [
        'https://auth0.com.evil.example/',
        'https://notauth0.com/',
        'https://login.example.com/',
      ].map((url) => isAuth0Domain(new URL(url))),
    ).toEqual([false, false, false]);
  });

  it('logout sends a return URL only when one can have been registered', () => {
    expect(sendsLogoutReturn({ issuer: auth0, callbackPorts: [] })).toBe(false);
    expect(sendsLogoutReturn({ issuer: auth0, callbackPorts: [53682] })).toBe(true);
    expect(sendsLogoutReturn({ issuer: other, callbackPorts: [] })).toBe(true);
  });
});
