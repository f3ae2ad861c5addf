/**
 * Test harness for the core: a real core (Node storage ports, a capturing openExternal) against a
 * real devstack, with Chromium as the user's system browser.
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as client from 'openid-client';
import type { Browser } from 'playwright-core';
import type { SessionView } from '../../src-preload/contract.ts';
import { parseConfig, type AppConfig } from '../../src-main/core/config.ts';
import { createAuthCore, type AuthCore } from '../../src-main/core/index.ts';
import { JsonFileStore, KeyFileBesideDataCipher } from '../../src-main/core/node-storage.ts';
import type { Cipher, Logger, OpenExternal } from '../../src-main/core/platform.ts';
import type { Transport } from '../../src-main/core/network/transport.ts';
import type { SessionOptions } from '../../src-main/core/session.ts';
import type { VaultContent } from '../../src-main/core/account-vault.ts';
import type { TokenSet } from '../../src-main/core/vault.ts';
import { storedAccounts, storedTokens } from './stored-accounts.ts';
import { signInWithBrowser } from './system-browser.ts';
import { envTransport } from './transport.ts';

export interface DevstackLike {
  issuer: string;
  clientId: string;
  audience: string;
  apiUrl: string;
}

/** The app's settings (what its .env would say) for `devstack`, with `overrides`. */
export function envFor(
  devstack: DevstackLike,
  overrides: Partial<Record<string, string>> = {},
): NodeJS.ProcessEnv {
  return {
    AUTH0_DOMAIN: devstack.issuer,
    AUTH0_CLIENT_ID: devstack.clientId,
    AUTH0_AUDIENCE: devstack.audience,
    API_SERVER_URL: devstack.apiUrl,
    ...overrides,
  };
}

export function configFor(
  devstack: DevstackLike,
  overrides: Partial<Record<string, string>> = {},
): AppConfig {
  return parseConfig(envFor(devstack, overrides));
}

/**
 * The provider's configuration as the app's public client (PKCE, no secret) discovers it over
 * loopback http.
 */
export function discoverPublicClient(
  devstack: Pick<DevstackLike, 'issuer' | 'clientId'>,
): Promise<client.Configuration> {
  return client.discovery(
    new URL(devstack.issuer),
    devstack.clientId,
    { token_endpoint_auth_method: 'none' },
    client.None(),
    {
      execute: [client.allowInsecureRequests],
    },
  );
}

export interface TestCore {
  core: AuthCore;
  dir: string;
  /** URLs the core asked the system browser to open. */
  opened: string[];
  /** What the core put on the clipboard (the platform's copyText, as Electron's clipboard.writeText). */
  clipboard: string[];
  /** Every session view the core emitted. */
  events: SessionView[];
  /** The next URL the core opens. */
  nextOpened(): Promise<string>;
  /** Decrypts the vault the way only the core could (test-only): the active account's tokens. */
  storedTokens(): Promise<TokenSet | undefined>;
  /** Every account the vault holds, and the active one (test-only decryption). */
  storedAccounts(): Promise<VaultContent | undefined>;
}

export interface TestCoreOptions extends SessionOptions {
  dir?: string;
  /** The OS routes the app's scheme to this app (the app link is offered). Default false. */
  appLinkRegistered?: boolean;
  /** Why it does not (the port's appLinkMissing). Default: none given. */
  appLinkMissing?: string;
  /** Wraps the vault's cipher (e.g. to slow it down or make it fail, as a busy or locked keychain would). */
  wrapCipher?: (cipher: Cipher) => Cipher;
  /** Wraps the system browser's opener (e.g. to make it fail with the OS's own error). */
  wrapOpenExternal?: (open: OpenExternal) => OpenExternal;
  log?: Logger;
  /** The core's transport; default: the Node transport with the environment's proxy settings. */
  transport?: Transport;
}

export function createTestCore(config: AppConfig, options: TestCoreOptions = {}): TestCore {
  const dir = options.dir ?? mkdtempSync(path.join(os.tmpdir(), 'core-vault-'));
  const opened: string[] = [];
  const clipboard: string[] = [];
  const events: SessionView[] = [];
  let waiters: Array<(url: string) => void> = [];
  const capture: OpenExternal = async (url) => {
    opened.push(url);
    const pending = waiters;
    waiters = [];
    for (const waiter of pending) waiter(url);
  };
  const cipher = new KeyFileBesideDataCipher(dir);
  const store = new JsonFileStore(path.join(dir, 'session.json'));
  const core = createAuthCore(
    config,
    {
      openExternal: options.wrapOpenExternal ? options.wrapOpenExternal(capture) : capture,
      cipher: options.wrapCipher ? options.wrapCipher(cipher) : cipher,
      store,
      emit: (view) => events.push(view),
      appLinkRegistered: () => options.appLinkRegistered ?? false,
      appLinkMissing: () => options.appLinkMissing,
      copyText: (text) => void clipboard.push(text),
      transport: options.transport ?? envTransport(),
      ...(options.log ? { log: options.log } : {}),
    },
    options,
  );
  return {
    core,
    dir,
    opened,
    clipboard,
    events,
    nextOpened: () => new Promise((resolve) => waiters.push(resolve)),
    storedTokens: () => storedTokens(store, cipher),
    storedAccounts: () => storedAccounts(store, cipher),
  };
}

export interface Account {
  email: string;
  password: string;
}

/** Runs login() (or signup()) and completes it in the browser as `account`. */
export async function signIn(
  test: TestCore,
  browser: Browser,
  account: Account & { name?: string },
  mode: 'login' | 'signup' = 'login',
) {
  const opened = test.nextOpened();
  const result = mode === 'login' ? test.core.session.login() : test.core.session.signup();
  const url = await opened;
  const browsing = await signInWithBrowser(browser, url, {
    username: account.email,
    password: account.password,
    mode,
    ...(account.name ? { name: account.name } : {}),
  });
  return { result: await result, url, ...browsing };
}

/** Every file under `dir`, as text, to search for secrets. */
export function filesUnder(dir: string): string {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => readFileSync(path.join(entry.parentPath, entry.name), 'utf8'))
    .join('\n');
}
