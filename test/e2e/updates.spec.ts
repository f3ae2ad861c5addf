/**
 * Settings → Updates in the preview (issue 20): the same UpdateService and electron-updater platform
 * updater as the app, against a signed feed on 127.0.0.1 that sends slowly enough for the download's
 * progress to be seen. Check → "Version X is available" → the progress bar moves → "Ready: restart
 * to update" and the notice above every page → "Restart to update" waits while a sign-in is pending
 * and says so → the sign-in finishes in the system browser → the install step (recorded by the
 * preview instead of quitting) runs.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from '@playwright/test';
import semver from 'semver';
import { signFeed } from '../../scripts/update-sign.ts';
import { channelFileFor } from '../../src-main/core/updates/update-platform.ts';
import { packageVersion } from '../../src-main/preview/updates.ts';
import { startUpdateFeed, type UpdateFeed } from '../support/update-feed.ts';
import {
  makeSigningKeys,
  randomPayload,
  writeChannel,
  writeInstaller,
  type ReleaseFile,
} from '../support/update-release.ts';
import {
  alice,
  envFor,
  expect,
  recordBridge,
  screenshot,
  seriousViolations,
  test,
  type PreviewApp,
} from './fixtures.ts';

const CURRENT = packageVersion();
const NEXT = semver.inc(CURRENT, 'minor')!;
const MiB = 1024 * 1024;
const keys = makeSigningKeys();

let root: string;
let feedDir: string;
let feed: UpdateFeed;
let release: ReleaseFile;

test.beforeEach(async () => {
  root = mkdtempSync(path.join(os.tmpdir(), 'updates-e2e-'));
  feedDir = path.join(root, 'feed');
  mkdirSync(feedDir);
  release = await writeInstaller(
    path.join(feedDir, `App-Setup-${NEXT}.exe`),
    randomPayload(6 * MiB),
  );
  writeChannel(feedDir, channelFileFor(process.platform, process.arch), NEXT, [release]);
  signFeed(feedDir, keys.privateKey);
  // About six seconds for the download: electron-updater reports its progress once a second.
  feed = await startUpdateFeed(feedDir, { bytesPerSecond: MiB });
});

test.afterEach(async () => {
  await feed.close();
  rmSync(root, { recursive: true, force: true });
});

/** The versions the preview's "Restart to update" installed (it records instead of quitting). */
async function installs(app: PreviewApp): Promise<string[]> {
  const response = await fetch(`${app.preview.url}__preview/installs`, {
    headers: { 'X-Preview-Key': app.preview.key },
  });
  expect(response.status).toBe(200);
  return (await response.json()) as string[];
}

const updatesSection = (page: Page) => page.getByRole('region', { name: 'Updates' });

test('check, available, the progress bar moves, ready; the restart waits for a pending sign-in, then runs', async ({
  page,
  app,
  devstack,
}, testInfo) => {
  await app.restart({
    env: {
      ...envFor(devstack),
      UPDATE_FEED_URL: feed.url,
      UPDATE_PUBLIC_KEY: keys.publicKeyBase64,
    },
    restartPollMs: 100,
  });
  const received = await recordBridge(page);
  await app.open('#/settings');
  const section = updatesSection(page);
  await expect(section).toContainText(`This is version ${CURRENT}.`);
  await expect(section.getByRole('status')).toHaveText('Not checked yet.');
  expect(await seriousViolations(page)).toEqual([]);

  const check = section.getByRole('button', { name: 'Check for updates' });
  await check.click();
  await expect(section.getByText(`Version ${NEXT} is available`)).toBeVisible();
  await expect(check).toHaveAttribute('aria-disabled', 'true');
  await expect(check).toBeFocused();
  const bar = section.getByRole('progressbar', { name: `Downloading version ${NEXT}` });
  await expect(bar).toBeVisible();
  await expect(section.getByText(/^Downloading… \d+ %$/)).toBeVisible();
  // The bar moves: a later value than the first one seen.
  const first = Number(await bar.getAttribute('aria-valuenow'));
  await expect
    .poll(async () => Number(await bar.getAttribute('aria-valuenow')))
    .toBeGreaterThan(first);
  expect(await seriousViolations(page)).toEqual([]);
  await page.setViewportSize({ width: 1280, height: 1400 });
  await screenshot(page, testInfo, 'updates-downloading-wide');
  await page.setViewportSize({ width: 400, height: 2600 });
  await screenshot(page, testInfo, 'updates-downloading-narrow');
  await page.setViewportSize({ width: 1280, height: 800 });

  await expect(section.getByText('Ready: restart to update')).toBeVisible({ timeout: 30_000 });
  await expect(bar).toHaveCount(0);
  // "Check for updates" stayed (busy) while it ran, so focus stayed on it; it goes now, and focus
  // moves to what replaces it, never to the page (the focus rule).
  await expect(section.getByRole('button', { name: 'Check for updates' })).toHaveCount(0);
  await expect(section.getByRole('button', { name: 'Restart to update' })).toBeFocused();
  // Every step was sent to the page, in order.
  const kinds = [...(await received()).matchAll(/"kind":"([a-z-]+)"/g)].map((m) => m[1]);
  const order = ['checking', 'available', 'downloading', 'ready'].map((kind) =>
    kinds.indexOf(kind),
  );
  expect(order.every((index, i) => index >= 0 && (i === 0 || index > order[i - 1]!))).toBe(true);
  // Only the signed metadata and the installer were asked for.
  expect(feed.requests.map((request) => request.path)).toEqual(
    expect.arrayContaining([`/App-Setup-${NEXT}.exe`]),
  );

  // Away from Settings, a notice says so without taking focus or blocking the page.
  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: 'Public' })
    .click();
  const notice = page.getByRole('status', { name: `Version ${NEXT} is ready` });
  await expect(notice).toContainText('Ready: restart to update.');
  await expect(notice.getByRole('button', { name: 'Restart to update' })).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);
  await screenshot(page, testInfo, 'updates-ready-notice-wide');
  await page.setViewportSize({ width: 400, height: 1600 });
  await screenshot(page, testInfo, 'updates-ready-notice-narrow');
  await page.setViewportSize({ width: 1280, height: 800 });

  // A sign-in is pending: the restart waits for it and says so.
  await page.getByRole('button', { name: 'Log In' }).first().click();
  await expect(
    page.getByRole('heading', { name: 'Finish signing in with your browser' }),
  ).toBeVisible();
  await notice.getByRole('button', { name: 'Restart to update' }).click();
  await expect(notice).toContainText('Ready: the restart waits for the sign-in to finish.');
  await expect(notice.getByRole('button', { name: 'Restart to update' })).toHaveAttribute(
    'aria-disabled',
    'true',
  );
  await page.waitForTimeout(500);
  expect(await installs(app)).toEqual([]);
  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: 'Settings' })
    .click();
  await expect(updatesSection(page).getByRole('status')).toHaveText(
    'Ready: the restart waits for the sign-in to finish',
  );
  expect(await seriousViolations(page)).toEqual([]);
  await page.setViewportSize({ width: 1280, height: 1400 });
  await screenshot(page, testInfo, 'updates-waiting-wide');
  await page.setViewportSize({ width: 400, height: 2600 });
  await screenshot(page, testInfo, 'updates-waiting-narrow');
  await page.setViewportSize({ width: 1280, height: 800 });

  // The person signs in in the browser: then the update is installed.
  await app.finishSignIn(alice);
  await expect(page.getByRole('button', { name: 'Log Out' })).toBeVisible();
  await expect.poll(() => installs(app)).toEqual([NEXT]);
  // Signed in, the app shows the Profile page; the notice says what happens now.
  await expect(notice).toContainText('Restarting to update…');
});

test('no feed: "Updates are not set up for this build", and nothing to press', async ({
  page,
  app,
  devstack,
}) => {
  await app.restart({ env: envFor(devstack) });
  await app.open('#/settings');
  const section = updatesSection(page);
  await expect(section.getByRole('status')).toHaveText('Updates are not set up for this build.');
  await expect(section.getByRole('button')).toHaveCount(0);
  expect(await seriousViolations(page)).toEqual([]);
});

test('AUTO_UPDATE=false in the environment: "Updates are turned off by the environment", shown with its source; the feed is never asked', async ({
  page,
  app,
  devstack,
}, testInfo) => {
  await app.restart({
    env: {
      ...envFor(devstack),
      AUTO_UPDATE: 'false',
      UPDATE_FEED_URL: feed.url,
      UPDATE_PUBLIC_KEY: keys.publicKeyBase64,
    },
  });
  await app.open('#/settings');
  const section = updatesSection(page);
  await expect(section.getByRole('status')).toHaveText(
    'Updates are turned off by the environment.',
  );
  await expect(section).toContainText('AUTO_UPDATE');
  await expect(section).toContainText('false — set by the environment; read-only here.');
  await expect(section.getByRole('button')).toHaveCount(0);
  expect(await seriousViolations(page)).toEqual([]);
  await screenshot(page, testInfo, 'updates-off');
  expect(feed.requests).toEqual([]);
});

test('metadata the release key did not sign: "Update refused" with the reason, and nothing downloaded', async ({
  page,
  app,
  devstack,
}, testInfo) => {
  // The feed's yml rewritten after signing, without its signature (whoever controls the feed).
  const channel = channelFileFor(process.platform, process.arch);
  writeChannel(feedDir, channel, NEXT, [release]);
  await app.restart({
    env: {
      ...envFor(devstack),
      UPDATE_FEED_URL: feed.url,
      UPDATE_PUBLIC_KEY: keys.publicKeyBase64,
    },
  });
  await app.open('#/settings');
  const section = updatesSection(page);
  await section.getByRole('button', { name: 'Check for updates' }).click();
  await expect(section.getByRole('status')).toHaveText(`Update refused: ${channel} is not signed.`);
  // Nothing but the metadata was asked for; "Check for updates" is there to try again.
  expect(feed.requests.map((request) => request.path)).toEqual([`/${channel}`]);
  await expect(section.getByRole('button', { name: 'Check for updates' })).toBeFocused();
  expect(await seriousViolations(page)).toEqual([]);
  await screenshot(page, testInfo, 'updates-refused');
});

test('AUTO_UPDATE=false in the organisation\'s app-config.json: "Updates are turned off by your organisation"', async ({
  page,
  app,
  devstack,
}) => {
  const managed = path.join(root, 'app-config.json');
  writeFileSync(managed, JSON.stringify({ AUTO_UPDATE: false }));
  await app.restart({
    env: {
      ...envFor(devstack),
      PREVIEW_APP_CONFIG: managed,
      UPDATE_FEED_URL: feed.url,
      UPDATE_PUBLIC_KEY: keys.publicKeyBase64,
    },
  });
  await app.open('#/settings');
  const section = updatesSection(page);
  await expect(section.getByRole('status')).toHaveText(
    'Updates are turned off by your organisation.',
  );
  await expect(section).toContainText(
    'false — set by your organisation (app-config.json); read-only here.',
  );
  await expect(section.getByRole('button')).toHaveCount(0);
  expect(feed.requests).toEqual([]);
});
