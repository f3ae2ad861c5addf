/**
 * Check connection against a hostile discovery document (N6 of the second security review), and the
 * way it reports a provider it cannot reach (M6 of issue 22).
 *
 * The "provider" is a small server on 127.0.0.1 whose discovery document names whatever each case
 * wants: plain-http endpoints on other hosts, other schemes, other ports of this machine (one closed,
 * one an "internal service" that records requests and answers with words of its own). The check may
 * send nothing where the sign-in would not, may echo only the issuer's own host, and must answer the
 * same for an open and a closed port of another host. Hosts off this machine use the `.invalid` top
 * level domain, which never resolves, so nothing leaves the machine even if a check misbehaves.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionCheckLine } from '../../src-preload/contract.ts';
import { parseConfig } from '../../src-main/core/config.ts';
import { CHECK_NAMES, checkConnection } from '../../src-main/core/connection-check.ts';
import { startCoreHost } from '../../src-main/core/host.ts';
import { JsonFileStore } from '../../src-main/core/node-storage.ts';
import { closedPort } from '../support/ports.ts';
import { envTransport, envTransports } from '../support/transport.ts';

const INTERNAL_WORDS = 'INTERNAL-SERVICE-SECRET';
const ISSUER_WORDS = 'the-issuer-says-so';
let issuerServer: Server;
let internal: Server;
let issuer: string;
let internalOrigin: string;
let closedOrigin: string;
const internalRequests: string[] = [];
/** The discovery document's endpoints for the current case (merged over honest ones). */
let endpoints: Record<string, unknown> = {};
/** Milliseconds the discovery answer waits (the one-at-a-time case). */
let discoveryDelay = 0;

function listen(server: Server): Promise<string> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    ),
  );
}

beforeAll(async () => {
  internal = createServer((req, res) => {
    internalRequests.push(`${req.method} ${req.url}`);
    res.writeHead(400, { 'Content-Type': 'application/json' }).end(
      JSON.stringify({
        error: 'invalid_request',
        error_description: INTERNAL_WORDS,
        keys: [{ kty: 'RSA', alg: INTERNAL_WORDS }],
        text: INTERNAL_WORDS,
      }),
    );
  });
  internalOrigin = await listen(internal);
  closedOrigin = `http://127.0.0.1:${await closedPort()}`;
  issuerServer = createServer((req, res) => {
    const json = (status: number, body: unknown) =>
      res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
    if (req.url === '/.well-known/openid-configuration') {
      setTimeout(
        () =>
          json(200, {
            issuer,
            authorization_endpoint: `${issuer}/authorize`,
            token_endpoint: `${issuer}/token`,
            jwks_uri: `${issuer}/jwks`,
            revocation_endpoint: `${issuer}/revoke`,
            end_session_endpoint: `${issuer}/logout`,
            response_types_supported: ['code'],
            grant_types_supported: ['authorization_code', 'refresh_token'],
            code_challenge_methods_supported: ['S256'],
            ...endpoints,
          }),
        discoveryDelay,
      );
      return;
    }
    if (req.url === '/token')
      return json(400, { error: 'unauthorized_client', error_description: ISSUER_WORDS });
    if (req.url === '/jwks') return json(200, { keys: [{ kty: 'EC', alg: 'ES256', use: 'sig' }] });
    if (req.url === '/api/messages/public') return json(200, { text: 'This is a public message.' });
    json(404, { message: 'Not Found' });
  });
  issuer = await listen(issuerServer);
});

afterAll(async () => {
  await new Promise((resolve) => issuerServer?.close(resolve));
  await new Promise((resolve) => internal?.close(resolve));
});

const config = (overrides: Record<string, string> = {}) =>
  parseConfig({
    AUTH0_DOMAIN: issuer,
    AUTH0_CLIENT_ID: 'client',
    AUTH0_AUDIENCE: 'https://api.example',
    API_SERVER_URL: issuer,
    ...overrides,
  });

const lineOf = (lines: ConnectionCheckLine[], name: string) =>
  lines.find((line) => line.name === name)!;

const tally = { run: 0, refused: 0 };
/** Runs the check with `discovered` endpoints; asserts nothing reached the internal service. */
async function hostile(discovered: Record<string, unknown>): Promise<ConnectionCheckLine[]> {
  tally.run++;
  endpoints = discovered;
  const before = internalRequests.length;
  const lines = await checkConnection(config(), envTransport(), { timeoutMs: 3000 });
  endpoints = {};
  for (const line of lines) expect(line.detail).not.toContain(INTERNAL_WORDS);
  if (internalRequests.length === before) tally.refused++;
  return lines;
}

describe('a hostile discovery document', () => {
  it('control: an honest one passes every line, and the issuer’s own words are echoed', async () => {
    const lines = await checkConnection(config(), envTransport());
    expect(lineOf(lines, CHECK_NAMES.discovery).passed).toBe(true);
    expect(lineOf(lines, CHECK_NAMES.jwks)).toMatchObject({
      passed: true,
      detail: expect.stringContaining('ES256'),
    });
    // This issuer refuses refresh tokens for the client, and says why in its own words.
    expect(lineOf(lines, CHECK_NAMES.refresh)).toMatchObject({
      passed: false,
      detail: expect.stringContaining(ISSUER_WORDS),
    });
  });

  it.each([
    ['plain http off this machine', 'http://metadata.invalid/x'],
    ['plain http on a private address name', 'http://intranet.invalid:8080/x'],
    ['file:', 'file:///etc/passwd'],
    ['gopher: to a port of this machine', 'gopher://127.0.0.1:70/x'],
    ['credentials in the URL', `https://user:pass@idp.invalid/x`],
  ])('%s: nothing is sent there, and the line says the app does not use it', async (_name, url) => {
    const lines = await hostile({
      token_endpoint: url,
      jwks_uri: url,
      revocation_endpoint: url,
      end_session_endpoint: url,
    });
    for (const name of [
      CHECK_NAMES.code,
      CHECK_NAMES.refresh,
      CHECK_NAMES.revocation,
      CHECK_NAMES.logout,
      CHECK_NAMES.jwks,
    ]) {
      const line = lineOf(lines, name);
      expect(line.passed, name).toBe(false);
      expect(line.detail, name).toMatch(/the app does not use it, so nothing was sent there\.$/);
      expect(line.code, name).toBeUndefined();
    }
  });

  it('another port of this machine: an open one and a closed one read the same, and nothing of the open one’s answer comes back', async () => {
    const open = await hostile({
      token_endpoint: `${internalOrigin}/token`,
      jwks_uri: `${internalOrigin}/jwks`,
    });
    // The internal service was reached (loopback issuer, loopback endpoint: the sign-in would too)…
    expect(internalRequests.length).toBeGreaterThan(0);
    tally.refused++;
    const closed = await hostile({
      token_endpoint: `${closedOrigin}/token`,
      jwks_uri: `${closedOrigin}/jwks`,
    });
    const blank = (text: string) => text.replace(/127\.0\.0\.1:\d+/g, 'HOST');
    for (const name of [CHECK_NAMES.refresh, CHECK_NAMES.jwks]) {
      // …but what the line says cannot tell an open port from a closed one.
      expect(blank(lineOf(open, name).detail), name).toBe(blank(lineOf(closed, name).detail));
      expect(lineOf(closed, name)).toMatchObject({ passed: false });
      expect(lineOf(closed, name).code).toBeUndefined();
      expect(lineOf(closed, name).detail).not.toMatch(/ECONNREFUSED|refused/);
    }
  });

  it('refused every case', () => {
    expect(tally.refused).toBe(tally.run);
    expect(tally.run).toBeGreaterThanOrEqual(7);
    console.info(
      `connection check: ${tally.run} hostile discovery cases run, ${tally.refused} sent nothing or echoed nothing`,
    );
  });
});

/** The core host on the hostile issuer (from the environment: no demo provider starts). */
async function tenantHost(opened: string[] = []) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hostile-host-'));
  return startCoreHost({
    env: {
      AUTH0_DOMAIN: issuer,
      AUTH0_CLIENT_ID: 'client',
      AUTH0_AUDIENCE: 'https://api.example',
      API_SERVER_URL: issuer,
    },
    settingsStore: new JsonFileStore(path.join(dir, 'settings.json')),
    transportFor: envTransports,
    platform: {
      openExternal: async (url) => void opened.push(url),
      cipher: {
        isAvailable: async () => false,
        encrypt: () => Promise.reject(new Error('no')),
        decrypt: () => Promise.reject(new Error('no')),
      },
      store: new JsonFileStore(path.join(dir, 'session.json')),
      emit: () => {},
    },
  });
}

describe('the sign-in follows the same rule', () => {
  it('Log In against a discovery document with a plain-http token endpoint off this machine: refused before the browser opens', async () => {
    const opened: string[] = [];
    endpoints = { token_endpoint: 'http://metadata.invalid/token' };
    const host = await tenantHost(opened);
    try {
      expect(await host.handle('auth:login', [])).toMatchObject({
        ok: false,
        error: {
          code: 'provider_error',
          message: expect.stringContaining('token_endpoint is plain http'),
        },
      });
      expect(opened).toEqual([]);
    } finally {
      endpoints = {};
      await host.close();
    }
  });
});

describe('one check at a time', () => {
  it('a second Check connection while one runs is refused; the next one after it works', async () => {
    const host = await tenantHost();
    try {
      discoveryDelay = 500;
      const form = { provider: 'tenant', values: {} };
      const first = host.handle('settings:check', [form]);
      const second = await host.handle('settings:check', [form]);
      expect(second).toMatchObject({
        ok: false,
        error: { message: expect.stringContaining('already running') },
      });
      expect(await first).toMatchObject({ ok: true });
      discoveryDelay = 0;
      expect(await host.handle('settings:check', [form])).toMatchObject({ ok: true });
    } finally {
      discoveryDelay = 0;
      await host.close();
    }
  });
});

describe('a provider that cannot be reached (issue 22, M6)', () => {
  it('connection refused: discovery fails with the cause in words and its code; the lines that need it are skipped, not failed', async () => {
    const lines = await checkConnection(config({ AUTH0_DOMAIN: closedOrigin }), envTransport());
    expect(lines[0]).toMatchObject({
      name: CHECK_NAMES.discovery,
      passed: false,
      detail: `${new URL(closedOrigin).host} could not be reached: connection refused.`,
      code: 'ECONNREFUSED',
    });
    const skipped = lines.filter((line) => line.skipped);
    expect(skipped.map((line) => line.name)).toEqual([
      CHECK_NAMES.code,
      CHECK_NAMES.refresh,
      CHECK_NAMES.revocation,
      CHECK_NAMES.logout,
      CHECK_NAMES.jwks,
    ]);
    for (const line of skipped)
      expect(line).toMatchObject({ passed: false, detail: 'Skipped: discovery failed.' });
    // The API does not need discovery: checked on its own (here it is up).
    expect(lineOf(lines, CHECK_NAMES.api)).toMatchObject({ passed: true });
  });

  it('no such host: "check the spelling", with ENOTFOUND in small print', async () => {
    const lines = await checkConnection(
      config({ AUTH0_DOMAIN: 'https://no-such-tenant.invalid' }),
      envTransport(),
    );
    expect(lines[0]).toMatchObject({
      passed: false,
      detail: 'no-such-tenant.invalid could not be reached: no such host: check the spelling.',
      code: 'ENOTFOUND',
    });
  });

  it('a provider that never answers: "timed out after 10 s" (here 0.3 s)', async () => {
    const silent = createServer(() => {});
    const origin = await listen(silent);
    try {
      const lines = await checkConnection(config({ AUTH0_DOMAIN: origin }), envTransport(), {
        timeoutMs: 300,
      });
      expect(lines[0]).toMatchObject({
        passed: false,
        detail: `${new URL(origin).host} could not be reached: timed out after 0.3 s.`,
        code: 'timeout',
      });
    } finally {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
