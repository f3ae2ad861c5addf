/**
 * Secrets at rest and in logs, through the real core, the real devstack and Chromium as the system
 * browser:
 * - a whole session (sign-in, API calls, refresh with rotation, logout) writes no token to any log
 *   line the host receives, and none to any event the renderer receives;
 * - without OS encryption (Linux `basic_text`) the same journey writes nothing at all to disk, and
 *   the preview's built-in devstack keeps no refresh token in its data folder either;
 * - a session saved under other settings (API_SERVER_URL, AUTH0_AUDIENCE changed, e.g. in a
 *   user-writable .env) is discarded with a reason, and its bearer token goes nowhere;
 * - a vault written by another installation's key is discarded cleanly at restore: signed out with
 *   a reason, the record removed, no crash, and a fresh sign-in works.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import type { SessionView } from '../../src-preload/contract.ts';
import { createAuthCore, type AuthCore } from '../../src-main/core/index.ts';
import { startPreview } from '../../src-main/preview/server.ts';
import { JsonFileStore, KeyFileBesideDataCipher } from '../../src-main/core/node-storage.ts';
import type { Cipher } from '../../src-main/core/platform.ts';
import type { SessionOptions } from '../../src-main/core/session.ts';
import { ACCOUNTS_KEY } from '../../src-main/core/account-vault.ts';
import type { TokenSet } from '../../src-main/core/vault.ts';
import { alice } from '../support/accounts.ts';
import { configFor, filesUnder } from '../support/core-harness.ts';
import { useIntegrationStack } from '../support/integration-stack.ts';
import { recordingLogger } from '../support/recording-logger.ts';
import { storedTokens } from '../support/stored-accounts.ts';
import { signInWithBrowser } from '../support/system-browser.ts';
import { profileOf } from '../support/session-view.ts';
import { envTransport } from '../support/transport.ts';

const stack = useIntegrationStack();
/** Cores built here as a host builds one (not by the harness): each test checks their folders itself. */
const cores: AuthCore[] = [];
const tally = { run: 0, refused: 0 };

afterAll(async () => {
  await Promise.all(cores.map((core) => core.close()));
  console.info(
    `secrets at rest and in logs: ${tally.run} attack cases run, ${tally.refused} refused`,
  );
});

/** Linux without a keyring: safeStorage's basic_text backend counts as no encryption. */
function noEncryption(): Cipher & { calls: number } {
  const cipher = {
    calls: 0,
    isAvailable: async () => false,
    encrypt: async () => {
      cipher.calls++;
      throw new Error('encryption is not available');
    },
    decrypt: async () => {
      cipher.calls++;
      throw new Error('encryption is not available');
    },
  };
  return cipher;
}

/** A core as a host builds one, with a logger that keeps every line exactly as the host receives it. */
function hostCore(
  options: SessionOptions & {
    dir?: string;
    cipher?: Cipher;
    settings?: Record<string, string>;
  } = {},
) {
  const dir = options.dir ?? mkdtempSync(path.join(os.tmpdir(), 'secrets-'));
  const store = new JsonFileStore(path.join(dir, 'session.json'));
  const cipher = options.cipher ?? new KeyFileBesideDataCipher(dir);
  const events: SessionView[] = [];
  const log = recordingLogger();
  const { lines } = log;
  let next: ((url: string) => void) | undefined;
  const config = configFor(stack.devstack, options.settings);
  const core = createAuthCore(
    config,
    {
      openExternal: async (url) => {
        next?.(url);
        next = undefined;
      },
      cipher,
      store,
      emit: (view) => void events.push(view),
      log,
      transport: envTransport(),
    },
    options,
  );
  cores.push(core);

  return {
    core,
    dir,
    lines,
    events,
    /** The tokens as the core stores them (test-only decryption through the same store). */
    async stored(): Promise<TokenSet | undefined> {
      return storedTokens(store, cipher);
    },
    /** The session's tokens while in memory (for the no-encryption journey, where nothing is stored). */
    memory(): TokenSet | undefined {
      return (core.session as unknown as { tokens?: TokenSet }).tokens;
    },
    async signIn() {
      const opened = new Promise<string>((resolve) => (next = resolve));
      const result = core.session.login();
      const { context } = await signInWithBrowser(stack.browser, await opened, {
        username: alice.email,
        password: alice.password,
      });
      await context.close();
      return result;
    },
  };
}

function secretsOf(tokens: TokenSet | undefined): string[] {
  if (!tokens) return [];
  // Whole tokens, and each JWT's signature (a distinctive piece that would survive truncation).
  return [
    tokens.accessToken,
    tokens.idToken,
    tokens.refreshToken ?? '',
    tokens.accessToken.split('.')[2] ?? '',
    tokens.idToken.split('.')[2] ?? '',
  ].filter((s) => s.length > 8);
}

describe('logs and events during a whole session', () => {
  it('sign-in, API calls, refresh with rotation and logout: no token in any log line or event', async () => {
    tally.run++;
    // A clock skew longer than the token's lifetime: every API call refreshes (and rotates).
    const host = hostCore({ clockSkewSeconds: 7200 });
    await host.core.restore();
    expect(await host.signIn()).toMatchObject({ ok: true });
    const seen = new Set(secretsOf(await host.stored()));
    for (const kind of ['public', 'protected', 'admin'] as const) {
      expect(await host.core.handle('messages:get', [kind])).toMatchObject({ ok: true });
      for (const secret of secretsOf(await host.stored())) seen.add(secret);
    }
    expect(stack.devstack.tokenRequests('refresh_token')).toBeGreaterThan(0);
    expect(seen.size).toBeGreaterThan(6); // rotated tokens were collected too
    // Failures log too: an API answer for a permission the core cannot get, then logout.
    expect(await host.core.handle('auth:logout', [])).toMatchObject({
      ok: true,
      session: { status: 'signed-out' },
    });
    expect(host.lines.some((line) => /signed in/.test(line))).toBe(true);
    const logs = host.lines.join('\n');
    const events = JSON.stringify(host.events);
    for (const secret of seen) {
      expect(logs.includes(secret), 'a token reached a log line').toBe(false);
      expect(events.includes(secret), 'a token reached the renderer').toBe(false);
    }
    expect(logs).not.toMatch(/eyJ[\w-]+\.[\w-]+\.[\w-]+/);
    tally.refused++;
  });
});

describe('storage', () => {
  it('without OS encryption (Linux basic_text) a whole session writes nothing at all to disk', async () => {
    tally.run++;
    const cipher = noEncryption();
    const host = hostCore({ cipher, clockSkewSeconds: 7200 });
    await host.core.restore();
    expect(host.core.view()).toMatchObject({ status: 'signed-out', persistence: 'memory' });
    expect(await host.signIn()).toMatchObject({
      ok: true,
      session: { status: 'signed-in', persistence: 'memory' },
    });
    const tokens = host.memory()!;
    expect(tokens.refreshToken).toBeTruthy();
    expect(readdirSync(host.dir)).toEqual([]);
    expect(await host.core.handle('messages:get', ['protected'])).toMatchObject({ ok: true });
    expect(readdirSync(host.dir)).toEqual([]);
    expect(await host.core.handle('auth:logout', [])).toMatchObject({ ok: true });
    expect(readdirSync(host.dir)).toEqual([]);
    expect(cipher.calls).toBe(0);
    // And a restart remembers nothing.
    const again = hostCore({ dir: host.dir, cipher: noEncryption() });
    await again.core.restore();
    expect(again.core.view()).toMatchObject({ status: 'signed-out', persistence: 'memory' });
    expect(again.core.view().error).toBeUndefined();
    tally.refused++;
  });

  it.each([
    [
      'without OS encryption it keeps no refresh token on disk: no data folder at all',
      'unavailable',
    ],
    ['control: with encryption it keeps its state in the data folder', 'available'],
  ] as const)(
    "the preview's built-in devstack (no AUTH0_DOMAIN): %s",
    async (_name, encryption) => {
      if (encryption === 'unavailable') tally.run++;
      // The preview as `npm run preview` runs it without settings, on a tiny renderer (no build needed).
      const rendererDir = path.join(
        mkdtempSync(path.join(os.tmpdir(), 'secrets-renderer-')),
        'renderer',
      );
      mkdirSync(rendererDir);
      writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>app</title>');
      const preview = await startPreview({
        env: { DEVSTACK_IDP_PORT: '0', DEVSTACK_API_PORT: '0' },
        externalBrowser: 'capture',
        encryption,
        rendererDir,
        dataDir: mkdtempSync(path.join(os.tmpdir(), 'secrets-preview-')),
      });
      try {
        await preview.core.restore();
        const login = preview.core.core!.session.login();
        await expect.poll(() => preview.externalUrls.length).toBe(1);
        const { context } = await signInWithBrowser(stack.browser, preview.externalUrls[0]!, {
          username: alice.email,
          password: alice.password,
        });
        await context.close();
        expect(await login).toMatchObject({ ok: true, session: { status: 'signed-in' } });
        const refreshToken = (preview.core.core!.session as unknown as { tokens?: TokenSet }).tokens
          ?.refreshToken;
        expect(refreshToken).toBeTruthy();
        if (encryption === 'unavailable') {
          expect(readdirSync(preview.dataDir)).toEqual([]);
          expect(preview.summary).toContain(
            'without OS encryption no refresh token is kept on disk',
          );
          tally.refused++;
        } else {
          // The same journey with encryption does keep the devstack's state: the check above is real.
          expect(readdirSync(path.join(preview.dataDir, 'devstack'))).toContain('provider.json');
          expect(filesUnder(preview.dataDir).includes(refreshToken!)).toBe(true);
        }
      } finally {
        await preview.close();
      }
    },
  );

  it("a vault written with another installation's key is discarded cleanly at restore", async () => {
    tally.run++;
    const original = hostCore();
    await original.core.restore();
    expect(await original.signIn()).toMatchObject({ ok: true });
    const tokens = (await original.stored())!;
    // The same vault file, on a machine (or profile) whose key is a different one.
    const otherDir = mkdtempSync(path.join(os.tmpdir(), 'secrets-other-'));
    copyFileSync(path.join(original.dir, 'session.json'), path.join(otherDir, 'session.json'));
    const other = hostCore({ dir: otherDir });
    await other.core.restore();
    expect(other.core.view()).toMatchObject({
      status: 'signed-out',
      persistence: 'encrypted',
      error: { code: 'storage_unreadable', message: expect.stringMatching(/another installation/) },
    });
    expect(await other.core.handle('messages:get', ['protected'])).toMatchObject({
      ok: false,
      error: { code: 'not_signed_in' },
    });
    expect(
      new JsonFileStore(path.join(otherDir, 'session.json')).get(ACCOUNTS_KEY),
    ).toBeUndefined();
    for (const secret of secretsOf(tokens))
      expect(filesUnder(otherDir).includes(secret)).toBe(false);
    // Not stuck: a fresh sign-in on that installation works and is stored with its own key.
    expect(await other.signIn()).toMatchObject({ ok: true, session: { status: 'signed-in' } });
    expect((await other.stored())?.claims.email).toBe(alice.email);
    tally.refused++;
  });
});

describe('a changed configuration', () => {
  it.each([
    ['API_SERVER_URL now points at another server', 'API_SERVER_URL'],
    ['AUTH0_AUDIENCE now names another API (on that other server)', 'AUTH0_AUDIENCE'],
  ])(
    '%s: the saved session is discarded with a reason, and its token goes nowhere',
    async (_name, setting) => {
      tally.run++;
      // Whoever now sits at the configured API address: it records every request's headers.
      const seen: IncomingHttpHeaders[] = [];
      const trap = createServer((req, res) => {
        seen.push(req.headers);
        res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"text":"trap"}');
      });
      await new Promise<void>((resolve) => trap.listen(0, '127.0.0.1', () => resolve()));
      try {
        const original = hostCore();
        await original.core.restore();
        expect(await original.signIn()).toMatchObject({ ok: true });
        const tokens = (await original.stored())!;
        await original.core.close();

        const trapUrl = `http://127.0.0.1:${(trap.address() as AddressInfo).port}`;
        const settings: Record<string, string> =
          setting === 'API_SERVER_URL'
            ? { API_SERVER_URL: trapUrl }
            : { API_SERVER_URL: trapUrl, AUTH0_AUDIENCE: 'https://other-api.example' };
        const changed = hostCore({ dir: original.dir, settings });
        await changed.core.restore();
        expect(changed.core.view()).toMatchObject({
          status: 'signed-out',
          error: {
            code: 'session_expired',
            message: expect.stringMatching(
              new RegExp(`settings changed \\(.*${setting}.*\\).*log in again`),
            ),
          },
        });
        expect(profileOf(changed.core.view())).toBeUndefined();
        expect(await changed.core.handle('messages:get', ['protected'])).toMatchObject({
          ok: false,
          error: { code: 'not_signed_in' },
        });
        expect(await changed.core.handle('messages:get', ['public'])).toMatchObject({ ok: true });
        // The trap got the public call, with no credential in it; the record is gone from disk.
        expect(seen.length).toBe(1);
        expect(JSON.stringify(seen)).not.toContain(tokens.accessToken);
        expect(seen[0]!.authorization).toBeUndefined();
        expect(filesUnder(original.dir).includes(tokens.refreshToken!)).toBe(false);
        tally.refused++;
      } finally {
        await new Promise((resolve) => trap.close(resolve));
      }
    },
  );
});
