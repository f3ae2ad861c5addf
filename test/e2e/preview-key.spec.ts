/**
 * The preview's per-launch key, as a user meets it: `npm run preview` (the CLI itself, as a child
 * process) prints `Preview: http://127.0.0.1:<port>/#key=<key>`; that link opens the app, and the
 * key leaves the address bar at once. The bare address, another browser, and after a restart the
 * old link or the old cookie get a page that says to open the link printed in the terminal.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { closedPort } from '../support/ports.ts';
import { envFor, expect, screenshot, test } from './fixtures.ts';

interface RunningPreview {
  child: ChildProcess;
  /** The link as printed. */
  link: string;
  output: () => string;
}

/** Starts `node src-main/preview/cli.ts` and waits for its `Preview:` line. */
async function runPreviewCli(env: NodeJS.ProcessEnv): Promise<RunningPreview> {
  const child = spawn(process.execPath, ['src-main/preview/cli.ts'], {
    env: { ...process.env, ...env },
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
    await expect(page.getByRole('heading', { name: 'Hello, Electron World!' })).toBeVisible();
    await expect(page).toHaveURL(`${origin}#/`);
    await expect(page.getByRole('button', { name: 'Log In' })).toBeVisible();
    // The cookie keeps it open on reload and on other pages of the same launch.
    await page.goto(`${origin}#/public`);
    await page.reload();
    await expect(page.getByRole('main')).toContainText('This is a public message.');

    // The bare address in a browser that never opened the link: no app, a page saying what to do.
    const other = await stranger.newPage();
    await other.goto(origin);
    await expectLockedPage(other);
    await expect(other.getByText(`Preview: http://127.0.0.1:${port}/#key=…`)).toBeVisible();
    const violations = (await new AxeBuilder({ page: other }).analyze()).violations.filter(
      (v) => v.impact === 'serious' || v.impact === 'critical',
    );
    expect(violations.map((v) => v.id)).toEqual([]);
    await screenshot(other, testInfo, 'preview-open-the-printed-link');
    // The same link works in a second browser too: the key is good for the whole launch.
    await other.goto(first);
    await expect(other.getByRole('heading', { name: 'Hello, Electron World!' })).toBeVisible();

    // Restart on the same port: a new key. The page still open with the old cookie says what to do.
    await stop(running);
    running = undefined;
    running = await runPreviewCli(env);
    const second = running.link;
    expect(second).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${port}/#key=[\\w-]{43}$`));
    expect(second).not.toBe(first);
    await page.getByRole('button', { name: 'Log In' }).click();
    await expect(page.getByRole('alert')).toContainText('Open the link printed in the terminal');
    await screenshot(page, testInfo, 'preview-old-cookie-after-restart');
    await page.reload();
    await expectLockedPage(page);
    // The old link does not open the new launch.
    await page.goto(first);
    await expectLockedPage(page);
    expect(page.url()).not.toContain('key=');
    // The new one does.
    await page.goto(second);
    await expect(page.getByRole('heading', { name: 'Hello, Electron World!' })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Log In' })).toBeVisible();
  } finally {
    await stranger.close();
    await stop(running);
  }
});
