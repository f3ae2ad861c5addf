import { request } from 'node:http';
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { LoopbackReceiver } from '../../src-main/core/loopback.ts';

const open: LoopbackReceiver[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((r) => r.close()));
});

async function start(options: Partial<Parameters<typeof LoopbackReceiver.start>[0]> = {}) {
  const receiver = await LoopbackReceiver.start({ ports: [], path: '/callback', ...options });
  open.push(receiver);
  return receiver;
}

interface Answer { status: number; headers: Record<string, string | string[] | undefined>; body: string }

/** A raw HTTP request, so tests control Host, Origin and the method like an attacker could. */
function send(url: string, init: { method?: string; headers?: Record<string, string> } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: init.method ?? 'GET', headers: init.headers ?? {} }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function occupy(port = 0): Promise<Server> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
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
    expect((await send(`${receiver.redirectUri}?code=x`, { headers: { Host: `evil.example:${port}` } })).status).toBe(421);
    expect((await send(`${receiver.redirectUri}?code=x`, { headers: { Origin: 'http://evil.example' } })).status).toBe(403);
    await send(`${receiver.redirectUri}?code=real`);
    expect((await receiver.arrival).searchParams.get('code')).toBe('real');
  });

  it('times out with a clear error and stops listening', async () => {
    const receiver = await start({ timeoutMs: 100 });
    await expect(receiver.arrival).rejects.toMatchObject({ code: 'sign_in_timeout', message: expect.stringMatching(/No answer from the browser/) });
    await new Promise((r) => setTimeout(r, 50));
    await expect(send(`${receiver.redirectUri}?code=late`)).rejects.toThrow(/ECONNREFUSED/);
  });

  it('is cancelled through its abort signal', async () => {
    const abort = new AbortController();
    const receiver = await start({ signal: abort.signal });
    abort.abort();
    await expect(receiver.arrival).rejects.toMatchObject({ code: 'sign_in_cancelled' });
  });

  it('tries the configured ports in order and fails clearly when all are busy', async () => {
    const busy1 = await occupy();
    const busy2 = await occupy();
    const free = await occupy();
    const ports = [busy1, busy2, free].map((s) => (s.address() as { port: number }).port);
    await new Promise((r) => free.close(r));
    try {
      const receiver = await start({ ports });
      expect(new URL(receiver.redirectUri).port).toBe(String(ports[2]));
      await expect(LoopbackReceiver.start({ ports: ports.slice(0, 2), path: '/callback' })).rejects.toMatchObject({
        code: 'ports_busy',
        message: expect.stringContaining(`${ports[0]}, ${ports[1]}`),
      });
    } finally {
      busy1.close();
      busy2.close();
    }
  });
});
