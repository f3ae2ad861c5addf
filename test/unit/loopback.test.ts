import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  describeDuration,
  isLoopbackHostHeader,
  isLoopbackOrigin,
  LoopbackReceiver,
  SWITCHED_WAY,
} from '../../src-main/core/loopback.ts';
import { send, type RawResponse } from '../support/http.ts';
import { occupiedPort } from '../support/ports.ts';

const open: LoopbackReceiver[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((r) => r.close()));
});

async function start(options: Partial<Parameters<typeof LoopbackReceiver.start>[0]> = {}) {
  const receiver = await LoopbackReceiver.start({ ports: [], path: '/callback', ...options });
  open.push(receiver);
  return receiver;
}

describe('loopback receiver', () => {
  it('announces a 127.0.0.1 redirect URI with its real port and listens on loopback only', async () => {
    const receiver = await start();
    expect(receiver.redirectUri).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    const port = new URL(receiver.redirectUri).port;
    // Not reachable through another local address (the server is bound to 127.0.0.1 only).
    await expect(send(`http://127.0.0.2:${port}/callback`)).rejects.toThrow(/ECONNREFUSED/);
  });

  it('hands over the callback, sends the browser to a code-free page, and shows the outcome there', async () => {
    const receiver = await start();
    const answer = await send(`${receiver.redirectUri}?code=SECRET-CODE&state=s1`);
    expect(answer.status).toBe(303);
    expect(answer.headers.location).toBe('/done');
    expect(answer.headers['cache-control']).toBe('no-store');
    expect(answer.headers['referrer-policy']).toBe('no-referrer');
    const arrived = await receiver.arrival;
    expect(arrived.href).toBe(`${receiver.redirectUri}?code=SECRET-CODE&state=s1`);

    const page = send(new URL('/done', receiver.redirectUri).href);
    receiver.finish({ ok: true, message: 'You can close this tab and return to the app.' });
    const done = await page;
    expect(done.status).toBe(200);
    expect(done.body).toContain('You can close this tab and return to the app.');
    expect(done.body).not.toContain('SECRET-CODE');
    expect(done.headers['cache-control']).toBe('no-store');
  });

  it('accepts exactly one callback: a second one (replay) is not handed over', async () => {
    const receiver = await start();
    await send(`${receiver.redirectUri}?code=first&state=s`);
    const second = await send(`${receiver.redirectUri}?code=second&state=s`);
    expect(second.status).toBe(404);
    expect((await receiver.arrival).searchParams.get('code')).toBe('first');
  });

  it('answers 404 to any other path and keeps waiting for the real callback', async () => {
    const receiver = await start();
    const other = await send(new URL('/favicon.ico?code=x', receiver.redirectUri).href);
    expect(other.status).toBe(404);
    await send(`${receiver.redirectUri}?code=real`);
    expect((await receiver.arrival).searchParams.get('code')).toBe('real');
  });

  it('refuses methods other than GET, a foreign Host (DNS rebinding) and a cross-origin request', async () => {
    const receiver = await start();
    const port = new URL(receiver.redirectUri).port;
    expect((await send(`${receiver.redirectUri}?code=x`, { method: 'POST' })).status).toBe(405);
    expect(
      (await send(`${receiver.redirectUri}?code=x`, { headers: { Host: `evil.example:${port}` } }))
        .status,
    ).toBe(421);
    expect(
      (await send(`${receiver.redirectUri}?code=x`, { headers: { Origin: 'http://evil.example' } }))
        .status,
    ).toBe(403);
    await send(`${receiver.redirectUri}?code=real`);
    expect((await receiver.arrival).searchParams.get('code')).toBe('real');
  });

  it('times out with a clear error in minutes, then tells a late tab what happened instead of vanishing', async () => {
    const receiver = await start({ timeoutMs: 100 });
    await expect(receiver.arrival).rejects.toMatchObject({
      code: 'sign_in_timeout',
      message: 'No answer from the browser within 1 second. Please try again.',
    });
    // The person finished in the browser after the app stopped waiting: a page, not "site can't be reached".
    const late = await send(`${receiver.redirectUri}?code=late&state=s`);
    expect(late.status).toBe(410);
    expect(late.body).toContain('Sign-in timed out');
    expect(late.body).toContain('stopped waiting for this sign-in after 1 second');
    expect(late.body).toContain('Go back to the app');
    expect(late.body).not.toContain('code=late');
    expect(late.headers['cache-control']).toBe('no-store');
    expect(receiver.listening).toBe(true);
  });

  it('is cancelled through its abort signal; a tab that comes back later is told the sign-in was cancelled', async () => {
    const abort = new AbortController();
    const receiver = await start({ signal: abort.signal });
    abort.abort();
    await expect(receiver.arrival).rejects.toMatchObject({ code: 'sign_in_cancelled' });
    const late = await send(`${receiver.redirectUri}?code=late&state=s`);
    expect(late.status).toBe(410);
    expect(late.body).toContain('Sign-in cancelled');
    expect(late.body).toContain('cancelled in Electron Auth0 Hello World');
    // The outcome page a late tab may land on says the same.
    expect((await send(new URL('/done', receiver.redirectUri).href)).body).toContain(
      'Sign-in cancelled',
    );
  });

  it('after "Try another way", a tab that comes back hears another way was chosen, not that the sign-in was cancelled', async () => {
    const abort = new AbortController();
    const receiver = await start({ signal: abort.signal });
    abort.abort(SWITCHED_WAY);
    await expect(receiver.arrival).rejects.toMatchObject({ code: 'sign_in_cancelled' });
    const late = await send(`${receiver.redirectUri}?code=late&state=s`);
    expect(late.status).toBe(410);
    expect(late.body).toContain('Signing in another way');
    expect(late.body).toContain('You chose another way to sign in');
    expect(late.body).not.toContain('cancelled');
  });

  it('answers a reload of the "All done" page with the outcome again, and a second callback with "already finished"', async () => {
    const receiver = await start();
    await send(`${receiver.redirectUri}?code=first&state=s`);
    await receiver.arrival;
    receiver.finish({
      ok: true,
      message: 'You are signed in. You can close this tab and return to the app.',
    });
    const reload = await send(new URL('/done', receiver.redirectUri).href);
    expect(reload.status).toBe(200);
    expect(reload.body).toContain('All done');
    expect(reload.body).toContain('You are signed in.');
    // Names the app, and is light like the provider's pages the person came from.
    expect(reload.body).toContain('<p class="app">Electron Auth0 Hello World</p>');
    expect(reload.body).toContain('background:#f3f4f8');
    const again = await send(`${receiver.redirectUri}?code=second&state=s`);
    expect(again.status).toBe(410);
    expect(again.body).toContain('already used');
  });

  it('never keeps a port a new sign-in needs: a new receiver takes over a lingering one at once', async () => {
    const first = await start({ timeoutMs: 50 });
    await expect(first.arrival).rejects.toMatchObject({ code: 'sign_in_timeout' });
    const port = Number(new URL(first.redirectUri).port);
    expect(first.listening).toBe(true);
    const second = await start({ ports: [port] });
    expect(second.redirectUri).toBe(first.redirectUri);
    expect(first.listening).toBe(false);
    await send(`${second.redirectUri}?code=fresh&state=s`);
    expect((await second.arrival).searchParams.get('code')).toBe('fresh');
  });

  it('says how long in the unit a person thinks in', () => {
    expect(describeDuration(5 * 60_000)).toBe('5 minutes');
    expect(describeDuration(60_000)).toBe('1 minute');
    expect(describeDuration(90_000)).toBe('2 minutes');
    expect(describeDuration(30_000)).toBe('30 seconds');
    expect(describeDuration(300)).toBe('1 second');
  });

  it('tries the configured ports in order and fails clearly when all are busy', async () => {
    const busy1 = await occupiedPort();
    const busy2 = await occupiedPort();
    const free = await occupiedPort();
    const ports = [busy1, busy2, free].map((s) => (s.address() as { port: number }).port);
    await new Promise((r) => free.close(r));
    try {
      const receiver = await start({ ports });
      expect(new URL(receiver.redirectUri).port).toBe(String(ports[2]));
      await expect(
        LoopbackReceiver.start({ ports: ports.slice(0, 2), path: '/callback' }),
      ).rejects.toMatchObject({
        code: 'ports_busy',
        message: expect.stringContaining(`${ports[0]}, ${ports[1]}`),
      });
    } finally {
      busy1.close();
      busy2.close();
    }
  });
});

describe('the Host and Origin of 127.0.0.1:<port>, as browsers write them', () => {
  it('on port 80 accepts both forms: the one browsers send (no ":80") and the explicit one', () => {
    expect(isLoopbackHostHeader('127.0.0.1', 80)).toBe(true);
    expect(isLoopbackHostHeader('127.0.0.1:80', 80)).toBe(true);
    expect(isLoopbackOrigin('http://127.0.0.1', 80)).toBe(true);
    expect(isLoopbackOrigin('http://127.0.0.1:80', 80)).toBe(true);
    // What a browser really writes for http://127.0.0.1:80/: the URL standard drops the default port.
    const url = new URL('http://127.0.0.1:80/callback');
    expect(isLoopbackHostHeader(url.host, 80)).toBe(true);
    expect(isLoopbackOrigin(url.origin, 80)).toBe(true);
  });

  it('on any other port accepts only 127.0.0.1:<port>', () => {
    for (const port of [1024, 4000, 53682, 65535]) {
      expect(isLoopbackHostHeader(`127.0.0.1:${port}`, port)).toBe(true);
      expect(isLoopbackOrigin(`http://127.0.0.1:${port}`, port)).toBe(true);
      expect(isLoopbackOrigin(new URL(`http://127.0.0.1:${port}/x`).origin, port)).toBe(true);
      // The port left out means 80, not this port.
      expect(isLoopbackHostHeader('127.0.0.1', port)).toBe(false);
      expect(isLoopbackOrigin('http://127.0.0.1', port)).toBe(false);
    }
  });

  it.each([
    undefined,
    '',
    'localhost',
    'localhost:80',
    'evil.example',
    'evil.example:80',
    '127.0.0.1:8080',
    '127.0.0.1:080',
    '127.0.0.1:',
    '[::1]:80',
    '127.0.0.1.evil.example',
    'evil@127.0.0.1',
    '127.0.0.1:80@evil.example',
    '127.1',
    '127.0.0.1 ',
    'LOCALHOST',
  ])('refuses the Host %j on port 80', (host) => {
    expect(isLoopbackHostHeader(host, 80)).toBe(false);
  });

  it.each([
    undefined,
    'null',
    '',
    'https://127.0.0.1',
    'https://127.0.0.1:80',
    'http://localhost',
    'http://127.0.0.1:8080',
    'http://127.0.0.1/',
    'http://evil.example',
    'http://127.0.0.1.evil.example',
    'http://evil@127.0.0.1',
  ])('refuses the Origin %j on port 80', (origin) => {
    expect(isLoopbackOrigin(origin, 80)).toBe(false);
  });
});

/** Whether `arrival` has settled yet (without waiting for it). */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  promise.then(
    () => (done = true),
    () => (done = true),
  );
  await new Promise((r) => setImmediate(r));
  return done;
}

/**
 * Writes raw bytes the way an attacker's client would (no client-side normalisation of the target or
 * headers) and reads whatever comes back until the server closes or `ms` passes.
 */
function raw(port: number, data: string, ms = 2000): Promise<{ text: string; error?: string }> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    let error: string | undefined;
    const timer = setTimeout(() => socket.destroy(), ms);
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('error', (e: NodeJS.ErrnoException) => (error = e.code ?? e.message));
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(error === undefined ? { text } : { text, error });
    });
    socket.write(data);
  });
}

function statusOf(answer: { text: string }): number {
  return Number(/^HTTP\/1\.1 (\d{3})/.exec(answer.text)?.[1] ?? 0);
}

/** Local listening TCP sockets on `port` from /proc/net/tcp{,6}: hex local address of each. */
function listenersOn(port: number): string[] | undefined {
  const found: string[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      if (file === '/proc/net/tcp') return undefined; // not Linux
      continue;
    }
    for (const line of text.trim().split('\n').slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      const [address, hexPort] = (local ?? '').split(':');
      if (state === '0A' && parseInt(hexPort ?? '', 16) === port) found.push(address ?? '');
    }
  }
  return found;
}

const XSS = `"><script>alert(document.domain)</script><img src=x onerror=alert(1)>`;
let attacks = 0;
let refused = 0;
/** Counts `n` attack cases; call the returned function once all of them were seen refused. */
function attack(n = 1): () => void {
  attacks += n;
  return () => void (refused += n);
}

describe('loopback receiver under attack', () => {
  it('listens on 127.0.0.1 and nothing else (no wildcard, no IPv6, no other interface)', async () => {
    const receiver = await start();
    const port = Number(new URL(receiver.redirectUri).port);
    const refusedAll = attack();
    const listeners = listenersOn(port);
    // Linux: the kernel's own table of listening sockets. 0100007F is 127.0.0.1 in /proc's byte order.
    if (listeners) expect(listeners).toEqual(['0100007F']);
    // The IPv6 loopback and the rest of 127/8 are other addresses: nothing answers there.
    await expect(send(`http://[::1]:${port}/callback?code=x`)).rejects.toThrow(
      /ECONNREFUSED|EADDRNOTAVAIL|EAFNOSUPPORT/,
    );
    await expect(send(`http://127.0.0.3:${port}/callback?code=x`)).rejects.toThrow(/ECONNREFUSED/);
    // Connecting to this machine's non-loopback interface addresses is deliberately not attempted
    // (this workplace sends test traffic to loopback only); the kernel table above already proves
    // that no socket listens on them.
    expect(await settled(receiver.arrival)).toBe(false);
    refusedAll();
  });

  it.each([
    ['localhost:<port>', (port: number) => `localhost:${port}`],
    ['evil.example:<port> (DNS rebinding)', (port: number) => `evil.example:${port}`],
    ['127.0.0.1 without the port', () => '127.0.0.1'],
    ['127.0.0.1:<other port>', (port: number) => `127.0.0.1:${port + 1}`],
    ['[::1]:<port>', (port: number) => `[::1]:${port}`],
    ['127.0.0.1:<port>.evil.example', (port: number) => `127.0.0.1:${port}.evil.example`],
    ['an upper-case variant', (port: number) => `LOCALHOST:${port}`],
  ])('refuses a foreign Host header: %s', async (_name, host) => {
    const receiver = await start();
    const port = Number(new URL(receiver.redirectUri).port);
    const refusedAll = attack();
    const answer = await raw(
      port,
      `GET /callback?code=evil&state=s HTTP/1.1\r\nHost: ${host(port)}\r\nConnection: close\r\n\r\n`,
    );
    expect(statusOf(answer)).toBe(421);
    expect(answer.text).not.toContain('code=evil');
    expect(await settled(receiver.arrival)).toBe(false);
    refusedAll();
  });

  it('refuses a request without any Host header (HTTP/1.0)', async () => {
    const receiver = await start();
    const port = Number(new URL(receiver.redirectUri).port);
    const refusedAll = attack();
    const answer = await raw(port, 'GET /callback?code=evil HTTP/1.0\r\n\r\n');
    expect(statusOf(answer)).toBe(421);
    expect(await settled(receiver.arrival)).toBe(false);
    refusedAll();
  });

  it.each(['http://evil.example', 'null', 'http://127.0.0.1', 'http://localhost:1234'])(
    'refuses any Origin header, even %s and its own',
    async (origin) => {
      const receiver = await start();
      const refusedAll = attack(2);
      expect(
        (await send(`${receiver.redirectUri}?code=x`, { headers: { Origin: origin } })).status,
      ).toBe(403);
      // Even the receiver's own origin: a page's script never belongs in this flow.
      expect(
        (
          await send(`${receiver.redirectUri}?code=x`, {
            headers: { Origin: new URL(receiver.redirectUri).origin },
          })
        ).status,
      ).toBe(403);
      expect(await settled(receiver.arrival)).toBe(false);
      refusedAll();
    },
  );

  it.each(['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'TRACE'])(
    'accepts GET only: %s is refused and the callback still waits',
    async (method) => {
      const receiver = await start();
      const refusedAll = attack();
      const answer = await send(`${receiver.redirectUri}?code=evil&state=s`, { method });
      expect(answer.status).toBe(405);
      expect(await settled(receiver.arrival)).toBe(false);
      await send(`${receiver.redirectUri}?code=real`);
      expect((await receiver.arrival).searchParams.get('code')).toBe('real');
      refusedAll();
    },
  );

  it('gives a CONNECT (proxy tunnel) request nothing', async () => {
    const receiver = await start();
    const port = Number(new URL(receiver.redirectUri).port);
    const refusedAll = attack();
    const answer = await raw(
      port,
      `CONNECT 127.0.0.1:${port} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`,
    );
    expect(answer.text.startsWith('HTTP/1.1 2')).toBe(false);
    expect(await settled(receiver.arrival)).toBe(false);
    refusedAll();
  });

  it.each([
    ['an absolute-form target', (port: number) => `http://evil.example:${port}/callback?code=evil`],
    ['a "//host" target', () => '//evil.example/callback?code=evil'],
    ['an asterisk target', () => '*'],
  ])('refuses %s', async (_name, target) => {
    const receiver = await start();
    const port = Number(new URL(receiver.redirectUri).port);
    const refusedAll = attack();
    const answer = await raw(
      port,
      `GET ${target(port)} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`,
    );
    expect(statusOf(answer)).toBe(400);
    expect(await settled(receiver.arrival)).toBe(false);
    refusedAll();
  });

  it.each([
    [
      'an <img> (no-cors, image)',
      { 'Sec-Fetch-Mode': 'no-cors', 'Sec-Fetch-Dest': 'image', 'Sec-Fetch-Site': 'cross-site' },
    ],
    [
      'a <script>',
      { 'Sec-Fetch-Mode': 'no-cors', 'Sec-Fetch-Dest': 'script', 'Sec-Fetch-Site': 'cross-site' },
    ],
    [
      'an <iframe>',
      { 'Sec-Fetch-Mode': 'navigate', 'Sec-Fetch-Dest': 'iframe', 'Sec-Fetch-Site': 'cross-site' },
    ],
  ])('refuses a sub-resource request another page aims at it: %s', async (_name, headers) => {
    const receiver = await start();
    const refusedAll = attack();
    expect((await send(`${receiver.redirectUri}?code=evil&state=s`, { headers })).status).toBe(403);
    expect(await settled(receiver.arrival)).toBe(false);
    // A top-level navigation (what the provider's redirect is) still gets through.
    const real = await send(`${receiver.redirectUri}?code=real`, {
      headers: {
        'Sec-Fetch-Mode': 'navigate',
        'Sec-Fetch-Dest': 'document',
        'Sec-Fetch-Site': 'cross-site',
      },
    });
    expect(real.status).toBe(303);
    expect((await receiver.arrival).searchParams.get('code')).toBe('real');
    refusedAll();
  });

  it('refuses an over-long query (> 8 KB) without handing it over; the real callback still works', async () => {
    const receiver = await start();
    const refusedAll = attack();
    const answer = await send(`${receiver.redirectUri}?code=evil&pad=${'a'.repeat(10_000)}`);
    expect(answer.status).toBe(414);
    expect(await settled(receiver.arrival)).toBe(false);
    await send(`${receiver.redirectUri}?code=real`);
    expect((await receiver.arrival).searchParams.get('code')).toBe('real');
    refusedAll();
  });

  it('cuts a 1 MB request line off at the parser (431 + close) before it is buffered, then still works', async () => {
    const receiver = await start();
    const port = Number(new URL(receiver.redirectUri).port);
    const refusedAll = attack();
    const before = process.memoryUsage().arrayBuffers;
    const answer = await raw(
      port,
      `GET /callback?code=evil&pad=${'a'.repeat(1_000_000)} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`,
    );
    // Either the 431 arrives or the socket is reset while we are still writing: never a 303.
    if (answer.error === undefined || answer.text) expect(statusOf(answer)).toBe(431);
    expect(answer.text).not.toContain('303');
    expect(await settled(receiver.arrival)).toBe(false);
    // Nothing close to the megabyte was retained by the server.
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(4 * 1024 * 1024);
    await send(`${receiver.redirectUri}?code=real`);
    expect((await receiver.arrival).searchParams.get('code')).toBe('real');
    refusedAll();
  });

  it('cuts off oversized headers too (a 64 KB header)', async () => {
    const receiver = await start();
    const port = Number(new URL(receiver.redirectUri).port);
    const refusedAll = attack();
    const answer = await raw(
      port,
      `GET /callback?code=evil HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nX-Pad: ${'b'.repeat(65_536)}\r\n\r\n`,
    );
    if (answer.error === undefined || answer.text) expect(statusOf(answer)).toBe(431);
    expect(await settled(receiver.arrival)).toBe(false);
    refusedAll();
  });

  it('never shows the code, and escapes everything it shows: the /done page, 404s and refusals', async () => {
    const receiver = await start();
    const port = Number(new URL(receiver.redirectUri).port);
    const code = 'SECRET-CODE-4f9a1c';
    const pages: RawResponse[] = [];
    const refusedAll = attack(5);
    // 404 for another path carrying a script in the path and in the query.
    pages.push(
      await send(
        new URL(
          `/${encodeURIComponent(XSS)}?error=${encodeURIComponent(XSS)}&code=${code}`,
          receiver.redirectUri,
        ).href,
      ),
    );
    // Refusals with the payload in the query.
    pages.push(
      await send(
        `${receiver.redirectUri}?code=${code}&error_description=${encodeURIComponent(XSS)}`,
        { method: 'POST' },
      ),
    );
    pages.push(
      await send(
        `${receiver.redirectUri}?code=${code}&error_description=${encodeURIComponent(XSS)}`,
        { headers: { Host: `evil.example:${port}` } },
      ),
    );
    // The callback itself: a redirect with no body worth reading and no code in its Location.
    const callback = await send(
      `${receiver.redirectUri}?code=${code}&state=s&error=${encodeURIComponent(XSS)}&error_description=${encodeURIComponent(XSS)}`,
    );
    expect(callback.status).toBe(303);
    expect(callback.headers.location).toBe('/done');
    pages.push(callback);
    // The outcome page, with a message that carries the provider's words (attacker-controlled).
    const done = send(new URL('/done', receiver.redirectUri).href);
    receiver.finish({
      ok: false,
      message: `The identity provider refused the sign-in: access_denied (${XSS}).`,
    });
    pages.push(await done);
    expect(pages.at(-1)!.status).toBe(200);
    expect(pages.at(-1)!.body).toContain('&#60;script&#62;alert(document.domain)&#60;/script&#62;');
    for (const page of pages) {
      expect(page.body).not.toContain(code);
      expect(page.body).not.toContain('<script');
      expect(page.body).not.toContain('<img');
      expect(page.body).not.toContain('</script>');
      // A script could not run even if one got in: no script source at all is allowed.
      expect(page.headers['content-security-policy']).toMatch(/default-src 'none'/);
      expect(page.headers['cache-control']).toBe('no-store');
      expect(page.headers['referrer-policy']).toBe('no-referrer');
    }
    refusedAll();
  });

  it.each([
    ['a wrong state', '&state=guessed'],
    ['no state', ''],
    ['an empty state', '&state='],
    ['the state with a byte more', '&state=s3cr3t-state-valueX'],
    ['the state with a byte less', '&state=s3cr3t-state-valu'],
    ['the state in another case', '&state=S3CR3T-STATE-VALUE'],
    ['the state twice, the wrong one first', '&state=guessed&state=s3cr3t-state-value'],
  ])(
    'a sign-in receiver answers 400 to a callback with %s, and is not used up',
    async (_name, query) => {
      const receiver = await start({ requireState: true });
      receiver.expectState('s3cr3t-state-value');
      const refusedAll = attack();
      const answer = await send(`${receiver.redirectUri}?code=evil${query}`, {
        headers: {
          'Sec-Fetch-Mode': 'navigate',
          'Sec-Fetch-Dest': 'document',
          'Sec-Fetch-Site': 'cross-site',
        },
      });
      expect(answer.status).toBe(400);
      expect(answer.body).toContain('not the sign-in the app is waiting for');
      expect(answer.body).not.toContain('evil');
      expect(await settled(receiver.arrival)).toBe(false);
      const real = await send(`${receiver.redirectUri}?code=real&state=s3cr3t-state-value`);
      expect(real.status).toBe(303);
      expect((await receiver.arrival).searchParams.get('code')).toBe('real');
      refusedAll();
    },
  );

  it('a sign-in receiver takes no callback before it knows its state', async () => {
    const receiver = await start({ requireState: true });
    const refusedAll = attack();
    expect((await send(`${receiver.redirectUri}?code=early&state=anything`)).status).toBe(400);
    expect(await settled(receiver.arrival)).toBe(false);
    receiver.expectState('anything');
    expect((await send(`${receiver.redirectUri}?code=real&state=anything`)).status).toBe(303);
    expect((await receiver.arrival).searchParams.get('code')).toBe('real');
    refusedAll();
  });

  it('counts its attack cases (every one refused)', () => {
    expect(attacks).toBeGreaterThanOrEqual(30);
    expect(refused).toBe(attacks);
    console.info(`loopback receiver: ${attacks} attack cases run, ${refused} refused`);
  });
});
