/**
 * The company proxy the network tests use (test/support/proxy.ts), checked with plain node:http and
 * node:net so that its own behaviour does not rest on the transport it is used to test.
 */
import { createServer, request, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestProxy, type TestProxy } from '../support/proxy.ts';

let upstream: Server;
let upstreamPort: number;
const arrived: Array<{
  method: string;
  url: string;
  host: string;
  proxyAuthorization: unknown;
  body: string;
}> = [];

beforeAll(async () => {
  upstream = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      arrived.push({
        method: req.method ?? '',
        url: req.url ?? '',
        host: req.headers.host ?? '',
        proxyAuthorization: req.headers['proxy-authorization'],
        body,
      });
      res.setHeader('Content-Type', 'text/plain').end(`upstream saw ${req.method} ${req.url}`);
    });
  });
  await new Promise<void>((done) => upstream.listen(0, '127.0.0.1', () => done()));
  upstreamPort = (upstream.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise((done) => upstream.close(done));
});

beforeEach(() => {
  arrived.length = 0;
});

/** One request sent to the proxy as a client configured with it would: absolute-form. */
function viaProxy(
  proxy: TestProxy,
  target: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: proxy.port,
        method: init.method ?? 'GET',
        path: target,
        headers: init.headers,
      },
      (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
      },
    );
    req.on('error', reject);
    req.end(init.body);
  });
}

/** Opens a CONNECT tunnel by hand and returns the proxy's answer head and the socket. */
function tunnel(proxy: TestProxy, authority: string, headers: string[] = []) {
  return new Promise<{ head: string; socket: Socket }>((resolve, reject) => {
    const socket = connect(proxy.port, '127.0.0.1');
    let received = '';
    socket.on('error', reject);
    socket.on('data', function onData(chunk: Buffer) {
      received += chunk.toString('latin1');
      if (received.includes('\r\n\r\n')) {
        socket.off('data', onData);
        resolve({ head: received, socket });
      }
    });
    socket.write(
      [`CONNECT ${authority} HTTP/1.1`, `Host: ${authority}`, ...headers, '', ''].join('\r\n'),
    );
  });
}

describe('the test proxy', () => {
  it('forwards an absolute-form request to a name from its hosts map, and logs the line and headers', async () => {
    const proxy = await startTestProxy({ hosts: { 'api.corp.test': '127.0.0.1' } });
    try {
      const answer = await viaProxy(
        proxy,
        `http://api.corp.test:${upstreamPort}/api/messages/public?x=1`,
        {
          headers: { Host: `api.corp.test:${upstreamPort}`, 'X-Seen': 'yes' },
        },
      );
      expect(answer).toMatchObject({
        status: 200,
        body: 'upstream saw GET /api/messages/public?x=1',
      });
      expect(arrived).toEqual([
        {
          method: 'GET',
          url: '/api/messages/public?x=1',
          host: `api.corp.test:${upstreamPort}`,
          proxyAuthorization: undefined,
          body: '',
        },
      ]);
      expect(proxy.lines()).toEqual([
        `GET http://api.corp.test:${upstreamPort}/api/messages/public?x=1`,
      ]);
      expect(proxy.log[0]).toMatchObject({ status: 200, headers: { 'x-seen': 'yes' } });
    } finally {
      await proxy.close();
    }
  });

  it('records forwarded bodies, so a test can find a token in what the proxy saw', async () => {
    const proxy = await startTestProxy({ hosts: { 'api.corp.test': '127.0.0.1' } });
    try {
      await viaProxy(proxy, `http://api.corp.test:${upstreamPort}/form`, {
        method: 'POST',
        headers: {
          Host: `api.corp.test:${upstreamPort}`,
          'Content-Type': 'application/x-www-form-urlencoded',
        },
        body: 'refresh_token=visible-to-the-proxy',
      });
      expect(arrived[0]?.body).toBe('refresh_token=visible-to-the-proxy');
      expect(proxy.seen()).toContain('refresh_token=visible-to-the-proxy');
    } finally {
      await proxy.close();
    }
  });

  it('opens CONNECT tunnels, logs "CONNECT host:port" and records the bytes sent into them', async () => {
    const proxy = await startTestProxy({ hosts: { 'idp.corp.test': '127.0.0.1' } });
    try {
      const { head, socket } = await tunnel(proxy, `idp.corp.test:${upstreamPort}`);
      expect(head).toMatch(/^HTTP\/1\.1 200 /);
      const answer = await new Promise<string>((resolve) => {
        let text = '';
        socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
        socket.on('end', () => resolve(text));
        socket.write(
          `GET /inside HTTP/1.1\r\nHost: idp.corp.test\r\nConnection: close\r\nX-Inside: tunnelled-secret\r\n\r\n`,
        );
      });
      expect(answer).toContain('upstream saw GET /inside');
      expect(proxy.lines()).toEqual([`CONNECT idp.corp.test:${upstreamPort}`]);
      expect(proxy.seen()).toContain('X-Inside: tunnelled-secret');
    } finally {
      await proxy.close();
    }
  });

  it('resolves only its own hosts map and IP literals: any other name gets 502 and goes nowhere', async () => {
    const proxy = await startTestProxy({ hosts: { 'idp.corp.test': '127.0.0.1' } });
    try {
      const forwarded = await viaProxy(proxy, `http://elsewhere.example:${upstreamPort}/`);
      expect(forwarded.status).toBe(502);
      const { head, socket } = await tunnel(proxy, `elsewhere.example:${upstreamPort}`);
      socket.destroy();
      expect(head).toMatch(/^HTTP\/1\.1 502 /);
      const literal = await viaProxy(proxy, `http://127.0.0.1:${upstreamPort}/literal`);
      expect(literal.status).toBe(200);
      expect(arrived.map((request) => request.url)).toEqual(['/literal']);
    } finally {
      await proxy.close();
    }
  });

  it('with credentials, answers 407 with a Basic challenge until they are sent, and keeps them from the server', async () => {
    const proxy = await startTestProxy({
      hosts: { 'api.corp.test': '127.0.0.1' },
      credentials: { username: 'proxy-user', password: 'proxy pass' },
    });
    const good = `Basic ${Buffer.from('proxy-user:proxy pass').toString('base64')}`;
    try {
      const target = `http://api.corp.test:${upstreamPort}/x`;
      const none = await viaProxy(proxy, target);
      expect(none.status).toBe(407);
      expect(none.headers['proxy-authenticate']).toBe('Basic realm="test proxy"');
      const wrong = await viaProxy(proxy, target, {
        headers: { 'Proxy-Authorization': 'Basic d3Jvbmc6d3Jvbmc=' },
      });
      expect(wrong.status).toBe(407);
      const right = await viaProxy(proxy, target, { headers: { 'Proxy-Authorization': good } });
      expect(right.status).toBe(200);
      expect(arrived).toHaveLength(1);
      expect(arrived[0]?.proxyAuthorization).toBeUndefined();

      const refused = await tunnel(proxy, `api.corp.test:${upstreamPort}`);
      refused.socket.destroy();
      expect(refused.head).toMatch(
        /^HTTP\/1\.1 407 [^]*Proxy-Authenticate: Basic realm="test proxy"/,
      );
      const opened = await tunnel(proxy, `api.corp.test:${upstreamPort}`, [
        `Proxy-Authorization: ${good}`,
      ]);
      opened.socket.destroy();
      expect(opened.head).toMatch(/^HTTP\/1\.1 200 /);
      expect(proxy.log.map((entry) => entry.status)).toEqual([407, 407, 200, 407, 200]);
    } finally {
      await proxy.close();
    }
  });
});
