/**
 * The cores one test file creates, and every token any of them obtained: once the file is done,
 * none of those tokens may be found in clear in any of their vault folders.
 */
import { expect } from 'vitest';
import type { TokenSet } from '../../src-main/core/vault.ts';
import { createTestCore, filesUnder, type TestCore } from './core-harness.ts';

export interface VaultWatch {
  /** createTestCore, and the core is watched. */
  newCore(...args: Parameters<typeof createTestCore>): TestCore;
  /** Remembers tokens to look for (also ones obtained outside any core). */
  remember(tokens: TokenSet): void;
  /** For afterEach: remembers the tokens of every account every watched core holds in its vault. */
  rememberStored(): Promise<void>;
  /**
   * For afterAll: closes every watched core, then expects no remembered token in clear in their
   * vault folders.
   */
  closeAndCheck(): Promise<void>;
}

export function watchVaults(): VaultWatch {
  const cores: TestCore[] = [];
  const seenTokens = new Set<string>();
  const remember = (tokens: TokenSet): void => {
    for (const token of [tokens.accessToken, tokens.idToken, tokens.refreshToken])
      if (token) seenTokens.add(token);
  };
  return {
    newCore(...args) {
      const test = createTestCore(...args);
      cores.push(test);
      return test;
    },
    remember,
    async rememberStored() {
      for (const test of cores) {
        const stored = await test.storedAccounts().catch(() => undefined);
        for (const { tokens } of stored?.accounts ?? []) remember(tokens);
      }
    },
    async closeAndCheck() {
      for (const test of cores) await test.core.close();
      const disk = cores.map((test) => filesUnder(test.dir)).join('\n');
      for (const token of seenTokens)
        expect(disk.includes(token), 'a token was found in clear in a vault folder').toBe(false);
    },
  };
}
