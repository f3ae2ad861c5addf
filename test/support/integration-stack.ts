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
import { discoverPublicClient, type DevstackLike } from './core-harness.ts';
import { launchSystemBrowser } from './system-browser.ts';
import { watchVaults, type VaultWatch } from './vault-watch.ts';

export interface IntegrationStackOptions {
  /** How the devstack starts: options for `startDevstack` (`quiet` is always on) or a starter. */
  devstack?: DevstackOptions | (() => Promise<Devstack>);
  /** When true, nothing is started (the file's cases skip, e.g. port 80 cannot be bound). */
  skip?: boolean;
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

/** Asks the provider directly whether it still honours a refresh token: true, or the error it gives. */
export async function providerAccepts(
  devstack: Pick<DevstackLike, 'issuer' | 'clientId'>,
  refreshToken: string,
): Promise<boolean | string> {
  try {
    await client.refreshTokenGrant(await discoverPublicClient(devstack), refreshToken);
    return true;
  } catch (error) {
    return error instanceof client.ResponseBodyError ? error.error : String(error);
  }
}
