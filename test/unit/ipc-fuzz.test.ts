/**
 * Property-based attacks (fast-check) on the renderer → main boundary, through the core host's
 * handler table (`host.handle`: the session's channels and the Settings page's) and through the
 * Electron IPC registration (`registerBridgeHandlers` with a fake ipcMain that behaves as
 * documented: one handler per channel, arguments structured-cloned).
 *
 * The core is real, signed in from a vault prepared with the test cipher (known token strings), and
 * configured against a trap server on 127.0.0.1 that counts every connection: an invalid request
 * must never reach the network. For any channel name and any payload — JSON values, prototype-
 * pollution keys, huge strings, deep nesting — nothing throws or rejects, every answer has the
 * contract's shape, and no answer or event carries a token. A sender that is not the app's own top
 * frame is refused without reaching the core.
 */
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MESSAGE_KINDS, SETTING_NAMES, type Channel } from '../../src-preload/contract.ts';
import { parseRequest, requestValidators } from '../../src-preload/contract-validators.ts';
import { startCoreHost, type CoreHost } from '../../src-main/core/host.ts';
import { CHANNELS } from '../../src-main/core/index.ts';
import { JsonFileStore, KeyFileBesideDataCipher } from '../../src-main/core/node-storage.ts';
import { TokenVault, vaultOwnerOf, type TokenSet } from '../../src-main/core/vault.ts';
import { refusedSender, registerBridgeHandlers } from '../../src-main/electron/ipc.ts';
import { APP_ORIGIN, isTrustedSender } from '../../src-main/electron/policy.ts';
import type { SessionView } from '../../src-preload/contract.ts';
import { configFor } from '../support/core-harness.ts';
import { fakeIpcMain } from '../support/fake-ipc-main.ts';
import { envTransports } from '../support/transport.ts';

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const TOKENS: TokenSet = {
  accessToken: `${b64({ alg: 'RS256', typ: 'at+jwt' })}.${b64({ sub: 'fuzz', aud: 'api' })}.ACCESS-SIGNATURE-7c1e9f`,
  accessTokenExpiresAt: Date.now() + 24 * 3600_000,
  refreshToken: 'REFRESH-TOKEN-opaque-5b2d8a0e',
  idToken: `${b64({ alg: 'RS256' })}.${b64({ sub: 'fuzz', nonce: 'n' })}.ID-SIGNATURE-3f6a2b`,
  claims: { sub: 'fuzz', name: 'Fuzz Tester', email: 'fuzz@example.com' },
};
/** Every secret string and every distinctive piece of one. */
const SECRETS = [
  TOKENS.accessToken,
  TOKENS.refreshToken!,
  TOKENS.idToken,
  'ACCESS-SIGNATURE-7c1e9f',
  'REFRESH-TOKEN-opaque',
  'ID-SIGNATURE-3f6a2b',
];

const ERROR_CODES = new Set([
  'config_invalid',
  'provider_unreachable',
  'provider_error',
  'access_denied',
  'callback_invalid',
  'sign_in_cancelled',
  'sign_in_timeout',
  'ports_busy',
  'session_expired',
  'not_signed_in',
  'storage_unreadable',
  'storage_not_encrypted',
  'api_unreachable',
  'api_error',
  'invalid_request',
  'internal',
]);

let trap: Server;
let connections = 0;
let core: CoreHost;
/** Settings the fuzzer saved (each may switch the running core, to the trap again: see beforeAll). */
let saves = 0;
let trapIssuer: string;
let vault: TokenVault;
/** Every event the core emitted (what the renderer would receive), and every URL it opened. */
const events: SessionView[] = [];
const opened: string[] = [];

beforeAll(async () => {
  trap = createServer((_req, res) => res.writeHead(503).end());
  trap.on('connection', () => connections++);
  await new Promise<void>((resolve) => trap.listen(0, '127.0.0.1', () => resolve()));
  const trapUrl = `http://127.0.0.1:${(trap.address() as AddressInfo).port}`;
  const config = configFor({
    issuer: trapUrl,
    clientId: 'fuzz-client',
    audience: 'https://api.example',
    apiUrl: trapUrl,
  });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ipc-fuzz-'));
  const store = new JsonFileStore(path.join(dir, 'session.json'));
  const cipher = new KeyFileBesideDataCipher(dir);
  vault = new TokenVault(store, cipher, vaultOwnerOf(config));
  // The provider, client, audience and API come from the environment: read-only, so whatever form the
  // fuzzer saves, the app stays on the trap (only callback ports and DPoP can change, and a save that
  // changes them switches the core to the trap again). No request can leave for another host.
  core = await startCoreHost({
    env: {
      AUTH0_DOMAIN: trapUrl,
      AUTH0_CLIENT_ID: 'fuzz-client',
      AUTH0_AUDIENCE: 'https://api.example',
      API_SERVER_URL: trapUrl,
    },
    settingsStore: new JsonFileStore(path.join(dir, 'settings.json')),
    transportFor: envTransports,
    platform: {
      openExternal: async (url) => void opened.push(url),
      cipher,
      store,
      emit: (view) => void events.push(view),
    },
  });
  trapIssuer = config.issuer.href;
  expect(core.config?.issuer.href).toBe(trapIssuer);
  await signedIn();
});

afterAll(async () => {
  await core?.close();
  await new Promise((resolve) => trap?.close(resolve));
});

/** (Re)seeds the session from the vault, as at start-up: signed in with the known tokens. */
async function signedIn(): Promise<void> {
  if (core.view().status === 'signed-in') return;
  await vault.save(TOKENS);
  await core.restore();
  expect(core.view(), JSON.stringify(core.view())).toMatchObject({
    status: 'signed-in',
    profile: { sub: 'fuzz' },
  });
}

function expectNoToken(value: unknown): void {
  const text = JSON.stringify(value) ?? '';
  for (const secret of SECRETS)
    expect(text.includes(secret), `a token leaked: ${text.slice(0, 200)}`).toBe(false);
}

function isAppError(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const error = value as Record<string, unknown>;
  return (
    ERROR_CODES.has(error.code as string) &&
    typeof error.message === 'string' &&
    error.message.length > 0 &&
    (error.status === undefined || typeof error.status === 'number')
  );
}

function isSessionView(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const view = value as Record<string, unknown>;
  return (
    ['restoring', 'signed-out', 'signing-in', 'signed-in'].includes(view.status as string) &&
    ['encrypted', 'memory'].includes(view.persistence as string)
  );
}

/** The contract's response shape for `channel` (session:get: a SessionView; the rest: a Result). */
function expectContractShape(channel: unknown, answer: unknown): void {
  if (channel === 'session:get' && isSessionView(answer)) return;
  expect(typeof answer, JSON.stringify(answer)).toBe('object');
  const result = answer as Record<string, unknown>;
  expect(typeof result.ok).toBe('boolean');
  if (result.ok === false) expect(isAppError(result.error), JSON.stringify(answer)).toBe(true);
  if (result.ok === true && 'session' in result) expect(isSessionView(result.session)).toBe(true);
  if (result.ok === true && 'data' in result)
    expect(typeof (result.data as { text?: unknown }).text).toBe('string');
}

const POLLUTION_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'valueOf',
  'hasOwnProperty',
  'then',
  'toJSON',
  'polluted',
];
const key = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom(...POLLUTION_KEYS));
/** JSON-ish values with hostile keys, plus what structured clone also carries. */
const payload = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.anything({
      key,
      maxDepth: 4,
      withNullPrototype: true,
      withBigInt: true,
      withDate: true,
      withMap: true,
      withSet: true,
      withTypedArray: true,
      withSparseArray: true,
      withBoxedValues: true,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.parse(JSON.stringify(v)) as unknown),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom<unknown>(
      JSON.parse('{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}'),
      JSON.parse('[{"__proto__":{"polluted":true}}]'),
      [JSON.parse('{"__proto__":"public"}')],
      ['public ', 'PUBLIC'],
      ['public', 'extra'],
      [['public']],
      [{ toString: 'public' }],
      [new String('public')],
      'public',
      [undefined],
      [null],
      new Array(3),
    ),
  },
  { weight: 1, arbitrary: fc.constantFrom(...MESSAGE_KINDS).map((kind) => [kind] as unknown) },
  { weight: 1, arbitrary: fc.constant([] as unknown) },
  // Settings forms: valid in shape, any values (the parser, not the shape, refuses most of them).
  {
    weight: 1,
    arbitrary: fc
      .record({
        provider: fc.constantFrom('demo', 'tenant'),
        values: fc.dictionary(
          fc.constantFrom(...SETTING_NAMES),
          fc.oneof(
            fc.string({ maxLength: 30 }),
            fc.constantFrom('true', '53682', 'https://x.eu.auth0.com'),
          ),
        ),
      })
      .map((form) => [form] as unknown),
  },
);
const channelName = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...CHANNELS) },
  { weight: 2, arbitrary: fc.string({ maxLength: 40 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      ...POLLUTION_KEYS,
      'session:get ',
      ' session:get',
      'SESSION:GET',
      'auth:login\u0000',
      'messages:get/../auth:login',
      'auth:steal-tokens',
      'vault:read',
    ),
  },
  { weight: 1, arbitrary: fc.anything({ maxDepth: 2 }) },
);

function deep(depth: number): unknown {
  let value: unknown = ['public'];
  for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { a: value, __proto__: value };
  return value;
}
const HUGE = 'x'.repeat(5_000_000);
const EXTREMES: Array<[string, unknown]> = [
  ['a 5 MB string as args', HUGE],
  ['a 5 MB string as the kind', [HUGE]],
  ['a 10 000-level nested value', deep(10_000)],
  ['10 000 arguments', Array.from({ length: 10_000 }, () => 'public')],
];

describe('core.handle under arbitrary input', () => {
  it('answers every invalid request with invalid_request, offline, and changes nothing', async () => {
    const prototypeBefore = Object.getOwnPropertyNames(Object.prototype).sort();
    let invalid = 0;
    await fc.assert(
      fc.asyncProperty(channelName, payload, async (channel, args) => {
        fc.pre(!parseRequest(channel, args).ok);
        invalid++;
        const before = connections;
        const answer = await core.handle(channel, args);
        expect(answer).toEqual({
          ok: false,
          error: { code: 'invalid_request', message: expect.any(String) },
        });
        expect(connections, 'an invalid request reached the network').toBe(before);
        expectNoToken(answer);
        expect(core.view().status).toBe('signed-in');
      }),
      { numRuns: 400 },
    );
    for (const [name, args] of EXTREMES) {
      for (const channel of [...CHANNELS, HUGE]) {
        const answer = await core.handle(channel, args);
        expect(answer, `${name} on ${channel.slice(0, 20)}`).toMatchObject({
          ok: false,
          error: { code: 'invalid_request' },
        });
        expect(JSON.stringify(answer).length).toBeLessThan(500);
      }
    }
    expect(invalid).toBeGreaterThan(300);
    console.info(
      `IPC: ${invalid + EXTREMES.length * (CHANNELS.length + 1)} invalid requests, all refused offline`,
    );
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeBefore);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expectNoToken(events);
  });

  it("never throws, always answers in the contract's shape and never with a token, valid requests included", async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...CHANNELS), payload, async (channel, args) => {
        await signedIn();
        const answer = await core.handle(channel, args);
        expectContractShape(channel, answer);
        expectNoToken(answer);
        if (channel === 'settings:save' && (answer as { ok: boolean }).ok) saves++;
        expect(
          core.config?.issuer.href,
          'a fuzzed form moved the app off the read-only provider',
        ).toBe(trapIssuer);
        if (!parseRequest(channel, args).ok)
          expect(answer).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
      }),
      { numRuns: 300 },
    );
    expectNoToken(events);
    // Valid requests did go out (to the trap): the offline check above is not vacuous.
    expect(connections).toBeGreaterThan(0);
    // None of it made the app open a browser (a provider switch included).
    expect(opened).toEqual([]);
    console.info(`IPC: ${saves} fuzzed settings saved`);
  });
});

const appFrame = { url: 'app://renderer/index.html', parent: null };
const TRICKY_URLS = [
  'app://renderer.evil.example/index.html',
  'app://renderer@evil.example/',
  'app://evil.example/app://renderer/',
  'app://renderer:8080/index.html',
  'https://renderer/index.html',
  'http://app/renderer',
  'file:///app://renderer/index.html',
  'blob:app://renderer/5f0e',
  'about:blank',
  'about:srcdoc',
  'data:text/html,<script>1</script>',
  'javascript:alert(1)',
  'app:renderer',
  'app:/renderer/index.html',
  'app://RENDERER/index.html',
  'devtools://devtools/',
  'chrome-extension://abc/',
  '',
  'null',
  'http://127.0.0.1:5173/',
  'http://localhost:5173/',
];
/** Independent oracle: the app's own origin, in a top-level frame. */
function trustedByOracle(frame: unknown): boolean {
  if (typeof frame !== 'object' || frame === null) return false;
  const { url, parent } = frame as { url?: unknown; parent?: unknown };
  if (parent !== null || typeof url !== 'string') return false;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'app:' && parsed.host === 'renderer';
  } catch {
    return false;
  }
}

describe('the Electron IPC registration under arbitrary senders and payloads', () => {
  function setUp() {
    let reachedCore = 0;
    const { ipcMain, invoke } = fakeIpcMain();
    registerBridgeHandlers(
      ipcMain,
      {
        handle: (channel, args) => {
          reachedCore++;
          return core.handle(channel, args);
        },
      },
      (frame) => isTrustedSender(frame as never, APP_ORIGIN),
    );
    return { invoke, reached: () => reachedCore };
  }

  it("answers the app's own frame for every channel and payload, in shape and without a token", async () => {
    const { invoke } = setUp();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...CHANNELS),
        fc.array(payload, { maxLength: 3 }),
        async (channel, args) => {
          await signedIn();
          const answer = await invoke(appFrame, channel, args);
          expectContractShape(channel, answer);
          expectNoToken(answer);
        },
      ),
      { numRuns: 200 },
    );
    // Huge and deep payloads through the clone, too.
    for (const channel of CHANNELS) {
      for (const args of [[HUGE], [deep(1000)], Array.from({ length: 1000 }, () => 'public')]) {
        expect(await invoke(appFrame, channel, args)).toMatchObject({
          ok: false,
          error: { code: 'invalid_request' },
        });
      }
    }
  });

  it("refuses every sender that is not the app's own top frame, before the core sees the request", async () => {
    const { invoke, reached } = setUp();
    const frame = fc.oneof(
      fc.constant(null),
      fc.constant(undefined),
      fc.record({
        url: fc.oneof(
          fc.webUrl({ withQueryParameters: true, withFragments: true }),
          fc.constantFrom(...TRICKY_URLS),
          fc.string(),
        ),
        parent: fc.oneof(fc.constant(null), fc.constant({}), fc.object()),
      }),
      // The app's own document, but in a subframe.
      fc.record({
        url: fc.constantFrom('app://renderer/index.html', 'app://renderer/'),
        parent: fc.oneof(fc.constant({}), fc.object()),
      }),
    );
    let refusedCount = 0;
    await fc.assert(
      fc.asyncProperty(
        frame,
        fc.constantFrom(...CHANNELS),
        fc.array(payload, { maxLength: 2 }),
        async (sender, channel, args) => {
          fc.pre(!trustedByOracle(sender));
          const before = reached();
          const answer = await invoke(sender, channel, args);
          expect(answer).toEqual(refusedSender);
          expect(reached()).toBe(before);
          refusedCount++;
        },
      ),
      { numRuns: 400 },
    );
    expect(refusedCount).toBeGreaterThan(300);
    // And the trusted frame does reach it (the refusals are the check at work).
    await signedIn();
    const before = reached();
    expect(await invoke(appFrame, 'session:get', [])).toMatchObject({ status: 'signed-in' });
    expect(reached()).toBe(before + 1);
    console.info(`IPC: ${refusedCount} foreign senders, ${refusedCount} refused`);
  });

  it("has a handler for exactly the contract's channels: any other name has no handler at all", async () => {
    const { invoke } = setUp();
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 30 }), async (name) => {
        fc.pre(!Object.hasOwn(requestValidators, name));
        await expect(invoke(appFrame, name, [])).rejects.toThrow(/No handler/);
      }),
      { numRuns: 100 },
    );
    expect(Object.keys(requestValidators).sort()).toEqual([...CHANNELS].sort() as Channel[]);
  });
});
