/**
 * The preview opens the user's browser with xdg-open (Linux). Without a desktop environment xdg-open
 * runs the browser in the foreground and exits only when the browser does, so a sign-in that waited
 * for the opener would wait for the browser to close. Here xdg-open is a stand-in first on PATH:
 * - one that never exits: the sign-in still completes when the callback arrives (Chromium, real
 *   devstack), and Log Out returns at once;
 * - one that fails: the sign-in ends at once with a message, instead of waiting for a callback that
 *   cannot come.
 * The stand-in records its pid; the test ends the processes it made that way.
 */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startPreview, type Preview } from '../../src-main/preview/server.ts';
import { alice } from '../support/accounts.ts';
import { envFor } from '../support/core-harness.ts';
import { signInWithBrowser } from '../support/system-browser.ts';
import { useIntegrationStack } from '../support/integration-stack.ts';

const linux = process.platform === 'linux';
if (!linux)
  console.warn(
    `preview opener cases skipped: the preview uses xdg-open only on Linux (this is ${process.platform})`,
  );

const stack = useIntegrationStack({ skip: !linux });
const originalPath = process.env.PATH;
const pids: number[] = [];
let preview: Preview | undefined;

afterEach(async () => {
  process.env.PATH = originalPath;
  await preview?.close();
  preview = undefined;
  for (const pid of pids.splice(0)) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
});

/**
 * Puts an `xdg-open` first on PATH whose body is `behaviour`; returns the file it logs "<pid>
 * <url>" lines to.
 */
function standInOpener(behaviour: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'opener-'));
  const log = path.join(dir, 'opened.log');
  mkdirSync(path.join(dir, 'bin'));
  const script = path.join(dir, 'bin', 'xdg-open');
  writeFileSync(script, `#!/bin/sh\nprintf '%s %s\\n' "$$" "$1" >> '${log}'\n${behaviour}\n`);
  chmodSync(script, 0o755);
  writeFileSync(log, '');
  process.env.PATH = `${path.join(dir, 'bin')}:${originalPath}`;
  return log;
}

/** The opener calls logged so far: pid and URL of each. */
function openerCalls(log: string): Array<{ pid: number; url: string }> {
  return readFileSync(log, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [pid, url] = line.split(' ');
      return { pid: Number(pid), url: url! };
    });
}

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function systemPreview(): Promise<Preview> {
  const rendererDir = path.join(
    mkdtempSync(path.join(os.tmpdir(), 'opener-renderer-')),
    'renderer',
  );
  mkdirSync(rendererDir);
  writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>app</title>');
  preview = await startPreview({
    env: envFor(stack.devstack),
    externalBrowser: 'system',
    rendererDir,
    dataDir: mkdtempSync(path.join(os.tmpdir(), 'opener-data-')),
  });
  await preview.core.restore();
  return preview;
}

/** `promise`, or a rejection saying what it waited for after `ms`. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
    }),
  ]);
}

describe.skipIf(!linux)("the preview's browser opener", () => {
  it('an opener that never exits (xdg-open running the browser in the foreground): sign-in and Log Out still complete', async () => {
    const log = standInOpener('exec sleep 600');
    const app = await systemPreview();
    const login = app.core.core!.session.login();
    await expect.poll(() => openerCalls(log).length, { timeout: 10_000 }).toBe(1);
    const [opened] = openerCalls(log);
    pids.push(opened!.pid);
    const { context } = await signInWithBrowser(stack.browser, opened!.url, {
      username: alice.email,
      password: alice.password,
    });
    await context.close();
    expect(
      await within(login, 15_000, 'the sign-in (waiting for the browser to exit?)'),
    ).toMatchObject({
      ok: true,
      session: { status: 'signed-in', profile: { email: alice.email } },
    });
    // The opener is still running: the sign-in did not wait for it.
    expect(running(opened!.pid)).toBe(true);

    expect(
      await within(
        app.core.core!.session.logout(),
        10_000,
        'Log Out (waiting for the browser to exit?)',
      ),
    ).toMatchObject({ ok: true, session: { status: 'signed-out' } });
    await expect.poll(() => openerCalls(log).length).toBe(2);
    pids.push(openerCalls(log)[1]!.pid);
    expect(openerCalls(log)[1]!.url).toContain('id_token_hint=');
  });

  it('an opener that fails: the sign-in ends at once with a message, not after the 5-minute wait', async () => {
    const log = standInOpener('exit 3');
    const app = await systemPreview();
    const result = await within(
      app.core.core!.session.login(),
      10_000,
      'the sign-in after a failed opener',
    );
    expect(openerCalls(log)).toHaveLength(1);
    expect(result).toMatchObject({
      ok: false,
      error: {
        message: expect.stringMatching(
          /Could not open the browser \(xdg-open ended with exit code 3\)/,
        ),
      },
    });
    expect(app.core.view()).toMatchObject({
      status: 'signed-out',
      error: { message: expect.stringMatching(/Could not open the browser/) },
    });
  });
});
