/**
 * The shared setup of the integration files that run the app against the real devstack with
 * Debian's Chromium as the user's system browser: one call per file starts both before its first
 * test, remembers after each test what every watched core stored, and after its last test closes the
 * cores and expects none of the tokens they ever held to lie in clear in their vault folders (the
 * "no token on disk in clear" rule of SECURITY.md), then closes Chromium and the devstack.
 *
 * Hooks a file registers after this call run before its `afterAll` (Vitest runs `afterAll` hooks in
 * reverse order), so a file's own clean-up still sees the devstack and the browser running.
 */
import * as client from 'openid-client';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { startDevstack, type Devstack, type DevstackOptions } from '../../devstack/index.ts';
import type { AppConfig } from '../../src-main/core/config.ts';
import {
  configFor,
  createTestCore,
  discoverPublicClient,
  type DevstackLike,
  type TestCore,
  type TestCoreOptions,
} from './core-harness.ts';
import { startHostileProvider, type HostileProvider } from './hostile-provider.ts';
import { launchSystemBrowser } from './system-browser.ts';
import { watchVaults, type VaultWatch } from './vault-watch.ts';

export interface IntegrationStackOptions {
  /** How the devstack starts: options for `startDevstack` (`quiet` is always on) or a starter. */
  devstack?: DevstackOptions | (() => Promise<Devstack>);
  /** When true, nothing is started (the file's cases skip, e.g. port 80 cannot be bound). */
  skip?: boolean;
  /**
   * Chromium's extra arguments, once the devstack runs (a proxy, the devstack's certificate to
   * trust): Chromium then starts after the devstack instead of beside it.
   */
  browserArgs?: (devstack: Devstack) => Promise<readonly string[]> | readonly string[];
}

export interface IntegrationStack extends VaultWatch {
  /** The running devstack. A test that restarts it assigns the new one here, to be closed at the end. */
  devstack: Devstack;
  /** Chromium, as the user's system browser. */
  readonly browser: Browser;
}

/** Registers the file's beforeAll/afterEach/afterAll for a devstack, Chromium and watched vaults. */
export function useIntegrationStack(options: IntegrationStackOptions = {}): IntegrationStack {
  const vaults = watchVaults();
  let devstack: Devstack | undefined;
  let browser: Browser | undefined;
  const start =
    typeof options.devstack === 'function'
      ? options.devstack
      : () => startDevstack({ ...options.devstack, quiet: true });

  beforeAll(async () => {
    if (options.skip) return;
    const { browserArgs } = options;
    if (browserArgs) {
      devstack = await start();
      browser = await launchSystemBrowser({ args: await browserArgs(devstack) });
      return;
    }
    [devstack, browser] = await Promise.all([start(), launchSystemBrowser()]);
  });
  afterEach(async () => {
    await vaults.rememberStored();
  });
  afterAll(async () => {
    try {
      await vaults.closeAndCheck();
    } finally {
      await browser?.close();
      await devstack?.close();
    }
  });

  return {
    ...vaults,
    get devstack() {
      if (!devstack) throw new Error('the devstack is not running (used outside a test?)');
      return devstack;
    },
    set devstack(next: Devstack) {
      devstack = next;
    },
    get browser() {
      if (!browser) throw new Error('Chromium is not running (used outside a test?)');
      return browser;
    },
  };
}

/**
 * Asks the provider directly whether it still honours a refresh token: true, or the error it gives.
 * With `keyPair` the request carries that key's DPoP proof (as the app's would, or a thief's).
 */
export async function providerAccepts(
  devstack: Pick<DevstackLike, 'issuer' | 'clientId'>,
  refreshToken: string,
  keyPair?: client.CryptoKeyPair,
): Promise<boolean | string> {
  const configuration = await discoverPublicClient(devstack);
  try {
    const options = keyPair ? { DPoP: client.getDPoPHandle(configuration, keyPair) } : undefined;
    await client.refreshTokenGrant(configuration, refreshToken, undefined, options);
    return true;
  } catch (error) {
    return error instanceof client.ResponseBodyError ? error.error : String(error);
  }
}

/** The API the app names as audience at the hostile provider; its message API is a closed port. */
export const HOSTILE_API = 'https://api.example';

export interface HostileProviderFixture {
  /** The hostile test provider (test/support/hostile-provider.ts), answering per its last `use`. */
  readonly provider: HostileProvider;
  /** The app's settings for the hostile provider, with `settings`. */
  config(settings?: Record<string, string>): AppConfig;
  /** A harness core against the hostile provider, closed after the last test of the scope. */
  newCore(settings?: Record<string, string>, options?: TestCoreOptions): TestCore;
}

/**
 * Registers, in the file or `describe` it is called in, a hostile provider started before the first
 * test and closed with every core made against it after the last. Its made-up tokens are not looked
 * for on disk (that is the devstack's vault check, in useIntegrationStack).
 */
export function useHostileProvider(): HostileProviderFixture {
  let provider: HostileProvider | undefined;
  const cores: TestCore[] = [];
  beforeAll(async () => {
    provider = await startHostileProvider();
  });
  afterAll(async () => {
    await Promise.all(cores.map((test) => test.core.close()));
    await provider?.close();
  });
  const running = (): HostileProvider => {
    if (!provider) throw new Error('the hostile provider is not running (used outside a test?)');
    return provider;
  };
  const config = (settings: Record<string, string> = {}): AppConfig =>
    configFor(
      {
        issuer: running().issuer,
        clientId: running().clientId,
        audience: HOSTILE_API,
        apiUrl: 'http://127.0.0.1:9',
      },
      settings,
    );
  return {
    get provider() {
      return running();
    },
    config,
    newCore(settings = {}, options = {}) {
      const test = createTestCore(config(settings), options);
      cores.push(test);
      return test;
    },
  };
}
