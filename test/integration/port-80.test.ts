/**
 * Port 80 on loopback: browsers leave the default port out of `Host` and `Origin`
 * (`127.0.0.1`, `http://127.0.0.1`), so a check against `127.0.0.1:80` refuses the user's own browser.
 * With the real devstack and Chromium: a sign-in whose callback port is 80 completes, and the preview
 * host on port 80 answers its own page's bridge calls. The form with `:80` written is accepted too, and
 * foreign hosts and origins stay refused (unit cases in test/unit/loopback.test.ts).
 *
 * Port 80 needs the right to bind it (root, or CAP_NET_BIND_SERVICE, or a low
 * net.ipv4.ip_unprivileged_port_start) and nobody else on it; without that the cases skip, saying why.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LoopbackReceiver } from '../../src-main/core/loopback.ts';
import { startPreview } from '../../src-main/preview/server.ts';
import { alice } from '../support/accounts.ts';
import { configFor, envFor, signIn } from '../support/core-harness.ts';
import { send } from '../support/http.ts';
import { occupiedPort } from '../support/ports.ts';
import { useIntegrationStack } from '../support/integration-stack.ts';

/** Why port 80 cannot be used here, or undefined when it can. */
async function port80Unavailable(): Promise<string | undefined> {
  try {
    const probe = await occupiedPort(80);
    await new Promise((resolve) => probe.close(resolve));
    return undefined;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'EACCES'
      ? 'no right to bind port 80 here (not root, no CAP_NET_BIND_SERVICE)'
      : `port 80 is not free (${code ?? String(error)})`;
  }
}

/** Closes receivers lingering for late tabs, then waits until nothing listens on 127.0.0.1:80 any more. */
async function port80Released(): Promise<void> {
  await LoopbackReceiver.closeLingering();
  for (let i = 0; i < 50; i++) {
    if (
      await send('http://127.0.0.1/').then(
        () => false,
        () => true,
      )
    )
      return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('port 80 still in use');
}

const unavailable = await port80Unavailable();
if (unavailable) console.warn(`port 80 cases skipped: ${unavailable}`);

const stack = useIntegrationStack({ skip: unavailable !== undefined });

describe.skipIf(unavailable !== undefined)('loopback on port 80', () => {
  it('signs alice in with the callback on port 80 (the browser sends Host: 127.0.0.1)', async () => {
    const test = stack.newCore(configFor(stack.devstack, { AUTH0_CALLBACK_PORTS: '80' }), {
      signInTimeoutMs: 20_000,
    });
    await test.core.restore();
    const { result, url, page, context } = await signIn(test, stack.browser, alice);
    expect(result).toMatchObject({
      ok: true,
      session: { status: 'signed-in', profile: { email: alice.email } },
    });
    // Announced as the browser writes it, so the token request's redirect_uri is the same string.
    expect(new URL(url).searchParams.get('redirect_uri')).toBe('http://127.0.0.1/callback');
    await page.waitForURL('http://127.0.0.1/done');
    await expect.poll(() => page.textContent('body')).toContain('You are signed in');
    await context.close();
    await port80Released();
  });

  it('refuses a foreign Host on port 80 and takes the explicit ":80" form', async () => {
    const test = stack.newCore(configFor(stack.devstack, { AUTH0_CALLBACK_PORTS: '80' }));
    await test.core.restore();
    const opened = test.nextOpened();
    const login = test.core.session.login();
    const state = new URL(await opened).searchParams.get('state')!;
    expect(
      (
        await send(`http://127.0.0.1/callback?code=x&state=${state}`, {
          headers: { Host: 'evil.example' },
        })
      ).status,
    ).toBe(421);
    expect(
      (
        await send(`http://127.0.0.1/callback?code=x&state=${state}`, {
          headers: { Host: 'localhost' },
        })
      ).status,
    ).toBe(421);
    expect(
      (
        await send(
          `http://127.0.0.1/callback?code=forged&state=${state}&iss=${encodeURIComponent(stack.devstack.issuer)}`,
          { headers: { Host: '127.0.0.1:80' } },
        )
      ).status,
    ).toBe(303);
    expect(await login).toMatchObject({ ok: false, error: { code: 'callback_invalid' } });
    // Let the receiver go (it lingers for late tabs) before the next case binds port 80.
    await port80Released();
  });

  it('serves the preview on port 80 to its own page in Chromium (Origin: http://127.0.0.1)', async () => {
    // A tiny renderer: its script calls the bridge the way the real one does (POST, JSON, Origin
    // set by the browser).
    const rendererDir = path.join(mkdtempSync(path.join(os.tmpdir(), 'preview-80-')), 'renderer');
    mkdirSync(path.join(rendererDir, 'assets'), { recursive: true });
    writeFileSync(
      path.join(rendererDir, 'index.html'),
      '<!doctype html><title>app</title><p id="out">waiting</p><script src="/assets/app.js"></script>',
    );
    writeFileSync(
      path.join(rendererDir, 'assets', 'app.js'),
      // As the real page does: take the printed link's key, send it with the bridge call.
      `const key = new URLSearchParams(location.hash.slice(1)).get('key');
      fetch('/__bridge/session:get', { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Preview-Key': key }, body: '{"args":[]}' })
        .then(async (r) => { document.getElementById('out').textContent = r.status + ' ' + (await r.text()); });`,
    );
    const preview = await startPreview({
      env: envFor(stack.devstack),
      port: 80,
      externalBrowser: 'capture',
      rendererDir,
      dataDir: mkdtempSync(path.join(os.tmpdir(), 'preview-80-data-')),
    });
    try {
      expect(new URL(preview.url).origin).toBe('http://127.0.0.1');
      const context = await stack.browser.newContext();
      const page = await context.newPage();
      const bridge = page.waitForRequest((request) =>
        request.url().endsWith('/__bridge/session:get'),
      );
      await page.goto(preview.link);
      expect((await (await bridge).allHeaders())['origin']).toBe('http://127.0.0.1');
      await expect
        .poll(() => page.textContent('#out'))
        .toMatch(/^200 \{"status":"(restoring|signed-out)"/);
      await context.close();
      // A foreign origin is still refused on port 80.
      const foreign = await send(`${preview.url}__bridge/session:get`, {
        method: 'POST',
        headers: { Origin: 'http://evil.example', 'Content-Type': 'application/json' },
      });
      expect(foreign.status).toBe(403);
    } finally {
      await preview.close();
    }
  });
});
