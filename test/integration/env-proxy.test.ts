/**
 * NODE_USE_ENV_PROXY=1 (Node's own proxy support; on by default in some company set-ups) must not
 * send loopback traffic through the proxy the environment names (N8 of the second security review):
 * the provider's token endpoint and the API are plain http on loopback, so a proxy would read the
 * requests, tokens included, in clear.
 *
 * A child process runs the core host with NODE_USE_ENV_PROXY=1 and HTTP_PROXY / HTTPS_PROXY naming
 * a trap on 127.0.0.1 that records every request; it signs nothing in, but makes every kind of
 * request the app makes: openid-client's discovery (Log In), Check connection's fetches (discovery,
 * token endpoint, JWKS, API) and the API through axios. The trap must see none, and each must work.
 */
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevstack, type Devstack } from '../../devstack/index.ts';
import { envFor } from '../support/core-harness.ts';

let devstack: Devstack;
let trap: Server;
const caught: string[] = [];

beforeAll(async () => {
  devstack = await startDevstack({ quiet: true });
  trap = createServer((req, res) => {
    caught.push(`${req.method} ${req.url}`);
    res.writeHead(502, { 'Content-Type': 'application/json' }).end('{"message":"caught"}');
  });
  // CONNECT (https through the proxy) is caught too.
  trap.on('connect', (req, socket) => {
    caught.push(`CONNECT ${req.url}`);
    socket.end('HTTP/1.1 502 Bad Gateway\r\n\r\n');
  });
  await new Promise<void>((resolve) => trap.listen(0, '127.0.0.1', () => resolve()));
});

afterAll(async () => {
  await new Promise((resolve) => trap?.close(resolve));
  await devstack?.close();
});

/** Runs test/support/proxied-host.ts with NODE_USE_ENV_PROXY=1 and the trap in every proxy variable. */
async function proxiedHost(settings: NodeJS.ProcessEnv) {
  const proxy = `http://127.0.0.1:${(trap.address() as AddressInfo).port}`;
  const env: NodeJS.ProcessEnv = { ...process.env, ...settings };
  for (const name of ['NO_PROXY', 'no_proxy', 'AUTH0_DOMAIN', 'API_SERVER_URL'])
    if (!(name in settings)) delete env[name];
  Object.assign(env, {
    NODE_USE_ENV_PROXY: '1',
    NODE_NO_WARNINGS: '1',
    HTTP_PROXY: proxy,
    http_proxy: proxy,
    HTTPS_PROXY: proxy,
    https_proxy: proxy,
    DEVSTACK_IDP_PORT: '0',
    DEVSTACK_API_PORT: '0',
  });
  const output = await new Promise<string>((resolve, reject) =>
    execFile(
      process.execPath,
      ['test/support/proxied-host.ts'],
      { env, timeout: 50_000 },
      (error, stdout, stderr) =>
        error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout),
    ),
  );
  return JSON.parse(output.trim().split('\n').at(-1)!) as {
    loginOpened: boolean;
    demo: boolean;
    signedIn: boolean;
    protectedMessage: unknown;
    check: {
      ok: boolean;
      checks: Array<{ name: string; passed: boolean; detail: string; route?: string }>;
    };
    message: unknown;
    logout: unknown;
  };
}

describe('NODE_USE_ENV_PROXY=1 with a proxy in the environment', () => {
  it('no provider or API request on loopback reaches the proxy, and every one still works', async () => {
    const result = await proxiedHost(envFor(devstack));
    expect(caught).toEqual([]);
    expect(result.loginOpened).toBe(true);
    expect(result.signedIn).toBe(true);
    expect(result.protectedMessage).toEqual({
      ok: true,
      data: { text: 'This is a protected message.' },
    });
    expect(result.check.ok).toBe(true);
    expect(result.check.checks.filter((line) => !line.passed)).toEqual([]);
    expect(result.check.checks.find((line) => line.name === 'Discovery')?.route).toBe(
      'direct (loopback)',
    );
    expect(result.message).toEqual({ ok: true, data: { text: 'This is a public message.' } });
    expect(result.logout).toMatchObject({ ok: true, session: { status: 'signed-out' } });
  });

  it('a whole session on the built-in demo provider sends the trap nothing', async () => {
    const result = await proxiedHost({});
    expect(result.demo).toBe(true);
    expect(caught).toEqual([]);
    expect(result.signedIn).toBe(true);
    expect(result.protectedMessage).toMatchObject({ ok: true });
    expect(result.logout).toMatchObject({ ok: true });
  });
});
