/**
 * The Node transport (src-main/core/network/node-transport.ts) against real servers: an HTTPS server
 * with the devstack's throw-away CA, a plain HTTP one, and the test proxy, which alone can resolve
 * `idp.corp.test` / `api.corp.test`. What is asserted is what a user or an attacker on the proxy
 * would see: which requests arrived where, what the proxy was given, and the messages.
 */
import { spawn } from 'node:child_process';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import axios from 'axios';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { makeDevstackCertificates, type DevstackCertificates } from '../../devstack/tls.ts';
import {
  createNodeTransport,
  type NodeTransport,
} from '../../src-main/core/network/node-transport.ts';
import {
  NO_PROXY_CONFIG,
  parseProxySetting,
  proxyConfigFrom,
} from '../../src-main/core/network/proxy-settings.ts';
import { describeRoute } from '../../src-main/core/network/route-policy.ts';
import {
  ProxyAuthenticationError,
  ProxyError,
  RouteRefusedError,
  UntrustedCertificateError,
} from '../../src-main/core/network/transport.ts';
import { closedPort } from '../support/ports.ts';
import { startTestProxy, type TestProxy } from '../support/proxy.ts';

// JWT-shaped, built at run time so no token-like literal is committed.
const JWT = [{ alg: 'ES256' }, { sub: 'alice' }]
  .map((part) => Buffer.from(JSON.stringify(part)).toString('base64url'))
  .concat(Buffer.from('signature').toString('base64url'))
  .join('.');
const REFRESH = 'opaque-refresh-9c1e2b4d';
const HOSTS = {
  'idp.corp.test': '127.0.0.1',
  'api.corp.test': '127.0.0.1',
  'other.corp.test': '127.0.0.1',
};

interface Arrival {
  server: 'https' | 'http';
  method: string;
  url: string;
  host: string;
  authorization: string | undefined;
  dpop: string | undefined;
  proxyAuthorization: string | undefined;
  body: string;
}

let certs: DevstackCertificates;
let httpsServer: Server;
let httpServer: Server;
let httpsPort: number;
let httpPort: number;
let proxy: TestProxy;
const arrivals: Arrival[] = [];
const transports: NodeTransport[] = [];

function recorder(server: Arrival['server']) {
  return (req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      arrivals.push({
        server,
        method: req.method ?? '',
        url: req.url ?? '',
        host: req.headers.host ?? '',
        authorization: req.headers.authorization,
        dpop: req.headers['dpop'] as string | undefined,
        proxyAuthorization: req.headers['proxy-authorization'],
        body,
      });
      const redirect = /^\/redirect\?to=(.+)$/.exec(req.url ?? '');
      if (redirect) {
        res.writeHead(302, { Location: decodeURIComponent(redirect[1] ?? '') }).end();
        return;
      }
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ text: `${server} ${req.method} ${req.url}` }));
    });
  };
}

function transport(options: Parameters<typeof createNodeTransport>[0]): NodeTransport {
  const created = createNodeTransport(options);
  transports.push(created);
  return created;
}

const trusting = (proxyUrl?: string, env: NodeJS.ProcessEnv = {}) =>
  transport({
    proxy:
      proxyUrl === undefined ? NO_PROXY_CONFIG : proxyConfigFrom(parseProxySetting(proxyUrl), env),
    extraCaCertificates: [certs.caPem],
  });

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a failure');
}

beforeAll(async () => {
  certs = await makeDevstackCertificates(['idp.corp.test', 'api.corp.test']);
  httpsServer = createHttpsServer({ cert: certs.cert, key: certs.key }, recorder('https'));
  httpServer = createHttpServer(recorder('http'));
  await Promise.all(
    [httpsServer, httpServer].map(
      (server) => new Promise<void>((done) => server.listen(0, '127.0.0.1', () => done())),
    ),
  );
  httpsPort = (httpsServer.address() as AddressInfo).port;
  httpPort = (httpServer.address() as AddressInfo).port;
  proxy = await startTestProxy({ hosts: HOSTS });
});

afterAll(async () => {
  await Promise.all(transports.map((created) => created.close()));
  await proxy.close();
  httpsServer.closeAllConnections();
  httpServer.closeAllConnections();
  await Promise.all(
    [httpsServer, httpServer].map((server) => new Promise((done) => server.close(done))),
  );
  await certs.dispose();
});

beforeEach(() => {
  arrivals.length = 0;
  proxy.clear();
});

describe('certificates', () => {
  it('names the issuer of a certificate it does not trust, and sends nothing; trusting the root, it goes', async () => {
    const untrusting = transport({ proxy: NO_PROXY_CONFIG });
    const url = `https://127.0.0.1:${httpsPort}/.well-known/openid-configuration`;
    const error = await failure(untrusting.fetchFor('AUTH0_DOMAIN')(url));
    expect(error).toBeInstanceOf(UntrustedCertificateError);
    expect(error).toMatchObject({
      issuer: expect.stringMatching(/^Devstack throw-away CA [0-9a-f]{8}$/),
      reason: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    });
    expect(error.message).toMatch(
      /^The certificate of 127\.0\.0\.1:\d+ is issued by "Devstack throw-away CA [0-9a-f]{8}", which this computer does not trust\. .*system's certificate store.*NODE_EXTRA_CA_CERTS/,
    );
    expect(arrivals).toEqual([]);

    const answer = await trusting().fetchFor('AUTH0_DOMAIN')(url);
    expect(await answer.json()).toEqual({ text: 'https GET /.well-known/openid-configuration' });
  });

  it('refuses a trusted certificate for another name (through the proxy, too), and sends nothing', async () => {
    const error = await failure(
      trusting(proxy.url).fetchFor('AUTH0_DOMAIN')(`https://other.corp.test:${httpsPort}/token`, {
        method: 'POST',
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: REFRESH }),
      }),
    );
    expect(error).toBeInstanceOf(UntrustedCertificateError);
    expect(error.message).toMatch(
      /^The certificate of other\.corp\.test:\d+ \(issued by "Devstack throw-away CA .*"\) is for other names \(IP Address:127\.0\.0\.1, DNS:localhost, DNS:idp\.corp\.test, DNS:api\.corp\.test\)\.$/,
    );
    expect(arrivals).toEqual([]);
    expect(proxy.seen()).not.toContain(REFRESH);
  });

  it('trusts the roots in NODE_EXTRA_CA_CERTS (read at start: a child process), and names the issuer without them', async () => {
    const script = [
      "import { createNodeTransport } from './src-main/core/network/node-transport.ts';",
      "import { NO_PROXY_CONFIG } from './src-main/core/network/proxy-settings.ts';",
      'const transport = createNodeTransport({ proxy: NO_PROXY_CONFIG });',
      `try { const r = await transport.fetchFor('AUTH0_DOMAIN')('https://127.0.0.1:${httpsPort}/discovery'); console.log(JSON.stringify({ status: r.status, extra: transport.trust.extra })); }`,
      'catch (e) { console.log(JSON.stringify({ error: e.name, message: e.message, extra: transport.trust.extra })); }',
      'await transport.close();',
    ].join('\n');
    // Asynchronously: the server answering it lives in this process.
    const run = async (extra: string | undefined) => {
      const env = { ...process.env };
      delete env['NODE_EXTRA_CA_CERTS'];
      if (extra !== undefined) env['NODE_EXTRA_CA_CERTS'] = extra;
      const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
        cwd: new URL('../..', import.meta.url).pathname,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const status = await new Promise<number | null>((done) => child.on('close', done));
      expect(status, stderr).toBe(0);
      return JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>;
    };
    expect(await run(undefined)).toMatchObject({
      error: 'UntrustedCertificateError',
      message: expect.stringContaining('is issued by "Devstack throw-away CA'),
      extra: 0,
    });
    expect(await run(certs.caPath)).toEqual({ status: 200, extra: 1 });
  });
});

describe('through a proxy', () => {
  it('https goes only as a CONNECT tunnel: the proxy sees "CONNECT host:port" and none of the token, proof, code or refresh token', async () => {
    const fetch = trusting(proxy.url).fetchFor('AUTH0_DOMAIN');
    const token = await fetch(`https://idp.corp.test:${httpsPort}/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', DPoP: JWT },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: 'code-5e8d2c',
        code_verifier: 'verifier-9a8b7c',
        refresh_token: REFRESH,
      }).toString(),
    });
    expect(token.status).toBe(200);
    const api = await trusting(proxy.url).fetchFor('API_SERVER_URL')(
      `https://api.corp.test:${httpsPort}/api/messages/protected`,
      {
        headers: { Authorization: `Bearer ${JWT}` },
      },
    );
    expect(await api.json()).toEqual({ text: 'https GET /api/messages/protected' });

    // They arrived, so the proxy carried them (nothing else resolves these names)…
    expect(arrivals.map((a) => [a.host, a.url, a.authorization ?? a.dpop])).toEqual([
      [`idp.corp.test:${httpsPort}`, '/token', JWT],
      [`api.corp.test:${httpsPort}`, '/api/messages/protected', `Bearer ${JWT}`],
    ]);
    expect(arrivals[0]?.body).toContain('code=code-5e8d2c');
    // …and the proxy was given nothing but the tunnels' host names and ciphertext.
    expect(proxy.lines()).toEqual([
      `CONNECT idp.corp.test:${httpsPort}`,
      `CONNECT api.corp.test:${httpsPort}`,
    ]);
    const seen = proxy.seen();
    for (const secret of [
      JWT,
      'c2lnbmF0dXJl',
      REFRESH,
      'code-5e8d2c',
      'verifier-9a8b7c',
      'Authorization',
      'DPoP',
    ])
      expect(seen.includes(secret), `the proxy saw ${secret}`).toBe(false);
  });

  it('refuses a token over plain http through a proxy with the message naming the setting; the proxy sees nothing', async () => {
    const fetch = trusting(proxy.url).fetchFor('API_SERVER_URL');
    const error = await failure(
      fetch(`http://api.corp.test:${httpPort}/api/messages/protected`, {
        headers: { Authorization: `Bearer ${JWT}` },
      }),
    );
    expect(error).toBeInstanceOf(RouteRefusedError);
    expect(error.message).toBe(
      'The API server URL is http:// and a proxy is in use: use https:// or add its host to NO_PROXY',
    );
    const refresh = await failure(
      trusting(proxy.url).fetchFor('AUTH0_DOMAIN')(`http://idp.corp.test:${httpPort}/token`, {
        method: 'POST',
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: REFRESH }),
      }),
    );
    expect(refresh.message).toBe(
      'The Domain is http:// and a proxy is in use: use https:// or add its host to NO_PROXY',
    );
    expect(proxy.log).toEqual([]);
    expect(proxy.seen()).toBe('');
    expect(arrivals).toEqual([]);
  });

  it('forwards a plain http request that carries nothing secret (absolute-form, through the proxy)', async () => {
    const answer = await trusting(proxy.url).fetchFor('API_SERVER_URL')(
      `http://api.corp.test:${httpPort}/api/messages/public`,
    );
    expect(await answer.json()).toEqual({ text: 'http GET /api/messages/public' });
    expect(proxy.lines()).toEqual([`GET http://api.corp.test:${httpPort}/api/messages/public`]);
    expect(arrivals[0]).toMatchObject({
      host: `api.corp.test:${httpPort}`,
      authorization: undefined,
    });
  });

  it('keeps loopback direct: a token for 127.0.0.1 never reaches the proxy, whatever HTTPS_PROXY / HTTP_PROXY say', async () => {
    const env = { HTTPS_PROXY: proxy.url, HTTP_PROXY: proxy.url, NO_PROXY: '' };
    const fromEnv = transport({
      proxy: proxyConfigFrom({ kind: 'system' }, env),
      extraCaCertificates: [certs.caPem],
    });
    for (const url of [
      `http://127.0.0.1:${httpPort}/api/messages/protected`,
      `https://127.0.0.1:${httpsPort}/token`,
      `http://localhost:${httpPort}/api/messages/admin`,
    ]) {
      const answer = await fromEnv.fetchFor('API_SERVER_URL')(url, {
        headers: { Authorization: `Bearer ${JWT}` },
      });
      expect(answer.status).toBe(200);
    }
    expect(arrivals.map((a) => a.authorization)).toEqual([
      `Bearer ${JWT}`,
      `Bearer ${JWT}`,
      `Bearer ${JWT}`,
    ]);
    expect(proxy.log).toEqual([]);
    expect(describeRoute(await fromEnv.routeOf(new URL(`http://127.0.0.1:${httpPort}/`)))).toBe(
      'direct (loopback)',
    );
    expect(
      describeRoute(await fromEnv.routeOf(new URL(`https://idp.corp.test:${httpsPort}/`))),
    ).toBe(`via proxy 127.0.0.1:${proxy.port}`);
  });

  it('follows a redirect hop by hop: the token stays with its origin, and each hop is judged again', async () => {
    const fetch = trusting(proxy.url).fetchFor('API_SERVER_URL');
    const elsewhere = encodeURIComponent(`http://api.corp.test:${httpPort}/landing`);
    const answer = await fetch(`https://api.corp.test:${httpsPort}/redirect?to=${elsewhere}`, {
      headers: { Authorization: `Bearer ${JWT}` },
    });
    expect(await answer.json()).toEqual({ text: 'http GET /landing' });
    expect(answer.redirected).toBe(true);
    expect(answer.url).toBe(`http://api.corp.test:${httpPort}/landing`);
    expect(arrivals.map((a) => [a.server, a.url, a.authorization])).toEqual([
      ['https', `/redirect?to=${elsewhere}`, `Bearer ${JWT}`],
      ['http', '/landing', undefined],
    ]);
    expect(proxy.seen()).not.toContain(JWT);

    // A hop that would carry a code over plain http through the proxy is refused, not sent.
    const withCode = encodeURIComponent(`http://api.corp.test:${httpPort}/cb?code=code-5e8d2c`);
    const error = await failure(
      fetch(`https://api.corp.test:${httpsPort}/redirect?to=${withCode}`),
    );
    expect(error).toBeInstanceOf(RouteRefusedError);
    expect(proxy.seen()).not.toContain('code-5e8d2c');
    // redirect: 'manual' (openid-client, axios with maxRedirects 0) gets the 302 itself.
    const manual = await fetch(`https://api.corp.test:${httpsPort}/redirect?to=${elsewhere}`, {
      redirect: 'manual',
    });
    expect(manual.status).toBe(302);
  });

  it('names the proxy on 407, and authenticates with the credentials in the proxy URL (never passed on)', async () => {
    const guarded = await startTestProxy({
      hosts: HOSTS,
      credentials: { username: 'corp\\alice', password: 'pa:ss w@rd' },
    });
    try {
      const url = `https://idp.corp.test:${httpsPort}/token`;
      const without = await failure(
        transport({
          proxy: proxyConfigFrom({ kind: 'system' }, { HTTPS_PROXY: guarded.url }),
          extraCaCertificates: [certs.caPem],
        }).fetchFor('AUTH0_DOMAIN')(url),
      );
      expect(without).toBeInstanceOf(ProxyAuthenticationError);
      expect(without.message).toBe(
        `The proxy at 127.0.0.1:${guarded.port} asks for a user name and password (HTTP 407 Proxy Authentication Required): put them in HTTPS_PROXY as http://user:password@127.0.0.1:${guarded.port}.`,
      );
      const wrong = await failure(
        trusting(guarded.url.replace('://', '://alice:nope@')).fetchFor('AUTH0_DOMAIN')(url),
      );
      expect(wrong.message).toBe(
        `The proxy at 127.0.0.1:${guarded.port} did not accept the user name and password in PROXY (HTTP 407 Proxy Authentication Required).`,
      );
      expect(wrong.message).not.toContain('nope');
      // Plain http forwarding answers 407 as a response: the same error.
      const forwarded = await failure(
        trusting(guarded.url).fetchFor('API_SERVER_URL')(
          `http://api.corp.test:${httpPort}/api/messages/public`,
        ),
      );
      expect(forwarded).toBeInstanceOf(ProxyAuthenticationError);
      expect(arrivals).toEqual([]);

      const withCredentials = guarded.url.replace(
        '://',
        `://${encodeURIComponent('corp\\alice')}:${encodeURIComponent('pa:ss w@rd')}@`,
      );
      const ok = trusting(withCredentials);
      expect((await ok.fetchFor('AUTH0_DOMAIN')(url)).status).toBe(200);
      expect(
        (
          await ok.fetchFor('API_SERVER_URL')(
            `http://api.corp.test:${httpPort}/api/messages/public`,
          )
        ).status,
      ).toBe(200);
      expect(arrivals.map((a) => a.proxyAuthorization)).toEqual([undefined, undefined]);
      expect(guarded.log.map((entry) => entry.status)).toEqual([407, 407, 407, 200, 200]);
    } finally {
      await guarded.close();
    }
  });

  it('names a proxy that cannot be reached, or that will not open the tunnel', async () => {
    const port = await closedPort();
    const unreachable = await failure(
      transport({
        proxy: proxyConfigFrom({ kind: 'system' }, { https_proxy: `http://127.0.0.1:${port}` }),
      }).fetchFor('AUTH0_DOMAIN')('https://idp.corp.test/x'),
    );
    expect(unreachable).toBeInstanceOf(ProxyError);
    expect(unreachable.message).toMatch(
      new RegExp(
        `^The proxy at 127\\.0\\.0\\.1:${port} \\(https_proxy\\) could not be reached: connect ECONNREFUSED`,
      ),
    );
    const refused = await failure(
      trusting(proxy.url).fetchFor('AUTH0_DOMAIN')('https://unknown.corp.test/x'),
    );
    expect(refused).toMatchObject({ code: 'proxy_refused', status: 502 });
    expect(refused.message).toBe(
      `The proxy at 127.0.0.1:${proxy.port} (PROXY) refused to connect to unknown.corp.test:443 (HTTP 502).`,
    );
  });
});

describe('as the core will use it', () => {
  it("is axios's fetch adapter (env.fetch): a protected message through the proxy's tunnel", async () => {
    const http = axios.create({
      baseURL: `https://api.corp.test:${httpsPort}/`,
      adapter: 'fetch',
      env: { fetch: trusting(proxy.url).fetchFor('API_SERVER_URL') },
      maxRedirects: 0,
      validateStatus: () => true,
      headers: { Accept: 'application/json' },
    });
    const answer = await http.get('api/messages/protected', {
      headers: { Authorization: `Bearer ${JWT}` },
    });
    expect(answer.status).toBe(200);
    expect(answer.data).toEqual({ text: 'https GET /api/messages/protected' });
    expect(arrivals[0]?.authorization).toBe(`Bearer ${JWT}`);
    expect(proxy.lines()).toEqual([`CONNECT api.corp.test:${httpsPort}`]);
    // The refusal reaches axios's caller with its message.
    const plain = axios.create({
      adapter: 'fetch',
      env: { fetch: trusting(proxy.url).fetchFor('API_SERVER_URL') },
    });
    const refused = await failure(
      plain.get(`http://api.corp.test:${httpPort}/api/messages/protected`, {
        headers: { Authorization: `Bearer ${JWT}` },
      }),
    );
    expect(refused.message).toBe(
      'The API server URL is http:// and a proxy is in use: use https:// or add its host to NO_PROXY',
    );
  });
});
