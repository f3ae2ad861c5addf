/**
 * Attacks on the preview host (HTTP + SSE bridge to the real core): another program on this machine
 * without the launch's key (every endpoint of the route table, a wrong or an old key), DNS rebinding
 * (a foreign Host), cross-site requests (a foreign Origin, fetch metadata, simple-request CSRF with a
 * non-JSON body), path traversal out of the renderer folder, and oversized bodies. Another page or
 * program on this machine must not be able to sign the user in, read messages, or read files.
 *
 * The browser-borne attacks are sent *with* the key in `X-Preview-Key`, as if a page had it: Host,
 * Origin and fetch metadata must stop them on their own. (A browser attaches no credential for the
 * preview by itself: the page keeps the key in its tab and sends it as a header, and no cookie,
 * which browsers send to every port of 127.0.0.1, carries it; see "no ambient credential".)
 *
 * The core behind it is real: its provider is the test's OpenID Provider (test/support/hostile-provider.ts,
 * which answers discovery so that a sign-in that gets through really starts and is captured), its
 * API a trap that counts every request. The renderer is a tiny page in a temporary folder, so the
 * test does not depend on a build.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHANNELS } from '../../src-main/core/index.ts';
import { PREVIEW_ENDPOINTS, startPreview, type Preview } from '../../src-main/preview/server.ts';
import { startHostileProvider, type HostileProvider } from '../support/hostile-provider.ts';

const SECRET = 'TOP-SECRET-OUTSIDE-THE-RENDERER';
let provider: HostileProvider;
let preview: Preview;
let api: Server;
let apiRequests = 0;
/** The preview's settings, for a second launch. */
let env: NodeJS.ProcessEnv;
let port: number;
let origin: string;
let rendererDir: string;
/** What the app's page sends with every request after opening the printed link. */
let keyHeader: string;
const tally = { run: 0, refused: 0 };

beforeAll(async () => {
  // <tmp>/secret.txt beside <tmp>/renderer/: what a traversal would be after.
  const parent = mkdtempSync(path.join(os.tmpdir(), 'preview-attack-'));
  rendererDir = path.join(parent, 'renderer');
  mkdirSync(path.join(rendererDir, 'assets'), { recursive: true });
  writeFileSync(
    path.join(rendererDir, 'index.html'),
    '<!doctype html><title>app</title><p>renderer</p>',
  );
  writeFileSync(path.join(rendererDir, 'assets', 'app.js'), 'console.log("app");');
  writeFileSync(path.join(parent, 'secret.txt'), SECRET);
  writeFileSync(path.join(parent, 'package.json'), `{"secret":"${SECRET}"}`);

  api = createServer((_req, res) => {
    apiRequests++;
    res.writeHead(500).end();
  });
  await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', () => resolve()));
  provider = await startHostileProvider();
  env = {
    AUTH0_DOMAIN: provider.issuer,
    AUTH0_CLIENT_ID: provider.clientId,
    AUTH0_AUDIENCE: 'https://api.example',
    API_SERVER_URL: `http://127.0.0.1:${(api.address() as AddressInfo).port}`,
  };
  preview = await startPreview({
    env,
    externalBrowser: 'capture',
    rendererDir,
    dataDir: mkdtempSync(path.join(os.tmpdir(), 'preview-attack-data-')),
  });
  origin = new URL(preview.url).origin;
  port = Number(new URL(preview.url).port);
  keyHeader = preview.key;
});

afterAll(async () => {
  await preview?.close();
  await provider?.close();
  await new Promise((resolve) => api?.close(resolve));
  console.info(`preview host: ${tally.run} attack cases run, ${tally.refused} refused`);
});

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** Set when the server cut the connection (e.g. while an oversized body was still being sent). */
  reset?: string;
}

/**
 * One raw HTTP/1.1 exchange: the test writes every byte (request target, Host, Origin) as an
 * attacker's client could, with no normalisation. `body` may be a Buffer; `chunked` sends it without
 * a Content-Length.
 */
function raw(request: {
  method?: string;
  target: string;
  headers?: Record<string, string | undefined>;
  body?: string;
  chunked?: boolean;
  version?: string;
  port?: number;
}): Promise<Answer> {
  return new Promise((resolve) => {
    const to = request.port ?? port;
    const socket = connect(to, '127.0.0.1');
    const headers: Record<string, string | undefined> = {
      Host: `127.0.0.1:${to}`,
      Connection: 'close',
      'X-Preview-Key': keyHeader,
      ...request.headers,
    };
    if (request.body !== undefined && !request.chunked)
      headers['Content-Length'] ??= String(Buffer.byteLength(request.body));
    if (request.chunked) headers['Transfer-Encoding'] = 'chunked';
    const head = [`${request.method ?? 'GET'} ${request.target} ${request.version ?? 'HTTP/1.1'}`];
    for (const [name, value] of Object.entries(headers))
      if (value !== undefined) head.push(`${name}: ${value}`);
    let data = '';
    let reset: string | undefined;
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (data += chunk));
    socket.on('error', (error: NodeJS.ErrnoException) => (reset = error.code ?? error.message));
    socket.setTimeout(5000, () => socket.destroy());
    socket.on('close', () => {
      const [headText = '', ...rest] = data.split('\r\n\r\n');
      const [statusLine = '', ...headerLines] = headText.split('\r\n');
      const parsed: Record<string, string> = {};
      for (const line of headerLines) {
        const i = line.indexOf(':');
        if (i > 0) parsed[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
      }
      let body = rest.join('\r\n\r\n');
      if (parsed['transfer-encoding'] === 'chunked') body = dechunk(body);
      resolve({
        status: Number(statusLine.split(' ')[1] ?? 0),
        headers: parsed,
        body,
        ...(reset ? { reset } : {}),
      });
    });
    socket.write(`${head.join('\r\n')}\r\n\r\n`);
    if (request.body !== undefined) {
      if (request.chunked) {
        for (let i = 0; i < request.body.length; i += 8192) {
          const part = request.body.slice(i, i + 8192);
          socket.write(`${Buffer.byteLength(part).toString(16)}\r\n${part}\r\n`);
        }
        socket.write('0\r\n\r\n');
      } else {
        socket.write(request.body);
      }
    }
  });
}

/** Chunk sizes count bytes, not UTF-16 characters: decode after joining the chunks. */
function dechunk(text: string): string {
  const out: Buffer[] = [];
  let rest = Buffer.from(text, 'utf8');
  for (;;) {
    const end = rest.indexOf('\r\n');
    const size = parseInt(rest.subarray(0, end).toString('latin1'), 16);
    if (end < 0 || !size) return Buffer.concat(out).toString('utf8');
    out.push(rest.subarray(end + 2, end + 2 + size));
    rest = rest.subarray(end + 2 + size + 2);
  }
}

const json = { 'Content-Type': 'application/json' };
const loginBody = JSON.stringify({ args: [] });

/** Runs `attack`, expects `status`, and checks that no sign-in started and no API call was made. */
async function refused(attack: () => Promise<Answer>, status: number | number[]): Promise<Answer> {
  tally.run++;
  const apiBefore = apiRequests;
  const answer = await attack();
  const allowed = Array.isArray(status) ? status : [status];
  // An oversized upload may be cut off before the answer is read: a reset counts as refused too.
  if (!(answer.reset && allowed.includes(413)))
    expect(allowed, `status ${answer.status} ${answer.body}`).toContain(answer.status);
  expect(answer.headers['access-control-allow-origin']).toBeUndefined();
  expect(answer.headers['access-control-allow-credentials']).toBeUndefined();
  expect(preview.externalUrls).toEqual([]);
  expect(preview.core.view().status).not.toBe('signing-in');
  expect(apiRequests).toBe(apiBefore);
  expect(answer.body).not.toContain(SECRET);
  tally.refused++;
  return answer;
}

describe('control: the app itself is served and answered', () => {
  it('serves the page, answers the bridge and streams events to its own origin', async () => {
    expect((await raw({ target: '/' })).status).toBe(200);
    expect((await raw({ target: '/assets/app.js' })).body).toContain('console.log');
    const session = await raw({
      method: 'POST',
      target: '/__bridge/session:get',
      headers: { ...json, Origin: origin, 'Sec-Fetch-Site': 'same-origin' },
      body: loginBody,
    });
    expect(session.status).toBe(200);
    expect(JSON.parse(session.body)).toMatchObject({ status: 'signed-out' });
    const events = await fetch(`${origin}/__bridge/events`, {
      headers: { Origin: origin, 'X-Preview-Key': keyHeader },
    });
    expect(events.headers.get('content-type')).toBe('text/event-stream');
    await events.body?.cancel();
  });

  it('a same-origin login really starts a sign-in (so the refusals below are what stops one)', async () => {
    const login = fetch(`${origin}/__bridge/auth:login`, {
      method: 'POST',
      headers: { ...json, Origin: origin, 'X-Preview-Key': keyHeader },
      body: loginBody,
    });
    await expect.poll(() => preview.externalUrls.length).toBe(1);
    expect(preview.externalUrls[0]).toContain(`${provider.issuer}/authorize?`);
    const cancel = await fetch(`${origin}/__bridge/auth:cancel`, {
      method: 'POST',
      headers: { ...json, 'X-Preview-Key': keyHeader },
      body: loginBody,
    });
    expect(await cancel.json()).toEqual({ ok: true });
    expect(await (await login).json()).toMatchObject({
      ok: false,
      error: { code: 'sign_in_cancelled' },
    });
    preview.externalUrls.length = 0;
  });
});

/** A request to `endpoint` as the app's page would send it, minus whatever `headers` override. */
function requestFor(
  endpoint: { method: string; path: string },
  headers: Record<string, string | undefined>,
  to = port,
) {
  const args = endpoint.path === '/__bridge/messages:get' ? ['protected'] : [];
  return {
    method: endpoint.method,
    target: endpoint.path,
    port: to,
    headers: {
      Origin: `http://127.0.0.1:${to}`,
      'Sec-Fetch-Site': 'same-origin',
      ...(endpoint.method === 'POST' ? json : {}),
      ...headers,
    },
    ...(endpoint.method === 'POST' ? { body: JSON.stringify({ args }) } : {}),
  };
}

function expectLocked(answer: Answer): void {
  expect(JSON.parse(answer.body)).toMatchObject({
    ok: false,
    error: {
      code: 'preview_locked',
      message: expect.stringContaining('the link printed in the terminal'),
    },
  });
  expect(answer.headers['set-cookie']).toBeUndefined();
}

describe("another program on this machine, without this launch's key", () => {
  it('the route table holds every bridge channel of the contract, the event stream and the test endpoints, each behind the key', () => {
    const paths = PREVIEW_ENDPOINTS.map((endpoint) => `${endpoint.method} ${endpoint.path}`);
    for (const channel of CHANNELS) expect(paths).toContain(`POST /__bridge/${channel}`);
    expect(paths).toContain('GET /__bridge/events');
    expect(paths).toContain('GET /__preview/external-urls');
    for (const endpoint of PREVIEW_ENDPOINTS)
      expect(endpoint.access, endpoint.path).not.toBe('anyone');
  });

  // Host, Origin and fetch metadata all say "the app's own page": a program can send any header.
  const carriers: Record<string, () => Record<string, string | undefined>> = {
    'no key': () => ({ 'X-Preview-Key': undefined }),
    'a cookie with a guessed key': () => ({
      'X-Preview-Key': undefined,
      Cookie: `preview-key-${port}=${'A'.repeat(43)}`,
    }),
    'the old cookie name for another port': () => ({
      'X-Preview-Key': undefined,
      Cookie: `preview-key-${port + 1}=${'B'.repeat(43)}`,
    }),
    'an empty X-Preview-Key': () => ({ 'X-Preview-Key': '' }),
    'a guessed X-Preview-Key': () => ({ 'X-Preview-Key': 'C'.repeat(43) }),
    'the key with one character changed': () => ({
      'X-Preview-Key': preview.key.slice(0, -1) + (preview.key.endsWith('A') ? 'B' : 'A'),
    }),
    'the key as a prefix of a longer value': () => ({
      'X-Preview-Key': `${preview.key}x`,
    }),
  };
  for (const [name, headers] of Object.entries(carriers)) {
    it(`refuses every endpoint of the route table with ${name}`, async () => {
      for (const endpoint of PREVIEW_ENDPOINTS) {
        const extra = headers();
        expectLocked(await refused(() => raw(requestFor(endpoint, extra)), 401));
      }
    });
  }

  it('no ambient credential: the right key in a cookie (what a browser sends to every port of 127.0.0.1) or as Basic or Bearer credentials opens nothing', async () => {
    const ambient: Array<Record<string, string | undefined>> = [
      { Cookie: `preview-key-${port}=${preview.key}` },
      { Cookie: `preview-key=${preview.key}; X-Preview-Key=${preview.key}` },
      { Authorization: `Bearer ${preview.key}` },
      { Authorization: `Basic ${Buffer.from(`preview:${preview.key}`).toString('base64')}` },
    ];
    for (const headers of ambient)
      for (const endpoint of PREVIEW_ENDPOINTS)
        expectLocked(
          await refused(
            () => raw(requestFor(endpoint, { 'X-Preview-Key': undefined, ...headers })),
            401,
          ),
        );
  });

  it.each([
    '/__bridge/no-such-channel',
    '/__bridge/',
    '/__preview/no-such-endpoint',
    '/__preview/',
    '/__bridge%2Fauth:login',
    '/__preview%2fexternal-urls',
  ])('refuses %s without the key before saying whether it exists', async (target) => {
    expectLocked(
      await refused(
        () =>
          raw({
            method: 'POST',
            target,
            headers: { ...json, 'X-Preview-Key': undefined, Origin: origin },
            body: loginBody,
          }),
        401,
      ),
    );
    expectLocked(
      await refused(() => raw({ target, headers: { 'X-Preview-Key': undefined } }), 401),
    );
  });

  it('refuses the key in the query string (it would end up in logs and history)', async () => {
    expectLocked(
      await refused(
        () =>
          raw({
            target: `/__preview/external-urls?key=${preview.key}`,
            headers: { 'X-Preview-Key': undefined },
          }),
        401,
      ),
    );
    expectLocked(
      await refused(
        () =>
          raw({
            method: 'POST',
            target: `/__bridge/auth:login?key=${preview.key}`,
            headers: { ...json, 'X-Preview-Key': undefined },
            body: loginBody,
          }),
        401,
      ),
    );
  });

  it('serves the page itself to anyone (it only says to open the printed link), but nothing behind it', async () => {
    expect((await raw({ target: '/', headers: { 'X-Preview-Key': undefined } })).status).toBe(200);
  });

  it('with the key, a test reads the captured URLs; no answer ever sets a cookie', async () => {
    const urls = await raw({
      target: '/__preview/external-urls',
      headers: { 'X-Preview-Key': preview.key },
    });
    expect(urls.status).toBe(200);
    expect(JSON.parse(urls.body)).toEqual([]);
    expect(urls.headers['set-cookie']).toBeUndefined();
    // The old exchange for a cookie is gone: unknown, behind the key like every /__preview/ path.
    const exchange = await raw({
      method: 'POST',
      target: '/__preview/session',
      headers: { 'X-Preview-Key': preview.key },
    });
    expect(exchange.status).toBe(404);
    expect(exchange.headers['set-cookie']).toBeUndefined();
  });

  it('a restart makes a new key: the old key is refused on every endpoint, the new one works', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'preview-restart-'));
    const first = await startPreview({ env, externalBrowser: 'capture', rendererDir, dataDir });
    const firstPort = Number(new URL(first.url).port);
    const oldKey = first.key;
    expect(first.link).toBe(`http://127.0.0.1:${firstPort}/#key=${oldKey}`);
    expect(oldKey).toMatch(/^[\w-]{43}$/);
    await first.close();
    const second = await startPreview({
      env,
      externalBrowser: 'capture',
      rendererDir,
      dataDir,
      port: firstPort,
    });
    try {
      expect(second.key).not.toBe(oldKey);
      for (const endpoint of PREVIEW_ENDPOINTS) {
        tally.run++;
        const answer = await raw(requestFor(endpoint, { 'X-Preview-Key': oldKey }, firstPort));
        expect(answer.status, endpoint.path).toBe(401);
        expectLocked(answer);
        tally.refused++;
      }
      expect(second.externalUrls).toEqual([]);
      const session = await raw(
        requestFor(
          { method: 'POST', path: '/__bridge/session:get' },
          { 'X-Preview-Key': second.key },
          firstPort,
        ),
      );
      expect(session.status).toBe(200);
      expect(JSON.parse(session.body)).toMatchObject({ status: 'signed-out' });
    } finally {
      await second.close();
    }
  });
});

describe("DNS rebinding: a Host that is not the preview's own", () => {
  const hosts = {
    'evil.example:<port>': () => `evil.example:${port}`,
    'localhost:<port>': () => `localhost:${port}`,
    '127.0.0.1 without the port': () => '127.0.0.1',
    '127.0.0.1:<another port>': () => `127.0.0.1:${port + 1}`,
    '[::1]:<port>': () => `[::1]:${port}`,
  };
  for (const [name, value] of Object.entries(hosts)) {
    it(`refuses ${name}: the page, a login, a message read and the event stream`, async () => {
      const h = value();
      // The rebinding page is same-origin with itself: it sends its own name as Origin, or none.
      await refused(() => raw({ target: '/', headers: { Host: h } }), 421);
      await refused(
        () =>
          raw({
            method: 'POST',
            target: '/__bridge/auth:login',
            headers: { Host: h, ...json, Origin: `http://${h}` },
            body: loginBody,
          }),
        421,
      );
      await refused(
        () =>
          raw({
            method: 'POST',
            target: '/__bridge/messages:get',
            headers: { Host: h, ...json },
            body: JSON.stringify({ args: ['protected'] }),
          }),
        421,
      );
      await refused(() => raw({ target: '/__bridge/events', headers: { Host: h } }), 421);
      await refused(() => raw({ target: '/__preview/external-urls', headers: { Host: h } }), 421);
    });
  }

  it('refuses a request without a Host header (HTTP/1.0)', async () => {
    await refused(
      () =>
        raw({
          method: 'POST',
          target: '/__bridge/auth:login',
          version: 'HTTP/1.0',
          headers: { Host: undefined, ...json },
          body: loginBody,
        }),
      421,
    );
  });
});

describe("cross-site requests: another page in the user's browser", () => {
  const foreignOrigins = [
    'http://evil.example',
    'null',
    'http://localhost:<port>',
    'http://127.0.0.1:<another port>',
    'https://127.0.0.1:<port>',
  ];
  for (const template of foreignOrigins) {
    it(`refuses Origin ${template}: no login, no message, no event stream`, async () => {
      const foreign = template
        .replace('<port>', String(port))
        .replace('<another port>', String(port + 1));
      await refused(
        () =>
          raw({
            method: 'POST',
            target: '/__bridge/auth:login',
            headers: { ...json, Origin: foreign },
            body: loginBody,
          }),
        403,
      );
      await refused(
        () =>
          raw({
            method: 'POST',
            target: '/__bridge/auth:signup',
            headers: { ...json, Origin: foreign },
            body: loginBody,
          }),
        403,
      );
      await refused(
        () =>
          raw({
            method: 'POST',
            target: '/__bridge/messages:get',
            headers: { ...json, Origin: foreign },
            body: JSON.stringify({ args: ['protected'] }),
          }),
        403,
      );
      await refused(
        () =>
          raw({
            target: '/__bridge/events',
            headers: { Origin: foreign, Accept: 'text/event-stream' },
          }),
        403,
      );
      // A CORS preflight is never granted.
      await refused(
        () =>
          raw({
            method: 'OPTIONS',
            target: '/__bridge/auth:login',
            headers: {
              Origin: foreign,
              'Access-Control-Request-Method': 'POST',
              'Access-Control-Request-Headers': 'content-type',
            },
          }),
        403,
      );
    });
  }

  it.each([
    ['text/plain (a simple-request CSRF form)', 'text/plain'],
    ['application/x-www-form-urlencoded', 'application/x-www-form-urlencoded'],
    ['multipart/form-data', 'multipart/form-data; boundary=x'],
    [
      'text/plain smuggling "application/json" in a parameter',
      'text/plain; charset=application/json',
    ],
    ['application/jsonp', 'application/jsonp'],
  ])('refuses a body sent as %s, even without an Origin header', async (_name, type) => {
    await refused(
      () =>
        raw({
          method: 'POST',
          target: '/__bridge/auth:login',
          headers: { 'Content-Type': type },
          body: loginBody,
        }),
      415,
    );
  });

  it('refuses a POST with no content type at all', async () => {
    await refused(
      () => raw({ method: 'POST', target: '/__bridge/auth:login', body: loginBody }),
      415,
    );
  });

  it.each([
    [
      'cross-site',
      { 'Sec-Fetch-Site': 'cross-site', 'Sec-Fetch-Mode': 'no-cors', 'Sec-Fetch-Dest': 'image' },
    ],
    [
      'same-site (another port on 127.0.0.1)',
      { 'Sec-Fetch-Site': 'same-site', 'Sec-Fetch-Mode': 'no-cors', 'Sec-Fetch-Dest': 'script' },
    ],
  ])(
    'refuses a no-cors request without Origin that fetch metadata marks %s',
    async (_name, headers) => {
      await refused(() => raw({ target: '/__bridge/events', headers }), 403);
      await refused(() => raw({ target: '/__preview/external-urls', headers }), 403);
      await refused(
        () =>
          raw({
            method: 'POST',
            target: '/__bridge/auth:login',
            headers: { ...headers, ...json },
            body: loginBody,
          }),
        403,
      );
    },
  );

  it('refuses other methods on the bridge', async () => {
    for (const method of ['GET', 'PUT', 'DELETE', 'PATCH']) {
      await refused(
        () =>
          raw({
            method,
            target: '/__bridge/auth:login',
            headers: json,
            body: method === 'GET' ? undefined : loginBody,
          }),
        405,
      );
    }
  });
});

describe('files outside the renderer folder', () => {
  it.each([
    '/../secret.txt',
    '/../package.json',
    '/%2e%2e/secret.txt',
    '/%2e%2e%2fsecret.txt',
    '/..%2fsecret.txt',
    '/assets/..%2f..%2fsecret.txt',
    '/assets/%2e%2e/%2e%2e/secret.txt',
    '/%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd',
    '/..%5csecret.txt',
    '/%252e%252e%252fsecret.txt',
    '/secret.txt%00.html',
    '/%E0%A4%A',
  ])('does not serve %s', async (target) => {
    const answer = await refused(() => raw({ target }), [400, 404]);
    expect(answer.body).not.toContain('root:');
  });

  it.each(['//etc/passwd', `http://127.0.0.1:1/../secret.txt`, '*'])(
    'refuses the non-origin-form target %s',
    async (target) => {
      await refused(() => raw({ target }), 400);
    },
  );
});

describe('the menu’s Settings… stand-in (test-only, capture mode)', () => {
  const target = '/__preview/menu/open-settings';

  /** The app's own event stream, recording every app:open-settings frame it receives. */
  async function listen(): Promise<{ count(): number; close(): Promise<void> }> {
    const response = await fetch(`${origin}/__bridge/events`, {
      headers: { 'X-Preview-Key': keyHeader },
    });
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    void (async () => {
      for (;;) {
        const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
        if (done) return;
        text += value;
      }
    })();
    return {
      count: () => text.split('event: app:open-settings\n').length - 1,
      close: () => reader.cancel(),
    };
  }

  it('tells the app’s open windows, and no foreign page or Host can make it do so', async () => {
    const stream = await listen();
    const foreign = `http://127.0.0.1:${port + 1}`;
    await refused(
      () => raw({ method: 'POST', target, headers: { ...json, Origin: foreign }, body: '{}' }),
      403,
    );
    await refused(
      () =>
        raw({
          method: 'POST',
          target,
          headers: { ...json, Host: `evil.example:${port}` },
          body: '{}',
        }),
      421,
    );
    await refused(
      () =>
        raw({
          method: 'POST',
          target,
          headers: { ...json, 'Sec-Fetch-Site': 'cross-site' },
          body: '{}',
        }),
      403,
    );
    await refused(
      () =>
        raw({
          method: 'POST',
          target,
          headers: { 'Content-Type': 'text/plain', 'X-Preview-Key': preview.key },
          body: '{}',
        }),
      415,
    );
    await refused(() => raw({ target, headers: { 'X-Preview-Key': preview.key } }), 405);
    const answer = await fetch(`${origin}${target}`, {
      method: 'POST',
      headers: { ...json, 'X-Preview-Key': preview.key },
      body: '{}',
    });
    expect(await answer.json()).toEqual({ delivered: 1 });
    await expect.poll(() => stream.count()).toBe(1);
    await stream.close();
  });

  it('does not exist outside capture mode (a preview a person uses)', async () => {
    const plain = await startPreview({
      env: {
        AUTH0_DOMAIN: provider.issuer,
        AUTH0_CLIENT_ID: provider.clientId,
        AUTH0_AUDIENCE: 'https://api.example',
        API_SERVER_URL: 'http://127.0.0.1:9',
      },
      externalBrowser: 'system',
      rendererDir,
      dataDir: mkdtempSync(path.join(os.tmpdir(), 'preview-plain-')),
    });
    try {
      const events = await fetch(`${plain.url}__bridge/events`, {
        headers: { 'X-Preview-Key': plain.key },
      });
      // Even with the key it is not there.
      const answer = await fetch(`${plain.url}${target.slice(1)}`, {
        method: 'POST',
        headers: { ...json, 'X-Preview-Key': plain.key },
        body: '{}',
      });
      expect(answer.status).toBe(404);
      expect(await answer.text()).not.toContain('delivered');
      await events.body?.cancel();
    } finally {
      await plain.close();
    }
  });
});

describe('oversized bodies', () => {
  it('refuses a 1 MB body with a declared length before reading it', async () => {
    await refused(
      () =>
        raw({
          method: 'POST',
          target: '/__bridge/auth:login',
          headers: json,
          body: JSON.stringify({ args: [], pad: 'x'.repeat(1_000_000) }),
        }),
      413,
    );
  });

  it('refuses a 1 MB chunked body (no declared length) once it passes the limit', async () => {
    await refused(
      () =>
        raw({
          method: 'POST',
          target: '/__bridge/auth:login',
          headers: json,
          body: JSON.stringify({ args: [], pad: 'x'.repeat(1_000_000) }),
          chunked: true,
        }),
      413,
    );
  });

  it('still answers the app afterwards', async () => {
    const session = await raw({
      method: 'POST',
      target: '/__bridge/session:get',
      headers: { ...json, Origin: origin },
      body: loginBody,
    });
    expect(JSON.parse(session.body)).toMatchObject({ status: 'signed-out' });
  });

  it('refused every case', () => {
    expect(tally.refused).toBe(tally.run);
    expect(tally.run).toBeGreaterThanOrEqual(70);
  });
});

describe('started without a build', () => {
  it('names the command that builds the renderer, and that command exists', async () => {
    const empty = mkdtempSync(path.join(os.tmpdir(), 'preview-unbuilt-'));
    const failure = await startPreview({ rendererDir: empty, env: {} }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(Error);
    const command = /run "npm run ([\w:-]+)"/.exec((failure as Error).message)?.[1];
    expect(command).toBe('build');
    const { scripts } = JSON.parse(readFileSync('package.json', 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(scripts[command!]).toContain('vite build');
  });
});
