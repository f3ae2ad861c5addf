/**
 * API calls ignore HTTP_PROXY / HTTPS_PROXY: the bearer token for a loopback http API must not travel
 * in clear to whatever proxy the environment names (a user's shell, a corporate profile, malware
 * setting one variable). Calls go where API_SERVER_URL says, like the provider calls.
 *
 * The proxy here is a trap on 127.0.0.1 that records every request it gets; the app signs in
 * against the real devstack and reads the public, protected and admin messages with the proxy
 * variables set (this file runs in its own process, so they touch nothing else).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alice } from '../support/accounts.ts';
import { configFor, signIn } from '../support/core-harness.ts';
import { useIntegrationStack } from '../support/integration-stack.ts';

const stack = useIntegrationStack();
let trap: Server;
const caught: string[] = [];
const PROXY_VARIABLES = [
  'HTTP_PROXY',
  'http_proxy',
  'HTTPS_PROXY',
  'https_proxy',
  'NO_PROXY',
  'no_proxy',
] as const;
const saved = Object.fromEntries(PROXY_VARIABLES.map((name) => [name, process.env[name]]));

beforeAll(async () => {
  trap = createServer((req, res) => {
    caught.push(
      `${req.method} ${req.url} authorization=${req.headers.authorization ? 'present' : 'absent'}`,
    );
    res
      .writeHead(502, { 'Content-Type': 'application/json' })
      .end('{"message":"caught by the proxy"}');
  });
  await new Promise<void>((resolve) => trap.listen(0, '127.0.0.1', () => resolve()));
});

afterAll(async () => {
  for (const name of PROXY_VARIABLES) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
  await new Promise((resolve) => trap?.close(resolve));
});

describe('a proxy in the environment', () => {
  it('never sees an API call or the token: every message comes straight from API_SERVER_URL', async () => {
    const test = stack.newCore(configFor(stack.devstack));
    await test.core.restore();
    const { result, context } = await signIn(test, stack.browser, alice);
    expect(result.ok).toBe(true);
    await context.close();

    const proxy = `http://127.0.0.1:${(trap.address() as AddressInfo).port}`;
    for (const name of ['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy'])
      process.env[name] = proxy;
    delete process.env.NO_PROXY;
    delete process.env.no_proxy;

    expect(await test.core.messages.get('public')).toEqual({
      ok: true,
      data: { text: 'This is a public message.' },
    });
    expect(await test.core.messages.get('protected')).toEqual({
      ok: true,
      data: { text: 'This is a protected message.' },
    });
    expect(await test.core.messages.get('admin')).toEqual({
      ok: true,
      data: { text: 'This is an admin message.' },
    });
    expect(caught).toEqual([]);
  });
});
