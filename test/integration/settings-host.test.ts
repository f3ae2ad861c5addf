/**
 * Settings in the core host, against real providers: Check connection against the devstack and
 * broken ones; Save switching the running app from the built-in demo provider to another provider
 * and back without a restart (the old session revoked at the old provider, no browser tab); values
 * from the environment and a managed file winning over the form; a bad value leaving the app running
 * "not configured".
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRememberedPorts, startDevstack, type Devstack } from '../../devstack/index.ts';
import type { ConnectionCheckLine, SessionView, SettingsForm } from '../../src-preload/contract.ts';
import { CHECK_NAMES } from '../../src-main/core/connection-check.ts';
import { startCoreHost, type CoreHost, type CoreHostOptions } from '../../src-main/core/host.ts';
import { JsonFileStore, KeyFileBesideDataCipher } from '../../src-main/core/node-storage.ts';
import type { TokenSet } from '../../src-main/core/vault.ts';
import { alice, bob } from '../support/accounts.ts';
import { discoverPublicClient } from '../support/core-harness.ts';
import { closedPort } from '../support/ports.ts';
import { storedTokens } from '../support/stored-accounts.ts';
import { signInWithBrowser } from '../support/system-browser.ts';
import { useIntegrationStack } from '../support/integration-stack.ts';
import { envTransports } from '../support/transport.ts';

/** A second provider, besides the demo provider each host starts for itself. */
const stack = useIntegrationStack();
const hosts: CoreHost[] = [];

afterAll(async () => {
  for (const host of hosts) await host.close().catch(() => {});
});

function tenantForm(devstack: Devstack, values: SettingsForm['values'] = {}): SettingsForm {
  return {
    provider: 'tenant',
    values: {
      AUTH0_DOMAIN: devstack.issuer,
      AUTH0_CLIENT_ID: devstack.clientId,
      AUTH0_AUDIENCE: devstack.audience,
      API_SERVER_URL: devstack.apiUrl,
      ...values,
    },
  };
}

interface TestHost {
  host: CoreHost;
  dir: string;
  opened: string[];
  events: SessionView[];
  storedTokens(): Promise<TokenSet | undefined>;
  signIn(account: { email: string; password: string }): Promise<void>;
}

async function startHost(
  options: Partial<CoreHostOptions> & { dir?: string } = {},
): Promise<TestHost> {
  const dir = options.dir ?? mkdtempSync(path.join(os.tmpdir(), 'settings-host-'));
  const opened: string[] = [];
  const events: SessionView[] = [];
  const cipher = new KeyFileBesideDataCipher(dir);
  const store = new JsonFileStore(path.join(dir, 'session.json'));
  const host = await startCoreHost({
    env: { DEVSTACK_IDP_PORT: '0', DEVSTACK_API_PORT: '0' },
    devstackDataDir: path.join(dir, 'devstack'),
    settingsStore: new JsonFileStore(path.join(dir, 'settings.json')),
    transportFor: envTransports,
    platform: {
      openExternal: async (url) => void opened.push(url),
      cipher,
      store,
      emit: (view) => void events.push(view),
    },
    ...options,
  });
  hosts.push(host);
  await host.restore();
  return {
    host,
    dir,
    opened,
    events,
    storedTokens: () => storedTokens(store, cipher),
    async signIn(account) {
      const before = opened.length;
      const result = host.handle('auth:login', []);
      await expect.poll(() => opened.length).toBeGreaterThan(before);
      await signInWithBrowser(stack.browser, opened.at(-1)!, {
        username: account.email,
        password: account.password,
        mode: 'login',
      });
      expect(await result).toMatchObject({ ok: true, session: { status: 'signed-in' } });
    },
  };
}

describe('Check connection', () => {
  let test: TestHost;
  beforeAll(async () => {
    // On the demo provider: nothing locked, the form's values are the ones checked.
    test = await startHost();
  });

  it('passes every line against the devstack, without signing in or opening a browser', async () => {
    const answer = (await test.host.handle('settings:check', [tenantForm(stack.devstack)])) as {
      ok: true;
      checks: Array<{ name: string; passed: boolean; detail: string }>;
      ms: number;
    };
    expect(answer.ok).toBe(true);
    expect(answer.checks.map((line) => line.name)).toEqual(Object.values(CHECK_NAMES));
    for (const line of answer.checks) expect(line, line.detail).toMatchObject({ passed: true });
    expect(answer.checks.find((line) => line.name === CHECK_NAMES.api)?.detail).toContain(
      'This is a public message.',
    );
    expect(test.opened).toEqual([]);
  });

  it('fails each line with its reason against a provider that is not there, a wrong issuer and an unknown client', async () => {
    const port = await closedPort();
    const down = (await test.host.handle('settings:check', [
      tenantForm(stack.devstack, {
        AUTH0_DOMAIN: `http://127.0.0.1:${port}`,
        API_SERVER_URL: `http://127.0.0.1:${port}`,
      }),
    ])) as { checks: Array<{ name: string; passed: boolean; detail: string }> };
    expect(down.checks.every((line) => !line.passed)).toBe(true);
    expect(down.checks[0]!.detail).toMatch(/could not be reached: connection refused/);
    expect(down.checks.find((line) => line.name === CHECK_NAMES.jwks)!.detail).toBe(
      'Skipped: discovery failed.',
    );

    // The same provider under another name: its discovery names 127.0.0.1, not localhost.
    const renamed = stack.devstack.issuer.replace('127.0.0.1', 'localhost');
    const wrongIssuer = (await test.host.handle('settings:check', [
      tenantForm(stack.devstack, { AUTH0_DOMAIN: renamed }),
    ])) as { checks: Array<{ name: string; passed: boolean; detail: string }> };
    expect(wrongIssuer.checks[0]).toMatchObject({
      passed: false,
      detail: expect.stringContaining(`says its issuer is ${stack.devstack.issuer}`),
    });
    expect(wrongIssuer.checks.at(-1)).toMatchObject({ name: CHECK_NAMES.api, passed: true });

    const unknownClient = (await test.host.handle('settings:check', [
      tenantForm(stack.devstack, { AUTH0_CLIENT_ID: 'not-this-client' }),
    ])) as { checks: ConnectionCheckLine[] };
    expect(unknownClient.checks.find((line) => line.name === CHECK_NAMES.refresh)).toMatchObject({
      passed: false,
      detail: expect.stringContaining('does not know this Client ID'),
    });
    expect(unknownClient.checks.filter((line) => !line.passed && !line.skipped)).toHaveLength(1);
    // Revocation would be refused for the same reason: one reason, on one line.
    expect(unknownClient.checks.find((line) => line.name === CHECK_NAMES.revocation)).toMatchObject(
      { skipped: true, detail: 'Skipped: the Client ID is not known.' },
    );
  });

  it('refuses to check a form the parser refuses, naming the field', async () => {
    expect(
      await test.host.handle('settings:check', [
        tenantForm(stack.devstack, { AUTH0_DOMAIN: 'http://idp.example.com' }),
      ]),
    ).toMatchObject({
      ok: false,
      error: {
        code: 'config_invalid',
        message: expect.stringMatching(/^Domain: http: is only allowed for loopback/),
      },
    });
  });
});

describe('Save switches the running app to another provider', () => {
  it('from the demo provider to another and back: the old session revoked there, no browser tab, no restart', async () => {
    const test = await startHost();
    expect(test.host.view()).toMatchObject({
      status: 'signed-out',
      provider: { kind: 'demo', label: 'Built-in demo provider' },
    });
    await test.signIn(alice);
    const demoTokens = await test.storedTokens();
    expect(demoTokens?.refreshToken).toBeTruthy();
    const demoIssuer = test.host.config!.issuer.href;
    const openedBefore = test.opened.length;
    // Said before Save: another provider signs alice out; the demo provider with another proxy does not.
    expect(await test.host.handle('settings:validate', [tenantForm(stack.devstack)])).toMatchObject(
      { ok: true, saveEndsSession: true },
    );
    expect(
      await test.host.handle('settings:validate', [
        { provider: 'demo', values: { PROXY: 'none' } },
      ]),
    ).toMatchObject({ ok: true, saveEndsSession: false });
    expect(await test.host.handle('settings:get', [])).toMatchObject({
      settings: { saveEndsSession: false },
    });

    const saved = (await test.host.handle('settings:save', [tenantForm(stack.devstack)])) as {
      ok: true;
      session: SessionView;
    };
    expect(saved).toMatchObject({
      ok: true,
      session: {
        status: 'signed-out',
        provider: { kind: 'tenant', label: new URL(stack.devstack.issuer).host },
      },
    });
    expect(saved.session.error).toBeUndefined();
    expect(test.events.at(-1)).toMatchObject({ provider: { kind: 'tenant' } });
    expect(test.opened).toHaveLength(openedBefore);
    expect(await test.storedTokens()).toBeUndefined();
    // The settings file holds the choice and the values, never a token.
    const settingsFile = readFileSync(path.join(test.dir, 'settings.json'), 'utf8');
    expect(JSON.parse(settingsFile)).toEqual({
      settings: { version: 1, ...tenantForm(stack.devstack) },
    });
    expect(settingsFile).not.toContain(demoTokens!.refreshToken!);

    // The demo provider stopped; started again on its folder and ports, it refuses the old refresh token.
    const remembered = await readRememberedPorts(path.join(test.dir, 'devstack'));
    const demo = await startDevstack({
      quiet: true,
      dataDir: path.join(test.dir, 'devstack'),
      idpPort: remembered!.idp,
      apiPort: remembered!.api,
    });
    try {
      expect(`${demo.issuer}/`).toBe(demoIssuer);
      const refused = await client
        .refreshTokenGrant(await discoverPublicClient(demo), demoTokens!.refreshToken!)
        .then(
          () => 'accepted',
          (error: unknown) =>
            error instanceof client.ResponseBodyError ? error.error : String(error),
        );
      expect(refused).toBe('invalid_grant');
    } finally {
      await demo.close();
    }

    await test.signIn(bob);
    expect(await test.host.handle('messages:get', ['protected'])).toEqual({
      ok: true,
      data: { text: 'This is a protected message.' },
    });

    // A restart on the same folder: still that provider, still signed in.
    await test.host.close();
    const restarted = await startHost({ dir: test.dir });
    expect(restarted.host.view()).toMatchObject({
      status: 'signed-in',
      profile: { email: bob.email },
      provider: { kind: 'tenant' },
    });
    // On a tenant: the proxy alone keeps bob signed in, another API server URL does not.
    const validated = (values: SettingsForm['values']) =>
      restarted.host.handle('settings:validate', [tenantForm(stack.devstack, values)]);
    expect(await validated({ PROXY: 'none' })).toMatchObject({ saveEndsSession: false });
    expect(await validated({ API_SERVER_URL: 'https://api.example.com' })).toMatchObject({
      saveEndsSession: true,
    });

    // And back to the demo provider.
    expect(
      await restarted.host.handle('settings:save', [
        { provider: 'demo', values: tenantForm(stack.devstack).values },
      ]),
    ).toMatchObject({
      ok: true,
      session: { status: 'signed-out', provider: { kind: 'demo' } },
    });
    expect(restarted.host.config!.issuer.href).not.toBe(`${stack.devstack.issuer}/`);
    // The tenant's values stay saved for the next time someone chooses it.
    expect((await restarted.host.handle('settings:get', [])) as object).toMatchObject({
      ok: true,
      settings: { form: { provider: 'demo', values: { AUTH0_DOMAIN: stack.devstack.issuer } } },
    });
  });

  it('away and back: the old provider, whose browser session a switch does not end, asks for the password again', async () => {
    const third = await startDevstack({ quiet: true });
    const test = await startHost({ env: {} });
    try {
      expect(await test.host.handle('settings:save', [tenantForm(stack.devstack)])).toMatchObject({
        ok: true,
        session: { provider: { kind: 'tenant' } },
      });
      // Alice signs in at the first provider; the browser keeps that provider's session.
      const first = test.host.handle('auth:login', []);
      await expect.poll(() => test.opened.length).toBe(1);
      const signedIn = await signInWithBrowser(stack.browser, test.opened[0]!, {
        username: alice.email,
        password: alice.password,
      });
      expect(signedIn.formShown).toBe(true);
      expect(await first).toMatchObject({ ok: true, session: { status: 'signed-in' } });

      // Settings: another provider, then back. No browser tab opens on either switch.
      for (const to of [third, stack.devstack])
        expect(await test.host.handle('settings:save', [tenantForm(to)])).toMatchObject({
          ok: true,
          session: { status: 'signed-out' },
        });
      expect(test.opened).toHaveLength(1);

      // Log In in the same browser: the provider's session lives, yet the password is asked.
      const again = test.host.handle('auth:login', []);
      await expect.poll(() => test.opened.length).toBe(2);
      const url = test.opened[1]!;
      expect(new URL(url).origin).toBe(stack.devstack.issuer);
      const afterSwitch = await signInWithBrowser(stack.browser, url, {
        username: alice.email,
        password: alice.password,
        context: signedIn.context,
      });
      expect(afterSwitch.formShown).toBe(true);
      expect(new URL(url).searchParams.get('prompt')).toBe('login');
      expect(await again).toMatchObject({ ok: true, session: { status: 'signed-in' } });
      await signedIn.context.close();
    } finally {
      await third.close();
    }
  });

  it('saves nothing and keeps the session when a field is invalid', async () => {
    const test = await startHost({
      env: {
        AUTH0_DOMAIN: stack.devstack.issuer,
        AUTH0_CLIENT_ID: stack.devstack.clientId,
        AUTH0_AUDIENCE: stack.devstack.audience,
        API_SERVER_URL: stack.devstack.apiUrl,
      },
    });
    expect(
      await test.host.handle('settings:validate', [
        tenantForm(stack.devstack, { AUTH0_CALLBACK_PORTS: '3000,x', AUTH0_DPOP: 'maybe' }),
      ]),
    ).toMatchObject({ ok: true, errors: {} });
    const free = await startHost();
    const answer = await free.host.handle('settings:save', [
      tenantForm(stack.devstack, { AUTH0_CALLBACK_PORTS: '3000,x' }),
    ]);
    expect(answer).toMatchObject({
      ok: false,
      error: {
        code: 'config_invalid',
        message: 'Callback ports: "x" is not a port (1–65535); use a comma list like 53682, 53683.',
      },
    });
    expect(free.host.view().provider).toEqual({
      kind: 'demo',
      label: 'Built-in demo provider',
      source: 'default',
    });
    expect(() => readFileSync(path.join(free.dir, 'settings.json'))).toThrow(/ENOENT/);
  });
});

describe('where values come from', () => {
  it('environment and managed values win over the form, and are reported with their source', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'settings-managed-'));
    const managed = path.join(dir, 'app-config.json');
    writeFileSync(
      managed,
      JSON.stringify({
        AUTH0_DOMAIN: stack.devstack.issuer,
        AUTH0_CLIENT_ID: stack.devstack.clientId,
        AUTH0_CALLBACK_PORTS: [53682, 53683],
      }),
    );
    const test = await startHost({
      managedConfigFile: managed,
      env: { AUTH0_AUDIENCE: stack.devstack.audience, API_SERVER_URL: stack.devstack.apiUrl },
    });
    expect(test.host.view().provider).toEqual({
      kind: 'tenant',
      label: new URL(stack.devstack.issuer).host,
      // Not the Settings page's: a failed Log In does not point there.
      source: 'managed',
    });
    const answer = (await test.host.handle('settings:get', [])) as {
      settings: { sources: object; registration: object };
    };
    expect(answer.settings.sources).toEqual({
      provider: 'managed',
      AUTH0_DOMAIN: 'managed',
      AUTH0_CLIENT_ID: 'managed',
      AUTH0_CALLBACK_PORTS: 'managed',
      AUTH0_AUDIENCE: 'environment',
      API_SERVER_URL: 'environment',
    });
    expect(answer.settings.registration).toEqual({
      callbackUrls: ['http://127.0.0.1:53682/callback', 'http://127.0.0.1:53683/callback'],
      logoutUrls: ['http://127.0.0.1:53682/logged-out', 'http://127.0.0.1:53683/logged-out'],
      // The app link (issue 9): registered as an Allowed Callback URL too.
      appLinkUrl: 'com.example.electron-auth0-hello-world:/callback',
    });
    // A form that tries to change them (or to pick the demo) changes only what is not locked.
    const saved = await test.host.handle('settings:save', [
      { provider: 'demo', values: { AUTH0_DOMAIN: 'evil.example.com', AUTH0_DPOP: 'false' } },
    ]);
    expect(saved).toMatchObject({
      ok: true,
      settings: {
        form: {
          provider: 'tenant',
          values: { AUTH0_DOMAIN: stack.devstack.issuer, AUTH0_DPOP: 'false' },
        },
        sources: { AUTH0_DPOP: 'saved' },
      },
    });
    expect(test.host.config!.issuer.href).toBe(`${stack.devstack.issuer}/`);
  });

  it('a bad value from the environment or the managed file leaves the app running, not configured, saying which', async () => {
    const badEnv = await startHost({
      env: {
        AUTH0_DOMAIN: 'http://idp.example.com',
        AUTH0_CLIENT_ID: 'x',
        AUTH0_AUDIENCE: 'x',
        API_SERVER_URL: 'https://api.example.com',
      },
    });
    expect(badEnv.host.view()).toMatchObject({
      status: 'signed-out',
      provider: { kind: 'none', label: 'Not configured' },
      error: {
        code: 'config_invalid',
        message: expect.stringContaining('AUTH0_DOMAIN: http: is only allowed for loopback'),
      },
    });
    // Said once, with where it comes from and what to do there (issue 22, M4).
    expect(badEnv.host.view().error?.message).toMatch(
      /AUTH0_DOMAIN is set in the environment: change it there and restart the app\.$/,
    );
    expect(await badEnv.host.handle('auth:login', [])).toMatchObject({
      ok: false,
      error: { code: 'config_invalid' },
    });
    expect(badEnv.opened).toEqual([]);
    expect(await badEnv.host.handle('settings:get', [])).toMatchObject({
      ok: true,
      settings: {
        errors: { AUTH0_DOMAIN: expect.stringMatching(/^Domain: /) },
        problem: { code: 'config_invalid' },
        // No Save that can never work: the environment's value wins over anything saved.
        canSave: false,
      },
    });

    const dir = mkdtempSync(path.join(os.tmpdir(), 'settings-managed-'));
    const managed = path.join(dir, 'app-config.json');
    writeFileSync(managed, '{ "AUTH0_DOMAIN": ');
    const badFile = await startHost({ managedConfigFile: managed });
    expect(badFile.host.view()).toMatchObject({
      provider: { kind: 'none' },
      error: { message: expect.stringContaining(`${managed}: is not JSON.`) },
    });
    expect(await badFile.host.handle('settings:get', [])).toMatchObject({
      ok: true,
      settings: { canSave: false },
    });
  });
});
